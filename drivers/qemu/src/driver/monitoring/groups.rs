//! The statistics groups of `virConnectGetAllDomainStats` for one domain, with
//! libvirt's QEMU driver's field names, types and order. A running domain's figures
//! come from `/proc` and from its monitor's replies; an inactive domain's from its
//! definition and its disk images, as libvirt's.

use rvirt_core::api::{MemoryStat, MemoryStatTag, StatsGroups, TypedParam, TypedValue};
use rvirt_core::objects::state_params;
use serde_json::Value;

use super::queries::{Query, Replies};
use super::snapshot::{DiskFacts, Snap};
use crate::host::image::image_sizes;
use crate::host::proc::{ProcStat, SchedStat, thread_wait_ns};
use crate::qmp::stats::{
    self as qs, BlockStatsEntry, GuestMemoryStats, NodeImage, find_block_stats,
};

/// Where KVM's per-VM debug counters live (halt polling).
const KVM_DEBUGFS: &str = "/sys/kernel/debug/kvm";

/// The groups this driver answers: every group but `vm` (QEMU's `query-stats`, which
/// only KVM fills in). `perf` has the counters of the domain's enabled perf events,
/// `iothread` QEMU's I/O threads; `memory` is always empty: no cache or
/// memory-bandwidth monitors are set up.
pub(super) const SUPPORTED: StatsGroups = StatsGroups(0x3ff);

/// Builds parameter lists, `prefix.name` = value.
struct Params(Vec<TypedParam>);

impl Params {
    fn add(&mut self, name: impl Into<String>, v: TypedValue) {
        self.0.push(TypedParam::new(name, v));
    }
    fn ull(&mut self, name: impl Into<String>, v: u64) {
        self.add(name, TypedValue::ULLong(v));
    }
    fn uint(&mut self, name: impl Into<String>, v: u32) {
        self.add(name, TypedValue::UInt(v));
    }
}

/// Every requested group of `snap`, given the monitor's `replies` (empty when the
/// monitor was not asked) and the vCPU threads (if known).
pub(super) fn domain_params(
    snap: &Snap,
    groups: StatsGroups,
    replies: &Replies,
    tids: Option<&[u32]>,
) -> Vec<TypedParam> {
    let mut p = Params(Vec::new());
    let live = snap.run.as_ref().map(|r| r.pid);
    if groups.contains(StatsGroups::STATE) {
        p.0.extend(state_params(snap.state));
    }
    let stat = live.and_then(ProcStat::of_process);
    if groups.contains(StatsGroups::CPU_TOTAL)
        && let (Some(pid), Some(stat)) = (live, stat)
    {
        cpu(&mut p, pid, &stat);
    }
    if groups.contains(StatsGroups::BALLOON) {
        balloon(&mut p, snap, replies, stat.as_ref());
    }
    if groups.contains(StatsGroups::VCPU) {
        vcpu(&mut p, snap, live.zip(tids));
    }
    if groups.contains(StatsGroups::INTERFACE) && snap.active() {
        net(&mut p, &snap.taps);
    }
    if groups.contains(StatsGroups::BLOCK) {
        block(&mut p, snap, replies);
    }
    if groups.contains(StatsGroups::PERF)
        && let Some(run) = &snap.run
    {
        p.0.extend(run.perf.iter().cloned());
    }
    if groups.contains(StatsGroups::IOTHREAD)
        && let Some(reply) = replies.get(Query::IoThreads)
    {
        iothreads(&mut p, reply);
    }
    if groups.contains(StatsGroups::DIRTYRATE)
        && let Some(reply) = replies
            .get(Query::DirtyRate)
            .or_else(|| snap.run.as_ref()?.dirty_rate.as_ref())
    {
        dirty_rate(&mut p, &qs::dirty_rate(reply));
    }
    p.0
}

/// `net.*`: the traffic of each NIC with a host tap, as the guest sees it (user-mode
/// NICs have no host device and are not counted, as in libvirt).
fn net(p: &mut Params, taps: &[String]) {
    let stats: Vec<_> = taps
        .iter()
        .filter_map(|t| Some((t, crate::host::tap_stats::tap_stats(t)?)))
        .collect();
    p.uint("net.count", u32::try_from(stats.len()).unwrap_or(u32::MAX));
    for (i, (name, s)) in stats.iter().enumerate() {
        p.add(format!("net.{i}.name"), TypedValue::String((*name).clone()));
        let u = |v: i64| u64::try_from(v).unwrap_or(0);
        for (field, v) in [
            ("rx.bytes", s.rx_bytes),
            ("rx.pkts", s.rx_packets),
            ("rx.errs", s.rx_errs),
            ("rx.drop", s.rx_drop),
            ("tx.bytes", s.tx_bytes),
            ("tx.pkts", s.tx_packets),
            ("tx.errs", s.tx_errs),
            ("tx.drop", s.tx_drop),
        ] {
            p.ull(format!("net.{i}.{field}"), u(v));
        }
    }
}

fn cpu(p: &mut Params, pid: u32, stat: &ProcStat) {
    p.ull("cpu.time", stat.cpu_ns());
    p.ull("cpu.user", stat.user_ns());
    p.ull("cpu.system", stat.system_ns());
    // No resctrl cache monitors are ever set up.
    p.uint("cpu.cache.monitor.count", 0);
    if let Some((success, fail)) = halt_poll_ns(pid) {
        p.ull("cpu.haltpoll.success.time", success);
        p.ull("cpu.haltpoll.fail.time", fail);
    }
}

/// KVM's halt-polling time of `pid`'s VM (`/sys/kernel/debug/kvm/PID-FD/`), or `None`
/// without a KVM VM of that pid in debugfs (TCG, no debugfs): then libvirt leaves the
/// fields out too.
fn halt_poll_ns(pid: u32) -> Option<(u64, u64)> {
    let dirs = std::fs::read_dir(KVM_DEBUGFS).ok()?;
    let prefix = format!("{pid}-");
    let read = |dir: &std::path::Path, f: &str| -> u64 {
        std::fs::read_to_string(dir.join(f))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    };
    let mut sums = None;
    for d in dirs.flatten() {
        if d.file_name().to_string_lossy().starts_with(&prefix) {
            let (success, fail) = sums.unwrap_or((0u64, 0u64));
            sums = Some((
                success + read(&d.path(), "halt_poll_success_ns"),
                fail + read(&d.path(), "halt_poll_fail_ns"),
            ));
        }
    }
    sums
}

/// libvirt's `virDomainMemoryStats` list: the balloon's size, the guest's statistics,
/// their last update, QEMU's resident size.
pub(super) fn memory_stat_list(
    actual_kib: Option<u64>,
    guest: Option<&GuestMemoryStats>,
    rss_kib: Option<u64>,
) -> Vec<MemoryStat> {
    use MemoryStatTag as T;
    let mut out = Vec::new();
    let mut push = |tag, value| out.push(MemoryStat { tag, value });
    if let Some(v) = actual_kib {
        push(T::ActualBalloon, v);
    }
    if let Some(g) = guest {
        let (before, after): (Vec<_>, Vec<_>) = g
            .stats
            .iter()
            .partition(|(t, _)| !matches!(t, T::DiskCaches | T::HugetlbPgalloc | T::HugetlbPgfail));
        before.into_iter().for_each(|&(t, v)| push(t, v));
        push(T::LastUpdate, g.last_update);
        after.into_iter().for_each(|&(t, v)| push(t, v));
    }
    if let Some(v) = rss_kib {
        push(T::Rss, v);
    }
    out
}

fn balloon(p: &mut Params, snap: &Snap, replies: &Replies, stat: Option<&ProcStat>) {
    let actual = replies
        .get(Query::Balloon)
        .and_then(qs::balloon_actual)
        .map(|b| b / 1024);
    let current = if snap.balloon {
        actual.unwrap_or(snap.current_memory_kib)
    } else {
        snap.memory_kib
    };
    p.ull("balloon.current", current);
    p.ull("balloon.maximum", snap.memory_kib);
    let Some(stat) = stat else {
        return;
    };
    let guest = replies.get(Query::GuestStats).map(qs::guest_memory_stats);
    for s in memory_stat_list(None, guest.as_ref(), Some(stat.rss_kib())) {
        let name = match s.tag {
            MemoryStatTag::LastUpdate => "last-update",
            other => other.name(),
        };
        p.ull(format!("balloon.{name}"), s.value);
    }
}

fn vcpu(p: &mut Params, snap: &Snap, threads: Option<(u32, &[u32])>) {
    p.uint("vcpu.current", snap.current_vcpus);
    p.uint("vcpu.maximum", snap.max_vcpus);
    let Some((pid, tids)) = threads else {
        return;
    };
    for (n, &tid) in tids.iter().enumerate() {
        let stat = ProcStat::of_thread(pid, tid).unwrap_or_default();
        let sched = SchedStat::of_thread(pid, tid).unwrap_or_default();
        // VIR_VCPU_RUNNING: every vCPU QEMU lists is online.
        p.add(format!("vcpu.{n}.state"), TypedValue::Int(1));
        p.ull(format!("vcpu.{n}.time"), stat.cpu_ns());
        p.ull(format!("vcpu.{n}.wait"), thread_wait_ns(pid, tid));
        p.ull(format!("vcpu.{n}.delay"), sched.delay_ns);
    }
}

fn block(p: &mut Params, snap: &Snap, replies: &Replies) {
    p.uint(
        "block.count",
        u32::try_from(snap.disks.len()).unwrap_or(u32::MAX),
    );
    let stats = replies.get(Query::BlockStats).map(qs::block_stats);
    let nodes = replies.get(Query::Nodes).map(qs::named_nodes);
    for (i, disk) in snap.disks.iter().enumerate() {
        let pre = format!("block.{i}");
        p.add(
            format!("{pre}.name"),
            TypedValue::String(disk.names.target.clone()),
        );
        let Some(path) = &disk.names.path else {
            continue;
        };
        p.add(format!("{pre}.path"), TypedValue::String(path.clone()));
        if snap.run.is_some() {
            live_disk(p, &pre, disk, stats.as_deref(), nodes.as_deref());
        } else if !snap.active()
            && let Some(sizes) = disk.path().and_then(|f| image_sizes(&f, &disk.format))
        {
            p.ull(format!("{pre}.allocation"), sizes.allocation);
            p.ull(format!("{pre}.capacity"), sizes.capacity);
            p.ull(format!("{pre}.physical"), sizes.physical);
        }
    }
}

fn live_disk(
    p: &mut Params,
    pre: &str,
    disk: &DiskFacts,
    stats: Option<&[BlockStatsEntry]>,
    nodes: Option<&[NodeImage]>,
) {
    if let Some(index) = disk.backing_index() {
        p.uint(format!("{pre}.backingIndex"), index);
    }
    let node = disk.names.node.as_deref();
    let entry = stats.and_then(|s| find_block_stats(s, &disk.names.alias, node));
    if let Some(e) = entry {
        p.ull(format!("{pre}.rd.reqs"), e.rd_operations);
        p.ull(format!("{pre}.rd.bytes"), e.rd_bytes);
        p.ull(format!("{pre}.rd.times"), e.rd_total_time_ns);
        p.ull(format!("{pre}.wr.reqs"), e.wr_operations);
        p.ull(format!("{pre}.wr.bytes"), e.wr_bytes);
        p.ull(format!("{pre}.wr.times"), e.wr_total_time_ns);
        p.ull(format!("{pre}.fl.reqs"), e.flush_operations);
        p.ull(format!("{pre}.fl.times"), e.flush_total_time_ns);
        p.ull(format!("{pre}.allocation"), e.wr_highest_offset);
    }
    let image = node.and_then(|n| nodes?.iter().find(|i| i.node == n));
    if let Some(image) = image {
        p.ull(format!("{pre}.capacity"), image.virtual_size);
        if let Some(actual) = image.actual_size {
            p.ull(format!("{pre}.physical"), actual);
        }
    } else if let Some(sizes) = &disk.host_sizes
        && node.is_some()
    {
        // QEMU's virtual-size and actual-size (allocated bytes) of the same file.
        p.ull(format!("{pre}.capacity"), sizes.capacity);
        p.ull(format!("{pre}.physical"), sizes.allocation);
    }
}

fn dirty_rate(p: &mut Params, d: &qs::DirtyRate) {
    p.add("dirtyrate.calc_status", TypedValue::Int(d.status));
    p.add("dirtyrate.calc_start_time", TypedValue::LLong(d.start_time));
    p.add("dirtyrate.calc_period", TypedValue::Int(d.period));
    if let Some(rate) = d.megabytes_per_second {
        p.add("dirtyrate.megabytes_per_second", TypedValue::LLong(rate));
    }
    if let Some(mode) = &d.mode {
        p.add("dirtyrate.calc_mode", TypedValue::String(mode.clone()));
    }
    if d.status == 2 {
        for (id, rate) in &d.vcpus {
            p.add(
                format!("dirtyrate.vcpu.{id}.megabytes_per_second"),
                TypedValue::LLong(*rate),
            );
        }
    }
}

/// The monitor queries the requested `groups` need for `snap`: its vCPU threads only
/// when not known yet, image sizes only when the host could not read them
/// ([`Snap::read_host_sizes`]), the dirty rate only when no settled reply is known.
pub(super) fn queries_for(snap: &Snap, groups: StatsGroups) -> Vec<Query> {
    let mut q = Vec::new();
    let Some(run) = &snap.run else {
        return q;
    };
    if groups.contains(StatsGroups::BALLOON) && snap.balloon {
        q.extend([Query::Balloon, Query::GuestStats]);
    }
    if groups.contains(StatsGroups::VCPU) && run.vcpu_tids.is_none() {
        q.push(Query::Cpus);
    }
    if groups.contains(StatsGroups::BLOCK) && !snap.disks.is_empty() {
        q.push(Query::BlockStats);
        // Sizes the host could not tell (block devices, unreadable images).
        if snap
            .disks
            .iter()
            .any(|d| d.names.path.is_some() && d.names.node.is_some() && d.host_sizes.is_none())
        {
            q.push(Query::Nodes);
        }
    }
    if groups.contains(StatsGroups::DIRTYRATE) && run.dirty_rate.is_none() {
        q.push(Query::DirtyRate);
    }
    if groups.contains(StatsGroups::IOTHREAD) && snap.iothreads {
        q.push(Query::IoThreads);
    }
    q
}

/// `iothread.*` from `query-iothreads` as libvirt's: the count, then each thread's
/// adaptive polling figures (by the number of its `iothreadN` id) where QEMU gives
/// them; nothing when QEMU has no I/O thread.
fn iothreads(p: &mut Params, reply: &Value) {
    let Some(list) = reply.as_array().filter(|l| !l.is_empty()) else {
        return;
    };
    p.uint(
        "iothread.count",
        u32::try_from(list.len()).unwrap_or(u32::MAX),
    );
    for t in list {
        let id = t["id"].as_str().and_then(|s| s.strip_prefix("iothread"));
        let (Some(id), Some(max), Some(grow), Some(shrink)) = (
            id.and_then(|s| s.parse::<u32>().ok()),
            t["poll-max-ns"].as_u64(),
            t["poll-grow"].as_u64(),
            t["poll-shrink"].as_u64(),
        ) else {
            continue;
        };
        let u = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        p.ull(format!("iothread.{id}.poll-max-ns"), max);
        p.uint(format!("iothread.{id}.poll-grow"), u(grow));
        p.uint(format!("iothread.{id}.poll-shrink"), u(shrink));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stats_come_in_libvirts_order() {
        use MemoryStatTag as T;
        let guest = GuestMemoryStats {
            stats: vec![(T::SwapIn, 1), (T::Usable, 2), (T::DiskCaches, 3)],
            last_update: 9,
        };
        let tags: Vec<_> = memory_stat_list(Some(64), Some(&guest), Some(5))
            .into_iter()
            .map(|s| (s.tag, s.value))
            .collect();
        assert_eq!(
            tags,
            vec![
                (T::ActualBalloon, 64),
                (T::SwapIn, 1),
                (T::Usable, 2),
                (T::LastUpdate, 9),
                (T::DiskCaches, 3),
                (T::Rss, 5)
            ]
        );
        assert_eq!(
            memory_stat_list(None, None, Some(5)),
            vec![MemoryStat {
                tag: T::Rss,
                value: 5
            }]
        );
    }
}

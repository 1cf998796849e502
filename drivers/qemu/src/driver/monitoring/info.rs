//! Per-domain monitoring calls that ask QEMU or `/proc`: memory and block statistics,
//! block sizes, disk errors, the monitor's state, vCPUs and their pinning, CPU time.
//! Errors and their wording are libvirt's QEMU driver's.

use std::time::Instant;

use rvirt_core::api::{
    BlockInfo, BlockStats, ControlInfo, CpuMap, MemoryStat, TypedParam, TypedValue, VcpuInfo,
};
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::{impact, not_running};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::super::instance::{Entry, Shared};
use super::super::start::MONITOR_TIMEOUT;
use super::collect::vcpu_tids;
use super::groups::memory_stat_list;
use super::queries::{Batch, Query, Replies};

use super::snapshot::{DiskFacts, RunFacts, Snap, find_disk};
use crate::host::affinity::affinity;
use crate::host::image::image_sizes;
use crate::host::node::host_cpus;
use crate::host::proc::ProcStat;
use crate::qmp::stats::{self as qs, find_block_stats};

/// `VIR_DOMAIN_AFFECT_LIVE` / `_CONFIG`.
pub(super) const AFFECT_LIVE: u32 = 1;
pub(super) const AFFECT_CONFIG: u32 = 2;

/// The domain of `dom` and what statistics need of it.
pub(super) fn snap(shared: &Shared, dom: &DomainRef) -> Result<(Entry, Snap)> {
    let entry = shared.domains.list.get(dom)?;
    let snap = Snap::of(&entry.lock());
    Ok((entry, snap))
}

/// The QEMU of an active domain, or "domain is not running".
fn running(snap: &Snap) -> Result<&RunFacts> {
    snap.run.as_ref().ok_or_else(not_running)
}

/// Sends `queries` to `run`'s monitor and waits for the replies.
fn ask(run: &RunFacts, queries: &[Query]) -> Replies {
    Batch::send(&run.mon, queries).wait(Instant::now() + MONITOR_TIMEOUT)
}

fn invalid(message: String) -> Error {
    Error::invalid_arg(ErrorDomain::Qemu, message)
}

/// libvirt's "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are
/// mutually exclusive".
pub(super) fn one_of_live_config(flags: u32) -> Result<()> {
    if flags & (AFFECT_LIVE | AFFECT_CONFIG) == AFFECT_LIVE | AFFECT_CONFIG {
        return Err(Error::invalid_arg(
            ErrorDomain::Domain,
            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive",
        ));
    }
    Ok(())
}

/// `virDomainMemoryStats`: the balloon's size and the guest's statistics (with a
/// virtio balloon), and QEMU's resident size.
pub(super) fn memory_stats(shared: &Shared, dom: &DomainRef, max: u32) -> Result<Vec<MemoryStat>> {
    let (_, snap) = snap(shared, dom)?;
    let run = running(&snap)?;
    let (mut actual, mut guest) = (None, None);
    if snap.balloon {
        let mut r = ask(run, &[Query::Balloon, Query::GuestStats]);
        actual = qs::balloon_actual(&r.take(Query::Balloon)?).map(|b| b / 1024);
        guest = r.get(Query::GuestStats).map(qs::guest_memory_stats);
    }
    let rss = ProcStat::of_process(run.pid).map(|s| s.rss_kib());
    let mut stats = memory_stat_list(actual, guest.as_ref(), rss);
    stats.truncate(max as usize);
    Ok(stats)
}

/// `virDomainBlockStats`.
/// QEMU's counters of disk `disk` (target or source path) of a running domain.
fn block_stats_entry(shared: &Shared, dom: &DomainRef, disk: &str) -> Result<qs::BlockStatsEntry> {
    let (_, snap) = snap(shared, dom)?;
    let run = running(&snap)?;
    let d = find_disk(&snap.disks, disk).ok_or_else(|| invalid(format!("invalid path: {disk}")))?;
    let reply = ask(run, &[Query::BlockStats]).take(Query::BlockStats)?;
    let stats = qs::block_stats(&reply);
    find_block_stats(&stats, &d.names.alias, d.names.node.as_deref())
        .cloned()
        .ok_or_else(|| {
            Error::internal(
                ErrorDomain::Qemu,
                format!("cannot find statistics for device '{}'", d.names.alias),
            )
        })
}

fn signed(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// `virDomainBlockStats` of a running domain.
pub(super) fn block_stats(shared: &Shared, dom: &DomainRef, disk: &str) -> Result<BlockStats> {
    let e = block_stats_entry(shared, dom, disk)?;
    Ok(BlockStats {
        rd_req: signed(e.rd_operations),
        rd_bytes: signed(e.rd_bytes),
        wr_req: signed(e.wr_operations),
        wr_bytes: signed(e.wr_bytes),
        errs: -1,
    })
}

/// `virDomainBlockStatsFlags` of a running domain: libvirt's eight counters, in its
/// order, as `long long` parameters.
pub(super) fn block_stats_flags(
    shared: &Shared,
    dom: &DomainRef,
    disk: &str,
) -> Result<Vec<rvirt_core::api::TypedParam>> {
    let e = block_stats_entry(shared, dom, disk)?;
    Ok([
        ("wr_bytes", e.wr_bytes),
        ("wr_operations", e.wr_operations),
        ("rd_bytes", e.rd_bytes),
        ("rd_operations", e.rd_operations),
        ("flush_operations", e.flush_operations),
        ("wr_total_times", e.wr_total_time_ns),
        ("rd_total_times", e.rd_total_time_ns),
        ("flush_total_times", e.flush_total_time_ns),
    ]
    .into_iter()
    .map(|(name, v)| {
        rvirt_core::api::TypedParam::new(name, rvirt_core::api::TypedValue::LLong(signed(v)))
    })
    .collect())
}

/// `virDomainBlockPeek`: `size` bytes of a raw disk image from `offset`, read on the
/// host (running or not), as libvirt reads the source.
pub(super) fn block_peek(
    shared: &Shared,
    dom: &DomainRef,
    disk: &str,
    offset: u64,
    size: u32,
) -> Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let (_, snap) = snap(shared, dom)?;
    let d = find_disk(&snap.disks, disk)
        .ok_or_else(|| invalid(format!("invalid disk or path '{disk}'")))?;
    if d.format != "raw" {
        return Err(Error::new(
            ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            format!(
                "peeking is only supported for disk with 'raw' format not '{}'",
                d.format
            ),
        ));
    }
    let path = d
        .path()
        .ok_or_else(|| invalid(format!("disk '{disk}' has no source")))?;
    let file = std::fs::File::open(&path).map_err(|e| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Qemu,
            format!("Unable to open '{}': {e}", path.display()),
        )
    })?;
    let mut buf = vec![0u8; size as usize];
    let mut got = 0;
    while got < buf.len() {
        let n = file
            .read_at(&mut buf[got..], offset + got as u64)
            .map_err(|e| {
                Error::new(
                    ErrorCode::SystemError,
                    ErrorDomain::Qemu,
                    format!("cannot read '{}': {e}", path.display()),
                )
            })?;
        if n == 0 {
            return Err(invalid(format!(
                "'{disk}' starts beyond the end of the disk"
            )));
        }
        got += n;
    }
    Ok(buf)
}

/// `virDomainGetBlockInfo`: from QEMU while it runs, else from the image file.
pub(super) fn block_info(shared: &Shared, dom: &DomainRef, disk: &str) -> Result<BlockInfo> {
    let (_, snap) = snap(shared, dom)?;
    let d = find_disk(&snap.disks, disk)
        .ok_or_else(|| invalid(format!("invalid path {disk} not assigned to domain")))?;
    let Some(path) = d.path() else {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            format!(
                "disk '{}' does not currently have a source assigned",
                d.names.target
            ),
        ));
    };
    let from_file = image_sizes(&path, &d.format).ok_or_else(|| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Qemu,
            format!("cannot stat file '{}'", path.display()),
        )
    });
    let Some(run) = snap.run.as_ref() else {
        return from_file;
    };
    live_block_info(run, d, from_file?)
}

/// A running disk's sizes: capacity and allocation as QEMU sees the image (a qcow2
/// image on a block device: the highest offset written), physical from the host.
fn live_block_info(run: &RunFacts, d: &DiskFacts, host: BlockInfo) -> Result<BlockInfo> {
    let highest = d.block_device && d.format != "raw";
    let queries: &[Query] = if highest {
        &[Query::Nodes, Query::BlockStats]
    } else {
        &[Query::Nodes]
    };
    let mut r = ask(run, queries);
    let nodes = qs::named_nodes(&r.take(Query::Nodes)?);
    let image = d
        .names
        .node
        .as_deref()
        .and_then(|n| nodes.into_iter().find(|i| i.node == n));
    let Some(image) = image else {
        return Ok(host);
    };
    let mut allocation = image.actual_size.unwrap_or(host.allocation);
    if highest {
        let stats = qs::block_stats(&r.take(Query::BlockStats)?);
        if let Some(e) = find_block_stats(&stats, &d.names.alias, d.names.node.as_deref()) {
            allocation = e.wr_highest_offset;
        }
    }
    Ok(BlockInfo {
        capacity: image.virtual_size,
        allocation,
        physical: host.physical,
    })
}

/// `virDomainGetDiskErrors`: disks whose I/O status QEMU reports as failed.
pub(super) fn disk_errors(shared: &Shared, dom: &DomainRef) -> Result<Vec<(String, i32)>> {
    let (_, snap) = snap(shared, dom)?;
    let run = running(&snap)?;
    let reply = ask(run, &[Query::Block]).take(Query::Block)?;
    Ok(qs::io_errors(&reply)
        .into_iter()
        .filter_map(|(alias, code)| {
            let d = snap.disks.iter().find(|d| d.names.alias == alias)?;
            Some((d.names.target.clone(), code))
        })
        .collect())
}

/// `virDomainGetControlInfo`: occupied while a monitor command is in flight (for how
/// long, ms), error once the monitor is unusable.
pub(super) fn control_info(shared: &Shared, dom: &DomainRef) -> Result<ControlInfo> {
    let (_, snap) = snap(shared, dom)?;
    if !snap.active() {
        return Err(not_running());
    }
    let Some(run) = snap.run.as_ref() else {
        // Starting or stopping: an operation holds the domain.
        return Ok(ControlInfo {
            state: 2,
            ..ControlInfo::default()
        });
    };
    if run.mon.is_unusable() {
        // VIR_DOMAIN_CONTROL_ERROR, VIR_DOMAIN_CONTROL_ERROR_REASON_MONITOR.
        return Ok(ControlInfo {
            state: 3,
            details: 1,
            state_time_ms: 0,
        });
    }
    Ok(match run.mon.busy_since() {
        Some(since) => ControlInfo {
            state: 2,
            details: 0,
            state_time_ms: u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX),
        },
        None => ControlInfo::default(),
    })
}

/// The vCPU threads of a running domain (asked once, then remembered).
fn threads(entry: &Entry, snap: &Snap) -> Result<Vec<u32>> {
    let run = running(snap)?;
    let reply = match run.vcpu_tids {
        Some(_) => None,
        None => Some(ask(run, &[Query::Cpus]).take(Query::Cpus)?),
    };
    vcpu_tids(entry, snap, reply.as_ref()).ok_or_else(|| {
        Error::internal(
            ErrorDomain::Qemu,
            "QEMU reported no vCPU threads".to_string(),
        )
    })
}

/// The thread ids of the running domain's vCPUs, in vCPU order (asking QEMU once).
pub(crate) fn vcpu_threads_of(entry: &Entry) -> Result<Vec<u32>> {
    let snap = Snap::of(&entry.lock());
    threads(entry, &snap)
}

/// The host CPUs a `cpuset` attribute names, every host CPU when it is absent or
/// unreadable.
fn pinned(cpuset: Option<&str>, all: &CpuMap) -> CpuMap {
    cpuset
        .and_then(|s| CpuMap::parse_cpuset(s, host_cpus()))
        .unwrap_or_else(|| all.clone())
}

/// `virDomainGetVcpus`: each online vCPU's CPU time, the host CPU it last ran on and
/// its affinity.
pub(super) fn vcpus(shared: &Shared, dom: &DomainRef) -> Result<Vec<(VcpuInfo, CpuMap)>> {
    let (entry, snap) = snap(shared, dom)?;
    if snap.run.is_none() {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "cannot retrieve vcpu information for inactive domain",
        ));
    }
    let pid = running(&snap)?.pid;
    let all = CpuMap::all(host_cpus());
    Ok(threads(&entry, &snap)?
        .into_iter()
        .enumerate()
        .map(|(n, tid)| {
            let stat = ProcStat::of_thread(pid, tid).unwrap_or_default();
            let info = VcpuInfo {
                number: u32::try_from(n).unwrap_or(u32::MAX),
                state: 1,
                cpu_time: stat.cpu_ns(),
                cpu: stat.processor,
            };
            (info, affinity(tid).unwrap_or_else(|| all.clone()))
        })
        .collect())
}

/// `virDomainGetVcpuPinInfo`: a running vCPU's affinity; the persistent
/// definition's `<vcpupin>`s (every host CPU for a vCPU without one).
pub(super) fn vcpu_pin_info(shared: &Shared, dom: &DomainRef, flags: u32) -> Result<Vec<CpuMap>> {
    one_of_live_config(flags)?;
    let entry = shared.domains.list.get(dom)?;
    let all = CpuMap::all(host_cpus());
    let (live, configured) = {
        let vm = entry.lock();
        let (live, _) = impact(&vm, flags)?;
        let def = if live {
            &vm.def
        } else {
            vm.next_def.as_ref().unwrap_or(&vm.def)
        };
        let pins = def
            .cputune
            .as_ref()
            .map(|t| t.vcpupins.as_slice())
            .unwrap_or_default();
        let configured: Vec<CpuMap> = (0..def.max_vcpus())
            .map(|v| {
                let set = pins.iter().find(|p| p.vcpu == v).map(|p| p.cpuset.as_str());
                pinned(set, &all)
            })
            .collect();
        (live, configured)
    };
    if !live {
        return Ok(configured);
    }
    let tids = {
        let snap = Snap::of(&entry.lock());
        threads(&entry, &snap)?
    };
    Ok((0..configured.len())
        .map(|n| {
            tids.get(n)
                .and_then(|&tid| affinity(tid))
                .unwrap_or_else(|| all.clone())
        })
        .collect())
}

/// `virDomainGetEmulatorPinInfo`: QEMU's affinity while it runs, else the persistent
/// definition's `<emulatorpin>` (every host CPU without one).
pub(super) fn emulator_pin_info(shared: &Shared, dom: &DomainRef, flags: u32) -> Result<CpuMap> {
    one_of_live_config(flags)?;
    let entry = shared.domains.list.get(dom)?;
    let vm = entry.lock();
    let (live, _) = impact(&vm, flags)?;
    let all = CpuMap::all(host_cpus());
    if !live {
        let def = vm.next_def.as_ref().unwrap_or(&vm.def);
        let set = def
            .cputune
            .as_ref()
            .and_then(|t| t.emulatorpin.as_ref())
            .and_then(|e| e.attr("cpuset"));
        return Ok(pinned(set, &all));
    }
    let pid = vm.run.as_ref().map(|r| r.pid);
    drop(vm);
    Ok(pid.and_then(affinity).unwrap_or(all))
}

/// `virDomainGetCPUStats`: the total (`start_cpu` -1) from `/proc`. Per host CPU
/// figures need a cpuacct cgroup per domain, which this driver does not create: for
/// them, libvirt's "this function is not supported by the connection driver".
pub(super) fn cpu_stats(
    shared: &Shared,
    dom: &DomainRef,
    start_cpu: i32,
) -> Result<Vec<Vec<TypedParam>>> {
    let (_, snap) = snap(shared, dom)?;
    let run = running(&snap)?;
    if start_cpu != -1 {
        return Err(Error::no_support(ErrorDomain::Qemu, "virDomainGetCPUStats"));
    }
    let s = ProcStat::of_process(run.pid).ok_or_else(not_running)?;
    let p = |f: &str, v: u64| TypedParam::new(f, TypedValue::ULLong(v));
    Ok(vec![vec![
        p("cpu_time", s.cpu_ns()),
        p("user_time", s.user_ns()),
        p("system_time", s.system_ns()),
    ]])
}

//! Decoding the replies of the QMP queries behind libvirt's statistics:
//! `query-blockstats`, `query-named-block-nodes`, `query-cpus-fast`, `query-balloon`,
//! the balloon's `guest-stats` property, `query-dirty-rate` and `query-block`'s I/O
//! status. Each parser takes the reply's `return` value and skips what it does not
//! understand rather than failing the whole reply.

use rvirt_core::api::MemoryStatTag;
use serde_json::Value;

fn u64_of(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// One entry of `query-blockstats`: a guest device's I/O counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockStatsEntry {
    /// The device's id (`qdev`), e.g. `ide0-0-0` (or its QOM path).
    pub qdev: Option<String>,
    /// The node attached to the device, e.g. `libvirt-1-format`.
    pub node: Option<String>,
    /// Completed reads.
    pub rd_operations: u64,
    /// Bytes read.
    pub rd_bytes: u64,
    /// Time spent reading, ns.
    pub rd_total_time_ns: u64,
    /// Completed writes.
    pub wr_operations: u64,
    /// Bytes written.
    pub wr_bytes: u64,
    /// Time spent writing, ns.
    pub wr_total_time_ns: u64,
    /// Completed flushes.
    pub flush_operations: u64,
    /// Time spent flushing, ns.
    pub flush_total_time_ns: u64,
    /// The highest offset written so far, bytes.
    pub wr_highest_offset: u64,
}

/// Parses `query-blockstats`.
pub fn block_stats(reply: &Value) -> Vec<BlockStatsEntry> {
    let Some(list) = reply.as_array() else {
        return Vec::new();
    };
    list.iter()
        .map(|e| {
            let s = e.get("stats").unwrap_or(&Value::Null);
            BlockStatsEntry {
                qdev: str_of(e, "qdev").filter(|q| !q.is_empty()),
                node: str_of(e, "node-name").filter(|n| !n.is_empty()),
                rd_operations: u64_of(s, "rd_operations"),
                rd_bytes: u64_of(s, "rd_bytes"),
                rd_total_time_ns: u64_of(s, "rd_total_time_ns"),
                wr_operations: u64_of(s, "wr_operations"),
                wr_bytes: u64_of(s, "wr_bytes"),
                wr_total_time_ns: u64_of(s, "wr_total_time_ns"),
                flush_operations: u64_of(s, "flush_operations"),
                flush_total_time_ns: u64_of(s, "flush_total_time_ns"),
                wr_highest_offset: u64_of(s, "wr_highest_offset"),
            }
        })
        .collect()
}

/// The entry of `stats` for the device with id `alias` or attached node `node`.
pub fn find_block_stats<'a>(
    stats: &'a [BlockStatsEntry],
    alias: &str,
    node: Option<&str>,
) -> Option<&'a BlockStatsEntry> {
    stats.iter().find(|e| {
        e.qdev
            .as_deref()
            .is_some_and(|q| q == alias || q.rsplit('/').nth(1) == Some(alias))
            || (node.is_some() && e.node.as_deref() == node)
    })
}

/// A block node's image sizes (`query-named-block-nodes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeImage {
    /// The node's name.
    pub node: String,
    /// Size the guest sees, bytes.
    pub virtual_size: u64,
    /// Host storage the image occupies, bytes (absent for some protocols).
    pub actual_size: Option<u64>,
}

/// Parses `query-named-block-nodes` (flat or not; nested backing images are not
/// listed).
pub fn named_nodes(reply: &Value) -> Vec<NodeImage> {
    let Some(list) = reply.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|n| {
            let image = n.get("image")?;
            Some(NodeImage {
                node: str_of(n, "node-name")?,
                virtual_size: u64_of(image, "virtual-size"),
                actual_size: image.get("actual-size").and_then(Value::as_u64),
            })
        })
        .collect()
}

/// The vCPUs' host thread ids in vCPU order (`query-cpus-fast`).
pub fn vcpu_threads(reply: &Value) -> Vec<u32> {
    let Some(list) = reply.as_array() else {
        return Vec::new();
    };
    let mut cpus: Vec<(u64, u32)> = list
        .iter()
        .filter_map(|c| {
            let index = c.get("cpu-index")?.as_u64()?;
            let tid = u32::try_from(c.get("thread-id")?.as_u64()?).ok()?;
            Some((index, tid))
        })
        .collect();
    cpus.sort_unstable();
    cpus.into_iter().map(|(_, tid)| tid).collect()
}

/// The balloon's current size in bytes (`query-balloon`'s `actual`).
pub fn balloon_actual(reply: &Value) -> Option<u64> {
    reply.get("actual").and_then(Value::as_u64)
}

/// The guest's memory statistics the balloon driver reported (`qom-get` of the
/// balloon's `guest-stats`): those the guest filled in, KiB for sizes, and when it
/// last updated them (seconds since the epoch; 0 if never).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestMemoryStats {
    /// Statistic and value, in libvirt's order.
    pub stats: Vec<(MemoryStatTag, u64)>,
    /// `last-update`.
    pub last_update: u64,
}

/// Parses the balloon's `guest-stats`. QEMU reports a statistic the guest never
/// filled in as `u64::MAX` (-1); those are left out, as libvirt leaves them out.
pub fn guest_memory_stats(reply: &Value) -> GuestMemoryStats {
    use MemoryStatTag as T;
    // QEMU's name, libvirt's tag, and whether QEMU gives bytes (libvirt wants KiB).
    const MAP: [(&str, MemoryStatTag, bool); 10] = [
        ("stat-swap-in", T::SwapIn, true),
        ("stat-swap-out", T::SwapOut, true),
        ("stat-major-faults", T::MajorFault, false),
        ("stat-minor-faults", T::MinorFault, false),
        ("stat-free-memory", T::Unused, true),
        ("stat-total-memory", T::Available, true),
        ("stat-available-memory", T::Usable, true),
        ("stat-disk-caches", T::DiskCaches, true),
        ("stat-htlb-pgalloc", T::HugetlbPgalloc, false),
        ("stat-htlb-pgfail", T::HugetlbPgfail, false),
    ];
    let stats = reply.get("stats").unwrap_or(&Value::Null);
    GuestMemoryStats {
        stats: MAP
            .iter()
            .filter_map(|&(name, tag, bytes)| {
                let v = stats.get(name)?.as_u64().filter(|&v| v != u64::MAX)?;
                Some((tag, if bytes { v / 1024 } else { v }))
            })
            .collect(),
        last_update: u64_of(reply, "last-update"),
    }
}

/// `query-dirty-rate`, as libvirt's `dirtyrate.*` statistics report it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirtyRate {
    /// `virDomainDirtyRateStatus`: 0 unstarted, 1 measuring, 2 measured.
    pub status: i32,
    /// When the last measurement started (seconds since boot, as QEMU reports it).
    pub start_time: i64,
    /// How long it measures, seconds.
    pub period: i32,
    /// MiB/s dirtied, once measured.
    pub megabytes_per_second: Option<i64>,
    /// `page-sampling`, `dirty-bitmap` or `dirty-ring`.
    pub mode: Option<String>,
    /// Per-vCPU MiB/s (dirty-ring mode), by vCPU id.
    pub vcpus: Vec<(u64, i64)>,
}

/// Parses `query-dirty-rate`.
pub fn dirty_rate(reply: &Value) -> DirtyRate {
    let status = match reply.get("status").and_then(Value::as_str) {
        Some("measuring") => 1,
        Some("measured") => 2,
        _ => 0,
    };
    let vcpus = reply
        .get("vcpu-dirty-rate")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| Some((v.get("id")?.as_u64()?, v.get("dirty-rate")?.as_i64()?)))
                .collect()
        })
        .unwrap_or_default();
    DirtyRate {
        status,
        start_time: reply.get("start-time").and_then(Value::as_i64).unwrap_or(0),
        period: reply
            .get("calc-time")
            .and_then(Value::as_i64)
            .and_then(|t| i32::try_from(t).ok())
            .unwrap_or(0),
        megabytes_per_second: if status == 2 {
            reply.get("dirty-rate").and_then(Value::as_i64)
        } else {
            None
        },
        mode: str_of(reply, "mode"),
        vcpus,
    }
}

/// The devices of `query-block` whose I/O status is an error: device id (`qdev`) and
/// `virDomainDiskErrorCode` (1 unspecified, 2 no space).
pub fn io_errors(reply: &Value) -> Vec<(String, i32)> {
    let Some(list) = reply.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|d| {
            let code = match d.get("io-status")?.as_str()? {
                "nospace" => 2,
                "failed" => 1,
                _ => return None,
            };
            Some((str_of(d, "qdev")?, code))
        })
        .collect()
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;

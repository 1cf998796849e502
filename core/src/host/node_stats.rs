//! `virNodeGetCPUStats` and `virNodeGetMemoryStats` for the host, from `/proc/stat`
//! and `/proc/meminfo` (and a NUMA cell's `meminfo` under `/sys`), named and scaled
//! as libvirt's Linux node code does: CPU times in ns (`kernel`, `user`, `idle`,
//! `iowait`), memory in KiB (`total`, `free`, `buffers`, `cached`; a cell has no
//! buffers or cache figures).

use crate::api::NodeStat;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// `VIR_NODE_CPU_STATS_ALL_CPUS` / `VIR_NODE_MEMORY_STATS_ALL_CELLS`.
pub const ALL: i32 = -1;

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidArg, ErrorDomain::None, message)
}

fn stat(field: &str, value: u64) -> NodeStat {
    NodeStat {
        field: field.to_owned(),
        value,
    }
}

/// The CPU counters of `cpu` (or of all, [`ALL`]) in a `/proc/stat` text; `tick_ns`
/// is the length of one clock tick (`USER_HZ`) in ns.
///
/// ```
/// use rvirt_core::host::node_stats::cpu_stats;
/// let proc_stat = "cpu  10 1 20 300 4 0 5 0 0 0\ncpu0 10 1 20 300 4 0 5 0 0 0\n";
/// let s = cpu_stats(proc_stat, -1, 10_000_000).unwrap();
/// assert_eq!((s[0].field.as_str(), s[0].value), ("kernel", 250_000_000));
/// assert_eq!((s[1].field.as_str(), s[1].value), ("user", 110_000_000));
/// assert!(cpu_stats(proc_stat, 3, 10_000_000).is_err());
/// ```
pub fn cpu_stats(proc_stat: &str, cpu: i32, tick_ns: u64) -> Result<Vec<NodeStat>> {
    let want = if cpu == ALL {
        "cpu".to_owned()
    } else if cpu >= 0 {
        format!("cpu{cpu}")
    } else {
        return Err(invalid(format!(
            "Invalid cpuNum in virHostCPUGetStats: {cpu}"
        )));
    };
    let line = proc_stat
        .lines()
        .find(|l| l.split_whitespace().next() == Some(want.as_str()))
        .ok_or_else(|| invalid(format!("Invalid cpuNum in virHostCPUGetStats: {cpu}")))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    let at = |i: usize| v.get(i).copied().unwrap_or(0) * tick_ns;
    // user nice system idle iowait irq softirq
    Ok(vec![
        stat("kernel", at(2) + at(5) + at(6)),
        stat("user", at(0) + at(1)),
        stat("idle", at(3)),
        stat("iowait", at(4)),
    ])
}

/// The memory counters of a `meminfo` text (the host's, or a NUMA cell's `Node N`
/// lines, whose names carry that prefix).
///
/// ```
/// use rvirt_core::host::node_stats::memory_stats;
/// let m = "MemTotal: 100 kB\nMemFree: 40 kB\nBuffers: 5 kB\nCached: 20 kB\n";
/// let s = memory_stats(m, false);
/// assert_eq!(s.iter().map(|s| s.value).collect::<Vec<_>>(), [100, 40, 5, 20]);
/// ```
pub fn memory_stats(meminfo: &str, cell: bool) -> Vec<NodeStat> {
    let value = |name: &str| {
        meminfo
            .lines()
            .find_map(|l| {
                let (key, rest) = l.split_once(':')?;
                let key = if cell {
                    key.split_whitespace().nth(2)?
                } else {
                    key.trim()
                };
                (key == name).then(|| rest.split_whitespace().next()?.parse().ok())?
            })
            .unwrap_or(0)
    };
    let mut out = vec![
        stat("total", value("MemTotal")),
        stat("free", value("MemFree")),
    ];
    if !cell {
        out.push(stat("buffers", value("Buffers")));
        out.push(stat("cached", value("Cached")));
    }
    out
}

/// The host's CPU counters (see [`cpu_stats`]).
pub fn host_cpu_stats(cpu: i32) -> Result<Vec<NodeStat>> {
    let text = std::fs::read_to_string("/proc/stat").map_err(|e| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::None,
            format!("cannot read /proc/stat: {e}"),
        )
    })?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let tick_ns = 1_000_000_000 / u64::try_from(hz).unwrap_or(100).max(1);
    cpu_stats(&text, cpu, tick_ns)
}

/// The host's (or NUMA `cell`'s) memory counters (see [`memory_stats`]).
pub fn host_memory_stats(cell: i32) -> Result<Vec<NodeStat>> {
    let path = if cell == ALL {
        "/proc/meminfo".to_owned()
    } else if cell >= 0 {
        format!("/sys/devices/system/node/node{cell}/meminfo")
    } else {
        return Err(invalid(format!("Invalid cell number {cell}")));
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|_| invalid(format!("cell number {cell} is out of range")))?;
    Ok(memory_stats(&text, cell != ALL))
}

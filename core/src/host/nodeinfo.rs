//! `virNodeGetInfo` for the host: architecture, memory, online CPUs, their clock and
//! topology, read from `/proc` and `/sys` as libvirt's Linux node code does.

use std::collections::BTreeSet;

use crate::Result;
use crate::api::NodeInfo;

use super::node::{cpu_map, parse_list};

/// The `MemTotal` of a `meminfo` text, KiB.
pub fn mem_total_kib(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        (key.trim() == "MemTotal").then(|| value.split_whitespace().next()?.parse().ok())?
    })
}

/// The first `cpu MHz` line of a `/proc/cpuinfo` text, rounded down.
pub fn cpu_mhz(cpuinfo: &str) -> Option<u32> {
    cpuinfo.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        if key.trim() != "cpu MHz" {
            return None;
        }
        let mhz: f64 = value.trim().parse().ok()?;
        Some(mhz as u32)
    })
}

/// The machine's architecture as `uname -m` names it (`x86_64`).
pub fn host_arch() -> String {
    std::env::consts::ARCH.to_owned()
}

fn sys_u32(path: String) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// One online CPU's place: (package, core, thread siblings count).
fn cpu_place(cpu: u32) -> (u32, u32, u32) {
    let base = format!("/sys/devices/system/cpu/cpu{cpu}/topology");
    let socket = sys_u32(format!("{base}/physical_package_id")).unwrap_or(0);
    let core = sys_u32(format!("{base}/core_id")).unwrap_or(cpu);
    let siblings = std::fs::read_to_string(format!("{base}/thread_siblings_list"))
        .map(|t| parse_list(&t).len() as u32)
        .unwrap_or(1);
    (socket, core, siblings.max(1))
}

/// The host's node facts. Topology follows libvirt's rule that `nodes * sockets *
/// cores * threads` is the number of online CPUs; when sysfs disagrees, everything is
/// reported as one socket of `cpus` single-threaded cores.
pub fn node_info() -> Result<NodeInfo> {
    let map = cpu_map()?;
    let online: Vec<u32> = (0..map.cpus).filter(|&c| map.online.is_set(c)).collect();
    let cpus = (online.len() as u32).max(1);
    let memory_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_total_kib(&t))
        .unwrap_or(0);
    let mhz = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| cpu_mhz(&t))
        .unwrap_or(0);
    let nodes = std::fs::read_to_string("/sys/devices/system/node/online")
        .map(|t| parse_list(&t).len() as u32)
        .unwrap_or(1)
        .max(1);
    let places: Vec<(u32, u32, u32)> = online.iter().map(|&c| cpu_place(c)).collect();
    let sockets: BTreeSet<u32> = places.iter().map(|p| p.0).collect();
    let cores: BTreeSet<(u32, u32)> = places.iter().map(|p| (p.0, p.1)).collect();
    let threads = places.iter().map(|p| p.2).max().unwrap_or(1);
    let sockets_n = (sockets.len() as u32).max(1);
    let cores_per_socket = ((cores.len() as u32) / sockets_n).max(1);
    let (mut sockets_per_node, mut cores_n, mut threads_n) =
        ((sockets_n / nodes).max(1), cores_per_socket, threads);
    if nodes * sockets_per_node * cores_n * threads_n != cpus {
        (sockets_per_node, cores_n, threads_n) = (1, cpus / nodes, 1);
    }
    Ok(NodeInfo {
        model: host_arch(),
        memory_kib,
        cpus,
        mhz,
        nodes,
        sockets: sockets_per_node,
        cores: cores_n.max(1),
        threads: threads_n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_and_cpuinfo_lines() {
        assert_eq!(
            mem_total_kib("MemTotal:       24683784 kB\nMemFree: 1 kB\n"),
            Some(24_683_784)
        );
        assert_eq!(
            cpu_mhz("processor\t: 0\ncpu MHz\t\t: 2596.132\n"),
            Some(2596)
        );
        assert_eq!(cpu_mhz("processor: 0\n"), None);
    }

    #[test]
    fn this_host_adds_up() {
        let n = node_info().unwrap();
        assert_eq!(n.nodes * n.sockets * n.cores * n.threads, n.cpus, "{n:?}");
        assert!(n.memory_kib > 0);
    }
}

//! The node's memory and CPUs as libvirt reports them: free memory from the NUMA nodes'
//! `meminfo` (or `/proc/meminfo` without NUMA), CPUs from `/sys/devices/system/cpu`.

use std::path::Path;

use crate::api::{CpuMap, NodeCpuMap};
use crate::conf::bitmap::CpuSet;
use crate::{Error, ErrorCode, ErrorDomain, Result};

const NODE_DIR: &str = "/sys/devices/system/node";
const CPU_DIR: &str = "/sys/devices/system/cpu";

/// The `MemFree` line of a `meminfo` file (`/proc/meminfo`'s `MemFree: N kB`, or a
/// NUMA node's `Node 0 MemFree: N kB`), KiB.
pub fn mem_free_kib(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        if !key.trim_end().ends_with("MemFree") {
            return None;
        }
        value.split_whitespace().next()?.parse().ok()
    })
}

/// The CPUs or nodes a sysfs list names (`0-3,8`).
pub fn parse_list(text: &str) -> Vec<u32> {
    CpuSet::parse(text.trim())
        .map(|s| s.0.into_iter().collect())
        .unwrap_or_default()
}

fn read(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::None,
            format!("unable to read {}: {e}", path.display()),
        )
    })
}

/// The online NUMA nodes, or `None` on a host without NUMA in sysfs.
fn numa_nodes() -> Option<Vec<u32>> {
    let nodes = parse_list(&std::fs::read_to_string(format!("{NODE_DIR}/online")).ok()?);
    (!nodes.is_empty()).then_some(nodes)
}

fn node_free_bytes(node: u32) -> Result<u64> {
    let text = read(format!("{NODE_DIR}/node{node}/meminfo"))?;
    Ok(mem_free_kib(&text).unwrap_or(0).saturating_mul(1024))
}

/// `virNodeGetFreeMemory`: free memory of every NUMA node, bytes.
pub fn free_memory() -> Result<u64> {
    match numa_nodes() {
        Some(nodes) => nodes
            .into_iter()
            .try_fold(0u64, |sum, n| Ok(sum.saturating_add(node_free_bytes(n)?))),
        None => Ok(mem_free_kib(&read("/proc/meminfo")?)
            .unwrap_or(0)
            .saturating_mul(1024)),
    }
}

/// `virNodeGetCellsFreeMemory`: free bytes of cells `start..start+max` that exist.
///
/// Errors: `start` beyond the last cell, libvirt's "start cell N out of range (0-M)".
pub fn cells_free_memory(start: i32, max: i32) -> Result<Vec<u64>> {
    let last = match numa_nodes() {
        Some(nodes) => nodes.iter().copied().max().unwrap_or(0),
        None => 0,
    };
    let in_range = u32::try_from(start).ok().filter(|&s| s <= last);
    let Some(first) = in_range else {
        return Err(Error::internal(
            ErrorDomain::None,
            format!("start cell {start} out of range (0-{last})"),
        ));
    };
    let count = u32::try_from(max).unwrap_or(0);
    let end = first.saturating_add(count).min(last + 1);
    if numa_nodes().is_none() {
        return Ok((first..end).map(|_| free_memory().unwrap_or(0)).collect());
    }
    (first..end).map(node_free_bytes).collect()
}

/// `virNodeGetCPUMap`: as many CPUs as `present` names (its highest number plus one)
/// and the `online` ones.
pub fn cpu_map() -> Result<NodeCpuMap> {
    let present = parse_list(&read(format!("{CPU_DIR}/present"))?);
    let online_list = parse_list(&read(format!("{CPU_DIR}/online"))?);
    let mut online = CpuMap::default();
    for cpu in &online_list {
        online.set(*cpu);
    }
    Ok(NodeCpuMap {
        cpus: present.iter().max().map_or(0, |m| m + 1),
        online,
    })
}

/// How many host CPUs libvirt's CPU maps cover (the node's CPU count).
pub fn host_cpus() -> u32 {
    cpu_map().map(|m| m.cpus).unwrap_or(1).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_free_lines() {
        assert_eq!(
            mem_free_kib("MemTotal:       24683784 kB\nMemFree:         1999608 kB\n"),
            Some(1_999_608)
        );
        assert_eq!(
            mem_free_kib(
                "Node 0 MemTotal:       24683784 kB\nNode 0 MemFree:         2166468 kB\n"
            ),
            Some(2_166_468)
        );
        assert_eq!(mem_free_kib("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn sysfs_lists() {
        assert_eq!(parse_list("0-1\n"), vec![0, 1]);
        assert_eq!(parse_list("0,2-3,8\n"), vec![0, 2, 3, 8]);
        assert!(parse_list("\n").is_empty());
    }

    #[test]
    fn this_host_has_cpus_and_memory() {
        let map = cpu_map().unwrap();
        assert!(map.cpus >= 1 && map.online.is_set(0) || map.online.0.iter().any(|&b| b != 0));
        assert!(free_memory().unwrap() > 0);
        assert_eq!(cells_free_memory(0, 1).unwrap().len(), 1);
        let e = cells_free_memory(4096, 1).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InternalError);
        assert!(
            e.to_string()
                .starts_with("internal error: start cell 4096 out of range (0-"),
            "{e}"
        );
    }
}

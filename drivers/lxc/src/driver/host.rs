//! Host facts of the LXC driver, as libvirt's LXC driver reports them: the kernel's
//! version as the hypervisor's (`virConnectGetVersion`), the node's CPUs, memory and
//! NUMA cells (core's [`rvirt_core::host`]), and `<capabilities>` with `exe` guests of
//! the host's architecture (and i686 on x86_64) run by the controller.

use std::fmt::Write;

use rvirt_core::api::{NodeCpuMap, NodeInfo, NodeStat, SecurityModel};
use rvirt_core::driver::Monitoring;
use rvirt_core::host::{capabilities::host_xml, node, node_stats, nodeinfo};
use rvirt_core::{Error, ErrorDomain, Result};

use super::connection::LxcConnection;
use crate::process::controller_path;

fn check_flags(flags: u32, function: &str) -> Result<()> {
    if flags != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Lxc,
            format!("unsupported flags (0x{flags:x}) in function {function}"),
        ));
    }
    Ok(())
}

/// `major * 1_000_000 + minor * 1000 + micro` of a kernel release (`6.1.0-13-amd64`).
pub(crate) fn kernel_version(release: &str) -> Option<u64> {
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let micro = parts.next().flatten().unwrap_or(0);
    Some(major * 1_000_000 + minor * 1000 + micro)
}

/// The running kernel's version number.
pub(crate) fn hypervisor_version() -> Result<u64> {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease")?;
    kernel_version(release.trim()).ok_or_else(|| {
        Error::internal(
            ErrorDomain::Lxc,
            format!("cannot parse version number in '{}'", release.trim()),
        )
    })
}

/// `<capabilities>` for `node`, with `exe` guests run by `controller`.
pub(crate) fn capabilities_xml(node: &NodeInfo, controller: &str) -> String {
    let mut x = String::from("<capabilities>\n\n");
    x.push_str(&host_xml(node, false));
    let arches: &[(&str, u32)] = if node.model == "x86_64" {
        &[("i686", 32), ("x86_64", 64)]
    } else {
        &[]
    };
    let own = [(node.model.as_str(), 64)];
    for (arch, wordsize) in if arches.is_empty() { &own[..] } else { arches } {
        let _ = write!(
            x,
            "  <guest>\n    <os_type>exe</os_type>\n    <arch name='{arch}'>\n      \
             <wordsize>{wordsize}</wordsize>\n      <emulator>{controller}</emulator>\n      \
             <domain type='lxc'/>\n    </arch>\n  </guest>\n\n"
        );
    }
    x.push_str("</capabilities>\n");
    x
}

/// `virConnectGetCapabilities` of this host.
pub(crate) fn capabilities() -> Result<String> {
    let controller = controller_path(None)?;
    Ok(capabilities_xml(
        &nodeinfo::node_info()?,
        &controller.to_string_lossy(),
    ))
}

impl Monitoring for LxcConnection {
    fn node_cpu_stats(&self, cpu: i32, flags: u32) -> Result<Vec<NodeStat>> {
        check_flags(flags, "virNodeGetCPUStats")?;
        node_stats::host_cpu_stats(cpu)
    }

    fn node_memory_stats(&self, cell: i32, flags: u32) -> Result<Vec<NodeStat>> {
        check_flags(flags, "virNodeGetMemoryStats")?;
        node_stats::host_memory_stats(cell)
    }

    fn free_pages(&self, pages: &[u32], start: i32, count: u32, flags: u32) -> Result<Vec<u64>> {
        check_flags(flags, "virHostMemGetFreePages")?;
        rvirt_core::host::free_pages::free_pages(pages, start, count, ErrorDomain::Lxc)
    }

    fn node_memory_parameters(&self, flags: u32) -> Result<Vec<rvirt_core::api::TypedParam>> {
        // libvirt's client library adds VIR_TYPED_PARAM_STRING_OKAY (4).
        check_flags(flags & !4, "virHostMemGetParameters")?;
        rvirt_core::host::memory_params::memory_parameters(ErrorDomain::Lxc)
    }

    fn node_free_memory(&self) -> Result<u64> {
        node::free_memory()
    }

    fn cells_free_memory(&self, start: i32, max: i32) -> Result<Vec<u64>> {
        node::cells_free_memory(start, max)
    }

    fn node_cpu_map(&self, flags: u32) -> Result<NodeCpuMap> {
        check_flags(flags, "virHostCPUGetMap")?;
        node::cpu_map()
    }

    fn security_model(&self) -> Result<SecurityModel> {
        Ok(SecurityModel {
            model: "none".into(),
            doi: "0".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_releases_become_version_numbers() {
        assert_eq!(kernel_version("6.1.0-13-amd64"), Some(6_001_000));
        assert_eq!(kernel_version("5.15.120"), Some(5_015_120));
        assert_eq!(kernel_version("bogus"), None);
    }

    #[test]
    fn x86_64_hosts_run_i686_and_x86_64_exe_guests() {
        let node = NodeInfo {
            model: "x86_64".into(),
            memory_kib: 2048,
            cpus: 2,
            mhz: 1000,
            nodes: 1,
            sockets: 1,
            cores: 2,
            threads: 1,
        };
        let x = capabilities_xml(&node, "/usr/lib/rvirt/rvirt-lxc-controller");
        assert!(
            x.contains("<os_type>exe</os_type>\n    <arch name='i686'>"),
            "{x}"
        );
        assert!(x.contains("<domain type='lxc'/>"), "{x}");
        assert!(
            x.contains("<emulator>/usr/lib/rvirt/rvirt-lxc-controller</emulator>"),
            "{x}"
        );
        assert!(!x.contains("migration_features"), "{x}");
    }
}

//! The host capabilities XML of a test world, derived from its node facts.

use std::fmt::Write;

use rvirt_core::api::NodeInfo;

/// Architectures libvirt's schema knows that a test node's `model` may name.
const ARCHES: &[(&str, u32)] = &[
    ("i686", 32),
    ("x86_64", 64),
    ("aarch64", 64),
    ("armv7l", 32),
    ("ppc64", 64),
    ("ppc64le", 64),
    ("s390x", 64),
    ("riscv64", 64),
];

/// `<capabilities>` for `node`: one NUMA cell per node with an even share of memory and
/// CPUs, and `hvm`/`xen` guests of domain type `test`.
pub(crate) fn capabilities_xml(node: &NodeInfo) -> String {
    let (arch, wordsize) = ARCHES
        .iter()
        .copied()
        .find(|(a, _)| *a == node.model)
        .unwrap_or(("i686", 32));
    let cells = node.nodes.max(1);
    let per_cell = (node.cpus / cells).max(1);
    let cell_mem = node.memory_kib / u64::from(cells);
    let cores_per_socket = (node.cores * node.threads).max(1);
    let mut x = String::with_capacity(2048);
    x.push_str("<capabilities>\n  <host>\n    <cpu>\n");
    let _ = writeln!(x, "      <arch>{arch}</arch>");
    let _ = writeln!(
        x,
        "      <topology sockets=\"{}\" dies=\"1\" cores=\"{}\" threads=\"{}\"/>",
        node.sockets.max(1),
        node.cores.max(1),
        node.threads.max(1)
    );
    x.push_str("    </cpu>\n    <power_management/>\n    <iommu support=\"no\"/>\n");
    x.push_str("    <topology>\n");
    let _ = writeln!(x, "      <cells num=\"{cells}\">");
    for cell in 0..cells {
        let _ = writeln!(x, "        <cell id=\"{cell}\">");
        let _ = writeln!(x, "          <memory unit=\"KiB\">{cell_mem}</memory>");
        let _ = writeln!(x, "          <cpus num=\"{per_cell}\">");
        for i in 0..per_cell {
            let id = cell * per_cell + i;
            let socket = id / cores_per_socket;
            let core = (id % cores_per_socket) / node.threads.max(1);
            let _ = writeln!(
                x,
                "            <cpu id=\"{id}\" socket_id=\"{socket}\" die_id=\"0\" core_id=\"{core}\" siblings=\"{id}\"/>"
            );
        }
        x.push_str("          </cpus>\n        </cell>\n");
    }
    x.push_str("      </cells>\n    </topology>\n");
    x.push_str("    <secmodel>\n      <model>none</model>\n      <doi>0</doi>\n    </secmodel>\n");
    x.push_str("  </host>\n");
    for os in ["hvm", "xen"] {
        x.push_str("  <guest>\n");
        let _ = writeln!(x, "    <os_type>{os}</os_type>");
        let _ = writeln!(x, "    <arch name=\"{arch}\">");
        let _ = writeln!(x, "      <wordsize>{wordsize}</wordsize>");
        x.push_str("      <emulator>/usr/bin/test-hv</emulator>\n");
        x.push_str("      <domain type=\"test\"/>\n    </arch>\n  </guest>\n");
    }
    x.push_str("</capabilities>\n");
    x
}

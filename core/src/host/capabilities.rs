//! The `<host>` section of a `<capabilities>` document (`virConnectGetCapabilities`),
//! the same for every driver that runs guests on this host: CPU arch and topology,
//! NUMA cells with their CPUs, no security model.

use std::fmt::Write;

use crate::api::NodeInfo;

/// XML-escapes `s` for text and attribute values (`&`, `<`, `>`, both quotes), as
/// libvirt escapes the capabilities it prints.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

/// `<host>` (indented two spaces, followed by a blank line) for the host `node`
/// describes; `live_migration` adds libvirt's `<migration_features><live/>`.
///
/// ```
/// use rvirt_core::api::NodeInfo;
/// let node = NodeInfo { model: "x86_64".into(), memory_kib: 1024, cpus: 2, mhz: 1000,
///     nodes: 1, sockets: 1, cores: 2, threads: 1 };
/// let x = rvirt_core::host::capabilities::host_xml(&node, false);
/// assert!(x.contains("<cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1'/>"));
/// assert!(!x.contains("migration_features"));
/// ```
pub fn host_xml(node: &NodeInfo, live_migration: bool) -> String {
    let mut x = String::with_capacity(4096);
    x.push_str("  <host>\n    <cpu>\n");
    let _ = writeln!(x, "      <arch>{}</arch>", esc(&node.model));
    let _ = writeln!(
        x,
        "      <topology sockets='{}' dies='1' cores='{}' threads='{}'/>",
        node.sockets, node.cores, node.threads
    );
    x.push_str("    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n");
    if live_migration {
        x.push_str("    <migration_features>\n      <live/>\n    </migration_features>\n");
    }
    x.push_str("    <topology>\n");
    let cells = node.nodes.max(1);
    let per_cell = (node.cpus / cells).max(1);
    let threads = node.threads.max(1);
    let _ = writeln!(x, "      <cells num='{cells}'>");
    for cell in 0..cells {
        let _ = writeln!(x, "        <cell id='{cell}'>");
        let _ = writeln!(
            x,
            "          <memory unit='KiB'>{}</memory>",
            node.memory_kib / u64::from(cells)
        );
        let _ = writeln!(x, "          <cpus num='{per_cell}'>");
        for i in 0..per_cell {
            let id = cell * per_cell + i;
            let core = id / threads;
            let first = core * threads;
            let siblings = if threads == 1 {
                id.to_string()
            } else {
                format!("{first}-{}", first + threads - 1)
            };
            let socket = core / node.cores.max(1);
            let _ = writeln!(
                x,
                "            <cpu id='{id}' socket_id='{socket}' die_id='0' core_id='{}' siblings='{siblings}'/>",
                core % node.cores.max(1)
            );
        }
        x.push_str("          </cpus>\n        </cell>\n");
    }
    x.push_str("      </cells>\n    </topology>\n");
    x.push_str("    <secmodel>\n      <model>none</model>\n      <doi>0</doi>\n    </secmodel>\n");
    x.push_str("  </host>\n\n");
    x
}

//! A running disk's image chain as QEMU holds it (`query-named-block-nodes`): each format
//! node names its backing file, and the format node reading that file is the next link.

use serde_json::Value;

/// One image of a disk's chain in QEMU: its format node, file and format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub node: String,
    pub file: String,
    pub format: String,
}

/// Protocol drivers: their nodes read a file for a format node above them.
const PROTOCOL_DRIVERS: &[&str] = &["file", "host_device", "host_cdrom", "nbd", "iscsi"];

/// The chain under format node `top` (`top` first), from `query-named-block-nodes`.
pub(crate) fn chain_of(nodes: &Value, top: &str) -> Vec<Link> {
    let nodes = nodes.as_array().map(Vec::as_slice).unwrap_or_default();
    let field = |n: &Value, k: &str| n.get(k).and_then(Value::as_str).map(str::to_owned);
    let link = |n: &Value| -> Option<Link> {
        Some(Link {
            node: field(n, "node-name")?,
            file: field(n, "file")?,
            format: field(n, "drv")?,
        })
    };
    let mut out = Vec::new();
    let mut current = nodes
        .iter()
        .find(|n| field(n, "node-name").as_deref() == Some(top));
    while let Some(n) = current {
        let Some(l) = link(n) else { break };
        out.push(l);
        let Some(backing) = field(n, "backing_file") else {
            break;
        };
        current = nodes.iter().find(|m| {
            field(m, "file").as_deref() == Some(backing.as_str())
                && field(m, "drv").is_some_and(|d| !PROTOCOL_DRIVERS.contains(&d.as_str()))
                && out
                    .iter()
                    .all(|l| Some(&l.node) != field(m, "node-name").as_ref())
        });
    }
    out
}

/// The node under format node `node` holding its file: libvirt's `libvirt-N-storage`
/// beside `libvirt-N-format`.
pub(crate) fn storage_node_of(node: &str) -> Option<String> {
    node.strip_suffix("-format").map(|n| format!("{n}-storage"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn the_chain_follows_backing_files_to_format_nodes() {
        let nodes = json!([
            {"node-name": "libvirt-2-format", "drv": "qcow2", "file": "/i/ov.qcow2",
             "backing_file": "/i/base.raw"},
            {"node-name": "libvirt-2-storage", "drv": "file", "file": "/i/ov.qcow2"},
            {"node-name": "libvirt-1-storage", "drv": "file", "file": "/i/base.raw"},
            {"node-name": "libvirt-1-format", "drv": "raw", "file": "/i/base.raw"},
        ]);
        let chain = chain_of(&nodes, "libvirt-2-format");
        assert_eq!(
            chain
                .iter()
                .map(|l| (l.node.as_str(), l.format.as_str()))
                .collect::<Vec<_>>(),
            [("libvirt-2-format", "qcow2"), ("libvirt-1-format", "raw")]
        );
        assert_eq!(chain_of(&nodes, "libvirt-1-format").len(), 1);
        assert!(chain_of(&nodes, "nosuch").is_empty());
    }

    #[test]
    fn storage_nodes_sit_beside_format_nodes() {
        assert_eq!(
            storage_node_of("libvirt-3-format").as_deref(),
            Some("libvirt-3-storage")
        );
        assert_eq!(storage_node_of("other"), None);
    }
}

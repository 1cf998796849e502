//! `<device>`: libvirt's node device XML ([`NodeDeviceDef`]). Capabilities are kept
//! as element trees: drivers build them from sysfs and clients read them.

use crate::error::{Result, XmlError, domain::NODEDEV};
use crate::tree::{Element, parse_root};

/// Capability names in the bit order of `virConnectListAllNodeDeviceFlags`
/// (`VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM` = bit 0, …).
pub const CAP_NAMES: &[&str] = &[
    "system",
    "pci",
    "usb_device",
    "usb",
    "net",
    "scsi_host",
    "scsi_target",
    "scsi",
    "storage",
    "fc_host",
    "vports",
    "scsi_generic",
    "drm",
    "mdev_types",
    "mdev",
    "ccw",
    "css",
    "vdpa",
    "ap_card",
    "ap_queue",
    "ap_matrix",
    "vpd",
];

/// A node device.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NodeDeviceDef {
    /// Unique name (`pci_0000_00_1f_2`, `net_eth0_…`, `computer`).
    pub name: String,
    /// sysfs path.
    pub path: Option<String>,
    /// `<devnode>` elements.
    pub devnodes: Vec<Element>,
    /// Parent device name (`None` for `computer`).
    pub parent: Option<String>,
    /// Bound kernel driver.
    pub driver: Option<String>,
    /// `<capability type=…>` elements.
    pub caps: Vec<Element>,
}

impl NodeDeviceDef {
    /// Parses a `<device>` document (as `virNodeDeviceCreateXML` takes it).
    pub fn from_xml(xml: &str) -> Result<NodeDeviceDef> {
        let root = parse_root(xml, "device", "node_device_definition", NODEDEV)?;
        let caps: Vec<Element> = root.all("capability").cloned().collect();
        if caps.is_empty() {
            // libvirt names a device being created "new device" whatever it says.
            return Err(XmlError::internal(
                NODEDEV,
                "no device capabilities for 'new device'",
            ));
        }
        Ok(NodeDeviceDef {
            name: root.child_text("name").unwrap_or_default(),
            path: root.child_text("path"),
            devnodes: root.all("devnode").cloned().collect(),
            parent: root.child_text("parent"),
            driver: root
                .path(&["driver", "name"])
                .map(|n| n.trimmed().to_string()),
            caps,
        })
    }

    /// The capability types at top level (`virNodeDeviceListCaps`).
    pub fn cap_types(&self) -> Vec<String> {
        self.caps
            .iter()
            .filter_map(|c| c.get("type").map(str::to_string))
            .collect()
    }

    /// True if the device has capability `cap`, counting the nested ones libvirt
    /// counts for listing (`fc_host` and `vports` of a SCSI host, `mdev_types` of a
    /// PCI device).
    pub fn has_cap(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| {
            c.get("type") == Some(cap)
                || c.all("capability").any(|n| match n.get("type") {
                    Some("vport_ops") => cap == "vports",
                    Some(t) => t == cap,
                    None => false,
                })
        })
    }

    /// The XML, as libvirt writes it.
    pub fn to_xml(&self) -> String {
        Element::new("device")
            .child(Element::leaf("name", &self.name))
            .opt_child(self.path.as_ref().map(|p| Element::leaf("path", p)))
            .children(self.devnodes.clone())
            .opt_child(self.parent.as_ref().map(|p| Element::leaf("parent", p)))
            .opt_child(
                self.driver
                    .as_ref()
                    .map(|d| Element::new("driver").child(Element::leaf("name", d))),
            )
            .children(self.caps.clone())
            .to_xml()
    }
}

//! Sub-elements shared by many device kinds: `<address>`, `<alias>`, `<boot order>`,
//! and the generic single-attribute elements (`name=…`, `type=…`).

use serde::{Deserialize, Serialize};

/// `<address>`: where a device sits on its bus. Attributes are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    /// `type`: `pci`, `drive`, `virtio-serial`, `usb`, `ccw`, `isa`, …
    #[serde(rename = "@type")]
    pub address_type: String,
    /// `domain` (PCI).
    #[serde(rename = "@domain", default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `controller` (drive, virtio-serial, ccid).
    #[serde(
        rename = "@controller",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub controller: Option<String>,
    /// `bus`.
    #[serde(rename = "@bus", default, skip_serializing_if = "Option::is_none")]
    pub bus: Option<String>,
    /// `slot` (PCI, DIMM).
    #[serde(rename = "@slot", default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// `function` (PCI).
    #[serde(rename = "@function", default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// `multifunction` (PCI).
    #[serde(
        rename = "@multifunction",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub multifunction: Option<String>,
    /// `target` (drive).
    #[serde(rename = "@target", default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `unit` (drive).
    #[serde(rename = "@unit", default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `port` (virtio-serial, USB, CCID).
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// `reg` (spapr-vio).
    #[serde(rename = "@reg", default, skip_serializing_if = "Option::is_none")]
    pub reg: Option<String>,
    /// `cssid` (CCW).
    #[serde(rename = "@cssid", default, skip_serializing_if = "Option::is_none")]
    pub cssid: Option<String>,
    /// `ssid` (CCW).
    #[serde(rename = "@ssid", default, skip_serializing_if = "Option::is_none")]
    pub ssid: Option<String>,
    /// `devno` (CCW).
    #[serde(rename = "@devno", default, skip_serializing_if = "Option::is_none")]
    pub devno: Option<String>,
    /// `iobase` (ISA).
    #[serde(rename = "@iobase", default, skip_serializing_if = "Option::is_none")]
    pub iobase: Option<String>,
    /// `irq` (ISA).
    #[serde(rename = "@irq", default, skip_serializing_if = "Option::is_none")]
    pub irq: Option<String>,
    /// `base` (DIMM).
    #[serde(rename = "@base", default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
}

/// `<alias name='…'/>`: the device id assigned by the hypervisor driver (live XML).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Alias {
    /// `name`.
    #[serde(rename = "@name")]
    pub name: String,
}

/// `<boot order='N'/>` inside a bootable device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BootOrder {
    /// `order`, 1-based.
    #[serde(rename = "@order")]
    pub order: u32,
    /// `loadparm` (s390).
    #[serde(rename = "@loadparm", default, skip_serializing_if = "Option::is_none")]
    pub loadparm: Option<String>,
}

/// An element with a single `name` attribute, e.g. `<model name='isa-serial'/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NameAttr {
    /// `name`.
    #[serde(rename = "@name")]
    pub name: String,
}

/// An element with a single `type` attribute, e.g. `<model type='virtio'/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TypeAttr {
    /// `type`.
    #[serde(rename = "@type")]
    pub value: String,
}

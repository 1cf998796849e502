//! `<controller>`: the buses devices sit on (PCI, USB, SCSI, virtio-serial, …).

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias, NameAttr};
use crate::OnOff;

string_enum! {
    /// `<controller type=…>`.
    pub enum ControllerType ("controller type") {
        /// IDE.
        Ide = "ide",
        /// Floppy.
        Fdc = "fdc",
        /// SCSI.
        Scsi = "scsi",
        /// SATA.
        Sata = "sata",
        /// Smartcard.
        Ccid = "ccid",
        /// virtio-serial.
        VirtioSerial = "virtio-serial",
        /// PCI / PCIe.
        Pci = "pci",
        /// USB.
        Usb = "usb",
        /// Xen bus.
        Xenbus = "xenbus",
        /// ISA.
        Isa = "isa",
        /// NVMe.
        Nvme = "nvme",
    }
}

/// `<controller>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    /// `type`.
    #[serde(rename = "@type")]
    pub controller_type: ControllerType,
    /// `index`.
    #[serde(rename = "@index", default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// `model` attribute (`pci-root`, `qemu-xhci`, `virtio-scsi`, …).
    #[serde(rename = "@model", default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `ports`.
    #[serde(rename = "@ports", default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<u32>,
    /// `vectors`.
    #[serde(rename = "@vectors", default, skip_serializing_if = "Option::is_none")]
    pub vectors: Option<u32>,
    /// `<model name=…/>` child (PCI controllers).
    #[serde(rename = "model", default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<NameAttr>,
    /// `<target>` (PCI controllers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<ControllerTarget>,
    /// `<driver>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<ControllerDriver>,
    /// `<master startport=…/>` (USB companion controllers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<ControllerMaster>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<controller><target/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ControllerTarget {
    /// `chassisNr`.
    #[serde(
        rename = "@chassisNr",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub chassis_nr: Option<u32>,
    /// `chassis`.
    #[serde(rename = "@chassis", default, skip_serializing_if = "Option::is_none")]
    pub chassis: Option<u32>,
    /// `port` (hexadecimal as written, e.g. `0x10`).
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// `busNr`.
    #[serde(rename = "@busNr", default, skip_serializing_if = "Option::is_none")]
    pub bus_nr: Option<u32>,
    /// `index`.
    #[serde(rename = "@index", default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// `hotplug`.
    #[serde(rename = "@hotplug", default, skip_serializing_if = "Option::is_none")]
    pub hotplug: Option<OnOff>,
}

/// `<controller><driver/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ControllerDriver {
    /// `queues`.
    #[serde(rename = "@queues", default, skip_serializing_if = "Option::is_none")]
    pub queues: Option<u32>,
    /// `iothread`.
    #[serde(rename = "@iothread", default, skip_serializing_if = "Option::is_none")]
    pub iothread: Option<u32>,
    /// `cmd_per_lun`.
    #[serde(
        rename = "@cmd_per_lun",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cmd_per_lun: Option<u32>,
    /// `max_sectors`.
    #[serde(
        rename = "@max_sectors",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_sectors: Option<u32>,
}

/// `<controller><master/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ControllerMaster {
    /// `startport`.
    #[serde(rename = "@startport")]
    pub startport: u32,
}

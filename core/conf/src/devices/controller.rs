//! `<controller>`: the buses devices sit on (PCI, USB, SCSI, virtio-serial, …).

use super::common::{Acpi, Address, Alias, NameAttr};
use crate::OnOff;
use crate::xml::{Element, Extra};

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

xml_struct! {
    /// `<controller>`.
    pub struct Controller {
        /// `type`.
        attr_def controller_type: ControllerType = "type",
        /// `index`.
        attr index: u32 = "index",
        /// `model` attribute (`pci-root`, `qemu-xhci`, `virtio-scsi`, …).
        attr model: String = "model",
        /// `ports` (USB, virtio-serial, SATA…).
        attr ports: u32 = "ports",
        /// `vectors` (virtio-serial).
        attr vectors: u32 = "vectors",
        /// `maxGrantFrames` (xenbus).
        attr max_grant_frames: u32 = "maxGrantFrames",
        /// `maxEventChannels` (xenbus).
        attr max_event_channels: u32 = "maxEventChannels",
        /// `<model name=…/>` child (PCI controllers).
        child model_name: NameAttr = "model",
        /// `<target>` (PCI controllers).
        child target: ControllerTarget = "target",
        /// `<driver>`.
        child driver: ControllerDriver = "driver",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<master startport=…/>` (USB companion controllers).
        child master: ControllerMaster = "master",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
        /// `<pcihole64>` (PCI root controllers).
        child pcihole64: Element = "pcihole64",
    }
}

impl Controller {
    /// A controller of `controller_type` with index `index` and nothing else set.
    ///
    /// ```
    /// use rvirt_conf::{Controller, ControllerType};
    /// let mut c = Controller::new(ControllerType::Usb, 0);
    /// c.model = Some("qemu-xhci".into());
    /// assert_eq!(c.index, Some(0));
    /// ```
    pub fn new(controller_type: ControllerType, index: u32) -> Controller {
        Controller {
            controller_type,
            index: Some(index),
            model: None,
            ports: None,
            vectors: None,
            max_grant_frames: None,
            max_event_channels: None,
            model_name: None,
            target: None,
            driver: None,
            alias: None,
            master: None,
            acpi: None,
            address: None,
            pcihole64: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<controller><target/>` (PCI controllers).
    #[derive(Default)]
    pub struct ControllerTarget {
        /// `chassisNr`.
        attr chassis_nr: u32 = "chassisNr",
        /// `chassis`.
        attr chassis: u32 = "chassis",
        /// `port` (hexadecimal as written, e.g. `0x10`).
        attr port: String = "port",
        /// `busNr`.
        attr bus_nr: u32 = "busNr",
        /// `index`.
        attr index: u32 = "index",
        /// `hotplug`.
        attr hotplug: OnOff = "hotplug",
        /// `<node>`: the NUMA node of a pci-expander-bus.
        text_child node: u32 = "node",
    }
}

xml_struct! {
    /// `<controller><driver/>`.
    #[derive(Default)]
    pub struct ControllerDriver {
        /// `queues`.
        attr queues: u32 = "queues",
        /// `cmd_per_lun`.
        attr cmd_per_lun: u32 = "cmd_per_lun",
        /// `max_sectors`.
        attr max_sectors: u32 = "max_sectors",
        /// `ioeventfd`.
        attr ioeventfd: OnOff = "ioeventfd",
        /// `iothread`.
        attr iothread: u32 = "iothread",
        /// `iommu` (virtio).
        attr iommu: OnOff = "iommu",
        /// `ats` (virtio).
        attr ats: OnOff = "ats",
        /// `packed` (virtio).
        attr packed: OnOff = "packed",
        /// `page_per_vq` (virtio).
        attr page_per_vq: OnOff = "page_per_vq",
    }
}

xml_struct! {
    /// `<controller><master/>`.
    #[derive(Default)]
    pub struct ControllerMaster {
        /// `startport`.
        attr_req startport: u32 = "startport",
    }
}

impl Default for ControllerType {
    /// libvirt reads a `<controller>` without `type` as IDE.
    fn default() -> Self {
        ControllerType::Ide
    }
}

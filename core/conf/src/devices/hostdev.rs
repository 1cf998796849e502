//! `<hostdev>`: host devices (PCI, USB, SCSI, mediated, …) assigned to the guest.

use super::common::{Acpi, Address, Alias, BootOrder, NameAttr, Rom};
use super::host_address::HostAddress;
use crate::YesNo;
use crate::xml::{Element, Extra};

string_enum! {
    /// `<hostdev mode=…>`.
    pub enum HostdevMode ("hostdev mode") {
        /// A device of a host bus.
        Subsystem = "subsystem",
        /// A host resource (block, char device, interface) of a container.
        Capabilities = "capabilities",
    }
}

xml_struct! {
    /// `<hostdev>`.
    pub struct Hostdev {
        /// `mode` (libvirt's default is `subsystem`).
        attr mode: HostdevMode = "mode",
        /// `type` (`pci`, `usb`, `scsi`, `scsi_host`, `mdev`; `storage`, `misc`, `net`).
        attr_req hostdev_type: String = "type",
        /// `managed`.
        attr managed: YesNo = "managed",
        /// `sgio` (SCSI).
        attr sgio: String = "sgio",
        /// `rawio` (SCSI).
        attr rawio: YesNo = "rawio",
        /// `model` (mdev, scsi_host).
        attr model: String = "model",
        /// `display` (mdev).
        attr display: String = "display",
        /// `ramfb` (mdev).
        attr ramfb: String = "ramfb",
        /// `<driver name=…/>`.
        child driver: NameAttr = "driver",
        /// `<source>`.
        child source: HostdevSource = "source",
        /// `<readonly/>`.
        flag readonly: bool = "readonly",
        /// `<shareable/>`.
        flag shareable: bool = "shareable",
        /// `<teaming>`.
        child teaming: Element = "teaming",
        /// `<boot>`.
        child boot: BootOrder = "boot",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<rom>`.
        child rom: Rom = "rom",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`: where the guest sees the device.
        child address: Address = "address",
    }
}

impl Hostdev {
    /// A managed PCI device at host address `host`.
    ///
    /// ```
    /// use rvirt_conf::{HostAddress, Hostdev};
    /// let h = Hostdev::pci(HostAddress::pci(0, 6, 0, 0));
    /// assert_eq!(h.hostdev_type, "pci");
    /// ```
    pub fn pci(host: HostAddress) -> Hostdev {
        Hostdev {
            mode: Some(HostdevMode::Subsystem),
            hostdev_type: "pci".into(),
            managed: Some(YesNo::Yes),
            sgio: None,
            rawio: None,
            model: None,
            display: None,
            ramfb: None,
            driver: None,
            source: Some(HostdevSource {
                address: Some(host),
                ..HostdevSource::default()
            }),
            readonly: false,
            shareable: false,
            teaming: None,
            boot: None,
            alias: None,
            rom: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<hostdev><source>`.
    #[derive(Default)]
    pub struct HostdevSource {
        /// `startupPolicy` (USB).
        attr startup_policy: String = "startupPolicy",
        /// `guestReset` (USB).
        attr guest_reset: String = "guestReset",
        /// `writeFiltering` (PCI).
        attr write_filtering: String = "writeFiltering",
        /// `protocol` (SCSI: `iscsi`; scsi_host: `vhost`).
        attr protocol: String = "protocol",
        /// `name` (iSCSI).
        attr name: String = "name",
        /// `wwpn` (scsi_host).
        attr wwpn: String = "wwpn",
        /// `<vendor id=…/>` (USB).
        child vendor: Element = "vendor",
        /// `<product id=…/>` (USB).
        child product: Element = "product",
        /// `<address>`: the device on the host.
        child address: HostAddress = "address",
        /// `<adapter name=…/>` (SCSI).
        child adapter: NameAttr = "adapter",
    }
}

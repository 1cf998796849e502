//! USB and smartcard devices: `<hub>`, `<redirdev>`, `<redirfilter>` and
//! `<smartcard>`.

use super::chardev::{CharDeviceType, CharSource};
use super::common::{Acpi, Address, Alias, BootOrder, TypeAttr};
use crate::xml::Element;

xml_struct! {
    /// `<hub>`.
    #[derive(Default)]
    pub struct Hub {
        /// `type` (`usb`).
        attr_req hub_type: String = "type",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<redirdev>`: a USB device redirected from a client (SPICE) or a socket.
    pub struct Redirdev {
        /// `bus` (`usb`).
        attr_req bus: String = "bus",
        /// `type`: the character device carrying it.
        attr_req redir_type: CharDeviceType = "type",
        /// `<source>`.
        child source: CharSource = "source",
        /// `<protocol>`.
        child protocol: TypeAttr = "protocol",
        /// `<boot>`.
        child boot: BootOrder = "boot",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

xml_struct! {
    /// `<redirfilter>`: which USB devices may be redirected.
    #[derive(Default)]
    pub struct Redirfilter {
        /// `<usbdev>` rules.
        children usbdevs: Element = "usbdev",
    }
}

xml_struct! {
    /// `<smartcard>`.
    #[derive(Default)]
    pub struct Smartcard {
        /// `mode` (`host`, `host-certificates`, `passthrough`).
        attr_req mode: String = "mode",
        /// `type` (passthrough: a character device type).
        attr smartcard_type: String = "type",
        /// `<certificate>` elements (host-certificates).
        text_children certificates: String = "certificate",
        /// `<database>` (host-certificates).
        text_child database: String = "database",
        /// `<source>` (passthrough).
        child source: CharSource = "source",
        /// `<protocol>` (passthrough).
        child protocol: TypeAttr = "protocol",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

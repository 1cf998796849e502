//! Character devices: `<serial>`, `<console>`, `<parallel>` and `<channel>`, with
//! their sources, protocol, log and target.

use super::common::{Acpi, Address, Alias, BootOrder, NameAttr, TypeAttr};
use crate::OnOff;
use crate::xml::{Element, Extra};

string_enum! {
    /// Character device backend (`<serial type=…>`, `<console type=…>`, …).
    pub enum CharDeviceType ("character device type") {
        /// Discard output.
        Null = "null",
        /// Virtual console.
        Vc = "vc",
        /// Pseudo TTY.
        Pty = "pty",
        /// Host device.
        Dev = "dev",
        /// File.
        File = "file",
        /// Named pipe.
        Pipe = "pipe",
        /// Standard I/O of the emulator.
        Stdio = "stdio",
        /// UDP.
        Udp = "udp",
        /// TCP.
        Tcp = "tcp",
        /// UNIX socket.
        Unix = "unix",
        /// SPICE VMC channel.
        Spicevmc = "spicevmc",
        /// SPICE port.
        Spiceport = "spiceport",
        /// nmdm (bhyve).
        Nmdm = "nmdm",
        /// QEMU vdagent.
        QemuVdagent = "qemu-vdagent",
        /// D-Bus.
        Dbus = "dbus",
    }
}

xml_struct! {
    /// `<serial>`, `<console>`, `<parallel>` or `<channel>`.
    pub struct CharDevice {
        /// `type`.
        attr_def char_type: CharDeviceType = "type",
        /// `tty` (live XML of `pty` devices).
        attr tty: String = "tty",
        /// `<source>` elements (UDP may have two: bind and connect).
        children sources: CharSource = "source",
        /// `<protocol type=…/>` (TCP).
        child protocol: TypeAttr = "protocol",
        /// `<log>`.
        child log: CharLog = "log",
        /// `<target>`.
        child target: CharTarget = "target",
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

impl CharDevice {
    /// A character device of `char_type` with nothing else set.
    ///
    /// ```
    /// use rvirt_conf::{CharDevice, CharDeviceType};
    /// let pty = CharDevice::new(CharDeviceType::Pty);
    /// assert!(pty.sources.is_empty());
    /// ```
    pub fn new(char_type: CharDeviceType) -> CharDevice {
        CharDevice {
            char_type,
            tty: None,
            sources: Vec::new(),
            protocol: None,
            log: None,
            target: None,
            boot: None,
            alias: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<source>` of a character device.
    #[derive(Default)]
    pub struct CharSource {
        /// `path`.
        attr path: String = "path",
        /// `mode` (`bind`/`connect`).
        attr mode: String = "mode",
        /// `host`.
        attr host: String = "host",
        /// `service`.
        attr service: String = "service",
        /// `channel` (spiceport).
        attr channel: String = "channel",
        /// `master` (nmdm).
        attr master: String = "master",
        /// `slave` (nmdm).
        attr slave: String = "slave",
        /// `tls` (TCP).
        attr tls: String = "tls",
        /// `append`.
        attr append: OnOff = "append",
        /// `<reconnect>`.
        child reconnect: Element = "reconnect",
        /// `<seclabel>` elements.
        children seclabels: Element = "seclabel",
    }
}

xml_struct! {
    /// `<log file=… append=…/>` of a character device.
    #[derive(Default)]
    pub struct CharLog {
        /// `file`.
        attr_req file: String = "file",
        /// `append`.
        attr append: OnOff = "append",
    }
}

xml_struct! {
    /// `<target>` of a character device.
    #[derive(Default)]
    pub struct CharTarget {
        /// `type` (`isa-serial`, `serial`, `virtio`, `guestfwd`, `xen`, …).
        attr target_type: String = "type",
        /// `name` (virtio channels, e.g. `org.qemu.guest_agent.0`).
        attr name: String = "name",
        /// `address` (guestfwd).
        attr address: String = "address",
        /// `port`.
        attr port: u32 = "port",
        /// `state` (live XML of virtio channels).
        attr state: String = "state",
        /// `<model name=…/>`.
        child model: NameAttr = "model",
    }
}

impl Default for CharDeviceType {
    /// libvirt reads a character device without `type` as a pseudo TTY.
    fn default() -> Self {
        CharDeviceType::Pty
    }
}

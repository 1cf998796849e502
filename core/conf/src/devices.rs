//! `<devices>` and the device kinds the model supports.

use serde::{Deserialize, Serialize};

use crate::{Empty, OnOff, YesNo};

/// `<devices>`: the ordered, heterogeneous device list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Devices {
    /// The devices, in document order.
    #[serde(rename = "$value", default)]
    pub items: Vec<Device>,
}

/// Element names accepted as children of `<devices>`.
pub(crate) const DEVICE_ELEMENTS: &[&str] = &[
    "emulator",
    "disk",
    "interface",
    "serial",
    "console",
    "graphics",
    "controller",
    "filesystem",
    "memballoon",
    "video",
    "input",
];

/// One child of `<devices>`; the variant is chosen by the element name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    /// `<emulator>`: path of the device model binary.
    Emulator(String),
    /// `<disk>`.
    Disk(Disk),
    /// `<interface>`.
    Interface(Interface),
    /// `<serial>`.
    Serial(CharDevice),
    /// `<console>`.
    Console(CharDevice),
    /// `<graphics>`.
    Graphics(Graphics),
    /// `<controller>`.
    Controller(Controller),
    /// `<filesystem>`.
    Filesystem(Filesystem),
    /// `<memballoon>`.
    Memballoon(Memballoon),
    /// `<video>`.
    Video(Video),
    /// `<input>`.
    Input(Input),
}

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

string_enum! {
    /// `<disk type=…>`.
    pub enum DiskType ("disk type") {
        /// Image file.
        File = "file",
        /// Host block device.
        Block = "block",
        /// Host directory exposed as a disk.
        Dir = "dir",
        /// Network protocol (nbd, iscsi, rbd, …).
        Network = "network",
        /// Storage pool volume.
        Volume = "volume",
        /// NVMe controller.
        Nvme = "nvme",
        /// vhost-user block backend.
        VhostUser = "vhostuser",
        /// vhost-vdpa block backend.
        VhostVdpa = "vhostvdpa",
    }
}

string_enum! {
    /// `<disk device=…>`.
    pub enum DiskDevice ("disk device") {
        /// Hard disk.
        Disk = "disk",
        /// CD-ROM.
        Cdrom = "cdrom",
        /// Floppy.
        Floppy = "floppy",
        /// SCSI LUN passthrough.
        Lun = "lun",
    }
}

/// `<disk>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disk {
    /// `type`.
    #[serde(rename = "@type")]
    pub disk_type: DiskType,
    /// `device` (libvirt's default is `disk`).
    #[serde(rename = "@device", default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DiskDevice>,
    /// `<driver>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<DiskDriver>,
    /// `<source>` (absent for an empty CD-ROM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<DiskSource>,
    /// `<backingStore/>` (only the empty form, meaning "no backing chain").
    #[serde(
        rename = "backingStore",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub backing_store: Option<Empty>,
    /// `<target>`.
    pub target: DiskTarget,
    /// `<boot order=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot: Option<BootOrder>,
    /// `<readonly/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<Empty>,
    /// `<shareable/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shareable: Option<Empty>,
    /// `<serial>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<disk><driver/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiskDriver {
    /// `name` (`qemu`, …).
    #[serde(rename = "@name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `type`: image format (`raw`, `qcow2`, …).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `cache`.
    #[serde(rename = "@cache", default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// `io`.
    #[serde(rename = "@io", default, skip_serializing_if = "Option::is_none")]
    pub io: Option<String>,
    /// `discard`.
    #[serde(rename = "@discard", default, skip_serializing_if = "Option::is_none")]
    pub discard: Option<String>,
    /// `detect_zeroes`.
    #[serde(
        rename = "@detect_zeroes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub detect_zeroes: Option<String>,
    /// `iothread`.
    #[serde(rename = "@iothread", default, skip_serializing_if = "Option::is_none")]
    pub iothread: Option<u32>,
    /// `queues`.
    #[serde(rename = "@queues", default, skip_serializing_if = "Option::is_none")]
    pub queues: Option<u32>,
}

/// `<disk><source/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiskSource {
    /// `file` (type `file`).
    #[serde(rename = "@file", default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `dev` (type `block`).
    #[serde(rename = "@dev", default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// `dir` (type `dir`).
    #[serde(rename = "@dir", default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// `protocol` (type `network`).
    #[serde(rename = "@protocol", default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// `name` (type `network`).
    #[serde(rename = "@name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `pool` (type `volume`).
    #[serde(rename = "@pool", default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// `volume` (type `volume`).
    #[serde(rename = "@volume", default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// `startupPolicy`.
    #[serde(
        rename = "@startupPolicy",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub startup_policy: Option<String>,
    /// `index` (live XML).
    #[serde(rename = "@index", default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// `<host>` elements (type `network`).
    #[serde(rename = "host", default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<DiskHost>,
}

/// `<disk><source><host/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiskHost {
    /// `name`.
    #[serde(rename = "@name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `port`.
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// `transport`.
    #[serde(
        rename = "@transport",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub transport: Option<String>,
    /// `socket`.
    #[serde(rename = "@socket", default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
}

/// `<disk><target/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiskTarget {
    /// `dev`: guest device name hint (`vda`, `sda`, `hdc`).
    #[serde(rename = "@dev")]
    pub dev: String,
    /// `bus` (`virtio`, `sata`, `scsi`, `ide`, `usb`, `fdc`, …).
    #[serde(rename = "@bus", default, skip_serializing_if = "Option::is_none")]
    pub bus: Option<String>,
    /// `tray` (`open`/`closed`).
    #[serde(rename = "@tray", default, skip_serializing_if = "Option::is_none")]
    pub tray: Option<String>,
    /// `removable`.
    #[serde(
        rename = "@removable",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub removable: Option<OnOff>,
}

string_enum! {
    /// `<interface type=…>`.
    pub enum InterfaceType ("interface type") {
        /// Virtual network (`<source network=…>`).
        Network = "network",
        /// Host bridge (`<source bridge=…>`).
        Bridge = "bridge",
        /// User-mode (SLIRP/passt) networking.
        User = "user",
        /// Pre-existing or scripted tap device.
        Ethernet = "ethernet",
        /// macvtap on a host interface.
        Direct = "direct",
        /// PCI passthrough of a NIC.
        Hostdev = "hostdev",
        /// Multicast tunnel.
        Mcast = "mcast",
        /// TCP tunnel server.
        Server = "server",
        /// TCP tunnel client.
        Client = "client",
        /// UDP tunnel.
        Udp = "udp",
        /// vhost-user.
        VhostUser = "vhostuser",
        /// vDPA device.
        Vdpa = "vdpa",
        /// Unconnected NIC.
        Null = "null",
        /// VMware distributed switch.
        Vds = "vds",
    }
}

/// `<interface>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    /// `type`.
    #[serde(rename = "@type")]
    pub interface_type: InterfaceType,
    /// `<mac address=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<Mac>,
    /// `<source>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<InterfaceSource>,
    /// `<target dev=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<InterfaceTarget>,
    /// `<model type=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<TypeAttr>,
    /// `<driver>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<InterfaceDriver>,
    /// `<link state=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
    /// `<mtu size=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<Mtu>,
    /// `<boot order=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot: Option<BootOrder>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<mac address=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mac {
    /// `address`, e.g. `52:54:00:09:a4:37`.
    #[serde(rename = "@address")]
    pub address: String,
}

/// `<interface><source/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceSource {
    /// `network` (type `network`).
    #[serde(rename = "@network", default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// `portgroup`.
    #[serde(
        rename = "@portgroup",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub portgroup: Option<String>,
    /// `portid` (live XML).
    #[serde(rename = "@portid", default, skip_serializing_if = "Option::is_none")]
    pub portid: Option<String>,
    /// `bridge` (type `bridge`, and live XML of type `network`).
    #[serde(rename = "@bridge", default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// `dev` (type `direct`).
    #[serde(rename = "@dev", default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// `mode` (type `direct`, `vhostuser`).
    #[serde(rename = "@mode", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `type` (type `vhostuser`).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// `path` (type `vhostuser`).
    #[serde(rename = "@path", default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `address` (tunnels).
    #[serde(rename = "@address", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `port` (tunnels).
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
}

/// `<interface><target/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceTarget {
    /// `dev`: host-side tap name.
    #[serde(rename = "@dev")]
    pub dev: String,
    /// `managed`.
    #[serde(rename = "@managed", default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<YesNo>,
}

/// `<interface><driver/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceDriver {
    /// `name` (`vhost`, `qemu`).
    #[serde(rename = "@name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `queues`.
    #[serde(rename = "@queues", default, skip_serializing_if = "Option::is_none")]
    pub queues: Option<u32>,
}

/// `<link state=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Link {
    /// `state` (`up`/`down`).
    #[serde(rename = "@state")]
    pub state: String,
}

/// `<mtu size=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mtu {
    /// `size` in bytes.
    #[serde(rename = "@size")]
    pub size: u32,
}

string_enum! {
    /// Character device backend (`<serial type=…>`, `<console type=…>`).
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

/// `<serial>` or `<console>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharDevice {
    /// `type`.
    #[serde(rename = "@type")]
    pub char_type: CharDeviceType,
    /// `tty` (live XML of `pty` consoles).
    #[serde(rename = "@tty", default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<String>,
    /// `<source>` elements (UDP may have two: bind and connect).
    #[serde(rename = "source", default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<CharSource>,
    /// `<protocol type=…/>` (TCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<TypeAttr>,
    /// `<log>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<CharLog>,
    /// `<target>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<CharTarget>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<source>` of a character device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CharSource {
    /// `path`.
    #[serde(rename = "@path", default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `mode` (`bind`/`connect`).
    #[serde(rename = "@mode", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `host`.
    #[serde(rename = "@host", default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `service`.
    #[serde(rename = "@service", default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// `append`.
    #[serde(rename = "@append", default, skip_serializing_if = "Option::is_none")]
    pub append: Option<OnOff>,
}

/// `<log file=… append=…/>` of a character device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CharLog {
    /// `file`.
    #[serde(rename = "@file")]
    pub file: String,
    /// `append`.
    #[serde(rename = "@append", default, skip_serializing_if = "Option::is_none")]
    pub append: Option<OnOff>,
}

/// `<target>` of a character device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CharTarget {
    /// `type` (`isa-serial`, `serial`, `virtio`, …).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// `port`.
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// `<model name=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<NameAttr>,
}

string_enum! {
    /// `<graphics type=…>`.
    pub enum GraphicsType ("graphics type") {
        /// SDL window.
        Sdl = "sdl",
        /// VNC server.
        Vnc = "vnc",
        /// SPICE server.
        Spice = "spice",
        /// RDP server.
        Rdp = "rdp",
        /// Desktop window (VirtualBox).
        Desktop = "desktop",
        /// Headless OpenGL.
        EglHeadless = "egl-headless",
        /// D-Bus display.
        Dbus = "dbus",
    }
}

/// `<graphics>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graphics {
    /// `type`.
    #[serde(rename = "@type")]
    pub graphics_type: GraphicsType,
    /// `port` (`-1` = allocate).
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// `autoport`.
    #[serde(rename = "@autoport", default, skip_serializing_if = "Option::is_none")]
    pub autoport: Option<YesNo>,
    /// `websocket`.
    #[serde(
        rename = "@websocket",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub websocket: Option<i32>,
    /// `tlsPort` (SPICE).
    #[serde(rename = "@tlsPort", default, skip_serializing_if = "Option::is_none")]
    pub tls_port: Option<i32>,
    /// `listen` address (legacy form of `<listen>`).
    #[serde(rename = "@listen", default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// `passwd`.
    #[serde(rename = "@passwd", default, skip_serializing_if = "Option::is_none")]
    pub passwd: Option<String>,
    /// `keymap`.
    #[serde(rename = "@keymap", default, skip_serializing_if = "Option::is_none")]
    pub keymap: Option<String>,
    /// `display` (SDL).
    #[serde(rename = "@display", default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `xauth` (SDL).
    #[serde(rename = "@xauth", default, skip_serializing_if = "Option::is_none")]
    pub xauth: Option<String>,
    /// `fullscreen` (SDL).
    #[serde(
        rename = "@fullscreen",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub fullscreen: Option<YesNo>,
    /// `<listen>` elements.
    #[serde(rename = "listen", default, skip_serializing_if = "Vec::is_empty")]
    pub listens: Vec<GraphicsListen>,
    /// `<gl>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gl: Option<GraphicsGl>,
}

/// `<graphics><listen/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GraphicsListen {
    /// `type` (`address`, `network`, `socket`, `none`).
    #[serde(rename = "@type")]
    pub listen_type: String,
    /// `address`.
    #[serde(rename = "@address", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `network`.
    #[serde(rename = "@network", default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// `socket`.
    #[serde(rename = "@socket", default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
}

/// `<graphics><gl/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GraphicsGl {
    /// `enable`.
    #[serde(rename = "@enable", default, skip_serializing_if = "Option::is_none")]
    pub enable: Option<YesNo>,
    /// `rendernode`.
    #[serde(
        rename = "@rendernode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rendernode: Option<String>,
}

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

string_enum! {
    /// `<filesystem type=…>`.
    pub enum FilesystemType ("filesystem type") {
        /// Host directory (the default).
        Mount = "mount",
        /// Host block device.
        Block = "block",
        /// Image file.
        File = "file",
        /// OpenVZ template.
        Template = "template",
        /// In-memory filesystem.
        Ram = "ram",
        /// Bind mount inside the guest.
        Bind = "bind",
        /// Storage pool volume.
        Volume = "volume",
    }
}

/// `<filesystem>` (host directory shared with the guest; the root of LXC containers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filesystem {
    /// `type` (libvirt's default is `mount`).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<FilesystemType>,
    /// `accessmode` (`passthrough`, `mapped`, `squash`).
    #[serde(
        rename = "@accessmode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub accessmode: Option<String>,
    /// `<driver>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<FilesystemDriver>,
    /// `<source>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<FilesystemSource>,
    /// `<target dir=…/>`.
    pub target: FilesystemTarget,
    /// `<readonly/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<Empty>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<filesystem><driver/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FilesystemDriver {
    /// `type` (`path`, `handle`, `loop`, `nbd`, `virtiofs`).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub driver_type: Option<String>,
    /// `format`.
    #[serde(rename = "@format", default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `wrpolicy`.
    #[serde(rename = "@wrpolicy", default, skip_serializing_if = "Option::is_none")]
    pub wrpolicy: Option<String>,
}

/// `<filesystem><source/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FilesystemSource {
    /// `dir` (type `mount`, `bind`).
    #[serde(rename = "@dir", default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// `file` (type `file`).
    #[serde(rename = "@file", default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `dev` (type `block`).
    #[serde(rename = "@dev", default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// `name` (type `template`).
    #[serde(rename = "@name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `usage` (type `ram`).
    #[serde(rename = "@usage", default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<u64>,
    /// `units` (type `ram`).
    #[serde(rename = "@units", default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// `socket` (virtiofs).
    #[serde(rename = "@socket", default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
}

/// `<filesystem><target/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FilesystemTarget {
    /// `dir`: mount point (LXC) or mount tag (QEMU).
    #[serde(rename = "@dir")]
    pub dir: String,
}

/// `<memballoon>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Memballoon {
    /// `model` (`virtio`, `xen`, `none`, …).
    #[serde(rename = "@model")]
    pub model: String,
    /// `autodeflate`.
    #[serde(
        rename = "@autodeflate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub autodeflate: Option<OnOff>,
    /// `freePageReporting`.
    #[serde(
        rename = "@freePageReporting",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub free_page_reporting: Option<OnOff>,
    /// `<stats period=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<BalloonStats>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<memballoon><stats/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BalloonStats {
    /// `period` in seconds.
    #[serde(rename = "@period")]
    pub period: u32,
}

/// `<video>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Video {
    /// `<model>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<VideoModel>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<video><model/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VideoModel {
    /// `type` (`vga`, `cirrus`, `qxl`, `virtio`, `bochs`, `ramfb`, `none`, …).
    #[serde(rename = "@type")]
    pub model_type: String,
    /// `ram` (KiB).
    #[serde(rename = "@ram", default, skip_serializing_if = "Option::is_none")]
    pub ram: Option<u32>,
    /// `vram` (KiB).
    #[serde(rename = "@vram", default, skip_serializing_if = "Option::is_none")]
    pub vram: Option<u32>,
    /// `vram64` (KiB).
    #[serde(rename = "@vram64", default, skip_serializing_if = "Option::is_none")]
    pub vram64: Option<u32>,
    /// `vgamem` (KiB).
    #[serde(rename = "@vgamem", default, skip_serializing_if = "Option::is_none")]
    pub vgamem: Option<u32>,
    /// `heads`.
    #[serde(rename = "@heads", default, skip_serializing_if = "Option::is_none")]
    pub heads: Option<u32>,
    /// `primary`.
    #[serde(rename = "@primary", default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<YesNo>,
    /// `<acceleration>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceleration: Option<VideoAcceleration>,
}

/// `<video><model><acceleration/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VideoAcceleration {
    /// `accel3d`.
    #[serde(rename = "@accel3d", default, skip_serializing_if = "Option::is_none")]
    pub accel3d: Option<YesNo>,
    /// `accel2d`.
    #[serde(rename = "@accel2d", default, skip_serializing_if = "Option::is_none")]
    pub accel2d: Option<YesNo>,
}

/// `<input>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Input {
    /// `type` (`mouse`, `tablet`, `keyboard`, `passthrough`, `evdev`).
    #[serde(rename = "@type")]
    pub input_type: String,
    /// `bus` (`ps2`, `usb`, `virtio`, `xen`).
    #[serde(rename = "@bus", default, skip_serializing_if = "Option::is_none")]
    pub bus: Option<String>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

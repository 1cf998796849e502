//! Character devices: `<serial>` and `<console>`, with their sources, log and target.

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias, NameAttr, TypeAttr};
use crate::OnOff;

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

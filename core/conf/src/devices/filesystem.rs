//! `<filesystem>`: host directories, images and devices shared with the guest.

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias};
use crate::Empty;

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

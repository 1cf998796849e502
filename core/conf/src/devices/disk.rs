//! `<disk>`: disks, CD-ROMs and floppies, with their driver, source and target.

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias, BootOrder};
use crate::{Empty, OnOff};

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

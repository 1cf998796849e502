//! `<devices>` and the device kinds the model supports, one file per device family.

use serde::{Deserialize, Serialize};

mod chardev;
mod common;
mod controller;
mod disk;
mod filesystem;
mod graphics;
mod input;
mod interface;
mod memballoon;
mod video;

pub use chardev::{CharDevice, CharDeviceType, CharLog, CharSource, CharTarget};
pub use common::{Address, Alias, BootOrder, NameAttr, TypeAttr};
pub use controller::{
    Controller, ControllerDriver, ControllerMaster, ControllerTarget, ControllerType,
};
pub use disk::{Disk, DiskDevice, DiskDriver, DiskHost, DiskSource, DiskTarget, DiskType};
pub use filesystem::{
    Filesystem, FilesystemDriver, FilesystemSource, FilesystemTarget, FilesystemType,
};
pub use graphics::{Graphics, GraphicsGl, GraphicsListen, GraphicsType};
pub use input::Input;
pub use interface::{
    Interface, InterfaceDriver, InterfaceSource, InterfaceTarget, InterfaceType, Link, Mac, Mtu,
};
pub use memballoon::{BalloonStats, Memballoon};
pub use video::{Video, VideoAcceleration, VideoModel};

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

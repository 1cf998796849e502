//! `<devices>` and every device kind of libvirt's schema, one file per device family.

mod chardev;
mod check;
mod common;
mod controller;
mod disk;
mod filesystem;
mod graphics;
mod host_address;
mod hostdev;
mod input;
mod insert;
mod interface;
mod memballoon;
mod memory;
mod platform;
mod rng;
mod sound;
mod usb;
mod video;

pub use chardev::{CharDevice, CharDeviceType, CharLog, CharSource, CharTarget};
pub(crate) use check::precheck;
pub use common::{
    Acpi, Address, AddressType, Alias, BootOrder, NameAttr, PathAttr, Rom, TypeAttr, VirtioDriver,
};
pub use controller::{
    Controller, ControllerDriver, ControllerMaster, ControllerTarget, ControllerType,
};
pub use disk::{
    BackingStore, Disk, DiskBus, DiskCache, DiskDetectZeroes, DiskDevice, DiskDiscard, DiskDriver,
    DiskErrorPolicy, DiskHost, DiskIo, DiskSource, DiskTarget, DiskType, Iotune,
};
pub use filesystem::{
    Filesystem, FilesystemDriver, FilesystemSource, FilesystemTarget, FilesystemType,
};
pub use graphics::{Graphics, GraphicsGl, GraphicsListen, GraphicsType};
pub use host_address::HostAddress;
pub use hostdev::{Hostdev, HostdevMode, HostdevSource};
pub use input::{Input, InputBus, InputType};
pub use insert::disk_name_index;
pub(crate) use insert::libvirt_order;
pub use interface::{
    Interface, InterfaceDriver, InterfaceSource, InterfaceTarget, InterfaceType, Link, LinkState,
    Mac, Mtu, Virtualport,
};
pub use memballoon::{BalloonStats, Memballoon, MemballoonModel};
pub use memory::{MemoryDevice, Shmem};
pub use platform::{Crypto, Iommu, Lease, NvramDevice, Panic, Vsock, Watchdog};
pub use rng::{Rng, RngBackend, Tpm, TpmBackend};
pub use sound::{Audio, Sound, SoundModel};
pub use usb::{Hub, Redirdev, Redirfilter, Smartcard};
pub use video::{Video, VideoAcceleration, VideoDriver, VideoModel, VideoModelType};

use crate::ConfError;
use crate::model::XmlElement;
use crate::xml::{Element, Extra, Node};

/// `<devices>`: the heterogeneous device list.
///
/// Parsing puts the devices in the order libvirt keeps them in: grouped by kind
/// (emulator, disks, controllers, …), disks by bus and target index, controllers by
/// type and index, the rest in document order. [`crate::DomainDef::to_xml`] prints
/// them grouped the same way, wherever a device was added.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Devices {
    /// The devices, in document order.
    pub items: Vec<Device>,
    /// Text or attributes `<devices>` held (not in libvirt's schema), kept.
    pub extra: Extra,
}

macro_rules! devices {
    ($( $(#[$m:meta])* $variant:ident($ty:ty) = $name:literal, )*) => {
        /// One child of `<devices>`; the variant is chosen by the element name.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)]
        pub enum Device {
            /// `<emulator>`: path of the device model binary.
            Emulator(String),
            $( $(#[$m])* $variant($ty), )*
            /// An element libvirt's schema does not allow under `<devices>`, kept.
            Other(Element),
        }

        impl Device {
            /// The element name of this device (`disk`, `interface`, …).
            pub fn element_name(&self) -> &str {
                match self {
                    Device::Emulator(_) => "emulator",
                    $( Device::$variant(_) => $name, )*
                    Device::Other(e) => &e.name,
                }
            }

            fn from_element(el: Element) -> Result<Device, ConfError> {
                Ok(match el.name.as_str() {
                    "emulator" if !el.has_structure() => Device::Emulator(el.text()),
                    $( $name => Device::$variant(<$ty>::from_element(el)?), )*
                    _ => Device::Other(el),
                })
            }

            fn to_element(&self) -> Element {
                match self {
                    Device::Emulator(path) => {
                        let mut e = Element::new("emulator");
                        e.push_text(path.clone());
                        e
                    }
                    $( Device::$variant(d) => d.to_element($name), )*
                    Device::Other(e) => e.clone(),
                }
            }
        }
    };
}

devices! {
    /// `<disk>`.
    Disk(Disk) = "disk",
    /// `<controller>`.
    Controller(Controller) = "controller",
    /// `<lease>`.
    Lease(Lease) = "lease",
    /// `<filesystem>`.
    Filesystem(Filesystem) = "filesystem",
    /// `<interface>`.
    Interface(Interface) = "interface",
    /// `<smartcard>`.
    Smartcard(Smartcard) = "smartcard",
    /// `<serial>`.
    Serial(CharDevice) = "serial",
    /// `<parallel>`.
    Parallel(CharDevice) = "parallel",
    /// `<console>`.
    Console(CharDevice) = "console",
    /// `<channel>`.
    Channel(CharDevice) = "channel",
    /// `<input>`.
    Input(Input) = "input",
    /// `<tpm>`.
    Tpm(Tpm) = "tpm",
    /// `<graphics>`.
    Graphics(Graphics) = "graphics",
    /// `<sound>`.
    Sound(Sound) = "sound",
    /// `<audio>`.
    Audio(Audio) = "audio",
    /// `<video>`.
    Video(Video) = "video",
    /// `<hostdev>`.
    Hostdev(Hostdev) = "hostdev",
    /// `<redirdev>`.
    Redirdev(Redirdev) = "redirdev",
    /// `<redirfilter>`.
    Redirfilter(Redirfilter) = "redirfilter",
    /// `<hub>`.
    Hub(Hub) = "hub",
    /// `<watchdog>`.
    Watchdog(Watchdog) = "watchdog",
    /// `<memballoon>`.
    Memballoon(Memballoon) = "memballoon",
    /// `<rng>`.
    Rng(Rng) = "rng",
    /// `<nvram>`.
    Nvram(NvramDevice) = "nvram",
    /// `<panic>`.
    Panic(Panic) = "panic",
    /// `<shmem>`.
    Shmem(Shmem) = "shmem",
    /// `<memory>`.
    Memory(MemoryDevice) = "memory",
    /// `<iommu>`.
    Iommu(Iommu) = "iommu",
    /// `<vsock>`.
    Vsock(Vsock) = "vsock",
    /// `<crypto>`.
    Crypto(Crypto) = "crypto",
}

impl Device {
    /// The device's `<alias>`, for the kinds that have one.
    pub fn alias(&self) -> Option<&Alias> {
        match self {
            Device::Disk(d) => d.alias.as_ref(),
            Device::Controller(d) => d.alias.as_ref(),
            Device::Filesystem(d) => d.alias.as_ref(),
            Device::Interface(d) => d.alias.as_ref(),
            Device::Smartcard(d) => d.alias.as_ref(),
            Device::Serial(d) | Device::Parallel(d) | Device::Console(d) | Device::Channel(d) => {
                d.alias.as_ref()
            }
            Device::Input(d) => d.alias.as_ref(),
            Device::Tpm(d) => d.alias.as_ref(),
            Device::Sound(d) => d.alias.as_ref(),
            Device::Video(d) => d.alias.as_ref(),
            Device::Hostdev(d) => d.alias.as_ref(),
            Device::Redirdev(d) => d.alias.as_ref(),
            Device::Hub(d) => d.alias.as_ref(),
            Device::Watchdog(d) => d.alias.as_ref(),
            Device::Memballoon(d) => d.alias.as_ref(),
            Device::Rng(d) => d.alias.as_ref(),
            Device::Nvram(d) => d.alias.as_ref(),
            Device::Panic(d) => d.alias.as_ref(),
            Device::Shmem(d) => d.alias.as_ref(),
            Device::Memory(d) => d.alias.as_ref(),
            Device::Iommu(d) => d.alias.as_ref(),
            Device::Vsock(d) => d.alias.as_ref(),
            Device::Crypto(d) => d.alias.as_ref(),
            Device::Emulator(_)
            | Device::Lease(_)
            | Device::Graphics(_)
            | Device::Audio(_)
            | Device::Redirfilter(_)
            | Device::Other(_) => None,
        }
    }

    /// The device's `<alias>` slot, for the kinds that have one.
    pub fn alias_mut(&mut self) -> Option<&mut Option<Alias>> {
        Some(match self {
            Device::Disk(d) => &mut d.alias,
            Device::Controller(d) => &mut d.alias,
            Device::Filesystem(d) => &mut d.alias,
            Device::Interface(d) => &mut d.alias,
            Device::Smartcard(d) => &mut d.alias,
            Device::Serial(d) | Device::Parallel(d) | Device::Console(d) | Device::Channel(d) => {
                &mut d.alias
            }
            Device::Input(d) => &mut d.alias,
            Device::Tpm(d) => &mut d.alias,
            Device::Sound(d) => &mut d.alias,
            Device::Video(d) => &mut d.alias,
            Device::Hostdev(d) => &mut d.alias,
            Device::Redirdev(d) => &mut d.alias,
            Device::Hub(d) => &mut d.alias,
            Device::Watchdog(d) => &mut d.alias,
            Device::Memballoon(d) => &mut d.alias,
            Device::Rng(d) => &mut d.alias,
            Device::Nvram(d) => &mut d.alias,
            Device::Panic(d) => &mut d.alias,
            Device::Shmem(d) => &mut d.alias,
            Device::Memory(d) => &mut d.alias,
            Device::Iommu(d) => &mut d.alias,
            Device::Vsock(d) => &mut d.alias,
            Device::Crypto(d) => &mut d.alias,
            Device::Emulator(_)
            | Device::Lease(_)
            | Device::Graphics(_)
            | Device::Audio(_)
            | Device::Redirfilter(_)
            | Device::Other(_) => return None,
        })
    }

    /// The device's `<address>` slot, for the kinds that have one.
    pub fn address_mut(&mut self) -> Option<&mut Option<Address>> {
        Some(match self {
            Device::Disk(d) => &mut d.address,
            Device::Controller(d) => &mut d.address,
            Device::Filesystem(d) => &mut d.address,
            Device::Interface(d) => &mut d.address,
            Device::Smartcard(d) => &mut d.address,
            Device::Serial(d) | Device::Parallel(d) | Device::Console(d) | Device::Channel(d) => {
                &mut d.address
            }
            Device::Input(d) => &mut d.address,
            Device::Tpm(d) => &mut d.address,
            Device::Sound(d) => &mut d.address,
            Device::Video(d) => &mut d.address,
            Device::Hostdev(d) => &mut d.address,
            Device::Redirdev(d) => &mut d.address,
            Device::Hub(d) => &mut d.address,
            Device::Watchdog(d) => &mut d.address,
            Device::Memballoon(d) => &mut d.address,
            Device::Rng(d) => &mut d.address,
            Device::Nvram(d) => &mut d.address,
            Device::Panic(d) => &mut d.address,
            Device::Shmem(d) => &mut d.address,
            Device::Memory(d) => &mut d.address,
            Device::Iommu(d) => &mut d.address,
            Device::Vsock(d) => &mut d.address,
            Device::Crypto(d) => &mut d.address,
            Device::Emulator(_)
            | Device::Lease(_)
            | Device::Graphics(_)
            | Device::Audio(_)
            | Device::Redirfilter(_)
            | Device::Other(_) => return None,
        })
    }

    /// The device's `<address>`, for the kinds that have one.
    pub fn address(&self) -> Option<&Address> {
        match self {
            Device::Disk(d) => d.address.as_ref(),
            Device::Controller(d) => d.address.as_ref(),
            Device::Filesystem(d) => d.address.as_ref(),
            Device::Interface(d) => d.address.as_ref(),
            Device::Smartcard(d) => d.address.as_ref(),
            Device::Serial(d) | Device::Parallel(d) | Device::Console(d) | Device::Channel(d) => {
                d.address.as_ref()
            }
            Device::Input(d) => d.address.as_ref(),
            Device::Tpm(d) => d.address.as_ref(),
            Device::Sound(d) => d.address.as_ref(),
            Device::Video(d) => d.address.as_ref(),
            Device::Hostdev(d) => d.address.as_ref(),
            Device::Redirdev(d) => d.address.as_ref(),
            Device::Hub(d) => d.address.as_ref(),
            Device::Watchdog(d) => d.address.as_ref(),
            Device::Memballoon(d) => d.address.as_ref(),
            Device::Rng(d) => d.address.as_ref(),
            Device::Nvram(d) => d.address.as_ref(),
            Device::Panic(d) => d.address.as_ref(),
            Device::Shmem(d) => d.address.as_ref(),
            Device::Memory(d) => d.address.as_ref(),
            Device::Iommu(d) => d.address.as_ref(),
            Device::Vsock(d) => d.address.as_ref(),
            Device::Crypto(d) => d.address.as_ref(),
            _ => None,
        }
    }
}

impl XmlElement for Devices {
    fn from_element(mut el: Element) -> Result<Self, ConfError> {
        let mut items = Vec::with_capacity(el.children.len());
        let mut kept = Vec::new();
        for n in std::mem::take(&mut el.children) {
            match n {
                Node::Element(e) => items.push(Device::from_element(e)?),
                Node::Text(t) => kept.push(Node::Text(t)),
            }
        }
        el.children = kept;
        libvirt_order(&mut items);
        Ok(Devices {
            items,
            extra: Extra::rest(el),
        })
    }

    fn to_element(&self, name: &str) -> Element {
        let mut el = Element::new(name);
        el.children
            .extend(self.items.iter().map(|d| Node::Element(d.to_element())));
        self.extra.write_into(&mut el);
        el
    }
}

//! Typed model of the libvirt domain XML subset rvirt supports, built on serde and
//! quick-xml.
//!
//! * [`DomainDef::from_xml`] parses and validates a `<domain>` document, reporting
//!   problems with libvirt's error codes ([`ConfError::libvirt_code`]).
//! * [`DomainDef::to_xml`] writes indented XML that validates against libvirt's
//!   `domain.rng` (for anything that [`DomainDef::from_xml`] accepted).
//! * [`DomainDef::fill_defaults`] applies the defaults libvirt applies on define.
//!
//! # What happens to XML the model does not know
//!
//! Nothing is dropped silently:
//!
//! * `<metadata>` is **preserved**: its inner XML is kept byte for byte in
//!   [`DomainDef::metadata`] and written back verbatim.
//! * Every other element, attribute, or non-blank text that the typed model does not
//!   represent is **reported** as [`ConfError::Unsupported`] (libvirt code 67,
//!   `VIR_ERR_CONFIG_UNSUPPORTED`), naming its path, e.g.
//!   `unsupported element <domain/devices/disk[2]/iotune>` or
//!   `unsupported attribute 'eoi2' on <domain/features/apic>`. Detection works by
//!   parsing the input into a plain element tree, serialising the typed model, and
//!   checking that every element (by name and occurrence), attribute and text of the
//!   input exists in the output. Namespaced extensions such as `<qemu:commandline>`
//!   are reported the same way.
//!
//! # Round trips
//!
//! Values are kept as written, with these normalisations: attributes are written with
//! double quotes and in model order; elements in model order (libvirt's schema
//! interleaves them, so this stays valid); devices keep their document order; memory
//! units are written in canonical spelling (`k` becomes `KiB`, `bytes` stays bytes, a
//! missing unit is written as `unit="KiB"`) without changing the number; UUIDs are
//! written lower-case hyphenated. Compare parsed trees or structs, not bytes.
//!
//! # Memory
//!
//! [`MemoryUnit`] follows libvirt: `b`/`bytes`, a bare letter (`k`, `M`, `G`, `T`, `P`,
//! `E`) or the letter plus `iB` means powers of 1024, the letter plus `B` powers of
//! 1000; letters are case-insensitive. [`DomainDef::memory_kib`] converts to KiB,
//! rounding up like libvirt (1000 bytes is 1 KiB).

#[macro_use]
mod macros;

pub mod bitmap;
mod devices;
mod dom;
mod domain;
mod error;
mod metadata;
mod snapshot;
mod units;

pub use devices::{
    Address, Alias, BalloonStats, BootOrder, CharDevice, CharDeviceType, CharLog, CharSource,
    CharTarget, Controller, ControllerDriver, ControllerMaster, ControllerTarget, ControllerType,
    Device, Devices, Disk, DiskDevice, DiskDriver, DiskHost, DiskSource, DiskTarget, DiskType,
    Filesystem, FilesystemDriver, FilesystemSource, FilesystemTarget, FilesystemType, Graphics,
    GraphicsGl, GraphicsListen, GraphicsType, Input, Interface, InterfaceDriver, InterfaceSource,
    InterfaceTarget, InterfaceType, Link, Mac, Memballoon, Mtu, NameAttr, TypeAttr, Video,
    VideoAcceleration, VideoModel,
};
pub use domain::{
    Apic, Boot, BootDevice, BootMenu, Clock, ClockOffset, Cpu, CpuFeature, CpuModel, CpuTopology,
    DomainDef, DomainType, FeatureState, Features, Gic, Ioapic, LifecycleAction, Loader, Nvram, Os,
    OsType, OsTypeElement, Smbios, Timer, Vcpu, VcpuPlacement,
};
pub use error::{ConfError, UnsupportedKind, codes, domains};
pub use snapshot::{DomainSnapshotDef, SnapshotDisk};
pub use units::{Memory, MemoryUnit};
pub use uuid::Uuid;

use serde::{Deserialize, Serialize};

/// An element with no attributes or content, used for presence flags such as
/// `<acpi/>` or `<readonly/>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Empty {}

string_enum! {
    /// libvirt's `yes`/`no` attribute values.
    pub enum YesNo ("yes/no value") {
        /// `yes`.
        Yes = "yes",
        /// `no`.
        No = "no",
    }
}

string_enum! {
    /// libvirt's `on`/`off` attribute values.
    pub enum OnOff ("on/off value") {
        /// `on`.
        On = "on",
        /// `off`.
        Off = "off",
    }
}

//! libvirt's domain XML, as a typed model that keeps everything.
//!
//! * [`DomainDef::from_xml`] parses a `<domain>` document. Everything libvirt 9.0's
//!   domain schema allows is accepted; the typed parts are checked as libvirt checks
//!   them, with libvirt's error codes ([`ConfError::libvirt_code`]) and messages.
//! * [`DomainDef::to_xml`] prints it as libvirt prints it: single-quoted attributes,
//!   two-space indentation, libvirt's order of elements and attributes.
//! * [`DomainDef::fill_defaults`] applies what libvirt applies on define.
//! * [`DomainDef::builder`] builds a definition in code.
//!
//! # Design: typed where it matters, kept everywhere
//!
//! A document is first parsed into an order-preserving element tree ([`xml::Element`]).
//! The typed model is then *taken* out of that tree: each typed element
//! (`Disk`, `Interface`, `Cpu`, …) removes the attributes, children and text it
//! models, and whatever remains becomes its `extra` ([`xml::Extra`]). So the typed
//! fields are the source of truth for what they model, and `extra` holds, in place,
//! everything else the input said — down to elements of other namespaces such as
//! `<qemu:commandline>`. Nothing is refused for being unknown and nothing is dropped.
//!
//! Printing is the way back: typed fields and kept content become one tree, a table of
//! libvirt's element and attribute order (`xml/order.txt`) sorts it, and the writer
//! prints it with libvirt's quoting, escaping and indentation (`<metadata>` with
//! libxml2's, as libvirt does).
//!
//! What is typed: the domain's identity and memory (`<memory>`, `<maxMemory>`,
//! `<memoryBacking>`, `<memtune>`, `<blkiotune>`), vCPUs and `<cpu>` (mode, model,
//! topology, features, NUMA cells), tuning (`<cputune>`, `<numatune>`,
//! `<iothreadids>`), `<os>` (type, firmware, loader, NVRAM, kernel, init, boot order),
//! `<features>` (including Hyper-V, KVM and SMM), `<clock>` and timers, lifecycle
//! actions, `<pm>`, `<perf>`, `<idmap>`, `<sysinfo>`, `<seclabel>`, and every device
//! kind of the schema ([`Device`]) with the attributes drivers act on, their
//! `<address>`, `<alias>` and `<boot>`. Finer parts (for example a disk's `<iotune>`
//! maxima or an interface's `<bandwidth>`) are kept as [`xml::Element`]s.
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
mod checkpoint;
mod devices;
mod domain;
mod error;
mod metadata;
mod model;
mod snapshot;
mod units;
pub mod xml;

pub use checkpoint::{CheckpointDisk, DomainCheckpointDef, valid_checkpoint_name};
pub use devices::*;
pub use domain::*;
pub use error::{ConfError, UnsupportedKind, codes, domains};
pub use snapshot::{DomainSnapshotDef, SnapshotDisk};
pub use units::{Memory, MemoryUnit};
pub use uuid::Uuid;

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

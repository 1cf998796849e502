//! # rvirt-driver-qemu
//!
//! Foundations of rvirt's QEMU driver (libvirt's `qemu:///` driver):
//!
//! * [`qmp`]: a sans-io QMP codec with typed events, plus a small blocking client;
//! * [`event_map`]: how QMP events (and monitor EOF) change a domain's state and which
//!   libvirt domain events they raise;
//! * [`command_line`]: the QEMU argv for a [`DomainDef`](rvirt_core::conf::DomainDef);
//! * [`capabilities`]: probing a QEMU binary over QMP, with an on-disk cache;
//! * [`process`]: spawning QEMU with an inherited monitor socket (and tap fds) and
//!   reaping it;
//! * [`host`]: `/proc` and `/sys` facts about QEMU's threads and the node, for statistics;
//!   the tap devices of `<interface type='network'>`/`'bridge'` NICs.
//!
//! * [`security`]: confining QEMU (DAC user and file ownership, seccomp, cgroups).
//!
//! * [`firmware`]: UEFI as libvirt does it — QEMU's firmware descriptors, autoselection
//!   for `<os firmware='efi'>`, and each domain's variable store.
//!
//! * [`driver`]: the embedded `qemu:///embed?root=DIR` driver built on these pieces;
//!   [`register`] adds it to rvirt-core's registry.

pub mod agent;
pub mod capabilities;
pub mod command_line;
pub mod driver;
pub mod event_map;
pub mod firmware;
pub mod host;
mod machine_defaults;
mod pci;
pub mod process;
pub mod qmp;
pub mod security;

pub use driver::register;

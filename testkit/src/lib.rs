//! # rvirt-testkit
//!
//! What rvirt's tests share, written once: temp directories ([`tmp`]), bounded child
//! processes ([`process`]), Debian's libvirt clients ([`clients`]), rvirtd as a real
//! process ([`daemon`]), a raw wire-protocol client ([`raw`]), guests for real QEMU
//! ([`guests`]), the QEMU processes a test started ([`qemu`]), and a stand-in QEMU for
//! monitor behaviour real QEMU never shows ([`stand_in`]).
//!
//! Test code: it panics on failure rather than returning errors.

#![allow(missing_docs)]

pub mod clients;
pub mod daemon;
pub mod guests;
pub mod process;
pub mod qemu;
pub mod raw;
pub mod stand_in;
pub mod tmp;

pub use clients::*;
pub use daemon::{Daemon, free_port};
pub use guests::*;
pub use process::*;
pub use qemu::*;
pub use raw::Raw;
pub use tmp::TempDir;

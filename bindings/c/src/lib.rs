//! rvirt-ffi: C bindings (librvirt) in libvirt's shape with an `rvir` prefix.
//!
//! Built as `librvirt_ffi.so` / `.a` and linked by C programs as `librvirt.so` / `librvirt.a`
//! (`make-pc.sh` stages those names); the C header `include/rvirt.h` is generated from
//! this crate by cbindgen (see `cbindgen.toml`) and checked in. Every exported function:
//!
//! * checks each pointer argument (NULL → `-1`/NULL with `RVIR_ERR_INVALID_ARG`),
//! * catches every Rust panic before it reaches C (reported as `RVIR_ERR_INTERNAL_ERROR`),
//! * resets the calling thread's last error on entry and sets it on failure
//!   (`rvirGetLastError`), as libvirt does.
//!
//! The pluggable event loop is reachable from C in libvirt's exact shape
//! (`rvirEventRegisterImpl` with the six callbacks) and rvirt's own default loop
//! (`rvirEventRegisterDefaultImpl` + `rvirEventRunDefaultImpl`).

#![allow(non_snake_case, non_camel_case_types, clippy::missing_safety_doc)]

mod close;
mod connect;
mod constants;
mod default_loop;
mod domain;
mod error;
pub mod event_impl;
mod events;
mod glib_loop;
mod handles;
mod init;
mod interface;
mod network;
mod node_device;
mod nwfilter;
mod opaque;
mod panic_guard;
mod secret;
mod storage;
mod strings;

pub use close::*;
pub use connect::*;
pub use constants::*;
pub use default_loop::*;
pub use domain::*;
pub use error::*;
pub use event_impl::{
    rvirEventAddHandleFunc, rvirEventAddTimeoutFunc, rvirEventHandleCallback,
    rvirEventRegisterImpl, rvirEventRemoveHandleFunc, rvirEventRemoveTimeoutFunc,
    rvirEventTimeoutCallback, rvirEventUpdateHandleFunc, rvirEventUpdateTimeoutFunc,
    rvirFreeCallback,
};
pub use events::*;
pub use glib_loop::*;
pub use init::*;
pub use interface::*;
pub use network::*;
pub use node_device::*;
pub use nwfilter::*;
pub use secret::*;
pub use storage::*;

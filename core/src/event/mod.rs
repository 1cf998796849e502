//! The pluggable event loop: libvirt's fd-watch and timer registration API.
//!
//! * [`EventLoop`] is the registration trait (add/update/remove handle, add/update/remove
//!   timeout) with libvirt's semantics; backends implement it.
//! * [`DefaultLoop`] is rvirt's own implementation (level-triggered epoll).
//! * [`register`] / [`registered`] hold the process-wide loop, like `virEventRegisterImpl`;
//!   [`register_default`] + [`run_default`] mirror `virEventRegisterDefaultImpl` +
//!   `virEventRunDefaultImpl`.
//! * `conformance` (feature `test-util`) is the test suite every backend runs against itself.
//! * [`backend`] is the kit for those who write a backend (an adapter to another host loop):
//!   fd-watch and timer tables, an epoll set of the adapter's own, deferred frees.
//!
//! ```no_run
//! use rvirt_core::event::{self, EventLoopExt, Interest};
//!
//! let default = event::register_default()?;
//! let l = event::require()?;
//! l.watch_fd(0, Interest::READABLE, |watch, fd, ready| {
//!     println!("watch {watch}: fd {fd} is {ready:?}");
//! })?;
//! loop {
//!     default.run_once()?;
//! }
//! # Ok::<(), rvirt_core::event::EventError>(())
//! ```

pub mod backend;
mod default_loop;
mod event_loop;
mod global;
mod ids;
mod interest;

#[cfg(feature = "test-util")]
pub mod conformance;

pub use default_loop::DefaultLoop;
pub use event_loop::{
    EventError, EventLoop, EventLoopExt, HandleCallback, SharedLoop, TimerCallback,
};
pub use global::{
    add_handle, add_timeout, register, register_default, registered, remove_handle, remove_timeout,
    require, run_default, update_handle, update_timeout,
};
pub use ids::{TimerId, TimerInterval, WatchId};
pub use interest::Interest;

//! The pluggable event loop: libvirt's fd-watch and timer registration API.
//!
//! * [`EventLoop`] is the registration trait (add/update/remove handle, add/update/remove
//!   timeout) with libvirt's semantics; backends implement it.
//! * [`DefaultLoop`] is rvirt's own implementation (level-triggered epoll).
//! * [`register`] / [`registered`] hold the process-wide loop, like `virEventRegisterImpl`;
//!   [`register_default`] + [`run_default`] mirror `virEventRegisterDefaultImpl` +
//!   `virEventRunDefaultImpl`.
//! * `conformance` (feature `test-util`) is the test suite every backend runs against itself.
//! * For backend authors: [`TimerTable`] and [`Garbage`] (timers and deferred frees),
//!   [`FdWatches`] + [`dispatch_ready`] over an [`epoll::Epoll`] set of the backend's own
//!   (one host-loop registration for every fd), [`readiness`] (a zero-timeout `poll(2)`
//!   re-check for loops that report edges), [`IdMap`].
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

mod default_loop;
pub mod epoll;
mod event_loop;
mod fd_watches;
mod global;
mod id_map;
mod ids;
mod interest;
pub mod readiness;
mod timer_table;

#[cfg(feature = "test-util")]
pub mod conformance;

pub use default_loop::DefaultLoop;
pub use event_loop::{
    EventError, EventLoop, EventLoopExt, HandleCallback, SharedLoop, TimerCallback,
};
pub use fd_watches::{FdWatches, dispatch_ready};
pub use global::{
    add_handle, add_timeout, register, register_default, registered, remove_handle, remove_timeout,
    require, run_default, update_handle, update_timeout,
};
pub use id_map::{IdHasher, IdMap};
pub use ids::{TimerId, TimerInterval, WatchId};
pub use interest::Interest;
pub use timer_table::{Garbage, TimerTable};

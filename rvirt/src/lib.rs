//! # rvirt
//!
//! One crate to depend on: rvirt-core's API ([`Connect`], [`Domain`], [`event`], …), the
//! hypervisor drivers enabled by cargo features, and the event-loop adapters as
//! `rvirt::glib`, `rvirt::tokio`, `rvirt::calloop`, `rvirt::mio` and `rvirt::async_io`.
//!
//! | feature | default | what |
//! |---|---|---|
//! | `test` | yes | libvirt's `test:///` mock hypervisor |
//! | `remote` | yes | the remote driver (`qemu+unix://`, `test+tcp://`, … to an rvirtd) |
//! | `qemu` | no | the QEMU driver (`qemu:///system`, `qemu:///embed?root=`) |
//! | `lxc` | no | the LXC driver (`lxc:///system`) |
//! | `glib`, `tokio`, `calloop`, `mio`, `async-io` | no | the loop adapter of that name |
//!
//! [`open`] and its siblings register the enabled drivers on first use, so no
//! `register()` call is needed; after any of them (or [`register_drivers`]),
//! [`Connect::open`] works too. When no enabled driver accepts a URI, the error names the
//! feature that is probably missing.
//!
//! ```
//! use rvirt::{DomainEventId, event};
//!
//! event::register_default()?;
//! let conn = rvirt::open("test:///default")?;
//! let dom = conn.lookup_domain_by_name("test")?;
//! let id = conn.domain_event_register_any(None, DomainEventId::Lifecycle, |dom, ev| {
//!     println!("{}: {ev:?}", dom.name());
//! })?;
//! dom.suspend()?;
//! dom.resume()?;
//! conn.domain_event_deregister_any(id)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every common Connect/Domain operation also has an asynchronous form returning a
//! [`Pending`] future (plain `std::future::Future`: tokio, async-io, GLib's
//! `spawn_future_local`, any executor), with a per-call [`Pending::timeout`]. Over the
//! remote driver no thread waits: the call is written and its reply matched on the
//! connection's event loop; local drivers run their blocking work on rvirt's worker
//! threads. `cargo run -p rvirt-examples --example tokio_async` shows it on a
//! single-threaded tokio runtime.
//!
//! ```
//! use std::time::Duration;
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     struct Unpark(std::thread::Thread);
//! #     impl std::task::Wake for Unpark {
//! #         fn wake(self: std::sync::Arc<Self>) { self.0.unpark() }
//! #     }
//! #     let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop {
//! #         if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; }
//! #         std::thread::park();
//! #     }
//! # }
//!
//! let conn = rvirt::open("test:///default")?;
//! let info = block_on(async {
//!     let dom = conn
//!         .lookup_domain_by_name_async("test")
//!         .timeout(Duration::from_secs(5))
//!         .await?;
//!     dom.info_async().timeout(Duration::from_secs(5)).await
//! })?;
//! assert!(info.memory_kib > 0);
//! # Ok::<(), rvirt::Error>(())
//! ```

mod drivers;
mod open;

pub use drivers::{enabled_drivers, register_drivers};
pub use open::{open, open_read_only, open_with, open_with_loop};

pub use rvirt_core::*;

/// The test driver (`test:///default`, `test:///PATH.xml`).
#[cfg(feature = "test")]
pub use rvirt_driver_test as driver_test;

/// The remote driver (URIs with a transport or a host, to an rvirtd).
#[cfg(feature = "remote")]
pub use rvirt_driver_remote as driver_remote;

/// The QEMU driver.
#[cfg(feature = "qemu")]
pub use rvirt_driver_qemu as driver_qemu;

/// The LXC driver.
#[cfg(feature = "lxc")]
pub use rvirt_driver_lxc as driver_lxc;

/// The GLib loop adapter (`rvirt::glib::GlibLoop`).
#[cfg(feature = "glib")]
pub use rvirt_glib as glib;

/// The tokio loop adapter.
#[cfg(feature = "tokio")]
pub use rvirt_tokio as tokio;

/// The calloop loop adapter.
#[cfg(feature = "calloop")]
pub use rvirt_calloop as calloop;

/// The mio loop adapter.
#[cfg(feature = "mio")]
pub use rvirt_mio as mio;

/// The async-io loop adapter.
#[cfg(feature = "async-io")]
pub use rvirt_async_io as async_io;

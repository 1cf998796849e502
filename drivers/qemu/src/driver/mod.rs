//! The QEMU driver proper, embedded mode only: `qemu:///embed?root=/ABS` runs the
//! driver inside the calling process (libvirt ≥ 6.1's embedded driver).
//!
//! * [`QemuDriver`] / [`register`]: the [`Driver`] the core registry opens.
//! * The root directory gets libvirt's layout (`etc/qemu`, `run/qemu`, `log/qemu`,
//!   `cache/qemu`, `lib/qemu`) and `run/qemu/driver.pid` is held with an exclusive
//!   `flock`, so only one driver instance (one open connection) uses a root at a time.
//! * Domains are QEMU processes started with `-S` and an inherited listening monitor
//!   socket; after the QMP handshake and `cont` the monitor is watched on the
//!   connection's event loop, and QMP events become lifecycle events
//!   ([`event_map`](crate::event_map)).
//!
//! Closing the connection destroys the domains it still runs (no reconnect yet).

mod connection;
mod monitor;
mod root;

use std::sync::{Arc, OnceLock};

use rvirt_core::driver::{Driver, DriverConnection, OpenContext, register_driver};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

pub use connection::QemuConnection;
pub use root::DriverRoot;

/// The QEMU driver: accepts local `qemu:` URIs; opens only `qemu:///embed?root=/ABS`.
#[derive(Debug, Default)]
pub struct QemuDriver;

impl Driver for QemuDriver {
    fn name(&self) -> &'static str {
        "qemu"
    }

    fn accepts(&self, uri: &Uri) -> bool {
        uri.driver() == "qemu" && !uri.is_remote()
    }

    fn open(&self, uri: &Uri, ctx: OpenContext) -> Result<Box<dyn DriverConnection>> {
        let Some(root) = uri.embed_root()? else {
            return Err(Error::new(
                ErrorCode::NoSupport,
                ErrorDomain::Qemu,
                format!(
                    "unexpected QEMU URI path '{}', only 'qemu:///embed?root=/ABSOLUTE/DIR' is supported",
                    uri.path()
                ),
            ));
        };
        let Some(event_loop) = ctx.event_loop else {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::Qemu,
                "An event loop implementation must be registered",
            ));
        };
        let root = DriverRoot::acquire(&root)?;
        Ok(Box::new(QemuConnection::open(
            root, event_loop, ctx.events,
        )?))
    }
}

/// Registers the QEMU driver with rvirt-core's registry. Calling it again is a no-op.
pub fn register() -> Result<()> {
    static DRIVER: OnceLock<Arc<QemuDriver>> = OnceLock::new();
    let driver = DRIVER.get_or_init(|| Arc::new(QemuDriver)).clone();
    register_driver(driver)
}

//! The driver registry: drivers register themselves; `Connect::open` asks it for a URI.

use std::sync::{Arc, RwLock};

use super::{DriverConnection, EventSink};
use crate::event::SharedLoop;
use crate::uri::Uri;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// What a driver receives when a connection is opened.
#[derive(Clone)]
pub struct OpenContext {
    /// The event loop this connection uses (registered explicitly or process-wide), if any.
    /// Drivers watch their fds (monitor sockets, RPC sockets) through it.
    pub event_loop: Option<SharedLoop>,
    /// Where the driver hands domain events for this connection.
    pub events: EventSink,
    /// `VIR_CONNECT_RO` was requested.
    pub read_only: bool,
}

impl std::fmt::Debug for OpenContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenContext")
            .field("has_event_loop", &self.event_loop.is_some())
            .field("events", &self.events)
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// A hypervisor driver: a factory of connections for the URIs it accepts.
pub trait Driver: Send + Sync {
    /// Unique driver name (`"test"`, `"qemu"`, `"lxc"`, `"remote"`).
    fn name(&self) -> &'static str;

    /// True when this driver handles `uri`. Local drivers match on [`Uri::driver`] for URIs
    /// that are not remote; the remote driver matches remote URIs.
    fn accepts(&self, uri: &Uri) -> bool;

    /// Opens a connection.
    fn open(&self, uri: &Uri, ctx: OpenContext) -> Result<Box<dyn DriverConnection>>;
}

impl std::fmt::Debug for dyn Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Driver({})", self.name())
    }
}

static DRIVERS: RwLock<Vec<Arc<dyn Driver>>> = RwLock::new(Vec::new());

/// Adds a driver to the process-wide registry. Registering a second driver with the same
/// name fails with `VIR_ERR_INTERNAL_ERROR`; registering the same driver again is a no-op
/// only if it is the very same object.
pub fn register_driver(driver: Arc<dyn Driver>) -> Result<()> {
    let mut drivers = DRIVERS.write().unwrap_or_else(|p| p.into_inner());
    if let Some(existing) = drivers.iter().find(|d| d.name() == driver.name()) {
        if Arc::ptr_eq(existing, &driver) {
            return Ok(());
        }
        return Err(Error::internal(
            ErrorDomain::None,
            format!("a driver named '{}' is already registered", driver.name()),
        ));
    }
    drivers.push(driver);
    Ok(())
}

/// Names of the registered drivers, in registration order.
pub fn registered_drivers() -> Vec<&'static str> {
    DRIVERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|d| d.name())
        .collect()
}

/// The driver for `uri`: the first registered driver that accepts it.
pub fn find_driver(uri: &Uri) -> Result<Arc<dyn Driver>> {
    DRIVERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|d| d.accepts(uri))
        .cloned()
        .ok_or_else(|| {
            Error::new(
                ErrorCode::NoConnect,
                ErrorDomain::None,
                format!("no connection driver available for {uri}"),
            )
        })
}

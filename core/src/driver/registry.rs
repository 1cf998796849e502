//! The driver registry: drivers register themselves; `Connect::open` asks it for a URI.

use std::sync::{Arc, RwLock};

use super::{DriverConnection, EventSink, ObjectEventSink};
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
    /// Where the connection's secondary drivers hand network, storage pool, node
    /// device and secret events.
    pub object_events: ObjectEventSink,
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

    /// Starts the driver's state for this process (libvirt's `stateInitialize`): a host
    /// that serves the driver (a daemon, at start-up) calls it once, and the driver then
    /// runs whether or not any connection is open — reconnecting to guests that outlived
    /// the previous host, starting autostart domains, following guests on `ctx`'s loop,
    /// carrying out their lifecycle actions and reaping their processes. Connections
    /// opened later are views on that state. Drivers without state do nothing.
    fn state_initialize(&self, ctx: &StateContext) -> Result<()> {
        let _ = ctx;
        Ok(())
    }

    /// Stops the driver's state (libvirt's `stateCleanup`), at the host's exit. Guests
    /// keep running for the next host to reconnect to.
    fn state_cleanup(&self) {}
}

/// What a driver's state is started with.
#[derive(Clone)]
pub struct StateContext {
    /// The loop the state watches its guests on.
    pub event_loop: SharedLoop,
}

impl std::fmt::Debug for StateContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateContext").finish_non_exhaustive()
    }
}

/// Starts the state of every registered driver (libvirt's `virStateInitialize`): the
/// shared secondary drivers first, then the hypervisor drivers, in registration order;
/// stops at the first failure, after cleaning up the states already started.
pub fn initialize_states(ctx: &StateContext) -> Result<()> {
    super::secondary::initialize_states(ctx)?;
    let drivers: Vec<Arc<dyn Driver>> = DRIVERS.read().unwrap_or_else(|p| p.into_inner()).clone();
    for (i, d) in drivers.iter().enumerate() {
        if let Err(e) = d.state_initialize(ctx) {
            for started in drivers[..i].iter().rev() {
                started.state_cleanup();
            }
            super::secondary::cleanup_states();
            return Err(Error::new(
                e.code(),
                e.domain(),
                format!(
                    "initialization of {} state driver failed: {}",
                    d.name(),
                    e.message()
                ),
            ));
        }
    }
    Ok(())
}

/// Stops the state of every registered driver, in reverse order (libvirt's
/// `virStateCleanup`): the hypervisor drivers, then the shared secondary drivers.
pub fn cleanup_states() {
    let drivers: Vec<Arc<dyn Driver>> = DRIVERS.read().unwrap_or_else(|p| p.into_inner()).clone();
    for d in drivers.iter().rev() {
        d.state_cleanup();
    }
    super::secondary::cleanup_states();
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

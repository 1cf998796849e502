//! Secondary drivers (libvirt's network, storage, node device, interface, secret and
//! nwfilter drivers): the objects of a host besides its domains.
//!
//! A connection reaches them through [`Secondary`], the set of secondary driver
//! connections it was opened with. Where that set comes from follows libvirt:
//!
//! * a hypervisor driver may bring its own (libvirt's test driver has in-memory
//!   networks, pools, node devices and interfaces; the remote driver forwards every
//!   family to the daemon): [`DriverConnection::secondary_drivers`] returns them;
//! * otherwise (QEMU, LXC) the connection gets the **shared** secondary drivers
//!   registered in the process ([`register_secondary_driver`]), each of which decides
//!   from the URI whether it serves it (the host's `…:///system` state in rvirtd).
//!
//! A family no driver provides answers `VIR_ERR_NO_SUPPORT`, as libvirt does (its
//! test driver has no secrets or network filters). Shared secondary drivers have a
//! state, like hypervisor drivers: [`initialize_states`](super::initialize_states)
//! starts theirs first (networks and pools a guest needs exist before autostart
//! guests boot) and [`cleanup_states`](super::cleanup_states) stops them last.
//!
//! [`DriverConnection::secondary_drivers`]: super::DriverConnection::secondary_drivers

mod interface;
mod network;
mod nodedev;
mod nwfilter;
mod refs;
mod rooted;
mod secret;
mod secret_lookup;
mod storage;

use std::fmt;
use std::sync::{Arc, RwLock};

pub use interface::InterfaceDriver;
pub use network::NetworkDriver;
pub use nodedev::NodeDeviceDriver;
pub use nwfilter::NwFilterDriver;
pub use refs::{
    DhcpLease, InterfaceRef, NetworkPortRef, NetworkRef, NodeDeviceRef, NwFilterBindingRef,
    NwFilterRef, SecretRef, StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef,
};
pub use rooted::RootedState;
pub use secret::SecretDriver;
pub use secret_lookup::{SECRET_USAGE_VOLUME, SecretLookup, secret_value, shared_secret_driver};
pub use storage::StorageDriver;

use super::{EventSink, ObjectEventSink, OpenContext, StateContext};
use crate::uri::Uri;
use crate::{Error, ErrorDomain, Result};

/// The secondary driver connections of one connection; `None` = not provided.
#[derive(Clone, Default)]
pub struct Secondary {
    /// Virtual networks.
    pub network: Option<Arc<dyn NetworkDriver>>,
    /// Storage pools and volumes.
    pub storage: Option<Arc<dyn StorageDriver>>,
    /// Node devices.
    pub node_device: Option<Arc<dyn NodeDeviceDriver>>,
    /// Host interfaces.
    pub interface: Option<Arc<dyn InterfaceDriver>>,
    /// Secrets.
    pub secret: Option<Arc<dyn SecretDriver>>,
    /// Network filters.
    pub nwfilter: Option<Arc<dyn NwFilterDriver>>,
}

impl fmt::Debug for Secondary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secondary")
            .field("network", &self.network.is_some())
            .field("storage", &self.storage.is_some())
            .field("node_device", &self.node_device.is_some())
            .field("interface", &self.interface.is_some())
            .field("secret", &self.secret.is_some())
            .field("nwfilter", &self.nwfilter.is_some())
            .finish()
    }
}

impl Secondary {
    /// Fills the families `self` lacks from `other`.
    pub fn merge(&mut self, other: Secondary) {
        self.network = self.network.take().or(other.network);
        self.storage = self.storage.take().or(other.storage);
        self.node_device = self.node_device.take().or(other.node_device);
        self.interface = self.interface.take().or(other.interface);
        self.secret = self.secret.take().or(other.secret);
        self.nwfilter = self.nwfilter.take().or(other.nwfilter);
    }
}

/// A shared secondary driver: provides one or more families to the connections of
/// hypervisor drivers that bring none of their own.
pub trait SecondaryDriver: Send + Sync {
    /// Unique name (`"network"`, `"storage"`, …).
    fn name(&self) -> &'static str;

    /// The families this driver serves for `uri` (empty when it serves none: an
    /// embedded or session URI, or a state that was never started).
    fn open(&self, uri: &Uri, ctx: &OpenContext) -> Result<Secondary>;

    /// Starts the driver's host state (libvirt's `stateInitialize`): loads
    /// definitions, starts autostart objects.
    fn state_initialize(&self, ctx: &StateContext) -> Result<()> {
        let _ = ctx;
        Ok(())
    }

    /// Stops the host state at exit; what it runs for guests (bridges, dnsmasq)
    /// stays for the next host.
    fn state_cleanup(&self) {}
}

impl fmt::Debug for dyn SecondaryDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecondaryDriver({})", self.name())
    }
}

static SECONDARY: RwLock<Vec<Arc<dyn SecondaryDriver>>> = RwLock::new(Vec::new());

fn drivers() -> Vec<Arc<dyn SecondaryDriver>> {
    SECONDARY.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Adds a shared secondary driver. A second driver of the same name fails with
/// `VIR_ERR_INTERNAL_ERROR`, unless it is the very same object (then a no-op).
pub fn register_secondary_driver(driver: Arc<dyn SecondaryDriver>) -> Result<()> {
    let mut list = SECONDARY.write().unwrap_or_else(|p| p.into_inner());
    if let Some(existing) = list.iter().find(|d| d.name() == driver.name()) {
        if Arc::ptr_eq(existing, &driver) {
            return Ok(());
        }
        return Err(Error::internal(
            ErrorDomain::None,
            format!(
                "a secondary driver named '{}' is already registered",
                driver.name()
            ),
        ));
    }
    list.push(driver);
    Ok(())
}

/// Names of the registered shared secondary drivers, in registration order.
pub fn registered_secondary_drivers() -> Vec<&'static str> {
    drivers().iter().map(|d| d.name()).collect()
}

/// True for the local `qemu:///system` and `lxc:///system`: the connections the
/// host-wide secondary drivers (networks, storage) serve, as libvirt's do.
///
/// ```
/// use rvirt_core::driver::serves_host_objects;
/// use rvirt_core::uri::Uri;
/// assert!(serves_host_objects(&Uri::parse("qemu:///system").unwrap()));
/// assert!(!serves_host_objects(&Uri::parse("qemu:///session").unwrap()));
/// assert!(!serves_host_objects(&Uri::parse("qemu+tcp://h/system").unwrap()));
/// ```
pub fn serves_host_objects(uri: &Uri) -> bool {
    !uri.is_remote() && uri.path() == "/system" && matches!(uri.driver(), "qemu" | "lxc")
}

/// What the shared secondary drivers provide for `uri`: the first driver offering a
/// family provides it.
pub fn open_shared(uri: &Uri, ctx: &OpenContext) -> Result<Secondary> {
    let mut set = Secondary::default();
    for d in drivers() {
        set.merge(d.open(uri, ctx)?);
    }
    Ok(set)
}

/// [`open_shared`] for a driver reaching another's objects on its own behalf (the QEMU
/// driver's networks, filters and secrets): writable, without an event loop or
/// listeners.
pub fn open_shared_detached(uri: &Uri) -> Result<Secondary> {
    let ctx = OpenContext {
        event_loop: None,
        events: EventSink::detached(),
        read_only: false,
        object_events: ObjectEventSink::detached(),
    };
    let opened = open_shared(uri, &ctx);
    // Nobody listens: the drivers drop this sink at their next registration instead
    // of keeping one per open.
    ctx.object_events.close();
    opened
}

/// Starts every shared secondary driver's state, in registration order; on failure
/// the ones started are stopped again.
pub(crate) fn initialize_states(ctx: &StateContext) -> Result<()> {
    let list = drivers();
    for (i, d) in list.iter().enumerate() {
        if let Err(e) = d.state_initialize(ctx) {
            for started in list[..i].iter().rev() {
                started.state_cleanup();
            }
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

/// Stops every shared secondary driver's state, in reverse order.
pub(crate) fn cleanup_states() {
    for d in drivers().iter().rev() {
        d.state_cleanup();
    }
}

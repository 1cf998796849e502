//! The test driver's own secondary drivers: in-memory networks, storage pools and
//! volumes, node devices and host interfaces, as libvirt's test driver has them (it
//! has no secrets and no network filters, so `test:///` connections answer those with
//! `VIR_ERR_NO_SUPPORT`, as libvirt's do).
//!
//! Every object lives in the world's [`HostObjects`] behind one lock; events are
//! queued on the world's [`ObjectEventFanout`] while that lock is held, so they come
//! in the order of the changes.

mod build;
mod ifaces;
mod networks;
mod nodedevs;
mod pools;
mod volumes;

use std::sync::{Arc, MutexGuard};

use rvirt_core::driver::{ObjectEventFanout, Secondary};
use rvirt_core::objconf::{InterfaceDef, NetworkDef, NodeDeviceDef, PoolDef, VolDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain};

pub(crate) use build::{default_objects, load_node_object};

use crate::state::World;

/// A network and its state.
#[derive(Clone, Debug)]
pub(crate) struct NetObj {
    /// The running (or only) definition.
    pub def: NetworkDef,
    /// The persistent definition when it differs from the running one.
    pub new_def: Option<NetworkDef>,
    pub active: bool,
    pub persistent: bool,
    pub autostart: bool,
}

/// A storage pool, its state and its volumes.
#[derive(Clone, Debug)]
pub(crate) struct PoolObj {
    pub def: PoolDef,
    pub active: bool,
    pub persistent: bool,
    pub autostart: bool,
    pub volumes: Vec<VolDef>,
}

/// A host interface and its state.
#[derive(Clone, Debug)]
pub(crate) struct IfaceObj {
    pub def: InterfaceDef,
    pub active: bool,
}

/// Everything of a test world besides domains.
#[derive(Clone, Debug, Default)]
pub(crate) struct HostObjects {
    pub networks: Vec<NetObj>,
    pub pools: Vec<PoolObj>,
    pub devices: Vec<NodeDeviceDef>,
    pub ifaces: Vec<IfaceObj>,
    /// The interfaces as they were when an interface transaction began.
    pub iface_backup: Option<Vec<IfaceObj>>,
}

/// The default capacity libvirt's test driver gives every pool: 100 GiB.
pub(crate) const POOL_CAPACITY: u64 = 100 << 30;

/// The secondary drivers of one `test:///` connection: views on its world.
#[derive(Clone, Debug)]
pub(crate) struct TestObjects {
    world: Arc<World>,
}

impl TestObjects {
    /// The network, storage, node device and interface drivers of `world`.
    pub(crate) fn secondary(world: Arc<World>) -> Secondary {
        let me = Arc::new(TestObjects { world });
        Secondary {
            network: Some(me.clone()),
            storage: Some(me.clone()),
            node_device: Some(me.clone()),
            interface: Some(me),
            secret: None,
            nwfilter: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HostObjects> {
        self.world.objects.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn events(&self) -> &ObjectEventFanout {
        &self.world.object_events
    }
}

/// `VIR_ERR_OPERATION_INVALID` in the test domain.
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OperationInvalid, ErrorDomain::Test, message)
}

/// `VIR_ERR_OPERATION_FAILED` in `domain`.
pub(crate) fn failed(domain: ErrorDomain, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OperationFailed, domain, message)
}

/// Whether an object with the given state passes libvirt's listing filter groups:
/// (inactive 1, active 2), (persistent 4, transient 8), (autostart 16, no
/// autostart 32). A group with neither bit set does not filter.
pub(crate) fn list_filter(flags: u32, active: bool, persistent: bool, autostart: bool) -> bool {
    let group = |on: u32, off: u32, v: bool| {
        let mask = on | off;
        flags & mask == 0 || (v && flags & on != 0) || (!v && flags & off != 0)
    };
    group(2, 1, active) && group(4, 8, persistent) && group(16, 32, autostart)
}

//! # rvirt-driver-storage
//!
//! rvirt's storage driver: the host's storage pools and volumes, served to the
//! `qemu:///system` and `lxc:///system` connections of the process (a shared secondary
//! driver, as libvirt's storage driver is to its hypervisor drivers).
//!
//! * Pools: `dir` (a directory) and `fs` (a block device mounted on a directory):
//!   define, create (transient), build (the directory; `mkfs` for `fs` with
//!   `OVERWRITE`), start, stop, delete, refresh, autostart, info, XML with the live
//!   sizes (`statvfs`) and the target's permissions. Other types are refused at
//!   define time ("missing backend for pool type").
//! * Volumes: files of a pool's directory, `raw` (sparse, or allocated as asked) and
//!   `qcow2` (`qemu-img create`, over a backing store when the XML names one), and
//!   directories: create, clone (`raw` → `raw` by copying the data with holes kept,
//!   anything else by `qemu-img convert`), delete, wipe, resize (grow; shrink with the
//!   flag), info, XML with capacity, allocation, physical size, format, permissions,
//!   timestamps, qcow2 compat, cluster size and backing store. The qcow2 header is read
//!   directly, so a refresh costs one small read per volume.
//! * Persistence under the state root (`--storage-root` in rvirtd): `etc/storage/NAME.xml`
//!   with `autostart/` links, `run/storage/NAME.xml` for running pools, so a restarted
//!   daemon knows them again; autostart pools start with the state.
//! * Events: pool lifecycle (defined, undefined, started, stopped, created, deleted) and
//!   refresh, to every connection.
//!
//! Volume names that would leave the pool's directory (`/`, `.`, `..`) are refused.

mod backend;
mod caps;
mod conn;
mod encryption;
mod pools;
mod probe;
mod qemu_img;
mod state;
mod transfer;
mod volumes;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rvirt_core::Result;
use rvirt_core::driver::secondary::RootedState;
use rvirt_core::driver::{
    OpenContext, Secondary, SecondaryDriver, StateContext, register_secondary_driver,
};
use rvirt_core::uri::Uri;

use conn::StorageConn;
use state::State;

/// Where the host's storage state lives unless [`set_system_root`] says otherwise.
pub const DEFAULT_SYSTEM_ROOT: &str = "/var/lib/rvirt/storage-system";

/// The storage driver (one per process).
#[derive(Debug)]
pub struct HostStorage {
    slot: RootedState<State>,
}

impl Default for HostStorage {
    fn default() -> HostStorage {
        HostStorage {
            slot: RootedState::new(DEFAULT_SYSTEM_ROOT),
        }
    }
}

impl HostStorage {
    /// A driver whose state will live under `root` (the process's own driver is
    /// [`register`]ed; this is for embedding and tests).
    pub fn with_root(root: impl Into<PathBuf>) -> HostStorage {
        HostStorage {
            slot: RootedState::with_root(DEFAULT_SYSTEM_ROOT, root),
        }
    }

    /// The root the state uses (or will use).
    pub fn root(&self) -> PathBuf {
        self.slot.root()
    }
}

impl SecondaryDriver for HostStorage {
    fn name(&self) -> &'static str {
        "storage"
    }

    fn open(&self, uri: &Uri, ctx: &OpenContext) -> Result<Secondary> {
        let Some(state) = self.slot.served(uri) else {
            return Ok(Secondary::default());
        };
        state.events.add(ctx.object_events.clone());
        Ok(Secondary {
            storage: Some(Arc::new(StorageConn { state })),
            ..Secondary::default()
        })
    }

    fn state_initialize(&self, _ctx: &StateContext) -> Result<()> {
        self.slot.start(State::start)
    }

    fn state_cleanup(&self) {
        self.slot.stop();
    }
}

fn driver() -> Arc<HostStorage> {
    static DRIVER: OnceLock<Arc<HostStorage>> = OnceLock::new();
    DRIVER.get_or_init(Arc::default).clone()
}

/// Sets the host state's root (before the state starts).
pub fn set_system_root(root: impl Into<PathBuf>) {
    driver().slot.set_root(root);
}

/// Registers the storage driver as a shared secondary driver (idempotent).
pub fn register() -> Result<()> {
    register_secondary_driver(driver())
}

/// The root of the running state, if it runs (for tests and tools).
pub fn state_root() -> Option<PathBuf> {
    driver().slot.get().map(|s| s.root().to_path_buf())
}

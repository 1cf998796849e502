//! The LXC driver proper: `lxc:///system` (also `lxc:///`) and `lxc:///embed?root=/ABS`.
//!
//! * [`LxcDriver`] / [`register`]: the [`Driver`] the core registry opens.
//! * A root directory holds `etc/lxc` (persistent XML), `run/lxc` (status, controller pid
//!   files, monitor sockets) and `log/lxc`; `run/lxc/driver.pid` is `flock`ed so one
//!   process uses a root at a time; connections of that process share one instance.
//! * Each running container is a controller process ([`crate::controller`]) whose
//!   monitor socket is watched on the connection's event loop; its EXIT and INIT events
//!   ([`crate::protocol`]) become lifecycle events ([`crate::state::outcome`]).
//! * Controllers outlive the instance: the next instance on the root reconnects to them.

mod connection;
mod instance;
mod monitor;
mod reconnect;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use rvirt_core::driver::{Driver, DriverConnection, OpenContext, StateContext, register_driver};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

pub use connection::LxcConnection;

/// The LXC driver: local `lxc:` URIs.
#[derive(Debug, Default)]
pub struct LxcDriver;

impl Driver for LxcDriver {
    fn name(&self) -> &'static str {
        "lxc"
    }

    fn accepts(&self, uri: &Uri) -> bool {
        uri.driver() == "lxc" && !uri.is_remote()
    }

    fn open(&self, uri: &Uri, ctx: OpenContext) -> Result<Box<dyn DriverConnection>> {
        let root = match (uri.embed_root()?, uri.path()) {
            (Some(root), _) => root,
            (None, "/system" | "/" | "") => system_root(),
            (None, path) => {
                return Err(Error::new(
                    ErrorCode::NoSupport,
                    ErrorDomain::Lxc,
                    format!(
                        "unexpected LXC URI path '{path}', try lxc:///system or lxc:///embed?root=/ABSOLUTE/DIR"
                    ),
                ));
            }
        };
        let Some(event_loop) = ctx.event_loop else {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::Lxc,
                "An event loop implementation must be registered",
            ));
        };
        Ok(Box::new(LxcConnection::open(
            &root, event_loop, ctx.events,
        )?))
    }

    /// Runs `lxc:///system`'s instance for the host from now on: containers are
    /// followed with no connection open, and autostart containers are started.
    fn state_initialize(&self, ctx: &StateContext) -> Result<()> {
        let root = system_root();
        let shared = connection::INSTANCES.acquire(&root, || {
            instance::Shared::create(&root, ctx.event_loop.clone())
        })?;
        shared.autostart_all();
        *lock_state() = Some(shared);
        Ok(())
    }

    fn state_cleanup(&self) {
        if let Some(shared) = lock_state().take()
            && connection::INSTANCES.release(&shared)
        {
            shared.detach_all();
        }
    }
}

/// The instance the host's state holds.
fn lock_state() -> std::sync::MutexGuard<'static, Option<Arc<instance::Shared>>> {
    static STATE: Mutex<Option<Arc<instance::Shared>>> = Mutex::new(None);
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where `lxc:///system` keeps its state: [`set_system_root`]'s directory, else
/// `$RVIRT_LXC_SYSTEM_ROOT` (absolute), else `/var/lib/rvirt/lxc-system`.
pub fn system_root() -> PathBuf {
    if let Some(root) = lock_system_root().clone() {
        return root;
    }
    std::env::var_os("RVIRT_LXC_SYSTEM_ROOT")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| PathBuf::from("/var/lib/rvirt/lxc-system"))
}

/// Roots `lxc:///system` at `root` for the rest of the process (a daemon's option,
/// or tests). Instances already open keep their root.
pub fn set_system_root(root: impl Into<PathBuf>) {
    *lock_system_root() = Some(root.into());
}

fn lock_system_root() -> std::sync::MutexGuard<'static, Option<PathBuf>> {
    static ROOT: Mutex<Option<PathBuf>> = Mutex::new(None);
    ROOT.lock().unwrap_or_else(|p| p.into_inner())
}

/// Registers the LXC driver with rvirt-core's registry. Calling it again is a no-op.
pub fn register() -> Result<()> {
    static DRIVER: OnceLock<Arc<LxcDriver>> = OnceLock::new();
    let driver = DRIVER.get_or_init(|| Arc::new(LxcDriver)).clone();
    register_driver(driver)
}

//! The LXC driver proper: `lxc:///system` (also `lxc:///`) and `lxc:///embed?root=/ABS`.
//!
//! * [`register`]: adds the driver (a [`rvirt_core::driver::LocalDriver`]) to the core registry.
//! * A root directory holds `etc/lxc` (persistent XML), `run/lxc` (status, controller pid
//!   files, monitor sockets) and `log/lxc`; `run/lxc/driver.pid` is `flock`ed so one
//!   process uses a root at a time; connections of that process share one instance.
//! * Each running container is a controller process ([`crate::controller`]) whose
//!   monitor socket is watched on the connection's event loop; its EXIT and INIT events
//!   ([`crate::protocol`]) become lifecycle events ([`crate::state::outcome`]).
//! * Controllers outlive the instance: the next instance on the root reconnects to them.

mod connection;
mod host;
mod instance;
mod monitor;
mod reconnect;

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use rvirt_core::driver::{LocalDriver, register_driver};
use rvirt_core::{ErrorDomain, Result};

pub use connection::LxcConnection;

/// The LXC driver (a [`LocalDriver`]: its roots, instances and host state).
pub(crate) static DRIVER: LazyLock<Arc<LocalDriver<instance::Shared>>> = LazyLock::new(|| {
    Arc::new(LocalDriver::new(
        "lxc",
        ErrorDomain::Lxc,
        "RVIRT_LXC_SYSTEM_ROOT",
        "/var/lib/rvirt/lxc-system",
        None,
        &["/", ""],
    ))
});

/// Where `lxc:///system` keeps its state: [`set_system_root`]'s directory, else
/// `$RVIRT_LXC_SYSTEM_ROOT` (absolute), else `/var/lib/rvirt/lxc-system`.
pub fn system_root() -> PathBuf {
    DRIVER.system_root()
}

/// Roots `lxc:///system` at `root` for the rest of the process (a daemon's option,
/// or tests). Instances already open keep their root.
pub fn set_system_root(root: impl Into<PathBuf>) {
    DRIVER.set_system_root(root.into());
}

/// Registers the LXC driver with rvirt-core's registry. Calling it again is a no-op.
pub fn register() -> Result<()> {
    register_driver(DRIVER.clone())
}

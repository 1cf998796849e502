//! The QEMU driver proper. It always runs inside the calling process: `qemu:///embed?
//! root=/ABS` (libvirt ≥ 6.1's embedded driver), and `qemu:///system` /
//! `qemu:///session` for a daemon hosting it (roots from [`set_system_root`] or
//! `RVIRT_QEMU_SYSTEM_ROOT`, and `$XDG_DATA_HOME/rvirt/qemu`).
//!
//! * [`QemuDriver`] / [`register`]: the [`Driver`] the core registry opens.
//! * The root directory gets libvirt's layout (`etc/qemu`, `run/qemu`, `log/qemu`,
//!   `cache/qemu`, `lib/qemu`) and `run/qemu/driver.pid` is held with an exclusive
//!   `flock`, so only one process uses a root at a time; connections of that process
//!   to the same root share one driver instance.
//! * Domains are QEMU processes started with `-S` and an inherited listening monitor
//!   socket; after the QMP handshake and `cont` the monitor is watched on the
//!   connection's event loop, and QMP events become lifecycle events
//!   ([`event_map`](crate::event_map)).
//!
//! Running domains outlive the instance: when the last connection closes (or the
//! process dies, even by SIGKILL) QEMU runs on, and the next instance on the root
//! reconnects to it through its status file and monitor socket.

mod connection;
mod instance;
mod monitor;
mod ops;
mod reaper;
mod reconnect;
mod root;
mod running;
mod start;
mod status;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use rvirt_core::driver::{Driver, DriverConnection, OpenContext, StateContext, register_driver};
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
        let root = match (uri.embed_root()?, uri.path()) {
            (Some(root), _) => root,
            (None, "/system") => system_root(),
            (None, "/session") => session_root()?,
            (None, path) => {
                return Err(Error::new(
                    ErrorCode::NoSupport,
                    ErrorDomain::Qemu,
                    format!(
                        "unexpected QEMU URI path '{path}', try qemu:///system, qemu:///session or qemu:///embed?root=/ABSOLUTE/DIR"
                    ),
                ));
            }
        };
        let Some(event_loop) = ctx.event_loop else {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::Qemu,
                "An event loop implementation must be registered",
            ));
        };
        Ok(Box::new(QemuConnection::open(
            &root, event_loop, ctx.events,
        )?))
    }

    /// Runs `qemu:///system`'s instance for the host from now on: guests are followed
    /// (shutdowns, reboots, crashes, reaping) with no connection open, and autostart
    /// domains are started.
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

/// Where `qemu:///system` keeps its state: [`set_system_root`]'s directory, else
/// `$RVIRT_QEMU_SYSTEM_ROOT`, else `/var/lib/rvirt/qemu-system`.
pub fn system_root() -> PathBuf {
    if let Some(root) = lock_system_root().clone() {
        return root;
    }
    std::env::var_os("RVIRT_QEMU_SYSTEM_ROOT")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| PathBuf::from("/var/lib/rvirt/qemu-system"))
}

/// Roots `qemu:///system` at `root` for the rest of the process (a daemon's
/// `--qemu-root`, or tests running unprivileged in a temp dir). Instances already
/// open keep their root.
pub fn set_system_root(root: impl Into<PathBuf>) {
    *lock_system_root() = Some(root.into());
}

fn lock_system_root() -> std::sync::MutexGuard<'static, Option<PathBuf>> {
    static ROOT: Mutex<Option<PathBuf>> = Mutex::new(None);
    ROOT.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where `qemu:///session` keeps its state: `$XDG_DATA_HOME/rvirt/qemu`, else
/// `$HOME/.local/share/rvirt/qemu`.
fn session_root() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                "cannot find the session directory: neither XDG_DATA_HOME nor HOME is set",
            )
        })?;
    Ok(base.join("rvirt/qemu"))
}

/// Registers the QEMU driver with rvirt-core's registry. Calling it again is a no-op.
pub fn register() -> Result<()> {
    static DRIVER: OnceLock<Arc<QemuDriver>> = OnceLock::new();
    let driver = DRIVER.get_or_init(|| Arc::new(QemuDriver)).clone();
    register_driver(driver)
}

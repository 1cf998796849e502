//! The QEMU driver proper. It always runs inside the calling process: `qemu:///embed?
//! root=/ABS` (libvirt ≥ 6.1's embedded driver), and `qemu:///system` /
//! `qemu:///session` for a daemon hosting it (roots from [`set_system_root`] or
//! `RVIRT_QEMU_SYSTEM_ROOT`, and `$XDG_DATA_HOME/rvirt/qemu`).
//!
//! * [`register`]: adds the driver (a [`rvirt_core::driver::LocalDriver`]) to the core registry.
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

mod agent;
mod autodestroy;
mod blkiotune;
mod block_iotune;
mod channel;
mod checkpoint;
mod configuration;
mod connection;
mod console;
mod core_dump;
pub(crate) mod disk_jobs;
mod disk_secrets;
mod graphics_fd;
mod graphics_password;
mod guest_agent;
mod guest_control;
mod guest_info;
mod guest_vcpus;
mod host;
pub(crate) mod instance;
mod jobs;
mod keycodes;
mod live;
mod memory_backing;
mod memory_peek;
mod memtune;
mod migration;
mod migration_params;
mod migration_wait;
mod moment_dir;
mod monitor;
mod monitoring;
mod native;
mod netplug;
mod networks;
mod nic_tune;
mod numa_tune;
mod nwfilters;
mod ops;
mod passthrough;
mod perf_events;
mod pm_suspend;
mod reaper;
mod reconnect;
mod root;
mod running;
mod save;
mod save_image;
mod save_xml;
mod scheduler;
pub(crate) mod snapshot;
mod socket_io;
mod start;
mod status;
mod threads;

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use rvirt_core::driver::{LocalDriver, register_driver};
use rvirt_core::{ErrorDomain, Result};

pub use connection::QemuConnection;
pub(crate) use guest_agent::base64;
pub use root::DriverRoot;

/// The QEMU driver (a [`LocalDriver`]: its roots, instances and host state).
pub(crate) static DRIVER: LazyLock<Arc<LocalDriver<instance::Shared>>> = LazyLock::new(|| {
    Arc::new(LocalDriver::new(
        "qemu",
        ErrorDomain::Qemu,
        "RVIRT_QEMU_SYSTEM_ROOT",
        "/var/lib/rvirt/qemu-system",
        Some("rvirt/qemu"),
        &[],
    ))
});

/// Where `qemu:///system` keeps its state: [`set_system_root`]'s directory, else
/// `$RVIRT_QEMU_SYSTEM_ROOT`, else `/var/lib/rvirt/qemu-system`.
pub fn system_root() -> PathBuf {
    DRIVER.system_root()
}

/// Roots `qemu:///system` at `root` for the rest of the process (a daemon's
/// `--qemu-root`, or tests running unprivileged in a temp dir). Instances already
/// open keep their root.
pub fn set_system_root(root: impl Into<PathBuf>) {
    DRIVER.set_system_root(root.into());
}

/// Registers the QEMU driver with rvirt-core's registry. Calling it again is a no-op.
pub fn register() -> Result<()> {
    register_driver(DRIVER.clone())
}

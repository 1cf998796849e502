//! The embedded driver's root directory and its instance lock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rvirt_core::driver::files::RootLock;
use rvirt_core::{ErrorDomain, Result};

/// How long [`DriverRoot::acquire`] waits for a root lock held by someone else.
pub const LOCK_WAIT: Duration = Duration::from_secs(2);

/// An embed root with libvirt's layout, locked for this driver instance.
///
/// The lock (`run/qemu/driver.pid`, an exclusive `flock` holding our pid) is released
/// when this value is dropped.
#[derive(Debug)]
pub struct DriverRoot {
    root: PathBuf,
    lock: RootLock,
}

impl DriverRoot {
    /// Creates `ROOT/{etc,run,log,cache,lib}/qemu` (private: 0700) and takes the instance lock (waiting
    /// up to `LOCK_WAIT`, 2 s, for a holder to let go).
    ///
    /// Errors: `VIR_ERR_OPERATION_FAILED` when another process holds the root;
    /// `VIR_ERR_SYSTEM_ERROR` for I/O failures.
    pub fn acquire(root: &Path) -> Result<DriverRoot> {
        let lock = RootLock::acquire_root(
            root,
            &["etc/qemu", "run/qemu", "log/qemu", "cache/qemu", "lib/qemu"],
            "run/qemu/driver.pid",
            LOCK_WAIT,
            ErrorDomain::Qemu,
            "embedded QEMU driver",
        )?;
        Ok(DriverRoot {
            root: root.to_path_buf(),
            lock,
        })
    }

    /// The root itself.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// `ROOT/etc/qemu`: persistent definitions.
    pub fn config_dir(&self) -> PathBuf {
        self.root.join("etc/qemu")
    }

    /// `ROOT/run/qemu`: pid and status files.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join("run/qemu")
    }

    /// `ROOT/log/qemu`: per-domain QEMU logs.
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("log/qemu")
    }

    /// `ROOT/cache/qemu`.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache/qemu")
    }

    /// `ROOT/lib/qemu`: per-domain private directories (monitor sockets).
    pub fn lib_dir(&self) -> PathBuf {
        self.root.join("lib/qemu")
    }

    /// Releases the lock now (also done on drop).
    pub fn release(self) {
        self.lock.release();
    }
}

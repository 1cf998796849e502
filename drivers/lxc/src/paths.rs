//! The driver root: `etc/lxc` (persistent XML), `run/lxc` (status, pid files, monitor
//! sockets), `log/lxc` (one log per container), its instance lock, and atomic writes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rvirt_core::driver::files::{Durability, RootLock, system_error, write_replace};
use rvirt_core::{Error, ErrorDomain, Result};

/// How long [`DriverRoot::acquire`] waits for a held root lock.
pub const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Longest unix socket path (`sun_path` is 108 bytes, NUL included).
const SUN_PATH_MAX: usize = 107;

pub(crate) fn sys(what: String, e: &std::io::Error) -> Error {
    system_error(ErrorDomain::Lxc, what, e)
}

/// A driver root with its layout, locked for one driver instance
/// (`run/lxc/driver.pid`, an exclusive `flock`), released on drop.
#[derive(Debug)]
pub struct DriverRoot {
    root: PathBuf,
    _lock: RootLock,
}

impl DriverRoot {
    /// Creates `ROOT/{etc,run,log}/lxc` and takes the instance lock, waiting up to
    /// [`LOCK_WAIT`] for it.
    ///
    /// Errors: `VIR_ERR_OPERATION_FAILED` when another process holds the root,
    /// `VIR_ERR_SYSTEM_ERROR` for I/O failures.
    pub fn acquire(root: &Path) -> Result<DriverRoot> {
        DriverRoot::acquire_within(root, LOCK_WAIT)
    }

    /// [`DriverRoot::acquire`], waiting at most `wait` for a held lock (see
    /// [`RootLock::acquire`] for why a released lock may look taken for a moment).
    pub fn acquire_within(root: &Path, wait: Duration) -> Result<DriverRoot> {
        let lock = RootLock::acquire_root(
            root,
            &["etc/lxc", "run/lxc", "log/lxc"],
            "run/lxc/driver.pid",
            wait,
            ErrorDomain::Lxc,
            "LXC driver",
        )?;
        Ok(DriverRoot {
            root: root.to_path_buf(),
            _lock: lock,
        })
    }
}

impl DriverRoot {
    /// The root directory.
    pub fn path(&self) -> &Path {
        &self.root
    }
}

/// Where one root keeps each file (pure path arithmetic, no I/O).
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout of `root`.
    pub fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }

    /// `ROOT/etc/lxc`: persistent definitions.
    pub fn config_dir(&self) -> PathBuf {
        self.root.join("etc/lxc")
    }

    /// `ROOT/run/lxc`: live state.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join("run/lxc")
    }

    /// `ROOT/etc/lxc/NAME.xml`.
    pub fn config_file(&self, name: &str) -> PathBuf {
        self.config_dir().join(format!("{name}.xml"))
    }

    /// `ROOT/run/lxc/NAME.xml`: status of a running container.
    pub fn status_file(&self, name: &str) -> PathBuf {
        self.state_dir().join(format!("{name}.xml"))
    }

    /// `ROOT/run/lxc/NAME.pid`: the controller's pid.
    pub fn pid_file(&self, name: &str) -> PathBuf {
        self.state_dir().join(format!("{name}.pid"))
    }

    /// `ROOT/run/lxc/NAME.sock`: the controller's monitor socket.
    pub fn socket(&self, name: &str) -> PathBuf {
        self.state_dir().join(format!("{name}.sock"))
    }

    /// `ROOT/run/lxc/NAME.rootfs`: mount point where the controller's child assembles
    /// the container root (inside the container's own mount namespace).
    pub fn staging_dir(&self, name: &str) -> PathBuf {
        self.state_dir().join(format!("{name}.rootfs"))
    }

    /// `ROOT/log/lxc/NAME.log`.
    pub fn log_file(&self, name: &str) -> PathBuf {
        self.root.join("log/lxc").join(format!("{name}.log"))
    }

    /// Fails with `VIR_ERR_INTERNAL_ERROR` when `name`'s socket path does not fit in
    /// `sun_path`, or when the name could escape the directories.
    pub fn check_name(&self, name: &str) -> Result<()> {
        if name.contains('/') || name.starts_with('.') || name.contains('\0') {
            return Err(Error::xml(
                ErrorDomain::Lxc,
                format!("domain name '{name}' cannot be used as a file name"),
            ));
        }
        let sock = self.socket(name);
        if sock.as_os_str().len() > SUN_PATH_MAX {
            return Err(Error::internal(
                ErrorDomain::Lxc,
                format!("monitor socket path '{}' is too long", sock.display()),
            ));
        }
        Ok(())
    }
}

/// Writes `data` to `path` atomically and durably: temp file in the same directory,
/// fsync, rename, fsync of the directory. For persistent configuration.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    write_replace(path, data, Durability::Synced, ErrorDomain::Lxc)
}

/// Writes run-time state (`run/lxc`): temp file + rename, so readers never see half a
/// file, but no fsync — run state means nothing after a host crash (libvirt keeps it on
/// tmpfs), and two fsyncs cost ~10 ms here, a third of a container start.
pub fn write_run_state(path: &Path, data: &[u8]) -> Result<()> {
    write_replace(path, data, Durability::RenameOnly, ErrorDomain::Lxc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("rvl-paths-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.xml");
        write_atomic(&f, b"one").unwrap();
        write_run_state(&f, b"two").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn root_lock_is_exclusive_between_processes_and_names_are_checked() {
        let dir = std::env::temp_dir().join(format!("rvl-lock-{}", std::process::id()));
        let r = DriverRoot::acquire(&dir).unwrap();
        assert!(dir.join("etc/lxc").is_dir() && dir.join("log/lxc").is_dir());
        // flock locks belong to the open file description: a second open conflicts.
        let e = DriverRoot::acquire_within(&dir, Duration::from_millis(30)).unwrap_err();
        assert_eq!(e.code(), rvirt_core::ErrorCode::OperationFailed);
        drop(r);
        drop(DriverRoot::acquire(&dir).unwrap());
        let l = Layout::new(&dir);
        assert!(l.check_name("ok-name").is_ok());
        assert!(l.check_name("../x").is_err());
        assert!(l.check_name(&"x".repeat(120)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

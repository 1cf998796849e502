//! The embedded driver's root directory and its instance lock.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// An embed root with libvirt's layout, locked for this driver instance.
///
/// The lock (`run/qemu/driver.pid`, `flock(LOCK_EX|LOCK_NB)`, holding our pid) is
/// released when this value is dropped.
#[derive(Debug)]
pub struct DriverRoot {
    root: PathBuf,
    lock: File,
}

fn system_error(what: String, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{what}: {e}"),
    )
}

impl DriverRoot {
    /// Creates `ROOT/{etc,run,log,cache,lib}/qemu` and takes the instance lock.
    ///
    /// Errors: `VIR_ERR_OPERATION_FAILED` when another driver instance (in this or
    /// another process) holds the root; `VIR_ERR_SYSTEM_ERROR` for I/O failures.
    pub fn acquire(root: &Path) -> Result<DriverRoot> {
        for sub in ["etc", "run", "log", "cache", "lib"] {
            let dir = root.join(sub).join("qemu");
            std::fs::create_dir_all(&dir)
                .map_err(|e| system_error(format!("cannot create '{}'", dir.display()), &e))?;
        }
        let path = root.join("run/qemu/driver.pid");
        let mut lock = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| system_error(format!("cannot open '{}'", path.display()), &e))?;
        // SAFETY: flock on an fd we own; no memory is involved.
        let rc = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Qemu,
                    format!(
                        "the embedded QEMU driver root '{}' is already in use (pid file '{}' locked by pid {})",
                        root.display(),
                        path.display(),
                        holder.trim()
                    ),
                ));
            }
            return Err(system_error(
                format!("cannot lock '{}'", path.display()),
                &e,
            ));
        }
        lock.set_len(0)
            .and_then(|()| writeln!(lock, "{}", std::process::id()))
            .map_err(|e| system_error(format!("cannot write '{}'", path.display()), &e))?;
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

    /// Releases the lock now (also done on drop) and removes the pid file.
    pub fn release(self) {
        let _ = std::fs::remove_file(self.root.join("run/qemu/driver.pid"));
        drop(self.lock);
    }
}

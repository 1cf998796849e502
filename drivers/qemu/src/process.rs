//! Spawning QEMU with an inherited monitor socket, and reaping it.

use std::fs::File;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// Spawns `binary args…` with `listener` inherited under its own fd number (the
/// number to put in `-chardev socket,fd=N`), stdin from `/dev/null` and
/// stdout/stderr appended to `log` (or discarded).
pub fn spawn_with_monitor(
    binary: &Path,
    args: &[String],
    listener: &UnixListener,
    log: Option<&Path>,
) -> Result<QemuProcess> {
    let fd: RawFd = listener.as_raw_fd();
    let (out, err) = match log {
        Some(path) => {
            let f = File::options().create(true).append(true).open(path)?;
            (Stdio::from(f.try_clone()?), Stdio::from(f))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    let mut cmd = Command::new(binary);
    cmd.args(args).stdin(Stdio::null()).stdout(out).stderr(err);
    // SAFETY: the closure runs in the forked child before exec and only calls
    // fcntl(2), which is async-signal-safe; it touches no Rust-managed state.
    unsafe {
        cmd.pre_exec(move || {
            // std opens every fd close-on-exec; let QEMU inherit the listener.
            if libc::fcntl(fd, libc::F_SETFD, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(|e| {
        Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Qemu,
            format!("cannot execute '{}': {e}", binary.display()),
        )
    })?;
    Ok(QemuProcess { child: Some(child) })
}

/// A QEMU child process that is killed (SIGKILL) and reaped when dropped.
#[derive(Debug)]
pub struct QemuProcess {
    child: Option<Child>,
}

impl QemuProcess {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Waits up to `timeout` for the process to exit on its own; reaps it.
    /// Returns `None` if it is still running.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<Option<ExitStatus>> {
        let deadline = Instant::now() + timeout;
        let Some(child) = self.child.as_mut() else {
            return Ok(None);
        };
        loop {
            if let Some(status) = child.try_wait()? {
                self.child = None;
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends SIGKILL (if still running) and reaps the process.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            // kill() only signals this child's own pid; ESRCH-like failures after
            // exit are harmless, the wait reaps either way.
            let _ = child.kill();
            child.wait()?;
        }
        Ok(())
    }
}

impl Drop for QemuProcess {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// True if a process with `pid` exists (zombies included).
pub fn pid_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 performs only the existence/permission check.
    unsafe { libc::kill(pid, 0) == 0 }
}

//! Spawning QEMU with an inherited monitor socket, and reaping it.

mod keeper;
pub mod scan;

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
    spawn_with_fds(binary, args, listener, &[], log)
}

/// [`spawn_with_monitor`] that also lets QEMU inherit `fds` under their numbers (tap
/// devices for `-netdev tap,fd=N`).
pub fn spawn_with_fds(
    binary: &Path,
    args: &[String],
    listener: &UnixListener,
    fds: &[RawFd],
    log: Option<&Path>,
) -> Result<QemuProcess> {
    spawn_as(
        binary,
        args,
        listener,
        fds,
        log,
        crate::security::child::Confinement::default(),
        &ChildExtras::default(),
    )
}

/// What a QEMU child gets besides its arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildExtras {
    /// Added to the environment QEMU inherits (`<qemu:env>`).
    pub env: Vec<(String, String)>,
    /// Lift `RLIMIT_MEMLOCK` before privileges are dropped, as libvirt does for
    /// `<memoryBacking><locked/>` (QEMU's `mem-lock=on` locks all its RAM); without
    /// the privilege to raise it, QEMU's own locking reports the failure.
    pub unlimited_memlock: bool,
}

/// [`spawn_with_fds`] whose child applies `confinement` before exec (enters its
/// private `/dev`, switches to QEMU's user); the daemon itself keeps its namespace
/// and ids; `extras` adds to QEMU's environment and limits.
pub fn spawn_as(
    binary: &Path,
    args: &[String],
    listener: &UnixListener,
    fds: &[RawFd],
    log: Option<&Path>,
    confinement: crate::security::child::Confinement,
    extras: &ChildExtras,
) -> Result<QemuProcess> {
    let unlimited_memlock = extras.unlimited_memlock;
    let fd: RawFd = listener.as_raw_fd();
    let inherited: Vec<RawFd> = std::iter::once(fd).chain(fds.iter().copied()).collect();
    let (out, err) = match log {
        Some(path) => {
            let f = rvirt_core::driver::files::open_private_log(path)?;
            (Stdio::from(f.try_clone()?), Stdio::from(f))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    let dies_with_parent = confinement.dies_with_parent();
    let mut cmd = Command::new(binary);
    cmd.args(args)
        .envs(extras.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // SAFETY: the closure runs in the forked child before exec and only calls
    // fcntl(2), setsid(2), setrlimit(2) and the system calls of `Confinement::apply`
    // (unshare, mount, open, mkdir, mknod, chmod, chown, symlink, chdir, fchdir, close,
    // write, setgroups, setgid, setuid, prctl, getppid), which are async-signal-safe; it
    // only reads the fd list and the prepared data it owns (no allocation) and touches
    // no other Rust-managed state.
    unsafe {
        cmd.pre_exec(move || {
            // std opens every fd close-on-exec; let QEMU inherit the listener and
            // the taps.
            for &fd in &inherited {
                if libc::fcntl(fd, libc::F_SETFD, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            // Own session: a terminal's SIGINT to the embedding program's process
            // group must not reach QEMU; the driver decides what happens to the VM.
            libc::setsid();
            if unlimited_memlock {
                let unlimited = libc::rlimit {
                    rlim_cur: libc::RLIM_INFINITY,
                    rlim_max: libc::RLIM_INFINITY,
                };
                // Without the privilege to raise it QEMU reports its own failure.
                libc::setrlimit(libc::RLIMIT_MEMLOCK, &unlimited);
            }
            // Private /dev, then QEMU's user, then the parent-death signal.
            confinement.apply()
        });
    }
    // A child that dies with this process is forked by a thread that lives as long.
    let spawned = if dies_with_parent {
        keeper::on_keeper(move || cmd.spawn())
    } else {
        cmd.spawn()
    };
    let child = spawned.map_err(|e| {
        Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Qemu,
            format!("cannot execute '{}': {e}", binary.display()),
        )
    })?;
    Ok(QemuProcess {
        child: Some(child),
        adopted: None,
    })
}

/// A QEMU process that is killed (SIGKILL) and reaped when dropped: either our own
/// child, or one adopted from an earlier driver instance (another process started it;
/// it can only be signalled and watched, not waited for).
#[derive(Debug)]
pub struct QemuProcess {
    child: Option<Child>,
    adopted: Option<u32>,
}

impl QemuProcess {
    /// Takes charge of `pid`, a QEMU started by an earlier driver instance.
    pub fn adopt(pid: u32) -> QemuProcess {
        QemuProcess {
            child: None,
            adopted: Some(pid),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        match (&self.child, self.adopted) {
            (Some(c), _) => c.id(),
            (None, Some(pid)) => pid,
            (None, None) => 0,
        }
    }

    /// Lets the process run on without this handle: dropping no longer kills it
    /// (the driver instance is going away, the VM is not).
    pub fn detach(mut self) {
        self.child = None;
        self.adopted = None;
    }

    /// Waits up to `timeout` for the process to exit on its own; reaps it.
    /// Returns `None` if it is still running.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<Option<ExitStatus>> {
        let deadline = Instant::now() + timeout;
        if let Some(pid) = self.adopted {
            loop {
                // An adopted QEMU this process itself started earlier is our child:
                // it is gone once reaped (its leader thread shows as a zombie while
                // the other threads still exit, and cannot be reaped yet).
                let unreaped_child = !reap_if_child(pid);
                if !unreaped_child && !process_alive(pid) {
                    self.adopted = None;
                    return Ok(Some(ExitStatus::default()));
                }
                if Instant::now() >= deadline {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
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

    /// True once the process has exited; reaps it if it is our child. Never blocks.
    pub fn try_reap(&mut self) -> bool {
        matches!(self.wait_timeout(Duration::ZERO), Ok(Some(_)))
    }

    /// Sends SIGKILL without waiting for the process to go (see [`Self::try_reap`]).
    pub fn signal_kill(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.kill();
        } else if let Some(pid) = self.adopted
            && let Ok(raw) = libc::pid_t::try_from(pid)
            && raw > 0
        {
            // SAFETY: kill(2) has no memory-safety preconditions; the pid was checked
            // to be this domain's QEMU when it was adopted.
            unsafe {
                libc::kill(raw, libc::SIGKILL);
            }
        }
    }

    /// Sends SIGKILL (if still running) and reaps the process.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(pid) = self.adopted
            && let Ok(raw) = libc::pid_t::try_from(pid)
            && raw > 0
        {
            // SAFETY: kill(2) has no memory-safety preconditions; the pid was checked
            // to be this domain's QEMU when it was adopted.
            unsafe {
                libc::kill(raw, libc::SIGKILL);
            }
            // Its parent (init or a subreaper) reaps it; wait until it is gone.
            let _ = self.wait_timeout(Duration::from_secs(5));
            self.adopted = None;
        }
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

/// Reaps `pid` if it is an exited child of this process (an adopted QEMU this process
/// itself started and detached earlier). Returns false while `pid` is a child of ours
/// that cannot be reaped yet (still running or still exiting); true once reaped or if
/// it is not our child.
fn reap_if_child(pid: u32) -> bool {
    let Ok(raw) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: waitpid with WNOHANG and a null status pointer writes no memory; for
    // a pid that is not our child it fails with ECHILD.
    let rc = unsafe { libc::waitpid(raw, std::ptr::null_mut(), libc::WNOHANG) };
    rc != 0
}

/// True if `pid` exists and is not a zombie (an exited process its parent has not
/// reaped yet counts as gone).
pub fn process_alive(pid: u32) -> bool {
    if !pid_exists(pid) {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_none_or(|state| state != "Z" && state != "X"),
        Err(_) => false,
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

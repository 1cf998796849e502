//! Controller processes from the driver's side: finding the binary, spawning it with an
//! inherited listening socket, signalling and reaping it.
//!
//! Controllers this process spawned stay in a process-wide table until reaped, so a
//! later driver instance in the same process (a fresh connection) can still wait for
//! them and no zombie is left behind.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// Name of the controller binary.
pub const CONTROLLER_NAME: &str = "rvirt-lxc-controller";

static CONTROLLER_PATH: Mutex<Option<PathBuf>> = Mutex::new(None);
static CHILDREN: Mutex<Option<HashMap<u32, Child>>> = Mutex::new(None);

fn children() -> MutexGuard<'static, Option<HashMap<u32, Child>>> {
    CHILDREN.lock().unwrap_or_else(|p| p.into_inner())
}

/// Uses `path` as the controller binary for the rest of the process (tests and
/// benches pass `env!("CARGO_BIN_EXE_rvirt-lxc-controller")`).
pub fn set_controller_path(path: impl Into<PathBuf>) {
    *CONTROLLER_PATH.lock().unwrap_or_else(|p| p.into_inner()) = Some(path.into());
}

/// The controller binary: the domain's `<emulator>`, else [`set_controller_path`]'s,
/// else `$RVIRT_LXC_CONTROLLER`, else `rvirt-lxc-controller` next to the running
/// executable (or one directory up, for cargo's `deps/`).
pub fn controller_path(emulator: Option<&str>) -> Result<PathBuf> {
    if let Some(e) = emulator {
        return Ok(PathBuf::from(e));
    }
    if let Some(p) = CONTROLLER_PATH
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
    {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os("RVIRT_LXC_CONTROLLER") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let mut dir = exe.parent();
    for _ in 0..2 {
        let Some(d) = dir else { break };
        let candidate = d.join(CONTROLLER_NAME);
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d.parent();
    }
    Err(Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Lxc,
        format!("cannot find the '{CONTROLLER_NAME}' binary; set RVIRT_LXC_CONTROLLER"),
    ))
}

/// Spawns the controller with `listener` as its stdin (it moves the socket to another
/// fd and puts `/dev/null` in its place), stdout/stderr appended to `log`, in its own
/// process group. No `pre_exec` hook, so std can use `posix_spawn` (vfork) instead of
/// forking the whole driver process. Returns its pid; the child stays in this
/// process's table until [`reap`].
pub fn spawn_controller(
    binary: &Path,
    args: &[OsString],
    listener: &UnixListener,
    log: &Path,
) -> Result<u32> {
    let f = rvirt_core::driver::files::open_private_log(log)?;
    let listen = OwnedFd::from(listener.try_clone()?);
    let mut cmd = Command::new(binary);
    cmd.arg("--listen-fd")
        .arg("0")
        .args(args)
        .stdin(Stdio::from(listen))
        .stdout(Stdio::from(f.try_clone()?))
        .stderr(Stdio::from(f))
        .process_group(0);
    let child = cmd.spawn().map_err(|e| {
        Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Lxc,
            format!("cannot execute '{}': {e}", binary.display()),
        )
    })?;
    let pid = child.id();
    children()
        .get_or_insert_with(HashMap::new)
        .insert(pid, child);
    Ok(pid)
}

/// Sends `sig` to `pid` (no-op for 0 or out-of-range pids).
pub fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid)
        && pid > 0
    {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// True while `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|i| stat.get(i + 2..i + 3))
        .unwrap_or("X");
    !matches!(state, "Z" | "X")
}

/// True when `pid` runs in another PID namespace than this process (a container's
/// init does; an unrelated process that got a recycled pid normally does not).
pub fn in_child_pid_ns(pid: u32) -> bool {
    let ns = |dir: &str| std::fs::read_link(format!("{dir}/ns/pid")).ok();
    let theirs = ns(&format!("/proc/{pid}"));
    theirs.is_some() && theirs != ns("/proc/self")
}

/// True when `pid` is a controller of the container `name` (guards against a
/// recycled pid).
pub fn is_controller_of(pid: u32, name: &str) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    let is_ours = args
        .first()
        .is_some_and(|a0| a0.ends_with(CONTROLLER_NAME.as_bytes()));
    is_ours
        && args
            .windows(2)
            .any(|w| w[0] == b"--name" && w[1] == name.as_bytes())
}

/// Waits up to `grace` for `pid` to exit, then SIGKILLs it; reaps it if it is our
/// child. Returns true if it exited on its own.
pub fn reap(pid: u32, grace: Duration) -> bool {
    let deadline = Instant::now() + grace;
    let child = children().as_mut().and_then(|m| m.remove(&pid));
    match child {
        Some(mut c) => loop {
            if let Ok(Some(_)) = c.try_wait() {
                return true;
            }
            if Instant::now() >= deadline {
                let _ = c.kill();
                let _ = c.wait();
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        },
        None => loop {
            if !alive(pid) {
                return true;
            }
            if Instant::now() >= deadline {
                signal(pid, libc::SIGKILL);
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        },
    }
}

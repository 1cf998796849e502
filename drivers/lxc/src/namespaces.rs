//! Creating a container's init (controller side): new PID, mount, UTS, IPC (and
//! optionally network) namespaces, the root filesystem, the hostname, then `exec`.
//!
//! The controller calls `unshare(CLONE_NEWPID)` (which only affects its children) and
//! forks: the child is PID 1 of the new PID namespace. The child unshares the other
//! namespaces, makes every mount private (nothing propagates back to the host),
//! bind-mounts the root directory on a staging mount point, `pivot_root`s into it,
//! detaches the old root, mounts a fresh `/proc` and execs init. Setup errors travel
//! back over a close-on-exec pipe: end-of-file on it means `exec` succeeded, which is
//! the moment the INIT event reports.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::xml::ContainerSpec;

/// Everything the child needs, prepared before `fork` (no allocation decisions left).
struct Prepared {
    rootfs: CString,
    staging: CString,
    hostname: Vec<u8>,
    init_dir: CString,
    init: CString,
    argv: Vec<CString>,
    envp: Vec<CString>,
    flags: libc::c_int,
    read_only: bool,
}

fn cstr(s: impl AsRef<[u8]>) -> Result<CString, String> {
    CString::new(s.as_ref()).map_err(|_| "a path or argument contains a NUL byte".to_owned())
}

fn prepare(spec: &ContainerSpec, staging: &Path) -> Result<Prepared, String> {
    let mut argv = vec![cstr(&spec.init)?];
    for a in &spec.init_args {
        argv.push(cstr(a)?);
    }
    let envp = [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
        "HOME=/".to_owned(),
        "TERM=linux".to_owned(),
        "container=rvirt-lxc".to_owned(),
        format!("LIBVIRT_LXC_NAME={}", spec.hostname),
        format!("LIBVIRT_LXC_UUID={}", spec.uuid),
    ]
    .iter()
    .map(cstr)
    .collect::<Result<Vec<_>, _>>()?;
    let mut flags = libc::CLONE_NEWNS | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC;
    if spec.private_net {
        flags |= libc::CLONE_NEWNET;
    }
    Ok(Prepared {
        rootfs: cstr(spec.root.as_os_str().as_bytes())?,
        staging: cstr(staging.as_os_str().as_bytes())?,
        hostname: spec.hostname.as_bytes().to_vec(),
        init_dir: cstr(&spec.init_dir)?,
        init: cstr(&spec.init)?,
        argv,
        envp,
        flags,
        read_only: spec.read_only,
    })
}

/// Starts the container's init; returns its pid (in the controller's namespace).
/// Blocks until init has been exec'd or setup failed (then the message says which
/// step failed, and the child is reaped).
///
/// Must be called at most once per process (it moves the process's future children
/// into a new PID namespace) while the process is single-threaded. Signals blocked by
/// the caller are unblocked in the child before `exec`.
pub fn spawn_init(spec: &ContainerSpec, staging: &Path) -> Result<u32, String> {
    std::fs::create_dir_all(staging)
        .map_err(|e| format!("cannot create '{}': {e}", staging.display()))?;
    let p = prepare(spec, staging)?;
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two fds into the array we pass.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe2: {}", std::io::Error::last_os_error()));
    }
    let (rd, wr) = (fds[0], fds[1]);
    // SAFETY: unshare(2) with a flag constant; affects only children forked later.
    if unsafe { libc::unshare(libc::CLONE_NEWPID) } != 0 {
        let e = std::io::Error::last_os_error();
        close_both(rd, wr);
        return Err(format!("unshare(CLONE_NEWPID): {e}"));
    }
    // SAFETY: the controller is single-threaded here, so the child may run ordinary
    // code until exec; it never returns from `child_main`.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let e = std::io::Error::last_os_error();
        close_both(rd, wr);
        return Err(format!("fork: {e}"));
    }
    if pid == 0 {
        // SAFETY: closing our copy of the pipe's read end in the child.
        unsafe { libc::close(rd) };
        child_main(&p, wr);
    }
    // SAFETY: closing the parent's copy of the write end.
    unsafe { libc::close(wr) };
    let mut msg = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        // SAFETY: reading into a stack buffer of the length we pass.
        let n = unsafe { libc::read(rd, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            msg.extend_from_slice(&buf[..n as usize]);
        } else if n == 0
            || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
        {
            break;
        }
    }
    // SAFETY: closing the read end we own.
    unsafe { libc::close(rd) };
    if msg.is_empty() {
        return u32::try_from(pid).map_err(|_| "bad pid".to_owned());
    }
    let mut status = 0;
    // SAFETY: reaping our own child, which is exiting after reporting its error.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    Err(String::from_utf8_lossy(&msg).into_owned())
}

fn close_both(a: libc::c_int, b: libc::c_int) {
    // SAFETY: closing two fds we own.
    unsafe {
        libc::close(a);
        libc::close(b);
    }
}

/// The forked child: set up and exec, or report the failing step on `err_fd` and exit.
fn child_main(p: &Prepared, err_fd: libc::c_int) -> ! {
    let failure = setup_and_exec(p);
    let msg = format!("{failure}: {}", std::io::Error::last_os_error());
    // SAFETY: writing a buffer we own to the pipe, then leaving without running any
    // of the parent's atexit handlers or destructors.
    unsafe {
        libc::write(err_fd, msg.as_ptr().cast(), msg.len());
        libc::_exit(127)
    }
}

/// Returns the name of the step that failed (errno is still set); never returns on
/// success.
fn setup_and_exec(p: &Prepared) -> &'static str {
    let null = std::ptr::null::<libc::c_char>();
    // SAFETY: every call below is a plain system call given NUL-terminated strings
    // that outlive it, pointers to initialised locals, or null where the kernel
    // allows it.
    unsafe {
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
            return "prctl(PR_SET_PDEATHSIG)";
        }
        libc::setsid();
        if libc::unshare(p.flags) != 0 {
            return "unshare(mount, uts, ipc namespaces)";
        }
        if libc::mount(
            null,
            c"/".as_ptr(),
            null,
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return "making mounts private";
        }
        if libc::sethostname(p.hostname.as_ptr().cast(), p.hostname.len()) != 0 {
            return "sethostname";
        }
        if libc::mount(
            p.rootfs.as_ptr(),
            p.staging.as_ptr(),
            null,
            libc::MS_BIND | libc::MS_REC,
            std::ptr::null(),
        ) != 0
        {
            return "bind-mounting the root filesystem";
        }
        if p.read_only {
            let mut st: libc::statvfs = std::mem::zeroed();
            let mut keep = 0;
            if libc::statvfs(p.staging.as_ptr(), &mut st) == 0 {
                for (st_flag, ms_flag) in [
                    (libc::ST_NOSUID, libc::MS_NOSUID),
                    (libc::ST_NODEV, libc::MS_NODEV),
                    (libc::ST_NOEXEC, libc::MS_NOEXEC),
                ] {
                    if st.f_flag & st_flag != 0 {
                        keep |= ms_flag;
                    }
                }
            }
            if libc::mount(
                null,
                p.staging.as_ptr(),
                null,
                libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | keep,
                std::ptr::null(),
            ) != 0
            {
                return "remounting the root read-only";
            }
        }
        if libc::chdir(p.staging.as_ptr()) != 0 {
            return "chdir to the new root";
        }
        if libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) != 0 {
            return "pivot_root";
        }
        if libc::umount2(c".".as_ptr(), libc::MNT_DETACH) != 0 {
            return "detaching the old root";
        }
        if libc::chdir(c"/".as_ptr()) != 0 {
            return "chdir /";
        }
        if libc::mount(
            c"proc".as_ptr(),
            c"/proc".as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        ) != 0
        {
            return "mounting /proc";
        }
        if libc::chdir(p.init_dir.as_ptr()) != 0 {
            return "chdir to the init directory";
        }
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        let mut argv: Vec<*const libc::c_char> = p.argv.iter().map(|a| a.as_ptr()).collect();
        argv.push(null);
        let mut envp: Vec<*const libc::c_char> = p.envp.iter().map(|a| a.as_ptr()).collect();
        envp.push(null);
        libc::execve(p.init.as_ptr(), argv.as_ptr(), envp.as_ptr());
    }
    "exec of init"
}

//! `rvirt-qemu-run [-r ROOT] [-v] DOMAIN.xml`: runs one transient QEMU guest through
//! the embedded driver until it stops (rvirt's `virt-qemu-run`).
//!
//! Exit status 0 once the guest was started and stopped again (also after a signal,
//! which destroys it); 1 for any setup failure.
//!
//! The guest is started with `VIR_DOMAIN_START_AUTODESTROY`: it lives no longer than
//! this process, also when the process is killed with SIGKILL and no handler runs (the
//! kernel ends QEMU with it).

use std::ffi::CString;
use std::os::fd::RawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rvirt_core::api::create_flags;
use rvirt_core::event::{self, EventLoop, Interest};
use rvirt_core::{Connect, DomainEvent, DomainEventId, Lifecycle};

/// Write end of the self-pipe the signal handler pokes.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe; `b` outlives the call.
        unsafe {
            libc::write(fd, (&b as *const u8).cast(), 1);
        }
    }
}

struct Args {
    root: Option<PathBuf>,
    verbose: bool,
    xml: PathBuf,
}

fn usage(argv0: &str) -> ! {
    eprintln!(
        "Usage: {argv0} [OPTIONS] GUEST-XML\n\n  -r, --root=DIR   state root (default: a temporary directory removed at exit)\n  -v, --verbose    print progress with elapsed milliseconds\n  -h, --help       this help"
    );
    std::process::exit(1)
}

fn parse_args() -> Args {
    let mut it = std::env::args();
    let argv0 = it.next().unwrap_or_else(|| "rvirt-qemu-run".into());
    let mut root = None;
    let mut verbose = false;
    let mut pos = Vec::new();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-r" | "--root" => {
                root = Some(PathBuf::from(it.next().unwrap_or_else(|| usage(&argv0))))
            }
            "-v" | "--verbose" => verbose = true,
            "-h" | "--help" => usage(&argv0),
            s if s.starts_with("--root=") => root = Some(PathBuf::from(&s[7..])),
            s if s.starts_with('-') && s.len() > 1 => usage(&argv0),
            _ => pos.push(PathBuf::from(a)),
        }
    }
    if pos.len() != 1 {
        usage(&argv0);
    }
    Args {
        root,
        verbose,
        xml: pos.remove(0),
    }
}

fn make_temp_root() -> std::io::Result<PathBuf> {
    let template = std::env::temp_dir().join("rvirt-qemu-run-XXXXXX");
    let c = CString::new(template.into_os_string().into_encoded_bytes())
        .map_err(std::io::Error::other)?;
    let mut bytes = c.into_bytes_with_nul();
    // SAFETY: `bytes` is a NUL-terminated, writable template ending in XXXXXX.
    let p = unsafe { libc::mkdtemp(bytes.as_mut_ptr().cast()) };
    if p.is_null() {
        return Err(std::io::Error::last_os_error());
    }
    bytes.pop();
    let path = PathBuf::from(String::from_utf8(bytes).map_err(std::io::Error::other)?);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}

fn install_signals() -> std::io::Result<RawFd> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    SIGNAL_PIPE.store(fds[1], Ordering::Relaxed);
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
        // SAFETY: a zeroed sigaction is valid; we install a handler that only calls
        // write(2), and pass valid pointers.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            if libc::sigaction(sig, &sa, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    // SAFETY: ignoring SIGPIPE has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    Ok(fds[0])
}

fn main() {
    let t0 = Instant::now();
    let args = parse_args();
    let argv0 = std::env::args()
        .next()
        .unwrap_or_else(|| "rvirt-qemu-run".into());
    let verbose = args.verbose;
    let say = move |what: &str| {
        if verbose {
            eprintln!("{}: {what}", t0.elapsed().as_millis());
        }
    };
    let (root, temp) = match &args.root {
        Some(r) => (std::path::absolute(r).unwrap_or_else(|_| r.clone()), false),
        None => match make_temp_root() {
            Ok(p) => (p, true),
            Err(e) => {
                eprintln!("{argv0}: cannot create temporary directory: {e}");
                std::process::exit(1);
            }
        },
    };
    let code = run(&args, &root, &say).unwrap_or_else(|msg| {
        eprintln!("{argv0}: {msg}");
        1
    });
    if temp {
        let _ = std::fs::remove_dir_all(&root);
    }
    std::process::exit(code);
}

fn run(args: &Args, root: &std::path::Path, say: &dyn Fn(&str)) -> Result<i32, String> {
    let sig_rd = install_signals().map_err(|e| format!("cannot install signal handlers: {e}"))?;
    rvirt_driver_qemu::register().map_err(|e| format!("cannot register the QEMU driver: {e}"))?;
    let default =
        event::register_default().map_err(|e| format!("cannot set up the event loop: {e}"))?;
    let uri = format!("qemu:///embed?root={}", root.display());
    let conn = Connect::open(&uri).map_err(|e| format!("cannot connect to {uri}: {e}"))?;
    say("opened");
    let stopped = Arc::new(AtomicBool::new(false));
    let signalled = Arc::new(AtomicBool::new(false));
    {
        let stopped = stopped.clone();
        let l = default.clone();
        conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, ev| {
            if let DomainEvent::Lifecycle(Lifecycle::Stopped(_)) = ev {
                stopped.store(true, Ordering::Release);
                l.quit();
            }
        })
        .map_err(|e| format!("cannot register for events: {e}"))?;
    }
    {
        let signalled = signalled.clone();
        let l = default.clone();
        default
            .add_handle(
                sig_rd,
                Interest::READABLE,
                Box::new(move |_, fd, _| {
                    let mut buf = [0u8; 16];
                    // SAFETY: reads into a local buffer of the given length.
                    while unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
                    signalled.store(true, Ordering::Release);
                    l.quit();
                }),
            )
            .map_err(|e| format!("cannot watch the signal pipe: {e}"))?;
    }
    let xml = std::fs::read_to_string(&args.xml)
        .map_err(|e| format!("cannot read {}: {e}", args.xml.display()))?;
    let dom = conn
        .create_xml(&xml, create_flags::START_AUTODESTROY)
        .map_err(|e| format!("cannot start VM: {e}"))?;
    say("started");
    let dom = Mutex::new(Some(dom));
    while !stopped.load(Ordering::Acquire) {
        default
            .run()
            .map_err(|e| format!("event loop failed: {e}"))?;
        if signalled.swap(false, Ordering::AcqRel) && !stopped.load(Ordering::Acquire) {
            say("signal received, destroying");
            if let Some(d) = dom.lock().unwrap_or_else(|p| p.into_inner()).take() {
                let _ = d.destroy();
            }
            // Deliver the STOPPED event.
            let _ = default.run_once_timeout(std::time::Duration::from_millis(100));
            break;
        }
    }
    say("stopped");
    let _ = conn.close();
    Ok(0)
}

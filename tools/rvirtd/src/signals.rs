//! SIGTERM/SIGINT/SIGHUP turned into an fd event (self-pipe), so the daemon stops from
//! its event loop and removes its sockets.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};

use rvirt_core::event::{EventLoop, Interest, SharedLoop, WatchId};

static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(_sig: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: write(2) is async-signal-safe; `byte` outlives the call and the fd is
        // the non-blocking write end of our pipe (a full pipe just drops the byte).
        unsafe {
            libc::write(fd, (&byte as *const u8).cast(), 1);
        }
    }
}

/// The installed handler: keeps the pipe open while the watch lives.
#[derive(Debug)]
pub struct Signals {
    _read: OwnedFd,
    _write: OwnedFd,
    /// The watch on the pipe's read end.
    _watch: WatchId,
}

/// Installs handlers for SIGTERM, SIGINT and SIGHUP; `on_signal` runs on the loop.
pub fn install(
    event_loop: &SharedLoop,
    mut on_quit: impl FnMut() + Send + 'static,
) -> io::Result<Signals> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    PIPE_WRITE.store(fds[1], Ordering::Relaxed);
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction is a valid starting value; the handler only calls
        // async-signal-safe functions.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            if libc::sigaction(sig, &sa, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    let read_fd = fds[0];
    let watch = event_loop
        .add_handle(
            read_fd,
            Interest::READABLE,
            Box::new(move |_, fd, _| {
                let mut buf = [0u8; 16];
                // SAFETY: reading into a local buffer of the given length from our pipe.
                while unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
                on_quit();
            }),
        )
        .map_err(io::Error::other)?;
    Ok(Signals {
        _read: read,
        _write: write,
        _watch: watch,
    })
}

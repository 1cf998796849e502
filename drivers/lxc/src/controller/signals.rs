//! The controller's signals, read synchronously from a signalfd.

use std::os::fd::RawFd;

/// What a signal asks the controller to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Signalled {
    /// SIGCHLD: init may have exited.
    Child,
    /// SIGTERM or SIGINT: destroy the container.
    Terminate,
    /// Anything else (SIGHUP): ignored.
    Other,
}

/// A non-blocking signalfd for SIGCHLD, SIGTERM, SIGINT and SIGHUP, which are blocked
/// for normal delivery (children unblock them before exec).
#[derive(Debug)]
pub(super) struct SignalFd {
    fd: RawFd,
}

impl SignalFd {
    /// Blocks the signals and opens the signalfd.
    pub(super) fn new() -> std::io::Result<SignalFd> {
        // SAFETY: sigset_t is plain data; sigemptyset/sigaddset initialise it.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer to the set above, and signal-mask calls on this
        // (single-threaded) process; signalfd returns a new fd we own.
        let fd = unsafe {
            libc::sigemptyset(&mut set);
            for s in [libc::SIGCHLD, libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
                libc::sigaddset(&mut set, s);
            }
            if libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC)
        };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(SignalFd { fd })
    }

    /// The fd to poll.
    pub(super) fn fd(&self) -> RawFd {
        self.fd
    }

    /// Every pending signal.
    pub(super) fn read(&self) -> Vec<Signalled> {
        let mut out = Vec::new();
        loop {
            // SAFETY: signalfd_siginfo is plain data, filled by read(2) below.
            let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
            let size = std::mem::size_of::<libc::signalfd_siginfo>();
            // SAFETY: reading at most `size` bytes into `info`.
            let n = unsafe { libc::read(self.fd, (&raw mut info).cast(), size) };
            if n != size as isize {
                return out;
            }
            out.push(match info.ssi_signo as libc::c_int {
                libc::SIGCHLD => Signalled::Child,
                libc::SIGTERM | libc::SIGINT => Signalled::Terminate,
                _ => Signalled::Other,
            });
        }
    }
}

impl Drop for SignalFd {
    fn drop(&mut self) {
        // SAFETY: closing the fd we own.
        unsafe { libc::close(self.fd) };
    }
}

/// `waitpid(pid, WNOHANG)`: the wait status once `pid` exited.
pub(super) fn try_wait(pid: u32) -> Option<libc::c_int> {
    let mut status = 0;
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: waitpid on our own child with a pointer to a local.
    let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    (rc == pid).then_some(status)
}

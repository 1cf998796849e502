//! What an fd has pending *now*: a zero-timeout `poll(2)`, for backend authors.
//!
//! A backend whose host loop registers each watched fd itself and reports edges or
//! one-shot readiness can use this to give libvirt's level-triggered semantics: after a
//! callback, ask the fd again and keep dispatching while a condition is still pending.
//! rvirt's own adapters keep their fds in an epoll set of their own instead
//! ([`FdWatches`](super::FdWatches): epoll is level-triggered) and need none of this.

use std::io;
use std::os::fd::RawFd;

use super::Interest;

/// The `poll(2)` request bits for a watch mask (error and hang-up need no request).
pub fn poll_events(mask: Interest) -> libc::c_short {
    let mut events = 0;
    if mask.contains(Interest::READABLE) {
        events |= libc::POLLIN;
    }
    if mask.contains(Interest::WRITABLE) {
        events |= libc::POLLOUT;
    }
    events
}

/// Translates `poll(2)`'s `revents` into libvirt's bits. Like libvirt's poll loop, `POLLNVAL`
/// (the fd is not open) is reported as [`Interest::ERROR`]; a backend that prefers to forget
/// closed fds masks `POLLNVAL` out first.
pub fn interest_from_revents(revents: libc::c_short) -> Interest {
    let mut ready = Interest::NONE;
    if revents & (libc::POLLIN | libc::POLLPRI) != 0 {
        ready |= Interest::READABLE;
    }
    if revents & libc::POLLOUT != 0 {
        ready |= Interest::WRITABLE;
    }
    if revents & (libc::POLLERR | libc::POLLNVAL) != 0 {
        ready |= Interest::ERROR;
    }
    if revents & libc::POLLHUP != 0 {
        ready |= Interest::HANGUP;
    }
    ready
}

/// A `pollfd` asking for `mask` on `fd`.
pub fn pollfd(fd: RawFd, mask: Interest) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: poll_events(mask),
        revents: 0,
    }
}

/// Fills `revents` of every entry of `fds` without sleeping (retries on `EINTR`).
pub fn poll_now(fds: &mut [libc::pollfd]) -> io::Result<()> {
    if fds.is_empty() {
        return Ok(());
    }
    let n = libc::nfds_t::try_from(fds.len()).unwrap_or(libc::nfds_t::MAX);
    loop {
        // SAFETY: `fds` is a valid, writable slice of at least `n` pollfd entries, and a zero
        // timeout means the call does not keep the pointer beyond its return.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), n, 0) };
        if rc >= 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// What `fd` has pending right now among `mask`, plus error and hang-up.
pub fn pending(fd: RawFd, mask: Interest) -> Interest {
    let mut p = [pollfd(fd, mask)];
    match poll_now(&mut p) {
        Ok(()) => interest_from_revents(p[0].revents),
        Err(_) => Interest::NONE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    fn pipe() -> (OwnedFd, OwnedFd) {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for two descriptors.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        // SAFETY: fresh descriptors owned by nobody else.
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
    }

    #[test]
    fn reports_current_conditions() {
        let (r, w) = pipe();
        let rw = Interest::READABLE | Interest::WRITABLE;
        assert_eq!(pending(r.as_raw_fd(), rw), Interest::NONE);
        assert_eq!(pending(w.as_raw_fd(), rw), Interest::WRITABLE);
        assert_eq!(pending(w.as_raw_fd(), Interest::READABLE), Interest::NONE);
        // SAFETY: writes one byte from a valid buffer.
        let n = unsafe { libc::write(w.as_raw_fd(), b"x".as_ptr().cast(), 1) };
        assert_eq!(n, 1);
        assert_eq!(
            pending(r.as_raw_fd(), Interest::READABLE),
            Interest::READABLE
        );
        drop(w);
        assert!(pending(r.as_raw_fd(), Interest::READABLE).contains(Interest::HANGUP));
        assert_eq!(
            pending(-1, Interest::READABLE),
            Interest::NONE,
            "negative fds are skipped"
        );
        assert_eq!(interest_from_revents(libc::POLLNVAL), Interest::ERROR);
    }
}

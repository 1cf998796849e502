//! The zero-timeout `poll(2)` that turns tokio's edge-triggered readiness into
//! level-triggered readiness.

use std::io;
use std::os::fd::RawFd;

use rvirt_core::event::Interest;

/// The `poll(2)` request bits for a watch mask (ERROR and HANGUP are always reported).
pub(crate) fn poll_events(mask: Interest) -> libc::c_short {
    let mut events = 0;
    if mask.contains(Interest::READABLE) {
        events |= libc::POLLIN;
    }
    if mask.contains(Interest::WRITABLE) {
        events |= libc::POLLOUT;
    }
    events
}

/// Translates `poll(2)`'s `revents` into libvirt's bits. `POLLNVAL` (fd not open) maps to
/// nothing: like epoll, the loop forgets a closed fd.
pub(crate) fn interest_from_revents(revents: libc::c_short) -> Interest {
    let mut ready = Interest::NONE;
    if revents & libc::POLLIN != 0 {
        ready |= Interest::READABLE;
    }
    if revents & libc::POLLOUT != 0 {
        ready |= Interest::WRITABLE;
    }
    if revents & libc::POLLERR != 0 {
        ready |= Interest::ERROR;
    }
    if revents & libc::POLLHUP != 0 {
        ready |= Interest::HANGUP;
    }
    ready
}

/// A `pollfd` asking for `events` on `fd`.
pub(crate) fn pollfd(fd: RawFd, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}

/// Checks the current readiness of every entry of `fds` without sleeping, filling `revents`.
pub(crate) fn poll_now(fds: &mut [libc::pollfd]) -> io::Result<()> {
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

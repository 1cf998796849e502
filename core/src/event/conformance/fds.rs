//! Small fd helpers for the suite: eventfds, pipes and socket pairs.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

fn check(rc: i32, what: &str) -> i32 {
    assert!(
        rc >= 0,
        "{what} failed: {}",
        std::io::Error::last_os_error()
    );
    rc
}

/// A non-blocking eventfd.
#[derive(Debug)]
pub(crate) struct EventFd(OwnedFd);

impl EventFd {
    pub(crate) fn new() -> EventFd {
        // SAFETY: eventfd takes no pointers; the result is checked.
        let fd = check(
            unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) },
            "eventfd",
        );
        // SAFETY: a fresh descriptor owned by nobody else.
        EventFd(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    pub(crate) fn raw(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// Makes the fd readable.
    pub(crate) fn signal(&self) {
        signal_raw(self.raw());
    }

    /// Consumes the counter; true if it was non-zero.
    pub(crate) fn consume(&self) -> bool {
        consume_raw(self.raw())
    }
}

/// Makes the eventfd `fd` readable.
pub(crate) fn signal_raw(fd: RawFd) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64.
    let n = unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
    assert_eq!(n, 8, "eventfd write");
}

/// Consumes the eventfd `fd`'s counter; true if it was non-zero.
pub(crate) fn consume_raw(fd: RawFd) -> bool {
    let mut v: u64 = 0;
    // SAFETY: reads at most 8 bytes into a valid u64.
    let n = unsafe { libc::read(fd, (&mut v as *mut u64).cast(), 8) };
    n == 8
}

/// A non-blocking pipe: `(read end, write end)`.
pub(crate) fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    check(
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) },
        "pipe2",
    );
    // SAFETY: fresh descriptors owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// A connected, non-blocking unix stream socket pair.
pub(crate) fn socketpair() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    check(
        unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
                fds.as_mut_ptr(),
            )
        },
        "socketpair",
    );
    // SAFETY: fresh descriptors owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// Writes `data` to `fd`, asserting it all went.
pub(crate) fn write_all(fd: RawFd, data: &[u8]) {
    // SAFETY: `data` is a valid slice for the given length.
    let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
    assert_eq!(n, data.len() as isize, "write to fd {fd}");
}

/// Reads up to `max` bytes from `fd`; returns how many (0 at EOF or when nothing is there).
pub(crate) fn read_some(fd: RawFd, max: usize) -> usize {
    let mut buf = vec![0u8; max];
    // SAFETY: `buf` is a valid writable buffer of `max` bytes.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), max) };
    n.max(0) as usize
}

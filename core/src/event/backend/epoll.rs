//! A level-triggered epoll instance and the translation between epoll's condition bits
//! and libvirt's [`Interest`], shared by the default loop and by backends that keep their
//! fd watches in an epoll set of their own ([`FdWatches`](super::FdWatches)).
//!
//! epoll reports exactly the conditions `poll(2)` would — `EPOLLERR` and `EPOLLHUP`
//! whatever was asked — and, level-triggered, reports an fd again for as long as its
//! condition stays pending: libvirt's delivery rules without any re-checking.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use crate::event::Interest;

/// Readable condition.
pub const EPOLL_IN: u32 = libc::EPOLLIN as u32;
/// Writable condition.
pub const EPOLL_OUT: u32 = libc::EPOLLOUT as u32;
/// Error condition (always reported).
pub const EPOLL_ERR: u32 = libc::EPOLLERR as u32;
/// Hang-up condition (always reported).
pub const EPOLL_HUP: u32 = libc::EPOLLHUP as u32;

/// Initial room for the events of one [`Epoll::ready_now`]; doubled while it comes back
/// full.
const MIN_EVENTS: usize = 256;
/// The most events one [`Epoll::ready_now`] takes; the rest (still pending) come with the
/// next look.
const MAX_EVENTS: usize = 4096;

/// An epoll instance (level-triggered registrations only), closed on drop.
#[derive(Debug)]
pub struct Epoll(OwnedFd);

impl Epoll {
    /// Creates an epoll instance (close-on-exec).
    pub fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; the result is checked below.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a freshly created descriptor that nothing else owns.
        Ok(Epoll(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    fn ctl(&self, op: i32, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
        let mut ev = libc::epoll_event { events, u64: data };
        // SAFETY: `ev` is a valid epoll_event for the duration of the call; the kernel checks
        // `fd` itself and reports EBADF for a closed one.
        let rc = unsafe { libc::epoll_ctl(self.0.as_raw_fd(), op, fd, &mut ev) };
        if rc < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// Adds `fd` with the condition bits `events`; `data` comes back with its reports.
    pub fn add(&self, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, events, data)
    }

    /// Changes the registration of `fd`.
    pub fn modify(&self, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, events, data)
    }

    /// Removes `fd` from the set.
    pub fn delete(&self, fd: RawFd) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Makes the registration of `fd` (its data word: the fd number) what its watches ask
    /// for: `wanted` = the union of their epoll bits, or `None` when every watch is paused
    /// (the fd leaves the set). `registered` is what the set holds now, as this function
    /// last returned it; the result is what it holds afterwards. Copes with what a watched
    /// fd's owner may have done meanwhile: closed it (epoll forgot it) and maybe reused the
    /// number for another file.
    pub fn sync_fd(
        &self,
        fd: RawFd,
        registered: Option<u32>,
        wanted: Option<u32>,
    ) -> io::Result<Option<u32>> {
        let data = fd as u64;
        match (wanted, registered) {
            (Some(mask), None) => {
                // EEXIST: the fd number is still in the set from an earlier life.
                self.add(fd, mask, data)
                    .or_else(|e| match e.raw_os_error() {
                        Some(libc::EEXIST) => self.modify(fd, mask, data),
                        _ => Err(e),
                    })?;
            }
            (Some(mask), Some(old)) if old != mask => {
                // ENOENT: the watched file was closed (epoll forgot it) and the fd number
                // now names another file.
                self.modify(fd, mask, data)
                    .or_else(|e| match e.raw_os_error() {
                        Some(libc::ENOENT) => self.add(fd, mask, data),
                        _ => Err(e),
                    })?;
            }
            (None, Some(_)) => {
                // The fd may already be closed by its owner; epoll forgot it then.
                let _ = self.delete(fd);
            }
            _ => {}
        }
        Ok(wanted)
    }

    /// Waits for events; `None` blocks without limit. Returns how many entries of `buf`
    /// were filled (0 on timeout or when interrupted by a signal).
    pub fn wait(
        &self,
        buf: &mut [libc::epoll_event],
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        let ms = match timeout {
            None => -1,
            // Round up so a sub-millisecond wait does not turn into a busy loop.
            Some(d) => i32::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
        };
        let cap = i32::try_from(buf.len()).unwrap_or(i32::MAX);
        // SAFETY: `buf` is a valid, writable slice of `cap` epoll_event entries.
        let n = unsafe { libc::epoll_wait(self.0.as_raw_fd(), buf.as_mut_ptr(), cap, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(0);
            }
            return Err(e);
        }
        Ok(n as usize)
    }

    /// Fills `buf` with the fds that have a pending condition now (never sleeps) and
    /// returns how many entries are filled; `buf` grows while it comes back full (up to
    /// 4,096 entries a look). An interrupted look reports nothing: whatever is pending
    /// stays for the next one.
    pub fn ready_now(&self, buf: &mut Vec<libc::epoll_event>) -> io::Result<usize> {
        if buf.is_empty() {
            buf.resize(MIN_EVENTS, libc::epoll_event { events: 0, u64: 0 });
        }
        let n = self.wait(buf, Some(Duration::ZERO))?;
        if n == buf.len() && n < MAX_EVENTS {
            buf.resize(n * 2, libc::epoll_event { events: 0, u64: 0 });
        }
        Ok(n)
    }
}

impl AsFd for Epoll {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl AsRawFd for Epoll {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// The epoll bits asking for the readable/writable part of `events` (ERROR and HANGUP
/// need no asking).
pub fn epoll_mask(events: Interest) -> u32 {
    let mut mask = 0;
    if events.contains(Interest::READABLE) {
        mask |= EPOLL_IN;
    }
    if events.contains(Interest::WRITABLE) {
        mask |= EPOLL_OUT;
    }
    mask
}

/// Translates epoll's report into libvirt's bits.
pub fn interest_from_epoll(bits: u32) -> Interest {
    let mut ready = Interest::NONE;
    if bits & EPOLL_IN != 0 {
        ready |= Interest::READABLE;
    }
    if bits & EPOLL_OUT != 0 {
        ready |= Interest::WRITABLE;
    }
    if bits & EPOLL_ERR != 0 {
        ready |= Interest::ERROR;
    }
    if bits & EPOLL_HUP != 0 {
        ready |= Interest::HANGUP;
    }
    ready
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_translate_both_ways() {
        assert_eq!(epoll_mask(Interest::READABLE | Interest::HANGUP), EPOLL_IN);
        assert_eq!(epoll_mask(Interest::WRITABLE), EPOLL_OUT);
        assert_eq!(
            interest_from_epoll(EPOLL_IN | EPOLL_ERR | EPOLL_HUP),
            Interest::READABLE | Interest::ERROR | Interest::HANGUP
        );
        assert_eq!(interest_from_epoll(EPOLL_OUT), Interest::WRITABLE);
    }

    #[test]
    fn ready_now_reports_a_readable_eventfd_and_never_sleeps() {
        let ep = Epoll::new().unwrap();
        // SAFETY: eventfd takes no pointers; the result is checked and owned below.
        let efd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        assert!(efd >= 0);
        // SAFETY: a fresh descriptor nothing else owns.
        let owned = unsafe { OwnedFd::from_raw_fd(efd) };
        ep.add(efd, EPOLL_IN, 7).unwrap();
        let mut buf = Vec::new();
        assert_eq!(ep.ready_now(&mut buf).unwrap(), 0);
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to our eventfd.
        let n = unsafe { libc::write(efd, (&one as *const u64).cast(), 8) };
        assert_eq!(n, 8);
        assert_eq!(ep.ready_now(&mut buf).unwrap(), 1);
        let (events, data) = (buf[0].events, buf[0].u64);
        assert_eq!((events & EPOLL_IN, data), (EPOLL_IN, 7));
        // Level-triggered: still reported while unread.
        assert_eq!(ep.ready_now(&mut buf).unwrap(), 1);
        ep.delete(efd).unwrap();
        assert_eq!(ep.ready_now(&mut buf).unwrap(), 0);
        drop(owned);
    }
}

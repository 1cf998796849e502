//! [`TimerFd`]: a one-shot `timerfd` (CLOCK_MONOTONIC, the clock of [`Instant`]) that an
//! adapter puts into its [`Epoll`](super::Epoll) set so that its timers wake the host loop
//! through the same fd as its watches, to the nanosecond rather than to the millisecond of
//! a poll timeout or of a host loop's timer wheel.
//!
//! The adapter keeps it armed for the earliest deadline of its [`TimerTable`]
//! (see [`TimerTable::next_deadline`]): [`TimerFd::arm_before`] when a timer is added or
//! updated (a syscall only when the new deadline comes first), [`TimerFd::set`] after each
//! dispatch. A deadline already passed makes the fd readable at once. The fd stays readable
//! once expired until [`TimerFd::expired`] is called.
//!
//! [`TimerTable`]: super::TimerTable
//! [`TimerTable::next_deadline`]: super::TimerTable::next_deadline

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

/// A non-blocking, close-on-exec, one-shot monotonic timerfd and the deadline it is armed
/// for.
#[derive(Debug)]
pub struct TimerFd {
    fd: OwnedFd,
    /// What the kernel timer is set to: `None` when disarmed (or expired and drained).
    armed: Option<Instant>,
}

impl TimerFd {
    /// Creates a disarmed timerfd.
    pub fn new() -> io::Result<TimerFd> {
        // SAFETY: timerfd_create takes no pointers; the result is checked below.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(TimerFd {
            // SAFETY: `fd` is a freshly created descriptor that nothing else owns.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            armed: None,
        })
    }

    /// The deadline the timer is armed for, if any.
    pub fn armed(&self) -> Option<Instant> {
        self.armed
    }

    /// Arms the timer for `deadline` unless it is already armed for that moment or an
    /// earlier one (a registration change: the next dispatch sets it exactly).
    pub fn arm_before(&mut self, deadline: Instant) -> io::Result<()> {
        match self.armed {
            Some(d) if d <= deadline => Ok(()),
            _ => self.set(Some(deadline)),
        }
    }

    /// Arms the timer for exactly `deadline`, or disarms it for `None`; no syscall when it is
    /// armed so already.
    pub fn set(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        if self.armed == deadline {
            return Ok(());
        }
        let value = match deadline {
            None => libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                // A zero value would disarm: a deadline already passed fires in 1 ns.
                let nanos = left.subsec_nanos().max(u32::from(left.as_secs() == 0));
                libc::timespec {
                    tv_sec: libc::time_t::try_from(left.as_secs()).unwrap_or(libc::time_t::MAX),
                    tv_nsec: nanos.into(),
                }
            }
        };
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: value,
        };
        // SAFETY: `spec` is a valid itimerspec for the duration of the call, and a null old
        // value is allowed.
        let rc =
            unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        self.armed = deadline;
        Ok(())
    }

    /// Consumes an expiry (the epoll set reported the fd readable): the fd is no longer
    /// readable and the timer counts as disarmed until set again.
    pub fn expired(&mut self) {
        let mut count: u64 = 0;
        // SAFETY: reads at most 8 bytes into a valid u64; EAGAIN (not expired after all, the
        // timer having been re-armed meanwhile) leaves it armed as it was.
        let n = unsafe { libc::read(self.fd.as_raw_fd(), (&mut count as *mut u64).cast(), 8) };
        if n == 8 {
            self.armed = None;
        }
    }
}

impl AsFd for TimerFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for TimerFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::backend::{EPOLL_IN, Epoll};
    use std::time::Duration;

    #[test]
    fn fires_through_an_epoll_set_and_rearms_only_earlier() {
        let ep = Epoll::new().unwrap();
        let mut t = TimerFd::new().unwrap();
        ep.add(t.as_raw_fd(), EPOLL_IN, 1).unwrap();
        let mut buf = Vec::new();
        assert_eq!(ep.ready_now(&mut buf).unwrap(), 0, "created disarmed");

        let start = Instant::now();
        let soon = start + Duration::from_millis(5);
        t.arm_before(soon).unwrap();
        t.arm_before(start + Duration::from_secs(60)).unwrap();
        assert_eq!(t.armed(), Some(soon), "a later deadline does not re-arm");
        let mut ev = vec![libc::epoll_event { events: 0, u64: 0 }; 4];
        assert_eq!(ep.wait(&mut ev, Some(Duration::from_secs(5))).unwrap(), 1);
        assert!(start.elapsed() >= Duration::from_millis(5), "fired early");
        assert_eq!(
            ep.ready_now(&mut buf).unwrap(),
            1,
            "stays readable until drained"
        );
        t.expired();
        assert_eq!(t.armed(), None);
        assert_eq!(ep.ready_now(&mut buf).unwrap(), 0);

        t.set(Some(start)).unwrap();
        assert_eq!(
            ep.wait(&mut ev, Some(Duration::from_secs(5))).unwrap(),
            1,
            "past: at once"
        );
        t.expired();
        t.set(Some(Instant::now() + Duration::from_millis(1)))
            .unwrap();
        t.set(None).unwrap();
        assert_eq!(
            ep.wait(&mut ev, Some(Duration::from_millis(20))).unwrap(),
            0,
            "disarmed"
        );
    }
}

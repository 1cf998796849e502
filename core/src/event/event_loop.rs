//! The registration trait every event-loop backend implements.

use std::fmt;
use std::os::fd::RawFd;
use std::sync::Arc;

use super::{Interest, TimerId, TimerInterval, WatchId};

/// Called when a watched fd has a pending condition: `(watch, fd, pending)`.
///
/// Dropping the box is libvirt's `ff` (free callback): a loop drops it only after the
/// dispatch in progress has returned, never from inside [`EventLoop::remove_handle`].
pub type HandleCallback = Box<dyn FnMut(WatchId, RawFd, Interest) + Send>;

/// Called when a timer fires: `(timer)`. Dropped like a [`HandleCallback`].
pub type TimerCallback = Box<dyn FnMut(TimerId) + Send>;

/// A shared, thread-safe handle on some event loop.
pub type SharedLoop = Arc<dyn EventLoop>;

/// Why an event-loop operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventError {
    /// No watch with this id is registered (never was, or was removed).
    UnknownWatch(WatchId),
    /// No timer with this id is registered (never was, or was removed).
    UnknownTimer(TimerId),
    /// No event loop has been registered process-wide (see [`crate::event::register`]).
    NoLoopRegistered,
    /// A different event loop is already registered process-wide.
    AlreadyRegistered,
    /// The loop is already being run by another caller (or re-entered from a callback).
    AlreadyRunning,
    /// The fd cannot be watched (for example it is not open).
    BadFd(RawFd, std::io::Error),
    /// The operating system refused an operation of the loop itself.
    Os(std::io::Error),
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::UnknownWatch(w) => write!(f, "no event watch with id {w}"),
            EventError::UnknownTimer(t) => write!(f, "no event timer with id {t}"),
            EventError::NoLoopRegistered => {
                f.write_str("an event loop implementation must be registered")
            }
            EventError::AlreadyRegistered => {
                f.write_str("another event loop implementation is already registered")
            }
            EventError::AlreadyRunning => f.write_str("the event loop is already running"),
            EventError::BadFd(fd, e) => write!(f, "cannot watch fd {fd}: {e}"),
            EventError::Os(e) => write!(f, "event loop system call failed: {e}"),
        }
    }
}

impl std::error::Error for EventError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventError::BadFd(_, e) | EventError::Os(e) => Some(e),
            _ => None,
        }
    }
}

/// libvirt's pluggable event-loop API: fd watches and timers.
///
/// Every backend (the built-in [`DefaultLoop`](crate::event::DefaultLoop), and the GLib, mio,
/// tokio, calloop and async-io adapters) implements this trait with libvirt's semantics, which
/// the conformance suite (`rvirt_core::event::conformance`, feature `test-util`) checks:
///
/// * Watch ids and timer ids come from two counters starting at 1 and are never reused.
/// * Removing an unknown id is an error, never a panic. Updating one is an error that
///   callers may ignore (libvirt ignores it).
/// * The callback box (libvirt's `opaque` + `ff`) of a removed watch or timer is dropped
///   later, after the current dispatch and outside the loop's locks, never inside `remove_*`.
///   A removed watch or timer is never dispatched again.
/// * All six operations may be called from any thread and from inside callbacks, and they
///   wake a loop that is sleeping so the change takes effect at once.
/// * Delivery is level-triggered: a readable fd whose data was not read is reported again.
///   [`Interest::ERROR`] and [`Interest::HANGUP`] are reported even when not requested.
/// * A watch whose mask is [`Interest::NONE`] stays registered but is not polled.
/// * Several watches on one fd are allowed when their masks do not overlap.
pub trait EventLoop: Send + Sync {
    /// Watches `fd` for the conditions in `events`, calling `callback` while one is pending.
    ///
    /// The fd must stay open until the watch is removed; the loop neither owns nor closes it.
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError>;

    /// Changes the conditions a watch waits for; [`Interest::NONE`] pauses it.
    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError>;

    /// Unregisters a watch. Its callback is dropped later, never within this call.
    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError>;

    /// Registers a timer firing per `interval` (periodic, not one-shot).
    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError>;

    /// Changes a timer's interval; the next firing is counted from now.
    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError>;

    /// Unregisters a timer. Its callback is dropped later, never within this call.
    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError>;

    /// True if the calling thread is the one that runs this loop — inside a callback,
    /// or between the iterations it drives — so that a caller here waiting for a
    /// callback of this loop would wait for itself. Drivers use it to do the loop's
    /// part themselves rather than deadlock. Backends that cannot tell return false
    /// (the default).
    fn is_loop_thread(&self) -> bool {
        false
    }
}

/// Closure-taking conveniences over any [`EventLoop`].
pub trait EventLoopExt: EventLoop {
    /// [`EventLoop::add_handle`] with a closure instead of a box.
    fn watch_fd<F>(&self, fd: RawFd, events: Interest, f: F) -> Result<WatchId, EventError>
    where
        F: FnMut(WatchId, RawFd, Interest) + Send + 'static,
    {
        self.add_handle(fd, events, Box::new(f))
    }

    /// [`EventLoop::add_timeout`] with a closure instead of a box.
    fn timer<F>(&self, interval: TimerInterval, f: F) -> Result<TimerId, EventError>
    where
        F: FnMut(TimerId) + Send + 'static,
    {
        self.add_timeout(interval, Box::new(f))
    }
}

impl<T: EventLoop + ?Sized> EventLoopExt for T {}

impl<T: EventLoop + ?Sized> EventLoop for Arc<T> {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        (**self).add_handle(fd, events, callback)
    }
    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        (**self).update_handle(watch, events)
    }
    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        (**self).remove_handle(watch)
    }
    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        (**self).add_timeout(interval, callback)
    }
    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        (**self).update_timeout(timer, interval)
    }
    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        (**self).remove_timeout(timer)
    }
    fn is_loop_thread(&self) -> bool {
        (**self).is_loop_thread()
    }
}

impl fmt::Debug for dyn EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dyn EventLoop")
    }
}

//! rvirt's event loop on an application-owned [`mio::Poll`].
//!
//! [`MioLoop`] implements [`rvirt_core::event::EventLoop`] (libvirt's fd-watch and timer API)
//! on top of a `mio::Poll` that the application keeps and polls itself, next to its own
//! sources. The application integrates the loop with two calls around each poll:
//!
//! 1. [`MioLoop::next_timeout`] before `poll.poll(...)`, to bound the sleep by the next rvirt
//!    timer (or make it zero when the watched fds must be looked at again);
//! 2. [`MioLoop::dispatch`] after it, with the whole [`mio::Events`] (tokens that are not the
//!    loop's are ignored), which runs due timers and ready watches.
//!
//! [`MioLoop::run_once`] does both for an application that has nothing else in its `Poll`.
//!
//! # Tokens
//!
//! The loop takes two [`mio::Token`]s: `token_base` (given to [`MioLoop::new`]) is its
//! [`mio::Waker`] and `token_base + 1` its epoll set (below). [`MioLoop::owns_token`] tells
//! them apart from the application's; [`DEFAULT_TOKEN_BASE`] (half of `usize::MAX`) keeps
//! them out of the application's way.
//!
//! # Fds and level-triggered delivery
//!
//! As [`EventLoop::add_handle`] requires, a watched fd must stay open until its watch is
//! removed. The loop keeps every watched fd in a level-triggered epoll instance of its own
//! ([`rvirt_core::event::backend::FdWatches`]); the application's `Poll` watches only that
//! epoll fd. So the application may register a watched fd in its `Poll` itself too, and a
//! watch whose mask is [`Interest::NONE`] leaves the set.
//!
//! mio registrations are edge-triggered, while libvirt's callbacks are level-triggered: a
//! readable fd whose data is not read must be reported again. A dispatch that finds ready
//! fds (and any change to the watches) makes the next dispatch look at the epoll set again
//! whatever mio reports, and [`MioLoop::next_timeout`] returns zero meanwhile; the set
//! itself is level-triggered, so the loop keeps iterating exactly as long as a condition is
//! still pending, with one `epoll_wait` per iteration for all fds.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::time::Duration;
//!
//! use mio::{Events, Poll};
//! use rvirt_core::event::{EventError, EventLoop, EventLoopExt, TimerInterval};
//! use rvirt_mio::{DEFAULT_TOKEN_BASE, MioLoop};
//!
//! let mut poll = Poll::new().map_err(EventError::Os)?;
//! let mut events = Events::with_capacity(256);
//! let ev = MioLoop::new(poll.registry(), DEFAULT_TOKEN_BASE)?;
//!
//! let fired = Arc::new(AtomicU32::new(0));
//! let f = fired.clone();
//! let timer = ev.timer(TimerInterval::from_millis(5), move |_| {
//!     f.fetch_add(1, Ordering::SeqCst);
//! })?;
//! while fired.load(Ordering::SeqCst) == 0 {
//!     // An application with its own sources calls `next_timeout`, `poll.poll` and
//!     // `dispatch` itself; `run_once` is the three in a row.
//!     ev.run_once(&mut poll, &mut events, Some(Duration::from_secs(1)))?;
//! }
//! ev.remove_timeout(timer)?;
//! # Ok::<(), EventError>(())
//! ```

mod tables;

use std::fmt;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Poll, Registry, Token, Waker};
use rvirt_core::event::backend::{Epoll, dispatch_ready};
use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};

use self::tables::{Garbage, Tables};

/// A token base that leaves every token below `usize::MAX / 2` to the application.
pub const DEFAULT_TOKEN_BASE: usize = usize::MAX / 2;

/// rvirt's [`EventLoop`] on a `mio::Poll` that the application owns and polls.
///
/// Built on the poll's [`Registry`]: a [`Waker`] on the reserved token `token_base` and
/// the loop's epoll set on `token_base + 1`. Cloning gives another handle on the same
/// loop; every clone is `Send + Sync`, and every [`EventLoop`] method may be called from any
/// thread and from inside callbacks. A change made while the loop sleeps in `poll` wakes it
/// through the waker. Callbacks run on the thread that calls [`MioLoop::dispatch`] (or
/// [`MioLoop::run_once`]), one at a time.
///
/// See the [crate documentation](crate) for the token scheme and for how level-triggered
/// delivery is emulated on mio's edge-triggered readiness.
#[derive(Clone)]
pub struct MioLoop {
    inner: Arc<Inner>,
}

struct Inner {
    waker: Waker,
    token_base: usize,
    /// The epoll set holding every watched fd, registered in the application's `Poll`.
    epoll: Epoll,
    /// What one look at `epoll` found (only the dispatching thread uses it).
    ready: Mutex<Vec<libc::epoll_event>>,
    tables: Mutex<Tables>,
    running: AtomicBool,
}

impl fmt::Debug for MioLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MioLoop")
            .field("token_base", &self.inner.token_base)
            .field("running", &self.inner.running.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Clears the `running` flag when a dispatch ends, even by panic.
struct RunGuard<'a>(&'a Inner);

impl<'a> RunGuard<'a> {
    fn acquire(inner: &'a Inner) -> Result<Self, EventError> {
        inner
            .running
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EventError::AlreadyRunning)?;
        Ok(RunGuard(inner))
    }
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        lock(&self.0.tables).dispatching = None;
        self.0.running.store(false, Ordering::Release);
    }
}

fn lock(tables: &Mutex<Tables>) -> MutexGuard<'_, Tables> {
    tables
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MioLoop {
    /// Creates a loop on `registry`'s poll, taking the tokens `token_base` (its waker) and
    /// `token_base + 1` (its epoll set of watched fds).
    ///
    /// The application must not use those two tokens itself. [`DEFAULT_TOKEN_BASE`] is a
    /// good choice.
    pub fn new(registry: &Registry, token_base: usize) -> Result<MioLoop, EventError> {
        let set_token = token_base.checked_add(1).ok_or_else(|| {
            EventError::Os(std::io::Error::from(std::io::ErrorKind::InvalidInput))
        })?;
        let epoll = Epoll::new().map_err(EventError::Os)?;
        registry
            .register(
                &mut SourceFd(&epoll.as_raw_fd()),
                Token(set_token),
                mio::Interest::READABLE,
            )
            .map_err(EventError::Os)?;
        let waker = Waker::new(registry, Token(token_base)).map_err(EventError::Os)?;
        Ok(MioLoop {
            inner: Arc::new(Inner {
                waker,
                token_base,
                epoll,
                ready: Mutex::new(Vec::new()),
                tables: Mutex::new(Tables::default()),
                running: AtomicBool::new(false),
            }),
        })
    }

    /// This loop as a [`SharedLoop`], for [`rvirt_core::event::register`] or a `Connect`.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }

    /// The first of the loop's two tokens (its waker; the next one is its epoll set).
    pub fn token_base(&self) -> usize {
        self.inner.token_base
    }

    /// True when `token` belongs to this loop (its waker or its epoll set), so the
    /// application should leave the event to [`MioLoop::dispatch`].
    pub fn owns_token(&self, token: Token) -> bool {
        token.0 == self.inner.token_base || Some(token.0) == self.set_token()
    }

    fn set_token(&self) -> Option<usize> {
        self.inner.token_base.checked_add(1)
    }

    /// Wakes the thread sleeping in `poll` (for instance to make it notice a quit flag).
    ///
    /// Registration changes wake the loop by themselves; this is for the application's own
    /// state.
    pub fn wake(&self) -> Result<(), EventError> {
        self.inner.waker.wake().map_err(EventError::Os)
    }

    fn tables(&self) -> MutexGuard<'_, Tables> {
        lock(&self.inner.tables)
    }

    /// How long the application may let `poll.poll` sleep: until the next rvirt timer is
    /// due, zero when an every-iteration timer exists or the watched fds must be looked at
    /// again, `None` (no limit) otherwise. Combine it with the application's own limit (the
    /// minimum).
    pub fn next_timeout(&self) -> Option<Duration> {
        let t = self.tables();
        if t.look {
            return Some(Duration::ZERO);
        }
        t.next_timer_wait(Instant::now())
    }

    /// Runs the loop's part of one iteration after the application's `poll.poll` returned:
    /// due timers, then the watches whose fds are ready (when mio reported the loop's epoll
    /// set, or a look is due anyway). Events for other tokens are ignored.
    ///
    /// Callbacks of removed watches and timers are dropped here, after the dispatch and
    /// with no lock held. Fails with [`EventError::AlreadyRunning`] when called from inside
    /// a callback or while another thread is dispatching.
    pub fn dispatch(&self, events: &Events) -> Result<(), EventError> {
        let _running = RunGuard::acquire(&self.inner)?;
        self.drop_garbage();
        let set_token = self.set_token().map(Token);
        let (look, watch_limit, timer_limit) = {
            let mut t = self.tables();
            t.begin_dispatch();
            // mio's waker is edge-triggered and needs no draining.
            let reported = events.iter().any(|ev| Some(ev.token()) == set_token);
            let look = reported || std::mem::take(&mut t.look);
            (look, t.watches.id_limit(), t.timer_id_limit())
        };
        let mut ids = Vec::new();
        self.dispatch_timers(timer_limit, &mut ids);
        if look {
            let mut ready = self
                .inner
                .ready
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match self.inner.epoll.ready_now(&mut ready) {
                Ok(n) => {
                    dispatch_ready(
                        &self.inner.tables,
                        |t| &mut t.watches,
                        &ready[..n],
                        1..watch_limit,
                    );
                    if n > 0 {
                        // Level-triggered: look again next iteration, and dispatch again if
                        // a callback left its condition pending.
                        self.tables().look = true;
                    }
                }
                Err(e) => {
                    // Keep the readiness for the next iteration rather than losing it.
                    self.tables().look = true;
                    drop(ready);
                    self.drop_garbage();
                    return Err(EventError::Os(e));
                }
            }
        }
        self.drop_garbage();
        Ok(())
    }

    /// One whole iteration for an application whose `Poll` holds nothing else: polls for at
    /// most `max_wait` (`None`: until a timer is due, an fd is ready or a change wakes the
    /// loop), then [`MioLoop::dispatch`]es. An interrupted poll (`EINTR`) is an empty one.
    pub fn run_once(
        &self,
        poll: &mut Poll,
        events: &mut Events,
        max_wait: Option<Duration>,
    ) -> Result<(), EventError> {
        let timeout = match (self.next_timeout(), max_wait) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match poll.poll(events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => events.clear(),
            Err(e) => return Err(EventError::Os(e)),
        }
        self.dispatch(events)
    }

    /// Drops deferred callbacks with no lock held (libvirt's deferred `ff`).
    fn drop_garbage(&self) {
        let garbage: Vec<Garbage> = std::mem::take(&mut self.tables().graveyard);
        drop(garbage);
    }

    fn dispatch_timers(&self, limit: u64, ids: &mut Vec<u64>) {
        let now = Instant::now();
        self.tables().due_timers(now, limit, ids);
        for &id in ids.iter() {
            let Some(mut cb) = self.tables().take_timer_callback(id, now) else {
                continue;
            };
            cb(TimerId::new(id).expect("timer ids are non-zero"));
            self.tables().put_timer_callback(id, cb);
        }
    }

    /// Applies a registration change under the lock, then wakes the loop if needed.
    fn change<R>(
        &self,
        f: impl FnOnce(&mut Tables, &Epoll) -> Result<R, EventError>,
    ) -> Result<R, EventError> {
        let (r, wake) = {
            let mut t = self.tables();
            let r = f(&mut t, &self.inner.epoll);
            (r, t.needs_wake())
        };
        if wake {
            // Failing to wake leaves the change for the next iteration; nothing is lost.
            let _ = self.inner.waker.wake();
        }
        r
    }
}

impl EventLoop for MioLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        self.change(|t, epoll| t.add_watch(epoll, fd, events, callback))
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        self.change(|t, epoll| t.update_watch(epoll, watch, events))
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        self.change(|t, epoll| t.remove_watch(epoll, watch))
    }

    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        self.change(|t, _| Ok(t.add_timer(interval, callback)))
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        self.change(|t, _| t.update_timer(timer, interval))
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        self.change(|t, _| t.remove_timer(timer))
    }
}

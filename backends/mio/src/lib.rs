//! rvirt's event loop on an application-owned [`mio::Poll`].
//!
//! [`MioLoop`] implements [`rvirt_core::event::EventLoop`] (libvirt's fd-watch and timer API)
//! on top of a `mio::Poll` that the application keeps and polls itself, next to its own
//! sources. The application integrates the loop with two calls around each poll:
//!
//! 1. [`MioLoop::next_timeout`] before `poll.poll(...)`, to bound the sleep by the next rvirt
//!    timer (or make it zero when an fd must be re-checked);
//! 2. [`MioLoop::dispatch`] after it, with the whole [`mio::Events`] (tokens that are not the
//!    loop's are ignored), which runs due timers and ready watches.
//!
//! [`MioLoop::run_once`] does both for an application that has nothing else in its `Poll`.
//!
//! # Tokens
//!
//! The loop takes every [`mio::Token`] from the `token_base` given to [`MioLoop::new`]
//! upwards: `token_base` is its [`mio::Waker`] and `token_base + 1 + fd` is fd `fd`.
//! Application tokens must stay below `token_base`; [`MioLoop::owns_token`] tells them apart.
//! [`DEFAULT_TOKEN_BASE`] (half of `usize::MAX`) leaves the whole lower half to the application.
//!
//! # Fds
//!
//! As [`EventLoop::add_handle`] requires, a watched fd must stay open until its watch is
//! removed. The loop registers each watched fd once in the application's `Poll` (several
//! watches on one fd share that registration), so the application must not register the
//! same fd itself: adding the watch then fails with [`EventError::BadFd`] (`EEXIST`). A
//! watch whose mask is [`Interest::NONE`] keeps no registration.
//!
//! # Level-triggered delivery
//!
//! mio registrations are edge-triggered, while libvirt's callbacks are level-triggered: a
//! readable fd whose data is not read must be reported again. The loop treats mio's events
//! only as hints. Every fd that mio reports, that was just dispatched, or whose watches were
//! (re)activated is put on a *pending* list; each [`MioLoop::dispatch`] checks the pending fds
//! with one zero-timeout `poll(2)` and dispatches those that really are ready, which puts them
//! on the list again. [`MioLoop::next_timeout`] returns zero while the list is not empty, so
//! the loop keeps iterating exactly as long as something is still pending.
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
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mio::{Events, Poll, Registry, Token, Waker};
use rvirt_core::event::readiness;
use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};

use self::tables::{Garbage, Tables};

/// A token base that leaves every token below `usize::MAX / 2` to the application.
pub const DEFAULT_TOKEN_BASE: usize = usize::MAX / 2;

/// rvirt's [`EventLoop`] on a `mio::Poll` that the application owns and polls.
///
/// Built from the poll's [`Registry`] (cloned with [`Registry::try_clone`]) and a
/// [`Waker`] on the reserved token `token_base`. Cloning gives another handle on the same
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
    registry: Registry,
    waker: Waker,
    token_base: usize,
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
    /// Creates a loop on `registry`'s poll, taking every token from `token_base` upwards.
    ///
    /// `token_base` becomes the loop's waker; fd `n` is registered as `token_base + 1 + n`.
    /// The application must not use those tokens itself. [`DEFAULT_TOKEN_BASE`] is a good
    /// choice unless the application needs the upper half of the token space.
    pub fn new(registry: &Registry, token_base: usize) -> Result<MioLoop, EventError> {
        let fd_token_base = token_base.checked_add(1).ok_or_else(|| {
            EventError::Os(std::io::Error::from(std::io::ErrorKind::InvalidInput))
        })?;
        let waker = Waker::new(registry, Token(token_base)).map_err(EventError::Os)?;
        let registry = registry.try_clone().map_err(EventError::Os)?;
        Ok(MioLoop {
            inner: Arc::new(Inner {
                registry,
                waker,
                token_base,
                tables: Mutex::new(Tables::new(fd_token_base)),
                running: AtomicBool::new(false),
            }),
        })
    }

    /// This loop as a [`SharedLoop`], for [`rvirt_core::event::register`] or a `Connect`.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }

    /// The first token the loop reserved (its waker); every token above is the loop's too.
    pub fn token_base(&self) -> usize {
        self.inner.token_base
    }

    /// True when `token` belongs to this loop (its waker or one of its fds), so the
    /// application should leave the event to [`MioLoop::dispatch`].
    pub fn owns_token(&self, token: Token) -> bool {
        token.0 >= self.inner.token_base
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
    /// due, zero when an every-iteration timer exists or an fd waits for its level check,
    /// `None` (no limit) otherwise. Combine it with the application's own limit (the minimum).
    pub fn next_timeout(&self) -> Option<Duration> {
        let t = self.tables();
        if t.has_pending() {
            return Some(Duration::ZERO);
        }
        t.next_timer_wait(Instant::now())
    }

    /// Runs the loop's part of one iteration after the application's `poll.poll` returned:
    /// due timers, then the watches whose fds are ready (mio's reports for this loop's
    /// tokens, plus the fds pending a level check). Events for other tokens are ignored.
    ///
    /// Callbacks of removed watches and timers are dropped here, after the dispatch and
    /// with no lock held. Fails with [`EventError::AlreadyRunning`] when called from inside
    /// a callback or while another thread is dispatching.
    pub fn dispatch(&self, events: &Events) -> Result<(), EventError> {
        let _running = RunGuard::acquire(&self.inner)?;
        self.drop_garbage();
        let mut pollfds = Vec::new();
        let (watch_limit, timer_limit) = {
            let mut t = self.tables();
            t.begin_dispatch();
            for ev in events.iter() {
                if ev.token().0 == self.inner.token_base {
                    // mio's waker is edge-triggered and needs no draining.
                    continue;
                }
                if let Some(fd) = t.fd_of(ev.token()) {
                    t.queue(fd);
                }
            }
            t.take_pending(&mut pollfds);
            (t.watch_id_limit(), t.timer_id_limit())
        };
        let mut ids = Vec::new();
        self.dispatch_timers(timer_limit, &mut ids);
        if let Err(e) = readiness::poll_now(&mut pollfds) {
            // Keep the fds for the next iteration rather than losing their readiness.
            let mut t = self.tables();
            for p in &pollfds {
                t.queue(p.fd);
            }
            drop(t);
            self.drop_garbage();
            return Err(EventError::Os(e));
        }
        for p in &pollfds {
            if p.revents == 0 || p.revents & libc::POLLNVAL != 0 {
                // Not ready (mio reports the next edge), or closed (epoll forgot it).
                continue;
            }
            let ready = readiness::interest_from_revents(p.revents & !libc::POLLNVAL);
            self.dispatch_fd(p.fd, ready, watch_limit, &mut ids);
            // Level-triggered: check it again next iteration, and dispatch again if the
            // callback left the condition pending.
            self.tables().queue(p.fd);
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

    fn dispatch_fd(&self, fd: RawFd, ready: Interest, limit: u64, ids: &mut Vec<u64>) {
        self.tables().watches_on(fd, ids);
        for &id in ids.iter() {
            if id >= limit {
                // Added after the poll: it is checked on the next iteration.
                continue;
            }
            let Some((mut cb, fire)) = self.tables().take_watch_callback(id, ready) else {
                continue;
            };
            cb(WatchId::new(id).expect("watch ids are non-zero"), fd, fire);
            self.tables().put_watch_callback(id, cb);
        }
    }

    /// Applies a registration change under the lock, then wakes the loop if needed.
    fn change<R>(
        &self,
        f: impl FnOnce(&mut Tables, &Registry) -> Result<R, EventError>,
    ) -> Result<R, EventError> {
        let (r, wake) = {
            let mut t = self.tables();
            let r = f(&mut t, &self.inner.registry);
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
        self.change(|t, registry| t.add_watch(registry, fd, events, callback))
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        self.change(|t, registry| t.update_watch(registry, watch, events))
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        self.change(|t, registry| t.remove_watch(registry, watch))
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

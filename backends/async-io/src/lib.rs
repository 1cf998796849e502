//! rvirt's event-loop adapter for [async-io]: libvirt-style fd watches and timers on
//! async-io's global reactor, driven by a future that any executor can run.
//!
//! [`AsyncIoLoop`] is the `Send + Sync` [`EventLoop`] drivers register with, from any thread.
//! [`AsyncIoLoop::run`] returns the [`Run`] future that dispatches the callbacks: spawn it on
//! your executor (smol, async-executor, tokio with the async-io reactor thread, ...) or
//! `async_io::block_on` it.
//!
//! * Watched fds live in an epoll instance of the adapter's own, level-triggered, each fd
//!   registered once with the union of its watches' masks (a mask of [`Interest::NONE`] is
//!   not polled). Registrations are made at once, inside `add/update/remove_handle`, so an fd
//!   may be closed as soon as the `remove_handle` of its last watch returns, and the fds
//!   themselves are never registered with the reactor (nor their `O_NONBLOCK` flag touched).
//! * The reactor watches only that epoll fd (`Async::new_nonblocking`). When it is readable,
//!   the driver takes every ready fd from it in one non-sleeping `epoll_wait` and runs their
//!   callbacks: epoll reports exactly the pending conditions, `ERROR`/`HANGUP` included.
//! * async-io readiness is one-shot; level-triggering comes from re-arming it after the
//!   callbacks: the re-armed interest reports the epoll fd at once while some fd still has a
//!   pending condition (a callback left data unread), and epoll, being level-triggered,
//!   reports that fd again.
//! * Timers are a table served by one async-io [`Timer`] set to the next
//!   deadline; a timer firing on every iteration makes the driver yield and re-poll at once.
//! * A removed callback box is dropped by the driver at the end of its iteration (or right
//!   after its own dispatch if it removed itself), never inside `remove_*`.
//! * Timer changes and removals wake the driver's task; fd changes need no wake-up, the
//!   kernel makes the epoll fd readable when a watched fd becomes ready.
//!
//! ```
//! use rvirt_async_io::AsyncIoLoop;
//! use rvirt_core::event::{EventLoop, EventLoopExt, TimerInterval};
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::time::Duration;
//!
//! let ev = AsyncIoLoop::new();
//! let fired = Arc::new(AtomicU32::new(0));
//! let f = fired.clone();
//! ev.timer(TimerInterval::from_millis(5), move |_| {
//!     f.fetch_add(1, Ordering::SeqCst);
//! })?;
//! // Drive it for a while on this thread; usually the `Run` future is spawned instead.
//! async_io::block_on(async {
//!     let stop = async_io::Timer::after(Duration::from_millis(50));
//!     let mut run = std::pin::pin!(ev.run());
//!     let mut stop = std::pin::pin!(stop);
//!     std::future::poll_fn(|cx| {
//!         let _ = run.as_mut().poll(cx);
//!         stop.as_mut().poll(cx).map(|_| ())
//!     })
//!     .await
//! });
//! assert!(fired.load(Ordering::SeqCst) >= 2);
//! # Ok::<(), rvirt_core::event::EventError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::os::fd::RawFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use async_io::{Async, Timer};
use rvirt_core::event::backend::{Epoll, FdWatches, Garbage, dispatch_ready};
use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};

/// A libvirt-style [`EventLoop`] on async-io's global reactor.
///
/// Cloning gives another handle on the same registrations. Every method may be called from
/// any thread and from inside callbacks. Callbacks run inside the [`Run`] future returned by
/// [`AsyncIoLoop::run`], on whichever thread polls it.
#[derive(Clone)]
pub struct AsyncIoLoop {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// The driver task's waker; kept apart from `state` so that waking takes no state lock.
    driver: Mutex<Option<Waker>>,
    running: AtomicBool,
}

struct TimerEntry {
    interval: TimerInterval,
    deadline: Option<Instant>,
    /// `None` while the callback is out being dispatched.
    callback: Option<TimerCallback>,
}

impl TimerEntry {
    fn arm(&mut self, now: Instant) {
        self.deadline = self.interval.period().map(|p| now + p);
    }

    fn is_due(&self, now: Instant) -> bool {
        match self.interval {
            TimerInterval::Disabled => false,
            TimerInterval::EveryIteration => true,
            TimerInterval::Every(_) => self.deadline.is_some_and(|d| d <= now),
        }
    }
}

struct State {
    /// The fd watches, registered in `epoll`.
    watches: FdWatches,
    /// The adapter's epoll instance, registered with the reactor; created with the first
    /// watch.
    epoll: Option<Arc<Async<Epoll>>>,
    next_timer: u64,
    timers: BTreeMap<u64, TimerEntry>,
    graveyard: Vec<Garbage>,
}

impl fmt::Debug for AsyncIoLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.lock();
        f.debug_struct("AsyncIoLoop")
            .field("watches", &st.watches.len())
            .field("timers", &st.timers.len())
            .field("running", &self.inner.running.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Default for AsyncIoLoop {
    fn default() -> Self {
        Self::new()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn driver(&self) -> MutexGuard<'_, Option<Waker>> {
        self.driver.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes the driver task, if one is waiting.
    fn wake(&self) {
        let driver = self.driver().clone();
        if let Some(w) = driver {
            w.wake();
        }
    }
}

impl AsyncIoLoop {
    /// A loop with no registrations. Nothing is dispatched until its [`Run`] future runs.
    pub fn new() -> AsyncIoLoop {
        AsyncIoLoop {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    watches: FdWatches::default(),
                    epoll: None,
                    next_timer: 1,
                    timers: BTreeMap::new(),
                    graveyard: Vec::new(),
                }),
                driver: Mutex::new(None),
                running: AtomicBool::new(false),
            }),
        }
    }

    /// This loop as a [`SharedLoop`], for `rvirt_core::event::register` or a connection.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }

    /// The future that dispatches this loop's callbacks; it never completes while it runs.
    ///
    /// Spawn it on any executor, or `async_io::block_on` it. One `Run` may be active per loop
    /// at a time: another one resolves at once to [`EventError::AlreadyRunning`]. Dropping
    /// it stops dispatching; a new `Run` picks up where it left off.
    pub fn run(&self) -> Run {
        Run {
            inner: self.inner.clone(),
            owns_running: false,
            epoll: None,
            events: Vec::new(),
            timer: Timer::never(),
            timer_deadline: None,
        }
    }
}

/// The driver future of an [`AsyncIoLoop`] (see [`AsyncIoLoop::run`]).
///
/// Each poll is one loop iteration: run the callbacks of the ready fds, fire due timers, free
/// removed callbacks, then re-arm.
#[must_use = "a Run future does nothing unless polled"]
pub struct Run {
    inner: Arc<Inner>,
    owns_running: bool,
    /// The loop's epoll instance, once it exists (it never changes after that).
    epoll: Option<Arc<Async<Epoll>>>,
    /// What the epoll instance reported.
    events: Vec<libc::epoll_event>,
    timer: Timer,
    timer_deadline: Option<Instant>,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("active", &self.owns_running)
            .finish_non_exhaustive()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if self.owns_running {
            *self.inner.driver() = None;
            self.inner.running.store(false, Ordering::Release);
        }
    }
}

impl Future for Run {
    type Output = Result<(), EventError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if !this.owns_running {
            if this
                .inner
                .running
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
            {
                return Poll::Ready(Err(EventError::AlreadyRunning));
            }
            this.owns_running = true;
        }
        {
            let mut driver = this.inner.driver();
            match &*driver {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *driver = Some(cx.waker().clone()),
            }
        }
        let mut again = false;
        let (timer_limit, watch_limit) = {
            let st = this.inner.lock();
            if this.epoll.is_none() {
                this.epoll = st.epoll.clone();
            }
            (st.next_timer, st.watches.id_limit())
        };

        // Fds: run the callbacks of every ready one, then re-arm the reactor's one-shot
        // interest in the epoll fd, which reports it at once while something is still
        // pending (level-triggering).
        if let Some(epoll) = &this.epoll {
            // An error (EINTR) is an empty look: the re-armed interest reports the rest.
            let n = epoll.get_ref().ready_now(&mut this.events).unwrap_or(0);
            dispatch_ready(
                &this.inner.state,
                |st| &mut st.watches,
                &this.events[..n],
                1..watch_limit,
            );
            // Ready: the reactor reported the epoll fd since the interest was last armed;
            // that report is served above, so poll again to re-arm. Should re-arming keep
            // failing, look again on the next iteration rather than miss an fd.
            let armed = (0..3).any(|_| epoll.poll_readable(cx).is_pending());
            again |= !armed;
        }

        // Timers registered before this iteration that are due.
        again |= this.fire_timers(timer_limit);

        let garbage = std::mem::take(&mut this.inner.lock().graveyard);
        drop(garbage);

        let (every_iteration, next) = {
            let st = this.inner.lock();
            let mut every = false;
            let mut next: Option<Instant> = None;
            for t in st.timers.values() {
                match t.interval {
                    TimerInterval::Disabled => {}
                    TimerInterval::EveryIteration => every = true,
                    TimerInterval::Every(_) => {
                        if let Some(d) = t.deadline {
                            next = Some(next.map_or(d, |n| n.min(d)));
                        }
                    }
                }
            }
            (every, next)
        };
        again |= every_iteration;
        match next {
            Some(d) => {
                if this.timer_deadline != Some(d) {
                    this.timer.set_at(d);
                    this.timer_deadline = Some(d);
                }
                if Pin::new(&mut this.timer).poll(cx).is_ready() {
                    this.timer_deadline = None;
                    again = true;
                }
            }
            None => {
                if this.timer_deadline.take().is_some() {
                    this.timer = Timer::never();
                }
            }
        }
        if again {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

impl Run {
    /// Fires the due timers with ids below `limit`; true if one fired.
    fn fire_timers(&mut self, limit: u64) -> bool {
        let now = Instant::now();
        let due: Vec<u64> = self
            .inner
            .lock()
            .timers
            .range(..limit)
            .filter(|(_, t)| t.is_due(now))
            .map(|(id, _)| *id)
            .collect();
        for &id in &due {
            let mut cb = {
                let mut st = self.inner.lock();
                let Some(t) = st.timers.get_mut(&id) else {
                    continue;
                };
                if !t.is_due(now) {
                    continue;
                }
                t.arm(Instant::now());
                let Some(cb) = t.callback.take() else {
                    continue;
                };
                cb
            };
            cb(TimerId::new(id).expect("timer ids start at 1"));
            let removed = {
                let mut st = self.inner.lock();
                match st.timers.get_mut(&id) {
                    Some(t) => {
                        t.callback = Some(cb);
                        None
                    }
                    None => Some(cb),
                }
            };
            drop(removed);
        }
        !due.is_empty()
    }
}

impl EventLoop for AsyncIoLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        let (added, created) = {
            let mut st = self.inner.lock();
            let created = st.epoll.is_none();
            if created {
                match Epoll::new().and_then(Async::new_nonblocking) {
                    Ok(epoll) => st.epoll = Some(Arc::new(epoll)),
                    Err(e) => {
                        drop(st);
                        return Err(EventError::Os(e));
                    }
                }
            }
            let State { watches, epoll, .. } = &mut *st;
            let epoll = epoll.as_ref().expect("created above").get_ref();
            (watches.add(epoll, fd, events, callback), created)
        };
        if created {
            // The driver must start watching the new epoll fd.
            self.inner.wake();
        }
        // A refused callback is dropped here, outside the lock.
        added.map_err(|(e, _callback)| e)
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let mut st = self.inner.lock();
        let State { watches, epoll, .. } = &mut *st;
        let epoll = epoll.as_ref().ok_or(EventError::UnknownWatch(watch))?;
        watches.update(epoll.get_ref(), watch, events)
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let freed = {
            let mut st = self.inner.lock();
            let State {
                watches,
                epoll,
                graveyard,
                ..
            } = &mut *st;
            let epoll = epoll.as_ref().ok_or(EventError::UnknownWatch(watch))?;
            // `None`: the callback is out being dispatched, and its dispatch frees it.
            match watches.remove(epoll.get_ref(), watch)? {
                Some(cb) => {
                    graveyard.push(Garbage::Handle(cb));
                    true
                }
                None => false,
            }
        };
        if freed {
            // The driver frees the callback.
            self.inner.wake();
        }
        Ok(())
    }

    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        let id = {
            let mut st = self.inner.lock();
            let id = st.next_timer;
            st.next_timer += 1;
            let mut t = TimerEntry {
                interval,
                deadline: None,
                callback: Some(callback),
            };
            t.arm(Instant::now());
            st.timers.insert(id, t);
            id
        };
        self.inner.wake();
        Ok(TimerId::new(id).expect("timer ids start at 1"))
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        {
            let mut st = self.inner.lock();
            let t = st
                .timers
                .get_mut(&timer.get())
                .ok_or(EventError::UnknownTimer(timer))?;
            t.interval = interval;
            t.arm(Instant::now());
        }
        self.inner.wake();
        Ok(())
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        {
            let mut st = self.inner.lock();
            let t = st
                .timers
                .remove(&timer.get())
                .ok_or(EventError::UnknownTimer(timer))?;
            if let Some(cb) = t.callback {
                st.graveyard.push(Garbage::Timer(cb));
            }
        }
        self.inner.wake();
        Ok(())
    }
}

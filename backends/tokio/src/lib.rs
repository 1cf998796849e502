//! rvirt's event loop on a tokio runtime.
//!
//! [`TokioLoop`] implements [`rvirt_core::event::EventLoop`] (libvirt's fd-watch and timer
//! API) with tasks spawned on a runtime through a stored [`tokio::runtime::Handle`]:
//!
//! * one task for all the fd watches, waiting on a [`tokio::io::unix::AsyncFd`] for an epoll
//!   instance of the adapter's own that holds every watched fd (see below);
//! * one task per timer, sleeping with [`tokio::time`] and woken early by a
//!   [`tokio::sync::Notify`] when the timer is updated or removed.
//!
//! The loop's methods never call `Handle::current()`: they work from runtime workers, from
//! inside callbacks, and from threads that are not in any runtime. With a `current_thread`
//! runtime, callbacks run only while some thread drives it (`block_on`).
//!
//! # Level-triggered delivery
//!
//! tokio's readiness is edge-triggered, while libvirt's callbacks are level-triggered: a
//! readable fd whose data is not read must be reported again. The watched fds therefore live
//! in a level-triggered epoll instance, and only that epoll fd is registered with tokio's
//! reactor. When it is readable, the fd task takes every ready fd from it in one
//! non-sleeping `epoll_wait`, with exactly the pending conditions (`ERROR`/`HANGUP`
//! included), and runs their callbacks; then it looks again after yielding to the scheduler
//! (so a callback that leaves data unread is called again). Only when the epoll instance
//! reports nothing does the task clear tokio's readiness and wait for the next edge; tokio's
//! tick check makes sure an edge that arrives in between is not lost.
//!
//! # Dispatch
//!
//! Callbacks are serialized, as in libvirt's single-threaded loop: a task holds an async
//! mutex while it runs callbacks (the fd task: one batch of ready fds, then the first look
//! at the watches those callbacks added; a timer task: one callback), so no two rvirt
//! callbacks run at the same time even on a multi-threaded runtime, and waiting tasks do not
//! block a worker. Callbacks should not block for long:
//! each occupies one worker while it runs. The callback box of a removed watch or timer is
//! dropped by a runtime task after the dispatch in progress, never inside `remove_*`. On a
//! multi-threaded runtime, [`TokioLoop::hold_callbacks`] gives a quiescent point: no callback
//! runs, and none is half-way through, while the hold lives.
//!
//! # Fds
//!
//! As [`EventLoop::add_handle`] requires, a watched fd must stay open until its watch is
//! removed. The adapter registers the fd itself (not a duplicate) in its epoll instance,
//! once per fd whatever the number of watches on it, and deregisters it inside the
//! `remove_handle` call that removes its last watch, so the caller may close the fd as soon
//! as that call returns. The fd is not registered with tokio's reactor, so it may also be
//! used by a `tokio::net` object or an `AsyncFd` of the application.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::time::Duration;
//!
//! use rvirt_core::event::{EventLoop, EventLoopExt, TimerInterval};
//! use rvirt_tokio::TokioLoop;
//!
//! let rt = tokio::runtime::Builder::new_current_thread()
//!     .enable_all()
//!     .build()
//!     .unwrap();
//! // Built outside the runtime, from its handle: any thread may register.
//! let ev = TokioLoop::new(rt.handle().clone());
//! let fired = Arc::new(AtomicU32::new(0));
//! let f = fired.clone();
//! let timer = ev.timer(TimerInterval::from_millis(5), move |_| {
//!     f.fetch_add(1, Ordering::SeqCst);
//! })?;
//! rt.block_on(async {
//!     while fired.load(Ordering::SeqCst) == 0 {
//!         tokio::time::sleep(Duration::from_millis(1)).await;
//!     }
//! });
//! ev.remove_timeout(timer)?;
//! # Ok::<(), rvirt_core::event::EventError>(())
//! ```

use std::fmt;
use std::future::poll_fn;
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};
use tokio::io::unix::{AsyncFd, AsyncFdReadyGuard};
use tokio::runtime::Handle;
use tokio::sync::Notify;

use rvirt_core::event::backend::{Epoll, FdWatches, Garbage, IdMap, dispatch_ready};

/// How many times in a row the fd task looks at the watches added by the callbacks it ran
/// (a callback that adds a watch on a ready fd every time must not keep it forever).
const NEW_WATCH_PASSES: usize = 4;

/// rvirt's [`EventLoop`] on a tokio runtime.
///
/// Cloning gives another handle on the same loop (ids, watches and timers are shared);
/// separate [`TokioLoop::new`] calls make independent loops, each with its own id counters.
/// See the [crate documentation](crate) for how it maps onto tokio.
#[derive(Clone)]
pub struct TokioLoop {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokioLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.state();
        f.debug_struct("TokioLoop")
            .field("runtime", &self.inner.handle.runtime_flavor())
            .field("watches", &st.watches.len())
            .field("timers", &st.timers.len())
            .finish_non_exhaustive()
    }
}

struct Inner {
    handle: Handle,
    state: Mutex<State>,
    /// Held while callbacks run: callbacks never run concurrently. Also held by a
    /// [`CallbackHold`].
    dispatch: Arc<tokio::sync::Mutex<()>>,
}

thread_local! {
    /// The current thread is running one of the loop's callbacks.
    static IN_CALLBACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as running a callback until dropped.
struct CallbackScope(bool);

impl CallbackScope {
    fn enter() -> CallbackScope {
        CallbackScope(IN_CALLBACK.with(|c| c.replace(true)))
    }
}

impl Drop for CallbackScope {
    fn drop(&mut self) {
        IN_CALLBACK.with(|c| c.set(self.0));
    }
}

/// Keeps a [`TokioLoop`]'s callbacks from starting while it lives (see
/// [`TokioLoop::hold_callbacks`]). Dropping it lets them run again.
#[derive(Debug)]
pub struct CallbackHold {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

struct Timer {
    interval: TimerInterval,
    /// When a periodic timer fires next.
    deadline: Option<Instant>,
    /// `None` while the callback is out being dispatched.
    callback: Option<TimerCallback>,
    /// Wakes the timer task when the timer is updated or removed.
    notify: Arc<Notify>,
}

impl Timer {
    fn is_due(&self, now: Instant) -> bool {
        match self.interval {
            TimerInterval::Disabled => false,
            TimerInterval::EveryIteration => true,
            TimerInterval::Every(_) => self.deadline.is_some_and(|d| d <= now),
        }
    }

    fn arm(&mut self, now: Instant) {
        self.deadline = self.interval.period().map(|p| now + p);
    }
}

struct State {
    /// The fd watches, registered in `epoll`.
    watches: FdWatches,
    /// The adapter's epoll instance, registered with the runtime's reactor; created with the
    /// first watch.
    epoll: Option<Arc<AsyncFd<Epoll>>>,
    /// The fd task runs (it ends once no watch is left, and is spawned again by the next).
    fd_task: bool,
    /// The fd task's waker, to make it end when the last watch goes.
    fd_task_waker: Option<Waker>,
    next_timer: u64,
    timers: IdMap<u64, Timer>,
    /// Callbacks waiting for the reaper task to drop them.
    graveyard: Vec<Garbage>,
    reaper_scheduled: bool,
}

/// What a registration change leaves to do once the state lock is released.
#[derive(Default)]
#[must_use]
struct Followup {
    wake: Option<Waker>,
    notify: Option<Arc<Notify>>,
    spawn_fd_task: Option<Arc<AsyncFd<Epoll>>>,
    spawn_timer: Option<(u64, Arc<Notify>)>,
    reap: bool,
}

impl State {
    /// Defers the drop of `g`; true when a reaper task must be spawned.
    fn bury(&mut self, g: Garbage) -> bool {
        self.graveyard.push(g);
        !std::mem::replace(&mut self.reaper_scheduled, true)
    }
}

impl TokioLoop {
    /// Creates a loop whose tasks run on the runtime behind `handle`.
    ///
    /// The runtime needs its I/O and time drivers (`Builder::enable_all`, or `enable_io` +
    /// `enable_time`). May be called from any thread.
    pub fn new(handle: Handle) -> TokioLoop {
        TokioLoop {
            inner: Arc::new(Inner {
                handle,
                state: Mutex::new(State {
                    watches: FdWatches::default(),
                    epoll: None,
                    fd_task: false,
                    fd_task_waker: None,
                    next_timer: 1,
                    timers: IdMap::default(),
                    graveyard: Vec::new(),
                    reaper_scheduled: false,
                }),
                dispatch: Arc::new(tokio::sync::Mutex::new(())),
            }),
        }
    }

    /// Creates a loop on the runtime the calling code runs in.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, like [`Handle::current`]; use [`TokioLoop::new`] there.
    pub fn current() -> TokioLoop {
        TokioLoop::new(Handle::current())
    }

    /// The runtime handle the loop spawns its tasks on.
    pub fn handle(&self) -> &Handle {
        &self.inner.handle
    }

    /// This loop as a [`SharedLoop`], for [`rvirt_core::event::register`] or a `Connect`.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }

    /// Waits for the callback in progress (if any) to return, then keeps every callback of
    /// this loop from starting until the returned hold is dropped.
    ///
    /// Registrations still work meanwhile, and fds and timers that become ready are
    /// dispatched once the hold is released (level-triggered: nothing is lost). This is a
    /// quiescent point on a multi-threaded runtime: while the hold lives, no callback runs
    /// and none is half-way through, so shared state can be inspected and registrations
    /// changed with no callback racing the change.
    pub async fn hold_callbacks(&self) -> CallbackHold {
        CallbackHold {
            _guard: self.inner.dispatch.clone().lock_owned().await,
        }
    }

    /// [`TokioLoop::hold_callbacks`] for code that is not async, such as a thread outside
    /// the runtime: blocks the calling thread until the callback in progress has returned.
    ///
    /// # Panics
    ///
    /// When called from inside one of this loop's callbacks (that would wait for itself), or
    /// from an async context (like `tokio::sync::Mutex::blocking_lock`).
    pub fn blocking_hold_callbacks(&self) -> CallbackHold {
        assert!(
            !IN_CALLBACK.with(|c| c.get()),
            "blocking_hold_callbacks called from inside an rvirt callback"
        );
        CallbackHold {
            _guard: self.inner.dispatch.clone().blocking_lock_owned(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state()
    }

    /// Carries out what a change left to do, with no lock held.
    fn follow_up(&self, f: Followup) {
        if let Some(epoll) = f.spawn_fd_task {
            let inner = self.inner.clone();
            self.inner
                .handle
                .spawn(async move { inner.fd_task(epoll).await });
        }
        if let Some((id, notify)) = f.spawn_timer {
            let inner = self.inner.clone();
            self.inner
                .handle
                .spawn(async move { inner.timer_task(id, notify).await });
        }
        if let Some(w) = f.wake {
            w.wake();
        }
        if let Some(n) = f.notify {
            n.notify_one();
        }
        if f.reap {
            let inner = self.inner.clone();
            self.inner.handle.spawn(async move { inner.reap() });
        }
    }
}

/// Keeps the fd watches served when a callback panics: the panic ends the fd task (tokio
/// catches it), and this guard spawns a new one for the other watches. (The panicking
/// callback itself is gone: its watch is never dispatched again.)
struct FdTaskGuard {
    inner: Arc<Inner>,
    epoll: Arc<AsyncFd<Epoll>>,
    /// The task ended by itself (no watch left, or no reactor).
    ended: bool,
}

impl Drop for FdTaskGuard {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let mut st = self.inner.state();
        if std::thread::panicking() && !st.watches.is_empty() {
            drop(st);
            let (inner, epoll) = (self.inner.clone(), self.epoll.clone());
            self.inner
                .handle
                .spawn(async move { inner.fd_task(epoll).await });
        } else {
            // Dropped unfinished: the runtime shuts down.
            st.fd_task = false;
            st.fd_task_waker = None;
        }
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Drops the deferred callbacks, with no lock held.
    fn reap(&self) {
        let garbage = {
            let mut st = self.state();
            st.reaper_scheduled = false;
            std::mem::take(&mut st.graveyard)
        };
        drop(garbage);
    }

    /// Takes the dispatch mutex, without going through the async wait when it is free.
    async fn serialize(&self) -> tokio::sync::MutexGuard<'_, ()> {
        match self.dispatch.try_lock() {
            Ok(g) => g,
            Err(_) => self.dispatch.lock().await,
        }
    }

    /// Serves every fd watch until no watch is left.
    async fn fd_task(self: Arc<Self>, epoll: Arc<AsyncFd<Epoll>>) {
        let mut guard = FdTaskGuard {
            inner: self.clone(),
            epoll: epoll.clone(),
            ended: false,
        };
        let mut events = Vec::new();
        loop {
            let Some(mut readiness) = poll_fn(|cx| self.poll_epoll(&epoll, cx)).await else {
                guard.ended = true;
                return;
            };
            let serial = self.serialize().await;
            let mut ids = 1..self.state().watches.id_limit();
            // Level-triggered and exact: every fd with a pending condition, and which. An
            // error (EINTR) counts as "something may be pending": look again.
            let looked = epoll.get_ref().ready_now(&mut events);
            let mut m = *looked.as_ref().unwrap_or(&0);
            let scope = CallbackScope::enter();
            for _ in 0..NEW_WATCH_PASSES {
                dispatch_ready(&self.state, |st| &mut st.watches, &events[..m], ids.clone());
                // FdWatches the callbacks just added get their first look now, before any
                // other callback (a timer task's, on another worker) can run: in a
                // single-threaded loop they would be polled on the very next iteration.
                let limit = self.state().watches.id_limit();
                if limit == ids.end {
                    break;
                }
                ids = ids.end..limit;
                m = epoll.get_ref().ready_now(&mut events).unwrap_or(0);
            }
            drop(scope);
            drop(serial);
            if matches!(looked, Ok(0)) {
                // Nothing pending: forget the edge that woke us and wait for the next one
                // (one that came since the readiness was taken keeps it set).
                readiness.clear_ready();
            } else {
                drop(readiness);
                // Level-triggered: look at the fds again, after letting other tasks run.
                tokio::task::yield_now().await;
            }
        }
    }

    /// Ready(Some) when the epoll fd is readable, Ready(None) when no watch is left (the fd
    /// task ends), Pending until one of the two.
    fn poll_epoll<'a>(
        &self,
        epoll: &'a AsyncFd<Epoll>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<AsyncFdReadyGuard<'a, Epoll>>> {
        {
            let mut st = self.state();
            if st.watches.is_empty() {
                st.fd_task = false;
                st.fd_task_waker = None;
                return Poll::Ready(None);
            }
            match &st.fd_task_waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => st.fd_task_waker = Some(cx.waker().clone()),
            }
        }
        match epoll.poll_read_ready(cx) {
            Poll::Ready(Ok(readiness)) => Poll::Ready(Some(readiness)),
            Poll::Ready(Err(_)) => {
                // The reactor is gone (the runtime shuts down): so is this task.
                let mut st = self.state();
                st.fd_task = false;
                st.fd_task_waker = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// Fires timer `id` per its interval until it is removed.
    async fn timer_task(self: Arc<Self>, id: u64, notify: Arc<Notify>) {
        loop {
            let wait = {
                let st = self.state();
                let Some(t) = st.timers.get(&id) else {
                    return;
                };
                match t.interval {
                    TimerInterval::Disabled => None,
                    TimerInterval::EveryIteration => Some(None),
                    TimerInterval::Every(_) => Some(t.deadline),
                }
            };
            match wait {
                // Disabled: sleep until updated or removed.
                None => {
                    notify.notified().await;
                    continue;
                }
                Some(Some(deadline)) => {
                    let sleep = tokio::time::timeout_at(deadline.into(), notify.notified());
                    if sleep.await.is_ok() {
                        // Updated or removed before the deadline: look again.
                        continue;
                    }
                }
                Some(None) => {}
            }
            self.fire_timer(id).await;
            // An every-iteration timer fires again once the other tasks had their turn.
            tokio::task::yield_now().await;
        }
    }

    async fn fire_timer(&self, id: u64) {
        let _serial = self.serialize().await;
        let taken = {
            let mut st = self.state();
            let now = Instant::now();
            st.timers.get_mut(&id).and_then(|t| {
                if !t.is_due(now) {
                    return None;
                }
                t.arm(now);
                t.callback.take()
            })
        };
        let Some(mut cb) = taken else {
            return;
        };
        {
            let _scope = CallbackScope::enter();
            cb(TimerId::new(id).expect("timer ids are non-zero"));
        }
        let removed = {
            let mut st = self.state();
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
}

impl EventLoop for TokioLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        let mut follow = Followup::default();
        let added = {
            let mut st = self.state();
            if st.epoll.is_none() {
                let _runtime = self.inner.handle.enter();
                let registered = Epoll::new().and_then(|epoll| {
                    // SAFETY: the `AsyncFd` owns the epoll instance, so its fd stays open and
                    // names the same file until the `AsyncFd` is dropped.
                    unsafe { AsyncFd::register_with_interest(epoll, tokio::io::Interest::READABLE) }
                        .map_err(|e| e.into_parts().1)
                });
                match registered {
                    Ok(epoll) => st.epoll = Some(Arc::new(epoll)),
                    Err(e) => {
                        drop(st);
                        return Err(EventError::Os(e));
                    }
                }
            }
            let State {
                watches,
                epoll,
                fd_task,
                ..
            } = &mut *st;
            let epoll = epoll.as_ref().expect("created above");
            let added = watches.add(epoll.get_ref(), fd, events, callback);
            if added.is_ok() && !*fd_task {
                *fd_task = true;
                follow.spawn_fd_task = Some(epoll.clone());
            }
            added
        };
        // The kernel makes the epoll fd readable once the new fd is ready: no wake-up needed.
        self.follow_up(follow);
        // A refused callback is dropped here, outside the lock.
        added.map_err(|(e, _callback)| e)
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let mut st = self.state();
        let State { watches, epoll, .. } = &mut *st;
        let epoll = epoll.as_ref().ok_or(EventError::UnknownWatch(watch))?;
        watches.update(epoll.get_ref(), watch, events)
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let follow = {
            let mut st = self.state();
            let State { watches, epoll, .. } = &mut *st;
            let epoll = epoll.as_ref().ok_or(EventError::UnknownWatch(watch))?;
            // Deregistered now, before returning, so that the caller may close the fd.
            let removed = watches.remove(epoll.get_ref(), watch)?;
            let mut follow = Followup::default();
            if st.watches.is_empty() {
                // The fd task ends.
                follow.wake = st.fd_task_waker.take();
            }
            // `None`: the callback is out being dispatched, and its dispatch frees it.
            if let Some(cb) = removed {
                follow.reap = st.bury(Garbage::Handle(cb));
            }
            follow
        };
        self.follow_up(follow);
        Ok(())
    }

    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        let notify = Arc::new(Notify::new());
        let id = {
            let mut st = self.state();
            let id = st.next_timer;
            st.next_timer += 1;
            let mut t = Timer {
                interval,
                deadline: None,
                callback: Some(callback),
                notify: notify.clone(),
            };
            t.arm(Instant::now());
            st.timers.insert(id, t);
            id
        };
        self.follow_up(Followup {
            spawn_timer: Some((id, notify)),
            ..Followup::default()
        });
        Ok(TimerId::new(id).expect("ids start at 1"))
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        let notify = {
            let mut st = self.state();
            let t = st
                .timers
                .get_mut(&timer.get())
                .ok_or(EventError::UnknownTimer(timer))?;
            t.interval = interval;
            t.arm(Instant::now());
            t.notify.clone()
        };
        self.follow_up(Followup {
            notify: Some(notify),
            ..Followup::default()
        });
        Ok(())
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        let follow = {
            let mut st = self.state();
            let t = st
                .timers
                .remove(&timer.get())
                .ok_or(EventError::UnknownTimer(timer))?;
            let mut follow = Followup {
                notify: Some(t.notify.clone()),
                ..Followup::default()
            };
            if let Some(cb) = t.callback {
                follow.reap = st.bury(Garbage::Timer(cb));
            }
            follow
        };
        self.follow_up(follow);
        Ok(())
    }
}

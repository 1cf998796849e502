//! rvirt's event loop on a tokio runtime.
//!
//! [`TokioLoop`] implements [`rvirt_core::event::EventLoop`] (libvirt's fd-watch and timer
//! API) with one task, spawned on a runtime through a stored [`tokio::runtime::Handle`], for
//! every watch and timer: it waits on a [`tokio::io::unix::AsyncFd`] for an epoll set of
//! the adapter's own that holds every watched fd and a timerfd (see below).
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
//! reactor. When it is readable, the task takes every ready fd from it in one
//! non-sleeping `epoll_wait`, with exactly the pending conditions (`ERROR`/`HANGUP`
//! included), and runs their callbacks; then it looks again (so a callback that leaves data
//! unread is called again). Only when the epoll instance
//! reports nothing does the task clear tokio's readiness and wait for the next edge; tokio's
//! tick check makes sure an edge that arrives in between is not lost. While the set stays
//! busy the task keeps looking without going back to the reactor, yielding only when
//! tokio's cooperative budget says so: a busy set costs no wake-up of another worker per
//! round.
//!
//! # Timers
//!
//! Timers are kept by the adapter, which arms a timerfd in the same epoll set for the
//! earliest periodic deadline: the kernel makes the set readable at that instant, so timers
//! fire to the microsecond rather than on the millisecond ticks of `tokio::time`'s wheel,
//! and a timer added or updated from any thread wakes the task with no notification of the
//! adapter's own. Due timers run before ready fds, as in libvirt. A timer firing on every
//! iteration makes the task run a round again once the other tasks had their turn.
//!
//! # Dispatch
//!
//! Callbacks are serialized, as in libvirt's single-threaded loop: the task holds an async
//! mutex while it runs a round of callbacks (the due timers, one batch of ready fds, then
//! the first look at the watches those callbacks added), so no two rvirt callbacks run at
//! the same time even on a multi-threaded runtime, and a [`TokioLoop::hold_callbacks`]
//! waiting for it does not block a worker. Callbacks should not block for long:
//! each occupies one worker while it runs. The callback box of a removed watch or timer is
//! dropped by a runtime task after the dispatch in progress, never inside `remove_*`. On a
//! multi-threaded runtime, [`TokioLoop::hold_callbacks`] gives a quiescent point: no callback
//! runs, and none is half-way through, while the hold lives.
//!
//! On a multi-thread runtime the task runs on the worker whose reactor saw the set become
//! readable, and the callbacks' wake-ups (a channel send, a `Notify`) are scheduled on that
//! worker too. Code in a task on the runtime that makes an fd ready and then awaits what
//! its callback does therefore need not wake another thread. A thread outside the runtime
//! doing the same (one blocked in `Runtime::block_on`, say) pays two thread wake-ups per
//! exchange, the worker's and then its own, as it would with any loop on another thread.
//! After a busy period (64 ready fds or more served before the set reported nothing), the
//! task wakes an idle worker as it goes back to wait: the tasks its callbacks woke then run
//! on this worker while the idle one takes over the reactor and serves the next callbacks,
//! instead of both waiting in turn on one worker while the other sleeps.
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

mod scope;
mod state;
mod task;

use std::fmt;
use std::os::fd::RawFd;
use std::sync::{Arc, MutexGuard};

use rvirt_core::event::backend::Garbage;
use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};
use tokio::runtime::Handle;

pub use scope::CallbackHold;
use state::{Followup, Inner, State};

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

impl TokioLoop {
    /// Creates a loop whose task runs on the runtime behind `handle`.
    ///
    /// The runtime needs its I/O driver (`Builder::enable_io`, or `enable_all`). May be
    /// called from any thread.
    pub fn new(handle: Handle) -> TokioLoop {
        TokioLoop {
            inner: Arc::new(Inner::new(handle)),
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
            !scope::in_callback(),
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
        if let Some(set) = f.spawn_task {
            let inner = self.inner.clone();
            self.inner.handle.spawn(async move { inner.run(set).await });
        }
        if let Some(w) = f.wake {
            w.wake();
        }
        if f.reap {
            let inner = self.inner.clone();
            self.inner.handle.spawn(async move { inner.reap() });
        }
    }

    /// Arms what timer `timer`, just added or updated to `interval`, needs to fire.
    fn schedule(st: &mut State, timer: TimerId, interval: TimerInterval, follow: &mut Followup) {
        match interval {
            TimerInterval::Disabled => {}
            // The task may be waiting for the set: it has a round to run now.
            TimerInterval::EveryIteration => follow.wake = st.task_waker.clone(),
            TimerInterval::Every(_) => {
                if let Some(deadline) = st.timers.deadline(timer) {
                    st.arm(deadline);
                }
            }
        }
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
            match st.set(&self.inner.handle) {
                Ok(set) => {
                    let added = st.watches.add(set.get_ref(), fd, events, callback);
                    if added.is_ok() {
                        st.start_task(set, &mut follow);
                    }
                    added
                }
                Err(e) => Err((e, callback)),
            }
        };
        // The kernel makes the set readable once the new fd is ready: no wake-up needed.
        self.follow_up(follow);
        // A refused callback is dropped here, outside the lock.
        added.map_err(|(e, _callback)| e)
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let mut st = self.state();
        let set = st.set.clone().ok_or(EventError::UnknownWatch(watch))?;
        st.watches.update(set.get_ref(), watch, events)
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let follow = {
            let mut st = self.state();
            let set = st.set.clone().ok_or(EventError::UnknownWatch(watch))?;
            // Deregistered now, before returning, so that the caller may close the fd.
            let removed = st.watches.remove(set.get_ref(), watch)?;
            let mut follow = Followup::default();
            if st.is_idle() {
                // The task ends.
                follow.wake = st.task_waker.take();
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
        let mut follow = Followup::default();
        let added = {
            let mut st = self.state();
            match st.set(&self.inner.handle) {
                Ok(set) => {
                    let id = st.timers.add(interval, callback);
                    TokioLoop::schedule(&mut st, id, interval, &mut follow);
                    st.start_task(set, &mut follow);
                    Ok(id)
                }
                Err(e) => Err((e, callback)),
            }
        };
        self.follow_up(follow);
        // A refused callback is dropped here, outside the lock.
        added.map_err(|(e, _callback)| e)
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        let mut follow = Followup::default();
        {
            let mut st = self.state();
            // The next firing counts from this update.
            st.timers.update(timer, interval)?;
            TokioLoop::schedule(&mut st, timer, interval, &mut follow);
        }
        self.follow_up(follow);
        Ok(())
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        // The timerfd may stay armed for it: the round it causes re-arms it.
        let follow = {
            let mut st = self.state();
            let removed = st.timers.remove(timer)?;
            let mut follow = Followup::default();
            if st.is_idle() {
                follow.wake = st.task_waker.take();
            }
            if let Some(cb) = removed {
                follow.reap = st.bury(Garbage::Timer(cb));
            }
            follow
        };
        self.follow_up(follow);
        Ok(())
    }
}

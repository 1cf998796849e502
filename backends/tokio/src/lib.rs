//! rvirt's event loop on a tokio runtime.
//!
//! [`TokioLoop`] implements [`rvirt_core::event::EventLoop`] (libvirt's fd-watch and timer
//! API) with tasks spawned on a runtime through a stored [`tokio::runtime::Handle`]:
//!
//! * one task per watched fd, waiting on a [`tokio::io::unix::AsyncFd`] registered for
//!   reading and writing; every watch on that fd is dispatched from it, so several watches
//!   on one fd (with non-overlapping masks) share one reactor registration;
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
//! readable fd whose data is not read must be reported again. Each fd task asks `poll(2)`,
//! with a zero timeout, what is pending right now. If something is, it dispatches and checks
//! again after yielding to the scheduler (so a callback that leaves data unread is called
//! again). Only when `poll(2)` shows the fd idle does it clear tokio's readiness and wait for
//! the next edge; tokio's tick check makes sure an edge that arrives in between is not lost.
//!
//! # Dispatch
//!
//! Callbacks are serialized, as in libvirt's single-threaded loop: a task holds an async
//! mutex while it runs a callback, so no two rvirt callbacks run at the same time even on a
//! multi-threaded runtime, and waiting tasks do not block a worker. Callbacks should not
//! block for long: each occupies one worker while it runs. The callback box of a removed
//! watch or timer is dropped by a runtime task after the dispatch in progress, never inside
//! `remove_*`. On a multi-threaded runtime, [`TokioLoop::hold_callbacks`] gives a quiescent
//! point: no callback runs, and none is half-way through, while the hold lives.
//!
//! # Fds
//!
//! As [`EventLoop::add_handle`] requires, a watched fd must stay open until its watch is
//! removed. The adapter registers the fd itself (not a duplicate) with the runtime's reactor,
//! once per fd whatever the number of watches on it, and deregisters it inside the
//! `remove_handle` call that removes its last watch, so the caller may close the fd as soon
//! as that call returns. The fd must not be registered with the same runtime's reactor by
//! anything else (for instance a `tokio::net` object): registering it a second time fails
//! with [`EventError::BadFd`].
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

use std::collections::HashMap;
use std::fmt;
use std::future::poll_fn;
use std::hash::{BuildHasherDefault, Hasher};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use rvirt_core::event::readiness;
use rvirt_core::event::{
    EventError, EventLoop, Garbage, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};
use tokio::io::unix::AsyncFd;
use tokio::runtime::Handle;
use tokio::sync::Notify;

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
        f.debug_struct("TokioLoop")
            .field("runtime", &self.inner.handle.runtime_flavor())
            .finish_non_exhaustive()
    }
}

struct Inner {
    handle: Handle,
    state: Mutex<State>,
    /// Held while a callback runs: callbacks never run concurrently. Also held by a
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

/// The raw fd an [`AsyncFd`] watches; the loop neither owns nor closes it.
struct Fd(RawFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

struct Watch {
    fd: RawFd,
    events: Interest,
    /// `None` while the callback is out being dispatched.
    callback: Option<HandleCallback>,
}

/// The watches on one fd, its reactor registration and the task serving it.
struct FdEntry {
    /// Tells this entry's task apart from the task of a later entry on the same fd number.
    generation: u64,
    ids: Vec<u64>,
    afd: AsyncFd<Fd>,
    /// The fd task, to wake when the watches change.
    task: Option<Waker>,
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

/// Hashes the loop's small integer keys (ids, fd numbers) with one multiply, instead of
/// SipHash: several lookups are made per event, and the keys are not attacker-chosen.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_i32(&mut self, n: i32) {
        // Reinterpreting the bits is all a hash needs.
        self.write_u64(u64::from(n.cast_unsigned()));
    }
}

type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

struct State {
    next_watch: u64,
    next_timer: u64,
    next_generation: u64,
    watches: IdMap<u64, Watch>,
    fds: IdMap<RawFd, FdEntry>,
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
    spawn_fd: Option<(RawFd, u64)>,
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

/// The union of the masks of the active watches on `entry`'s fd, if any is active.
fn active_mask(watches: &IdMap<u64, Watch>, entry: &FdEntry) -> Option<Interest> {
    let mut active = false;
    let mut mask = Interest::NONE;
    for id in &entry.ids {
        if let Some(w) = watches.get(id)
            && !w.events.is_empty()
        {
            active = true;
            mask |= w.events;
        }
    }
    active.then_some(mask)
}

fn bad_fd(fd: RawFd, e: std::io::Error) -> EventError {
    EventError::BadFd(fd, e)
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
                    next_watch: 1,
                    next_timer: 1,
                    next_generation: 1,
                    watches: IdMap::default(),
                    fds: IdMap::default(),
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
        if let Some((fd, generation)) = f.spawn_fd {
            let inner = self.inner.clone();
            self.inner
                .handle
                .spawn(async move { inner.fd_task(fd, generation).await });
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

    /// Serves the watches on `fd` until its entry `generation` is gone.
    async fn fd_task(self: Arc<Self>, fd: RawFd, generation: u64) {
        loop {
            // Look at the fd with the dispatch mutex held, so that what `poll(2)` finds
            // pending is still pending when the callbacks run (no other callback can run in
            // between): one `poll(2)` both confirms readiness and feeds the dispatch.
            let serial = self.serialize().await;
            match poll_fn(|cx| Poll::Ready(self.poll_fd(fd, generation, cx))).await {
                Poll::Ready(Some(ready)) => {
                    self.dispatch_fd(fd, generation, ready);
                    drop(serial);
                    // Level-triggered: look at the fd again, after letting other tasks run.
                    tokio::task::yield_now().await;
                }
                Poll::Ready(None) => return,
                Poll::Pending => {
                    drop(serial);
                    // This task's waker is registered (with the reactor and the entry): wait
                    // for a wake-up before looking again.
                    let mut first = true;
                    poll_fn(|_| {
                        if std::mem::take(&mut first) {
                            Poll::Pending
                        } else {
                            Poll::Ready(())
                        }
                    })
                    .await;
                }
            }
        }
    }

    /// Ready(Some) when an active watch on `fd` has a pending condition, Ready(None) when
    /// the entry is gone, Pending until one of the two (or a change) happens.
    fn poll_fd(&self, fd: RawFd, generation: u64, cx: &mut Context<'_>) -> Poll<Option<Interest>> {
        let mut st = self.state();
        let State { fds, watches, .. } = &mut *st;
        let Some(entry) = fds.get_mut(&fd).filter(|e| e.generation == generation) else {
            return Poll::Ready(None);
        };
        let mask = active_mask(watches, entry);
        match &entry.task {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => entry.task = Some(cx.waker().clone()),
        }
        let Some(mask) = mask else {
            // Every watch is paused: wait for a change.
            return Poll::Pending;
        };
        let want_read = mask.contains(Interest::READABLE) || !mask.contains(Interest::WRITABLE);
        let want_write = mask.contains(Interest::WRITABLE);
        let afd = &entry.afd;
        for _ in 0..4 {
            // tokio's readiness first: its tick, taken before `poll(2)`, keeps the clear below
            // from forgetting an edge that arrives after `poll(2)`.
            let read = if want_read {
                match afd.poll_read_ready(cx) {
                    Poll::Ready(Ok(g)) => Some(g),
                    Poll::Ready(Err(_)) => return Poll::Ready(None),
                    Poll::Pending => None,
                }
            } else {
                None
            };
            let write = if want_write {
                match afd.poll_write_ready(cx) {
                    Poll::Ready(Ok(g)) => Some(g),
                    Poll::Ready(Err(_)) => return Poll::Ready(None),
                    Poll::Pending => None,
                }
            } else {
                None
            };
            let mut p = [readiness::pollfd(fd, mask)];
            if readiness::poll_now(&mut p).is_err() {
                break;
            }
            let revents = p[0].revents;
            if revents & libc::POLLNVAL != 0 {
                // Closed under the watch: wait for it to be removed.
                return Poll::Pending;
            }
            let ready = readiness::interest_from_revents(revents);
            if !ready.is_empty() {
                return Poll::Ready(Some(ready));
            }
            if read.is_none() && write.is_none() {
                // Idle, and every wanted readiness is waiting for its next edge.
                return Poll::Pending;
            }
            // Idle now: forget the edge that woke us and wait for the next one (one that came
            // since the guards were taken keeps the readiness set).
            if let Some(mut g) = read {
                g.clear_ready();
            }
            if let Some(mut g) = write {
                g.clear_ready();
            }
            let again_read = want_read && afd.poll_read_ready(cx).is_ready();
            let again_write = want_write && afd.poll_write_ready(cx).is_ready();
            if !again_read && !again_write {
                return Poll::Pending;
            }
        }
        // Readiness keeps coming back without `poll(2)` confirming it: retry later rather
        // than spin with the lock held.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Runs the callbacks of the watches on `fd` that have a pending condition in `ready`;
    /// the caller holds the dispatch mutex.
    fn dispatch_fd(&self, fd: RawFd, generation: u64, ready: Interest) {
        let (first, rest) = {
            let st = self.state();
            let Some(entry) = st.fds.get(&fd).filter(|e| e.generation == generation) else {
                return;
            };
            // Most fds have one watch: no allocation for those.
            let Some((&first, rest)) = entry.ids.split_first() else {
                return;
            };
            (first, rest.to_vec())
        };
        if ready.is_empty() {
            return;
        }
        for id in std::iter::once(first).chain(rest) {
            let taken = {
                let mut st = self.state();
                st.watches.get_mut(&id).and_then(|w| {
                    if w.fd != fd {
                        return None;
                    }
                    let fire = ready.reported_to(w.events);
                    if fire.is_empty() {
                        return None;
                    }
                    Some((w.callback.take()?, fire))
                })
            };
            let Some((mut cb, fire)) = taken else {
                continue;
            };
            {
                let _scope = CallbackScope::enter();
                cb(WatchId::new(id).expect("watch ids are non-zero"), fd, fire);
            }
            let removed = {
                let mut st = self.state();
                match st.watches.get_mut(&id) {
                    Some(w) => {
                        w.callback = Some(cb);
                        None
                    }
                    None => Some(cb),
                }
            };
            // Removed during its own dispatch: freed now that the dispatch has returned.
            drop(removed);
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
        if fd < 0 {
            return Err(bad_fd(fd, std::io::Error::from_raw_os_error(libc::EBADF)));
        }
        let mut follow = Followup::default();
        let id = {
            let mut st = self.state();
            if !st.fds.contains_key(&fd) {
                let afd = {
                    let _runtime = self.inner.handle.enter();
                    let interest = tokio::io::Interest::READABLE | tokio::io::Interest::WRITABLE;
                    // SAFETY: `EventLoop::add_handle` requires the caller to keep `fd` open
                    // until the watch is removed. This `AsyncFd` lives exactly as long as
                    // some watch on `fd` does: `remove_handle` drops it (deregistering the fd)
                    // before returning when it removes the last watch on `fd`, and `Fd`
                    // always returns the same fd number.
                    unsafe { AsyncFd::register_with_interest(Fd(fd), interest) }
                        .map_err(|e| bad_fd(fd, e.into_parts().1))?
                };
                let generation = st.next_generation;
                st.next_generation += 1;
                st.fds.insert(
                    fd,
                    FdEntry {
                        generation,
                        ids: Vec::new(),
                        afd,
                        task: None,
                    },
                );
                follow.spawn_fd = Some((fd, generation));
            }
            let id = st.next_watch;
            st.next_watch += 1;
            st.watches.insert(
                id,
                Watch {
                    fd,
                    events,
                    callback: Some(callback),
                },
            );
            let entry = st.fds.get_mut(&fd).expect("inserted above");
            entry.ids.push(id);
            if !events.is_empty() {
                follow.wake = entry.task.take();
            }
            id
        };
        self.follow_up(follow);
        Ok(WatchId::new(id).expect("ids start at 1"))
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let follow = {
            let mut st = self.state();
            let w = st
                .watches
                .get_mut(&watch.get())
                .ok_or(EventError::UnknownWatch(watch))?;
            w.events = events;
            let fd = w.fd;
            Followup {
                wake: st.fds.get_mut(&fd).and_then(|e| e.task.take()),
                ..Followup::default()
            }
        };
        self.follow_up(follow);
        Ok(())
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let follow = {
            let mut st = self.state();
            let w = st
                .watches
                .remove(&watch.get())
                .ok_or(EventError::UnknownWatch(watch))?;
            let mut follow = Followup::default();
            if let Some(entry) = st.fds.get_mut(&w.fd) {
                entry.ids.retain(|&id| id != watch.get());
                follow.wake = entry.task.take();
                if entry.ids.is_empty() {
                    // Deregister now, under the lock, so that a new watch on this fd number
                    // (from any thread) can register it again at once, and before returning,
                    // so that the caller may close the fd. The task sees its entry gone and
                    // ends.
                    drop(st.fds.remove(&w.fd));
                }
            }
            if let Some(cb) = w.callback {
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

//! rvirt's event-loop adapter for [async-io]: libvirt-style fd watches and timers on
//! async-io's global reactor, driven by a future that any executor can run.
//!
//! [`AsyncIoLoop`] is the `Send + Sync` [`EventLoop`] drivers register with, from any thread.
//! [`AsyncIoLoop::run`] returns the [`Run`] future that dispatches the callbacks: spawn it on
//! your executor (smol, async-executor, tokio with the async-io reactor thread, ...) or
//! `async_io::block_on` it.
//!
//! * Each watched fd is registered once with the reactor (`Async::new_nonblocking`, which does
//!   *not* touch the fd's `O_NONBLOCK` flag), with the union of its watches' masks;
//!   registration and deregistration happen synchronously inside `add/update/remove_handle`,
//!   while the fd is guaranteed open. A mask of [`Interest::NONE`] is not registered.
//! * async-io readiness is one-shot, so level-triggering is rebuilt on top: the reactor only
//!   says *which* fd to look at (each fd has its own waker that queues it); the truth comes
//!   from a zero-timeout `poll(2)` before dispatching, and again after the callbacks: an fd
//!   still ready is dispatched again on the next iteration without waiting for the reactor,
//!   otherwise its interest is re-armed.
//! * Timers are a table served by one async-io [`Timer`] set to the next
//!   deadline; a timer firing on every iteration makes the driver yield and re-poll at once.
//! * A removed callback box is dropped by the driver at the end of its iteration (or right
//!   after its own dispatch if it removed itself), never inside `remove_*`.
//! * Every change wakes the driver's task.
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

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use async_io::{Async, Timer};
use rvirt_core::event::readiness::pending;
use rvirt_core::event::{
    EventError, EventLoop, Garbage, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
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
    /// Kept apart from `state`: wakers run inside async-io's locks and only touch this.
    wake: Arc<WakeShared>,
    running: AtomicBool,
}

/// What the wakers share with the driver.
#[derive(Default)]
struct WakeShared {
    queue: Mutex<WakeQueue>,
}

#[derive(Default)]
struct WakeQueue {
    /// Fds to look at: `(fd, generation of its registration)`.
    fds: Vec<(RawFd, u64)>,
    /// The driver task's waker.
    driver: Option<Waker>,
}

impl WakeShared {
    fn lock(&self) -> MutexGuard<'_, WakeQueue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues an fd (if any) and wakes the driver.
    fn notify(&self, fd: Option<(RawFd, u64)>) {
        let driver = {
            let mut q = self.lock();
            if let Some(fd) = fd {
                q.fds.push(fd);
            }
            q.driver.clone()
        };
        if let Some(w) = driver {
            w.wake();
        }
    }
}

/// The waker of one fd registration: queues the fd and wakes the driver.
struct FdWaker {
    fd: RawFd,
    generation: u64,
    shared: Weak<WakeShared>,
}

impl Wake for FdWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(shared) = self.shared.upgrade() {
            shared.notify(Some((self.fd, self.generation)));
        }
    }
}

/// Lends a raw fd to async-io without owning it.
struct FdRef(RawFd);

impl AsFd for FdRef {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: an `FdRef` lives only inside an `FdSlot` registration, which is dropped in
        // `remove_handle`/`update_handle` while the EventLoop contract still keeps the fd open.
        unsafe { BorrowedFd::borrow_raw(self.0) }
    }
}

/// The reactor registration of one fd, for the union of its watches' masks.
struct Registration {
    source: Async<FdRef>,
    mask: Interest,
    generation: u64,
    waker: Waker,
}

struct Watch {
    fd: RawFd,
    events: Interest,
    /// `None` while the callback is out being dispatched.
    callback: Option<HandleCallback>,
}

#[derive(Default)]
struct FdSlot {
    ids: Vec<u64>,
    registration: Option<Registration>,
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
    next_watch: u64,
    next_timer: u64,
    next_generation: u64,
    watches: HashMap<u64, Watch>,
    fds: HashMap<RawFd, FdSlot>,
    timers: BTreeMap<u64, TimerEntry>,
    graveyard: Vec<Garbage>,
}

impl State {
    fn fd_mask(&self, fd: RawFd) -> Interest {
        let mut mask = Interest::NONE;
        if let Some(slot) = self.fds.get(&fd) {
            for id in &slot.ids {
                if let Some(w) = self.watches.get(id) {
                    mask |= w.events;
                }
            }
        }
        mask & (Interest::READABLE | Interest::WRITABLE)
    }

    /// Makes `fd`'s reactor registration match its watches; returns the fd to look at.
    fn sync_fd(&mut self, shared: &Arc<WakeShared>, fd: RawFd) -> io::Result<Option<(RawFd, u64)>> {
        let mask = self.fd_mask(fd);
        let generation = self.next_generation;
        let Some(slot) = self.fds.get_mut(&fd) else {
            return Ok(None);
        };
        let current = slot.registration.as_ref().map(|r| r.mask);
        if current == Some(mask) {
            return Ok(None);
        }
        // Deregister first: the reactor refuses an fd registered twice.
        slot.registration = None;
        let mut queued = None;
        if !mask.is_empty() {
            self.next_generation += 1;
            let source = Async::new_nonblocking(FdRef(fd))?;
            let waker = Waker::from(Arc::new(FdWaker {
                fd,
                generation,
                shared: Arc::downgrade(shared),
            }));
            slot.registration = Some(Registration {
                source,
                mask,
                generation,
                waker,
            });
            queued = Some((fd, generation));
        }
        if slot.ids.is_empty() {
            self.fds.remove(&fd);
        }
        Ok(queued)
    }
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
}

fn check_fd(fd: RawFd) -> Result<(), EventError> {
    // SAFETY: F_GETFD takes no pointer argument; it only inspects the descriptor table.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        let err = if fd < 0 {
            io::Error::from_raw_os_error(libc::EBADF)
        } else {
            io::Error::last_os_error()
        };
        return Err(EventError::BadFd(fd, err));
    }
    Ok(())
}

impl AsyncIoLoop {
    /// A loop with no registrations. Nothing is dispatched until its [`Run`] future runs.
    pub fn new() -> AsyncIoLoop {
        AsyncIoLoop {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    next_watch: 1,
                    next_timer: 1,
                    next_generation: 1,
                    watches: HashMap::new(),
                    fds: HashMap::new(),
                    timers: BTreeMap::new(),
                    graveyard: Vec::new(),
                }),
                wake: Arc::default(),
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
            timer: Timer::never(),
            timer_deadline: None,
        }
    }

    fn wake(&self, fd: Option<(RawFd, u64)>) {
        self.inner.wake.notify(fd);
    }
}

/// The driver future of an [`AsyncIoLoop`] (see [`AsyncIoLoop::run`]).
///
/// Each poll is one loop iteration: look at the fds the reactor (or the level-triggering
/// re-check) queued, fire due timers, free removed callbacks, then re-arm.
#[must_use = "a Run future does nothing unless polled"]
pub struct Run {
    inner: Arc<Inner>,
    owns_running: bool,
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
            self.inner.wake.lock().driver = None;
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
        let queued = {
            let mut q = this.inner.wake.lock();
            match &q.driver {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => q.driver = Some(cx.waker().clone()),
            }
            std::mem::take(&mut q.fds)
        };
        let mut again = false;
        let timer_limit = this.inner.lock().next_timer;

        // Fds: dispatch what is pending, then either queue again (still ready: level
        // triggering) or re-arm the one-shot reactor interest.
        let mut seen = std::collections::HashSet::new();
        for (fd, generation) in queued {
            if seen.insert((fd, generation)) {
                again |= this.serve_fd(fd, generation);
            }
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
    /// Serves one queued fd; true when it must be looked at again on the next iteration.
    fn serve_fd(&mut self, fd: RawFd, generation: u64) -> bool {
        let (ids, mask) = {
            let st = self.inner.lock();
            let Some(slot) = st.fds.get(&fd) else {
                return false;
            };
            match &slot.registration {
                Some(r) if r.generation == generation => (slot.ids.clone(), r.mask),
                _ => return false,
            }
        };
        let ready = pending(fd, mask);
        if !ready.is_empty() {
            self.dispatch_fd(fd, &ids, ready);
        }
        let st = self.inner.lock();
        let Some(reg) = st
            .fds
            .get(&fd)
            .and_then(|s| s.registration.as_ref())
            .filter(|r| r.generation == generation)
        else {
            return false;
        };
        // Level-triggered: still pending after the callbacks, so dispatch again next time.
        if !pending(fd, reg.mask).is_empty() {
            drop(st);
            self.inner.wake.lock().fds.push((fd, generation));
            return true;
        }
        let mut cx = Context::from_waker(&reg.waker);
        let mut fired = false;
        if reg.mask.contains(Interest::READABLE) {
            fired |= reg.source.poll_readable(&mut cx).is_ready();
        }
        if reg.mask.contains(Interest::WRITABLE) {
            fired |= reg.source.poll_writable(&mut cx).is_ready();
        }
        if fired {
            // A stale reactor event: look once more, which also re-arms.
            drop(st);
            self.inner.wake.lock().fds.push((fd, generation));
            return true;
        }
        false
    }

    fn dispatch_fd(&mut self, fd: RawFd, ids: &[u64], ready: Interest) {
        for &id in ids {
            let (mut cb, fire) = {
                let mut st = self.inner.lock();
                let Some(w) = st.watches.get_mut(&id) else {
                    continue;
                };
                if w.fd != fd {
                    continue;
                }
                let fire = ready.reported_to(w.events);
                if fire.is_empty() {
                    continue;
                }
                let Some(cb) = w.callback.take() else {
                    continue;
                };
                (cb, fire)
            };
            cb(WatchId::new(id).expect("watch ids start at 1"), fd, fire);
            let removed = {
                let mut st = self.inner.lock();
                match st.watches.get_mut(&id) {
                    Some(w) => {
                        w.callback = Some(cb);
                        None
                    }
                    None => Some(cb),
                }
            };
            // The watch removed itself: its dispatch is over, free it outside the lock.
            drop(removed);
        }
    }

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
        check_fd(fd)?;
        let queued = {
            let mut st = self.inner.lock();
            let id = st.next_watch;
            st.watches.insert(
                id,
                Watch {
                    fd,
                    events,
                    callback: Some(callback),
                },
            );
            st.fds.entry(fd).or_default().ids.push(id);
            match st.sync_fd(&self.inner.wake, fd) {
                Ok(q) => {
                    st.next_watch += 1;
                    (id, q)
                }
                Err(e) => {
                    st.watches.remove(&id);
                    if let Some(slot) = st.fds.get_mut(&fd) {
                        slot.ids.retain(|&w| w != id);
                        if slot.ids.is_empty() && slot.registration.is_none() {
                            st.fds.remove(&fd);
                        }
                    }
                    return Err(EventError::BadFd(fd, e));
                }
            }
        };
        self.wake(queued.1);
        Ok(WatchId::new(queued.0).expect("watch ids start at 1"))
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let queued = {
            let mut st = self.inner.lock();
            let w = st
                .watches
                .get_mut(&watch.get())
                .ok_or(EventError::UnknownWatch(watch))?;
            w.events = events;
            let fd = w.fd;
            st.sync_fd(&self.inner.wake, fd)
                .map_err(|e| EventError::BadFd(fd, e))?
        };
        self.wake(queued);
        Ok(())
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let queued = {
            let mut st = self.inner.lock();
            let w = st
                .watches
                .remove(&watch.get())
                .ok_or(EventError::UnknownWatch(watch))?;
            if let Some(slot) = st.fds.get_mut(&w.fd) {
                slot.ids.retain(|&id| id != watch.get());
            }
            // Deregistering cannot fail in a way the caller could act on; the watch is gone.
            let queued = st.sync_fd(&self.inner.wake, w.fd).ok().flatten();
            if let Some(cb) = w.callback {
                st.graveyard.push(Garbage::Handle(cb));
            }
            queued
        };
        self.wake(queued);
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
        self.wake(None);
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
        self.wake(None);
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
        self.wake(None);
        Ok(())
    }
}

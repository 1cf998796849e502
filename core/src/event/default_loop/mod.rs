//! [`DefaultLoop`]: rvirt's own event loop, level-triggered epoll plus a timer table.

mod sys;
mod tables;

use std::fmt;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use self::sys::EventFd;
use self::tables::{Garbage, Tables};
use super::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};
use crate::event::backend::{EPOLL_IN, Epoll, interest_from_epoll};

/// The epoll `data` value of the loop's own wake-up fd (user fds use their fd number).
const WAKE_TOKEN: u64 = u64::MAX;
const MIN_EVENTS: usize = 256;
const MAX_EVENTS: usize = 8192;

/// rvirt's default event loop, like libvirt's `virEventRegisterDefaultImpl` +
/// `virEventRunDefaultImpl`.
///
/// Level-triggered epoll for fd watches, a table of timers, an eventfd to wake the loop when
/// another thread changes a registration. Cloning gives another handle on the same loop.
/// One thread runs it ([`DefaultLoop::run_once`] or [`DefaultLoop::run`]); every thread may
/// register, update and remove watches and timers through [`EventLoop`].
///
/// ```
/// use rvirt_core::event::{DefaultLoop, EventLoopExt, TimerInterval};
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
///
/// let ev = DefaultLoop::new()?;
/// let fired = Arc::new(AtomicU32::new(0));
/// let f = fired.clone();
/// let timer = ev.timer(TimerInterval::EveryIteration, move |_| {
///     f.fetch_add(1, Ordering::SeqCst);
/// })?;
/// ev.run_once()?;
/// assert_eq!(fired.load(Ordering::SeqCst), 1);
/// ev.remove_timeout(timer)?;
/// # use rvirt_core::event::EventLoop;
/// # Ok::<(), rvirt_core::event::EventError>(())
/// ```
#[derive(Clone)]
pub struct DefaultLoop {
    inner: Arc<Inner>,
}

struct Inner {
    epoll: Epoll,
    wakeup: EventFd,
    tables: Mutex<Tables>,
    /// Buffers only the running thread touches.
    scratch: Mutex<Scratch>,
    running: AtomicBool,
    /// The thread that ran the last iteration (the loop's thread).
    runner: Mutex<Option<std::thread::ThreadId>>,
    quit: AtomicBool,
}

struct Scratch {
    events: Vec<libc::epoll_event>,
    ids: Vec<u64>,
}

impl fmt::Debug for DefaultLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultLoop")
            .field("epoll", &self.inner.epoll)
            .field("running", &self.inner.running.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Clears the `running` flag when an iteration ends, even by panic.
struct RunGuard<'a>(&'a AtomicBool);

impl<'a> RunGuard<'a> {
    fn acquire(flag: &'a AtomicBool) -> Result<Self, EventError> {
        flag.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EventError::AlreadyRunning)?;
        Ok(RunGuard(flag))
    }
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl DefaultLoop {
    /// Creates a loop with its epoll instance and wake-up eventfd.
    pub fn new() -> Result<DefaultLoop, EventError> {
        let epoll = Epoll::new().map_err(EventError::Os)?;
        let wakeup = EventFd::new().map_err(EventError::Os)?;
        epoll
            .add(wakeup.raw(), EPOLL_IN, WAKE_TOKEN)
            .map_err(EventError::Os)?;
        Ok(DefaultLoop {
            inner: Arc::new(Inner {
                epoll,
                wakeup,
                tables: Mutex::new(Tables::default()),
                scratch: Mutex::new(Scratch {
                    events: vec![libc::epoll_event { events: 0, u64: 0 }; MIN_EVENTS],
                    ids: Vec::new(),
                }),
                running: AtomicBool::new(false),
                runner: Mutex::new(None),
                quit: AtomicBool::new(false),
            }),
        })
    }

    /// This loop as a [`SharedLoop`], for [`crate::event::register`] or a `Connect`.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }

    /// Runs one iteration, sleeping until a watch or timer is ready or a registration changes
    /// (libvirt's `virEventRunDefaultImpl`).
    pub fn run_once(&self) -> Result<(), EventError> {
        self.iterate(None)
    }

    /// Runs one iteration, sleeping at most `max_wait`.
    pub fn run_once_timeout(&self, max_wait: Duration) -> Result<(), EventError> {
        self.iterate(Some(max_wait))
    }

    /// Runs iterations until [`DefaultLoop::quit`] is called (from any thread or callback).
    pub fn run(&self) -> Result<(), EventError> {
        while !self.inner.quit.swap(false, Ordering::AcqRel) {
            self.iterate(None)?;
        }
        Ok(())
    }

    /// Makes [`DefaultLoop::run`] return after the current iteration, waking the loop.
    pub fn quit(&self) {
        self.inner.quit.store(true, Ordering::Release);
        let _ = self.change(|_, _| Ok(()));
    }

    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.inner
            .tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wake_if(&self, wake: bool) {
        if wake {
            self.inner.wakeup.notify();
        }
    }

    /// Drops deferred callbacks with no lock held (libvirt's deferred `ff`).
    fn drop_garbage(&self) {
        let garbage: Vec<Garbage> = std::mem::take(&mut self.tables().graveyard);
        drop(garbage);
    }

    fn iterate(&self, max_wait: Option<Duration>) -> Result<(), EventError> {
        let _running = RunGuard::acquire(&self.inner.running)?;
        *self
            .inner
            .runner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(std::thread::current().id());
        let mut scratch = self
            .inner
            .scratch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let scratch = &mut *scratch;
        self.drop_garbage();

        let (watch_limit, timer_limit, timeout) = {
            let mut t = self.tables();
            let timeout = if !t.graveyard.is_empty() {
                // A removal landed after this iteration's first sweep and before we could
                // be seen sleeping (so it did not wake us): don't sleep on its callback.
                Some(Duration::ZERO)
            } else {
                match (t.next_timeout(Instant::now()), max_wait) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            };
            t.sleeping = timeout != Some(Duration::ZERO);
            (t.watch_id_limit(), t.timer_id_limit(), timeout)
        };
        let waited = self.inner.epoll.wait(&mut scratch.events, timeout);
        self.tables().woke();
        let n = waited.map_err(EventError::Os)?;

        self.dispatch_timers(timer_limit, &mut scratch.ids);
        for i in 0..n {
            let ev = scratch.events[i];
            let (token, bits) = (ev.u64, ev.events);
            if token == WAKE_TOKEN {
                self.inner.wakeup.drain();
                continue;
            }
            self.dispatch_fd(
                token as RawFd,
                interest_from_epoll(bits),
                watch_limit,
                &mut scratch.ids,
            );
        }
        if n == scratch.events.len() && n < MAX_EVENTS {
            let grown = n * 2;
            scratch
                .events
                .resize(grown, libc::epoll_event { events: 0, u64: 0 });
        }
        self.drop_garbage();
        Ok(())
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
                // Added after the poll: its readiness was not what was polled.
                continue;
            }
            let Some((mut cb, fire)) = self.tables().take_watch_callback(id, ready) else {
                continue;
            };
            cb(WatchId::new(id).expect("watch ids are non-zero"), fd, fire);
            self.tables().put_watch_callback(id, cb);
        }
    }
}

impl DefaultLoop {
    /// Applies a registration change under the lock, then wakes the loop if it sleeps.
    fn change<R>(
        &self,
        f: impl FnOnce(&mut Tables, &Epoll) -> Result<R, EventError>,
    ) -> Result<R, EventError> {
        let (r, wake) = {
            let mut t = self.tables();
            let r = f(&mut t, &self.inner.epoll)?;
            (r, t.needs_wake())
        };
        self.wake_if(wake);
        Ok(r)
    }
}

impl EventLoop for DefaultLoop {
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

    /// The thread that ran the last iteration; before any iteration, whoever asks
    /// while no thread runs the loop (nobody else would run it for them).
    fn is_loop_thread(&self) -> bool {
        let runner = *self
            .inner
            .runner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match runner {
            Some(t) => t == std::thread::current().id(),
            None => !self.inner.running.load(Ordering::Acquire),
        }
    }
}

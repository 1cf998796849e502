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
use crate::event::backend::{EPOLL_IN, Epoll, dispatch_due, dispatch_ready};

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
        self.iterate(None, false)
    }

    /// Runs one iteration, sleeping at most `max_wait`.
    pub fn run_once_timeout(&self, max_wait: Duration) -> Result<(), EventError> {
        self.iterate(Some(max_wait), false)
    }

    /// Runs iterations until [`DefaultLoop::quit`] is called (from any thread or callback).
    pub fn run(&self) -> Result<(), EventError> {
        while !self.inner.quit.swap(false, Ordering::AcqRel) {
            self.iterate(None, true)?;
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

    /// One iteration. With `until_quit` (from [`DefaultLoop::run`]) a quit already asked
    /// for keeps the iteration from sleeping: `quit` sets its flag before it looks whether
    /// the loop sleeps, and this looks at the flag under the same lock before going to
    /// sleep, so a quit that lands between `run`'s own check and the sleep is never lost.
    fn iterate(&self, max_wait: Option<Duration>, until_quit: bool) -> Result<(), EventError> {
        let _running = RunGuard::acquire(&self.inner.running)?;
        let me = std::thread::current().id();
        {
            let mut runner = self
                .inner
                .runner
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if *runner != Some(me) {
                *runner = Some(me);
            }
        }
        let mut scratch = self
            .inner
            .scratch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let scratch = &mut *scratch;

        // One lock: last iteration's late garbage out, then how long to sleep.
        let (garbage, watch_limit, timer_limit, timeout) = {
            let mut t = self.tables();
            let garbage = std::mem::take(&mut t.graveyard);
            // No clock read when there is no timer (the common case of a busy fd loop).
            let next_timer = if t.timers.is_empty() {
                None
            } else {
                t.timers.next_timeout(Instant::now())
            };
            let timeout = match (next_timer, max_wait) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timeout = if until_quit && self.inner.quit.load(Ordering::Acquire) {
                Some(Duration::ZERO)
            } else {
                timeout
            };
            t.sleeping = timeout != Some(Duration::ZERO);
            let timer_limit = (!t.timers.is_empty()).then(|| t.timers.id_limit());
            (garbage, t.watches.id_limit(), timer_limit, timeout)
        };
        // Freed before sleeping, with no lock held (libvirt's deferred `ff`). A removal that
        // lands from now on sees `sleeping` and wakes the loop, so its callback is not kept
        // waiting through a sleep either.
        drop(garbage);
        let waited = self.inner.epoll.wait(&mut scratch.events, timeout);
        self.tables().woke();
        let mut n = waited.map_err(EventError::Os)?;
        let full = n == scratch.events.len();

        if let Some(i) = scratch.events[..n].iter().position(|e| e.u64 == WAKE_TOKEN) {
            self.inner.wakeup.drain();
            scratch.events.swap(i, n - 1);
            n -= 1;
        }
        // With no timer before the look, none is due in this iteration (a timer added
        // since waits for the next one anyway).
        if let Some(timer_limit) = timer_limit {
            dispatch_due(
                &self.inner.tables,
                |t| &mut t.timers,
                Instant::now(),
                timer_limit,
                &mut scratch.ids,
            );
        }
        dispatch_ready(
            &self.inner.tables,
            |t| &mut t.watches,
            &scratch.events[..n],
            1..watch_limit,
        );
        if full && scratch.events.len() < MAX_EVENTS {
            let grown = scratch.events.len() * 2;
            scratch
                .events
                .resize(grown, libc::epoll_event { events: 0, u64: 0 });
        }
        self.drop_garbage();
        Ok(())
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
        let mut refused = None;
        let added = self.change(|t, epoll| {
            t.watches
                .add(epoll, fd, events, callback)
                .map_err(|(e, callback)| {
                    refused = Some(callback);
                    e
                })
        });
        // A refused callback is dropped here, with no lock held.
        drop(refused);
        added
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

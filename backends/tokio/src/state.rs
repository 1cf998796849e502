//! The loop's shared state: registrations, the epoll set registered with the reactor, and
//! what a registration change leaves to do once the lock is released ([`Followup`]).

use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::Instant;

use rvirt_core::event::EventError;
use rvirt_core::event::backend::{EPOLL_IN, Epoll, FdWatches, Garbage, TimerFd, TimerTable};
use tokio::io::unix::AsyncFd;
use tokio::runtime::Handle;

/// The timerfd's data word in the epoll set (no fd number is that large).
pub(crate) const TIMER_TOKEN: u64 = u64::MAX;

/// What every handle on one loop shares.
pub(crate) struct Inner {
    pub(crate) handle: Handle,
    pub(crate) state: Mutex<State>,
    /// Held while callbacks run: callbacks never run concurrently. Also held by a
    /// [`CallbackHold`](crate::CallbackHold).
    pub(crate) dispatch: Arc<tokio::sync::Mutex<()>>,
}

/// The registrations and the dispatch task's bookkeeping.
pub(crate) struct State {
    /// The fd watches, registered in `set`.
    pub(crate) watches: FdWatches,
    pub(crate) timers: TimerTable,
    /// The epoll set (every watched fd and `timer_fd`), registered with the runtime's
    /// reactor; created with the first registration.
    pub(crate) set: Option<Arc<AsyncFd<Epoll>>>,
    /// In `set`, armed for the earliest periodic deadline; created with `set`.
    pub(crate) timer_fd: Option<TimerFd>,
    /// The dispatch task runs (it ends once nothing is registered, and is spawned again by
    /// the next registration).
    pub(crate) task: bool,
    /// The dispatch task's waker while it waits for the set, to make it end when the last
    /// registration goes or look at an every-iteration timer.
    pub(crate) task_waker: Option<Waker>,
    /// Callbacks waiting for the reaper task to drop them.
    pub(crate) graveyard: Vec<Garbage>,
    pub(crate) reaper_scheduled: bool,
}

/// What a registration change leaves to do once the state lock is released.
#[derive(Default)]
#[must_use]
pub(crate) struct Followup {
    pub(crate) wake: Option<Waker>,
    pub(crate) spawn_task: Option<Arc<AsyncFd<Epoll>>>,
    pub(crate) reap: bool,
}

impl Inner {
    pub(crate) fn new(handle: Handle) -> Inner {
        Inner {
            handle,
            state: Mutex::new(State {
                watches: FdWatches::default(),
                timers: TimerTable::default(),
                set: None,
                timer_fd: None,
                task: false,
                task_waker: None,
                graveyard: Vec::new(),
                reaper_scheduled: false,
            }),
            dispatch: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// True when nothing is registered: the dispatch task ends.
    pub(crate) fn is_idle(&self) -> bool {
        self.watches.is_empty() && self.timers.is_empty()
    }

    /// The epoll set, created (with its timerfd, and registered with the reactor behind
    /// `handle`) on first use.
    pub(crate) fn set(&mut self, handle: &Handle) -> Result<Arc<AsyncFd<Epoll>>, EventError> {
        if let Some(set) = &self.set {
            return Ok(set.clone());
        }
        let epoll = Epoll::new().map_err(EventError::Os)?;
        let timer_fd = TimerFd::new().map_err(EventError::Os)?;
        epoll
            .add(timer_fd.as_raw_fd(), EPOLL_IN, TIMER_TOKEN)
            .map_err(EventError::Os)?;
        let _runtime = handle.enter();
        // SAFETY: the `AsyncFd` owns the epoll instance, so its fd stays open and names the
        // same file until the `AsyncFd` is dropped.
        let set = unsafe { AsyncFd::register_with_interest(epoll, tokio::io::Interest::READABLE) }
            .map_err(|e| EventError::Os(e.into_parts().1))?;
        let set = Arc::new(set);
        self.set = Some(set.clone());
        self.timer_fd = Some(timer_fd);
        Ok(set)
    }

    /// Makes sure the dispatch task runs (a registration was just added).
    pub(crate) fn start_task(&mut self, set: Arc<AsyncFd<Epoll>>, follow: &mut Followup) {
        if !self.task {
            self.task = true;
            follow.spawn_task = Some(set);
        }
    }

    /// Wakes the loop in time for a periodic timer due at `deadline`: the timerfd makes the
    /// set readable then (from any thread, with no wake-up of our own).
    pub(crate) fn arm(&mut self, deadline: Instant) {
        if let Some(t) = &mut self.timer_fd {
            // A failure (never seen: the timerfd is ours) would delay the timer until the
            // next dispatch re-arms it.
            let _ = t.arm_before(deadline);
        }
    }

    /// Defers the drop of `g`; true when a reaper task must be spawned.
    pub(crate) fn bury(&mut self, g: Garbage) -> bool {
        self.graveyard.push(g);
        !std::mem::replace(&mut self.reaper_scheduled, true)
    }
}

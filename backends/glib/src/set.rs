//! [`Set`]: the adapter's registrations (fd watches in an epoll set, timers on a timerfd in
//! that set) and the dispatch its `GSource` runs.

use std::fmt;
use std::os::fd::AsRawFd;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use glib::Source;
use rvirt_core::event::backend::{
    EPOLL_IN, Epoll, FdWatches, Garbage, TimerFd, TimerTable, dispatch_due, dispatch_ready,
};

use crate::source::{self, Handler, Ready};

/// The timerfd's data word in the epoll set (no fd number is that large).
const TIMER_TOKEN: u64 = u64::MAX;

/// The registrations and what watches them; shared by the loop's handles and its source.
pub(crate) struct Set {
    /// Every watched fd, and the timerfd. The source polls this fd.
    pub(crate) epoll: Epoll,
    pub(crate) state: Mutex<State>,
    /// The dispatch's buffers (only the dispatch, never re-entered, locks them).
    scratch: Mutex<Scratch>,
}

/// What the lock guards.
pub(crate) struct State {
    pub(crate) watches: FdWatches,
    pub(crate) timers: TimerTable,
    /// Armed for the earliest periodic deadline.
    pub(crate) timer_fd: TimerFd,
    /// Removed callbacks, dropped by the next dispatch outside the lock.
    graveyard: Vec<Garbage>,
    /// The source's ready time is set: it is dispatched on the next iteration whatever its
    /// fd says.
    ready: bool,
}

#[derive(Default)]
struct Scratch {
    events: Vec<libc::epoll_event>,
    due: Vec<u64>,
}

impl fmt::Debug for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Set")
            .field("watches", &st.watches)
            .field("timers", &st.timers)
            .finish_non_exhaustive()
    }
}

impl Set {
    /// An empty set: its epoll instance, holding its timerfd.
    pub(crate) fn new() -> std::io::Result<Set> {
        let epoll = Epoll::new()?;
        let timer_fd = TimerFd::new()?;
        epoll.add(timer_fd.as_raw_fd(), EPOLL_IN, TIMER_TOKEN)?;
        Ok(Set {
            epoll,
            state: Mutex::new(State {
                watches: FdWatches::default(),
                timers: TimerTable::default(),
                timer_fd,
                graveyard: Vec::new(),
                ready: false,
            }),
            scratch: Mutex::new(Scratch::default()),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    /// Makes `source` dispatch on the next iteration (waking its context), unless it will
    /// already. Called with the lock held, so that a dispatch deciding the ready time at its
    /// end cannot undo it.
    pub(crate) fn request_dispatch(&mut self, source: &Source) {
        if !self.ready {
            self.ready = true;
            source::set_ready(source, true);
        }
    }

    /// Defers dropping `g` to the next dispatch, which `source` is asked for.
    pub(crate) fn bury(&mut self, g: Garbage, source: &Source) {
        self.graveyard.push(g);
        self.request_dispatch(source);
    }

    /// Wakes the loop in time for timer `deadline` (a periodic timer just armed).
    pub(crate) fn arm(&mut self, deadline: Instant) {
        // A failure (never seen: the timerfd is ours) would delay the timer until the next
        // dispatch re-arms it.
        let _ = self.timer_fd.arm_before(deadline);
    }
}

impl Handler for Set {
    fn dispatch(&self, ready: Ready<'_>) {
        let mut scratch = self.scratch.lock().unwrap_or_else(|p| p.into_inner());
        let Scratch { events, due } = &mut *scratch;
        let (watch_limit, timer_limit) = {
            let st = self.lock();
            (st.watches.id_limit(), st.timers.id_limit())
        };
        // An error (EINTR) is an empty look: level-triggered, the rest is reported again.
        let mut n = self.epoll.ready_now(events).unwrap_or(0);
        if let Some(i) = events[..n].iter().position(|e| e.u64 == TIMER_TOKEN) {
            self.lock().timer_fd.expired();
            n -= 1;
            events.swap(i, n);
        }
        dispatch_due(
            &self.state,
            |st| &mut st.timers,
            Instant::now(),
            timer_limit,
            due,
        );
        dispatch_ready(
            &self.state,
            |st| &mut st.watches,
            &events[..n],
            1..watch_limit,
        );
        let garbage = {
            let mut st = self.lock();
            let next = st.timers.next_deadline();
            // On failure the source is made ready instead, so the timers are looked at again.
            let armed = st.timer_fd.set(next).is_ok();
            let again = !armed || st.timers.next_timeout(Instant::now()) == Some(Duration::ZERO);
            if again != st.ready {
                st.ready = again;
                ready.set(again);
            }
            std::mem::take(&mut st.graveyard)
        };
        drop(scratch);
        drop(garbage);
    }
}

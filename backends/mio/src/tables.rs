//! The mio loop's bookkeeping: fd watches (in the loop's own epoll set), timers, deferred
//! frees, and whether the epoll set must be looked at again.
//!
//! Everything here runs under the loop's mutex; nothing here calls user code.

use std::os::fd::RawFd;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

pub(crate) use rvirt_core::event::backend::Garbage;
use rvirt_core::event::backend::{Epoll, FdWatches, TimerTable};
use rvirt_core::event::{
    EventError, HandleCallback, Interest, TimerCallback, TimerId, TimerInterval, WatchId,
};

/// All mutable loop state, guarded by one mutex.
#[derive(Default)]
pub(crate) struct Tables {
    /// Every fd watch, registered in the loop's epoll set.
    pub(crate) watches: FdWatches,
    timers: TimerTable,
    /// Look at the epoll set on the next dispatch even without a mio event for it: mio
    /// reports edges, and a condition that stayed pending (or was there before its watch
    /// was (re)activated) makes none.
    pub(crate) look: bool,
    /// Callbacks waiting to be dropped outside the lock, after the current dispatch.
    pub(crate) graveyard: Vec<Garbage>,
    /// The waker has been written since the last dispatch began.
    wake_pending: bool,
    /// The thread running [`crate::MioLoop::dispatch`], if any: its changes need no wake-up.
    pub(crate) dispatching: Option<ThreadId>,
}

impl Tables {
    /// Records a change; true when the caller must write the waker.
    pub(crate) fn needs_wake(&mut self) -> bool {
        if self.wake_pending || self.dispatching == Some(std::thread::current().id()) {
            return false;
        }
        self.wake_pending = true;
        true
    }

    /// A dispatch begins on this thread: later changes from other threads wake the loop again.
    pub(crate) fn begin_dispatch(&mut self) {
        self.wake_pending = false;
        self.dispatching = Some(std::thread::current().id());
    }

    /// The next timer id to be handed out.
    pub(crate) fn timer_id_limit(&self) -> u64 {
        self.timers.id_limit()
    }

    pub(crate) fn add_watch(
        &mut self,
        epoll: &Epoll,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        match self.watches.add(epoll, fd, events, callback) {
            Ok(id) => {
                self.look = true;
                Ok(id)
            }
            Err((e, callback)) => {
                // Never dropped under the lock.
                self.graveyard.push(Garbage::Handle(callback));
                Err(e)
            }
        }
    }

    pub(crate) fn update_watch(
        &mut self,
        epoll: &Epoll,
        watch: WatchId,
        events: Interest,
    ) -> Result<(), EventError> {
        self.watches.update(epoll, watch, events)?;
        self.look = true;
        Ok(())
    }

    pub(crate) fn remove_watch(&mut self, epoll: &Epoll, watch: WatchId) -> Result<(), EventError> {
        if let Some(cb) = self.watches.remove(epoll, watch)? {
            self.graveyard.push(Garbage::Handle(cb));
        }
        Ok(())
    }

    pub(crate) fn add_timer(
        &mut self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> TimerId {
        self.timers.add(interval, callback)
    }

    pub(crate) fn update_timer(
        &mut self,
        timer: TimerId,
        interval: TimerInterval,
    ) -> Result<(), EventError> {
        self.timers.update(timer, interval)
    }

    pub(crate) fn remove_timer(&mut self, timer: TimerId) -> Result<(), EventError> {
        if let Some(cb) = self.timers.remove(timer)? {
            self.graveyard.push(Garbage::Timer(cb));
        }
        Ok(())
    }

    /// How long the loop may sleep before the next timer is due; `None` for no limit.
    pub(crate) fn next_timer_wait(&self, now: Instant) -> Option<Duration> {
        self.timers.next_timeout(now)
    }

    /// Ids of the timers due at `now` that existed before the poll (`id < limit`).
    pub(crate) fn due_timers(&self, now: Instant, limit: u64, out: &mut Vec<u64>) {
        self.timers.due(now, limit, out);
    }

    /// Takes out timer `id`'s callback if it is still due, re-arming it for its next period.
    pub(crate) fn take_timer_callback(&mut self, id: u64, now: Instant) -> Option<TimerCallback> {
        self.timers.take_callback(id, now)
    }

    /// Returns a dispatched timer callback, or sends it to the graveyard if it was removed.
    pub(crate) fn put_timer_callback(&mut self, id: u64, cb: TimerCallback) {
        if let Some(cb) = self.timers.put_callback(id, cb) {
            self.graveyard.push(Garbage::Timer(cb));
        }
    }
}

//! The default loop's bookkeeping: watches (the kit's [`FdWatches`], the same table the
//! epoll-based adapters keep), timers, deferred frees, and whether the loop sleeps.
//!
//! Everything here runs under the loop's mutex; nothing here calls user code.

pub(super) use crate::event::backend::Garbage;
use crate::event::backend::{Epoll, FdWatches, TimerTable};
use crate::event::{EventError, Interest, TimerCallback, TimerId, TimerInterval, WatchId};

/// All mutable loop state, guarded by one mutex.
#[derive(Default)]
pub(super) struct Tables {
    pub(super) watches: FdWatches,
    pub(super) timers: TimerTable,
    /// Callbacks waiting to be dropped outside the lock, after the current dispatch.
    pub(super) graveyard: Vec<Garbage>,
    /// The loop thread is (about to be) blocked in `epoll_wait`.
    pub(super) sleeping: bool,
    /// A wake-up has been written since the loop went to sleep.
    wake_pending: bool,
}

impl Tables {
    /// Records a change; true when the caller must write the wake-up fd.
    pub(super) fn needs_wake(&mut self) -> bool {
        if self.sleeping && !self.wake_pending {
            self.wake_pending = true;
            true
        } else {
            false
        }
    }

    /// Marks the loop as awake again after `epoll_wait` returned.
    pub(super) fn woke(&mut self) {
        self.sleeping = false;
        self.wake_pending = false;
    }

    pub(super) fn update_watch(
        &mut self,
        epoll: &Epoll,
        watch: WatchId,
        events: Interest,
    ) -> Result<(), EventError> {
        self.watches.update(epoll, watch, events)
    }

    /// Removes a watch; its callback is freed after the current dispatch (or by the
    /// dispatch that has it out, once it returns).
    pub(super) fn remove_watch(&mut self, epoll: &Epoll, watch: WatchId) -> Result<(), EventError> {
        if let Some(cb) = self.watches.remove(epoll, watch)? {
            self.graveyard.push(Garbage::Handle(cb));
        }
        Ok(())
    }

    pub(super) fn add_timer(
        &mut self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> TimerId {
        self.timers.add(interval, callback)
    }

    pub(super) fn update_timer(
        &mut self,
        timer: TimerId,
        interval: TimerInterval,
    ) -> Result<(), EventError> {
        self.timers.update(timer, interval)
    }

    pub(super) fn remove_timer(&mut self, timer: TimerId) -> Result<(), EventError> {
        if let Some(cb) = self.timers.remove(timer)? {
            self.graveyard.push(Garbage::Timer(cb));
        }
        Ok(())
    }
}

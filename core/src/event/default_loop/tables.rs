//! The default loop's bookkeeping: watches, per-fd aggregation, timers, deferred frees.
//!
//! Everything here runs under the loop's mutex; nothing here calls user code.

use std::collections::HashMap;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

pub(super) use crate::event::backend::Garbage;
use crate::event::backend::{Epoll, IdCounter, TimerTable, epoll_mask};
use crate::event::{
    EventError, HandleCallback, Interest, TimerCallback, TimerId, TimerInterval, WatchId,
};

/// One fd watch.
pub(super) struct Watch {
    pub(super) fd: RawFd,
    pub(super) events: Interest,
    /// `None` while the callback is out being dispatched.
    pub(super) callback: Option<HandleCallback>,
}

/// The watches registered on one fd and what epoll currently has for it.
#[derive(Default)]
struct FdSlot {
    ids: Vec<u64>,
    /// The epoll mask registered for this fd, or `None` when it is not in the epoll set.
    registered: Option<u32>,
}

/// All mutable loop state, guarded by one mutex.
#[derive(Default)]
pub(super) struct Tables {
    watch_ids: IdCounter,
    watches: HashMap<u64, Watch>,
    fds: Vec<FdSlot>,
    timers: TimerTable,
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

    /// The next watch id to be handed out: watches at or above it were added after a poll.
    pub(super) fn watch_id_limit(&self) -> u64 {
        self.watch_ids.peek()
    }

    /// The next timer id to be handed out.
    pub(super) fn timer_id_limit(&self) -> u64 {
        self.timers.id_limit()
    }

    /// Makes epoll's registration for `fd` match the union of its watches' masks.
    fn sync_fd(&mut self, epoll: &Epoll, fd: RawFd) -> std::io::Result<()> {
        let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)) else {
            return Ok(());
        };
        let mut active = false;
        let mut mask = 0;
        for id in &slot.ids {
            if let Some(w) = self.watches.get(id) {
                active |= !w.events.is_empty();
                mask |= epoll_mask(w.events);
            }
        }
        slot.registered = epoll.sync_fd(fd, slot.registered, active.then_some(mask))?;
        Ok(())
    }

    pub(super) fn add_watch(
        &mut self,
        epoll: &Epoll,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        let index = usize::try_from(fd)
            .map_err(|_| EventError::BadFd(fd, std::io::Error::from_raw_os_error(libc::EBADF)))?;
        if self.fds.len() <= index {
            self.fds.resize_with(index + 1, FdSlot::default);
        }
        let id = self.watch_ids.next_raw();
        self.watches.insert(
            id,
            Watch {
                fd,
                events,
                callback: Some(callback),
            },
        );
        self.fds[index].ids.push(id);
        if let Err(e) = self.sync_fd(epoll, fd) {
            self.fds[index].ids.retain(|&w| w != id);
            self.watches.remove(&id);
            return Err(EventError::BadFd(fd, e));
        }
        Ok(WatchId::new(id).expect("ids start at 1"))
    }

    pub(super) fn update_watch(
        &mut self,
        epoll: &Epoll,
        watch: WatchId,
        events: Interest,
    ) -> Result<(), EventError> {
        let w = self
            .watches
            .get_mut(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        w.events = events;
        let fd = w.fd;
        self.sync_fd(epoll, fd)
            .map_err(|e| EventError::BadFd(fd, e))
    }

    pub(super) fn remove_watch(&mut self, epoll: &Epoll, watch: WatchId) -> Result<(), EventError> {
        let w = self
            .watches
            .remove(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        if let Some(slot) = self.fds.get_mut(w.fd as usize) {
            slot.ids.retain(|&id| id != watch.get());
        }
        // A failure here means the fd was closed before the watch was removed: epoll has
        // already dropped it, and the watch is gone either way.
        let _ = self.sync_fd(epoll, w.fd);
        if let Some(cb) = w.callback {
            self.graveyard.push(Garbage::Handle(cb));
        }
        Ok(())
    }

    /// Copies the ids of the watches on `fd` into `out`.
    pub(super) fn watches_on(&self, fd: RawFd, out: &mut Vec<u64>) {
        out.clear();
        if let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.fds.get(i)) {
            out.extend_from_slice(&slot.ids);
        }
    }

    /// Takes out the callback of watch `id` if it should see `ready`, with the bits to report.
    pub(super) fn take_watch_callback(
        &mut self,
        id: u64,
        ready: Interest,
    ) -> Option<(HandleCallback, Interest)> {
        let w = self.watches.get_mut(&id)?;
        let fire = ready.reported_to(w.events);
        if fire.is_empty() {
            return None;
        }
        Some((w.callback.take()?, fire))
    }

    /// Returns a dispatched callback to its watch, or to the graveyard if it was removed.
    pub(super) fn put_watch_callback(&mut self, id: u64, cb: HandleCallback) {
        match self.watches.get_mut(&id) {
            Some(w) => w.callback = Some(cb),
            None => self.graveyard.push(Garbage::Handle(cb)),
        }
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

    /// How long the loop may sleep before the next timer is due; `None` for no limit.
    pub(super) fn next_timeout(&self, now: Instant) -> Option<Duration> {
        self.timers.next_timeout(now)
    }

    /// Ids of the timers due at `now` that existed before the poll (`id < limit`).
    pub(super) fn due_timers(&self, now: Instant, limit: u64, out: &mut Vec<u64>) {
        self.timers.due(now, limit, out);
    }

    /// Takes out timer `id`'s callback if it is still due, re-arming it for its next period.
    pub(super) fn take_timer_callback(&mut self, id: u64, now: Instant) -> Option<TimerCallback> {
        self.timers.take_callback(id, now)
    }

    /// Returns a dispatched timer callback, or sends it to the graveyard if it was removed.
    pub(super) fn put_timer_callback(&mut self, id: u64, cb: TimerCallback) {
        if let Some(cb) = self.timers.put_callback(id, cb) {
            self.graveyard.push(Garbage::Timer(cb));
        }
    }
}

//! The mio loop's bookkeeping: watches, per-fd aggregation, timers, deferred frees.
//!
//! Everything here runs under the loop's mutex; nothing here calls user code.

use std::collections::HashMap;
use std::io;
use std::os::fd::RawFd;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Registry, Token};
pub(crate) use rvirt_core::event::Garbage;
use rvirt_core::event::readiness;
use rvirt_core::event::{
    EventError, HandleCallback, Interest, TimerCallback, TimerId, TimerInterval, TimerTable,
    WatchId,
};

/// One fd watch.
pub(crate) struct Watch {
    fd: RawFd,
    events: Interest,
    /// `None` while the callback is out being dispatched.
    callback: Option<HandleCallback>,
}

/// The watches registered on one fd and what mio currently has for it.
#[derive(Default)]
struct FdSlot {
    ids: Vec<u64>,
    /// The mio interest registered for this fd, or `None` when it is not registered.
    registered: Option<mio::Interest>,
    /// The fd is in [`Tables::pending`].
    queued: bool,
}

/// All mutable loop state, guarded by one mutex.
pub(crate) struct Tables {
    /// Token of fd 0; fd `n` uses `fd_token_base + n`.
    fd_token_base: usize,
    next_watch: u64,
    watches: HashMap<u64, Watch>,
    fds: HashMap<RawFd, FdSlot>,
    timers: TimerTable,
    /// Fds whose level must be checked with `poll(2)` on the next iteration: they were just
    /// dispatched, (re)activated, or mio reported an edge on them.
    pending: Vec<RawFd>,
    /// Callbacks waiting to be dropped outside the lock, after the current dispatch.
    pub(crate) graveyard: Vec<Garbage>,
    /// The waker has been written since the last dispatch began.
    wake_pending: bool,
    /// The thread running [`crate::MioLoop::dispatch`], if any: its changes need no wake-up.
    pub(crate) dispatching: Option<ThreadId>,
}

fn mio_interest(active: Interest) -> mio::Interest {
    match (
        active.contains(Interest::READABLE),
        active.contains(Interest::WRITABLE),
    ) {
        (true, true) => mio::Interest::READABLE | mio::Interest::WRITABLE,
        (false, true) => mio::Interest::WRITABLE,
        // READABLE, or ERROR/HANGUP alone: mio needs some interest, and epoll reports
        // EPOLLERR/EPOLLHUP whatever is asked. `poll(2)` decides what is really pending.
        _ => mio::Interest::READABLE,
    }
}

impl Tables {
    pub(crate) fn new(fd_token_base: usize) -> Tables {
        Tables {
            fd_token_base,
            next_watch: 1,
            watches: HashMap::new(),
            fds: HashMap::new(),
            timers: TimerTable::default(),
            pending: Vec::new(),
            graveyard: Vec::new(),
            wake_pending: false,
            dispatching: None,
        }
    }

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

    /// The next watch id to be handed out: watches at or above it were added after the poll.
    pub(crate) fn watch_id_limit(&self) -> u64 {
        self.next_watch
    }

    /// The next timer id to be handed out.
    pub(crate) fn timer_id_limit(&self) -> u64 {
        self.timers.id_limit()
    }

    fn token(&self, fd: RawFd) -> io::Result<Token> {
        usize::try_from(fd)
            .ok()
            .and_then(|fd| self.fd_token_base.checked_add(fd))
            .map(Token)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))
    }

    /// The fd a token of this loop stands for, if it is one.
    pub(crate) fn fd_of(&self, token: Token) -> Option<RawFd> {
        token
            .0
            .checked_sub(self.fd_token_base)
            .and_then(|fd| RawFd::try_from(fd).ok())
    }

    /// Puts `fd` on the list to check with `poll(2)` next iteration.
    pub(crate) fn queue(&mut self, fd: RawFd) {
        if let Some(slot) = self.fds.get_mut(&fd)
            && !slot.queued
        {
            slot.queued = true;
            self.pending.push(fd);
        }
    }

    /// True when an fd is waiting for its level check, so the loop must not sleep.
    pub(crate) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The union of the masks of the active watches on `fd`, or `None` if none is active.
    fn active_mask(&self, slot: &FdSlot) -> Option<Interest> {
        let mut active = false;
        let mut mask = Interest::NONE;
        for id in &slot.ids {
            if let Some(w) = self.watches.get(id)
                && !w.events.is_empty()
            {
                active = true;
                mask |= w.events;
            }
        }
        active.then_some(mask)
    }

    /// Takes the pending list, as `pollfd`s for the fds that still have an active watch.
    pub(crate) fn take_pending(&mut self, out: &mut Vec<libc::pollfd>) {
        out.clear();
        let pending = std::mem::take(&mut self.pending);
        for fd in pending {
            let Some(slot) = self.fds.get(&fd) else {
                continue;
            };
            if let Some(mask) = self.active_mask(slot) {
                out.push(readiness::pollfd(fd, mask));
            }
            if let Some(slot) = self.fds.get_mut(&fd) {
                slot.queued = false;
                if slot.ids.is_empty() && slot.registered.is_none() {
                    self.fds.remove(&fd);
                }
            }
        }
    }

    /// Makes mio's registration for `fd` match its watches, and queues it for a level check.
    fn sync_fd(&mut self, registry: &Registry, fd: RawFd) -> io::Result<()> {
        let token = self.token(fd)?;
        let Some(slot) = self.fds.get(&fd) else {
            return Ok(());
        };
        let active = self.active_mask(slot);
        let desired = active.map(mio_interest);
        let registered = slot.registered;
        let mut source = SourceFd(&fd);
        match (desired, registered) {
            (Some(want), None) => {
                // EEXIST is an error, not a reason to take the registration over: in a
                // `Poll` shared with the application it most likely means the application
                // registered this fd itself, under a token of its own.
                registry.register(&mut source, token, want)?;
            }
            (Some(want), Some(old)) if old != want => {
                // ENOENT: the watched file was closed (epoll forgot it) and the fd number
                // now names another file.
                registry.reregister(&mut source, token, want).or_else(|e| {
                    match e.raw_os_error() {
                        Some(libc::ENOENT) => registry.register(&mut source, token, want),
                        _ => Err(e),
                    }
                })?;
            }
            (None, Some(_)) => {
                // The fd may already be closed by its owner; epoll forgot it then.
                let _ = registry.deregister(&mut source);
            }
            _ => {}
        }
        let empty = match self.fds.get_mut(&fd) {
            Some(slot) => {
                slot.registered = desired;
                slot.ids.is_empty() && !slot.queued
            }
            None => false,
        };
        if empty {
            self.fds.remove(&fd);
        } else if active.is_some() {
            // Edge-triggered epoll may not report a level that was already there.
            self.queue(fd);
        }
        Ok(())
    }

    pub(crate) fn add_watch(
        &mut self,
        registry: &Registry,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        if fd < 0 {
            return Err(EventError::BadFd(
                fd,
                io::Error::from_raw_os_error(libc::EBADF),
            ));
        }
        let id = self.next_watch;
        self.next_watch += 1;
        self.watches.insert(
            id,
            Watch {
                fd,
                events,
                callback: Some(callback),
            },
        );
        self.fds.entry(fd).or_default().ids.push(id);
        if let Err(e) = self.sync_fd(registry, fd) {
            if let Some(slot) = self.fds.get_mut(&fd) {
                slot.ids.retain(|&w| w != id);
            }
            // The callback goes back to the caller's side only through the graveyard: it
            // must not be dropped under the lock.
            if let Some(w) = self.watches.remove(&id)
                && let Some(cb) = w.callback
            {
                self.graveyard.push(Garbage::Handle(cb));
            }
            let _ = self.sync_fd(registry, fd);
            return Err(EventError::BadFd(fd, e));
        }
        Ok(WatchId::new(id).expect("ids start at 1"))
    }

    pub(crate) fn update_watch(
        &mut self,
        registry: &Registry,
        watch: WatchId,
        events: Interest,
    ) -> Result<(), EventError> {
        let w = self
            .watches
            .get_mut(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        w.events = events;
        let fd = w.fd;
        self.sync_fd(registry, fd)
            .map_err(|e| EventError::BadFd(fd, e))
    }

    pub(crate) fn remove_watch(
        &mut self,
        registry: &Registry,
        watch: WatchId,
    ) -> Result<(), EventError> {
        let w = self
            .watches
            .remove(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        if let Some(slot) = self.fds.get_mut(&w.fd) {
            slot.ids.retain(|&id| id != watch.get());
        }
        // A failure here means the fd was closed before the watch was removed: epoll has
        // already dropped it, and the watch is gone either way.
        let _ = self.sync_fd(registry, w.fd);
        if let Some(cb) = w.callback {
            self.graveyard.push(Garbage::Handle(cb));
        }
        Ok(())
    }

    /// Copies the ids of the watches on `fd` into `out`.
    pub(crate) fn watches_on(&self, fd: RawFd, out: &mut Vec<u64>) {
        out.clear();
        if let Some(slot) = self.fds.get(&fd) {
            out.extend_from_slice(&slot.ids);
        }
    }

    /// Takes out the callback of watch `id` if it should see `ready`, with the bits to report.
    pub(crate) fn take_watch_callback(
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
    pub(crate) fn put_watch_callback(&mut self, id: u64, cb: HandleCallback) {
        match self.watches.get_mut(&id) {
            Some(w) => w.callback = Some(cb),
            None => self.graveyard.push(Garbage::Handle(cb)),
        }
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

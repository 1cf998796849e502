//! Fd watches kept in an epoll set of the loop's own, for backends whose host loop can
//! watch one fd: the host loop watches only the [`Epoll`] instance (readable while one of
//! its fds has a pending condition), and a dispatch asks it, without sleeping, which fds
//! are ready ([`Epoll::ready_now`]) and runs their watches' callbacks
//! ([`dispatch_ready`]). epoll being level-triggered, an fd whose condition stays pending
//! is reported again on the next look: libvirt's delivery, with one host-loop
//! registration for every fd and no `poll(2)` re-check per event.
//!
//! [`FdWatches`] is the table: watch ids (from 1, never reused), several watches per fd
//! (the epoll registration is the union of their masks; a paused watch asks for nothing
//! and an fd whose watches all pause leaves the set), the reuse of an fd number after its
//! file was closed. Nothing here calls user code while the caller's lock is held, and
//! nothing here drops a callback under it: removed callbacks are handed back.

use std::io;
use std::ops::Range;
use std::os::fd::RawFd;
use std::sync::{Mutex, MutexGuard};

use super::fd_table::FdTable;
use super::{Epoll, IdMap, epoll_mask, interest_from_epoll};
use crate::event::{EventError, HandleCallback, Interest, WatchId};

/// One fd watch.
struct Watch {
    id: u64,
    events: Interest,
    /// `None` while the callback is out being dispatched.
    callback: Option<HandleCallback>,
}

/// The watches on one fd (in id order) and what epoll has for it.
#[derive(Default)]
struct FdSlot {
    watches: Vec<Watch>,
    /// The epoll mask registered for this fd, or `None` when it is not in the epoll set.
    registered: Option<u32>,
}

/// Every fd watch of a loop, and their registrations in the loop's [`Epoll`].
pub struct FdWatches {
    next_id: u64,
    /// The fd of every watch, by id.
    fd_of: IdMap<u64, RawFd>,
    fds: FdTable<FdSlot>,
}

impl std::fmt::Debug for FdWatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FdWatches")
            .field("watches", &self.fd_of.len())
            .field("fds", &self.fds.len())
            .field("next_id", &self.next_id)
            .finish()
    }
}

impl Default for FdWatches {
    fn default() -> Self {
        FdWatches {
            next_id: 1,
            fd_of: IdMap::default(),
            fds: FdTable::default(),
        }
    }
}

/// Fails unless `fd` is an open descriptor.
fn check_fd(fd: RawFd) -> io::Result<()> {
    // SAFETY: F_GETFD takes no pointer argument; it only inspects the descriptor table.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl FdWatches {
    /// How many watches exist.
    pub fn len(&self) -> usize {
        self.fd_of.len()
    }

    /// True when no watch exists.
    pub fn is_empty(&self) -> bool {
        self.fd_of.is_empty()
    }

    /// The next watch id to be handed out: watches at or above it were added after a look at
    /// the epoll instance, whose report therefore is not about them.
    pub fn id_limit(&self) -> u64 {
        self.next_id
    }

    /// Makes the epoll registration of `fd` match the union of its watches' masks; a slot
    /// left without watches goes away.
    fn sync(&mut self, epoll: &Epoll, fd: RawFd) -> io::Result<()> {
        let Some(slot) = self.fds.get_mut(fd) else {
            return Ok(());
        };
        let active = slot.watches.iter().any(|w| !w.events.is_empty());
        let mask = slot.watches.iter().fold(0, |m, w| m | epoll_mask(w.events));
        slot.registered = epoll.sync_fd(fd, slot.registered, active.then_some(mask))?;
        if slot.watches.is_empty() && slot.registered.is_none() {
            self.fds.remove(fd);
        }
        Ok(())
    }

    /// Adds a watch; on failure the callback comes back, to be dropped outside the lock.
    pub fn add(
        &mut self,
        epoll: &Epoll,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, (EventError, HandleCallback)> {
        if fd < 0 {
            let e = io::Error::from_raw_os_error(libc::EBADF);
            return Err((EventError::BadFd(fd, e), callback));
        }
        if events.is_empty()
            && let Err(e) = check_fd(fd)
        {
            // A paused watch is not in the epoll set, which would have checked the fd.
            return Err((EventError::BadFd(fd, e), callback));
        }
        let id = self.next_id;
        self.fds.get_or_default(fd).watches.push(Watch {
            id,
            events,
            callback: Some(callback),
        });
        if let Err(e) = self.sync(epoll, fd) {
            let slot = self.fds.get_mut(fd).expect("slot of the new watch");
            let w = slot.watches.pop().expect("the new watch");
            if slot.watches.is_empty() && slot.registered.is_none() {
                self.fds.remove(fd);
            }
            let callback = w.callback.expect("the new watch's callback");
            return Err((EventError::BadFd(fd, e), callback));
        }
        self.next_id += 1;
        self.fd_of.insert(id, fd);
        Ok(WatchId::new(id).expect("watch ids start at 1"))
    }

    /// Changes the mask of a watch.
    pub fn update(
        &mut self,
        epoll: &Epoll,
        watch: WatchId,
        events: Interest,
    ) -> Result<(), EventError> {
        let fd = *self
            .fd_of
            .get(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        let w = self
            .fds
            .get_mut(fd)
            .and_then(|s| s.watches.iter_mut().find(|w| w.id == watch.get()))
            .expect("every watch is in its fd's slot");
        if w.events == events {
            return Ok(());
        }
        w.events = events;
        self.sync(epoll, fd).map_err(|e| EventError::BadFd(fd, e))
    }

    /// Removes a watch; returns its callback unless it is out being dispatched (then the
    /// dispatch gets it back from [`dispatch_ready`]).
    pub fn remove(
        &mut self,
        epoll: &Epoll,
        watch: WatchId,
    ) -> Result<Option<HandleCallback>, EventError> {
        let fd = self
            .fd_of
            .remove(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        let slot = self
            .fds
            .get_mut(fd)
            .expect("every watch is in its fd's slot");
        let at = slot
            .watches
            .iter()
            .position(|w| w.id == watch.get())
            .expect("every watch is in its fd's slot");
        let w = slot.watches.remove(at);
        // A failure means the fd was closed before its watch was removed: epoll has
        // already dropped it, and the watch is gone either way.
        let _ = self.sync(epoll, fd);
        Ok(w.callback)
    }

    /// Takes out the callback of the first watch on `fd` with an id in `after+1..limit`
    /// that is told something about `ready`: `(id, callback, what to report)`.
    fn take(
        &mut self,
        fd: RawFd,
        ready: Interest,
        after: u64,
        limit: u64,
    ) -> Option<(u64, HandleCallback, Interest)> {
        let slot = self.fds.get_mut(fd)?;
        slot.watches.iter_mut().find_map(|w| {
            if w.id <= after || w.id >= limit {
                return None;
            }
            let fire = ready.reported_to(w.events);
            if fire.is_empty() {
                return None;
            }
            Some((w.id, w.callback.take()?, fire))
        })
    }

    /// Puts a dispatched callback back; hands it back when its watch was removed meanwhile.
    fn put(&mut self, fd: RawFd, id: u64, cb: HandleCallback) -> Option<HandleCallback> {
        match self
            .fds
            .get_mut(fd)
            .and_then(|s| s.watches.iter_mut().find(|w| w.id == id))
        {
            Some(w) => {
                w.callback = Some(cb);
                None
            }
            None => Some(cb),
        }
    }
}

/// Locks an adapter's state, poisoned or not.
pub(super) fn lock<S>(state: &Mutex<S>) -> MutexGuard<'_, S> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs the callbacks for `events` (filled by [`Epoll::ready_now`]), one at a time with
/// `state` unlocked: for each ready fd, every watch with an id in `ids` that is still there
/// when its turn comes and that asks for one of the pending conditions (or is told ERROR /
/// HANGUP). `ids` ends at the [`FdWatches::id_limit`] taken before looking at the epoll
/// instance: a watch added since was not part of that look. A callback whose watch was
/// removed meanwhile is dropped once it has returned.
pub fn dispatch_ready<S>(
    state: &Mutex<S>,
    watches: fn(&mut S) -> &mut FdWatches,
    events: &[libc::epoll_event],
    ids: Range<u64>,
) {
    let limit = ids.end;
    let mut st = lock(state);
    for ev in events {
        let (bits, data) = (ev.events, ev.u64);
        let fd = data as RawFd;
        let ready = interest_from_epoll(bits);
        let mut after = ids.start.saturating_sub(1);
        while let Some((id, mut cb, fire)) = watches(&mut st).take(fd, ready, after, limit) {
            drop(st);
            cb(WatchId::new(id).expect("watch ids start at 1"), fd, fire);
            st = lock(state);
            if let Some(removed) = watches(&mut st).put(fd, id, cb) {
                // The watch was removed during its dispatch: free it now that the dispatch
                // is over, outside the lock.
                drop(st);
                drop(removed);
                st = lock(state);
            }
            after = id;
        }
    }
}

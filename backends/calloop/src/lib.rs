//! rvirt's event-loop adapter for [calloop]: libvirt-style fd watches and timers served by an
//! application's `calloop::EventLoop`.
//!
//! [`CalloopLoop`] is the `Send + Sync` [`EventLoop`] drivers register with, from any thread.
//! [`CalloopLoop::insert`] attaches it to a calloop loop through that loop's
//! [`LoopHandle`]; from then on the calloop loop serves every watch and timer:
//!
//! * Registrations are recorded at once (ids are returned synchronously), then a
//!   [`calloop::ping`] wakes the calloop loop, whose ping callback brings calloop's sources in
//!   line on the loop's own thread (calloop's `LoopHandle` is `!Send`, so cross-thread changes
//!   are marshalled this way).
//! * Each watched fd is one [`Generic`] source in [`Mode::Level`] with the union of its
//!   watches' masks (epoll cannot register an fd twice); a mask of [`Interest::NONE`] is not
//!   polled. Before dispatching, the adapter asks `poll(2)` (zero timeout) what is pending, so
//!   each watch sees exactly its conditions plus `ERROR`/`HANGUP` (calloop reports neither).
//! * A periodic timer is a calloop [`Timer`] re-armed with `ToDuration(period)`; a timer firing
//!   on every iteration is an immediate timer re-armed with a zero duration.
//! * A removed callback box is dropped by the ping callback, after the current dispatch and
//!   outside every lock, never inside `remove_*`.
//!
//! ```
//! use calloop::EventLoop as Calloop;
//! use rvirt_calloop::CalloopLoop;
//! use rvirt_core::event::{EventLoop, EventLoopExt, TimerInterval};
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::time::Duration;
//!
//! let mut calloop: Calloop<'static, ()> = Calloop::try_new()?;
//! let ev = CalloopLoop::new();
//! let attachment = ev.insert(&calloop.handle())?;
//! let fired = Arc::new(AtomicU32::new(0));
//! let f = fired.clone();
//! let timer = ev.timer(TimerInterval::EveryIteration, move |_| {
//!     f.fetch_add(1, Ordering::SeqCst);
//! })?;
//! while fired.load(Ordering::SeqCst) < 3 {
//!     calloop.dispatch(Some(Duration::from_millis(10)), &mut ())?;
//! }
//! ev.remove_timeout(timer)?;
//! drop(attachment); // detach before the calloop loop goes away
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use calloop::generic::Generic;
use calloop::ping::{Ping, make_ping};
use calloop::timer::{TimeoutAction, Timer};
use calloop::{LoopHandle, Mode, PostAction, RegistrationToken};
use rvirt_core::event::readiness::pending;
use rvirt_core::event::{
    EventError, EventLoop, Garbage, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
    TimerInterval, WatchId,
};

/// How long a stale calloop timer sleeps before the ping callback removes it.
const PARKED: Duration = Duration::from_secs(3600);

/// A libvirt-style [`EventLoop`] served by a calloop event loop.
///
/// Cloning gives another handle on the same registrations. Every method may be called from
/// any thread and from inside callbacks. Callbacks run on the thread dispatching the calloop
/// loop this adapter is [inserted](CalloopLoop::insert) into; registrations made before it is
/// inserted anywhere wait until it is.
#[derive(Clone, Default)]
pub struct CalloopLoop {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
}

struct Watch {
    fd: RawFd,
    events: Interest,
    /// `None` while the callback is out being dispatched.
    callback: Option<HandleCallback>,
}

/// The watches on one fd and the calloop source polling it.
#[derive(Default)]
struct FdSlot {
    ids: Vec<u64>,
    /// The calloop source, its interest, and the attachment it belongs to.
    registered: Option<(RegistrationToken, Interest, u64)>,
    /// The fd's last watch went away: the fd number may name another file by now, so the
    /// old registration must be dropped and made anew.
    reset: bool,
}

struct TimerEntry {
    interval: TimerInterval,
    generation: u64,
    /// The calloop timer: token, generation it serves, attachment.
    registered: Option<(RegistrationToken, u64, u64)>,
    /// `None` while the callback is out being dispatched.
    callback: Option<TimerCallback>,
}

struct State {
    next_watch: u64,
    next_timer: u64,
    next_generation: u64,
    watches: HashMap<u64, Watch>,
    fds: HashMap<RawFd, FdSlot>,
    timers: HashMap<u64, TimerEntry>,
    dirty_fds: HashSet<RawFd>,
    dirty_timers: HashSet<u64>,
    /// calloop timers of removed timers, to be removed by the ping callback: (token, epoch).
    stale_timers: Vec<(RegistrationToken, u64)>,
    graveyard: Vec<Garbage>,
    /// Which attachment is current; sources of another epoch remove themselves.
    epoch: u64,
    /// Wakes the calloop loop this adapter is attached to.
    ping: Option<Ping>,
}

impl Default for State {
    fn default() -> Self {
        State {
            next_watch: 1,
            next_timer: 1,
            next_generation: 1,
            watches: HashMap::new(),
            fds: HashMap::new(),
            timers: HashMap::new(),
            dirty_fds: HashSet::new(),
            dirty_timers: HashSet::new(),
            stale_timers: Vec::new(),
            graveyard: Vec::new(),
            epoch: 0,
            ping: None,
        }
    }
}

impl State {
    fn wake(&self) {
        if let Some(p) = &self.ping {
            p.ping();
        }
    }

    fn generation(&mut self) -> u64 {
        let g = self.next_generation;
        self.next_generation += 1;
        g
    }

    /// The union of the masks of the active watches on `fd`.
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
}

impl fmt::Debug for CalloopLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.lock();
        f.debug_struct("CalloopLoop")
            .field("watches", &st.watches.len())
            .field("timers", &st.timers.len())
            .field("attached", &st.ping.is_some())
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Keeps a [`CalloopLoop`] attached to a calloop loop; see [`CalloopLoop::insert`].
///
/// Dropping it (on the calloop loop's thread) removes every source the adapter put into that
/// loop; the registrations themselves stay and are served again by the next
/// [`CalloopLoop::insert`]. Drop it before the calloop loop, or the loop's memory is leaked
/// (the adapter's ping callback holds a `LoopHandle`).
#[must_use = "dropping the attachment detaches the adapter from the calloop loop"]
pub struct Attachment<'l, D> {
    inner: Arc<Inner>,
    handle: LoopHandle<'l, D>,
    shared_handle: Rc<RefCell<Option<LoopHandle<'l, D>>>>,
    ping_token: RegistrationToken,
    epoch: u64,
}

impl<D> fmt::Debug for Attachment<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl<D> Drop for Attachment<'_, D> {
    fn drop(&mut self) {
        self.shared_handle.borrow_mut().take();
        self.handle.remove(self.ping_token);
        let (tokens, garbage) = {
            let mut st = self.inner.lock();
            if st.epoch != self.epoch {
                return;
            }
            st.ping = None;
            let mut tokens = Vec::new();
            let mut refill = Vec::new();
            for (&fd, slot) in st.fds.iter_mut() {
                if let Some((t, _, _)) = slot.registered.take() {
                    tokens.push(t);
                }
                refill.push(fd);
            }
            let timer_ids: Vec<u64> = st.timers.keys().copied().collect();
            for t in st.timers.values_mut() {
                if let Some((tok, _, _)) = t.registered.take() {
                    tokens.push(tok);
                }
            }
            tokens.extend(st.stale_timers.drain(..).map(|(t, _)| t));
            st.dirty_fds.extend(refill);
            st.dirty_timers.extend(timer_ids);
            (tokens, std::mem::take(&mut st.graveyard))
        };
        for t in tokens {
            self.handle.remove(t);
        }
        drop(garbage);
    }
}

impl CalloopLoop {
    /// A loop with no registrations, not yet attached to any calloop loop.
    pub fn new() -> CalloopLoop {
        CalloopLoop::default()
    }

    /// This loop as a [`SharedLoop`], for `rvirt_core::event::register` or a connection.
    pub fn shared(&self) -> SharedLoop {
        Arc::new(self.clone())
    }

    /// Attaches this adapter to the calloop loop behind `handle`, which from now on serves
    /// every watch and timer (including those registered earlier).
    ///
    /// Call it on the calloop loop's thread and keep the returned [`Attachment`] for as long
    /// as the loop should serve the adapter. Inserting the adapter into another loop moves
    /// it there: the sources left in the previous loop go inert and remove themselves.
    pub fn insert<'l, D: 'l>(&self, handle: &LoopHandle<'l, D>) -> io::Result<Attachment<'l, D>> {
        let (ping, ping_source) = make_ping()?;
        let shared_handle = Rc::new(RefCell::new(Some(handle.clone())));
        let mut st = self.inner.lock();
        let epoch = st.epoch + 1;
        let weak = Arc::downgrade(&self.inner);
        let h = shared_handle.clone();
        let ping_token = handle
            .insert_source(ping_source, move |(), &mut (), _| {
                let Some(handle) = h.borrow().clone() else {
                    return;
                };
                if let Some(inner) = weak.upgrade() {
                    reconcile(&inner, &handle, epoch);
                }
            })
            .map_err(|e| io::Error::from(e.error))?;
        st.epoch = epoch;
        // Whatever was registered belongs to an older attachment: register it all anew.
        let fds: Vec<RawFd> = st.fds.keys().copied().collect();
        for slot in st.fds.values_mut() {
            slot.registered = None;
        }
        st.dirty_fds.extend(fds);
        let timers: Vec<u64> = st.timers.keys().copied().collect();
        for t in st.timers.values_mut() {
            t.registered = None;
        }
        st.dirty_timers.extend(timers);
        st.stale_timers.clear();
        ping.ping();
        st.ping = Some(ping);
        Ok(Attachment {
            inner: self.inner.clone(),
            handle: handle.clone(),
            shared_handle,
            ping_token,
            epoch,
        })
    }
}

fn calloop_interest(mask: Interest) -> calloop::Interest {
    calloop::Interest {
        readable: mask.contains(Interest::READABLE),
        writable: mask.contains(Interest::WRITABLE),
    }
}

/// The ping callback: makes calloop's sources match the registrations, then frees the
/// removed callbacks outside the lock.
fn reconcile<D>(inner: &Arc<Inner>, handle: &LoopHandle<'_, D>, epoch: u64) {
    let garbage = {
        let mut st = inner.lock();
        if st.epoch != epoch {
            return;
        }
        let fds: Vec<RawFd> = st.dirty_fds.drain().collect();
        for fd in fds {
            reconcile_fd(inner, &mut st, handle, epoch, fd);
        }
        let timers: Vec<u64> = st.dirty_timers.drain().collect();
        for id in timers {
            reconcile_timer(inner, &mut st, handle, epoch, id);
        }
        for (token, ep) in std::mem::take(&mut st.stale_timers) {
            if ep == epoch {
                handle.remove(token);
            }
        }
        std::mem::take(&mut st.graveyard)
    };
    drop(garbage);
}

fn reconcile_fd<D>(
    inner: &Arc<Inner>,
    st: &mut State,
    handle: &LoopHandle<'_, D>,
    epoch: u64,
    fd: RawFd,
) {
    let mask = st.fd_mask(fd);
    let want = Some(mask).filter(|m| !m.is_empty());
    let Some(slot) = st.fds.get_mut(&fd) else {
        return;
    };
    let current = slot
        .registered
        .filter(|&(_, _, ep)| ep == epoch)
        .map(|(_, m, _)| m);
    if slot.reset || current != want {
        reregister_fd(inner, slot, handle, epoch, fd, want);
    }
    if slot.ids.is_empty() && slot.registered.is_none() {
        st.fds.remove(&fd);
    }
}

/// Replaces `fd`'s calloop source by one polling `want` (or by none).
fn reregister_fd<D>(
    inner: &Arc<Inner>,
    slot: &mut FdSlot,
    handle: &LoopHandle<'_, D>,
    epoch: u64,
    fd: RawFd,
    want: Option<Interest>,
) {
    slot.reset = false;
    if let Some((token, _, ep)) = slot.registered.take()
        && ep == epoch
    {
        handle.remove(token);
    }
    if let Some(mask) = want {
        // SAFETY: the EventLoop contract keeps `fd` open until its last watch is removed, and
        // this registration is dropped by the next ping callback after that. Should the fd
        // be closed in between, epoll has already forgotten it and calloop's delete fails
        // harmlessly (EBADF/ENOENT); a new file on the same number is registered only after
        // this one is removed (`reset`).
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let weak = Arc::downgrade(inner);
        let source = Generic::new(borrowed, calloop_interest(mask), Mode::Level);
        if let Ok(token) =
            handle.insert_source(source, move |_, _, _| Ok(dispatch_fd(&weak, fd, epoch)))
        {
            slot.registered = Some((token, mask, epoch));
        }
    }
}

fn reconcile_timer<D>(
    inner: &Arc<Inner>,
    st: &mut State,
    handle: &LoopHandle<'_, D>,
    epoch: u64,
    id: u64,
) {
    let Some(t) = st.timers.get_mut(&id) else {
        return;
    };
    if let Some((_, generation, ep)) = t.registered
        && ep == epoch
        && generation == t.generation
    {
        return;
    }
    if let Some((token, _, ep)) = t.registered.take()
        && ep == epoch
    {
        handle.remove(token);
    }
    let timer = match t.interval {
        TimerInterval::Disabled => return,
        TimerInterval::EveryIteration => Timer::immediate(),
        TimerInterval::Every(d) => Timer::from_duration(d),
    };
    let weak = Arc::downgrade(inner);
    let generation = t.generation;
    if let Ok(token) = handle.insert_source(timer, move |_, _, _| {
        dispatch_timer(&weak, id, generation, epoch)
    }) {
        t.registered = Some((token, generation, epoch));
    }
}

fn dispatch_fd(weak: &Weak<Inner>, fd: RawFd, epoch: u64) -> PostAction {
    let Some(inner) = weak.upgrade() else {
        return PostAction::Remove;
    };
    let (ids, mask) = {
        let st = inner.lock();
        if st.epoch != epoch {
            return PostAction::Remove;
        }
        match st.fds.get(&fd) {
            Some(slot) => (slot.ids.clone(), st.fd_mask(fd)),
            None => return PostAction::Continue,
        }
    };
    if mask.is_empty() {
        return PostAction::Continue;
    }
    // Level-triggered and exact: ask the kernel what is pending now, including HANGUP and
    // ERROR, which calloop does not report.
    let ready = pending(fd, mask);
    if ready.is_empty() {
        return PostAction::Continue;
    }
    for id in ids {
        let (mut cb, fire) = {
            let mut st = inner.lock();
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
            let mut st = inner.lock();
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
    PostAction::Continue
}

fn dispatch_timer(weak: &Weak<Inner>, id: u64, generation: u64, epoch: u64) -> TimeoutAction {
    let Some(inner) = weak.upgrade() else {
        return TimeoutAction::Drop;
    };
    let mut cb = {
        let mut st = inner.lock();
        if st.epoch != epoch {
            return TimeoutAction::Drop;
        }
        let Some(t) = st.timers.get_mut(&id) else {
            return TimeoutAction::ToDuration(PARKED);
        };
        if t.generation != generation {
            return TimeoutAction::ToDuration(PARKED);
        }
        let Some(cb) = t.callback.take() else {
            return TimeoutAction::ToDuration(PARKED);
        };
        cb
    };
    cb(TimerId::new(id).expect("timer ids start at 1"));
    let (removed, next) = {
        let mut st = inner.lock();
        match st.timers.get_mut(&id) {
            Some(t) => {
                t.callback = Some(cb);
                let next = if t.generation == generation {
                    t.interval.period().unwrap_or(PARKED)
                } else {
                    PARKED
                };
                (None, next)
            }
            None => (Some(cb), PARKED),
        }
    };
    drop(removed);
    TimeoutAction::ToDuration(next)
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

impl EventLoop for CalloopLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        check_fd(fd)?;
        let mut st = self.inner.lock();
        let id = st.next_watch;
        st.next_watch += 1;
        st.watches.insert(
            id,
            Watch {
                fd,
                events,
                callback: Some(callback),
            },
        );
        st.fds.entry(fd).or_default().ids.push(id);
        st.dirty_fds.insert(fd);
        st.wake();
        Ok(WatchId::new(id).expect("watch ids start at 1"))
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let mut st = self.inner.lock();
        let w = st
            .watches
            .get_mut(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        if w.events != events {
            w.events = events;
            let fd = w.fd;
            st.dirty_fds.insert(fd);
            st.wake();
        }
        Ok(())
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let mut st = self.inner.lock();
        let w = st
            .watches
            .remove(&watch.get())
            .ok_or(EventError::UnknownWatch(watch))?;
        if let Some(slot) = st.fds.get_mut(&w.fd) {
            slot.ids.retain(|&id| id != watch.get());
            if slot.ids.is_empty() {
                slot.reset = true;
            }
        }
        st.dirty_fds.insert(w.fd);
        if let Some(cb) = w.callback {
            st.graveyard.push(Garbage::Handle(cb));
        }
        st.wake();
        Ok(())
    }

    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        let mut st = self.inner.lock();
        let id = st.next_timer;
        st.next_timer += 1;
        let generation = st.generation();
        st.timers.insert(
            id,
            TimerEntry {
                interval,
                generation,
                registered: None,
                callback: Some(callback),
            },
        );
        st.dirty_timers.insert(id);
        st.wake();
        Ok(TimerId::new(id).expect("timer ids start at 1"))
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        let mut st = self.inner.lock();
        let generation = st.generation();
        let t = st
            .timers
            .get_mut(&timer.get())
            .ok_or(EventError::UnknownTimer(timer))?;
        // Always re-armed: the next firing counts from this update.
        t.interval = interval;
        t.generation = generation;
        st.dirty_timers.insert(timer.get());
        st.wake();
        Ok(())
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        let mut st = self.inner.lock();
        let t = st
            .timers
            .remove(&timer.get())
            .ok_or(EventError::UnknownTimer(timer))?;
        if let Some((token, _, ep)) = t.registered {
            st.stale_timers.push((token, ep));
        }
        if let Some(cb) = t.callback {
            st.graveyard.push(Garbage::Timer(cb));
        }
        st.wake();
        Ok(())
    }
}

//! rvirt's event-loop adapter for [calloop]: libvirt-style fd watches and timers served by an
//! application's `calloop::EventLoop`.
//!
//! [`CalloopLoop`] is the `Send + Sync` [`EventLoop`] drivers register with, from any thread.
//! [`CalloopLoop::insert`] attaches it to a calloop loop through that loop's
//! [`LoopHandle`]; from then on the calloop loop serves every watch and timer:
//!
//! * Watched fds live in an epoll instance of the adapter's own, level-triggered, each fd
//!   registered once with the union of its watches' masks (a mask of [`Interest::NONE`] is
//!   not polled). Registrations are made at once, inside `add/update/remove_handle` (epoll may
//!   be changed from any thread), so an fd may be closed as soon as the `remove_handle` of
//!   its last watch returns. The calloop loop watches only that epoll fd, as one [`Generic`]
//!   source in [`Mode::Level`]: the kernel wakes it when a watched fd becomes ready, including
//!   for a watch added from another thread.
//! * When the epoll fd is readable, the adapter takes every ready fd from it in one
//!   non-sleeping `epoll_wait` and runs their callbacks. epoll reports exactly the pending
//!   conditions, `ERROR`/`HANGUP` included (calloop's own readiness reports neither), and,
//!   being level-triggered, reports an fd again on the next iteration for as long as a
//!   condition stays pending.
//! * Timer changes are recorded at once (ids are returned synchronously), then a
//!   [`calloop::ping`] wakes the calloop loop, whose ping callback brings calloop's timer
//!   sources in line on the loop's own thread (calloop's `LoopHandle` is `!Send`, so
//!   cross-thread changes are marshalled this way).
//! * A periodic timer is a calloop [`Timer`] re-armed with `ToDuration(period)`; a timer firing
//!   on every iteration is an immediate timer re-armed with a zero duration.
//! * A removed callback box is dropped after the current dispatch and outside every lock (by
//!   the fd dispatch or by the ping callback), never inside `remove_*`.
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
use std::os::fd::RawFd;
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use calloop::generic::Generic;
use calloop::ping::{Ping, make_ping};
use calloop::timer::{TimeoutAction, Timer};
use calloop::{LoopHandle, Mode, PostAction, RegistrationToken};
use rvirt_core::event::backend::{Epoll, FdWatches, Garbage, dispatch_ready};
use rvirt_core::event::{
    EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback, TimerId,
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

struct TimerEntry {
    interval: TimerInterval,
    generation: u64,
    /// The calloop timer: token, generation it serves, attachment.
    registered: Option<(RegistrationToken, u64, u64)>,
    /// `None` while the callback is out being dispatched.
    callback: Option<TimerCallback>,
}

struct State {
    /// The fd watches, registered in `epoll`.
    watches: FdWatches,
    /// The adapter's epoll instance, created with the first watch or attachment.
    epoll: Option<Arc<Epoll>>,
    next_timer: u64,
    next_generation: u64,
    timers: HashMap<u64, TimerEntry>,
    dirty_timers: HashSet<u64>,
    /// calloop timers of removed timers, to be removed by the ping callback: (token, epoch).
    stale_timers: Vec<(RegistrationToken, u64)>,
    graveyard: Vec<Garbage>,
    /// Which attachment is current; sources of another epoch remove themselves.
    epoch: u64,
    /// Wakes the calloop loop this adapter is attached to.
    ping: Option<Ping>,
    /// `ping` was sent and its callback has not run yet: another ping would add nothing.
    ping_pending: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            watches: FdWatches::default(),
            epoll: None,
            next_timer: 1,
            next_generation: 1,
            timers: HashMap::new(),
            dirty_timers: HashSet::new(),
            stale_timers: Vec::new(),
            graveyard: Vec::new(),
            epoch: 0,
            ping: None,
            ping_pending: false,
        }
    }
}

impl State {
    /// Makes the ping callback run soon (once, however many changes come before it does).
    fn wake(&mut self) {
        if let Some(p) = &self.ping
            && !self.ping_pending
        {
            self.ping_pending = true;
            p.ping();
        }
    }

    fn generation(&mut self) -> u64 {
        let g = self.next_generation;
        self.next_generation += 1;
        g
    }

    /// The watch table with the epoll instance, for a change to an existing watch (there is
    /// none before the epoll instance exists).
    fn watches_of(&mut self, watch: WatchId) -> Result<(&mut FdWatches, &Epoll), EventError> {
        match &self.epoll {
            Some(epoll) => Ok((&mut self.watches, epoll)),
            None => Err(EventError::UnknownWatch(watch)),
        }
    }
}

/// The epoll instance in `slot`, created on first use.
fn epoll_or_create(slot: &mut Option<Arc<Epoll>>) -> io::Result<&Arc<Epoll>> {
    if slot.is_none() {
        *slot = Some(Arc::new(Epoll::new()?));
    }
    Ok(slot.as_ref().expect("created above"))
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
    fds_token: RegistrationToken,
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
        self.handle.remove(self.fds_token);
        let (tokens, garbage) = {
            let mut st = self.inner.lock();
            if st.epoch != self.epoch {
                return;
            }
            st.ping = None;
            st.ping_pending = false;
            let mut tokens = Vec::new();
            let timer_ids: Vec<u64> = st.timers.keys().copied().collect();
            for t in st.timers.values_mut() {
                if let Some((tok, _, _)) = t.registered.take() {
                    tokens.push(tok);
                }
            }
            tokens.extend(st.stale_timers.drain(..).map(|(t, _)| t));
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
        let epoll = epoll_or_create(&mut st.epoll)?.clone();
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
        let weak = Arc::downgrade(&self.inner);
        let mut events = Vec::new();
        let source = Generic::new(epoll.clone(), calloop::Interest::READ, Mode::Level);
        let fds_token = match handle.insert_source(source, move |_, _, _| {
            Ok(dispatch_fds(&weak, &epoll, &mut events, epoch))
        }) {
            Ok(token) => token,
            Err(e) => {
                handle.remove(ping_token);
                return Err(io::Error::from(e.error));
            }
        };
        st.epoch = epoch;
        // Whatever timer was registered belongs to an older attachment: register it anew.
        let timers: Vec<u64> = st.timers.keys().copied().collect();
        for t in st.timers.values_mut() {
            t.registered = None;
        }
        st.dirty_timers.extend(timers);
        st.stale_timers.clear();
        st.ping = Some(ping);
        st.ping_pending = false;
        st.wake();
        Ok(Attachment {
            inner: self.inner.clone(),
            handle: handle.clone(),
            shared_handle,
            ping_token,
            fds_token,
            epoch,
        })
    }
}

/// The ping callback: makes calloop's timer sources match the registrations, then frees the
/// removed callbacks outside the lock.
fn reconcile<D>(inner: &Arc<Inner>, handle: &LoopHandle<'_, D>, epoch: u64) {
    let garbage = {
        let mut st = inner.lock();
        if st.epoch != epoch {
            return;
        }
        st.ping_pending = false;
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

/// The epoll source's callback: runs the callbacks of every ready fd, then frees the removed
/// callbacks outside the lock.
fn dispatch_fds(
    weak: &Weak<Inner>,
    epoll: &Epoll,
    events: &mut Vec<libc::epoll_event>,
    epoch: u64,
) -> PostAction {
    let Some(inner) = weak.upgrade() else {
        return PostAction::Remove;
    };
    let limit = {
        let st = inner.lock();
        if st.epoch != epoch {
            return PostAction::Remove;
        }
        st.watches.id_limit()
    };
    // An error (EINTR) is an empty look: the level-triggered source reports the rest again.
    let n = epoll.ready_now(events).unwrap_or(0);
    dispatch_ready(&inner.state, |st| &mut st.watches, &events[..n], 1..limit);
    let garbage = std::mem::take(&mut inner.lock().graveyard);
    drop(garbage);
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

impl EventLoop for CalloopLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        // The kernel wakes the calloop loop once the fd is ready: no ping needed.
        let added = {
            let mut st = self.inner.lock();
            let State { watches, epoll, .. } = &mut *st;
            match epoll_or_create(epoll) {
                Ok(epoll) => watches.add(epoll, fd, events, callback),
                Err(e) => Err((EventError::Os(e), callback)),
            }
        };
        // A refused callback is dropped here, outside the lock.
        added.map_err(|(e, _callback)| e)
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let mut st = self.inner.lock();
        let (watches, epoll) = st.watches_of(watch)?;
        watches.update(epoll, watch, events)
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let mut st = self.inner.lock();
        let (watches, epoll) = st.watches_of(watch)?;
        // `None`: the callback is out being dispatched, and its dispatch frees it.
        if let Some(cb) = watches.remove(epoll, watch)? {
            st.graveyard.push(Garbage::Handle(cb));
            st.wake();
        }
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

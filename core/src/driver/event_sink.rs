//! [`EventSink`]: one connection's domain-event queue, dispatched from its event loop.
//!
//! Drivers push events with [`EventSink::emit`] from whatever thread changed the state; the
//! sink queues them and flips a timer on the connection's loop from disabled to "every
//! iteration" (libvirt's `object_event.c` mechanism). The timer callback, on the loop thread,
//! drains the queue and calls each matching user callback with no driver or sink lock held.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use uuid::Uuid;

use super::{DomainRef, Liveness};
use crate::api::{CallbackId, Connect, ConnectInner, Domain, DomainEvent, DomainEventId};
use crate::event::{SharedLoop, TimerId, TimerInterval};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// A user's domain event callback: `(domain, event)`.
pub type DomainEventCallback = Box<dyn FnMut(&Domain, &DomainEvent) + Send>;

/// Where a driver hands domain events for one connection. Cheap to clone.
#[derive(Clone)]
pub struct EventSink {
    inner: Arc<SinkInner>,
}

impl fmt::Debug for EventSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.state();
        f.debug_struct("EventSink")
            .field("callbacks", &st.callbacks.len())
            .field("queued", &st.queue.len())
            .finish()
    }
}

struct SinkInner {
    event_loop: Option<SharedLoop>,
    liveness: Liveness,
    conn: OnceLock<Weak<ConnectInner>>,
    state: Mutex<SinkState>,
    /// Callbacks run on the emitting thread ([`EventSink::dispatch_inline`]).
    inline: AtomicBool,
    /// Held by the one thread draining the queue inline.
    draining: Mutex<()>,
}

#[derive(Default)]
struct SinkState {
    next_id: i32,
    /// By id, hence in registration order (the order callbacks are called in).
    callbacks: BTreeMap<CallbackId, Registration>,
    /// The registrations of each event id, indexed by their domain filter, so that an
    /// event costs what the callbacks it reaches cost, however many others there are.
    index: HashMap<DomainEventId, EventIndex>,
    queue: VecDeque<(DomainRef, DomainEvent)>,
    timer: Option<TimerId>,
    closed: bool,
}

struct Registration {
    domain: Option<Uuid>,
    event: DomainEventId,
    /// `None` while the callback is out being called.
    callback: Option<DomainEventCallback>,
}

/// The callbacks registered for one event id.
#[derive(Default)]
struct EventIndex {
    /// Without a domain filter.
    any: BTreeSet<CallbackId>,
    /// With one, by domain.
    by_domain: HashMap<Uuid, BTreeSet<CallbackId>>,
    /// Both together.
    count: usize,
}

impl SinkState {
    /// The callbacks `event` about `dom` reaches, in registration order.
    fn matching(&self, dom: &DomainRef, event: &DomainEvent) -> Vec<CallbackId> {
        let mut ids = Vec::new();
        for (id, ix) in &self.index {
            if !event.delivered_to(*id) {
                continue;
            }
            ids.extend(ix.any.iter().copied());
            if let Some(set) = ix.by_domain.get(&dom.uuid) {
                ids.extend(set.iter().copied());
            }
        }
        ids.sort_unstable();
        ids
    }

    /// True if `event` about `dom` reaches any callback.
    fn wanted(&self, dom: &DomainRef, event: &DomainEvent) -> bool {
        self.index.iter().any(|(id, ix)| {
            event.delivered_to(*id) && (!ix.any.is_empty() || ix.by_domain.contains_key(&dom.uuid))
        })
    }

    fn insert(&mut self, id: CallbackId, reg: Registration) {
        let ix = self.index.entry(reg.event).or_default();
        match reg.domain {
            None => ix.any.insert(id),
            Some(u) => ix.by_domain.entry(u).or_default().insert(id),
        };
        ix.count += 1;
        self.callbacks.insert(id, reg);
    }

    /// Removes `id`; returns it and whether it was the last for its event id.
    fn remove(&mut self, id: CallbackId) -> Option<(Registration, bool)> {
        let reg = self.callbacks.remove(&id)?;
        let mut last = true;
        if let Some(ix) = self.index.get_mut(&reg.event) {
            match reg.domain {
                None => {
                    ix.any.remove(&id);
                }
                Some(u) => {
                    if let Some(set) = ix.by_domain.get_mut(&u) {
                        set.remove(&id);
                        if set.is_empty() {
                            ix.by_domain.remove(&u);
                        }
                    }
                }
            }
            ix.count -= 1;
            last = ix.count == 0;
            if last {
                self.index.remove(&reg.event);
            }
        }
        Some((reg, last))
    }
}

impl SinkInner {
    fn state(&self) -> MutexGuard<'_, SinkState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl EventSink {
    pub(crate) fn new(event_loop: Option<SharedLoop>) -> EventSink {
        EventSink {
            inner: Arc::new(SinkInner {
                liveness: Liveness::new(event_loop.clone()),
                event_loop,
                conn: OnceLock::new(),
                state: Mutex::new(SinkState::default()),
                inline: AtomicBool::new(false),
                draining: Mutex::new(()),
            }),
        }
    }

    /// A sink attached to no connection: events are accepted and dropped. For driver tests.
    pub fn detached() -> EventSink {
        EventSink::new(None)
    }

    pub(crate) fn attach(&self, conn: Weak<ConnectInner>) {
        self.inner.liveness.attach(conn.clone());
        let _ = self.inner.conn.set(conn);
    }

    /// The connection's liveness: a driver whose connection dies under it (EOF,
    /// keepalive timeout) reports it here with [`Liveness::lost`].
    pub fn liveness(&self) -> &Liveness {
        &self.inner.liveness
    }

    /// Queues `event` about `dom` for this connection's callbacks. Returns false once the
    /// connection is closed, so the driver can forget this sink.
    pub fn emit(&self, dom: DomainRef, event: DomainEvent) -> bool {
        let (timer, wake) = {
            let mut st = self.inner.state();
            if st.closed {
                return false;
            }
            if !st.wanted(&dom, &event) {
                return true;
            }
            let was_empty = st.queue.is_empty();
            st.queue.push_back((dom, event));
            (st.timer, was_empty)
        };
        if self.inner.inline.load(Ordering::Acquire) {
            drain_inline(&self.inner);
            return true;
        }
        if let (Some(timer), true, Some(l)) = (timer, wake, &self.inner.event_loop) {
            // The timer exists as long as callbacks do; an error means it just went away.
            let _ = l.update_timeout(timer, TimerInterval::EveryIteration);
        }
        true
    }

    /// True once the connection behind this sink is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.state().closed
    }

    /// Registers a callback; returns its id and whether it is the first for `event`.
    pub(crate) fn register(
        &self,
        domain: Option<Uuid>,
        event: DomainEventId,
        callback: DomainEventCallback,
    ) -> Result<(CallbackId, bool)> {
        let Some(l) = &self.inner.event_loop else {
            return Err(Error::internal(
                ErrorDomain::None,
                "could not initialize domain event timer: no event loop is registered",
            ));
        };
        let mut st = self.inner.state();
        if st.closed {
            return Err(Error::invalid_arg(
                ErrorDomain::None,
                "connection is closed",
            ));
        }
        if st.timer.is_none() {
            let weak = Arc::downgrade(&self.inner);
            st.timer = Some(dispatch_timer(l, move || {
                if let Some(inner) = weak.upgrade() {
                    dispatch(&inner);
                }
            })?);
        }
        let first = !st.index.contains_key(&event);
        let id = CallbackId(st.next_id);
        st.next_id += 1;
        st.insert(
            id,
            Registration {
                domain,
                event,
                callback: Some(callback),
            },
        );
        Ok((id, first))
    }

    /// Removes a callback; returns its event id and whether it was the last for that id.
    pub(crate) fn deregister(&self, id: CallbackId) -> Result<(DomainEventId, bool)> {
        let (removed, timer, event, last) = {
            let mut st = self.inner.state();
            let (removed, last) = st.remove(id).ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidArg,
                    ErrorDomain::None,
                    format!("could not find event callback {} for deletion", id.0),
                )
            })?;
            let event = removed.event;
            let timer = if st.callbacks.is_empty() {
                st.queue.clear();
                st.timer.take()
            } else {
                None
            };
            (removed, timer, event, last)
        };
        if let (Some(t), Some(l)) = (timer, &self.inner.event_loop) {
            let _ = l.remove_timeout(t);
        }
        drop(removed);
        Ok((event, last))
    }

    /// From now on callbacks run on the thread that emits the event, right after the
    /// change (the driver holds no lock then), instead of on the loop: for a server
    /// whose callbacks only queue a message for a client, and never block or call
    /// back into this connection. Order is kept: one thread at a time drains the
    /// queue, and it drains what others add meanwhile.
    pub(crate) fn dispatch_inline(&self) {
        self.inner.inline.store(true, Ordering::Release);
    }

    /// Drops every callback and the dispatch timer; later emits return false.
    pub(crate) fn close(&self) {
        let (callbacks, timer) = {
            let mut st = self.inner.state();
            st.closed = true;
            st.queue.clear();
            st.index.clear();
            (std::mem::take(&mut st.callbacks), st.timer.take())
        };
        if let (Some(t), Some(l)) = (timer, &self.inner.event_loop) {
            let _ = l.remove_timeout(t);
        }
        drop(callbacks);
    }
}

/// A disabled timer on `l` that runs `fire` whenever a sink arms it: how domain and
/// object event sinks hand what they queued to their connection's loop.
pub(crate) fn dispatch_timer(l: &SharedLoop, fire: impl Fn() + Send + 'static) -> Result<TimerId> {
    l.add_timeout(TimerInterval::Disabled, Box::new(move |_| fire()))
        .map_err(|e| {
            Error::internal(
                ErrorDomain::None,
                format!("could not initialize domain event timer: {e}"),
            )
        })
}

/// The dispatch timer's body: runs on the loop thread.
fn dispatch(inner: &Arc<SinkInner>) {
    // Disable first, drain second: an emit that lands in between finds the queue it pushes
    // to still undrained (we take its event now) or already empty (it re-enables the timer).
    // The other order could strand an event with the timer off.
    let timer = inner.state().timer;
    if let (Some(t), Some(l)) = (timer, &inner.event_loop) {
        let _ = l.update_timeout(t, TimerInterval::Disabled);
    }
    if inner.inline.load(Ordering::Acquire) {
        // Armed before the switch to inline dispatch: drain in order with the emitters.
        drain_inline(inner);
        return;
    }
    drain(inner);
}

/// Runs the queued callbacks on this thread unless another thread is draining (which
/// then runs ours too); again if events arrived as it finished.
fn drain_inline(inner: &Arc<SinkInner>) {
    loop {
        {
            let Ok(_draining) = inner.draining.try_lock() else {
                return;
            };
            drain(inner);
        }
        if inner.state().queue.is_empty() {
            return;
        }
    }
}

/// Takes the queue and runs each event's callbacks.
fn drain(inner: &Arc<SinkInner>) {
    let events = std::mem::take(&mut inner.state().queue);
    let Some(conn) = inner.conn.get().and_then(Weak::upgrade) else {
        return;
    };
    let conn = Connect::from_inner(conn);
    let mut due: Vec<CallbackId> = Vec::new();
    for (dom_ref, event) in events {
        due.clear();
        due.extend(inner.state().matching(&dom_ref, &event));
        if due.is_empty() {
            continue;
        }
        let dom = Domain::from_ref(conn.clone(), dom_ref);
        for &id in &due {
            let taken = {
                let mut st = inner.state();
                st.callbacks.get_mut(&id).and_then(|r| r.callback.take())
            };
            let Some(mut cb) = taken else { continue };
            cb(&dom, &event);
            let mut st = inner.state();
            if let Some(r) = st.callbacks.get_mut(&id) {
                r.callback = Some(cb);
            } else {
                // Deregistered while it ran: free it outside the lock.
                drop(st);
                drop(cb);
            }
        }
    }
}

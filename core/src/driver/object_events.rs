//! [`ObjectEventSink`]: one connection's queue of network, storage pool, node device
//! and secret events, dispatched from its event loop; [`ObjectEventFanout`]: a
//! secondary driver's list of the sinks of its open connections.
//!
//! The mechanism is the domain [`EventSink`](super::EventSink)'s (libvirt's
//! `object_event.c`): drivers queue from any thread, a timer on the connection's loop
//! drains the queue and calls the matching callbacks with no lock of ours held.
//! Queuing never blocks on a callback, so drivers may emit while holding their own
//! lock, which keeps events in the order of the changes.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use super::event_sink::dispatch_timer;
use crate::api::{CallbackId, Connect, ConnectInner, ObjectEvent, ObjectFamily};
use crate::event::{SharedLoop, TimerId, TimerInterval};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// A user callback for object events, given the connection and the event.
pub type ObjectEventCallback = Box<dyn FnMut(&Connect, &ObjectEvent) + Send>;

/// Where secondary drivers hand object events for one connection. Cheap to clone.
#[derive(Clone)]
pub struct ObjectEventSink {
    inner: Arc<Inner>,
}

struct Inner {
    event_loop: Option<SharedLoop>,
    conn: OnceLock<Weak<ConnectInner>>,
    state: Mutex<State>,
}

struct Registration {
    family: ObjectFamily,
    event_id: i32,
    key: Option<String>,
    /// `None` while it is being called.
    callback: Option<ObjectEventCallback>,
}

#[derive(Default)]
struct State {
    next_id: i32,
    callbacks: BTreeMap<CallbackId, Registration>,
    queue: VecDeque<ObjectEvent>,
    timer: Option<TimerId>,
    closed: bool,
}

impl State {
    fn wanted(&self, ev: &ObjectEvent) -> bool {
        !self.matching(ev).is_empty()
    }

    fn matching(&self, ev: &ObjectEvent) -> Vec<CallbackId> {
        let (family, id) = (ev.family(), ev.event_id());
        let key = ev.key();
        self.callbacks
            .iter()
            .filter(|(_, r)| {
                r.family == family && r.event_id == id && r.key.as_ref().is_none_or(|k| *k == key)
            })
            .map(|(id, _)| *id)
            .collect()
    }

    fn count(&self, family: ObjectFamily, event_id: i32) -> usize {
        self.callbacks
            .values()
            .filter(|r| r.family == family && r.event_id == event_id)
            .count()
    }
}

impl fmt::Debug for ObjectEventSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state();
        f.debug_struct("ObjectEventSink")
            .field("callbacks", &st.callbacks.len())
            .field("queued", &st.queue.len())
            .finish()
    }
}

impl ObjectEventSink {
    pub(crate) fn new(event_loop: Option<SharedLoop>) -> ObjectEventSink {
        ObjectEventSink {
            inner: Arc::new(Inner {
                event_loop,
                conn: OnceLock::new(),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// A sink attached to no connection: events are accepted and dropped.
    pub fn detached() -> ObjectEventSink {
        ObjectEventSink::new(None)
    }

    pub(crate) fn attach(&self, conn: Weak<ConnectInner>) {
        let _ = self.inner.conn.set(conn);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `event` for this connection's callbacks. Returns false once the
    /// connection is closed, so the driver can forget this sink.
    pub fn emit(&self, event: ObjectEvent) -> bool {
        let (timer, wake) = {
            let mut st = self.state();
            if st.closed {
                return false;
            }
            if !st.wanted(&event) {
                return true;
            }
            let was_empty = st.queue.is_empty();
            st.queue.push_back(event);
            (st.timer, was_empty)
        };
        if let (Some(t), true, Some(l)) = (timer, wake, &self.inner.event_loop) {
            let _ = l.update_timeout(t, TimerInterval::EveryIteration);
        }
        true
    }

    /// True once the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.state().closed
    }

    /// Registers a callback for `event_id` of `family`, for the object with `key` or
    /// all; returns its id and whether it is the first for that family and event.
    pub(crate) fn register(
        &self,
        family: ObjectFamily,
        event_id: i32,
        key: Option<String>,
        callback: ObjectEventCallback,
    ) -> Result<(CallbackId, bool)> {
        let Some(l) = &self.inner.event_loop else {
            return Err(Error::internal(
                ErrorDomain::None,
                "could not initialize domain event timer: no event loop is registered",
            ));
        };
        let mut st = self.state();
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
        let first = st.count(family, event_id) == 0;
        let id = CallbackId(st.next_id);
        st.next_id += 1;
        st.callbacks.insert(
            id,
            Registration {
                family,
                event_id,
                key,
                callback: Some(callback),
            },
        );
        Ok((id, first))
    }

    /// Removes a callback; returns its family, event id and whether it was the last
    /// for them.
    pub(crate) fn deregister(&self, id: CallbackId) -> Result<(ObjectFamily, i32, bool)> {
        let (reg, timer, last) = {
            let mut st = self.state();
            let reg = st.callbacks.remove(&id).ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidArg,
                    ErrorDomain::None,
                    format!("could not find event callback {} for deletion", id.0),
                )
            })?;
            let last = st.count(reg.family, reg.event_id) == 0;
            let timer = if st.callbacks.is_empty() {
                st.queue.clear();
                st.timer.take()
            } else {
                None
            };
            (reg, timer, last)
        };
        if let (Some(t), Some(l)) = (timer, &self.inner.event_loop) {
            let _ = l.remove_timeout(t);
        }
        let out = (reg.family, reg.event_id, last);
        drop(reg);
        Ok(out)
    }

    /// Drops every callback and the timer; later emits return false.
    pub(crate) fn close(&self) {
        let (callbacks, timer) = {
            let mut st = self.state();
            st.closed = true;
            st.queue.clear();
            (std::mem::take(&mut st.callbacks), st.timer.take())
        };
        if let (Some(t), Some(l)) = (timer, &self.inner.event_loop) {
            let _ = l.remove_timeout(t);
        }
        drop(callbacks);
    }
}

fn dispatch(inner: &Arc<Inner>) {
    let lock = || inner.state.lock().unwrap_or_else(|p| p.into_inner());
    let timer = lock().timer;
    if let (Some(t), Some(l)) = (timer, &inner.event_loop) {
        let _ = l.update_timeout(t, TimerInterval::Disabled);
    }
    let events = std::mem::take(&mut lock().queue);
    let Some(conn) = inner.conn.get().and_then(Weak::upgrade) else {
        return;
    };
    let conn = Connect::from_inner(conn);
    for ev in events {
        let due = lock().matching(&ev);
        for id in due {
            let taken = lock()
                .callbacks
                .get_mut(&id)
                .and_then(|r| r.callback.take());
            let Some(mut cb) = taken else { continue };
            cb(&conn, &ev);
            let mut st = lock();
            if let Some(r) = st.callbacks.get_mut(&id) {
                r.callback = Some(cb);
            } else {
                drop(st);
                drop(cb);
            }
        }
    }
}

/// The sinks of a secondary driver's open connections.
#[derive(Debug, Default)]
pub struct ObjectEventFanout {
    sinks: Mutex<Vec<ObjectEventSink>>,
}

impl ObjectEventFanout {
    /// No connection yet.
    pub fn new() -> ObjectEventFanout {
        ObjectEventFanout::default()
    }

    fn sinks(&self) -> MutexGuard<'_, Vec<ObjectEventSink>> {
        self.sinks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection's sink (once), forgetting those of closed connections.
    pub fn add(&self, sink: ObjectEventSink) {
        let mut sinks = self.sinks();
        sinks.retain(|s| !s.is_closed());
        if !sinks.iter().any(|s| Arc::ptr_eq(&s.inner, &sink.inner)) {
            sinks.push(sink);
        }
    }

    /// Queues `event` on every open connection.
    pub fn emit(&self, event: ObjectEvent) {
        let mut sinks = self.sinks();
        sinks.retain(|s| s.emit(event.clone()));
    }

    /// How many open connections receive events.
    pub fn connections(&self) -> usize {
        self.sinks().iter().filter(|s| !s.is_closed()).count()
    }
}

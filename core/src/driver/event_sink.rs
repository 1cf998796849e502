//! [`EventSink`]: one connection's domain-event queue, dispatched from its event loop.
//!
//! Drivers push events with [`EventSink::emit`] from whatever thread changed the state; the
//! sink queues them and flips a timer on the connection's loop from disabled to "every
//! iteration" (libvirt's `object_event.c` mechanism). The timer callback, on the loop thread,
//! drains the queue and calls each matching user callback with no driver or sink lock held.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use uuid::Uuid;

use super::DomainRef;
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
    conn: OnceLock<Weak<ConnectInner>>,
    state: Mutex<SinkState>,
}

#[derive(Default)]
struct SinkState {
    next_id: i32,
    callbacks: Vec<Registration>,
    queue: VecDeque<(DomainRef, DomainEvent)>,
    timer: Option<TimerId>,
    closed: bool,
}

struct Registration {
    id: CallbackId,
    domain: Option<Uuid>,
    event: DomainEventId,
    /// `None` while the callback is out being called.
    callback: Option<DomainEventCallback>,
}

impl Registration {
    fn wants(&self, dom: &DomainRef, event: &DomainEvent) -> bool {
        event.delivered_to(self.event) && self.domain.is_none_or(|u| u == dom.uuid)
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
                event_loop,
                conn: OnceLock::new(),
                state: Mutex::new(SinkState::default()),
            }),
        }
    }

    /// A sink attached to no connection: events are accepted and dropped. For driver tests.
    pub fn detached() -> EventSink {
        EventSink::new(None)
    }

    pub(crate) fn attach(&self, conn: Weak<ConnectInner>) {
        let _ = self.inner.conn.set(conn);
    }

    /// Queues `event` about `dom` for this connection's callbacks. Returns false once the
    /// connection is closed, so the driver can forget this sink.
    pub fn emit(&self, dom: DomainRef, event: DomainEvent) -> bool {
        let (timer, wake) = {
            let mut st = self.inner.state();
            if st.closed {
                return false;
            }
            if !st.callbacks.iter().any(|r| r.wants(&dom, &event)) {
                return true;
            }
            let was_empty = st.queue.is_empty();
            st.queue.push_back((dom, event));
            (st.timer, was_empty)
        };
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
            let timer = l
                .add_timeout(
                    TimerInterval::Disabled,
                    Box::new(move |_| {
                        if let Some(inner) = weak.upgrade() {
                            dispatch(&inner);
                        }
                    }),
                )
                .map_err(|e| {
                    Error::internal(
                        ErrorDomain::None,
                        format!("could not initialize domain event timer: {e}"),
                    )
                })?;
            st.timer = Some(timer);
        }
        let first = !st.callbacks.iter().any(|r| r.event == event);
        let id = CallbackId(st.next_id);
        st.next_id += 1;
        st.callbacks.push(Registration {
            id,
            domain,
            event,
            callback: Some(callback),
        });
        Ok((id, first))
    }

    /// Removes a callback; returns its event id and whether it was the last for that id.
    pub(crate) fn deregister(&self, id: CallbackId) -> Result<(DomainEventId, bool)> {
        let (removed, timer, event, last) = {
            let mut st = self.inner.state();
            let pos = st
                .callbacks
                .iter()
                .position(|r| r.id == id)
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidArg,
                        ErrorDomain::None,
                        format!("could not find event callback {} for deletion", id.0),
                    )
                })?;
            let removed = st.callbacks.remove(pos);
            let event = removed.event;
            let last = !st.callbacks.iter().any(|r| r.event == event);
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

    /// Drops every callback and the dispatch timer; later emits return false.
    pub(crate) fn close(&self) {
        let (callbacks, timer) = {
            let mut st = self.inner.state();
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

/// The dispatch timer's body: runs on the loop thread.
fn dispatch(inner: &Arc<SinkInner>) {
    // Disable first, drain second: an emit that lands in between finds the queue it pushes
    // to still undrained (we take its event now) or already empty (it re-enables the timer).
    // The other order could strand an event with the timer off.
    let timer = inner.state().timer;
    if let (Some(t), Some(l)) = (timer, &inner.event_loop) {
        let _ = l.update_timeout(t, TimerInterval::Disabled);
    }
    let events = std::mem::take(&mut inner.state().queue);
    let Some(conn) = inner.conn.get().and_then(Weak::upgrade) else {
        return;
    };
    let conn = Connect::from_inner(conn);
    let mut due: Vec<CallbackId> = Vec::new();
    for (dom_ref, event) in events {
        due.clear();
        due.extend(
            inner
                .state()
                .callbacks
                .iter()
                .filter(|r| r.wants(&dom_ref, &event))
                .map(|r| r.id),
        );
        if due.is_empty() {
            continue;
        }
        let dom = Domain::from_ref(conn.clone(), dom_ref);
        for &id in &due {
            let taken = {
                let mut st = inner.state();
                st.callbacks
                    .iter_mut()
                    .find(|r| r.id == id)
                    .and_then(|r| r.callback.take())
            };
            let Some(mut cb) = taken else { continue };
            cb(&dom, &event);
            let mut st = inner.state();
            if let Some(r) = st.callbacks.iter_mut().find(|r| r.id == id) {
                r.callback = Some(cb);
            } else {
                // Deregistered while it ran: free it outside the lock.
                drop(st);
                drop(cb);
            }
        }
    }
}

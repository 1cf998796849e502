//! [`EventFanout`]: domain events to every open connection, in order, never under a
//! driver lock (libvirt's `object_event.c` queue).
//!
//! A driver queues the events of a change while it still holds the lock that orders
//! the change (the domain's, or a world lock), so the queue order is the order of the
//! changes; after releasing it, it flushes: one thread at a time (whoever finds nobody
//! flushing) hands queued batches to the connections' [`EventSink`]s, holding no lock
//! of ours while it calls them. Each batch goes to the connections open when it was
//! queued.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::api::DomainEvent;
use crate::driver::{DomainRef, EventSink};

/// Events one change produced, in order.
pub type Events = Vec<(DomainRef, DomainEvent)>;

#[derive(Debug)]
struct Batch {
    sinks: Arc<Vec<EventSink>>,
    events: Events,
}

#[derive(Debug, Default)]
struct Queue {
    batches: VecDeque<Batch>,
    flushing: bool,
}

/// The connections of one driver instance (their event sinks) and the events waiting
/// for them.
#[derive(Debug, Default)]
pub struct EventFanout {
    /// Copy-on-write, so a batch takes a snapshot cheaply.
    sinks: Mutex<Arc<Vec<EventSink>>>,
    queue: Mutex<Queue>,
    /// Some sink reported its connection closed.
    prune: AtomicBool,
}

impl EventFanout {
    /// No connection yet.
    pub fn new() -> EventFanout {
        EventFanout::default()
    }

    fn sinks(&self) -> MutexGuard<'_, Arc<Vec<EventSink>>> {
        self.sinks.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn queue_lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection's sink (and forgets those of closed connections).
    pub fn add(&self, sink: EventSink) {
        let mut sinks = self.sinks();
        let mut next: Vec<EventSink> = sinks.iter().filter(|s| !s.is_closed()).cloned().collect();
        next.push(sink);
        *sinks = Arc::new(next);
    }

    /// Forgets the sinks of closed connections.
    pub fn prune(&self) {
        let mut sinks = self.sinks();
        if sinks.iter().any(EventSink::is_closed) {
            let kept: Vec<EventSink> = sinks.iter().filter(|s| !s.is_closed()).cloned().collect();
            *sinks = Arc::new(kept);
        }
    }

    /// How many open connections receive events.
    pub fn connections(&self) -> usize {
        self.sinks().iter().filter(|s| !s.is_closed()).count()
    }

    /// Queues `events` for the connections open now. Call while holding the lock that
    /// ordered the change; then [`flush`](Self::flush) once it is released.
    pub fn queue(&self, events: Events) {
        if events.is_empty() {
            return;
        }
        let sinks = self.sinks().clone();
        if sinks.is_empty() {
            return;
        }
        self.queue_lock().batches.push_back(Batch { sinks, events });
    }

    /// Hands every queued batch to its sinks unless another thread is already doing so
    /// (that thread then delivers ours too). Call with no driver lock held.
    pub fn flush(&self) {
        {
            let mut q = self.queue_lock();
            if q.flushing || q.batches.is_empty() {
                return;
            }
            q.flushing = true;
        }
        loop {
            let batches = {
                let mut q = self.queue_lock();
                if q.batches.is_empty() {
                    q.flushing = false;
                    break;
                }
                std::mem::take(&mut q.batches)
            };
            for batch in batches {
                for (dom, event) in batch.events {
                    for sink in batch.sinks.iter() {
                        if !sink.emit(dom.clone(), event.clone()) {
                            self.prune.store(true, Ordering::Relaxed);
                        }
                    }
                }
            }
        }
        if self.prune.swap(false, Ordering::Relaxed) {
            self.prune();
        }
    }

    /// [`queue`](Self::queue) then [`flush`](Self::flush): for changes no lock orders.
    pub fn emit(&self, events: Events) {
        self.queue(events);
        self.flush();
    }
}

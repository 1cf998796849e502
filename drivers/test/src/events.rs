//! Ordered, lock-free-at-emit delivery of domain events to every open connection.
//!
//! Operations push their events into the [`Outbox`] while they still hold the world lock,
//! so the queue order is the order of the state changes. After the world lock is released
//! one thread at a time (whoever finds nobody draining) hands queued batches to the
//! connections' [`EventSink`]s, holding no lock of ours while it calls `emit`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rvirt_core::DomainEvent;
use rvirt_core::driver::{DomainRef, EventSink};

/// Events one operation produced, in order.
pub(crate) type Emitted = Vec<(DomainRef, DomainEvent)>;

/// The events of one operation and the sinks open when it happened.
#[derive(Debug)]
struct Batch {
    sinks: Arc<Vec<EventSink>>,
    events: Emitted,
}

#[derive(Debug, Default)]
struct OutboxState {
    queue: VecDeque<Batch>,
    draining: bool,
}

/// Queue of event batches waiting to be handed to sinks.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    state: Mutex<OutboxState>,
    /// Some sink reported its connection closed.
    prune: AtomicBool,
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, OutboxState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a batch. Called with the world lock held, which fixes the order.
    pub(crate) fn push(&self, sinks: Arc<Vec<EventSink>>, events: Emitted) {
        if sinks.is_empty() || events.is_empty() {
            return;
        }
        self.lock().queue.push_back(Batch { sinks, events });
    }

    /// Hands every queued batch to its sinks unless another thread is already doing so
    /// (that thread then also delivers ours). Call with no lock held.
    pub(crate) fn drain(&self) {
        {
            let mut st = self.lock();
            if st.draining || st.queue.is_empty() {
                return;
            }
            st.draining = true;
        }
        loop {
            let batches = {
                let mut st = self.lock();
                if st.queue.is_empty() {
                    st.draining = false;
                    return;
                }
                std::mem::take(&mut st.queue)
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
    }

    /// True (once) after a sink reported its connection closed.
    pub(crate) fn take_prune(&self) -> bool {
        self.prune.swap(false, Ordering::Relaxed)
    }
}

//! [`Shared`]: one test world behind its lock, plus its event outbox; and the
//! process-wide `test:///default` instance.

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, Weak};

use rvirt_core::Result;
use rvirt_core::driver::EventSink;

use crate::events::{Emitted, Outbox};
use crate::state::World;
use crate::world_default;

/// A world shared by the connections that opened it.
#[derive(Debug)]
pub(crate) struct Shared {
    world: RwLock<World>,
    outbox: Outbox,
}

/// The `test:///default` world, alive while at least one connection holds it (libvirt
/// resets it when the last connection closes).
static DEFAULT: Mutex<Weak<Shared>> = Mutex::new(Weak::new());

impl Shared {
    pub(crate) fn new(world: World) -> Arc<Shared> {
        Arc::new(Shared {
            world: RwLock::new(world),
            outbox: Outbox::default(),
        })
    }

    /// The process-wide `test:///default` world, created on first use.
    pub(crate) fn default_world() -> Arc<Shared> {
        let mut slot = DEFAULT.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(shared) = slot.upgrade() {
            return shared;
        }
        let shared = Shared::new(world_default::build());
        *slot = Arc::downgrade(&shared);
        shared
    }

    /// Reads the world.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the world; the events `f` records are delivered after the lock is released.
    pub(crate) fn mutate<T>(
        &self,
        f: impl FnOnce(&mut World, &mut Emitted) -> Result<T>,
    ) -> Result<T> {
        let mut events = Emitted::new();
        let result = {
            let mut world = self.world.write().unwrap_or_else(|p| p.into_inner());
            let result = f(&mut world, &mut events);
            if !events.is_empty() {
                self.outbox
                    .push(world.sinks.clone(), std::mem::take(&mut events));
            }
            result
        };
        self.outbox.drain();
        if self.outbox.take_prune() {
            self.prune_sinks();
        }
        result
    }

    /// Adds a connection's sink.
    pub(crate) fn add_sink(&self, sink: EventSink) {
        let mut world = self.world.write().unwrap_or_else(|p| p.into_inner());
        let mut sinks = Vec::with_capacity(world.sinks.len() + 1);
        sinks.extend(world.sinks.iter().filter(|s| !s.is_closed()).cloned());
        sinks.push(sink);
        world.sinks = Arc::new(sinks);
    }

    /// Drops the sinks of closed connections.
    pub(crate) fn prune_sinks(&self) {
        let mut world = self.world.write().unwrap_or_else(|p| p.into_inner());
        if world.sinks.iter().any(EventSink::is_closed) {
            let kept: Vec<EventSink> = world
                .sinks
                .iter()
                .filter(|s| !s.is_closed())
                .cloned()
                .collect();
            world.sinks = Arc::new(kept);
        }
    }
}

//! The process-wide `test:///default` world: alive while at least one connection holds
//! it (libvirt resets it when the last connection closes).

use std::sync::{Arc, Mutex, Weak};

use crate::state::World;
use crate::world_default;

static DEFAULT: Mutex<Weak<World>> = Mutex::new(Weak::new());

/// The `test:///default` world, created on first use.
pub(crate) fn default_world() -> Arc<World> {
    let mut slot = DEFAULT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(world) = slot.upgrade() {
        return world;
    }
    let world = Arc::new(world_default::build());
    *slot = Arc::downgrade(&world);
    world
}

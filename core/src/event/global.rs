//! The process-wide event-loop slot, like libvirt's `virEventRegisterImpl`.
//!
//! Library users who prefer no hidden global pass a [`SharedLoop`] explicitly instead
//! (for example `Connect::open_with_loop`); this slot is only the default.

use std::os::fd::RawFd;
use std::sync::{Arc, OnceLock};

use super::{
    DefaultLoop, EventError, EventLoop, HandleCallback, Interest, SharedLoop, TimerCallback,
    TimerId, TimerInterval, WatchId,
};

static REGISTERED: OnceLock<SharedLoop> = OnceLock::new();
static DEFAULT: OnceLock<DefaultLoop> = OnceLock::new();
static DEFAULT_SHARED: OnceLock<SharedLoop> = OnceLock::new();

/// Registers `event_loop` as the process-wide loop. The first registration wins: a later one
/// returns [`EventError::AlreadyRegistered`] and changes nothing (as modern libvirt ignores it).
pub fn register(event_loop: SharedLoop) -> Result<(), EventError> {
    let mut installed = false;
    let current = REGISTERED.get_or_init(|| {
        installed = true;
        event_loop.clone()
    });
    if installed || Arc::ptr_eq(current, &event_loop) {
        Ok(())
    } else {
        Err(EventError::AlreadyRegistered)
    }
}

/// The process-wide loop, if one is registered.
pub fn registered() -> Option<SharedLoop> {
    REGISTERED.get().cloned()
}

/// The process-wide loop, or [`EventError::NoLoopRegistered`] (libvirt's `virEventRequireImpl`).
pub fn require() -> Result<SharedLoop, EventError> {
    registered().ok_or(EventError::NoLoopRegistered)
}

/// Creates the process's [`DefaultLoop`] (once) and registers it, like
/// `virEventRegisterDefaultImpl`. Calling it again returns the same loop. Fails with
/// [`EventError::AlreadyRegistered`] if a different loop was registered first.
pub fn register_default() -> Result<DefaultLoop, EventError> {
    let default = match DEFAULT.get() {
        Some(l) => l.clone(),
        None => {
            let created = DefaultLoop::new()?;
            DEFAULT.get_or_init(|| created).clone()
        }
    };
    let shared = DEFAULT_SHARED
        .get_or_init(|| Arc::new(default.clone()))
        .clone();
    register(shared)?;
    Ok(default)
}

/// Runs one iteration of the process's default loop (libvirt's `virEventRunDefaultImpl`).
pub fn run_default() -> Result<(), EventError> {
    DEFAULT
        .get()
        .ok_or(EventError::NoLoopRegistered)?
        .run_once()
}

/// Adds a watch on the registered loop (libvirt's `virEventAddHandle`).
pub fn add_handle(
    fd: RawFd,
    events: Interest,
    callback: HandleCallback,
) -> Result<WatchId, EventError> {
    require()?.add_handle(fd, events, callback)
}

/// Updates a watch on the registered loop (libvirt's `virEventUpdateHandle`).
pub fn update_handle(watch: WatchId, events: Interest) -> Result<(), EventError> {
    require()?.update_handle(watch, events)
}

/// Removes a watch from the registered loop (libvirt's `virEventRemoveHandle`).
pub fn remove_handle(watch: WatchId) -> Result<(), EventError> {
    require()?.remove_handle(watch)
}

/// Adds a timer on the registered loop (libvirt's `virEventAddTimeout`).
pub fn add_timeout(
    interval: TimerInterval,
    callback: TimerCallback,
) -> Result<TimerId, EventError> {
    require()?.add_timeout(interval, callback)
}

/// Updates a timer on the registered loop (libvirt's `virEventUpdateTimeout`).
pub fn update_timeout(timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
    require()?.update_timeout(timer, interval)
}

/// Removes a timer from the registered loop (libvirt's `virEventRemoveTimeout`).
pub fn remove_timeout(timer: TimerId) -> Result<(), EventError> {
    require()?.remove_timeout(timer)
}

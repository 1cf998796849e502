//! rvirt's own loop from C (`rvirEventRegisterDefaultImpl`, `rvirEventRunDefaultImpl`)
//! and the public wrappers that add watches and timers on whichever loop is registered.

use std::ffi::{c_int, c_void};

use rvirt_core::event::{self, Interest, TimerInterval};

use crate::event_impl::{rvirEventHandleCallback, rvirEventTimeoutCallback, rvirFreeCallback};
use crate::opaque::COpaque;
use crate::panic_guard::{ffi_call, invalid_arg};

/// Creates rvirt's default event loop (epoll) and registers it process-wide, like
/// `virEventRegisterDefaultImpl`. Repeat calls are harmless. Returns 0, or -1 if another
/// implementation was registered first.
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventRegisterDefaultImpl() -> c_int {
    ffi_call(-1, || {
        event::register_default()?;
        Ok(0)
    })
}

/// Runs one iteration of the default loop, sleeping until a watch or timer is due (like
/// `virEventRunDefaultImpl`). Returns 0, or -1 if the default loop is not registered or
/// already being run by another thread.
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventRunDefaultImpl() -> c_int {
    ffi_call(-1, || {
        event::run_default()?;
        Ok(0)
    })
}

/// Adds a watch on the registered loop (libvirt's `virEventAddHandle`). `ff(opaque)` runs
/// after the watch is removed. Returns the watch id or -1.
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventAddHandle(
    fd: c_int,
    events: c_int,
    cb: rvirEventHandleCallback,
    opaque: *mut c_void,
    ff: rvirFreeCallback,
) -> c_int {
    ffi_call(-1, || {
        let cb = cb.ok_or_else(|| invalid_arg("cb must not be NULL"))?;
        let data = COpaque::new(opaque, ff);
        let w = event::add_handle(
            fd,
            Interest::from_bits_truncate(events),
            Box::new(move |watch, fd, ready| {
                let id = c_int::try_from(watch.get()).unwrap_or(c_int::MAX);
                // SAFETY: the caller's callback with the opaque it registered.
                unsafe { cb(id, fd, ready.bits(), data.get()) }
            }),
        )?;
        Ok(c_int::try_from(w.get()).unwrap_or(c_int::MAX))
    })
}

/// Changes a watch's conditions on the registered loop (libvirt's `virEventUpdateHandle`).
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventUpdateHandle(watch: c_int, events: c_int) {
    ffi_call((), || {
        if let Some(w) = u64::try_from(watch).ok().and_then(event::WatchId::new) {
            event::update_handle(w, Interest::from_bits_truncate(events))?;
        }
        Ok(())
    })
}

/// Removes a watch from the registered loop. Returns 0 or -1.
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventRemoveHandle(watch: c_int) -> c_int {
    ffi_call(-1, || {
        let w = u64::try_from(watch)
            .ok()
            .and_then(event::WatchId::new)
            .ok_or_else(|| invalid_arg("watch ids are positive"))?;
        event::remove_handle(w)?;
        Ok(0)
    })
}

/// Adds a timer on the registered loop (libvirt's `virEventAddTimeout`): -1 disabled, 0 every
/// iteration, N ms periodic. `ff(opaque)` runs after removal. Returns the timer id or -1.
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventAddTimeout(
    timeout: c_int,
    cb: rvirEventTimeoutCallback,
    opaque: *mut c_void,
    ff: rvirFreeCallback,
) -> c_int {
    ffi_call(-1, || {
        let cb = cb.ok_or_else(|| invalid_arg("cb must not be NULL"))?;
        let data = COpaque::new(opaque, ff);
        let t = event::add_timeout(
            TimerInterval::from_millis(timeout.into()),
            Box::new(move |timer| {
                let id = c_int::try_from(timer.get()).unwrap_or(c_int::MAX);
                // SAFETY: the caller's callback with the opaque it registered.
                unsafe { cb(id, data.get()) }
            }),
        )?;
        Ok(c_int::try_from(t.get()).unwrap_or(c_int::MAX))
    })
}

/// Changes a timer's interval on the registered loop (libvirt's `virEventUpdateTimeout`).
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventUpdateTimeout(timer: c_int, timeout: c_int) {
    ffi_call((), || {
        if let Some(t) = u64::try_from(timer).ok().and_then(event::TimerId::new) {
            event::update_timeout(t, TimerInterval::from_millis(timeout.into()))?;
        }
        Ok(())
    })
}

/// Removes a timer from the registered loop. Returns 0 or -1.
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventRemoveTimeout(timer: c_int) -> c_int {
    ffi_call(-1, || {
        let t = u64::try_from(timer)
            .ok()
            .and_then(event::TimerId::new)
            .ok_or_else(|| invalid_arg("timer ids are positive"))?;
        event::remove_timeout(t)?;
        Ok(0)
    })
}

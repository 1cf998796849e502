//! `rvirEventRegisterImpl`: an event loop written in C (six callbacks in libvirt's exact
//! shape) plugged into rvirt-core as the process-wide `EventLoop`, via `CEventLoop`.
//!
//! Rust callbacks travel through C as `opaque` pointers to boxed contexts; C calls them back
//! through `handle_trampoline`-style functions and frees them with the `ff` we pass, which is
//! where rvirt-core's "the callback is dropped after removal, never inside remove" lands.

use std::collections::HashSet;
use std::ffi::{c_int, c_void};
use std::fmt;
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex, MutexGuard};

use rvirt_core::event::{
    self, EventError, EventLoop, HandleCallback, Interest, TimerCallback, TimerId, TimerInterval,
    WatchId,
};

use crate::panic_guard::{ffi_call, guard_callback, invalid_arg};

/// Frees an `opaque` pointer (libvirt's `virFreeCallback`).
pub type rvirFreeCallback = Option<unsafe extern "C" fn(opaque: *mut c_void)>;

/// Called by the event loop when a watched fd has a pending condition: `events` is the
/// `RVIR_EVENT_HANDLE_*` bitmask actually pending (libvirt's `virEventHandleCallback`).
pub type rvirEventHandleCallback =
    Option<unsafe extern "C" fn(watch: c_int, fd: c_int, events: c_int, opaque: *mut c_void)>;

/// Called by the event loop when a timer fires (libvirt's `virEventTimeoutCallback`).
pub type rvirEventTimeoutCallback = Option<unsafe extern "C" fn(timer: c_int, opaque: *mut c_void)>;

/// Starts watching `fd` for the `RVIR_EVENT_HANDLE_*` conditions in `event`; calls `cb` with
/// `opaque` while one is pending (level-triggered). Returns a watch id (> 0, never reused) or
/// -1. `ff(opaque)` (if not NULL) must be called once the watch is removed, **later, never
/// from inside removeHandle**; on failure (-1) `ff` must not be called.
pub type rvirEventAddHandleFunc = Option<
    unsafe extern "C" fn(
        fd: c_int,
        event: c_int,
        cb: rvirEventHandleCallback,
        opaque: *mut c_void,
        ff: rvirFreeCallback,
    ) -> c_int,
>;

/// Changes the conditions a watch waits for; 0 pauses it. Unknown ids are ignored.
pub type rvirEventUpdateHandleFunc = Option<unsafe extern "C" fn(watch: c_int, event: c_int)>;

/// Stops a watch: returns 0, or -1 if `watch` is not registered. The callback must never run
/// again afterwards; its `ff` runs later.
pub type rvirEventRemoveHandleFunc = Option<unsafe extern "C" fn(watch: c_int) -> c_int>;

/// Adds a timer: `timeout` -1 = disabled, 0 = fire on every loop iteration, N > 0 = every N
/// ms (periodic). Returns a timer id (> 0, never reused, counted apart from watches) or -1.
/// `ff` rules as for `rvirEventAddHandleFunc`.
pub type rvirEventAddTimeoutFunc = Option<
    unsafe extern "C" fn(
        timeout: c_int,
        cb: rvirEventTimeoutCallback,
        opaque: *mut c_void,
        ff: rvirFreeCallback,
    ) -> c_int,
>;

/// Changes a timer's interval (same values as add); the next firing counts from now.
pub type rvirEventUpdateTimeoutFunc = Option<unsafe extern "C" fn(timer: c_int, timeout: c_int)>;

/// Removes a timer: returns 0, or -1 if unknown. Its `ff` runs later.
pub type rvirEventRemoveTimeoutFunc = Option<unsafe extern "C" fn(timer: c_int) -> c_int>;

/// The six C functions of an event-loop implementation, all present.
#[derive(Clone, Copy, Debug)]
pub struct CEventImpl {
    add_handle: unsafe extern "C" fn(
        c_int,
        c_int,
        rvirEventHandleCallback,
        *mut c_void,
        rvirFreeCallback,
    ) -> c_int,
    update_handle: unsafe extern "C" fn(c_int, c_int),
    remove_handle: unsafe extern "C" fn(c_int) -> c_int,
    add_timeout: unsafe extern "C" fn(
        c_int,
        rvirEventTimeoutCallback,
        *mut c_void,
        rvirFreeCallback,
    ) -> c_int,
    update_timeout: unsafe extern "C" fn(c_int, c_int),
    remove_timeout: unsafe extern "C" fn(c_int) -> c_int,
}

impl CEventImpl {
    /// Collects the six functions; `None` if any is NULL.
    pub fn new(
        add_handle: rvirEventAddHandleFunc,
        update_handle: rvirEventUpdateHandleFunc,
        remove_handle: rvirEventRemoveHandleFunc,
        add_timeout: rvirEventAddTimeoutFunc,
        update_timeout: rvirEventUpdateTimeoutFunc,
        remove_timeout: rvirEventRemoveTimeoutFunc,
    ) -> Option<CEventImpl> {
        Some(CEventImpl {
            add_handle: add_handle?,
            update_handle: update_handle?,
            remove_handle: remove_handle?,
            add_timeout: add_timeout?,
            update_timeout: update_timeout?,
            remove_timeout: remove_timeout?,
        })
    }
}

/// rvirt-core's `EventLoop` on top of a C implementation (`CEventImpl`).
///
/// The C functions must follow libvirt's contract (documented on each function type, and
/// on `rvirEventRegisterImpl` in the header). The adapter adds what C cannot report: it
/// remembers live ids so that updating an unknown id is an error, as the trait requires.
pub struct CEventLoop {
    funcs: CEventImpl,
    live: Mutex<Live>,
}

#[derive(Default)]
struct Live {
    watches: HashSet<c_int>,
    timers: HashSet<c_int>,
}

impl fmt::Debug for CEventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let live = self.live();
        f.debug_struct("CEventLoop")
            .field("funcs", &self.funcs)
            .field("watches", &live.watches.len())
            .field("timers", &live.timers.len())
            .finish()
    }
}

/// What a watch's `opaque` points to.
struct HandleCtx {
    callback: Mutex<HandleCallback>,
}

/// What a timer's `opaque` points to.
struct TimerCtx {
    callback: Mutex<TimerCallback>,
}

/// The `cb` passed to C for every watch.
unsafe extern "C" fn handle_trampoline(
    watch: c_int,
    fd: c_int,
    events: c_int,
    opaque: *mut c_void,
) {
    guard_callback("an fd watch callback", || {
        let (Ok(raw), false) = (u64::try_from(watch), opaque.is_null()) else {
            return;
        };
        let Some(id) = WatchId::new(raw) else { return };
        // SAFETY: `opaque` is the `HandleCtx` box we passed to addHandle; C frees it only
        // through `free_handle_ctx`, after the watch is removed and outside its dispatch.
        let ctx = unsafe { &*opaque.cast::<HandleCtx>() };
        // A callback re-entered from itself (nested loop run) is skipped, not deadlocked.
        if let Ok(mut cb) = ctx.callback.try_lock() {
            cb(id, fd as RawFd, Interest::from_bits_truncate(events));
        }
    });
}

/// The `ff` passed to C for every watch.
unsafe extern "C" fn free_handle_ctx(opaque: *mut c_void) {
    if opaque.is_null() {
        return;
    }
    guard_callback("freeing a watch", || {
        // SAFETY: `opaque` is the `Box<HandleCtx>` we leaked in add_handle, freed once here.
        drop(unsafe { Box::from_raw(opaque.cast::<HandleCtx>()) })
    });
}

/// The `cb` passed to C for every timer.
unsafe extern "C" fn timer_trampoline(timer: c_int, opaque: *mut c_void) {
    guard_callback("a timer callback", || {
        let (Ok(raw), false) = (u64::try_from(timer), opaque.is_null()) else {
            return;
        };
        let Some(id) = TimerId::new(raw) else { return };
        // SAFETY: as in `handle_trampoline`, for the `TimerCtx` box.
        let ctx = unsafe { &*opaque.cast::<TimerCtx>() };
        if let Ok(mut cb) = ctx.callback.try_lock() {
            cb(id);
        }
    });
}

/// The `ff` passed to C for every timer.
unsafe extern "C" fn free_timer_ctx(opaque: *mut c_void) {
    if opaque.is_null() {
        return;
    }
    guard_callback("freeing a timer", || {
        // SAFETY: `opaque` is the `Box<TimerCtx>` we leaked in add_timeout, freed once here.
        drop(unsafe { Box::from_raw(opaque.cast::<TimerCtx>()) })
    });
}

fn c_millis(interval: TimerInterval) -> c_int {
    c_int::try_from(interval.as_millis()).unwrap_or(c_int::MAX)
}

fn c_id(id: u64) -> c_int {
    c_int::try_from(id).unwrap_or(c_int::MAX)
}

fn refused(what: &str) -> EventError {
    EventError::Os(std::io::Error::other(format!(
        "the registered C event implementation refused to {what}"
    )))
}

impl CEventLoop {
    /// An adapter over `funcs`.
    pub fn new(funcs: CEventImpl) -> CEventLoop {
        CEventLoop {
            funcs,
            live: Mutex::new(Live::default()),
        }
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl EventLoop for CEventLoop {
    fn add_handle(
        &self,
        fd: RawFd,
        events: Interest,
        callback: HandleCallback,
    ) -> Result<WatchId, EventError> {
        let opaque = Box::into_raw(Box::new(HandleCtx {
            callback: Mutex::new(callback),
        }))
        .cast::<c_void>();
        // Held across the C call so that the watch's own callback, should it fire at once on
        // another thread, finds its id registered.
        let mut live = self.live();
        // SAFETY: calling the registered C function with libvirt's arguments; `opaque` stays
        // valid until C calls `free_handle_ctx`.
        let id = unsafe {
            (self.funcs.add_handle)(
                fd,
                events.bits(),
                Some(handle_trampoline),
                opaque,
                Some(free_handle_ctx),
            )
        };
        match u64::try_from(id).ok().and_then(WatchId::new) {
            Some(w) => {
                live.watches.insert(id);
                Ok(w)
            }
            None => {
                drop(live);
                // SAFETY: C refused the watch, so it does not keep `opaque`: we free it.
                drop(unsafe { Box::from_raw(opaque.cast::<HandleCtx>()) });
                Err(refused("add a watch"))
            }
        }
    }

    fn update_handle(&self, watch: WatchId, events: Interest) -> Result<(), EventError> {
        let id = c_id(watch.get());
        if !self.live().watches.contains(&id) {
            return Err(EventError::UnknownWatch(watch));
        }
        // SAFETY: calling the registered C function with libvirt's arguments.
        unsafe { (self.funcs.update_handle)(id, events.bits()) };
        Ok(())
    }

    fn remove_handle(&self, watch: WatchId) -> Result<(), EventError> {
        let id = c_id(watch.get());
        // SAFETY: calling the registered C function with libvirt's arguments.
        if unsafe { (self.funcs.remove_handle)(id) } < 0 {
            return Err(EventError::UnknownWatch(watch));
        }
        self.live().watches.remove(&id);
        Ok(())
    }

    fn add_timeout(
        &self,
        interval: TimerInterval,
        callback: TimerCallback,
    ) -> Result<TimerId, EventError> {
        let opaque = Box::into_raw(Box::new(TimerCtx {
            callback: Mutex::new(callback),
        }))
        .cast::<c_void>();
        let mut live = self.live();
        // SAFETY: as in add_handle.
        let id = unsafe {
            (self.funcs.add_timeout)(
                c_millis(interval),
                Some(timer_trampoline),
                opaque,
                Some(free_timer_ctx),
            )
        };
        match u64::try_from(id).ok().and_then(TimerId::new) {
            Some(t) => {
                live.timers.insert(id);
                Ok(t)
            }
            None => {
                drop(live);
                // SAFETY: C refused the timer, so it does not keep `opaque`: we free it.
                drop(unsafe { Box::from_raw(opaque.cast::<TimerCtx>()) });
                Err(refused("add a timer"))
            }
        }
    }

    fn update_timeout(&self, timer: TimerId, interval: TimerInterval) -> Result<(), EventError> {
        let id = c_id(timer.get());
        if !self.live().timers.contains(&id) {
            return Err(EventError::UnknownTimer(timer));
        }
        // SAFETY: calling the registered C function with libvirt's arguments.
        unsafe { (self.funcs.update_timeout)(id, c_millis(interval)) };
        Ok(())
    }

    fn remove_timeout(&self, timer: TimerId) -> Result<(), EventError> {
        let id = c_id(timer.get());
        // SAFETY: calling the registered C function with libvirt's arguments.
        if unsafe { (self.funcs.remove_timeout)(id) } < 0 {
            return Err(EventError::UnknownTimer(timer));
        }
        self.live().timers.remove(&id);
        Ok(())
    }
}

/// Registers an event loop implemented by the application (for example on GLib's main
/// loop) as the process-wide loop, like libvirt's `virEventRegisterImpl`. All six functions
/// are required.
///
/// Contract for the implementation (libvirt's):
/// * watch ids and timer ids are positive, counted separately, never reused;
/// * delivery is level-triggered; ERROR and HANGUP may be reported unasked;
/// * `ff(opaque)` runs after removal, later, on a fresh call stack, never inside
///   removeHandle/removeTimeout, and a removed callback is never called again;
/// * the six functions may be called from any thread and from inside callbacks, and must
///   wake the loop so changes apply at once;
/// * once registered the loop must keep running while connections exist.
///
/// Call it before opening connections. Only the first registration counts: a later one
/// (or one after `rvirEventRegisterDefaultImpl`) is ignored and sets the last error;
/// so does a NULL function.
#[unsafe(no_mangle)]
pub extern "C" fn rvirEventRegisterImpl(
    addHandle: rvirEventAddHandleFunc,
    updateHandle: rvirEventUpdateHandleFunc,
    removeHandle: rvirEventRemoveHandleFunc,
    addTimeout: rvirEventAddTimeoutFunc,
    updateTimeout: rvirEventUpdateTimeoutFunc,
    removeTimeout: rvirEventRemoveTimeoutFunc,
) {
    ffi_call((), || {
        let funcs = CEventImpl::new(
            addHandle,
            updateHandle,
            removeHandle,
            addTimeout,
            updateTimeout,
            removeTimeout,
        )
        .ok_or_else(|| invalid_arg("every event implementation function must be non-NULL"))?;
        event::register(Arc::new(CEventLoop::new(funcs)))?;
        Ok(())
    })
}

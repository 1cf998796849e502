//! `COpaque`: a C `opaque` pointer plus its free function, freed on drop.

use std::ffi::c_void;

use crate::event_impl::rvirFreeCallback;
use crate::panic_guard::guard_callback;

/// A C caller's `opaque` data and its `ff` (may be NULL). Dropping it calls `ff(opaque)`:
/// putting one inside a Rust callback makes "the callback is freed" mean "ff runs".
#[derive(Debug)]
pub(crate) struct COpaque {
    ptr: *mut c_void,
    ff: rvirFreeCallback,
}

// SAFETY: the pointer is only handed back to the C caller's own callbacks; libvirt's API
// contract (which librvirt documents for every function taking one) is that these callbacks
// may be called from the event-loop thread, whichever thread registered them.
unsafe impl Send for COpaque {}

impl COpaque {
    pub(crate) fn new(ptr: *mut c_void, ff: rvirFreeCallback) -> COpaque {
        COpaque { ptr, ff }
    }

    /// The pointer (a method, so closures capture the whole `Send` wrapper).
    pub(crate) fn get(&self) -> *mut c_void {
        self.ptr
    }
}

impl Drop for COpaque {
    fn drop(&mut self) {
        if let Some(ff) = self.ff {
            let ptr = self.ptr;
            // SAFETY: `ff` is the caller's free function for exactly this pointer, called once.
            guard_callback("a free callback", || unsafe { ff(ptr) });
        }
    }
}

//! `rvirEventRegisterGLib`: rvirt's GLib adapter as the process-wide event loop in one
//! call (what libvirt-glib's `gvir_event_register()` does for libvirt), instead of the six
//! callbacks of `rvirEventRegisterImpl`.

use std::ffi::{c_int, c_void};

use rvirt_core::event;
use rvirt_glib::GlibLoop;

use crate::panic_guard::ffi_call;

/// Registers rvirt's GLib loop on `main_context` (a `GMainContext *`; NULL for GLib's
/// default context, the one `g_main_loop_new(NULL, …)` and GTK run) process-wide. The
/// application keeps iterating that context; rvirt's watches and timers are dispatched
/// by it, on the thread that runs it. Repeat calls with the same context are harmless.
/// Returns 0, or -1 if another loop was registered first.
///
/// # Safety
///
/// `main_context` is NULL or a valid `GMainContext *`; it is referenced, not taken.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirEventRegisterGLib(main_context: *mut c_void) -> c_int {
    ffi_call(-1, || {
        let ctx = if main_context.is_null() {
            glib::MainContext::default()
        } else {
            // SAFETY: a valid GMainContext per the contract; from_glib_none takes a ref.
            unsafe { glib::translate::from_glib_none(main_context as *mut glib::ffi::GMainContext) }
        };
        static REGISTERED: std::sync::Mutex<Option<GlibLoop>> = std::sync::Mutex::new(None);
        let mut slot = REGISTERED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = slot.as_ref()
            && existing.context() == &ctx
        {
            return Ok(0);
        }
        let l = GlibLoop::new(ctx);
        event::register(l.shared())?;
        *slot = Some(l);
        Ok(0)
    })
}

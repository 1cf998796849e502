//! [`new`]: the one `GSource` through which a [`GlibLoop`](crate::GlibLoop) lives in a
//! `GMainContext`.
//!
//! The source polls a single fd (the adapter's epoll set) for `G_IO_IN` and has no
//! `prepare` or `check` of its own: GLib dispatches it when that fd is readable, or when its
//! ready time has come, which is how the adapter asks for a dispatch without fd activity
//! ([`set_ready`], [`Ready::set`]): an every-iteration timer, callbacks to free. Setting the
//! ready time is thread-safe and wakes a context sleeping in `poll` on another thread.
//!
//! GLib blocks a source while it is being dispatched (it has no `G_SOURCE_CAN_RECURSE`), so
//! the dispatch never runs re-entered, not even from a nested iteration of the context.

use std::marker::PhantomData;
use std::os::fd::RawFd;
use std::ptr;
use std::sync::Arc;

use glib::Source;
use glib::ffi;
use glib::translate::{FromGlibPtrFull, ToGlibPtr};

/// What the source runs when GLib dispatches it.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Called on the thread iterating the context, when the fd is readable or the ready time
    /// was set; `ready` switches the latter on and off for the next iterations.
    fn dispatch(&self, ready: Ready<'_>);
}

/// The source being dispatched, to set its ready time from inside its dispatch.
#[derive(Debug)]
pub(crate) struct Ready<'a> {
    raw: *mut ffi::GSource,
    _dispatch: PhantomData<&'a ()>,
}

impl Ready<'_> {
    /// Makes the source due on the next iteration (`true`) or only when its fd is readable.
    pub(crate) fn set(&self, ready: bool) {
        // SAFETY: `raw` is the source GLib is dispatching: alive for the whole dispatch.
        unsafe { ffi::g_source_set_ready_time(self.raw, ready_time(ready)) };
    }
}

fn ready_time(ready: bool) -> i64 {
    // 0: due at once (a time long past); -1: never due by time.
    if ready { 0 } else { -1 }
}

/// The GSource: GLib's header, then the handler (dropped by `finalize`).
#[repr(C)]
struct RawSource {
    base: ffi::GSource,
    handler: Arc<dyn Handler>,
}

static FUNCS: ffi::GSourceFuncs = ffi::GSourceFuncs {
    prepare: None,
    check: None,
    dispatch: Some(dispatch),
    finalize: Some(finalize),
    closure_callback: None,
    closure_marshal: None,
};

unsafe extern "C" fn dispatch(
    source: *mut ffi::GSource,
    _callback: ffi::GSourceFunc,
    _data: ffi::gpointer,
) -> ffi::gboolean {
    let raw = source.cast::<RawSource>();
    // SAFETY: GLib dispatches only sources made by `new`, whose handler was written before
    // they could be attached and stays until `finalize`; only the handler field is borrowed.
    let handler = unsafe { &*ptr::addr_of!((*raw).handler) };
    handler.dispatch(Ready {
        raw: source,
        _dispatch: PhantomData,
    });
    ffi::G_SOURCE_CONTINUE
}

unsafe extern "C" fn finalize(source: *mut ffi::GSource) {
    let raw = source.cast::<RawSource>();
    // SAFETY: GLib finalizes a source once, after its last use; the handler was written by
    // `new` and is dropped only here.
    unsafe { ptr::drop_in_place(ptr::addr_of_mut!((*raw).handler)) };
}

/// A new, unattached source dispatching `handler` whenever `fd` is readable (or its ready
/// time is set). `fd` must stay open for as long as the source lives.
pub(crate) fn new(fd: RawFd, handler: Arc<dyn Handler>) -> Source {
    let size = u32::try_from(size_of::<RawSource>()).expect("a small struct");
    // SAFETY: `FUNCS` is a static GLib only reads; `size` covers GLib's header and our field,
    // which is initialised right away, before the source is shared or attached.
    unsafe {
        let source = ffi::g_source_new(ptr::addr_of!(FUNCS).cast_mut(), size);
        ptr::write(
            ptr::addr_of_mut!((*source.cast::<RawSource>()).handler),
            handler,
        );
        ffi::g_source_add_unix_fd(source, fd, ffi::G_IO_IN);
        ffi::g_source_set_name(source, c"rvirt-glib".as_ptr());
        Source::from_glib_full(source)
    }
}

/// Sets the ready time of `source` from outside its dispatch: due on the next iteration
/// (waking the context if it sleeps), or only when its fd is readable.
pub(crate) fn set_ready(source: &Source, ready: bool) {
    // SAFETY: `source` is a live source (we hold a reference); the call is thread-safe and a
    // no-op on a destroyed source.
    unsafe { ffi::g_source_set_ready_time(source.to_glib_none().0, ready_time(ready)) };
}

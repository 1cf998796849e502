//! Domain event callbacks from C: `rvirConnectDomainEventRegisterAny`.

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use rvirt_core::api::DomainEventId;
use rvirt_core::{CallbackId, DomainEvent, Error, ErrorDomain};

use crate::connect::{conn_ref, rvirConnect, rvirConnectPtr};
use crate::domain::{into_domain_ptr, rvirDomainFree, rvirDomainPtr};
use crate::event_impl::rvirFreeCallback;
use crate::opaque::COpaque;
use crate::panic_guard::{ffi_call, invalid_arg};

/// The generic shape every domain event callback is registered as (libvirt's
/// `virConnectDomainEventGenericCallback`). Cast the real callback with
/// `RVIR_DOMAIN_EVENT_CALLBACK(cb)`; librvirt calls it with the shape of its event id.
pub type rvirConnectDomainEventGenericCallback =
    Option<unsafe extern "C" fn(conn: rvirConnectPtr, dom: rvirDomainPtr, opaque: *mut c_void)>;

/// The callback of `RVIR_DOMAIN_EVENT_ID_LIFECYCLE` (libvirt's `virConnectDomainEventCallback`):
/// `event` is an `rvirDomainEventType`, `detail` the matching `rvirDomainEvent*DetailType`.
/// The return value is ignored.
///
/// `conn` is the connection the callback was registered on; `dom` is owned by the library
/// and valid only during the call: do not free it (look the domain up again to keep one).
/// Callbacks run on the event loop's thread.
pub type rvirConnectDomainEventCallback = Option<
    unsafe extern "C" fn(
        conn: rvirConnectPtr,
        dom: rvirDomainPtr,
        event: c_int,
        detail: c_int,
        opaque: *mut c_void,
    ) -> c_int,
>;

type LifecycleFn =
    unsafe extern "C" fn(rvirConnectPtr, rvirDomainPtr, c_int, c_int, *mut c_void) -> c_int;

/// Keeps the C connection object alive while a callback that reports it is registered.
struct ConnKeepAlive(Arc<rvirConnect>);

/// Registers `cb` for domain events `eventID` about `dom` (or every domain when `dom` is NULL)
/// and returns a callback id (≥ 0) for `rvirConnectDomainEventDeregisterAny`, or -1.
///
/// Only `RVIR_DOMAIN_EVENT_ID_LIFECYCLE` is supported so far (others fail with
/// `RVIR_ERR_NO_SUPPORT`); pass an `rvirConnectDomainEventCallback` cast with
/// `RVIR_DOMAIN_EVENT_CALLBACK()`. An event loop must have been registered before the
/// connection was opened (otherwise `RVIR_ERR_INTERNAL_ERROR`), and it must run for events to
/// arrive. `freecb(opaque)`, if not NULL, runs once the callback is deregistered or the
/// connection closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectDomainEventRegisterAny(
    conn: rvirConnectPtr,
    dom: rvirDomainPtr,
    eventID: c_int,
    cb: rvirConnectDomainEventGenericCallback,
    opaque: *mut c_void,
    freecb: rvirFreeCallback,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let generic = cb.ok_or_else(|| invalid_arg("cb must not be NULL"))?;
        if eventID != DomainEventId::Lifecycle.as_raw() {
            return Err(Error::no_support(
                ErrorDomain::None,
                format!("domain event id {eventID} is not supported by librvirt"),
            ));
        }
        // SAFETY: the caller registered a lifecycle callback cast to the generic type
        // (`RVIR_DOMAIN_EVENT_CALLBACK`), as libvirt's API requires; both are C fn pointers.
        let lifecycle = unsafe {
            std::mem::transmute::<
                unsafe extern "C" fn(rvirConnectPtr, rvirDomainPtr, *mut c_void),
                LifecycleFn,
            >(generic)
        };
        let filter = if dom.is_null() {
            None
        } else {
            // SAFETY: non-NULL domain handles are live per this function's contract.
            Some(unsafe { &*dom }.lock().clone())
        };
        // SAFETY: `conn` is a live `Arc` payload from rvirConnectOpen; we take a new reference.
        let keep = ConnKeepAlive(unsafe {
            Arc::increment_strong_count(conn.cast_const());
            Arc::from_raw(conn.cast_const())
        });
        let data = COpaque::new(opaque, freecb);
        let id = c.conn.domain_event_register_any(
            filter.as_ref(),
            DomainEventId::Lifecycle,
            move |d, ev| {
                let DomainEvent::Lifecycle(lc) = ev else {
                    return;
                };
                let conn_ptr = Arc::as_ptr(&keep.0).cast_mut();
                let dom_ptr = into_domain_ptr(d.clone());
                // SAFETY: the caller's callback, with a connection kept alive by `keep` and a
                // domain handle we free right after the call.
                unsafe {
                    lifecycle(
                        conn_ptr,
                        dom_ptr,
                        lc.event_raw(),
                        lc.detail_raw(),
                        data.get(),
                    );
                    rvirDomainFree(dom_ptr);
                }
            },
        )?;
        Ok(id.0)
    })
}

/// Deregisters a callback registered with `rvirConnectDomainEventRegisterAny`; its
/// `freecb` runs. Returns 0, or -1 (for example an unknown id: `RVIR_ERR_INVALID_ARG`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectDomainEventDeregisterAny(
    conn: rvirConnectPtr,
    callbackID: c_int,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        c.conn.domain_event_deregister_any(CallbackId(callbackID))?;
        Ok(0)
    })
}

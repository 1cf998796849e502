//! Connection liveness from C: `rvirConnectIsAlive`, `rvirConnectSetKeepAlive` and the
//! close callback (`rvirConnectRegisterCloseCallback`, libvirt's
//! `virConnectRegisterCloseCallback`).

use std::ffi::{c_int, c_uint, c_void};
use std::sync::Arc;
use std::time::Duration;

use rvirt_core::{Error, ErrorCode, ErrorDomain};

use crate::connect::{conn_ref, rvirConnect, rvirConnectPtr};
use crate::event_impl::rvirFreeCallback;
use crate::opaque::COpaque;
use crate::panic_guard::{ffi_call, invalid_arg};

/// Why a connection closed (libvirt's `virConnectCloseReason`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirConnectCloseReason {
    /// Misc I/O error.
    RVIR_CONNECT_CLOSE_REASON_ERROR = 0,
    /// End of file from the daemon.
    RVIR_CONNECT_CLOSE_REASON_EOF = 1,
    /// Keepalive timer triggered.
    RVIR_CONNECT_CLOSE_REASON_KEEPALIVE = 2,
    /// Closed by the client.
    RVIR_CONNECT_CLOSE_REASON_CLIENT = 3,
}

/// A close callback (libvirt's `virConnectCloseFunc`): `reason` is an
/// `rvirConnectCloseReason`. It runs once, on the event loop's thread.
pub type rvirConnectCloseFunc =
    Option<unsafe extern "C" fn(conn: rvirConnectPtr, reason: c_int, opaque: *mut c_void)>;

type CloseFn = unsafe extern "C" fn(rvirConnectPtr, c_int, *mut c_void);

/// The slot holding the address of the C close callback registered on `c`.
fn slot(c: &rvirConnect) -> std::sync::MutexGuard<'_, Option<usize>> {
    c.close_cb.lock().unwrap_or_else(|p| p.into_inner())
}

/// Returns 1 while the connection is usable, 0 once it closed or its daemon went away
/// (EOF, keepalive timeout), -1 on error. libvirt's `virConnectIsAlive`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectIsAlive(conn: rvirConnectPtr) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        Ok(c_int::from(c.conn.is_alive()))
    })
}

/// Client keepalive (libvirt's `virConnectSetKeepAlive`): PING the daemon after
/// `interval` seconds of silence, close the connection (reason
/// `RVIR_CONNECT_CLOSE_REASON_KEEPALIVE`) after `count` unanswered PINGs; `interval` ≤ 0
/// turns it off. Remote connections opened with an event loop start with 5 s and 5.
/// Returns 0, 1 if the daemon does not support keepalive (or no event loop was
/// registered), -1 on error (local drivers: `RVIR_ERR_NO_SUPPORT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectSetKeepAlive(
    conn: rvirConnectPtr,
    interval: c_int,
    count: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let secs = u64::try_from(interval).unwrap_or(0);
        let on = c.conn.set_keepalive(Duration::from_secs(secs), count)?;
        Ok(if on { 0 } else { 1 })
    })
}

/// Registers `cb` to run once, on the event loop's thread, when the connection closes
/// under the application: the daemon went away, a read failed, keepalive timed out
/// (libvirt's `virConnectRegisterCloseCallback`). `rvirConnectClose` does not call it.
/// `freecb(opaque)`, if not NULL, runs once the callback is done with: after it ran, when
/// it is unregistered or when the connection is closed. One callback per connection: a
/// second fails with `RVIR_ERR_OPERATION_INVALID`. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectRegisterCloseCallback(
    conn: rvirConnectPtr,
    cb: rvirConnectCloseFunc,
    opaque: *mut c_void,
    freecb: rvirFreeCallback,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let f: CloseFn = cb.ok_or_else(|| invalid_arg("cb must not be NULL"))?;
        // SAFETY: `conn` is a live `Arc` payload from rvirConnectOpen; we take a new
        // reference, dropped with the callback (run, unregistered, or at close).
        let keep: Arc<rvirConnect> = unsafe {
            Arc::increment_strong_count(conn.cast_const());
            Arc::from_raw(conn.cast_const())
        };
        let data = COpaque::new(opaque, freecb);
        let mut registered = slot(c);
        c.conn.register_close_callback(move |_, reason| {
            // As libvirt: once called, the callback is no longer registered.
            slot(&keep).take();
            let conn_ptr = Arc::as_ptr(&keep).cast_mut();
            // SAFETY: the caller's callback, with a connection kept alive by `keep`.
            unsafe { f(conn_ptr, reason.as_raw(), data.get()) };
            drop(data);
        })?;
        *registered = Some(f as usize);
        Ok(0)
    })
}

/// Unregisters the close callback `cb` (libvirt's `virConnectUnregisterCloseCallback`);
/// its `freecb` runs. Another callback than the registered one, or none registered, is
/// `RVIR_ERR_OPERATION_INVALID` "A different callback was requested". Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectUnregisterCloseCallback(
    conn: rvirConnectPtr,
    cb: rvirConnectCloseFunc,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let f: CloseFn = cb.ok_or_else(|| invalid_arg("cb must not be NULL"))?;
        let mut registered = slot(c);
        if *registered != Some(f as usize) {
            return Err(Error::new(
                ErrorCode::OperationInvalid,
                ErrorDomain::None,
                "A different callback was requested",
            ));
        }
        c.conn.unregister_close_callback()?;
        *registered = None;
        Ok(0)
    })
}

//! Connections: open, close, list and look up domains, define.

use std::ffi::{c_char, c_int, c_uint};
use std::sync::Arc;

use rvirt_core::api::ListFlags;
use rvirt_core::{Connect, Error};

use crate::domain::{into_domain_ptr, rvirDomainPtr};
use crate::handles::list_out;
use crate::init::ensure_initialized;
use crate::panic_guard::{ffi_call, invalid_arg};
use crate::strings::str_arg;

/// An open connection (opaque; libvirt's `virConnect`).
#[derive(Debug)]
pub struct rvirConnect {
    pub(crate) conn: Connect,
    /// The C close callback registered now (its address), for
    /// `rvirConnectUnregisterCloseCallback`'s check.
    pub(crate) close_cb: std::sync::Mutex<Option<usize>>,
}

/// A connection handle. Obtained from `rvirConnectOpen`; released with
/// `rvirConnectClose`.
pub type rvirConnectPtr = *mut rvirConnect;

/// Borrows the connection behind `conn`; NULL is `VIR_ERR_INVALID_ARG`.
///
/// # Safety
/// `conn` is NULL or a live pointer from `rvirConnectOpen` not yet closed.
pub(crate) unsafe fn conn_ref<'a>(conn: rvirConnectPtr) -> Result<&'a rvirConnect, Error> {
    if conn.is_null() {
        return Err(invalid_arg("conn must not be NULL"));
    }
    // SAFETY: non-NULL and live per the caller's contract; the object is an `Arc` payload.
    Ok(unsafe { &*conn })
}

fn open(name: *const c_char, read_only: bool) -> rvirConnectPtr {
    ffi_call(std::ptr::null_mut(), || {
        ensure_initialized()?;
        // SAFETY: `name` is NULL or a C string per this function's contract.
        let uri = unsafe { str_arg(name, "name") }?;
        let conn = if read_only {
            Connect::open_read_only(uri)?
        } else {
            Connect::open(uri)?
        };
        let c = rvirConnect {
            conn,
            close_cb: std::sync::Mutex::new(None),
        };
        Ok(Arc::into_raw(Arc::new(c)).cast_mut())
    })
}

/// Opens a connection to the driver for URI `name` (e.g. `"test:///default"`,
/// `"qemu:///embed?root=/abs/dir"`). `name` must not be NULL (no default-URI lookup).
///
/// Register an event loop first (`rvirEventRegisterImpl` or
/// `rvirEventRegisterDefaultImpl`) if you want domain events: a connection uses the
/// loop registered when it is opened.
///
/// Returns a new connection that the caller releases with `rvirConnectClose`, or NULL with
/// the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectOpen(name: *const c_char) -> rvirConnectPtr {
    open(name, false)
}

/// Like `rvirConnectOpen`, but every call that changes state fails with
/// `RVIR_ERR_OPERATION_DENIED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectOpenReadOnly(name: *const c_char) -> rvirConnectPtr {
    open(name, true)
}

/// Closes the connection and releases `conn`, which must not be used afterwards. Its domain
/// event callbacks are deregistered (their free callbacks run). Domain handles obtained from
/// it stay valid to free, but calls on them fail with `RVIR_ERR_INVALID_CONN`.
///
/// Returns 0, or -1 (NULL `conn`, or the driver failed to close; `conn` is released anyway).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectClose(conn: rvirConnectPtr) -> c_int {
    ffi_call(-1, || {
        if conn.is_null() {
            return Err(invalid_arg("conn must not be NULL"));
        }
        // SAFETY: `conn` came from `Arc::into_raw` in `open` and is released exactly once here.
        let owned = unsafe { Arc::from_raw(conn.cast_const()) };
        let r = owned.conn.close();
        drop(owned);
        r.map(|()| 0)
    })
}

/// Lists the connection's domains matching `flags` (`RVIR_CONNECT_LIST_DOMAINS_*`, 0 = all).
///
/// Returns the number of domains, or -1 on error. If `domains` is not NULL, `*domains` is set
/// to a newly allocated array of that many domain handles followed by a NULL entry: the
/// caller frees **each handle with `rvirDomainFree` and the array with `free()`**.
/// If `domains` is NULL only the count is returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllDomains(
    conn: rvirConnectPtr,
    domains: *mut *mut rvirDomainPtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_domains(ListFlags(flags))?;
        // SAFETY: `domains` is NULL or writable per this function's contract.
        unsafe { list_out(list, domains, into_domain_ptr, "domains") }
    })
}

/// Looks a domain up by name. Returns a new handle (free with `rvirDomainFree`) or
/// NULL with the last error set (`RVIR_ERR_NO_DOMAIN` if there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainLookupByName(
    conn: rvirConnectPtr,
    name: *const c_char,
) -> rvirDomainPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, name) = unsafe { (conn_ref(conn)?, str_arg(name, "name")?) };
        Ok(into_domain_ptr(c.conn.lookup_domain_by_name(name)?))
    })
}

/// Looks a domain up by its UUID string (`"6695eb01-f6a4-8304-79aa-97f2502e193f"`). Returns
/// a new handle (free with `rvirDomainFree`) or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainLookupByUUIDString(
    conn: rvirConnectPtr,
    uuidstr: *const c_char,
) -> rvirDomainPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, uuid) = unsafe { (conn_ref(conn)?, str_arg(uuidstr, "uuidstr")?) };
        Ok(into_domain_ptr(c.conn.lookup_domain_by_uuid_str(uuid)?))
    })
}

/// Defines (or updates) a persistent domain from XML without starting it. Returns a new
/// handle (free with `rvirDomainFree`) or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainDefineXML(
    conn: rvirConnectPtr,
    xml: *const c_char,
) -> rvirDomainPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, xml) = unsafe { (conn_ref(conn)?, str_arg(xml, "xml")?) };
        Ok(into_domain_ptr(c.conn.define_xml(xml)?))
    })
}

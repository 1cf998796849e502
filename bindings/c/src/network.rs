//! Virtual network handles (libvirt's `virNetwork` calls).

use std::ffi::{CString, c_char, c_int, c_uint};

use rvirt_core::api::Network;

use crate::connect::{conn_ref, rvirConnectPtr};
use crate::handles::{free_handle, handle_ref, list_out, write_uuid};
use crate::panic_guard::ffi_call;
use crate::strings::{c_string, malloc_string, str_arg};

/// A virtual network handle (opaque; libvirt's `virNetwork`).
#[derive(Debug)]
pub struct rvirNetwork {
    net: Network,
    name: CString,
}

/// A network handle: every function returning one hands a new handle to the caller,
/// who releases it with `rvirNetworkFree`.
pub type rvirNetworkPtr = *mut rvirNetwork;

fn into_ptr(net: Network) -> rvirNetworkPtr {
    let name = c_string(net.name());
    Box::into_raw(Box::new(rvirNetwork { net, name }))
}

/// Runs `f` on the network behind `net` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with<T>(
    net: rvirNetworkPtr,
    fail: T,
    f: impl FnOnce(&rvirNetwork) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `net` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(net, "network") }?)
    })
}

/// Lists the connection's networks matching `flags` (`RVIR_CONNECT_LIST_NETWORKS_*`,
/// 0 = all). Returns their number or -1. If `nets` is not NULL, `*nets` is set to a new
/// array of that many handles and a NULL entry: the caller frees **each handle with
/// `rvirNetworkFree` and the array with `free()`**.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllNetworks(
    conn: rvirConnectPtr,
    nets: *mut *mut rvirNetworkPtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_networks(flags)?;
        // SAFETY: `nets` is NULL or writable per this function's contract.
        unsafe { list_out(list, nets, into_ptr, "networks") }
    })
}

/// Looks a network up by name. Returns a new handle (free with `rvirNetworkFree`) or
/// NULL with the last error set (`RVIR_ERR_NO_NETWORK` if there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkLookupByName(
    conn: rvirConnectPtr,
    name: *const c_char,
) -> rvirNetworkPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, name) = unsafe { (conn_ref(conn)?, str_arg(name, "name")?) };
        Ok(into_ptr(c.conn.lookup_network_by_name(name)?))
    })
}

/// The network's name, owned by the handle: valid until `rvirNetworkFree`; do not free
/// it. NULL (with the last error set) if `net` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkGetName(net: rvirNetworkPtr) -> *const c_char {
    with(net, std::ptr::null(), |n| Ok(n.name.as_ptr()))
}

/// Writes the UUID string (36 characters + NUL) into `buf`, which must have room for
/// `RVIR_UUID_STRING_BUFLEN` bytes. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkGetUUIDString(net: rvirNetworkPtr, buf: *mut c_char) -> c_int {
    // SAFETY: `buf` is NULL or large enough per this function's contract.
    with(net, -1, |n| unsafe { write_uuid(n.net.uuid(), buf) })
}

/// 1 if the network is active, 0 if not, -1 on error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkIsActive(net: rvirNetworkPtr) -> c_int {
    with(net, -1, |n| Ok(c_int::from(n.net.is_active()?)))
}

/// Starts a defined, inactive network. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkCreate(net: rvirNetworkPtr) -> c_int {
    with(net, -1, |n| n.net.create().map(|()| 0))
}

/// Stops an active network (a transient one disappears). Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkDestroy(net: rvirNetworkPtr) -> c_int {
    with(net, -1, |n| n.net.destroy().map(|()| 0))
}

/// The network's XML description (`flags`: `RVIR_NETWORK_XML_INACTIVE` or 0). Returns
/// a NUL-terminated string the **caller frees with `free()`**, or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkGetXMLDesc(net: rvirNetworkPtr, flags: c_uint) -> *mut c_char {
    with(net, std::ptr::null_mut(), |n| {
        malloc_string(&n.net.xml_desc(flags)?)
    })
}

/// Releases a network handle (the network itself is unaffected). Returns 0, or -1 for
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNetworkFree(net: rvirNetworkPtr) -> c_int {
    // SAFETY: `net` came from this module's `into_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe { free_handle(net, "network") })
}

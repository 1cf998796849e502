//! Host interface handles (libvirt's `virInterface` calls).

use std::ffi::{CString, c_char, c_int, c_uint};

use rvirt_core::api::Interface;

use crate::connect::{conn_ref, rvirConnectPtr};
use crate::handles::{free_handle, handle_ref, list_out};
use crate::panic_guard::ffi_call;
use crate::strings::{c_string, malloc_string, str_arg};

/// A host interface handle (opaque; libvirt's `virInterface`).
#[derive(Debug)]
pub struct rvirInterface {
    iface: Interface,
    name: CString,
    mac: CString,
}

/// A host interface handle: every function returning one hands a new handle to the
/// caller, who releases it with `rvirInterfaceFree`.
pub type rvirInterfacePtr = *mut rvirInterface;

fn into_ptr(iface: Interface) -> rvirInterfacePtr {
    let name = c_string(iface.name());
    let mac = c_string(iface.mac());
    Box::into_raw(Box::new(rvirInterface { iface, name, mac }))
}

/// Runs `f` on the interface behind `iface` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with<T>(
    iface: rvirInterfacePtr,
    fail: T,
    f: impl FnOnce(&rvirInterface) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `iface` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(iface, "interface") }?)
    })
}

/// Lists the host's interfaces matching `flags` (`RVIR_CONNECT_LIST_INTERFACES_*`,
/// 0 = all). Returns their number or -1. If `ifaces` is not NULL, `*ifaces` is set to a
/// new array of that many handles and a NULL entry: the caller frees **each handle with
/// `rvirInterfaceFree` and the array with `free()`**.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllInterfaces(
    conn: rvirConnectPtr,
    ifaces: *mut *mut rvirInterfacePtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_interfaces(flags)?;
        // SAFETY: `ifaces` is NULL or writable per this function's contract.
        unsafe { list_out(list, ifaces, into_ptr, "interfaces") }
    })
}

/// Looks an interface up by name. Returns a new handle (free with `rvirInterfaceFree`)
/// or NULL with the last error set (`RVIR_ERR_NO_INTERFACE` if there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirInterfaceLookupByName(
    conn: rvirConnectPtr,
    name: *const c_char,
) -> rvirInterfacePtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, name) = unsafe { (conn_ref(conn)?, str_arg(name, "name")?) };
        Ok(into_ptr(c.conn.lookup_interface_by_name(name)?))
    })
}

/// Looks an interface up by MAC address (`aa:bb:cc:dd:ee:ff`). Returns a new handle or
/// NULL with the last error set (`RVIR_ERR_NO_INTERFACE` if there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirInterfaceLookupByMACString(
    conn: rvirConnectPtr,
    mac: *const c_char,
) -> rvirInterfacePtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, mac) = unsafe { (conn_ref(conn)?, str_arg(mac, "mac")?) };
        Ok(into_ptr(c.conn.lookup_interface_by_mac(mac)?))
    })
}

/// The interface's name, owned by the handle: valid until `rvirInterfaceFree`; do not
/// free it. NULL (with the last error set) if `iface` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirInterfaceGetName(iface: rvirInterfacePtr) -> *const c_char {
    with(iface, std::ptr::null(), |i| Ok(i.name.as_ptr()))
}

/// The interface's MAC address, owned by the handle: valid until `rvirInterfaceFree`;
/// do not free it. NULL (with the last error set) if `iface` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirInterfaceGetMACString(iface: rvirInterfacePtr) -> *const c_char {
    with(iface, std::ptr::null(), |i| Ok(i.mac.as_ptr()))
}

/// 1 if the interface is up, 0 if not, -1 on error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirInterfaceIsActive(iface: rvirInterfacePtr) -> c_int {
    with(iface, -1, |i| Ok(c_int::from(i.iface.is_active()?)))
}

/// The interface's XML description (`flags`: `RVIR_INTERFACE_XML_INACTIVE` or 0), a new
/// string the caller frees with `free()`, or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirInterfaceGetXMLDesc(
    iface: rvirInterfacePtr,
    flags: c_uint,
) -> *mut c_char {
    with(iface, std::ptr::null_mut(), |i| {
        malloc_string(&i.iface.xml_desc(flags)?)
    })
}

/// Releases an interface handle (the interface itself is unaffected). Returns 0, or -1
/// for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirInterfaceFree(iface: rvirInterfacePtr) -> c_int {
    // SAFETY: `iface` came from `into_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe { free_handle(iface, "interface") })
}

//! Network filter and filter binding handles (libvirt's `virNWFilter` and
//! `virNWFilterBinding` calls).

use std::ffi::{CString, c_char, c_int, c_uint};

use rvirt_core::api::{NwFilter, NwFilterBinding};

use crate::connect::{conn_ref, rvirConnectPtr};
use crate::handles::{free_handle, handle_ref, list_out, write_uuid};
use crate::panic_guard::ffi_call;
use crate::strings::{c_string, malloc_string, str_arg};

/// A network filter handle (opaque; libvirt's `virNWFilter`).
#[derive(Debug)]
pub struct rvirNWFilter {
    filter: NwFilter,
    name: CString,
}

/// A network filter handle: every function returning one hands a new handle to the
/// caller, who releases it with `rvirNWFilterFree`.
pub type rvirNWFilterPtr = *mut rvirNWFilter;

/// A filter binding handle (opaque; libvirt's `virNWFilterBinding`): a filter
/// instantiated on one port device.
#[derive(Debug)]
pub struct rvirNWFilterBinding {
    binding: NwFilterBinding,
    port_dev: CString,
    filter_name: CString,
}

/// A filter binding handle: every function returning one hands a new handle to the
/// caller, who releases it with `rvirNWFilterBindingFree`.
pub type rvirNWFilterBindingPtr = *mut rvirNWFilterBinding;

fn filter_ptr(filter: NwFilter) -> rvirNWFilterPtr {
    let name = c_string(filter.name());
    Box::into_raw(Box::new(rvirNWFilter { filter, name }))
}

fn binding_ptr(binding: NwFilterBinding) -> rvirNWFilterBindingPtr {
    let port_dev = c_string(binding.port_dev());
    let filter_name = c_string(binding.filter_name());
    Box::into_raw(Box::new(rvirNWFilterBinding {
        binding,
        port_dev,
        filter_name,
    }))
}

/// Runs `f` on the filter behind `filter` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with<T>(
    filter: rvirNWFilterPtr,
    fail: T,
    f: impl FnOnce(&rvirNWFilter) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `filter` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(filter, "network filter") }?)
    })
}

/// Runs `f` on the binding behind `binding` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with_binding<T>(
    binding: rvirNWFilterBindingPtr,
    fail: T,
    f: impl FnOnce(&rvirNWFilterBinding) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `binding` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(binding, "network filter binding") }?)
    })
}

/// Lists the connection's network filters (`flags` 0). Returns their number or -1
/// (`RVIR_ERR_NO_SUPPORT` from a driver without filters, such as `test:///`). If
/// `filters` is not NULL, `*filters` is set to a new array of that many handles and a
/// NULL entry: the caller frees **each handle with `rvirNWFilterFree` and the array
/// with `free()`**.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllNWFilters(
    conn: rvirConnectPtr,
    filters: *mut *mut rvirNWFilterPtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_nwfilters(flags)?;
        // SAFETY: `filters` is NULL or writable per this function's contract.
        unsafe { list_out(list, filters, filter_ptr, "network filters") }
    })
}

/// Looks a network filter up by name. Returns a new handle (free with
/// `rvirNWFilterFree`) or NULL with the last error set (`RVIR_ERR_NO_NWFILTER` if there
/// is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterLookupByName(
    conn: rvirConnectPtr,
    name: *const c_char,
) -> rvirNWFilterPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, name) = unsafe { (conn_ref(conn)?, str_arg(name, "name")?) };
        Ok(filter_ptr(c.conn.lookup_nwfilter_by_name(name)?))
    })
}

/// Defines (or redefines) a network filter from its XML (`flags` 0). Returns a new
/// handle or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterDefineXML(
    conn: rvirConnectPtr,
    xml: *const c_char,
) -> rvirNWFilterPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, xml) = unsafe { (conn_ref(conn)?, str_arg(xml, "xml")?) };
        Ok(filter_ptr(c.conn.nwfilter_define_xml(xml, 0)?))
    })
}

/// The filter's name, owned by the handle: valid until `rvirNWFilterFree`; do not free
/// it. NULL (with the last error set) if `filter` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterGetName(filter: rvirNWFilterPtr) -> *const c_char {
    with(filter, std::ptr::null(), |f| Ok(f.name.as_ptr()))
}

/// Writes the UUID string (36 characters + NUL) into `buf`, which must have room for
/// `RVIR_UUID_STRING_BUFLEN` bytes. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterGetUUIDString(
    filter: rvirNWFilterPtr,
    buf: *mut c_char,
) -> c_int {
    // SAFETY: `buf` is NULL or large enough per this function's contract.
    with(filter, -1, |f| unsafe { write_uuid(f.filter.uuid(), buf) })
}

/// The filter's XML description (`flags` 0), a new string the caller frees with
/// `free()`, or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterGetXMLDesc(
    filter: rvirNWFilterPtr,
    flags: c_uint,
) -> *mut c_char {
    with(filter, std::ptr::null_mut(), |f| {
        malloc_string(&f.filter.xml_desc(flags)?)
    })
}

/// Removes the filter's definition (refused while a binding or another filter uses
/// it). Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterUndefine(filter: rvirNWFilterPtr) -> c_int {
    with(filter, -1, |f| f.filter.undefine().map(|()| 0))
}

/// Releases a filter handle (the filter itself is unaffected). Returns 0, or -1 for
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterFree(filter: rvirNWFilterPtr) -> c_int {
    // SAFETY: `filter` came from `filter_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe { free_handle(filter, "network filter") })
}

/// Lists the connection's filter bindings (`flags` 0), in libvirt's list-all shape: the
/// caller frees **each handle with `rvirNWFilterBindingFree` and the array with
/// `free()`**. Returns their number or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllNWFilterBindings(
    conn: rvirConnectPtr,
    bindings: *mut *mut rvirNWFilterBindingPtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_nwfilter_bindings(flags)?;
        // SAFETY: `bindings` is NULL or writable per this function's contract.
        unsafe { list_out(list, bindings, binding_ptr, "network filter bindings") }
    })
}

/// Looks the binding of port device `portdev` up. Returns a new handle or NULL with the
/// last error set (`RVIR_ERR_NO_NWFILTER_BINDING` if there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterBindingLookupByPortDev(
    conn: rvirConnectPtr,
    portdev: *const c_char,
) -> rvirNWFilterBindingPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, dev) = unsafe { (conn_ref(conn)?, str_arg(portdev, "portdev")?) };
        Ok(binding_ptr(
            c.conn.lookup_nwfilter_binding_by_port_dev(dev)?,
        ))
    })
}

/// Creates a binding from its XML (`<filterbinding>`; `flags` 0). Returns a new handle
/// or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterBindingCreateXML(
    conn: rvirConnectPtr,
    xml: *const c_char,
    flags: c_uint,
) -> rvirNWFilterBindingPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, xml) = unsafe { (conn_ref(conn)?, str_arg(xml, "xml")?) };
        Ok(binding_ptr(c.conn.nwfilter_binding_create_xml(xml, flags)?))
    })
}

/// The binding's port device, owned by the handle: valid until
/// `rvirNWFilterBindingFree`; do not free it. NULL if `binding` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterBindingGetPortDev(
    binding: rvirNWFilterBindingPtr,
) -> *const c_char {
    with_binding(binding, std::ptr::null(), |b| Ok(b.port_dev.as_ptr()))
}

/// The name of the filter the binding instantiates, owned by the handle: valid until
/// `rvirNWFilterBindingFree`; do not free it. NULL if `binding` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterBindingGetFilterName(
    binding: rvirNWFilterBindingPtr,
) -> *const c_char {
    with_binding(binding, std::ptr::null(), |b| Ok(b.filter_name.as_ptr()))
}

/// The binding's XML description (`flags` 0), a new string the caller frees with
/// `free()`, or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterBindingGetXMLDesc(
    binding: rvirNWFilterBindingPtr,
    flags: c_uint,
) -> *mut c_char {
    with_binding(binding, std::ptr::null_mut(), |b| {
        malloc_string(&b.binding.xml_desc(flags)?)
    })
}

/// Deletes the binding (its filter stops applying to the port device). Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterBindingDelete(binding: rvirNWFilterBindingPtr) -> c_int {
    with_binding(binding, -1, |b| b.binding.delete().map(|()| 0))
}

/// Releases a binding handle (the binding itself is unaffected). Returns 0, or -1 for
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNWFilterBindingFree(binding: rvirNWFilterBindingPtr) -> c_int {
    // SAFETY: `binding` came from `binding_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe {
        free_handle(binding, "network filter binding")
    })
}

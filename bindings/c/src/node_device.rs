//! Node device handles (libvirt's `virNodeDevice` calls).

use std::ffi::{CString, c_char, c_int, c_uint};

use rvirt_core::api::NodeDevice;

use crate::connect::{conn_ref, rvirConnectPtr};
use crate::handles::{free_handle, handle_ref, list_out};
use crate::panic_guard::{ffi_call, invalid_arg};
use crate::strings::{c_string, malloc_string, str_arg};

/// A node device handle (opaque; libvirt's `virNodeDevice`).
#[derive(Debug)]
pub struct rvirNodeDevice {
    dev: NodeDevice,
    name: CString,
}

/// A node device handle: every function returning one hands a new handle to the
/// caller, who releases it with `rvirNodeDeviceFree`.
pub type rvirNodeDevicePtr = *mut rvirNodeDevice;

fn into_ptr(dev: NodeDevice) -> rvirNodeDevicePtr {
    let name = c_string(dev.name());
    Box::into_raw(Box::new(rvirNodeDevice { dev, name }))
}

/// Runs `f` on the device behind `dev` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with<T>(
    dev: rvirNodeDevicePtr,
    fail: T,
    f: impl FnOnce(&rvirNodeDevice) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `dev` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(dev, "node device") }?)
    })
}

/// Lists the host's node devices matching `flags` (`RVIR_CONNECT_LIST_NODE_DEVICES_CAP_*`,
/// 0 = all). Returns their number or -1. If `devs` is not NULL, `*devs` is set to a new
/// array of that many handles and a NULL entry: the caller frees **each handle with
/// `rvirNodeDeviceFree` and the array with `free()`**.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllNodeDevices(
    conn: rvirConnectPtr,
    devs: *mut *mut rvirNodeDevicePtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_node_devices(flags)?;
        // SAFETY: `devs` is NULL or writable per this function's contract.
        unsafe { list_out(list, devs, into_ptr, "node devices") }
    })
}

/// Looks a node device up by name. Returns a new handle (free with
/// `rvirNodeDeviceFree`) or NULL with the last error set (`RVIR_ERR_NO_NODE_DEVICE` if
/// there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNodeDeviceLookupByName(
    conn: rvirConnectPtr,
    name: *const c_char,
) -> rvirNodeDevicePtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, name) = unsafe { (conn_ref(conn)?, str_arg(name, "name")?) };
        Ok(into_ptr(c.conn.lookup_node_device_by_name(name)?))
    })
}

/// The device's name, owned by the handle: valid until `rvirNodeDeviceFree`; do not
/// free it. NULL (with the last error set) if `dev` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNodeDeviceGetName(dev: rvirNodeDevicePtr) -> *const c_char {
    with(dev, std::ptr::null(), |d| Ok(d.name.as_ptr()))
}

/// The parent device's name as a new string the caller frees with `free()`, or NULL:
/// with the last error set on failure, with no error for a device without parent
/// (such as `computer`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNodeDeviceGetParent(dev: rvirNodeDevicePtr) -> *mut c_char {
    with(dev, std::ptr::null_mut(), |d| match d.dev.parent()? {
        Some(p) => malloc_string(&p),
        None => Ok(std::ptr::null_mut()),
    })
}

/// The number of capabilities of the device, or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNodeDeviceNumOfCaps(dev: rvirNodeDevicePtr) -> c_int {
    with(dev, -1, |d| {
        Ok(c_int::try_from(d.dev.list_caps()?.len()).unwrap_or(c_int::MAX))
    })
}

/// Writes up to `maxnames` capability names (`pci`, `net`, `scsi_host`…) into `names`,
/// each a new string the caller frees with `free()`. Returns how many were written, or
/// -1 (NULL `names` or negative `maxnames`: `RVIR_ERR_INVALID_ARG`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNodeDeviceListCaps(
    dev: rvirNodeDevicePtr,
    names: *mut *mut c_char,
    maxnames: c_int,
) -> c_int {
    with(dev, -1, |d| {
        if names.is_null() {
            return Err(invalid_arg("names must not be NULL"));
        }
        let max =
            usize::try_from(maxnames).map_err(|_| invalid_arg("maxnames must not be negative"))?;
        let caps = d.dev.list_caps()?;
        let mut written = Vec::with_capacity(caps.len().min(max));
        for cap in caps.iter().take(max) {
            match malloc_string(cap) {
                Ok(s) => written.push(s),
                Err(e) => {
                    for s in written {
                        // SAFETY: each came from `malloc_string` and is not yet shared.
                        unsafe { libc::free(s.cast()) };
                    }
                    return Err(e);
                }
            }
        }
        for (i, s) in written.iter().enumerate() {
            // SAFETY: `names` has room for `maxnames` entries per the contract, i < maxnames.
            unsafe { names.add(i).write(*s) };
        }
        Ok(written.len() as c_int)
    })
}

/// The device's XML description (`flags` 0), a new string the caller frees with
/// `free()`, or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNodeDeviceGetXMLDesc(
    dev: rvirNodeDevicePtr,
    flags: c_uint,
) -> *mut c_char {
    with(dev, std::ptr::null_mut(), |d| {
        malloc_string(&d.dev.xml_desc(flags)?)
    })
}

/// Releases a node device handle (the device itself is unaffected). Returns 0, or -1
/// for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirNodeDeviceFree(dev: rvirNodeDevicePtr) -> c_int {
    // SAFETY: `dev` came from `into_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe { free_handle(dev, "node device") })
}

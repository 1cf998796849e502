//! Domain handles: lifecycle operations and queries.

use std::ffi::{CString, c_char, c_int, c_uchar, c_uint, c_ulong, c_ulonglong, c_ushort};
use std::sync::{Mutex, MutexGuard};

use rvirt_core::{Domain, Error};

use crate::constants::RVIR_UUID_STRING_BUFLEN;
use crate::panic_guard::{ffi_call, invalid_arg};
use crate::strings::{c_string, malloc_string};

/// A domain handle (opaque; libvirt's `virDomain`).
#[derive(Debug)]
pub struct rvirDomain {
    dom: Mutex<Domain>,
    name: CString,
}

/// A domain handle. Every function returning one hands a new handle to the caller, who
/// releases it with `rvirDomainFree` (except the handle passed to event callbacks, which
/// the library owns).
pub type rvirDomainPtr = *mut rvirDomain;

/// What `rvirDomainGetInfo` fills in (libvirt's `virDomainInfo`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct rvirDomainInfo {
    /// The state, an `rvirDomainState` value.
    pub state: c_uchar,
    /// Maximum memory, KiB.
    pub maxMem: c_ulong,
    /// Current memory, KiB.
    pub memory: c_ulong,
    /// Number of virtual CPUs.
    pub nrVirtCpu: c_ushort,
    /// CPU time used, nanoseconds.
    pub cpuTime: c_ulonglong,
}

/// Pointer to an `rvirDomainInfo` the caller owns.
pub type rvirDomainInfoPtr = *mut rvirDomainInfo;

/// Boxes `d` into a new handle for C.
pub(crate) fn into_domain_ptr(d: Domain) -> rvirDomainPtr {
    let name = c_string(d.name());
    Box::into_raw(Box::new(rvirDomain {
        dom: Mutex::new(d),
        name,
    }))
}

/// Borrows the domain behind `dom`; NULL is `VIR_ERR_INVALID_ARG`.
///
/// # Safety
/// `dom` is NULL or a live handle not yet freed.
unsafe fn dom_ref<'a>(dom: rvirDomainPtr) -> Result<&'a rvirDomain, Error> {
    if dom.is_null() {
        return Err(invalid_arg("domain must not be NULL"));
    }
    // SAFETY: non-NULL and live per the caller's contract.
    Ok(unsafe { &*dom })
}

impl rvirDomain {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Domain> {
        self.dom.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs `f` on the domain behind `dom`, returning 0 or -1.
fn op(dom: rvirDomainPtr, f: impl FnOnce(&mut Domain) -> Result<(), Error>) -> c_int {
    ffi_call(-1, || {
        // SAFETY: `dom` is NULL or a live handle per the exported function's contract.
        let d = unsafe { dom_ref(dom) }?;
        f(&mut d.lock()).map(|()| 0)
    })
}

/// Releases a domain handle (the domain itself is unaffected). Returns 0, or -1 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainFree(dom: rvirDomainPtr) -> c_int {
    ffi_call(-1, || {
        if dom.is_null() {
            return Err(invalid_arg("domain must not be NULL"));
        }
        // SAFETY: `dom` came from `Box::into_raw` and is released exactly once here.
        drop(unsafe { Box::from_raw(dom) });
        Ok(0)
    })
}

/// Starts a defined, inactive domain. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainCreate(dom: rvirDomainPtr) -> c_int {
    op(dom, |d| d.create())
}

/// Stops an active domain at once. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainDestroy(dom: rvirDomainPtr) -> c_int {
    op(dom, |d| d.destroy())
}

/// Asks the guest to shut down. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainShutdown(dom: rvirDomainPtr) -> c_int {
    op(dom, |d| d.shutdown())
}

/// Pauses an active domain. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainSuspend(dom: rvirDomainPtr) -> c_int {
    op(dom, |d| d.suspend())
}

/// Resumes a paused domain. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainResume(dom: rvirDomainPtr) -> c_int {
    op(dom, |d| d.resume())
}

/// Removes the persistent definition (an active domain becomes transient). Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainUndefine(dom: rvirDomainPtr) -> c_int {
    op(dom, |d| d.undefine())
}

/// The domain's name, owned by the handle: valid until `rvirDomainFree`; do not free it.
/// NULL (with the last error set) if `dom` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainGetName(dom: rvirDomainPtr) -> *const c_char {
    ffi_call(std::ptr::null(), || {
        // SAFETY: per this function's contract.
        Ok(unsafe { dom_ref(dom) }?.name.as_ptr())
    })
}

/// The domain's id while it is active, or `(unsigned int)-1` when it is inactive or on error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainGetID(dom: rvirDomainPtr) -> c_uint {
    ffi_call(c_uint::MAX, || {
        // SAFETY: per this function's contract.
        let d = unsafe { dom_ref(dom) }?.lock();
        if !d.is_active()? {
            return Ok(c_uint::MAX);
        }
        let current = d.connect().lookup_domain_by_uuid(d.uuid())?;
        Ok(current.id().unwrap_or(c_uint::MAX))
    })
}

/// Writes the UUID string (36 characters + NUL) into `buf`, which must have room for
/// `RVIR_UUID_STRING_BUFLEN` bytes. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainGetUUIDString(dom: rvirDomainPtr, buf: *mut c_char) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let d = unsafe { dom_ref(dom) }?;
        if buf.is_null() {
            return Err(invalid_arg("buf must not be NULL"));
        }
        let s = c_string(&d.lock().uuid_string());
        let bytes = s.as_bytes_with_nul();
        debug_assert!(bytes.len() <= RVIR_UUID_STRING_BUFLEN);
        let n = bytes.len().min(RVIR_UUID_STRING_BUFLEN);
        // SAFETY: `buf` has room for RVIR_UUID_STRING_BUFLEN bytes per the contract; the
        // UUID string is exactly 37 bytes with its NUL.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), buf, n) };
        Ok(0)
    })
}

/// Fills `info` with state, memory, vCPUs and CPU time. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainGetInfo(dom: rvirDomainPtr, info: rvirDomainInfoPtr) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let d = unsafe { dom_ref(dom) }?;
        if info.is_null() {
            return Err(invalid_arg("info must not be NULL"));
        }
        let i = d.lock().info()?;
        let out = rvirDomainInfo {
            state: i.state.as_raw() as c_uchar,
            maxMem: i.max_mem_kib as c_ulong,
            memory: i.memory_kib as c_ulong,
            nrVirtCpu: c_ushort::try_from(i.nr_virt_cpu).unwrap_or(c_ushort::MAX),
            cpuTime: i.cpu_time_ns as c_ulonglong,
        };
        // SAFETY: `info` is non-NULL and points to writable caller memory.
        unsafe { info.write(out) };
        Ok(0)
    })
}

/// The domain's XML description. `flags` as libvirt's `virDomainXMLFlags` (0 = live
/// definition). Returns a NUL-terminated string the **caller frees with `free()`**, or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirDomainGetXMLDesc(dom: rvirDomainPtr, flags: c_uint) -> *mut c_char {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let d = unsafe { dom_ref(dom) }?;
        let xml = d.lock().xml_desc(flags)?;
        malloc_string(&xml)
    })
}

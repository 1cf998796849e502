//! What every object handle shares: libvirt's list-all array pattern, UUID strings into
//! a caller's buffer, borrowing a handle pointer and releasing it.

use std::ffi::{c_char, c_int};

use rvirt_core::{Error, ErrorCode, ErrorDomain};

use crate::constants::RVIR_UUID_STRING_BUFLEN;
use crate::panic_guard::invalid_arg;
use crate::strings::c_string;

/// Hands `list` to C in libvirt's shape: returns the count; when `out` is not NULL,
/// `*out` becomes a `malloc`ed array of `count` new handles (made by `wrap`) and a
/// terminating NULL, which the caller frees handle by handle and then with `free()`.
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn list_out<T, H>(
    list: Vec<T>,
    out: *mut *mut *mut H,
    wrap: fn(T) -> *mut H,
    what: &str,
) -> Result<c_int, Error> {
    let count = c_int::try_from(list.len()).map_err(|_| {
        Error::new(
            ErrorCode::Overflow,
            ErrorDomain::None,
            format!("too many {what}"),
        )
    })?;
    if out.is_null() {
        return Ok(count);
    }
    let bytes = (list.len() + 1) * std::mem::size_of::<*mut H>();
    // SAFETY: plain allocation of a non-zero size.
    let array = unsafe { libc::malloc(bytes) }.cast::<*mut H>();
    if array.is_null() {
        return Err(Error::new(
            ErrorCode::NoMemory,
            ErrorDomain::None,
            "malloc failed",
        ));
    }
    for (i, item) in list.into_iter().enumerate() {
        // SAFETY: `array` has room for count + 1 pointers and `i < count`.
        unsafe { array.add(i).write(wrap(item)) };
    }
    // SAFETY: index `count` is the last slot of the allocation.
    unsafe { array.add(count as usize).write(std::ptr::null_mut()) };
    // SAFETY: `out` is non-NULL and writable per the caller's contract.
    unsafe { out.write(array) };
    Ok(count)
}

/// Writes `uuid`'s string (36 characters + NUL) into `buf`, which has room for
/// `RVIR_UUID_STRING_BUFLEN` bytes; NULL `buf` is `VIR_ERR_INVALID_ARG`.
///
/// # Safety
/// `buf` is NULL or has room for `RVIR_UUID_STRING_BUFLEN` bytes.
pub(crate) unsafe fn write_uuid(uuid: &rvirt_core::Uuid, buf: *mut c_char) -> Result<c_int, Error> {
    if buf.is_null() {
        return Err(invalid_arg("buf must not be NULL"));
    }
    let s = c_string(&uuid.to_string());
    let bytes = s.as_bytes_with_nul();
    let n = bytes.len().min(RVIR_UUID_STRING_BUFLEN);
    // SAFETY: `buf` has room for RVIR_UUID_STRING_BUFLEN bytes per the contract.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), buf, n) };
    Ok(0)
}

/// Borrows the handle behind `ptr`; NULL is `VIR_ERR_INVALID_ARG` naming `what`.
///
/// # Safety
/// `ptr` is NULL or a live handle from `Box::into_raw` not yet freed.
pub(crate) unsafe fn handle_ref<'a, H>(ptr: *mut H, what: &str) -> Result<&'a H, Error> {
    if ptr.is_null() {
        return Err(invalid_arg(&format!("{what} must not be NULL")));
    }
    // SAFETY: non-NULL and live per the caller's contract.
    Ok(unsafe { &*ptr })
}

/// Releases a handle made by `Box::into_raw`; NULL is `VIR_ERR_INVALID_ARG`.
///
/// # Safety
/// `ptr` is NULL or a live handle from `Box::into_raw`, released only here.
pub(crate) unsafe fn free_handle<H>(ptr: *mut H, what: &str) -> Result<c_int, Error> {
    if ptr.is_null() {
        return Err(invalid_arg(&format!("{what} must not be NULL")));
    }
    // SAFETY: per the caller's contract, released exactly once.
    drop(unsafe { Box::from_raw(ptr) });
    Ok(0)
}

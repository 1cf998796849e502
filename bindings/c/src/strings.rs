//! C string helpers: borrowed arguments in, malloc'ed results out.

use std::ffi::{CStr, CString, c_char};

use rvirt_core::Error;

use crate::panic_guard::invalid_arg;

/// Borrows a NUL-terminated UTF-8 argument; NULL or invalid UTF-8 is `VIR_ERR_INVALID_ARG`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(invalid_arg(&format!("{name} must not be NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str()
        .map_err(|_| invalid_arg(&format!("{name} is not valid UTF-8")))
}

/// A `CString` of `s`, with interior NULs (never expected) replaced.
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "?")).expect("NULs were replaced")
}

/// Copies `s` into a buffer from `malloc` that the C caller releases with `free()`.
pub(crate) fn malloc_string(s: &str) -> Result<*mut c_char, Error> {
    let c = c_string(s);
    let bytes = c.as_bytes_with_nul();
    // SAFETY: plain allocation of a non-zero size.
    let buf = unsafe { libc::malloc(bytes.len()) }.cast::<c_char>();
    if buf.is_null() {
        return Err(Error::new(
            rvirt_core::ErrorCode::NoMemory,
            rvirt_core::ErrorDomain::None,
            "malloc failed",
        ));
    }
    // SAFETY: `buf` has room for `bytes.len()` bytes and does not overlap `bytes`.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), buf, bytes.len()) };
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_bad_utf8_are_invalid_args() {
        // SAFETY: NULL is allowed.
        let e = unsafe { str_arg(std::ptr::null(), "name") }.unwrap_err();
        assert_eq!(e.code(), rvirt_core::ErrorCode::InvalidArg);
        let bad = [0xffu8 as c_char, 0];
        // SAFETY: NUL-terminated local buffer.
        assert!(unsafe { str_arg(bad.as_ptr(), "name") }.is_err());
        let p = malloc_string("hello").unwrap();
        // SAFETY: `p` is a NUL-terminated malloc'ed string, freed once.
        unsafe {
            assert_eq!(CStr::from_ptr(p).to_str().unwrap(), "hello");
            libc::free(p.cast());
        }
    }
}

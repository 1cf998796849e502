//! The per-thread last error: `rvirGetLastError`, `rvirResetLastError`.

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int};

use rvirt_core::Error;

use crate::strings::c_string;

/// An error as C sees it (like libvirt's `virError`, reduced to the core fields).
///
/// `code` is an `rvirErrorNumber` (the same numbers as libvirt's `virErrorNumber`),
/// `domain` a libvirt `virErrorDomain` number, `level` a `virErrorLevel` (2 = error).
#[repr(C)]
#[derive(Debug)]
pub struct rvirError {
    /// The error number (`rvirErrorNumber`, identical to libvirt's `virErrorNumber`).
    pub code: c_int,
    /// Where it was raised (libvirt's `virErrorDomain` number).
    pub domain: c_int,
    /// Severity (libvirt's `virErrorLevel`: 0 none, 1 warning, 2 error).
    pub level: c_int,
    /// The full human-readable message, NUL-terminated; owned by the library.
    pub message: *const c_char,
}

/// Pointer to an `rvirError`.
pub type rvirErrorPtr = *mut rvirError;

struct Stored {
    error: rvirError,
    _message: CString,
}

thread_local! {
    static LAST: RefCell<Option<Box<Stored>>> = const { RefCell::new(None) };
}

/// Records `e` as this thread's last error.
pub(crate) fn set_last_error(e: &Error) {
    let message = c_string(&e.to_string());
    let stored = Box::new(Stored {
        error: rvirError {
            code: e.code().as_raw(),
            domain: e.domain().as_raw(),
            level: e.level().as_raw(),
            message: message.as_ptr(),
        },
        _message: message,
    });
    let _ = LAST.try_with(|l| *l.borrow_mut() = Some(stored));
}

/// Clears this thread's last error.
pub(crate) fn reset_last_error() {
    let _ = LAST.try_with(|l| l.borrow_mut().take());
}

/// The last error raised by an rvir call **on the calling thread**, or NULL if the last call
/// succeeded (every API call resets it on entry, like libvirt).
///
/// The returned struct is owned by the library: do not free it. It stays valid until the next
/// rvir call on this thread (or until the thread exits).
#[unsafe(no_mangle)]
pub extern "C" fn rvirGetLastError() -> rvirErrorPtr {
    LAST.try_with(|l| match l.borrow_mut().as_mut() {
        Some(s) => &mut s.error as *mut rvirError,
        None => std::ptr::null_mut(),
    })
    .unwrap_or(std::ptr::null_mut())
}

/// The message of this thread's last error, or `"no error"`. Never NULL; owned by the
/// library and valid until the next rvir call on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn rvirGetLastErrorMessage() -> *const c_char {
    let e = rvirGetLastError();
    if e.is_null() {
        c"no error".as_ptr()
    } else {
        // SAFETY: non-NULL pointers from rvirGetLastError point at the live stored error.
        unsafe { (*e).message }
    }
}

/// Forgets this thread's last error (libvirt's `virResetLastError`).
#[unsafe(no_mangle)]
pub extern "C" fn rvirResetLastError() {
    reset_last_error();
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::{ErrorCode, ErrorDomain};
    use std::ffi::CStr;

    #[test]
    fn last_error_is_per_thread_and_resettable() {
        set_last_error(&Error::no_domain("gone"));
        let e = rvirGetLastError();
        assert!(!e.is_null());
        // SAFETY: valid until the next call on this thread.
        let (code, domain, msg) = unsafe {
            (
                (*e).code,
                (*e).domain,
                CStr::from_ptr((*e).message).to_str().unwrap().to_string(),
            )
        };
        assert_eq!(code, 42);
        assert_eq!(domain, ErrorDomain::Dom.as_raw());
        assert_eq!(msg, "Domain not found: gone");
        std::thread::spawn(|| assert!(rvirGetLastError().is_null()))
            .join()
            .unwrap();
        rvirResetLastError();
        assert!(rvirGetLastError().is_null());
        // SAFETY: never NULL, NUL-terminated.
        let m = unsafe { CStr::from_ptr(rvirGetLastErrorMessage()) };
        assert_eq!(m.to_str().unwrap(), "no error");
        assert_eq!(ErrorCode::InvalidArg.as_raw(), 8);
    }
}

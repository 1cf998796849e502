//! `ffi_call`: the wrapper around every exported function body.
//!
//! It resets the thread's last error, runs the body, records a returned `Error` as the
//! last error, and turns a panic into an internal error instead of unwinding into C.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rvirt_core::{Error, ErrorCode, ErrorDomain};

use crate::error::{reset_last_error, set_last_error};

/// Runs `body` for an exported function; returns `failed` if it errs or panics.
pub(crate) fn ffi_call<T>(failed: T, body: impl FnOnce() -> Result<T, Error>) -> T {
    reset_last_error();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            set_last_error(&e);
            failed
        }
        Err(panic) => {
            set_last_error(&panic_error(panic.as_ref()));
            failed
        }
    }
}

/// Runs a callback body called *by C* (event-loop trampolines, free functions), where there
/// is no return value to report through: a panic is printed and swallowed.
pub(crate) fn guard_callback(what: &str, body: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(body)) {
        eprintln!("rvirt: {}", panic_error(panic.as_ref()).message());
        eprintln!("rvirt: (the panic happened in {what} and was not propagated into C)");
    }
}

/// The error reported for a caught panic.
pub(crate) fn panic_error(panic: &(dyn std::any::Any + Send)) -> Error {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(
        ErrorCode::InternalError,
        ErrorDomain::None,
        format!("panic inside librvirt: {text}"),
    )
}

/// A `VIR_ERR_INVALID_ARG` error for a NULL or malformed argument.
pub(crate) fn invalid_arg(what: &str) -> Error {
    Error::invalid_arg(ErrorDomain::None, what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::rvirGetLastError;

    #[test]
    fn panics_become_internal_errors() {
        let r: i32 = ffi_call(-1, || panic!("boom"));
        assert_eq!(r, -1);
        // SAFETY: the pointer is valid until the next API call on this thread.
        let e = unsafe { &*rvirGetLastError() };
        assert_eq!(e.code, ErrorCode::InternalError.as_raw());
        let r: i32 = ffi_call(-1, || Ok(3));
        assert_eq!(r, 3);
        assert!(
            rvirGetLastError().is_null(),
            "success resets the last error"
        );
    }
}

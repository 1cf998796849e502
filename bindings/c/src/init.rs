//! `rvirInitialize`: registers the built-in drivers once.

use std::ffi::c_int;
use std::sync::OnceLock;

use rvirt_core::Error;

use crate::panic_guard::ffi_call;

/// Registers the test driver (`test:///`), the QEMU driver (`qemu:///`) and the remote
/// driver (`test+unix://`, `qemu+unix://`, `+tcp`, `+tls`) once per process.
pub(crate) fn ensure_initialized() -> Result<(), Error> {
    static INIT: OnceLock<Result<(), Error>> = OnceLock::new();
    INIT.get_or_init(|| {
        rvirt_driver_test::register()?;
        rvirt_driver_qemu::register()?;
        rvirt_driver_remote::register()
    })
    .clone()
}

/// Initializes the library: registers the test (`test:///`), QEMU (`qemu:///`) and remote
/// (`test+unix:///default?socket=…`, `qemu+tls://host/system`, …) drivers.
/// Optional: every connection-opening call does it. Safe to call many times and from any
/// thread. Returns 0, or -1 with the last error set.
#[unsafe(no_mangle)]
pub extern "C" fn rvirInitialize() -> c_int {
    ffi_call(-1, || ensure_initialized().map(|()| 0))
}

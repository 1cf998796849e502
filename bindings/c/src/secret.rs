//! Secret handles (libvirt's `virSecret` calls).

use std::ffi::{CString, c_char, c_int, c_uint};

use rvirt_core::api::Secret;

use crate::connect::{conn_ref, rvirConnectPtr};
use crate::handles::{free_handle, handle_ref, list_out, write_uuid};
use crate::panic_guard::ffi_call;
use crate::strings::c_string;

/// A secret handle (opaque; libvirt's `virSecret`).
#[derive(Debug)]
pub struct rvirSecret {
    secret: Secret,
    usage_id: CString,
}

/// A secret handle: every function returning one hands a new handle to the caller, who
/// releases it with `rvirSecretFree`.
pub type rvirSecretPtr = *mut rvirSecret;

fn into_ptr(secret: Secret) -> rvirSecretPtr {
    let usage_id = c_string(secret.usage_id());
    Box::into_raw(Box::new(rvirSecret { secret, usage_id }))
}

/// Runs `f` on the secret behind `secret` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with<T>(
    secret: rvirSecretPtr,
    fail: T,
    f: impl FnOnce(&rvirSecret) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `secret` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(secret, "secret") }?)
    })
}

/// Lists the connection's secrets matching `flags` (`RVIR_CONNECT_LIST_SECRETS_*`,
/// 0 = all). Returns their number or -1 (`RVIR_ERR_NO_SUPPORT` from a driver without
/// secrets, such as `test:///`). If `secrets` is not NULL, `*secrets` is set to a new
/// array of that many handles and a NULL entry: the caller frees **each handle with
/// `rvirSecretFree` and the array with `free()`**.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllSecrets(
    conn: rvirConnectPtr,
    secrets: *mut *mut rvirSecretPtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_secrets(flags)?;
        // SAFETY: `secrets` is NULL or writable per this function's contract.
        unsafe { list_out(list, secrets, into_ptr, "secrets") }
    })
}

/// Writes the UUID string (36 characters + NUL) into `buf`, which must have room for
/// `RVIR_UUID_STRING_BUFLEN` bytes. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirSecretGetUUIDString(secret: rvirSecretPtr, buf: *mut c_char) -> c_int {
    // SAFETY: `buf` is NULL or large enough per this function's contract.
    with(secret, -1, |s| unsafe { write_uuid(s.secret.uuid(), buf) })
}

/// What the secret is for (`rvirSecretUsageType`: 0 none, 1 volume, 2 ceph, 3 iscsi,
/// 4 tls, 5 vtpm), or -1 on error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirSecretGetUsageType(secret: rvirSecretPtr) -> c_int {
    with(secret, -1, |s| Ok(s.secret.usage_type()))
}

/// The secret's usage id (a volume path, a ceph or iSCSI name…; empty for a secret
/// without usage), owned by the handle: valid until `rvirSecretFree`; do not free it.
/// NULL (with the last error set) if `secret` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirSecretGetUsageID(secret: rvirSecretPtr) -> *const c_char {
    with(secret, std::ptr::null(), |s| Ok(s.usage_id.as_ptr()))
}

/// Releases a secret handle (the secret itself is unaffected). Returns 0, or -1 for
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirSecretFree(secret: rvirSecretPtr) -> c_int {
    // SAFETY: `secret` came from `into_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe { free_handle(secret, "secret") })
}

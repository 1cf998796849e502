//! Storage pool and volume handles (libvirt's `virStoragePool` and `virStorageVol`
//! calls).

use std::ffi::{CString, c_char, c_int, c_uint, c_ulonglong};

use rvirt_core::api::{StoragePool, StorageVol};

use crate::connect::{conn_ref, rvirConnectPtr};
use crate::handles::{free_handle, handle_ref, list_out};
use crate::panic_guard::{ffi_call, invalid_arg};
use crate::strings::{c_string, malloc_string, str_arg};

/// A storage pool handle (opaque; libvirt's `virStoragePool`).
#[derive(Debug)]
pub struct rvirStoragePool {
    pool: StoragePool,
    name: CString,
}

/// A storage pool handle: every function returning one hands a new handle to the
/// caller, who releases it with `rvirStoragePoolFree`.
pub type rvirStoragePoolPtr = *mut rvirStoragePool;

/// A storage volume handle (opaque; libvirt's `virStorageVol`).
#[derive(Debug)]
pub struct rvirStorageVol {
    vol: StorageVol,
    name: CString,
}

/// A storage volume handle: every function returning one hands a new handle to the
/// caller, who releases it with `rvirStorageVolFree`.
pub type rvirStorageVolPtr = *mut rvirStorageVol;

/// What `rvirStoragePoolGetInfo` fills in (libvirt's `virStoragePoolInfo`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct rvirStoragePoolInfo {
    /// `rvirStoragePoolState`: 0 inactive, 1 building, 2 running, 3 degraded,
    /// 4 inaccessible.
    pub state: c_int,
    /// Logical size, bytes.
    pub capacity: c_ulonglong,
    /// Current allocation, bytes.
    pub allocation: c_ulonglong,
    /// Remaining free space, bytes.
    pub available: c_ulonglong,
}

/// Pointer to an `rvirStoragePoolInfo` the caller owns.
pub type rvirStoragePoolInfoPtr = *mut rvirStoragePoolInfo;

/// What `rvirStorageVolGetInfo` fills in (libvirt's `virStorageVolInfo`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct rvirStorageVolInfo {
    /// `rvirStorageVolType`: 0 file, 1 block, 2 dir, 3 network, 4 netdir, 5 ploop.
    pub r#type: c_int,
    /// Logical size, bytes.
    pub capacity: c_ulonglong,
    /// Current allocation, bytes.
    pub allocation: c_ulonglong,
}

/// Pointer to an `rvirStorageVolInfo` the caller owns.
pub type rvirStorageVolInfoPtr = *mut rvirStorageVolInfo;

fn pool_ptr(pool: StoragePool) -> rvirStoragePoolPtr {
    let name = c_string(pool.name());
    Box::into_raw(Box::new(rvirStoragePool { pool, name }))
}

fn vol_ptr(vol: StorageVol) -> rvirStorageVolPtr {
    let name = c_string(vol.name());
    Box::into_raw(Box::new(rvirStorageVol { vol, name }))
}

/// Runs `f` on the pool behind `pool` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with_pool<T>(
    pool: rvirStoragePoolPtr,
    fail: T,
    f: impl FnOnce(&rvirStoragePool) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `pool` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(pool, "pool") }?)
    })
}

/// Runs `f` on the volume behind `vol` (NULL is `RVIR_ERR_INVALID_ARG`).
fn with_vol<T>(
    vol: rvirStorageVolPtr,
    fail: T,
    f: impl FnOnce(&rvirStorageVol) -> rvirt_core::Result<T>,
) -> T {
    ffi_call(fail, || {
        // SAFETY: `vol` is NULL or a live handle per the exported function's contract.
        f(unsafe { handle_ref(vol, "vol") }?)
    })
}

/// Lists the connection's storage pools matching `flags`
/// (`RVIR_CONNECT_LIST_STORAGE_POOLS_*`, 0 = all). Returns their number or -1. If
/// `pools` is not NULL, `*pools` is set to a new array of that many handles and a NULL
/// entry: the caller frees **each handle with `rvirStoragePoolFree` and the array with
/// `free()`**.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirConnectListAllStoragePools(
    conn: rvirConnectPtr,
    pools: *mut *mut rvirStoragePoolPtr,
    flags: c_uint,
) -> c_int {
    ffi_call(-1, || {
        // SAFETY: per this function's contract.
        let c = unsafe { conn_ref(conn) }?;
        let list = c.conn.list_all_storage_pools(flags)?;
        // SAFETY: `pools` is NULL or writable per this function's contract.
        unsafe { list_out(list, pools, pool_ptr, "pools") }
    })
}

/// Looks a storage pool up by name. Returns a new handle (free with
/// `rvirStoragePoolFree`) or NULL with the last error set (`RVIR_ERR_NO_STORAGE_POOL`
/// if there is none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStoragePoolLookupByName(
    conn: rvirConnectPtr,
    name: *const c_char,
) -> rvirStoragePoolPtr {
    ffi_call(std::ptr::null_mut(), || {
        // SAFETY: per this function's contract.
        let (c, name) = unsafe { (conn_ref(conn)?, str_arg(name, "name")?) };
        Ok(pool_ptr(c.conn.lookup_storage_pool_by_name(name)?))
    })
}

/// The pool's name, owned by the handle: valid until `rvirStoragePoolFree`; do not free
/// it. NULL (with the last error set) if `pool` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStoragePoolGetName(pool: rvirStoragePoolPtr) -> *const c_char {
    with_pool(pool, std::ptr::null(), |p| Ok(p.name.as_ptr()))
}

/// Fills `info` with the pool's state and sizes. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStoragePoolGetInfo(
    pool: rvirStoragePoolPtr,
    info: rvirStoragePoolInfoPtr,
) -> c_int {
    with_pool(pool, -1, |p| {
        if info.is_null() {
            return Err(invalid_arg("info must not be NULL"));
        }
        let i = p.pool.info()?;
        let out = rvirStoragePoolInfo {
            state: i.state,
            capacity: i.capacity,
            allocation: i.allocation,
            available: i.available,
        };
        // SAFETY: `info` is non-NULL and points to writable caller memory.
        unsafe { info.write(out) };
        Ok(0)
    })
}

/// Lists the pool's volumes (`flags` must be 0). Returns their number or -1. If `vols`
/// is not NULL, `*vols` is set to a new array of that many handles and a NULL entry:
/// the caller frees **each handle with `rvirStorageVolFree` and the array with
/// `free()`**.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStoragePoolListAllVolumes(
    pool: rvirStoragePoolPtr,
    vols: *mut *mut rvirStorageVolPtr,
    flags: c_uint,
) -> c_int {
    with_pool(pool, -1, |p| {
        let list = p.pool.list_all_volumes(flags)?;
        // SAFETY: `vols` is NULL or writable per this function's contract.
        unsafe { list_out(list, vols, vol_ptr, "volumes") }
    })
}

/// Creates a volume in the pool from its XML description. Returns a new handle (free
/// with `rvirStorageVolFree`) or NULL with the last error set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStorageVolCreateXML(
    pool: rvirStoragePoolPtr,
    xml: *const c_char,
    flags: c_uint,
) -> rvirStorageVolPtr {
    with_pool(pool, std::ptr::null_mut(), |p| {
        // SAFETY: `xml` is NULL or a C string per this function's contract.
        let xml = unsafe { str_arg(xml, "xml") }?;
        Ok(vol_ptr(p.pool.create_volume_xml(xml, flags)?))
    })
}

/// Releases a pool handle (the pool itself is unaffected). Returns 0, or -1 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStoragePoolFree(pool: rvirStoragePoolPtr) -> c_int {
    // SAFETY: `pool` came from `pool_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe { free_handle(pool, "pool") })
}

/// The volume's name, owned by the handle: valid until `rvirStorageVolFree`; do not
/// free it. NULL (with the last error set) if `vol` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStorageVolGetName(vol: rvirStorageVolPtr) -> *const c_char {
    with_vol(vol, std::ptr::null(), |v| Ok(v.name.as_ptr()))
}

/// The volume's path on the host. Returns a string the **caller frees with `free()`**,
/// or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStorageVolGetPath(vol: rvirStorageVolPtr) -> *mut c_char {
    with_vol(vol, std::ptr::null_mut(), |v| malloc_string(&v.vol.path()?))
}

/// Fills `info` with the volume's type and sizes. Returns 0 or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStorageVolGetInfo(
    vol: rvirStorageVolPtr,
    info: rvirStorageVolInfoPtr,
) -> c_int {
    with_vol(vol, -1, |v| {
        if info.is_null() {
            return Err(invalid_arg("info must not be NULL"));
        }
        let i = v.vol.info()?;
        let out = rvirStorageVolInfo {
            r#type: i.vol_type,
            capacity: i.capacity,
            allocation: i.allocation,
        };
        // SAFETY: `info` is non-NULL and points to writable caller memory.
        unsafe { info.write(out) };
        Ok(0)
    })
}

/// Deletes the volume's storage (`flags` 0). The handle stays to be freed. Returns 0
/// or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStorageVolDelete(vol: rvirStorageVolPtr, flags: c_uint) -> c_int {
    with_vol(vol, -1, |v| v.vol.delete(flags).map(|()| 0))
}

/// Releases a volume handle (the volume itself is unaffected). Returns 0, or -1 for
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rvirStorageVolFree(vol: rvirStorageVolPtr) -> c_int {
    // SAFETY: `vol` came from `vol_ptr` and is released once, per contract.
    ffi_call(-1, || unsafe { free_handle(vol, "vol") })
}

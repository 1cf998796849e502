//! Storage volumes of a test world (libvirt's `testStorageVol*`).

use rvirt_core::driver::{StoragePoolRef, StorageVolRef};
use rvirt_core::objconf::{PoolDef, VolDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::TestObjects;
use super::build::place_volume;
use super::pools::not_active;
use crate::errors::check_flags;

fn vol_ref(pool: &PoolDef, v: &VolDef) -> StorageVolRef {
    StorageVolRef {
        pool: pool.name.clone(),
        name: v.name.clone(),
        key: v.key.clone().unwrap_or_default(),
    }
}

fn no_vol(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoStorageVol,
        ErrorDomain::Test,
        format!("no storage vol with matching {what} '{value}'"),
    )
}

impl TestObjects {
    pub(super) fn list_volumes(
        &self,
        pool: &StoragePoolRef,
        flags: u32,
    ) -> Result<Vec<StorageVolRef>> {
        check_flags(flags, 0, "testStoragePoolListAllVolumes")?;
        self.with_pool(pool, |p| {
            if !p.active {
                return Err(super::invalid("storage pool is not active"));
            }
            Ok(p.volumes.iter().map(|v| vol_ref(&p.def, v)).collect())
        })
    }

    pub(super) fn volume_by_name(
        &self,
        pool: &StoragePoolRef,
        name: &str,
    ) -> Result<StorageVolRef> {
        self.with_pool(pool, |p| {
            if !p.active {
                return Err(not_active(&p.def.name));
            }
            p.volumes
                .iter()
                .find(|v| v.name == name)
                .map(|v| vol_ref(&p.def, v))
                .ok_or_else(|| no_vol("name", name))
        })
    }

    /// A volume of an active pool by `key` or `path`.
    pub(super) fn volume_by(&self, what: &str, value: &str) -> Result<StorageVolRef> {
        let objs = self.lock();
        objs.pools
            .iter()
            .filter(|p| p.active)
            .find_map(|p| {
                p.volumes
                    .iter()
                    .find(|v| {
                        let field = if what == "key" { &v.key } else { &v.path };
                        field.as_deref() == Some(value)
                    })
                    .map(|v| vol_ref(&p.def, v))
            })
            .ok_or_else(|| no_vol(what, value))
    }

    /// Runs `f` on the volume `vol` refers to (its pool must be active).
    pub(super) fn with_volume<T>(
        &self,
        vol: &StorageVolRef,
        f: impl FnOnce(&VolDef) -> Result<T>,
    ) -> Result<T> {
        let objs = self.lock();
        let p = objs
            .pools
            .iter()
            .find(|p| p.def.name == vol.pool)
            .ok_or_else(|| super::pools::no_pool("name", &vol.pool))?;
        if !p.active {
            return Err(not_active(&p.def.name));
        }
        let v = p
            .volumes
            .iter()
            .find(|v| v.name == vol.name)
            .ok_or_else(|| no_vol("name", &vol.name))?;
        f(v)
    }

    pub(super) fn create_volume(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        clone: Option<&StorageVolRef>,
    ) -> Result<StorageVolRef> {
        self.with_pool(pool, |p| {
            if !p.active {
                return Err(not_active(&p.def.name));
            }
            let mut vol = VolDef::from_xml(xml)?;
            if p.volumes.iter().any(|v| v.name == vol.name) {
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Test,
                    "storage vol already exists",
                ));
            }
            if let Some(c) = clone
                && !p.volumes.iter().any(|v| v.name == c.name)
            {
                return Err(no_vol("name", &c.name));
            }
            place_volume(&p.def, &mut vol);
            let alloc = vol.allocation.unwrap_or(vol.capacity);
            if alloc > p.def.available {
                return Err(Error::new(
                    ErrorCode::InternalError,
                    ErrorDomain::Test,
                    format!("Not enough free space in pool for volume '{}'", vol.name),
                ));
            }
            p.def.allocation += alloc;
            p.def.available -= alloc;
            let r = vol_ref(&p.def, &vol);
            p.volumes.push(vol);
            Ok(r)
        })
    }

    pub(super) fn delete_volume(&self, vol: &StorageVolRef) -> Result<()> {
        let mut objs = self.lock();
        let p = objs
            .pools
            .iter_mut()
            .find(|p| p.def.name == vol.pool)
            .ok_or_else(|| super::pools::no_pool("name", &vol.pool))?;
        if !p.active {
            return Err(not_active(&p.def.name));
        }
        let i = p
            .volumes
            .iter()
            .position(|v| v.name == vol.name)
            .ok_or_else(|| no_vol("name", &vol.name))?;
        let v = p.volumes.remove(i);
        let alloc = v.allocation.unwrap_or(v.capacity);
        p.def.allocation = p.def.allocation.saturating_sub(alloc);
        p.def.available += alloc;
        Ok(())
    }
}

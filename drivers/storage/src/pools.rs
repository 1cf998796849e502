//! The pool calls of a storage connection.

use rvirt_core::api::{StoragePoolEvent, StoragePoolLifecycle};
use rvirt_core::driver::{StoragePoolInfo, StoragePoolRef};
use rvirt_core::objconf::{POOL_TYPES, PoolDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::backend;
use crate::conn::StorageConn;
use crate::state::Pool;

const D: ErrorDomain = ErrorDomain::Storage;
/// `VIR_STORAGE_POOL_CREATE_WITH_BUILD` (and its overwrite variants).
const CREATE_WITH_BUILD: u32 = 1;
const CREATE_BUILD_OVERWRITE: u32 = 2;

pub(crate) fn no_pool(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoStoragePool,
        D,
        format!("no storage pool with matching {what} '{value}'"),
    )
}

pub(crate) fn not_active(name: &str) -> Error {
    Error::operation_invalid(D, format!("storage pool '{name}' is not active"))
}

fn already_active(name: &str) -> Error {
    Error::operation_invalid(D, format!("storage pool '{name}' is already active"))
}

fn still_active(name: &str) -> Error {
    Error::operation_invalid(D, format!("storage pool '{name}' is still active"))
}

/// Clash rules for adding `def` to `pools`: the index of the pool it redefines.
fn slot(pools: &[Pool], def: &PoolDef) -> Result<Option<usize>> {
    if let Some(i) = pools.iter().position(|p| p.def.name == def.name) {
        if pools[i].def.uuid != def.uuid {
            return Err(Error::new(
                ErrorCode::OperationFailed,
                D,
                format!(
                    "pool '{}' already exists with uuid {}",
                    def.name, pools[i].def.uuid
                ),
            ));
        }
        return Ok(Some(i));
    }
    if let Some(p) = pools.iter().find(|p| p.def.uuid == def.uuid) {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            D,
            format!(
                "pool '{}' is already defined with uuid {}",
                p.def.name, def.uuid
            ),
        ));
    }
    if let Some(p) = pools.iter().find(|p| p.def.same_source(def)) {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            D,
            format!("Storage source conflict with pool: '{}'", p.def.name),
        ));
    }
    Ok(None)
}

fn parse(xml: &str) -> Result<PoolDef> {
    let def = PoolDef::from_xml(xml)?;
    if !matches!(def.pool_type.as_str(), "dir" | "fs") {
        return Err(Error::new(
            ErrorCode::NoSupport,
            D,
            format!("missing backend for pool type '{}'", def.pool_type),
        ));
    }
    Ok(def)
}

impl StorageConn {
    pub(crate) fn with_pool<T>(
        &self,
        r: &StoragePoolRef,
        f: impl FnOnce(&mut Pool) -> Result<T>,
    ) -> Result<T> {
        let mut pools = self.state.lock();
        let p = pools
            .iter_mut()
            .find(|p| p.def.uuid == r.uuid)
            .ok_or_else(|| no_pool("uuid", &r.uuid.to_string()))?;
        f(p)
    }

    pub(crate) fn list_pools(&self, flags: u32) -> Result<Vec<StoragePoolRef>> {
        let types = flags >> 6;
        let group = |on: u32, off: u32, v: bool| {
            flags & (on | off) == 0 || (v && flags & on != 0) || (!v && flags & off != 0)
        };
        Ok(self
            .state
            .lock()
            .iter()
            .filter(|p| {
                group(2, 1, p.active) && group(4, 8, p.persistent) && group(16, 32, p.autostart)
            })
            .filter(|p| {
                types == 0
                    || POOL_TYPES
                        .iter()
                        .position(|t| *t == p.def.pool_type)
                        .is_some_and(|i| types & (1 << i) != 0)
            })
            .map(Pool::reference)
            .collect())
    }

    pub(crate) fn find_pool(
        &self,
        what: &str,
        value: &str,
        pred: impl Fn(&Pool) -> bool,
    ) -> Result<StoragePoolRef> {
        self.state
            .lock()
            .iter()
            .find(|p| pred(p))
            .map(Pool::reference)
            .ok_or_else(|| no_pool(what, value))
    }

    pub(crate) fn lookup_uuid(&self, uuid: &Uuid) -> Result<StoragePoolRef> {
        self.find_pool("uuid", &uuid.to_string(), |p| p.def.uuid == *uuid)
    }

    pub(crate) fn define(&self, xml: &str) -> Result<StoragePoolRef> {
        let def = parse(xml)?;
        let mut pools = self.state.lock();
        let at = slot(&pools, &def)?;
        let mut pool = Pool {
            def,
            active: false,
            persistent: true,
            autostart: false,
            volumes: Vec::new(),
        };
        if let Some(i) = at {
            pool.active = pools[i].active;
            pool.autostart = pools[i].autostart;
            pool.volumes = std::mem::take(&mut pools[i].volumes);
        }
        self.state.save_config(&pool)?;
        let r = pool.reference();
        match at {
            Some(i) => pools[i] = pool,
            None => pools.push(pool),
        }
        self.state
            .lifecycle(r.clone(), StoragePoolLifecycle::Defined);
        Ok(r)
    }

    pub(crate) fn create_transient(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        let def = parse(xml)?;
        let mut pools = self.state.lock();
        if slot(&pools, &def)?.is_some() {
            return Err(already_active(&def.name));
        }
        let mut pool = Pool {
            def,
            active: false,
            persistent: false,
            autostart: false,
            volumes: Vec::new(),
        };
        if flags & (CREATE_WITH_BUILD | CREATE_BUILD_OVERWRITE) != 0 {
            backend::build(
                &pool.def,
                if flags & CREATE_BUILD_OVERWRITE != 0 {
                    8
                } else {
                    0
                },
            )?;
        }
        backend::start(&pool.def)?;
        backend::refresh(&mut pool)?;
        pool.active = true;
        self.state.save_status(&pool)?;
        let r = pool.reference();
        pools.push(pool);
        self.state
            .lifecycle(r.clone(), StoragePoolLifecycle::Started);
        Ok(r)
    }

    pub(crate) fn build(&self, r: &StoragePoolRef, flags: u32) -> Result<()> {
        let pr = self.with_pool(r, |p| {
            if p.active {
                return Err(already_active(&p.def.name));
            }
            backend::build(&p.def, flags)?;
            Ok(p.reference())
        })?;
        self.state.lifecycle(pr, StoragePoolLifecycle::Created);
        Ok(())
    }

    pub(crate) fn undefine(&self, r: &StoragePoolRef) -> Result<()> {
        let mut pools = self.state.lock();
        let i = pools
            .iter()
            .position(|p| p.def.uuid == r.uuid)
            .ok_or_else(|| no_pool("uuid", &r.uuid.to_string()))?;
        if pools[i].active {
            return Err(still_active(&pools[i].def.name));
        }
        self.state.delete_config(&pools[i].def.name)?;
        let pr = pools.remove(i).reference();
        self.state.lifecycle(pr, StoragePoolLifecycle::Undefined);
        Ok(())
    }

    pub(crate) fn start(&self, r: &StoragePoolRef, flags: u32) -> Result<()> {
        let pr = self.with_pool(r, |p| {
            if p.active {
                return Err(already_active(&p.def.name));
            }
            if flags & (CREATE_WITH_BUILD | CREATE_BUILD_OVERWRITE) != 0 {
                backend::build(
                    &p.def,
                    if flags & CREATE_BUILD_OVERWRITE != 0 {
                        8
                    } else {
                        0
                    },
                )?;
            }
            backend::start(&p.def)?;
            if let Err(e) = backend::refresh(p) {
                let _ = backend::stop(&p.def);
                return Err(e);
            }
            p.active = true;
            self.state.save_status(p)?;
            Ok(p.reference())
        })?;
        self.state.lifecycle(pr, StoragePoolLifecycle::Started);
        Ok(())
    }

    pub(crate) fn stop(&self, r: &StoragePoolRef) -> Result<()> {
        let mut pools = self.state.lock();
        let i = pools
            .iter()
            .position(|p| p.def.uuid == r.uuid)
            .ok_or_else(|| no_pool("uuid", &r.uuid.to_string()))?;
        let p = &mut pools[i];
        if !p.active {
            return Err(not_active(&p.def.name));
        }
        backend::stop(&p.def)?;
        p.active = false;
        p.volumes.clear();
        self.state.save_status(p)?;
        let pr = p.reference();
        if !p.persistent {
            pools.remove(i);
        }
        self.state.lifecycle(pr, StoragePoolLifecycle::Stopped);
        Ok(())
    }

    pub(crate) fn delete(&self, r: &StoragePoolRef) -> Result<()> {
        let pr = self.with_pool(r, |p| {
            if p.active {
                return Err(still_active(&p.def.name));
            }
            backend::delete(&p.def)?;
            Ok(p.reference())
        })?;
        self.state.lifecycle(pr, StoragePoolLifecycle::Deleted);
        Ok(())
    }

    pub(crate) fn refresh(&self, r: &StoragePoolRef) -> Result<()> {
        let pr = self.with_pool(r, |p| {
            if !p.active {
                return Err(not_active(&p.def.name));
            }
            backend::refresh(p)?;
            Ok(p.reference())
        })?;
        self.state.emit(pr, StoragePoolEvent::Refresh);
        Ok(())
    }

    pub(crate) fn info(&self, r: &StoragePoolRef) -> Result<StoragePoolInfo> {
        self.with_pool(r, |p| {
            Ok(StoragePoolInfo {
                state: if p.active { 2 } else { 0 },
                capacity: p.def.capacity,
                allocation: p.def.allocation,
                available: p.def.available,
            })
        })
    }

    pub(crate) fn set_autostart(&self, r: &StoragePoolRef, on: bool) -> Result<()> {
        self.with_pool(r, |p| {
            if !p.persistent {
                return Err(Error::operation_invalid(
                    D,
                    "cannot set autostart for transient pool",
                ));
            }
            p.autostart = on;
            self.state.save_config(p)
        })
    }
}

//! Storage pools of a test world (libvirt's `testStoragePool*`); the volume calls
//! are in [`super::volumes`].

use rvirt_core::api::{ObjectEvent, StoragePoolEvent, StoragePoolLifecycle};
use rvirt_core::driver::{
    StorageDriver, StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef,
};
use rvirt_core::objconf::{POOL_TYPES, PoolDef, tree::parse};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use super::{HostObjects, POOL_CAPACITY, PoolObj, TestObjects, failed, invalid, list_filter};
use crate::errors::check_flags;

pub(super) fn pool_ref(def: &PoolDef) -> StoragePoolRef {
    StoragePoolRef {
        name: def.name.clone(),
        uuid: def.uuid,
    }
}

pub(super) fn no_pool(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoStoragePool,
        ErrorDomain::Test,
        format!("no storage pool with matching {what} '{value}'"),
    )
}

pub(super) fn not_active(name: &str) -> Error {
    invalid(format!("storage pool '{name}' is not active"))
}

fn is_active(name: &str) -> Error {
    invalid(format!("storage pool '{name}' is active"))
}

const SOURCES_LOGICAL: &str = "<sources>
  <source>
    <device path='/dev/sda20'/>
    <name>testvg1</name>
    <format type='lvm2'/>
  </source>
  <source>
    <device path='/dev/sda21'/>
    <name>testvg2</name>
    <format type='lvm2'/>
  </source>
</sources>
";

impl HostObjects {
    pub(super) fn pool_index(&self, pool: &StoragePoolRef) -> Result<usize> {
        self.pools
            .iter()
            .position(|p| p.def.uuid == pool.uuid)
            .ok_or_else(|| no_pool("uuid", &pool.uuid.to_string()))
    }

    /// Clash rules for adding `def`: returns the index of the pool it replaces.
    fn pool_slot(&self, def: &PoolDef) -> Result<Option<usize>> {
        if let Some(i) = self.pools.iter().position(|p| p.def.name == def.name) {
            if self.pools[i].def.uuid != def.uuid {
                return Err(failed(
                    ErrorDomain::Storage,
                    format!(
                        "pool '{}' already exists with uuid {}",
                        def.name, self.pools[i].def.uuid
                    ),
                ));
            }
            return Ok(Some(i));
        }
        if let Some(p) = self.pools.iter().find(|p| p.def.uuid == def.uuid) {
            return Err(failed(
                ErrorDomain::Storage,
                format!(
                    "pool '{}' is already defined with uuid {}",
                    p.def.name, def.uuid
                ),
            ));
        }
        if let Some(p) = self.pools.iter().find(|p| p.def.same_source(def)) {
            return Err(failed(
                ErrorDomain::Storage,
                format!("Storage source conflict with pool: '{}'", p.def.name),
            ));
        }
        Ok(None)
    }
}

impl TestObjects {
    pub(super) fn pool_event(&self, r: StoragePoolRef, ev: StoragePoolEvent) {
        self.events().emit(ObjectEvent::StoragePool(r, ev));
    }

    pub(super) fn with_pool<T>(
        &self,
        pool: &StoragePoolRef,
        f: impl FnOnce(&mut PoolObj) -> Result<T>,
    ) -> Result<T> {
        let mut objs = self.lock();
        let i = objs.pool_index(pool)?;
        f(&mut objs.pools[i])
    }

    fn add_pool(&self, xml: &str, active: bool) -> Result<StoragePoolRef> {
        let mut def = PoolDef::from_xml(xml)?;
        def.capacity = POOL_CAPACITY;
        def.allocation = 0;
        def.available = POOL_CAPACITY;
        let r = pool_ref(&def);
        let mut objs = self.lock();
        let slot = objs.pool_slot(&def)?;
        if !active {
            match slot {
                Some(i) => {
                    let p = &mut objs.pools[i];
                    p.persistent = true;
                    p.def = def;
                }
                None => objs.pools.push(PoolObj {
                    def,
                    active: false,
                    persistent: true,
                    autostart: false,
                    volumes: Vec::new(),
                }),
            }
            self.pool_event(
                r.clone(),
                StoragePoolEvent::Lifecycle(StoragePoolLifecycle::Defined),
            );
            return Ok(r);
        }
        if slot.is_some() {
            return Err(failed(
                ErrorDomain::Storage,
                format!("pool '{}' already exists with uuid {}", r.name, r.uuid),
            ));
        }
        objs.pools.push(PoolObj {
            def,
            active: true,
            persistent: false,
            autostart: false,
            volumes: Vec::new(),
        });
        self.pool_event(
            r.clone(),
            StoragePoolEvent::Lifecycle(StoragePoolLifecycle::Started),
        );
        Ok(r)
    }
}

impl StorageDriver for TestObjects {
    fn list_all_storage_pools(&self, flags: u32) -> Result<Vec<StoragePoolRef>> {
        // The state groups, and the pool type bits (64 dir … 2^18 iscsi-direct).
        check_flags(flags, (1 << 19) - 1, "testConnectListAllStoragePools")?;
        let types = flags >> 6;
        Ok(self
            .lock()
            .pools
            .iter()
            .filter(|p| list_filter(flags & 63, p.active, p.persistent, p.autostart))
            .filter(|p| {
                types == 0
                    || POOL_TYPES
                        .iter()
                        .position(|t| *t == p.def.pool_type)
                        .is_some_and(|i| types & (1 << i) != 0)
            })
            .map(|p| pool_ref(&p.def))
            .collect())
    }

    fn find_storage_pool_sources(
        &self,
        pool_type: &str,
        spec: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        check_flags(flags, 0, "testConnectFindStoragePoolSources")?;
        if !POOL_TYPES.contains(&pool_type) {
            return Err(Error::internal(
                ErrorDomain::Test,
                format!("unknown storage pool type {pool_type}"),
            ));
        }
        match pool_type {
            "logical" => Ok(SOURCES_LOGICAL.to_string()),
            "netfs" => {
                let host = spec
                    .and_then(|s| parse(s, "srcSpec", ErrorDomain::Storage.as_raw()).ok())
                    .and_then(|s| {
                        s.find("host")
                            .and_then(|h| h.get("name"))
                            .map(str::to_string)
                    })
                    .ok_or_else(|| {
                        Error::invalid_arg(
                            ErrorDomain::Test,
                            "hostname must be specified for netfs sources",
                        )
                    })?;
                Ok(format!(
                    "<sources>\n  <source>\n    <host name='{host}'/>\n    <dir path='/testshare'/>\n    <format type='nfs'/>\n  </source>\n</sources>\n"
                ))
            }
            // libvirt's test driver knows the sources of these two types only.
            other => Err(Error::internal(
                ErrorDomain::Test,
                format!("unknown storage pool type {other}"),
            )),
        }
    }

    fn lookup_storage_pool_by_name(&self, name: &str) -> Result<StoragePoolRef> {
        self.lock()
            .pools
            .iter()
            .find(|p| p.def.name == name)
            .map(|p| pool_ref(&p.def))
            .ok_or_else(|| no_pool("name", name))
    }

    fn lookup_storage_pool_by_uuid(&self, uuid: &Uuid) -> Result<StoragePoolRef> {
        self.lock()
            .pools
            .iter()
            .find(|p| p.def.uuid == *uuid)
            .map(|p| pool_ref(&p.def))
            .ok_or_else(|| no_pool("uuid", &uuid.to_string()))
    }

    fn lookup_storage_pool_by_volume(&self, vol: &StorageVolRef) -> Result<StoragePoolRef> {
        self.lookup_storage_pool_by_name(&vol.pool)
    }

    fn storage_pool_define_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        check_flags(flags, 1, "testStoragePoolDefineXML")?;
        self.add_pool(xml, false)
    }

    fn storage_pool_create_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        check_flags(flags, 7, "testStoragePoolCreateXML")?;
        self.add_pool(xml, true)
    }

    fn storage_pool_build(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, 7, "testStoragePoolBuild")?;
        let r = self.with_pool(pool, |p| {
            if p.active {
                return Err(is_active(&p.def.name));
            }
            Ok(pool_ref(&p.def))
        })?;
        self.pool_event(
            r,
            StoragePoolEvent::Lifecycle(StoragePoolLifecycle::Created),
        );
        Ok(())
    }

    fn storage_pool_undefine(&self, pool: &StoragePoolRef) -> Result<()> {
        let mut objs = self.lock();
        let i = objs.pool_index(pool)?;
        if objs.pools[i].active {
            return Err(is_active(&objs.pools[i].def.name));
        }
        let r = pool_ref(&objs.pools.remove(i).def);
        self.pool_event(
            r,
            StoragePoolEvent::Lifecycle(StoragePoolLifecycle::Undefined),
        );
        Ok(())
    }

    fn storage_pool_create(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, 7, "testStoragePoolCreate")?;
        let r = self.with_pool(pool, |p| {
            if p.active {
                return Err(is_active(&p.def.name));
            }
            p.active = true;
            Ok(pool_ref(&p.def))
        })?;
        self.pool_event(
            r,
            StoragePoolEvent::Lifecycle(StoragePoolLifecycle::Started),
        );
        Ok(())
    }

    fn storage_pool_destroy(&self, pool: &StoragePoolRef) -> Result<()> {
        let mut objs = self.lock();
        let i = objs.pool_index(pool)?;
        let p = &mut objs.pools[i];
        if !p.active {
            return Err(not_active(&p.def.name));
        }
        p.active = false;
        let r = pool_ref(&p.def);
        if !p.persistent {
            objs.pools.remove(i);
        }
        self.pool_event(
            r,
            StoragePoolEvent::Lifecycle(StoragePoolLifecycle::Stopped),
        );
        Ok(())
    }

    fn storage_pool_delete(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, 1, "testStoragePoolDelete")?;
        let r = self.with_pool(pool, |p| {
            if p.active {
                return Err(invalid(format!(
                    "storage pool '{}' is still active",
                    p.def.name
                )));
            }
            Ok(pool_ref(&p.def))
        })?;
        self.pool_event(
            r,
            StoragePoolEvent::Lifecycle(StoragePoolLifecycle::Deleted),
        );
        Ok(())
    }

    fn storage_pool_refresh(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testStoragePoolRefresh")?;
        let r = self.with_pool(pool, |p| {
            if !p.active {
                return Err(not_active(&p.def.name));
            }
            Ok(pool_ref(&p.def))
        })?;
        self.pool_event(r, StoragePoolEvent::Refresh);
        Ok(())
    }

    fn storage_pool_info(&self, pool: &StoragePoolRef) -> Result<StoragePoolInfo> {
        self.with_pool(pool, |p| {
            Ok(StoragePoolInfo {
                state: if p.active { 2 } else { 0 },
                capacity: p.def.capacity,
                allocation: p.def.allocation,
                available: p.def.available,
            })
        })
    }

    fn storage_pool_xml_desc(&self, pool: &StoragePoolRef, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testStoragePoolGetXMLDesc")?;
        self.with_pool(pool, |p| Ok(p.def.to_xml()))
    }

    fn storage_pool_autostart(&self, pool: &StoragePoolRef) -> Result<bool> {
        self.with_pool(pool, |p| Ok(p.persistent && p.autostart))
    }

    fn storage_pool_set_autostart(&self, pool: &StoragePoolRef, autostart: bool) -> Result<()> {
        self.with_pool(pool, |p| {
            if !p.persistent {
                return Err(invalid("cannot set autostart for transient pool"));
            }
            p.autostart = autostart;
            Ok(())
        })
    }

    fn storage_pool_is_active(&self, pool: &StoragePoolRef) -> Result<bool> {
        self.with_pool(pool, |p| Ok(p.active))
    }

    fn storage_pool_is_persistent(&self, pool: &StoragePoolRef) -> Result<bool> {
        self.with_pool(pool, |p| Ok(p.persistent))
    }

    fn storage_pool_list_all_volumes(
        &self,
        pool: &StoragePoolRef,
        flags: u32,
    ) -> Result<Vec<StorageVolRef>> {
        self.list_volumes(pool, flags)
    }

    fn storage_pool_list_volume_names(&self, pool: &StoragePoolRef) -> Result<Vec<String>> {
        self.with_pool(pool, |p| {
            if !p.active {
                return Err(not_active(&p.def.name));
            }
            Ok(p.volumes.iter().map(|v| v.name.clone()).collect())
        })
    }

    fn storage_vol_lookup_by_name(
        &self,
        pool: &StoragePoolRef,
        name: &str,
    ) -> Result<StorageVolRef> {
        self.volume_by_name(pool, name)
    }

    fn storage_vol_lookup_by_key(&self, key: &str) -> Result<StorageVolRef> {
        self.volume_by("key", key)
    }

    fn storage_vol_lookup_by_path(&self, path: &str) -> Result<StorageVolRef> {
        self.volume_by("path", path)
    }

    fn storage_vol_create_xml(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        flags: u32,
    ) -> Result<StorageVolRef> {
        check_flags(flags, 0, "testStorageVolCreateXML")?;
        self.create_volume(pool, xml, None)
    }

    fn storage_vol_create_xml_from(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        clone: &StorageVolRef,
        flags: u32,
    ) -> Result<StorageVolRef> {
        check_flags(flags, 0, "testStorageVolCreateXMLFrom")?;
        self.create_volume(pool, xml, Some(clone))
    }

    fn storage_vol_delete(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testStorageVolDelete")?;
        self.delete_volume(vol)
    }

    fn storage_vol_info(&self, vol: &StorageVolRef) -> Result<StorageVolInfo> {
        self.with_volume(vol, |v| {
            Ok(StorageVolInfo {
                vol_type: v.type_number(),
                capacity: v.capacity,
                allocation: v.allocation.unwrap_or(v.capacity),
            })
        })
    }

    fn storage_vol_xml_desc(&self, vol: &StorageVolRef, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testStorageVolGetXMLDesc")?;
        self.with_volume(vol, |v| Ok(v.to_xml()))
    }

    fn storage_vol_path(&self, vol: &StorageVolRef) -> Result<String> {
        self.with_volume(vol, |v| Ok(v.path.clone().unwrap_or_default()))
    }
}

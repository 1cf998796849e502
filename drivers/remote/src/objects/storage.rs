//! Storage pools and volumes over the wire.

use rvirt_core::driver::{
    StorageDriver, StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef,
};
use rvirt_core::{Result, Uuid};
use rvirt_rpc::procs as p;
use rvirt_rpc::types::*;
use serde::de::DeserializeOwned;

use super::RemoteObjects;

fn pw(pool: &StoragePoolRef) -> RemoteNonnullStoragePool {
    pool.into()
}

fn vw(vol: &StorageVolRef) -> RemoteNonnullStorageVol {
    vol.into()
}

fn vol_info(r: StorageVolGetInfoRet) -> StorageVolInfo {
    StorageVolInfo {
        vol_type: i32::from(r.type_),
        capacity: r.capacity,
        allocation: r.allocation,
    }
}

impl RemoteObjects {
    fn pool_call<R: DeserializeOwned>(&self, proc_: i32, pool: &StoragePoolRef) -> Result<R> {
        self.call(proc_, &ObjArgs { obj: pw(pool) })
    }

    fn pool_flags<R: DeserializeOwned>(
        &self,
        proc_: i32,
        pool: &StoragePoolRef,
        flags: u32,
    ) -> Result<R> {
        self.call(
            proc_,
            &ObjFlagsArgs {
                obj: pw(pool),
                flags,
            },
        )
    }

    fn pool_yes(&self, proc_: i32, pool: &StoragePoolRef) -> Result<bool> {
        let r: IntRet = self.pool_call(proc_, pool)?;
        Ok(r.value != 0)
    }

    fn vol_flags<R: DeserializeOwned>(
        &self,
        proc_: i32,
        vol: &StorageVolRef,
        flags: u32,
    ) -> Result<R> {
        self.call(
            proc_,
            &ObjFlagsArgs {
                obj: vw(vol),
                flags,
            },
        )
    }

    fn pool_ret(&self, proc_: i32, args: &impl serde::Serialize) -> Result<StoragePoolRef> {
        let r: PoolRet = self.call(proc_, args)?;
        Ok(r.obj.into())
    }

    fn vol_ret(&self, proc_: i32, args: &impl serde::Serialize) -> Result<StorageVolRef> {
        let r: VolRet = self.call(proc_, args)?;
        Ok(r.obj.into())
    }
}

impl StorageDriver for RemoteObjects {
    fn list_all_storage_pools(&self, flags: u32) -> Result<Vec<StoragePoolRef>> {
        let r: ListAllRet<RemoteNonnullStoragePool> = self.call(
            p::CONNECT_LIST_ALL_STORAGE_POOLS,
            &ListAllArgs {
                need_results: 1,
                flags,
            },
        )?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn find_storage_pool_sources(
        &self,
        pool_type: &str,
        spec: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        let args = ConnectFindStoragePoolSourcesArgs {
            type_: pool_type.into(),
            src_spec: spec.map(str::to_string),
            flags,
        };
        let r: XmlRet = self.call(p::CONNECT_FIND_STORAGE_POOL_SOURCES, &args)?;
        Ok(r.xml)
    }

    fn storage_pool_capabilities(&self, flags: u32) -> Result<String> {
        let r: XmlRet = self.call(
            p::CONNECT_GET_STORAGE_POOL_CAPABILITIES,
            &FlagsArgs { flags },
        )?;
        Ok(r.xml)
    }

    fn lookup_storage_pool_by_name(&self, name: &str) -> Result<StoragePoolRef> {
        self.pool_ret(
            p::STORAGE_POOL_LOOKUP_BY_NAME,
            &NameArgs { name: name.into() },
        )
    }

    fn lookup_storage_pool_by_uuid(&self, uuid: &Uuid) -> Result<StoragePoolRef> {
        self.pool_ret(
            p::STORAGE_POOL_LOOKUP_BY_UUID,
            &UuidArgs {
                uuid: *uuid.as_bytes(),
            },
        )
    }

    fn lookup_storage_pool_by_volume(&self, vol: &StorageVolRef) -> Result<StoragePoolRef> {
        self.pool_ret(p::STORAGE_POOL_LOOKUP_BY_VOLUME, &ObjArgs { obj: vw(vol) })
    }

    fn lookup_storage_pool_by_target_path(&self, path: &str) -> Result<StoragePoolRef> {
        self.pool_ret(
            p::STORAGE_POOL_LOOKUP_BY_TARGET_PATH,
            &NameArgs { name: path.into() },
        )
    }

    fn storage_pool_define_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        self.pool_ret(
            p::STORAGE_POOL_DEFINE_XML,
            &XmlFlagsArgs {
                xml: xml.into(),
                flags,
            },
        )
    }

    fn storage_pool_create_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        self.pool_ret(
            p::STORAGE_POOL_CREATE_XML,
            &XmlFlagsArgs {
                xml: xml.into(),
                flags,
            },
        )
    }

    fn storage_pool_build(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        self.pool_flags(p::STORAGE_POOL_BUILD, pool, flags)
    }

    fn storage_pool_undefine(&self, pool: &StoragePoolRef) -> Result<()> {
        self.pool_call(p::STORAGE_POOL_UNDEFINE, pool)
    }

    fn storage_pool_create(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        self.pool_flags(p::STORAGE_POOL_CREATE, pool, flags)
    }

    fn storage_pool_destroy(&self, pool: &StoragePoolRef) -> Result<()> {
        self.pool_call(p::STORAGE_POOL_DESTROY, pool)
    }

    fn storage_pool_delete(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        self.pool_flags(p::STORAGE_POOL_DELETE, pool, flags)
    }

    fn storage_pool_refresh(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        self.pool_flags(p::STORAGE_POOL_REFRESH, pool, flags)
    }

    fn storage_pool_info(&self, pool: &StoragePoolRef) -> Result<StoragePoolInfo> {
        let r: StoragePoolGetInfoRet = self.pool_call(p::STORAGE_POOL_GET_INFO, pool)?;
        Ok(StoragePoolInfo {
            state: i32::from(r.state),
            capacity: r.capacity,
            allocation: r.allocation,
            available: r.available,
        })
    }

    fn storage_pool_xml_desc(&self, pool: &StoragePoolRef, flags: u32) -> Result<String> {
        let r: XmlRet = self.pool_flags(p::STORAGE_POOL_GET_XML_DESC, pool, flags)?;
        Ok(r.xml)
    }

    fn storage_pool_autostart(&self, pool: &StoragePoolRef) -> Result<bool> {
        self.pool_yes(p::STORAGE_POOL_GET_AUTOSTART, pool)
    }

    fn storage_pool_set_autostart(&self, pool: &StoragePoolRef, autostart: bool) -> Result<()> {
        self.call(
            p::STORAGE_POOL_SET_AUTOSTART,
            &ObjIntArgs {
                obj: pw(pool),
                value: i32::from(autostart),
            },
        )
    }

    fn storage_pool_is_active(&self, pool: &StoragePoolRef) -> Result<bool> {
        self.pool_yes(p::STORAGE_POOL_IS_ACTIVE, pool)
    }

    fn storage_pool_is_persistent(&self, pool: &StoragePoolRef) -> Result<bool> {
        self.pool_yes(p::STORAGE_POOL_IS_PERSISTENT, pool)
    }

    fn storage_pool_list_all_volumes(
        &self,
        pool: &StoragePoolRef,
        flags: u32,
    ) -> Result<Vec<StorageVolRef>> {
        let args = ObjListAllArgs {
            obj: pw(pool),
            need_results: 1,
            flags,
        };
        let r: ListAllRet<RemoteNonnullStorageVol> =
            self.call(p::STORAGE_POOL_LIST_ALL_VOLUMES, &args)?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn storage_pool_list_volume_names(&self, pool: &StoragePoolRef) -> Result<Vec<String>> {
        let n: NumRet = self.pool_call(p::STORAGE_POOL_NUM_OF_VOLUMES, pool)?;
        let args = StoragePoolListVolumesArgs {
            pool: pw(pool),
            maxnames: n.num,
        };
        let r: NamesRet = self.call(p::STORAGE_POOL_LIST_VOLUMES, &args)?;
        Ok(r.names)
    }

    fn storage_vol_lookup_by_name(
        &self,
        pool: &StoragePoolRef,
        name: &str,
    ) -> Result<StorageVolRef> {
        let args = StorageVolLookupByNameArgs {
            pool: pw(pool),
            name: name.into(),
        };
        self.vol_ret(p::STORAGE_VOL_LOOKUP_BY_NAME, &args)
    }

    fn storage_vol_lookup_by_key(&self, key: &str) -> Result<StorageVolRef> {
        self.vol_ret(p::STORAGE_VOL_LOOKUP_BY_KEY, &NameArgs { name: key.into() })
    }

    fn storage_vol_lookup_by_path(&self, path: &str) -> Result<StorageVolRef> {
        self.vol_ret(
            p::STORAGE_VOL_LOOKUP_BY_PATH,
            &NameArgs { name: path.into() },
        )
    }

    fn storage_vol_create_xml(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        flags: u32,
    ) -> Result<StorageVolRef> {
        let args = StorageVolCreateXmlArgs {
            pool: pw(pool),
            xml: xml.into(),
            flags,
        };
        self.vol_ret(p::STORAGE_VOL_CREATE_XML, &args)
    }

    fn storage_vol_create_xml_from(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        clone: &StorageVolRef,
        flags: u32,
    ) -> Result<StorageVolRef> {
        let args = StorageVolCreateXmlFromArgs {
            pool: pw(pool),
            xml: xml.into(),
            clonevol: vw(clone),
            flags,
        };
        self.vol_ret(p::STORAGE_VOL_CREATE_XML_FROM, &args)
    }

    fn storage_vol_delete(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        self.vol_flags(p::STORAGE_VOL_DELETE, vol, flags)
    }

    fn storage_vol_wipe(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        self.vol_flags(p::STORAGE_VOL_WIPE, vol, flags)
    }

    fn storage_vol_wipe_pattern(
        &self,
        vol: &StorageVolRef,
        algorithm: u32,
        flags: u32,
    ) -> Result<()> {
        let args = StorageVolWipePatternArgs {
            vol: vw(vol),
            algorithm,
            flags,
        };
        self.call(p::STORAGE_VOL_WIPE_PATTERN, &args)
    }

    fn storage_vol_info(&self, vol: &StorageVolRef) -> Result<StorageVolInfo> {
        let r: StorageVolGetInfoRet =
            self.call(p::STORAGE_VOL_GET_INFO, &ObjArgs { obj: vw(vol) })?;
        Ok(vol_info(r))
    }

    fn storage_vol_info_flags(&self, vol: &StorageVolRef, flags: u32) -> Result<StorageVolInfo> {
        let r: StorageVolGetInfoRet = self.vol_flags(p::STORAGE_VOL_GET_INFO_FLAGS, vol, flags)?;
        Ok(vol_info(r))
    }

    fn storage_vol_xml_desc(&self, vol: &StorageVolRef, flags: u32) -> Result<String> {
        let r: XmlRet = self.vol_flags(p::STORAGE_VOL_GET_XML_DESC, vol, flags)?;
        Ok(r.xml)
    }

    fn storage_vol_path(&self, vol: &StorageVolRef) -> Result<String> {
        let r: NameRet = self.call(p::STORAGE_VOL_GET_PATH, &ObjArgs { obj: vw(vol) })?;
        Ok(r.name)
    }

    fn storage_vol_resize(&self, vol: &StorageVolRef, capacity: u64, flags: u32) -> Result<()> {
        let args = StorageVolResizeArgs {
            vol: vw(vol),
            capacity,
            flags,
        };
        self.call(p::STORAGE_VOL_RESIZE, &args)
    }

    fn storage_vol_upload(
        &self,
        vol: &StorageVolRef,
        offset: u64,
        length: u64,
        flags: u32,
    ) -> Result<rvirt_core::Stream> {
        let args = StorageVolTransferArgs {
            vol: vw(vol),
            offset,
            length,
            flags,
        };
        let (stream, ()) = crate::stream::open(&self.client, p::STORAGE_VOL_UPLOAD, &args)?;
        Ok(stream)
    }

    fn storage_vol_download(
        &self,
        vol: &StorageVolRef,
        offset: u64,
        length: u64,
        flags: u32,
    ) -> Result<rvirt_core::Stream> {
        let args = StorageVolTransferArgs {
            vol: vw(vol),
            offset,
            length,
            flags,
        };
        let (stream, ()) = crate::stream::open(&self.client, p::STORAGE_VOL_DOWNLOAD, &args)?;
        Ok(stream)
    }

    fn storage_pool_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        self.interest::<RemoteNonnullStoragePool>(
            p::CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
            p::CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
            event_id,
            wanted,
        )
    }
}

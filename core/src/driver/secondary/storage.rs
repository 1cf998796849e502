//! [`StorageDriver`]: storage pools and volumes (libvirt's `virStorageDriver`).

use uuid::Uuid;

use super::refs::{StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef};
use crate::{Error, ErrorDomain, Result};

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Storage, api))
}

/// The storage operations of one connection. Every method defaults to
/// `VIR_ERR_NO_SUPPORT` in `VIR_FROM_STORAGE`, naming libvirt's function.
#[allow(unused_variables)]
pub trait StorageDriver: Send + Sync {
    /// Pools matching `virConnectListAllStoragePoolsFlags`.
    fn list_all_storage_pools(&self, flags: u32) -> Result<Vec<StoragePoolRef>> {
        unsupported("virConnectListAllStoragePools")
    }
    /// Sources of pools of `pool_type` the host could use (`virConnectFindStoragePoolSources`).
    fn find_storage_pool_sources(
        &self,
        pool_type: &str,
        spec: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        unsupported("virConnectFindStoragePoolSources")
    }
    /// The pool capabilities XML.
    fn storage_pool_capabilities(&self, flags: u32) -> Result<String> {
        unsupported("virConnectGetStoragePoolCapabilities")
    }
    /// A pool by name.
    fn lookup_storage_pool_by_name(&self, name: &str) -> Result<StoragePoolRef> {
        unsupported("virStoragePoolLookupByName")
    }
    /// A pool by UUID.
    fn lookup_storage_pool_by_uuid(&self, uuid: &Uuid) -> Result<StoragePoolRef> {
        unsupported("virStoragePoolLookupByUUID")
    }
    /// The pool holding a volume.
    fn lookup_storage_pool_by_volume(&self, vol: &StorageVolRef) -> Result<StoragePoolRef> {
        unsupported("virStoragePoolLookupByVolume")
    }
    /// A pool by its target path.
    fn lookup_storage_pool_by_target_path(&self, path: &str) -> Result<StoragePoolRef> {
        unsupported("virStoragePoolLookupByTargetPath")
    }
    /// Defines a persistent pool.
    fn storage_pool_define_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        unsupported("virStoragePoolDefineXML")
    }
    /// Creates and starts a transient pool.
    fn storage_pool_create_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        unsupported("virStoragePoolCreateXML")
    }
    /// Builds the pool's storage (creates the directory, formats the device).
    fn storage_pool_build(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        unsupported("virStoragePoolBuild")
    }
    /// Removes the persistent definition.
    fn storage_pool_undefine(&self, pool: &StoragePoolRef) -> Result<()> {
        unsupported("virStoragePoolUndefine")
    }
    /// Starts (activates) a pool.
    fn storage_pool_create(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        unsupported("virStoragePoolCreate")
    }
    /// Stops a pool.
    fn storage_pool_destroy(&self, pool: &StoragePoolRef) -> Result<()> {
        unsupported("virStoragePoolDestroy")
    }
    /// Deletes the pool's storage.
    fn storage_pool_delete(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        unsupported("virStoragePoolDelete")
    }
    /// Rescans the pool's volumes.
    fn storage_pool_refresh(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        unsupported("virStoragePoolRefresh")
    }
    /// State and sizes.
    fn storage_pool_info(&self, pool: &StoragePoolRef) -> Result<StoragePoolInfo> {
        unsupported("virStoragePoolGetInfo")
    }
    /// The XML (`flags`: `VIR_STORAGE_XML_INACTIVE` = 1).
    fn storage_pool_xml_desc(&self, pool: &StoragePoolRef, flags: u32) -> Result<String> {
        unsupported("virStoragePoolGetXMLDesc")
    }
    /// Whether it starts with the host.
    fn storage_pool_autostart(&self, pool: &StoragePoolRef) -> Result<bool> {
        unsupported("virStoragePoolGetAutostart")
    }
    /// Sets autostart.
    fn storage_pool_set_autostart(&self, pool: &StoragePoolRef, autostart: bool) -> Result<()> {
        unsupported("virStoragePoolSetAutostart")
    }
    /// Whether it is active.
    fn storage_pool_is_active(&self, pool: &StoragePoolRef) -> Result<bool> {
        unsupported("virStoragePoolIsActive")
    }
    /// Whether it has a persistent definition.
    fn storage_pool_is_persistent(&self, pool: &StoragePoolRef) -> Result<bool> {
        unsupported("virStoragePoolIsPersistent")
    }
    /// Its volumes.
    fn storage_pool_list_all_volumes(
        &self,
        pool: &StoragePoolRef,
        flags: u32,
    ) -> Result<Vec<StorageVolRef>> {
        unsupported("virStoragePoolListAllVolumes")
    }
    /// Names of its volumes (the old listing calls); by default from
    /// [`storage_pool_list_all_volumes`](Self::storage_pool_list_all_volumes).
    fn storage_pool_list_volume_names(&self, pool: &StoragePoolRef) -> Result<Vec<String>> {
        Ok(self
            .storage_pool_list_all_volumes(pool, 0)?
            .into_iter()
            .map(|v| v.name)
            .collect())
    }
    /// A volume by name.
    fn storage_vol_lookup_by_name(
        &self,
        pool: &StoragePoolRef,
        name: &str,
    ) -> Result<StorageVolRef> {
        unsupported("virStorageVolLookupByName")
    }
    /// A volume by key.
    fn storage_vol_lookup_by_key(&self, key: &str) -> Result<StorageVolRef> {
        unsupported("virStorageVolLookupByKey")
    }
    /// A volume by path.
    fn storage_vol_lookup_by_path(&self, path: &str) -> Result<StorageVolRef> {
        unsupported("virStorageVolLookupByPath")
    }
    /// Creates a volume.
    fn storage_vol_create_xml(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        flags: u32,
    ) -> Result<StorageVolRef> {
        unsupported("virStorageVolCreateXML")
    }
    /// Creates a volume with the contents of another (a clone).
    fn storage_vol_create_xml_from(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        clone: &StorageVolRef,
        flags: u32,
    ) -> Result<StorageVolRef> {
        unsupported("virStorageVolCreateXMLFrom")
    }
    /// Deletes a volume.
    fn storage_vol_delete(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        unsupported("virStorageVolDelete")
    }
    /// Overwrites a volume's data with zeroes.
    fn storage_vol_wipe(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        unsupported("virStorageVolWipe")
    }
    /// Overwrites a volume's data (`algorithm`: `virStorageVolWipeAlgorithm`, 0 zeroes).
    fn storage_vol_wipe_pattern(
        &self,
        vol: &StorageVolRef,
        algorithm: u32,
        flags: u32,
    ) -> Result<()> {
        unsupported("virStorageVolWipePattern")
    }
    /// Type and sizes.
    fn storage_vol_info(&self, vol: &StorageVolRef) -> Result<StorageVolInfo> {
        unsupported("virStorageVolGetInfo")
    }
    /// Type and sizes (`flags`: `VIR_STORAGE_VOL_GET_PHYSICAL` = 1: the host file's
    /// size as allocation).
    fn storage_vol_info_flags(&self, vol: &StorageVolRef, flags: u32) -> Result<StorageVolInfo> {
        unsupported("virStorageVolGetInfoFlags")
    }
    /// The XML.
    fn storage_vol_xml_desc(&self, vol: &StorageVolRef, flags: u32) -> Result<String> {
        unsupported("virStorageVolGetXMLDesc")
    }
    /// The path.
    fn storage_vol_path(&self, vol: &StorageVolRef) -> Result<String> {
        unsupported("virStorageVolGetPath")
    }
    /// Changes the capacity (`virStorageVolResizeFlags`).
    fn storage_vol_resize(&self, vol: &StorageVolRef, capacity: u64, flags: u32) -> Result<()> {
        unsupported("virStorageVolResize")
    }
    /// `virStorageVolUpload`: a stream whose data is written into the volume from
    /// `offset`, at most `length` bytes (0: to the end of the volume).
    fn storage_vol_upload(
        &self,
        vol: &StorageVolRef,
        offset: u64,
        length: u64,
        flags: u32,
    ) -> Result<crate::api::Stream> {
        unsupported("virStorageVolUpload")
    }
    /// `virStorageVolDownload`: a stream of the volume's data from `offset`, `length`
    /// bytes (0: to the end of the volume).
    fn storage_vol_download(
        &self,
        vol: &StorageVolRef,
        offset: u64,
        length: u64,
        flags: u32,
    ) -> Result<crate::api::Stream> {
        unsupported("virStorageVolDownload")
    }
    /// The first callback for pool event `event_id` was registered (`wanted`), or the
    /// last one went.
    fn storage_pool_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        Ok(())
    }
}

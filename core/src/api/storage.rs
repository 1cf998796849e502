//! [`StoragePool`] and [`StorageVol`] handles, and the storage calls of [`Connect`].

use uuid::Uuid;

use super::secondary::handle;
use super::{Connect, Stream};
use crate::driver::{StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef};
use crate::{ErrorDomain, Result};

const D: ErrorDomain = ErrorDomain::Storage;

handle!(
    /// A storage pool (libvirt's `virStoragePoolPtr`).
    StoragePool,
    StoragePoolRef
);

handle!(
    /// A storage volume (libvirt's `virStorageVolPtr`).
    StorageVol,
    StorageVolRef
);

impl Connect {
    /// Pools matching `virConnectListAllStoragePoolsFlags` (0 = all).
    pub fn list_all_storage_pools(&self, flags: u32) -> Result<Vec<StoragePool>> {
        let refs = self
            .storage_driver("virConnectListAllStoragePools")?
            .list_all_storage_pools(flags)?;
        Ok(refs
            .into_iter()
            .map(|r| StoragePool::from_ref(self.clone(), r))
            .collect())
    }

    /// A pool by name (`VIR_ERR_NO_STORAGE_POOL` when there is none).
    pub fn lookup_storage_pool_by_name(&self, name: &str) -> Result<StoragePool> {
        let r = self
            .storage_driver("virStoragePoolLookupByName")?
            .lookup_storage_pool_by_name(name)?;
        Ok(StoragePool::from_ref(self.clone(), r))
    }

    /// A pool by UUID.
    pub fn lookup_storage_pool_by_uuid(&self, uuid: &Uuid) -> Result<StoragePool> {
        let r = self
            .storage_driver("virStoragePoolLookupByUUID")?
            .lookup_storage_pool_by_uuid(uuid)?;
        Ok(StoragePool::from_ref(self.clone(), r))
    }

    /// A pool by its target path.
    pub fn lookup_storage_pool_by_target_path(&self, path: &str) -> Result<StoragePool> {
        let r = self
            .storage_driver("virStoragePoolLookupByTargetPath")?
            .lookup_storage_pool_by_target_path(path)?;
        Ok(StoragePool::from_ref(self.clone(), r))
    }

    /// Defines a persistent pool (`virStoragePoolDefineXML`).
    pub fn storage_pool_define_xml(&self, xml: &str, flags: u32) -> Result<StoragePool> {
        let api = "virStoragePoolDefineXML";
        self.deny_read_only(D, api)?;
        let r = self
            .storage_driver(api)?
            .storage_pool_define_xml(xml, flags)?;
        Ok(StoragePool::from_ref(self.clone(), r))
    }

    /// Creates and starts a transient pool (`virStoragePoolCreateXML`).
    pub fn storage_pool_create_xml(&self, xml: &str, flags: u32) -> Result<StoragePool> {
        let api = "virStoragePoolCreateXML";
        self.deny_read_only(D, api)?;
        let r = self
            .storage_driver(api)?
            .storage_pool_create_xml(xml, flags)?;
        Ok(StoragePool::from_ref(self.clone(), r))
    }

    /// Pool sources the host offers (`virConnectFindStoragePoolSources`).
    pub fn find_storage_pool_sources(
        &self,
        pool_type: &str,
        spec: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        let api = "virConnectFindStoragePoolSources";
        self.deny_read_only(D, api)?;
        self.storage_driver(api)?
            .find_storage_pool_sources(pool_type, spec, flags)
    }

    /// The storage pool capabilities XML.
    pub fn storage_pool_capabilities(&self, flags: u32) -> Result<String> {
        self.storage_driver("virConnectGetStoragePoolCapabilities")?
            .storage_pool_capabilities(flags)
    }

    /// A volume by key.
    pub fn lookup_storage_vol_by_key(&self, key: &str) -> Result<StorageVol> {
        let r = self
            .storage_driver("virStorageVolLookupByKey")?
            .storage_vol_lookup_by_key(key)?;
        Ok(StorageVol::from_ref(self.clone(), r))
    }

    /// A volume by path.
    pub fn lookup_storage_vol_by_path(&self, path: &str) -> Result<StorageVol> {
        let r = self
            .storage_driver("virStorageVolLookupByPath")?
            .storage_vol_lookup_by_path(path)?;
        Ok(StorageVol::from_ref(self.clone(), r))
    }
}

macro_rules! pool_write {
    ($(#[$m:meta])* $fn:ident, $api:literal, $method:ident $(, $arg:ident: $t:ty)*) => {
        $(#[$m])*
        pub fn $fn(&self $(, $arg: $t)*) -> Result<()> {
            self.conn.deny_read_only(D, $api)?;
            self.conn.storage_driver($api)?.$method(&self.r $(, $arg)*)
        }
    };
}

impl StoragePool {
    /// Name.
    pub fn name(&self) -> &str {
        &self.r.name
    }

    /// UUID.
    pub fn uuid(&self) -> &Uuid {
        &self.r.uuid
    }

    pool_write!(
        /// Builds its storage (`virStoragePoolBuild`).
        build, "virStoragePoolBuild", storage_pool_build, flags: u32);
    pool_write!(
        /// Removes the persistent definition (`virStoragePoolUndefine`).
        undefine, "virStoragePoolUndefine", storage_pool_undefine);
    pool_write!(
        /// Starts it (`virStoragePoolCreate`).
        create, "virStoragePoolCreate", storage_pool_create, flags: u32);
    pool_write!(
        /// Stops it (`virStoragePoolDestroy`).
        destroy, "virStoragePoolDestroy", storage_pool_destroy);
    pool_write!(
        /// Deletes its storage (`virStoragePoolDelete`).
        delete, "virStoragePoolDelete", storage_pool_delete, flags: u32);
    pool_write!(
        /// Rescans its volumes (`virStoragePoolRefresh`).
        refresh, "virStoragePoolRefresh", storage_pool_refresh, flags: u32);
    pool_write!(
        /// Sets autostart (`virStoragePoolSetAutostart`).
        set_autostart, "virStoragePoolSetAutostart", storage_pool_set_autostart, autostart: bool);

    /// State and sizes (`virStoragePoolGetInfo`).
    pub fn info(&self) -> Result<StoragePoolInfo> {
        self.conn
            .storage_driver("virStoragePoolGetInfo")?
            .storage_pool_info(&self.r)
    }

    /// Its XML (`virStoragePoolGetXMLDesc`).
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .storage_driver("virStoragePoolGetXMLDesc")?
            .storage_pool_xml_desc(&self.r, flags)
    }

    /// Whether it starts with the host.
    pub fn autostart(&self) -> Result<bool> {
        self.conn
            .storage_driver("virStoragePoolGetAutostart")?
            .storage_pool_autostart(&self.r)
    }

    /// Whether it is active.
    pub fn is_active(&self) -> Result<bool> {
        self.conn
            .storage_driver("virStoragePoolIsActive")?
            .storage_pool_is_active(&self.r)
    }

    /// Whether it is persistent.
    pub fn is_persistent(&self) -> Result<bool> {
        self.conn
            .storage_driver("virStoragePoolIsPersistent")?
            .storage_pool_is_persistent(&self.r)
    }

    /// Its volumes (`virStoragePoolListAllVolumes`).
    pub fn list_all_volumes(&self, flags: u32) -> Result<Vec<StorageVol>> {
        let refs = self
            .conn
            .storage_driver("virStoragePoolListAllVolumes")?
            .storage_pool_list_all_volumes(&self.r, flags)?;
        Ok(refs
            .into_iter()
            .map(|r| StorageVol::from_ref(self.conn.clone(), r))
            .collect())
    }

    /// Names of its volumes (`virStoragePoolListVolumes`).
    pub fn list_volume_names(&self) -> Result<Vec<String>> {
        self.conn
            .storage_driver("virStoragePoolListVolumes")?
            .storage_pool_list_volume_names(&self.r)
    }

    /// A volume by name (`virStorageVolLookupByName`).
    pub fn lookup_volume_by_name(&self, name: &str) -> Result<StorageVol> {
        let r = self
            .conn
            .storage_driver("virStorageVolLookupByName")?
            .storage_vol_lookup_by_name(&self.r, name)?;
        Ok(StorageVol::from_ref(self.conn.clone(), r))
    }

    /// Creates a volume (`virStorageVolCreateXML`).
    pub fn create_volume_xml(&self, xml: &str, flags: u32) -> Result<StorageVol> {
        let api = "virStorageVolCreateXML";
        self.conn.deny_read_only(D, api)?;
        let r = self
            .conn
            .storage_driver(api)?
            .storage_vol_create_xml(&self.r, xml, flags)?;
        Ok(StorageVol::from_ref(self.conn.clone(), r))
    }

    /// Creates a volume holding a copy of `clone` (`virStorageVolCreateXMLFrom`).
    pub fn create_volume_xml_from(
        &self,
        xml: &str,
        clone: &StorageVol,
        flags: u32,
    ) -> Result<StorageVol> {
        let api = "virStorageVolCreateXMLFrom";
        self.conn.deny_read_only(D, api)?;
        let r = self
            .conn
            .storage_driver(api)?
            .storage_vol_create_xml_from(&self.r, xml, &clone.r, flags)?;
        Ok(StorageVol::from_ref(self.conn.clone(), r))
    }
}

impl StorageVol {
    /// Name.
    pub fn name(&self) -> &str {
        &self.r.name
    }

    /// Key.
    pub fn key(&self) -> &str {
        &self.r.key
    }

    /// Name of its pool.
    pub fn pool_name(&self) -> &str {
        &self.r.pool
    }

    /// The pool holding it (`virStoragePoolLookupByVolume`).
    pub fn pool(&self) -> Result<StoragePool> {
        let r = self
            .conn
            .storage_driver("virStoragePoolLookupByVolume")?
            .lookup_storage_pool_by_volume(&self.r)?;
        Ok(StoragePool::from_ref(self.conn.clone(), r))
    }

    pool_write!(
        /// Deletes it (`virStorageVolDelete`).
        delete, "virStorageVolDelete", storage_vol_delete, flags: u32);
    pool_write!(
        /// Overwrites its data with zeroes (`virStorageVolWipe`).
        wipe, "virStorageVolWipe", storage_vol_wipe, flags: u32);
    pool_write!(
        /// Overwrites its data (`virStorageVolWipePattern`; algorithm 0 = zeroes).
        wipe_pattern, "virStorageVolWipePattern", storage_vol_wipe_pattern, algorithm: u32, flags: u32);
    pool_write!(
        /// Changes its capacity (`virStorageVolResize`).
        resize, "virStorageVolResize", storage_vol_resize, capacity: u64, flags: u32);

    /// Type and sizes (`virStorageVolGetInfo`).
    pub fn info(&self) -> Result<StorageVolInfo> {
        self.conn
            .storage_driver("virStorageVolGetInfo")?
            .storage_vol_info(&self.r)
    }

    /// Type and sizes (`virStorageVolGetInfoFlags`).
    pub fn info_flags(&self, flags: u32) -> Result<StorageVolInfo> {
        self.conn
            .storage_driver("virStorageVolGetInfoFlags")?
            .storage_vol_info_flags(&self.r, flags)
    }

    /// Its XML (`virStorageVolGetXMLDesc`).
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .storage_driver("virStorageVolGetXMLDesc")?
            .storage_vol_xml_desc(&self.r, flags)
    }

    /// Its path (`virStorageVolGetPath`).
    pub fn path(&self) -> Result<String> {
        self.conn
            .storage_driver("virStorageVolGetPath")?
            .storage_vol_path(&self.r)
    }

    /// Opens an upload into the volume (`virStorageVolUpload`): what is sent on the
    /// returned [`Stream`] is written from `offset`, at most `length` bytes (0: to the
    /// end of the volume); [`Stream::finish`] completes it.
    pub fn upload(&self, offset: u64, length: u64, flags: u32) -> Result<Stream> {
        let api = "virStorageVolUpload";
        self.conn.deny_read_only(D, api)?;
        let st = self
            .conn
            .storage_driver(api)?
            .storage_vol_upload(&self.r, offset, length, flags)?;
        Ok(st.with_event_loop(self.conn.event_loop().cloned()))
    }

    /// Opens a download of the volume (`virStorageVolDownload`): `length` bytes (0: to
    /// the end) from `offset`, received on the returned [`Stream`].
    pub fn download(&self, offset: u64, length: u64, flags: u32) -> Result<Stream> {
        let api = "virStorageVolDownload";
        self.conn.deny_read_only(D, api)?;
        let st = self
            .conn
            .storage_driver(api)?
            .storage_vol_download(&self.r, offset, length, flags)?;
        Ok(st.with_event_loop(self.conn.event_loop().cloned()))
    }
}

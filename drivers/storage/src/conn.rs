//! [`StorageConn`]: the storage driver of one connection (a view on the host state);
//! the pool calls are in `pools.rs`, the volume calls here.

use std::path::PathBuf;
use std::sync::Arc;

use rvirt_core::Stream;
use rvirt_core::driver::{
    LocalSource, LocalStream, OnFinish, StorageDriver, StoragePoolInfo, StoragePoolRef,
    StorageVolInfo, StorageVolRef,
};
use rvirt_core::objconf::VolDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::pools::{no_pool, not_active};
use crate::state::{Pool, State};
use crate::{backend, probe, transfer, volumes};

const D: ErrorDomain = ErrorDomain::Storage;
/// `VIR_STORAGE_XML_INACTIVE`.
const XML_INACTIVE: u32 = 1;
/// `VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM` = `VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM`.
const SPARSE_STREAM: u32 = 1;
/// `VIR_STORAGE_VOL_GET_PHYSICAL`.
const GET_PHYSICAL: u32 = 1;

/// The storage calls of one connection.
#[derive(Debug)]
pub(crate) struct StorageConn {
    pub(crate) state: Arc<State>,
}

fn no_vol(what: &str, value: &str) -> Error {
    Error::new(
        ErrorCode::NoStorageVol,
        D,
        format!("no storage vol with matching {what} '{value}'"),
    )
}

fn vol_ref(pool: &Pool, v: &VolDef) -> StorageVolRef {
    StorageVolRef {
        pool: pool.def.name.clone(),
        name: v.name.clone(),
        key: v.key.clone().unwrap_or_default(),
    }
}

fn check(flags: u32, known: u32, function: &str) -> Result<()> {
    let unknown = flags & !known;
    if unknown != 0 {
        return Err(Error::invalid_arg(
            D,
            format!("unsupported flags (0x{unknown:x}) in function {function}"),
        ));
    }
    Ok(())
}

impl StorageConn {
    /// Runs `f` on the volume `r` and its (active) pool.
    fn with_vol<T>(
        &self,
        r: &StorageVolRef,
        f: impl FnOnce(&mut Pool, usize) -> Result<T>,
    ) -> Result<T> {
        let mut pools = self.state.lock();
        let p = pools
            .iter_mut()
            .find(|p| p.def.name == r.pool)
            .ok_or_else(|| no_pool("name", &r.pool))?;
        if !p.active {
            return Err(not_active(&p.def.name));
        }
        let i = p
            .volumes
            .iter()
            .position(|v| v.name == r.name)
            .ok_or_else(|| no_vol("name", &r.name))?;
        f(p, i)
    }

    /// The file of volume `r`, as the pool knows it (never a path a client names).
    fn vol_file(&self, r: &StorageVolRef) -> Result<PathBuf> {
        self.with_vol(r, |p, i| {
            let v = &p.volumes[i];
            v.path
                .as_ref()
                .map(PathBuf::from)
                .ok_or_else(|| no_vol("name", &v.name))
        })
    }

    fn find_vol(&self, what: &str, value: &str) -> Result<StorageVolRef> {
        let pools = self.state.lock();
        pools
            .iter()
            .filter(|p| p.active)
            .find_map(|p| {
                p.volumes
                    .iter()
                    .find(|v| v.key.as_deref() == Some(value) || v.path.as_deref() == Some(value))
                    .map(|v| vol_ref(p, v))
            })
            .ok_or_else(|| no_vol(what, value))
    }

    /// Re-probes volume `name` of `p` after a change and records it.
    fn reprobe(p: &mut Pool, name: &str, path: &std::path::Path) -> Result<StorageVolRef> {
        let v = probe::volume(name, path).ok_or_else(|| no_vol("name", name))?;
        let r = vol_ref(p, &v);
        p.volumes.retain(|x| x.name != name);
        p.volumes.push(v);
        p.volumes.sort_by(|a, b| a.name.cmp(&b.name));
        let mut sizes = p.clone();
        if backend::refresh(&mut sizes).is_ok() {
            p.def.capacity = sizes.def.capacity;
            p.def.allocation = sizes.def.allocation;
            p.def.available = sizes.def.available;
        }
        Ok(r)
    }

    fn create_vol(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        clone: Option<&StorageVolRef>,
    ) -> Result<StorageVolRef> {
        let vol = VolDef::from_xml(xml)?;
        let source = match clone {
            Some(c) => Some(self.with_vol(c, |p, i| {
                let v = &p.volumes[i];
                Ok((
                    PathBuf::from(v.path.clone().unwrap_or_default()),
                    v.format.clone().unwrap_or_else(|| "raw".into()),
                    v.capacity,
                ))
            })?),
            None => None,
        };
        if source.is_some() && vol.encryption.is_some() {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                D,
                "cloning into an encrypted volume is not supported",
            ));
        }
        // Read before the pools are locked: the secret driver is asked through core.
        let secret = crate::encryption::secret(&vol, &self.state.root().join("run/storage"))?;
        self.with_pool(pool, |p| {
            if !p.active {
                return Err(not_active(&p.def.name));
            }
            if p.volumes.iter().any(|v| v.name == vol.name) {
                return Err(Error::new(
                    ErrorCode::StorageVolExist,
                    D,
                    format!("'{}'", vol.name),
                ));
            }
            let path = volumes::path_for(&p.def, &vol.name)?;
            if std::fs::symlink_metadata(&path).is_ok() {
                return Err(Error::new(
                    ErrorCode::StorageVolExist,
                    D,
                    format!("'{}'", vol.name),
                ));
            }
            match &source {
                Some((src, fmt, cap)) => {
                    let mut v = vol.clone();
                    v.capacity = v.capacity.max(*cap);
                    volumes::clone(&path, &v, src, fmt)?
                }
                None => volumes::create(&path, &vol, secret.as_ref())?,
            }
            let r = Self::reprobe(p, &vol.name, &path)?;
            if secret.is_some() {
                // Until the next refresh the volume names its secret, as libvirt's
                // keeps the definition it was created from.
                if let Some(v) = p.volumes.iter_mut().find(|v| v.name == vol.name) {
                    v.encryption = vol.encryption.clone();
                }
            }
            Ok(r)
        })
    }
}

impl StorageDriver for StorageConn {
    fn list_all_storage_pools(&self, flags: u32) -> Result<Vec<StoragePoolRef>> {
        check(flags, (1 << 19) - 1, "storageConnectListAllStoragePools")?;
        self.list_pools(flags)
    }

    fn storage_pool_capabilities(&self, flags: u32) -> Result<String> {
        check(flags, 0, "storageConnectGetStoragePoolCapabilities")?;
        Ok(crate::caps::XML.to_string())
    }

    fn lookup_storage_pool_by_name(&self, name: &str) -> Result<StoragePoolRef> {
        self.find_pool("name", name, |p| p.def.name == name)
    }

    fn lookup_storage_pool_by_uuid(&self, uuid: &Uuid) -> Result<StoragePoolRef> {
        self.lookup_uuid(uuid)
    }

    fn lookup_storage_pool_by_volume(&self, vol: &StorageVolRef) -> Result<StoragePoolRef> {
        self.find_pool("name", &vol.pool, |p| p.def.name == vol.pool)
    }

    fn lookup_storage_pool_by_target_path(&self, path: &str) -> Result<StoragePoolRef> {
        let clean = rvirt_core::objconf::sanitize_path(path);
        self.find_pool("target path", path, |p| {
            p.active && p.def.target_path.as_deref() == Some(clean.as_str())
        })
    }

    fn storage_pool_define_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        check(flags, 1, "storagePoolDefineXML")?;
        self.define(xml)
    }

    fn storage_pool_create_xml(&self, xml: &str, flags: u32) -> Result<StoragePoolRef> {
        check(flags, 7, "storagePoolCreateXML")?;
        self.create_transient(xml, flags)
    }

    fn storage_pool_build(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check(flags, 0xf, "storagePoolBuild")?;
        self.build(pool, flags)
    }

    fn storage_pool_undefine(&self, pool: &StoragePoolRef) -> Result<()> {
        self.undefine(pool)
    }

    fn storage_pool_create(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check(flags, 7, "storagePoolCreate")?;
        self.start(pool, flags)
    }

    fn storage_pool_destroy(&self, pool: &StoragePoolRef) -> Result<()> {
        self.stop(pool)
    }

    fn storage_pool_delete(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check(flags, 1, "storagePoolDelete")?;
        self.delete(pool)
    }

    fn storage_pool_refresh(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check(flags, 0, "storagePoolRefresh")?;
        self.refresh(pool)
    }

    fn storage_pool_info(&self, pool: &StoragePoolRef) -> Result<StoragePoolInfo> {
        self.info(pool)
    }

    fn storage_pool_xml_desc(&self, pool: &StoragePoolRef, flags: u32) -> Result<String> {
        check(flags, XML_INACTIVE, "storagePoolGetXMLDesc")?;
        self.with_pool(pool, |p| Ok(p.def.to_xml()))
    }

    fn storage_pool_autostart(&self, pool: &StoragePoolRef) -> Result<bool> {
        self.with_pool(pool, |p| Ok(p.autostart))
    }

    fn storage_pool_set_autostart(&self, pool: &StoragePoolRef, autostart: bool) -> Result<()> {
        self.set_autostart(pool, autostart)
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
        check(flags, 0, "storagePoolListAllVolumes")?;
        self.with_pool(pool, |p| {
            if !p.active {
                return Err(not_active(&p.def.name));
            }
            Ok(p.volumes.iter().map(|v| vol_ref(p, v)).collect())
        })
    }

    fn storage_vol_lookup_by_name(
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
                .map(|v| vol_ref(p, v))
                .ok_or_else(|| no_vol("name", name))
        })
    }

    fn storage_vol_lookup_by_key(&self, key: &str) -> Result<StorageVolRef> {
        self.find_vol("key", key)
    }

    fn storage_vol_lookup_by_path(&self, path: &str) -> Result<StorageVolRef> {
        self.find_vol("path", &rvirt_core::objconf::sanitize_path(path))
    }

    fn storage_vol_create_xml(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        flags: u32,
    ) -> Result<StorageVolRef> {
        // VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA | _REFLINK.
        check(flags, 1 | 2, "storageVolCreateXML")?;
        self.create_vol(pool, xml, None)
    }

    fn storage_vol_create_xml_from(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        clone: &StorageVolRef,
        flags: u32,
    ) -> Result<StorageVolRef> {
        check(flags, 1 | 2, "storageVolCreateXMLFrom")?;
        self.create_vol(pool, xml, Some(clone))
    }

    fn storage_vol_delete(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        check(flags, 0, "storageVolDelete")?;
        self.with_vol(vol, |p, i| {
            volumes::delete(std::path::Path::new(
                p.volumes[i].path.as_deref().unwrap_or_default(),
            ))?;
            p.volumes.remove(i);
            Ok(())
        })
    }

    fn storage_vol_wipe(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        self.storage_vol_wipe_pattern(vol, 0, flags)
    }

    fn storage_vol_wipe_pattern(
        &self,
        vol: &StorageVolRef,
        algorithm: u32,
        flags: u32,
    ) -> Result<()> {
        check(flags, 0, "storageVolWipePattern")?;
        if algorithm != 0 {
            return Err(Error::new(
                ErrorCode::NoSupport,
                D,
                format!("wiping algorithm {algorithm} is not supported"),
            ));
        }
        self.with_vol(vol, |p, i| {
            let v = p.volumes[i].clone();
            let path = PathBuf::from(v.path.clone().unwrap_or_default());
            volumes::wipe(&path, &v)?;
            Self::reprobe(p, &v.name, &path).map(|_| ())
        })
    }

    fn storage_vol_info(&self, vol: &StorageVolRef) -> Result<StorageVolInfo> {
        self.storage_vol_info_flags(vol, 0)
    }

    fn storage_vol_info_flags(&self, vol: &StorageVolRef, flags: u32) -> Result<StorageVolInfo> {
        check(flags, GET_PHYSICAL, "storageVolGetInfoFlags")?;
        self.with_vol(vol, |p, i| {
            let v = &p.volumes[i];
            Ok(StorageVolInfo {
                vol_type: v.type_number(),
                capacity: v.capacity,
                allocation: if flags & GET_PHYSICAL != 0 {
                    v.physical.unwrap_or(0)
                } else {
                    v.allocation.unwrap_or(0)
                },
            })
        })
    }

    fn storage_vol_xml_desc(&self, vol: &StorageVolRef, flags: u32) -> Result<String> {
        check(flags, 0, "storageVolGetXMLDesc")?;
        self.with_vol(vol, |p, i| Ok(p.volumes[i].to_xml()))
    }

    fn storage_vol_path(&self, vol: &StorageVolRef) -> Result<String> {
        self.with_vol(vol, |p, i| {
            Ok(p.volumes[i].path.clone().unwrap_or_default())
        })
    }

    fn storage_vol_resize(&self, vol: &StorageVolRef, capacity: u64, flags: u32) -> Result<()> {
        check(flags, 7, "storageVolResize")?;
        self.with_vol(vol, |p, i| {
            let v = p.volumes[i].clone();
            let path = PathBuf::from(v.path.clone().unwrap_or_default());
            volumes::resize(&path, &v, capacity, flags)?;
            Self::reprobe(p, &v.name, &path).map(|_| ())
        })
    }

    fn storage_vol_upload(
        &self,
        vol: &StorageVolRef,
        offset: u64,
        length: u64,
        flags: u32,
    ) -> Result<Stream> {
        check(flags, SPARSE_STREAM, "storageVolUpload")?;
        let path = self.vol_file(vol)?;
        let file = transfer::open(&path, offset, true)?;
        let state = self.state.clone();
        let r = vol.clone();
        // libvirt refreshes the volume once the upload is complete.
        let refresh: OnFinish = Box::new(move || {
            StorageConn { state }.with_vol(&r, |p, _| Self::reprobe(p, &r.name, &path).map(|_| ()))
        });
        let mut local = LocalStream::new(LocalSource::Writer {
            file,
            remaining: transfer::span(length),
            sparse: flags & SPARSE_STREAM != 0,
        });
        local.on_finish = Some(refresh);
        Ok(Stream::local(local, None))
    }

    fn storage_vol_download(
        &self,
        vol: &StorageVolRef,
        offset: u64,
        length: u64,
        flags: u32,
    ) -> Result<Stream> {
        check(flags, SPARSE_STREAM, "storageVolDownload")?;
        let path = self.vol_file(vol)?;
        let file = transfer::open(&path, offset, false)?;
        let local = LocalStream::new(LocalSource::Reader {
            file,
            remaining: transfer::span(length),
            sparse: flags & SPARSE_STREAM != 0,
        });
        Ok(Stream::local(local, None))
    }
}

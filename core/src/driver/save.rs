//! [`SaveRestore`]: a domain's memory state to a file and back (`virDomainSave*`,
//! `virDomainRestore*`, `virDomainSaveImage*`) and the managed save image a driver
//! keeps itself (`virDomainManagedSave*`). A driver opts in through
//! [`DriverConnection::save_restore`](super::DriverConnection::save_restore); every
//! method defaults to `VIR_ERR_NO_SUPPORT` naming the API, as libvirt answers for a
//! driver without it.

use crate::{Error, ErrorDomain, Result};

use super::DomainRef;

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Domain, api.to_string()))
}

/// Save, restore and managed save of one driver connection.
#[allow(unused_variables)]
pub trait SaveRestore: Send + Sync {
    /// Saves the running domain's state to `path` and stops it (`virDomainSave`).
    fn save(&self, dom: &DomainRef, path: &str) -> Result<()> {
        self.save_flags(dom, path, None, 0)
    }
    /// [`save`](Self::save) with an alternative XML for the image and
    /// `virDomainSaveRestoreFlags` (`virDomainSaveFlags`).
    fn save_flags(
        &self,
        dom: &DomainRef,
        path: &str,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSaveFlags")
    }
    /// Starts the domain saved in `path` (`virDomainRestore`).
    fn restore(&self, path: &str) -> Result<()> {
        self.restore_flags(path, None, 0)
    }
    /// [`restore`](Self::restore) with an alternative XML and flags
    /// (`virDomainRestoreFlags`).
    fn restore_flags(&self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        unsupported("virDomainRestoreFlags")
    }
    /// The domain XML stored in the image at `path` (`virDomainSaveImageGetXMLDesc`).
    fn save_image_xml_desc(&self, path: &str, flags: u32) -> Result<String> {
        unsupported("virDomainSaveImageGetXMLDesc")
    }
    /// Replaces the domain XML stored in the image at `path`
    /// (`virDomainSaveImageDefineXML`).
    fn save_image_define_xml(&self, path: &str, dxml: &str, flags: u32) -> Result<()> {
        unsupported("virDomainSaveImageDefineXML")
    }
    /// Saves the running persistent domain to an image the driver keeps; its next
    /// start resumes from it (`virDomainManagedSave`).
    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainManagedSave")
    }
    /// Whether the domain has a managed save image (`virDomainHasManagedSaveImage`).
    fn has_managed_save_image(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        unsupported("virDomainHasManagedSaveImage")
    }
    /// Writes the guest's memory to `path`: QEMU's migration stream, or with
    /// `VIR_DUMP_MEMORY_ONLY` an ELF or kdump core in `format`
    /// (`virDomainCoreDumpWithFormat`).
    fn core_dump(&self, dom: &DomainRef, path: &str, format: u32, flags: u32) -> Result<()> {
        unsupported("virDomainCoreDumpWithFormat")
    }
    /// The domain XML in the managed save image (`virDomainManagedSaveGetXMLDesc`).
    fn managed_save_xml_desc(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        unsupported("virDomainManagedSaveGetXMLDesc")
    }
    /// `virDomainSaveParams`: a save to `file` (with `dxml`, as
    /// [`save_flags`](Self::save_flags)), or without a file a managed save. A driver whose
    /// managed save takes no XML refuses `dxml` without `file`.
    fn save_params(
        &self,
        dom: &DomainRef,
        file: Option<&str>,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        match (file, dxml) {
            (Some(file), _) => self.save_flags(dom, file, dxml, flags),
            (None, None) => self.managed_save(dom, flags),
            (None, Some(_)) => unsupported("virDomainSaveParams"),
        }
    }
    /// Replaces the domain XML in the managed save image (`None`: keeps it) and, with
    /// `VIR_DOMAIN_SAVE_RUNNING` or `_PAUSED`, the state it restores the guest in
    /// (`virDomainManagedSaveDefineXML`).
    fn managed_save_define_xml(
        &self,
        dom: &DomainRef,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainManagedSaveDefineXML")
    }
    /// Drops the managed save image (`virDomainManagedSaveRemove`).
    fn managed_save_remove(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainManagedSaveRemove")
    }
}

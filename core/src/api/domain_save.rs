//! Save, restore and managed save: [`Domain`]'s calls and [`Connect`]'s restore and
//! save image calls, each after the read-only check.

use super::{Connect, Domain};
use crate::driver::SaveRestore;
use crate::{Error, ErrorDomain, Result};

impl Connect {
    /// The driver's save/restore operations, after the read-only check, or
    /// `VIR_ERR_NO_SUPPORT` naming `api`.
    fn save_restore(&self, api: &str) -> Result<&dyn SaveRestore> {
        self.check_writable(api)?;
        self.driver()?
            .save_restore()
            .ok_or_else(|| Error::no_support(ErrorDomain::Domain, api.to_string()))
    }

    /// Starts the domain saved in `path` (`virDomainRestore`).
    pub fn restore(&self, path: &str) -> Result<()> {
        self.save_restore("virDomainRestore")?.restore(path)
    }

    /// Starts the domain saved in `path`, optionally with another XML
    /// (`virDomainRestoreFlags`).
    pub fn restore_flags(&self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        self.save_restore("virDomainRestoreFlags")?
            .restore_flags(path, dxml, flags)
    }

    /// The domain XML of the save image at `path` (`virDomainSaveImageGetXMLDesc`).
    pub fn save_image_xml_desc(&self, path: &str, flags: u32) -> Result<String> {
        self.save_restore("virDomainSaveImageGetXMLDesc")?
            .save_image_xml_desc(path, flags)
    }

    /// Replaces the domain XML of the save image at `path`
    /// (`virDomainSaveImageDefineXML`).
    pub fn save_image_define_xml(&self, path: &str, dxml: &str, flags: u32) -> Result<()> {
        self.save_restore("virDomainSaveImageDefineXML")?
            .save_image_define_xml(path, dxml, flags)
    }
}

impl Domain {
    fn save_restore(&self, api: &str) -> Result<&dyn SaveRestore> {
        self.connect().save_restore(api)
    }

    /// Saves the running domain to `path` and stops it (`virDomainSave`).
    pub fn save(&self, path: &str) -> Result<()> {
        self.save_restore("virDomainSave")?
            .save(self.domain_ref(), path)
    }

    /// [`save`](Self::save) with another XML and flags (`virDomainSaveFlags`).
    pub fn save_flags(&self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        self.save_restore("virDomainSaveFlags")?
            .save_flags(self.domain_ref(), path, dxml, flags)
    }

    /// Saves the running domain to an image its driver keeps (`virDomainManagedSave`).
    pub fn managed_save(&self, flags: u32) -> Result<()> {
        self.save_restore("virDomainManagedSave")?
            .managed_save(self.domain_ref(), flags)
    }

    /// Whether a managed save image exists (`virDomainHasManagedSaveImage`); allowed on
    /// read-only connections.
    pub fn has_managed_save_image(&self, flags: u32) -> Result<bool> {
        self.connect()
            .driver()?
            .save_restore()
            .ok_or_else(|| Error::no_support(ErrorDomain::Domain, "virDomainHasManagedSaveImage"))?
            .has_managed_save_image(self.domain_ref(), flags)
    }

    /// Writes the guest's memory to `path` (`virDomainCoreDump`; flags
    /// `VIR_DUMP_CRASH` 1, `_LIVE` 2, `_BYPASS_CACHE` 4, `_RESET` 8, `_MEMORY_ONLY` 16).
    pub fn core_dump(&self, path: &str, flags: u32) -> Result<()> {
        self.save_restore("virDomainCoreDump")?
            .core_dump(self.domain_ref(), path, 0, flags)
    }

    /// [`Self::core_dump`] in `format` (`virDomainCoreDumpWithFormat`: 0 raw/ELF,
    /// 1-3 kdump compressed with zlib, lzo or snappy, 4 Windows dump; not raw only
    /// with `VIR_DUMP_MEMORY_ONLY`).
    pub fn core_dump_with_format(&self, path: &str, format: u32, flags: u32) -> Result<()> {
        self.save_restore("virDomainCoreDumpWithFormat")?.core_dump(
            self.domain_ref(),
            path,
            format,
            flags,
        )
    }

    /// The domain XML in the managed save image (`virDomainManagedSaveGetXMLDesc`;
    /// `VIR_DOMAIN_XML_SECURE` needs a read-write connection).
    pub fn managed_save_xml_desc(&self, flags: u32) -> Result<String> {
        if flags & crate::api::XmlFlags::SECURE != 0 {
            self.connect()
                .check_writable("virDomainManagedSaveGetXMLDesc")?;
        }
        self.connect()
            .driver()?
            .save_restore()
            .ok_or_else(|| {
                Error::no_support(ErrorDomain::Domain, "virDomainManagedSaveGetXMLDesc")
            })?
            .managed_save_xml_desc(self.domain_ref(), flags)
    }

    /// Drops the managed save image (`virDomainManagedSaveRemove`).
    pub fn managed_save_remove(&self, flags: u32) -> Result<()> {
        self.save_restore("virDomainManagedSaveRemove")?
            .managed_save_remove(self.domain_ref(), flags)
    }
}

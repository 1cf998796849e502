//! Save, restore and managed save: [`Domain`]'s calls and [`Connect`]'s restore and
//! save image calls, each after the read-only check.

use super::{Connect, Domain, TypedParam, TypedValue, validate_params};
use crate::driver::SaveRestore;
use crate::{Error, ErrorDomain, Result};

/// The typed parameters of `virDomainSaveParams` and `virDomainRestoreParams`.
const SAVE_PARAMS: [(&str, &str); 2] = [("file", "string"), ("dxml", "string")];

/// The `file` and `dxml` of save or restore `params`, checked as libvirt checks them.
fn file_and_dxml(params: &[TypedParam]) -> Result<(Option<&str>, Option<&str>)> {
    validate_params(params, &SAVE_PARAMS, ErrorDomain::Domain)?;
    let get = |name: &str| {
        params
            .iter()
            .find_map(|p| match (&p.value, p.field == name) {
                (TypedValue::String(s), true) => Some(s.as_str()),
                _ => None,
            })
    };
    Ok((get("file"), get("dxml")))
}

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

    /// Starts the domain saved in the `file` of `params`, with their `dxml` if any
    /// (`virDomainRestoreParams`).
    pub fn restore_params(&self, params: &[TypedParam], flags: u32) -> Result<()> {
        let ops = self.save_restore("virDomainRestoreParams")?;
        let (file, dxml) = file_and_dxml(params)?;
        let file = file.ok_or_else(|| {
            Error::invalid_arg(ErrorDomain::Domain, "missing path to restore from")
        })?;
        ops.restore_flags(file, dxml, flags)
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

    /// Saves the running domain to the `file` of `params` (with their `dxml` if any), or
    /// without a file to its managed save image (`virDomainSaveParams`).
    pub fn save_params(&self, params: &[TypedParam], flags: u32) -> Result<()> {
        let ops = self.save_restore("virDomainSaveParams")?;
        let (file, dxml) = file_and_dxml(params)?;
        ops.save_params(self.domain_ref(), file, dxml, flags)
    }

    /// Replaces the domain XML in the managed save image (`None`: keeps it) and, with
    /// `VIR_DOMAIN_SAVE_RUNNING` or `_PAUSED`, the state it restores the guest in
    /// (`virDomainManagedSaveDefineXML`).
    pub fn managed_save_define_xml(&self, dxml: Option<&str>, flags: u32) -> Result<()> {
        self.save_restore("virDomainManagedSaveDefineXML")?
            .managed_save_define_xml(self.domain_ref(), dxml, flags)
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

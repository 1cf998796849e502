//! [`SaveRestore`] over the wire (the inverse of rvirtd's save handlers).

use rvirt_core::Result;
use rvirt_core::driver::{DomainRef, SaveRestore};
use rvirt_rpc::procs;
use rvirt_rpc::save::*;
use rvirt_rpc::types::DomainHasManagedSaveImageRet;

use crate::connection::RemoteConnection;
use crate::wire::to_wire;

impl SaveRestore for RemoteConnection {
    fn save(&self, dom: &DomainRef, path: &str) -> Result<()> {
        let args = DomainSaveArgs {
            dom: to_wire(dom),
            to: path.to_string(),
        };
        self.client().call(procs::DOMAIN_SAVE, &args)
    }

    fn save_flags(
        &self,
        dom: &DomainRef,
        path: &str,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        let args = DomainSaveFlagsArgs {
            dom: to_wire(dom),
            to: path.to_string(),
            dxml: dxml.map(str::to_string),
            flags,
        };
        self.client().call(procs::DOMAIN_SAVE_FLAGS, &args)
    }

    fn restore(&self, path: &str) -> Result<()> {
        let args = DomainRestoreArgs {
            from: path.to_string(),
        };
        self.client().call(procs::DOMAIN_RESTORE, &args)
    }

    fn restore_flags(&self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        let args = DomainRestoreFlagsArgs {
            from: path.to_string(),
            dxml: dxml.map(str::to_string),
            flags,
        };
        self.client().call(procs::DOMAIN_RESTORE_FLAGS, &args)
    }

    fn save_image_xml_desc(&self, path: &str, flags: u32) -> Result<String> {
        let args = DomainSaveImageGetXmlDescArgs {
            file: path.to_string(),
            flags,
        };
        let ret: DomainSaveImageGetXmlDescRet = self
            .client()
            .call(procs::DOMAIN_SAVE_IMAGE_GET_XML_DESC, &args)?;
        Ok(ret.xml)
    }

    fn save_image_define_xml(&self, path: &str, dxml: &str, flags: u32) -> Result<()> {
        let args = DomainSaveImageDefineXmlArgs {
            file: path.to_string(),
            dxml: dxml.to_string(),
            flags,
        };
        self.client()
            .call(procs::DOMAIN_SAVE_IMAGE_DEFINE_XML, &args)
    }

    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.dom_flags_call(procs::DOMAIN_MANAGED_SAVE, dom, flags)
    }

    fn has_managed_save_image(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        let ret: DomainHasManagedSaveImageRet =
            self.dom_flags_call(procs::DOMAIN_HAS_MANAGED_SAVE_IMAGE, dom, flags)?;
        Ok(ret.result != 0)
    }

    fn core_dump(&self, dom: &DomainRef, path: &str, format: u32, flags: u32) -> Result<()> {
        let args = rvirt_rpc::save::DomainCoreDumpWithFormatArgs {
            dom: crate::wire::to_wire(dom),
            to: path.to_string(),
            dumpformat: format,
            flags,
        };
        self.client()
            .call(procs::DOMAIN_CORE_DUMP_WITH_FORMAT, &args)
    }

    fn managed_save_xml_desc(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        let ret: rvirt_rpc::save::DomainManagedSaveGetXmlDescRet =
            self.dom_flags_call(procs::DOMAIN_MANAGED_SAVE_GET_XML_DESC, dom, flags)?;
        Ok(ret.xml)
    }

    fn managed_save_define_xml(
        &self,
        dom: &DomainRef,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::save::DomainManagedSaveDefineXmlArgs {
            dom: crate::wire::to_wire(dom),
            dxml: dxml.map(str::to_string),
            flags,
        };
        self.client()
            .call(procs::DOMAIN_MANAGED_SAVE_DEFINE_XML, &args)
    }

    fn save_params(
        &self,
        dom: &DomainRef,
        file: Option<&str>,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        use rvirt_rpc::typed_param::{TypedParam, TypedParamValue};
        let params = [("file", file), ("dxml", dxml)]
            .into_iter()
            .filter_map(|(k, v)| Some(TypedParam::new(k, TypedParamValue::String(v?.to_string()))))
            .collect();
        let args = rvirt_rpc::save::DomainSaveParamsArgs {
            dom: crate::wire::to_wire(dom),
            params,
            flags,
        };
        self.client().call(procs::DOMAIN_SAVE_PARAMS, &args)
    }

    fn managed_save_remove(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.dom_flags_call(procs::DOMAIN_MANAGED_SAVE_REMOVE, dom, flags)
    }
}

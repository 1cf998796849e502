//! [`NwFilter`] and [`NwFilterBinding`] handles and the network filter calls of
//! [`Connect`].

use uuid::Uuid;

use super::Connect;
use super::secondary::handle;
use crate::driver::{NwFilterBindingRef, NwFilterRef};
use crate::{ErrorDomain, Result};

const D: ErrorDomain = ErrorDomain::Nwfilter;

handle!(
    /// A network filter (libvirt's `virNWFilterPtr`).
    NwFilter,
    NwFilterRef
);

handle!(
    /// A network filter binding (libvirt's `virNWFilterBindingPtr`).
    NwFilterBinding,
    NwFilterBindingRef
);

impl Connect {
    /// Every network filter.
    pub fn list_all_nwfilters(&self, flags: u32) -> Result<Vec<NwFilter>> {
        let refs = self
            .nwfilter_driver("virConnectListAllNWFilters")?
            .list_all_nwfilters(flags)?;
        Ok(refs
            .into_iter()
            .map(|r| NwFilter::from_ref(self.clone(), r))
            .collect())
    }

    /// A filter by name.
    pub fn lookup_nwfilter_by_name(&self, name: &str) -> Result<NwFilter> {
        let r = self
            .nwfilter_driver("virNWFilterLookupByName")?
            .nwfilter_lookup_by_name(name)?;
        Ok(NwFilter::from_ref(self.clone(), r))
    }

    /// A filter by UUID.
    pub fn lookup_nwfilter_by_uuid(&self, uuid: &Uuid) -> Result<NwFilter> {
        let r = self
            .nwfilter_driver("virNWFilterLookupByUUID")?
            .nwfilter_lookup_by_uuid(uuid)?;
        Ok(NwFilter::from_ref(self.clone(), r))
    }

    /// Defines (or redefines) a filter (`virNWFilterDefineXML[Flags]`).
    pub fn nwfilter_define_xml(&self, xml: &str, flags: u32) -> Result<NwFilter> {
        let api = "virNWFilterDefineXML";
        self.deny_read_only(D, api)?;
        let r = self.nwfilter_driver(api)?.nwfilter_define_xml(xml, flags)?;
        Ok(NwFilter::from_ref(self.clone(), r))
    }

    /// Every binding.
    pub fn list_all_nwfilter_bindings(&self, flags: u32) -> Result<Vec<NwFilterBinding>> {
        let refs = self
            .nwfilter_driver("virConnectListAllNWFilterBindings")?
            .list_all_nwfilter_bindings(flags)?;
        Ok(refs
            .into_iter()
            .map(|r| NwFilterBinding::from_ref(self.clone(), r))
            .collect())
    }

    /// A binding by port device.
    pub fn lookup_nwfilter_binding_by_port_dev(&self, dev: &str) -> Result<NwFilterBinding> {
        let r = self
            .nwfilter_driver("virNWFilterBindingLookupByPortDev")?
            .nwfilter_binding_lookup_by_port_dev(dev)?;
        Ok(NwFilterBinding::from_ref(self.clone(), r))
    }

    /// Creates a binding.
    pub fn nwfilter_binding_create_xml(&self, xml: &str, flags: u32) -> Result<NwFilterBinding> {
        let api = "virNWFilterBindingCreateXML";
        self.deny_read_only(D, api)?;
        let r = self
            .nwfilter_driver(api)?
            .nwfilter_binding_create_xml(xml, flags)?;
        Ok(NwFilterBinding::from_ref(self.clone(), r))
    }
}

impl NwFilter {
    /// Name.
    pub fn name(&self) -> &str {
        &self.r.name
    }

    /// UUID.
    pub fn uuid(&self) -> &Uuid {
        &self.r.uuid
    }

    /// Its XML.
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .nwfilter_driver("virNWFilterGetXMLDesc")?
            .nwfilter_xml_desc(&self.r, flags)
    }

    /// Removes it.
    pub fn undefine(&self) -> Result<()> {
        let api = "virNWFilterUndefine";
        self.conn.deny_read_only(D, api)?;
        self.conn.nwfilter_driver(api)?.nwfilter_undefine(&self.r)
    }
}

impl NwFilterBinding {
    /// The port device.
    pub fn port_dev(&self) -> &str {
        &self.r.port_dev
    }

    /// The filter's name.
    pub fn filter_name(&self) -> &str {
        &self.r.filter
    }

    /// Its XML.
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .nwfilter_driver("virNWFilterBindingGetXMLDesc")?
            .nwfilter_binding_xml_desc(&self.r, flags)
    }

    /// Deletes it.
    pub fn delete(&self) -> Result<()> {
        let api = "virNWFilterBindingDelete";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .nwfilter_driver(api)?
            .nwfilter_binding_delete(&self.r)
    }
}

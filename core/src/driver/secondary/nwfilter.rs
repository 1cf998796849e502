//! [`NwFilterDriver`]: network filters and their bindings (libvirt's
//! `virNWFilterDriver`).

use uuid::Uuid;

use super::refs::{NwFilterBindingRef, NwFilterRef};
use crate::{Error, ErrorDomain, Result};

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Nwfilter, api))
}

/// The network filter operations of one connection. Every method defaults to
/// `VIR_ERR_NO_SUPPORT` in `VIR_FROM_NWFILTER`, naming libvirt's function.
#[allow(unused_variables)]
pub trait NwFilterDriver: Send + Sync {
    /// Every filter.
    fn list_all_nwfilters(&self, flags: u32) -> Result<Vec<NwFilterRef>> {
        unsupported("virConnectListAllNWFilters")
    }
    /// A filter by name.
    fn nwfilter_lookup_by_name(&self, name: &str) -> Result<NwFilterRef> {
        unsupported("virNWFilterLookupByName")
    }
    /// A filter by UUID.
    fn nwfilter_lookup_by_uuid(&self, uuid: &Uuid) -> Result<NwFilterRef> {
        unsupported("virNWFilterLookupByUUID")
    }
    /// Defines (or redefines) a filter.
    fn nwfilter_define_xml(&self, xml: &str, flags: u32) -> Result<NwFilterRef> {
        unsupported("virNWFilterDefineXML")
    }
    /// Removes a filter.
    fn nwfilter_undefine(&self, filter: &NwFilterRef) -> Result<()> {
        unsupported("virNWFilterUndefine")
    }
    /// The XML.
    fn nwfilter_xml_desc(&self, filter: &NwFilterRef, flags: u32) -> Result<String> {
        unsupported("virNWFilterGetXMLDesc")
    }
    /// Every binding.
    fn list_all_nwfilter_bindings(&self, flags: u32) -> Result<Vec<NwFilterBindingRef>> {
        unsupported("virConnectListAllNWFilterBindings")
    }
    /// A binding by port device.
    fn nwfilter_binding_lookup_by_port_dev(&self, port_dev: &str) -> Result<NwFilterBindingRef> {
        unsupported("virNWFilterBindingLookupByPortDev")
    }
    /// Creates a binding.
    fn nwfilter_binding_create_xml(&self, xml: &str, flags: u32) -> Result<NwFilterBindingRef> {
        unsupported("virNWFilterBindingCreateXML")
    }
    /// A binding's XML.
    fn nwfilter_binding_xml_desc(
        &self,
        binding: &NwFilterBindingRef,
        flags: u32,
    ) -> Result<String> {
        unsupported("virNWFilterBindingGetXMLDesc")
    }
    /// Deletes a binding.
    fn nwfilter_binding_delete(&self, binding: &NwFilterBindingRef) -> Result<()> {
        unsupported("virNWFilterBindingDelete")
    }
}

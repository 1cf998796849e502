//! [`NwFilterConn`]: the network filter driver of one connection (a view on the host
//! state).

use std::sync::Arc;

use rvirt_core::driver::{NwFilterBindingRef, NwFilterDriver, NwFilterRef};
use rvirt_core::{Error, ErrorDomain, Result, Uuid};

use crate::state::{State, binding_ref, filter_ref};

/// `VIR_NWFILTER_DEFINE_VALIDATE`.
const DEFINE_VALIDATE: u32 = 1;

/// libvirt's `virCheckFlags`: unknown flags are `VIR_ERR_INVALID_ARG` naming the
/// driver function.
fn check(flags: u32, known: u32, function: &str) -> Result<()> {
    let unknown = flags & !known;
    if unknown != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Nwfilter,
            format!("unsupported flags (0x{unknown:x}) in function {function}"),
        ));
    }
    Ok(())
}

/// The network filter calls of one connection.
#[derive(Debug)]
pub(crate) struct NwFilterConn {
    pub(crate) state: Arc<State>,
}

impl NwFilterDriver for NwFilterConn {
    fn list_all_nwfilters(&self, flags: u32) -> Result<Vec<NwFilterRef>> {
        check(flags, 0, "nwfilterConnectListAllNWFilters")?;
        Ok(self.state.lock().filters.iter().map(filter_ref).collect())
    }

    fn nwfilter_lookup_by_name(&self, name: &str) -> Result<NwFilterRef> {
        self.state.by_name(name).map(|d| filter_ref(&d))
    }

    fn nwfilter_lookup_by_uuid(&self, uuid: &Uuid) -> Result<NwFilterRef> {
        self.state.by_uuid(uuid).map(|d| filter_ref(&d))
    }

    fn nwfilter_define_xml(&self, xml: &str, flags: u32) -> Result<NwFilterRef> {
        check(flags, DEFINE_VALIDATE, "nwfilterDefineXMLFlags")?;
        self.state.define(xml)
    }

    fn nwfilter_undefine(&self, filter: &NwFilterRef) -> Result<()> {
        self.state.undefine(&filter.uuid)
    }

    fn nwfilter_xml_desc(&self, filter: &NwFilterRef, flags: u32) -> Result<String> {
        check(flags, 0, "nwfilterGetXMLDesc")?;
        self.state.by_uuid(&filter.uuid).map(|d| d.to_xml())
    }

    fn list_all_nwfilter_bindings(&self, flags: u32) -> Result<Vec<NwFilterBindingRef>> {
        check(flags, 0, "nwfilterConnectListAllNWFilterBindings")?;
        Ok(self.state.lock().bindings.iter().map(binding_ref).collect())
    }

    fn nwfilter_binding_lookup_by_port_dev(&self, port_dev: &str) -> Result<NwFilterBindingRef> {
        self.state.binding(port_dev).map(|b| binding_ref(&b))
    }

    fn nwfilter_binding_create_xml(&self, xml: &str, flags: u32) -> Result<NwFilterBindingRef> {
        check(flags, DEFINE_VALIDATE, "nwfilterBindingCreateXML")?;
        self.state.create_binding(xml)
    }

    fn nwfilter_binding_xml_desc(
        &self,
        binding: &NwFilterBindingRef,
        flags: u32,
    ) -> Result<String> {
        check(flags, 0, "nwfilterBindingGetXMLDesc")?;
        self.state.binding(&binding.port_dev).map(|b| b.to_xml())
    }

    fn nwfilter_binding_delete(&self, binding: &NwFilterBindingRef) -> Result<()> {
        self.state.delete_binding(&binding.port_dev)
    }
}

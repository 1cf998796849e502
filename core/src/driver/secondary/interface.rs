//! [`InterfaceDriver`]: the host's network interfaces (libvirt's `virInterfaceDriver`).

use super::refs::InterfaceRef;
use crate::{Error, ErrorDomain, Result};

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Interface, api))
}

/// The host interface operations of one connection. Every method defaults to
/// `VIR_ERR_NO_SUPPORT` in `VIR_FROM_INTERFACE`, naming libvirt's function.
#[allow(unused_variables)]
pub trait InterfaceDriver: Send + Sync {
    /// Interfaces matching `virConnectListAllInterfacesFlags` (1 inactive, 2 active).
    fn list_all_interfaces(&self, flags: u32) -> Result<Vec<InterfaceRef>> {
        unsupported("virConnectListAllInterfaces")
    }
    /// An interface by name.
    fn interface_lookup_by_name(&self, name: &str) -> Result<InterfaceRef> {
        unsupported("virInterfaceLookupByName")
    }
    /// An interface by MAC address.
    fn interface_lookup_by_mac(&self, mac: &str) -> Result<InterfaceRef> {
        unsupported("virInterfaceLookupByMACString")
    }
    /// The XML (`flags`: `VIR_INTERFACE_XML_INACTIVE` = 1).
    fn interface_xml_desc(&self, iface: &InterfaceRef, flags: u32) -> Result<String> {
        unsupported("virInterfaceGetXMLDesc")
    }
    /// Defines an interface.
    fn interface_define_xml(&self, xml: &str, flags: u32) -> Result<InterfaceRef> {
        unsupported("virInterfaceDefineXML")
    }
    /// Removes a definition.
    fn interface_undefine(&self, iface: &InterfaceRef) -> Result<()> {
        unsupported("virInterfaceUndefine")
    }
    /// Brings an interface up.
    fn interface_create(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        unsupported("virInterfaceCreate")
    }
    /// Brings an interface down.
    fn interface_destroy(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        unsupported("virInterfaceDestroy")
    }
    /// Whether it is up.
    fn interface_is_active(&self, iface: &InterfaceRef) -> Result<bool> {
        unsupported("virInterfaceIsActive")
    }
    /// Starts a transaction of interface changes.
    fn interface_change_begin(&self, flags: u32) -> Result<()> {
        unsupported("virInterfaceChangeBegin")
    }
    /// Commits the transaction.
    fn interface_change_commit(&self, flags: u32) -> Result<()> {
        unsupported("virInterfaceChangeCommit")
    }
    /// Rolls the transaction back.
    fn interface_change_rollback(&self, flags: u32) -> Result<()> {
        unsupported("virInterfaceChangeRollback")
    }
}

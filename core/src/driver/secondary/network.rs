//! [`NetworkDriver`]: virtual networks and their ports (libvirt's `virNetworkDriver`).

use uuid::Uuid;

use super::refs::{DhcpLease, NetworkPortRef, NetworkRef};
use crate::api::TypedParam;
use crate::{Error, ErrorDomain, Result};

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Network, api))
}

/// The network operations of one connection. Every method defaults to
/// `VIR_ERR_NO_SUPPORT` in `VIR_FROM_NETWORK`, naming libvirt's function.
#[allow(unused_variables)]
pub trait NetworkDriver: Send + Sync {
    /// Networks matching `virConnectListAllNetworksFlags`.
    fn list_all_networks(&self, flags: u32) -> Result<Vec<NetworkRef>> {
        unsupported("virConnectListAllNetworks")
    }
    /// A network by name (`VIR_ERR_NO_NETWORK` when none).
    fn lookup_network_by_name(&self, name: &str) -> Result<NetworkRef> {
        unsupported("virNetworkLookupByName")
    }
    /// A network by UUID.
    fn lookup_network_by_uuid(&self, uuid: &Uuid) -> Result<NetworkRef> {
        unsupported("virNetworkLookupByUUID")
    }
    /// Defines (or redefines) a persistent network.
    fn network_define_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        unsupported("virNetworkDefineXML")
    }
    /// Creates and starts a transient network.
    fn network_create_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        unsupported("virNetworkCreateXML")
    }
    /// Removes the persistent definition.
    fn network_undefine(&self, net: &NetworkRef) -> Result<()> {
        unsupported("virNetworkUndefine")
    }
    /// Starts a defined network.
    fn network_create(&self, net: &NetworkRef) -> Result<()> {
        unsupported("virNetworkCreate")
    }
    /// Stops a network.
    fn network_destroy(&self, net: &NetworkRef) -> Result<()> {
        unsupported("virNetworkDestroy")
    }
    /// The XML (`flags`: `VIR_NETWORK_XML_INACTIVE` = 1).
    fn network_xml_desc(&self, net: &NetworkRef, flags: u32) -> Result<String> {
        unsupported("virNetworkGetXMLDesc")
    }
    /// The bridge device name.
    fn network_bridge_name(&self, net: &NetworkRef) -> Result<String> {
        unsupported("virNetworkGetBridgeName")
    }
    /// Whether it starts with the host.
    fn network_autostart(&self, net: &NetworkRef) -> Result<bool> {
        unsupported("virNetworkGetAutostart")
    }
    /// Sets autostart.
    fn network_set_autostart(&self, net: &NetworkRef, autostart: bool) -> Result<()> {
        unsupported("virNetworkSetAutostart")
    }
    /// Whether it runs.
    fn network_is_active(&self, net: &NetworkRef) -> Result<bool> {
        unsupported("virNetworkIsActive")
    }
    /// Whether it has a persistent definition.
    fn network_is_persistent(&self, net: &NetworkRef) -> Result<bool> {
        unsupported("virNetworkIsPersistent")
    }
    /// Edits one section (`virNetworkUpdate`).
    fn network_update(
        &self,
        net: &NetworkRef,
        command: u32,
        section: u32,
        parent_index: i32,
        xml: &str,
        flags: u32,
    ) -> Result<()> {
        unsupported("virNetworkUpdate")
    }
    /// Current DHCP leases, optionally of one MAC address.
    fn network_dhcp_leases(
        &self,
        net: &NetworkRef,
        mac: Option<&str>,
        flags: u32,
    ) -> Result<Vec<DhcpLease>> {
        unsupported("virNetworkGetDHCPLeases")
    }
    /// The network's ports.
    fn network_list_all_ports(&self, net: &NetworkRef, flags: u32) -> Result<Vec<NetworkPortRef>> {
        unsupported("virNetworkListAllPorts")
    }
    /// A port by UUID.
    fn network_port_lookup_by_uuid(&self, net: &NetworkRef, uuid: &Uuid) -> Result<NetworkPortRef> {
        unsupported("virNetworkPortLookupByUUID")
    }
    /// Creates a port (a guest NIC plugging in).
    fn network_port_create_xml(
        &self,
        net: &NetworkRef,
        xml: &str,
        flags: u32,
    ) -> Result<NetworkPortRef> {
        unsupported("virNetworkPortCreateXML")
    }
    /// A port's XML.
    fn network_port_xml_desc(&self, port: &NetworkPortRef, flags: u32) -> Result<String> {
        unsupported("virNetworkPortGetXMLDesc")
    }
    /// Deletes a port (the guest NIC unplugged).
    fn network_port_delete(&self, port: &NetworkPortRef, flags: u32) -> Result<()> {
        unsupported("virNetworkPortDelete")
    }
    /// A port's bandwidth (`virNetworkPortGetParameters`: `inbound.average`, …).
    fn network_port_get_parameters(
        &self,
        port: &NetworkPortRef,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        unsupported("virNetworkPortGetParameters")
    }
    /// Changes a port's bandwidth (`virNetworkPortSetParameters`).
    fn network_port_set_parameters(
        &self,
        port: &NetworkPortRef,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        unsupported("virNetworkPortSetParameters")
    }
    /// The first callback for network event `event_id` was registered on the
    /// connection (`wanted`), or the last one went. Remote drivers subscribe here.
    fn network_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        Ok(())
    }
}

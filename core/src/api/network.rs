//! [`Network`] and [`NetworkPort`] handles, and the network calls of [`Connect`].

use uuid::Uuid;

use super::secondary::handle;
use super::{Connect, TypedParam};
use crate::driver::{DhcpLease, NetworkPortRef, NetworkRef};
use crate::{ErrorDomain, Result};

const D: ErrorDomain = ErrorDomain::Network;

handle!(
    /// A virtual network (libvirt's `virNetworkPtr`).
    Network,
    NetworkRef
);

handle!(
    /// A port of a virtual network (libvirt's `virNetworkPortPtr`).
    NetworkPort,
    NetworkPortRef
);

impl Connect {
    /// Networks matching `virConnectListAllNetworksFlags` (1 inactive, 2 active,
    /// 4 persistent, 8 transient, 16 autostart, 32 no autostart; 0 = all).
    pub fn list_all_networks(&self, flags: u32) -> Result<Vec<Network>> {
        let api = "virConnectListAllNetworks";
        let refs = self.network_driver(api)?.list_all_networks(flags)?;
        Ok(refs
            .into_iter()
            .map(|r| Network::from_ref(self.clone(), r))
            .collect())
    }

    /// A network by name (`VIR_ERR_NO_NETWORK` when there is none).
    pub fn lookup_network_by_name(&self, name: &str) -> Result<Network> {
        let r = self
            .network_driver("virNetworkLookupByName")?
            .lookup_network_by_name(name)?;
        Ok(Network::from_ref(self.clone(), r))
    }

    /// A network by UUID.
    pub fn lookup_network_by_uuid(&self, uuid: &Uuid) -> Result<Network> {
        let r = self
            .network_driver("virNetworkLookupByUUID")?
            .lookup_network_by_uuid(uuid)?;
        Ok(Network::from_ref(self.clone(), r))
    }

    /// Defines (or redefines) a persistent network (`virNetworkDefineXML[Flags]`).
    pub fn network_define_xml(&self, xml: &str, flags: u32) -> Result<Network> {
        let api = "virNetworkDefineXML";
        self.deny_read_only(D, api)?;
        let r = self.network_driver(api)?.network_define_xml(xml, flags)?;
        Ok(Network::from_ref(self.clone(), r))
    }

    /// Creates and starts a transient network (`virNetworkCreateXML[Flags]`).
    pub fn network_create_xml(&self, xml: &str, flags: u32) -> Result<Network> {
        let api = "virNetworkCreateXML";
        self.deny_read_only(D, api)?;
        let r = self.network_driver(api)?.network_create_xml(xml, flags)?;
        Ok(Network::from_ref(self.clone(), r))
    }
}

impl Network {
    /// Name.
    pub fn name(&self) -> &str {
        &self.r.name
    }

    /// UUID.
    pub fn uuid(&self) -> &Uuid {
        &self.r.uuid
    }

    /// Removes the persistent definition (`virNetworkUndefine`).
    pub fn undefine(&self) -> Result<()> {
        let api = "virNetworkUndefine";
        self.conn.deny_read_only(D, api)?;
        self.conn.network_driver(api)?.network_undefine(&self.r)
    }

    /// Starts it (`virNetworkCreate`).
    pub fn create(&self) -> Result<()> {
        let api = "virNetworkCreate";
        self.conn.deny_read_only(D, api)?;
        self.conn.network_driver(api)?.network_create(&self.r)
    }

    /// Stops it (`virNetworkDestroy`).
    pub fn destroy(&self) -> Result<()> {
        let api = "virNetworkDestroy";
        self.conn.deny_read_only(D, api)?;
        self.conn.network_driver(api)?.network_destroy(&self.r)
    }

    /// Its XML (`virNetworkGetXMLDesc`).
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .network_driver("virNetworkGetXMLDesc")?
            .network_xml_desc(&self.r, flags)
    }

    /// Its bridge device (`virNetworkGetBridgeName`).
    pub fn bridge_name(&self) -> Result<String> {
        self.conn
            .network_driver("virNetworkGetBridgeName")?
            .network_bridge_name(&self.r)
    }

    /// Whether it starts with the host.
    pub fn autostart(&self) -> Result<bool> {
        self.conn
            .network_driver("virNetworkGetAutostart")?
            .network_autostart(&self.r)
    }

    /// Sets autostart (`virNetworkSetAutostart`).
    pub fn set_autostart(&self, autostart: bool) -> Result<()> {
        let api = "virNetworkSetAutostart";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .network_driver(api)?
            .network_set_autostart(&self.r, autostart)
    }

    /// Whether it runs.
    pub fn is_active(&self) -> Result<bool> {
        self.conn
            .network_driver("virNetworkIsActive")?
            .network_is_active(&self.r)
    }

    /// Whether it has a persistent definition.
    pub fn is_persistent(&self) -> Result<bool> {
        self.conn
            .network_driver("virNetworkIsPersistent")?
            .network_is_persistent(&self.r)
    }

    /// Edits one section of it (`virNetworkUpdate`).
    pub fn update(
        &self,
        command: u32,
        section: u32,
        parent_index: i32,
        xml: &str,
        flags: u32,
    ) -> Result<()> {
        let api = "virNetworkUpdate";
        self.conn.deny_read_only(D, api)?;
        self.conn.network_driver(api)?.network_update(
            &self.r,
            command,
            section,
            parent_index,
            xml,
            flags,
        )
    }

    /// Its DHCP leases, optionally of one MAC address (`virNetworkGetDHCPLeases`).
    pub fn dhcp_leases(&self, mac: Option<&str>, flags: u32) -> Result<Vec<DhcpLease>> {
        self.conn
            .network_driver("virNetworkGetDHCPLeases")?
            .network_dhcp_leases(&self.r, mac, flags)
    }

    /// Its ports (`virNetworkListAllPorts`).
    pub fn list_all_ports(&self, flags: u32) -> Result<Vec<NetworkPort>> {
        let refs = self
            .conn
            .network_driver("virNetworkListAllPorts")?
            .network_list_all_ports(&self.r, flags)?;
        Ok(refs
            .into_iter()
            .map(|r| NetworkPort::from_ref(self.conn.clone(), r))
            .collect())
    }

    /// A port by UUID.
    pub fn port_lookup_by_uuid(&self, uuid: &Uuid) -> Result<NetworkPort> {
        let r = self
            .conn
            .network_driver("virNetworkPortLookupByUUID")?
            .network_port_lookup_by_uuid(&self.r, uuid)?;
        Ok(NetworkPort::from_ref(self.conn.clone(), r))
    }

    /// Creates a port (`virNetworkPortCreateXML`).
    pub fn port_create_xml(&self, xml: &str, flags: u32) -> Result<NetworkPort> {
        let api = "virNetworkPortCreateXML";
        self.conn.deny_read_only(D, api)?;
        let r = self
            .conn
            .network_driver(api)?
            .network_port_create_xml(&self.r, xml, flags)?;
        Ok(NetworkPort::from_ref(self.conn.clone(), r))
    }
}

impl NetworkPort {
    /// The port's UUID.
    pub fn uuid(&self) -> &Uuid {
        &self.r.uuid
    }

    /// The network it belongs to.
    pub fn network(&self) -> Network {
        Network::from_ref(self.conn.clone(), self.r.network.clone())
    }

    /// Its XML (`virNetworkPortGetXMLDesc`).
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .network_driver("virNetworkPortGetXMLDesc")?
            .network_port_xml_desc(&self.r, flags)
    }

    /// Its bandwidth parameters (`virNetworkPortGetParameters`).
    pub fn get_parameters(&self, flags: u32) -> Result<Vec<TypedParam>> {
        self.conn
            .network_driver("virNetworkPortGetParameters")?
            .network_port_get_parameters(&self.r, flags)
    }

    /// Changes its bandwidth parameters (`virNetworkPortSetParameters`).
    pub fn set_parameters(&self, params: &[TypedParam], flags: u32) -> Result<()> {
        let api = "virNetworkPortSetParameters";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .network_driver(api)?
            .network_port_set_parameters(&self.r, params, flags)
    }

    /// Deletes it (`virNetworkPortDelete`).
    pub fn delete(&self, flags: u32) -> Result<()> {
        let api = "virNetworkPortDelete";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .network_driver(api)?
            .network_port_delete(&self.r, flags)
    }
}

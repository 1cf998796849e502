//! [`Interface`] handles (host interfaces) and the interface calls of [`Connect`].

use super::Connect;
use super::secondary::handle;
use crate::driver::InterfaceRef;
use crate::{ErrorDomain, Result};

const D: ErrorDomain = ErrorDomain::Interface;

handle!(
    /// A host network interface (libvirt's `virInterfacePtr`).
    Interface,
    InterfaceRef
);

impl Connect {
    /// Interfaces matching `virConnectListAllInterfacesFlags` (1 inactive, 2 active).
    pub fn list_all_interfaces(&self, flags: u32) -> Result<Vec<Interface>> {
        let refs = self
            .interface_driver("virConnectListAllInterfaces")?
            .list_all_interfaces(flags)?;
        Ok(refs
            .into_iter()
            .map(|r| Interface::from_ref(self.clone(), r))
            .collect())
    }

    /// An interface by name (`VIR_ERR_NO_INTERFACE` when there is none).
    pub fn lookup_interface_by_name(&self, name: &str) -> Result<Interface> {
        let r = self
            .interface_driver("virInterfaceLookupByName")?
            .interface_lookup_by_name(name)?;
        Ok(Interface::from_ref(self.clone(), r))
    }

    /// An interface by MAC address.
    pub fn lookup_interface_by_mac(&self, mac: &str) -> Result<Interface> {
        let r = self
            .interface_driver("virInterfaceLookupByMACString")?
            .interface_lookup_by_mac(mac)?;
        Ok(Interface::from_ref(self.clone(), r))
    }

    /// Defines an interface (`virInterfaceDefineXML`).
    pub fn interface_define_xml(&self, xml: &str, flags: u32) -> Result<Interface> {
        let api = "virInterfaceDefineXML";
        self.deny_read_only(D, api)?;
        let r = self
            .interface_driver(api)?
            .interface_define_xml(xml, flags)?;
        Ok(Interface::from_ref(self.clone(), r))
    }

    /// Starts a transaction of interface changes.
    pub fn interface_change_begin(&self, flags: u32) -> Result<()> {
        let api = "virInterfaceChangeBegin";
        self.deny_read_only(D, api)?;
        self.interface_driver(api)?.interface_change_begin(flags)
    }

    /// Commits the transaction.
    pub fn interface_change_commit(&self, flags: u32) -> Result<()> {
        let api = "virInterfaceChangeCommit";
        self.deny_read_only(D, api)?;
        self.interface_driver(api)?.interface_change_commit(flags)
    }

    /// Rolls the transaction back.
    pub fn interface_change_rollback(&self, flags: u32) -> Result<()> {
        let api = "virInterfaceChangeRollback";
        self.deny_read_only(D, api)?;
        self.interface_driver(api)?.interface_change_rollback(flags)
    }
}

impl Interface {
    /// Name.
    pub fn name(&self) -> &str {
        &self.r.name
    }

    /// MAC address.
    pub fn mac(&self) -> &str {
        &self.r.mac
    }

    /// Its XML.
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .interface_driver("virInterfaceGetXMLDesc")?
            .interface_xml_desc(&self.r, flags)
    }

    /// Removes its definition.
    pub fn undefine(&self) -> Result<()> {
        let api = "virInterfaceUndefine";
        self.conn.deny_read_only(D, api)?;
        self.conn.interface_driver(api)?.interface_undefine(&self.r)
    }

    /// Brings it up.
    pub fn create(&self, flags: u32) -> Result<()> {
        let api = "virInterfaceCreate";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .interface_driver(api)?
            .interface_create(&self.r, flags)
    }

    /// Brings it down.
    pub fn destroy(&self, flags: u32) -> Result<()> {
        let api = "virInterfaceDestroy";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .interface_driver(api)?
            .interface_destroy(&self.r, flags)
    }

    /// Whether it is up.
    pub fn is_active(&self) -> Result<bool> {
        self.conn
            .interface_driver("virInterfaceIsActive")?
            .interface_is_active(&self.r)
    }
}

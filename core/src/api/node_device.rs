//! [`NodeDevice`] handles and the node device calls of [`Connect`].

use super::Connect;
use super::secondary::handle;
use crate::driver::NodeDeviceRef;
use crate::{ErrorDomain, Result};

const D: ErrorDomain = ErrorDomain::Nodedev;

handle!(
    /// A host device (libvirt's `virNodeDevicePtr`).
    NodeDevice,
    NodeDeviceRef
);

impl Connect {
    /// Devices matching `virConnectListAllNodeDeviceFlags` (capability bits; 0 = all).
    pub fn list_all_node_devices(&self, flags: u32) -> Result<Vec<NodeDevice>> {
        let refs = self
            .node_device_driver("virConnectListAllNodeDevices")?
            .list_all_node_devices(flags)?;
        Ok(refs
            .into_iter()
            .map(|r| NodeDevice::from_ref(self.clone(), r))
            .collect())
    }

    /// Names of devices with capability `cap` (`virNodeListDevices`).
    pub fn node_list_devices(&self, cap: Option<&str>, flags: u32) -> Result<Vec<String>> {
        self.node_device_driver("virNodeListDevices")?
            .node_list_devices(cap, flags)
    }

    /// A device by name.
    pub fn lookup_node_device_by_name(&self, name: &str) -> Result<NodeDevice> {
        let r = self
            .node_device_driver("virNodeDeviceLookupByName")?
            .node_device_lookup_by_name(name)?;
        Ok(NodeDevice::from_ref(self.clone(), r))
    }

    /// A SCSI host by its fibre channel names.
    pub fn lookup_scsi_host_by_wwn(
        &self,
        wwnn: &str,
        wwpn: &str,
        flags: u32,
    ) -> Result<NodeDevice> {
        let r = self
            .node_device_driver("virNodeDeviceLookupSCSIHostByWWN")?
            .node_device_lookup_scsi_host_by_wwn(wwnn, wwpn, flags)?;
        Ok(NodeDevice::from_ref(self.clone(), r))
    }

    /// Creates a device (`virNodeDeviceCreateXML`).
    pub fn node_device_create_xml(&self, xml: &str, flags: u32) -> Result<NodeDevice> {
        let api = "virNodeDeviceCreateXML";
        self.deny_read_only(D, api)?;
        let r = self
            .node_device_driver(api)?
            .node_device_create_xml(xml, flags)?;
        Ok(NodeDevice::from_ref(self.clone(), r))
    }

    /// Defines a persistent device (`virNodeDeviceDefineXML`).
    pub fn node_device_define_xml(&self, xml: &str, flags: u32) -> Result<NodeDevice> {
        let api = "virNodeDeviceDefineXML";
        self.deny_read_only(D, api)?;
        let r = self
            .node_device_driver(api)?
            .node_device_define_xml(xml, flags)?;
        Ok(NodeDevice::from_ref(self.clone(), r))
    }
}

impl NodeDevice {
    /// Name.
    pub fn name(&self) -> &str {
        &self.r.name
    }

    /// Its XML.
    pub fn xml_desc(&self, flags: u32) -> Result<String> {
        self.conn
            .node_device_driver("virNodeDeviceGetXMLDesc")?
            .node_device_xml_desc(&self.r, flags)
    }

    /// Its parent's name.
    pub fn parent(&self) -> Result<Option<String>> {
        self.conn
            .node_device_driver("virNodeDeviceGetParent")?
            .node_device_parent(&self.r)
    }

    /// Its capability names.
    pub fn list_caps(&self) -> Result<Vec<String>> {
        self.conn
            .node_device_driver("virNodeDeviceListCaps")?
            .node_device_list_caps(&self.r)
    }

    /// Destroys it (`virNodeDeviceDestroy`).
    pub fn destroy(&self) -> Result<()> {
        let api = "virNodeDeviceDestroy";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .node_device_driver(api)?
            .node_device_destroy(&self.r)
    }

    /// Removes its persistent definition.
    pub fn undefine(&self, flags: u32) -> Result<()> {
        let api = "virNodeDeviceUndefine";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .node_device_driver(api)?
            .node_device_undefine(&self.r, flags)
    }

    /// Starts a defined device.
    pub fn create(&self, flags: u32) -> Result<()> {
        let api = "virNodeDeviceCreate";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .node_device_driver(api)?
            .node_device_create(&self.r, flags)
    }

    /// Whether it is active.
    pub fn is_active(&self) -> Result<bool> {
        self.conn
            .node_device_driver("virNodeDeviceIsActive")?
            .node_device_is_active(&self.r)
    }

    /// Whether it is persistent.
    pub fn is_persistent(&self) -> Result<bool> {
        self.conn
            .node_device_driver("virNodeDeviceIsPersistent")?
            .node_device_is_persistent(&self.r)
    }

    /// Whether it starts with the host.
    pub fn autostart(&self) -> Result<bool> {
        self.conn
            .node_device_driver("virNodeDeviceGetAutostart")?
            .node_device_autostart(&self.r)
    }

    /// Sets autostart.
    pub fn set_autostart(&self, autostart: bool) -> Result<()> {
        let api = "virNodeDeviceSetAutostart";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .node_device_driver(api)?
            .node_device_set_autostart(&self.r, autostart)
    }

    /// Detaches it from its host driver.
    pub fn detach(&self, driver: Option<&str>, flags: u32) -> Result<()> {
        let api = "virNodeDeviceDetachFlags";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .node_device_driver(api)?
            .node_device_detach(&self.r, driver, flags)
    }

    /// Gives it back to its host driver.
    pub fn reattach(&self) -> Result<()> {
        let api = "virNodeDeviceReAttach";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .node_device_driver(api)?
            .node_device_reattach(&self.r)
    }

    /// Resets it.
    pub fn reset(&self) -> Result<()> {
        let api = "virNodeDeviceReset";
        self.conn.deny_read_only(D, api)?;
        self.conn
            .node_device_driver(api)?
            .node_device_reset(&self.r)
    }
}

//! [`NodeDeviceDriver`]: the host's devices (libvirt's `virNodeDeviceDriver`).

use super::refs::NodeDeviceRef;
use crate::{Error, ErrorDomain, Result};

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Nodedev, api))
}

/// The node device operations of one connection. Every method defaults to
/// `VIR_ERR_NO_SUPPORT` in `VIR_FROM_NODEDEV`, naming libvirt's function.
#[allow(unused_variables)]
pub trait NodeDeviceDriver: Send + Sync {
    /// Devices matching `virConnectListAllNodeDeviceFlags`.
    fn list_all_node_devices(&self, flags: u32) -> Result<Vec<NodeDeviceRef>> {
        unsupported("virConnectListAllNodeDevices")
    }
    /// Names of devices with capability `cap` (all with `None`), the old listing API.
    fn node_list_devices(&self, cap: Option<&str>, flags: u32) -> Result<Vec<String>> {
        unsupported("virNodeListDevices")
    }
    /// A device by name.
    fn node_device_lookup_by_name(&self, name: &str) -> Result<NodeDeviceRef> {
        unsupported("virNodeDeviceLookupByName")
    }
    /// A SCSI host by its fibre channel names.
    fn node_device_lookup_scsi_host_by_wwn(
        &self,
        wwnn: &str,
        wwpn: &str,
        flags: u32,
    ) -> Result<NodeDeviceRef> {
        unsupported("virNodeDeviceLookupSCSIHostByWWN")
    }
    /// The XML.
    fn node_device_xml_desc(&self, dev: &NodeDeviceRef, flags: u32) -> Result<String> {
        unsupported("virNodeDeviceGetXMLDesc")
    }
    /// The parent's name (`None` for the root).
    fn node_device_parent(&self, dev: &NodeDeviceRef) -> Result<Option<String>> {
        unsupported("virNodeDeviceGetParent")
    }
    /// The capability names.
    fn node_device_list_caps(&self, dev: &NodeDeviceRef) -> Result<Vec<String>> {
        unsupported("virNodeDeviceListCaps")
    }
    /// Creates a device (a vHBA, a mediated device).
    fn node_device_create_xml(&self, xml: &str, flags: u32) -> Result<NodeDeviceRef> {
        unsupported("virNodeDeviceCreateXML")
    }
    /// Destroys a created device.
    fn node_device_destroy(&self, dev: &NodeDeviceRef) -> Result<()> {
        unsupported("virNodeDeviceDestroy")
    }
    /// Defines a persistent device.
    fn node_device_define_xml(&self, xml: &str, flags: u32) -> Result<NodeDeviceRef> {
        unsupported("virNodeDeviceDefineXML")
    }
    /// Removes a persistent device definition.
    fn node_device_undefine(&self, dev: &NodeDeviceRef, flags: u32) -> Result<()> {
        unsupported("virNodeDeviceUndefine")
    }
    /// Starts a defined device.
    fn node_device_create(&self, dev: &NodeDeviceRef, flags: u32) -> Result<()> {
        unsupported("virNodeDeviceCreate")
    }
    /// Whether it is active.
    fn node_device_is_active(&self, dev: &NodeDeviceRef) -> Result<bool> {
        unsupported("virNodeDeviceIsActive")
    }
    /// Whether it is persistent.
    fn node_device_is_persistent(&self, dev: &NodeDeviceRef) -> Result<bool> {
        unsupported("virNodeDeviceIsPersistent")
    }
    /// Whether it starts with the host.
    fn node_device_autostart(&self, dev: &NodeDeviceRef) -> Result<bool> {
        unsupported("virNodeDeviceGetAutostart")
    }
    /// Sets autostart.
    fn node_device_set_autostart(&self, dev: &NodeDeviceRef, autostart: bool) -> Result<()> {
        unsupported("virNodeDeviceSetAutostart")
    }
    /// Detaches a PCI device from its host driver (`virNodeDeviceDetachFlags`).
    fn node_device_detach(
        &self,
        dev: &NodeDeviceRef,
        driver: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        unsupported("virNodeDeviceDettach")
    }
    /// Gives a detached device back to its host driver.
    fn node_device_reattach(&self, dev: &NodeDeviceRef) -> Result<()> {
        unsupported("virNodeDeviceReAttach")
    }
    /// Resets a device.
    fn node_device_reset(&self, dev: &NodeDeviceRef) -> Result<()> {
        unsupported("virNodeDeviceReset")
    }
    /// The first callback for node device event `event_id` was registered, or the
    /// last one went.
    fn node_device_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        Ok(())
    }
}

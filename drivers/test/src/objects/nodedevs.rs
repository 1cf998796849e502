//! Node devices of a test world (libvirt's `testNodeDevice*`): listed, looked up,
//! and fibre channel vHBAs created and destroyed.

use rvirt_core::api::{NodeDeviceEvent, NodeDeviceLifecycle, ObjectEvent};
use rvirt_core::driver::{NodeDeviceDriver, NodeDeviceRef};
use rvirt_core::objconf::{NODE_DEVICE_CAPS, NodeDeviceDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::TestObjects;
use crate::errors::check_flags;

/// The name libvirt's test driver gives every vHBA it creates.
const VHBA_NAME: &str = "scsi_host12";
/// The device a new vHBA copies its SCSI host facts from.
const VHBA_TEMPLATE: &str = "scsi_host11";

fn dev_ref(d: &NodeDeviceDef) -> NodeDeviceRef {
    NodeDeviceRef {
        name: d.name.clone(),
    }
}

fn no_device(name: &str) -> Error {
    Error::new(
        ErrorCode::NoNodeDevice,
        ErrorDomain::Test,
        format!("no node device with matching name '{name}'"),
    )
}

fn not_fc() -> Error {
    Error::internal(ErrorDomain::Nodedev, "Device is not a fibre channel HBA")
}

/// The `wwnn` and `wwpn` of a definition's fibre channel capability.
fn wwns(def: &NodeDeviceDef) -> Option<(String, String)> {
    def.caps.iter().find_map(|c| {
        let fc = c
            .all("capability")
            .find(|n| n.get("type") == Some("fc_host"))?;
        Some((fc.child_text("wwnn")?, fc.child_text("wwpn")?))
    })
}

impl TestObjects {
    fn with_device<T>(
        &self,
        dev: &NodeDeviceRef,
        f: impl FnOnce(&NodeDeviceDef) -> T,
    ) -> Result<T> {
        let objs = self.lock();
        let d = objs
            .devices
            .iter()
            .find(|d| d.name == dev.name)
            .ok_or_else(|| no_device(&dev.name))?;
        Ok(f(d))
    }
}

impl NodeDeviceDriver for TestObjects {
    fn list_all_node_devices(&self, flags: u32) -> Result<Vec<NodeDeviceRef>> {
        let caps = (1u32 << NODE_DEVICE_CAPS.len()) - 1;
        check_flags(flags, caps, "testConnectListAllNodeDevices")?;
        Ok(self
            .lock()
            .devices
            .iter()
            .filter(|d| {
                flags == 0
                    || NODE_DEVICE_CAPS
                        .iter()
                        .enumerate()
                        .any(|(i, c)| flags & (1 << i) != 0 && d.has_cap(c))
            })
            .map(dev_ref)
            .collect())
    }

    fn node_list_devices(&self, cap: Option<&str>, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, 0, "testNodeListDevices")?;
        Ok(self
            .lock()
            .devices
            .iter()
            .filter(|d| cap.is_none_or(|c| d.has_cap(c)))
            .map(|d| d.name.clone())
            .collect())
    }

    fn node_device_lookup_by_name(&self, name: &str) -> Result<NodeDeviceRef> {
        self.with_device(&NodeDeviceRef { name: name.into() }, dev_ref)
    }

    fn node_device_xml_desc(&self, dev: &NodeDeviceRef, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testNodeDeviceGetXMLDesc")?;
        self.with_device(dev, NodeDeviceDef::to_xml)
    }

    fn node_device_parent(&self, dev: &NodeDeviceRef) -> Result<Option<String>> {
        self.with_device(dev, |d| d.parent.clone())
    }

    fn node_device_list_caps(&self, dev: &NodeDeviceRef) -> Result<Vec<String>> {
        self.with_device(dev, NodeDeviceDef::cap_types)
    }

    fn node_device_create_xml(&self, xml: &str, flags: u32) -> Result<NodeDeviceRef> {
        check_flags(flags, 0, "testNodeDeviceCreateXML")?;
        let input = NodeDeviceDef::from_xml(xml)?;
        let (wwnn, wwpn) = wwns(&input).ok_or_else(not_fc)?;
        let mut objs = self.lock();
        let mut def = objs
            .devices
            .iter()
            .find(|d| d.name == VHBA_TEMPLATE)
            .cloned()
            .ok_or_else(|| no_device(VHBA_TEMPLATE))?;
        def.name = VHBA_NAME.into();
        def.parent = input.parent.clone();
        for cap in &mut def.caps {
            for fc in cap
                .children
                .iter_mut()
                .filter(|n| n.get("type") == Some("fc_host"))
            {
                for c in &mut fc.children {
                    match c.name.as_str() {
                        "wwnn" => c.text = wwnn.clone(),
                        "wwpn" => c.text = wwpn.clone(),
                        _ => {}
                    }
                }
            }
        }
        let r = dev_ref(&def);
        match objs.devices.iter().position(|d| d.name == def.name) {
            Some(i) => objs.devices[i] = def,
            None => objs.devices.push(def),
        }
        self.events().emit(ObjectEvent::NodeDevice(
            r.clone(),
            NodeDeviceEvent::Lifecycle(NodeDeviceLifecycle::Created),
        ));
        Ok(r)
    }

    fn node_device_destroy(&self, dev: &NodeDeviceRef) -> Result<()> {
        let mut objs = self.lock();
        let i = objs
            .devices
            .iter()
            .position(|d| d.name == dev.name)
            .ok_or_else(|| no_device(&dev.name))?;
        if wwns(&objs.devices[i]).is_none() {
            // libvirt's test driver answers success and keeps such a device.
            return Ok(());
        }
        let r = dev_ref(&objs.devices.remove(i));
        self.events().emit(ObjectEvent::NodeDevice(
            r,
            NodeDeviceEvent::Lifecycle(NodeDeviceLifecycle::Deleted),
        ));
        Ok(())
    }
}

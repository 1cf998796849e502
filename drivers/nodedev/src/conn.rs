//! The node device calls of one connection, answered from a fresh sysfs scan.

use std::path::PathBuf;

use rvirt_core::driver::{NodeDeviceDriver, NodeDeviceRef};
use rvirt_core::objconf::{NODE_DEVICE_CAPS, NodeDeviceDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::scan::scan;

/// One connection's view of the host's devices.
#[derive(Debug)]
pub(crate) struct NodeDevConn {
    sysfs: PathBuf,
}

fn check_flags(flags: u32, allowed: u32, function: &str) -> Result<()> {
    if flags & !allowed != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Nodedev,
            format!(
                "unsupported flags (0x{:x}) in function {function}",
                flags & !allowed
            ),
        ));
    }
    Ok(())
}

fn no_device(name: &str) -> Error {
    Error::new(
        ErrorCode::NoNodeDevice,
        ErrorDomain::Nodedev,
        format!("no node device with matching name '{name}'"),
    )
}

fn dev_ref(d: &NodeDeviceDef) -> NodeDeviceRef {
    NodeDeviceRef {
        name: d.name.clone(),
    }
}

/// `VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE` and `_ACTIVE` (bits 30, 31).
const INACTIVE: u32 = 1 << 30;
const ACTIVE: u32 = 1 << 31;

impl NodeDevConn {
    pub(crate) fn new(sysfs: PathBuf) -> NodeDevConn {
        NodeDevConn { sysfs }
    }

    fn devices(&self) -> Vec<NodeDeviceDef> {
        scan(&self.sysfs)
    }

    fn with_device<T>(&self, name: &str, f: impl FnOnce(&NodeDeviceDef) -> T) -> Result<T> {
        let devs = self.devices();
        let d = devs
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| no_device(name))?;
        Ok(f(d))
    }
}

impl NodeDeviceDriver for NodeDevConn {
    fn list_all_node_devices(&self, flags: u32) -> Result<Vec<NodeDeviceRef>> {
        let caps = (1u32 << NODE_DEVICE_CAPS.len()) - 1;
        check_flags(
            flags,
            caps | INACTIVE | ACTIVE,
            "nodeConnectListAllNodeDevices",
        )?;
        // Every device read from sysfs is active: INACTIVE alone selects none.
        if flags & (INACTIVE | ACTIVE) == INACTIVE {
            return Ok(Vec::new());
        }
        let wanted = flags & caps;
        Ok(self
            .devices()
            .iter()
            .filter(|d| {
                wanted == 0
                    || NODE_DEVICE_CAPS
                        .iter()
                        .enumerate()
                        .any(|(i, c)| wanted & (1 << i) != 0 && d.has_cap(c))
            })
            .map(dev_ref)
            .collect())
    }

    fn node_list_devices(&self, cap: Option<&str>, flags: u32) -> Result<Vec<String>> {
        check_flags(flags, 0, "nodeListDevices")?;
        Ok(self
            .devices()
            .iter()
            .filter(|d| cap.is_none_or(|c| d.has_cap(c)))
            .map(|d| d.name.clone())
            .collect())
    }

    fn node_device_lookup_by_name(&self, name: &str) -> Result<NodeDeviceRef> {
        self.with_device(name, dev_ref)
    }

    fn node_device_xml_desc(&self, dev: &NodeDeviceRef, flags: u32) -> Result<String> {
        check_flags(flags, 0, "nodeDeviceGetXMLDesc")?;
        self.with_device(&dev.name, NodeDeviceDef::to_xml)
    }

    fn node_device_parent(&self, dev: &NodeDeviceRef) -> Result<Option<String>> {
        self.with_device(&dev.name, |d| d.parent.clone())
    }

    fn node_device_list_caps(&self, dev: &NodeDeviceRef) -> Result<Vec<String>> {
        self.with_device(&dev.name, NodeDeviceDef::cap_types)
    }

    fn node_device_is_active(&self, dev: &NodeDeviceRef) -> Result<bool> {
        self.with_device(&dev.name, |_| true)
    }

    fn node_device_is_persistent(&self, dev: &NodeDeviceRef) -> Result<bool> {
        self.with_device(&dev.name, |_| false)
    }

    fn node_device_autostart(&self, dev: &NodeDeviceRef) -> Result<bool> {
        self.with_device(&dev.name, |_| false)
    }
}

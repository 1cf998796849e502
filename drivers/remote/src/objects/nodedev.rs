//! Node devices over the wire.

use rvirt_core::Result;
use rvirt_core::driver::{NodeDeviceDriver, NodeDeviceRef};
use rvirt_rpc::procs as p;
use rvirt_rpc::types::*;
use serde::de::DeserializeOwned;

use super::RemoteObjects;

impl RemoteObjects {
    fn dev_call<R: DeserializeOwned>(&self, proc_: i32, dev: &NodeDeviceRef) -> Result<R> {
        self.call(
            proc_,
            &NameArgs {
                name: dev.name.clone(),
            },
        )
    }

    fn dev_yes(&self, proc_: i32, dev: &NodeDeviceRef) -> Result<bool> {
        let r: IntRet = self.dev_call(proc_, dev)?;
        Ok(r.value != 0)
    }

    fn dev_ret(&self, proc_: i32, args: &impl serde::Serialize) -> Result<NodeDeviceRef> {
        let r: DevRet = self.call(proc_, args)?;
        Ok(r.obj.into())
    }
}

impl NodeDeviceDriver for RemoteObjects {
    fn list_all_node_devices(&self, flags: u32) -> Result<Vec<NodeDeviceRef>> {
        let r: ListAllRet<RemoteNonnullNodeDevice> = self.call(
            p::CONNECT_LIST_ALL_NODE_DEVICES,
            &ListAllArgs {
                need_results: 1,
                flags,
            },
        )?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn node_list_devices(&self, cap: Option<&str>, flags: u32) -> Result<Vec<String>> {
        let n: NumRet = self.call(
            p::NODE_NUM_OF_DEVICES,
            &NodeNumOfDevicesArgs {
                cap: cap.map(str::to_string),
                flags,
            },
        )?;
        let r: NamesRet = self.call(
            p::NODE_LIST_DEVICES,
            &NodeListDevicesArgs {
                cap: cap.map(str::to_string),
                maxnames: n.num,
                flags,
            },
        )?;
        Ok(r.names)
    }

    fn node_device_lookup_by_name(&self, name: &str) -> Result<NodeDeviceRef> {
        self.dev_ret(
            p::NODE_DEVICE_LOOKUP_BY_NAME,
            &NameArgs { name: name.into() },
        )
    }

    fn node_device_lookup_scsi_host_by_wwn(
        &self,
        wwnn: &str,
        wwpn: &str,
        flags: u32,
    ) -> Result<NodeDeviceRef> {
        let args = NodeDeviceLookupScsiHostByWwnArgs {
            wwnn: wwnn.into(),
            wwpn: wwpn.into(),
            flags,
        };
        self.dev_ret(p::NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN, &args)
    }

    fn node_device_xml_desc(&self, dev: &NodeDeviceRef, flags: u32) -> Result<String> {
        let args = NameFlagsArgs {
            name: dev.name.clone(),
            flags,
        };
        let r: XmlRet = self.call(p::NODE_DEVICE_GET_XML_DESC, &args)?;
        Ok(r.xml)
    }

    fn node_device_parent(&self, dev: &NodeDeviceRef) -> Result<Option<String>> {
        let r: NodeDeviceGetParentRet = self.dev_call(p::NODE_DEVICE_GET_PARENT, dev)?;
        Ok(r.parent_name)
    }

    fn node_device_list_caps(&self, dev: &NodeDeviceRef) -> Result<Vec<String>> {
        let n: NumRet = self.dev_call(p::NODE_DEVICE_NUM_OF_CAPS, dev)?;
        let args = NodeDeviceListCapsArgs {
            name: dev.name.clone(),
            maxnames: n.num,
        };
        let r: NamesRet = self.call(p::NODE_DEVICE_LIST_CAPS, &args)?;
        Ok(r.names)
    }

    fn node_device_create_xml(&self, xml: &str, flags: u32) -> Result<NodeDeviceRef> {
        self.dev_ret(
            p::NODE_DEVICE_CREATE_XML,
            &XmlFlagsArgs {
                xml: xml.into(),
                flags,
            },
        )
    }

    fn node_device_destroy(&self, dev: &NodeDeviceRef) -> Result<()> {
        self.dev_call(p::NODE_DEVICE_DESTROY, dev)
    }

    fn node_device_define_xml(&self, xml: &str, flags: u32) -> Result<NodeDeviceRef> {
        self.dev_ret(
            p::NODE_DEVICE_DEFINE_XML,
            &XmlFlagsArgs {
                xml: xml.into(),
                flags,
            },
        )
    }

    fn node_device_undefine(&self, dev: &NodeDeviceRef, flags: u32) -> Result<()> {
        let args = NameFlagsArgs {
            name: dev.name.clone(),
            flags,
        };
        self.call(p::NODE_DEVICE_UNDEFINE, &args)
    }

    fn node_device_create(&self, dev: &NodeDeviceRef, flags: u32) -> Result<()> {
        let args = NameFlagsArgs {
            name: dev.name.clone(),
            flags,
        };
        self.call(p::NODE_DEVICE_CREATE, &args)
    }

    fn node_device_is_active(&self, dev: &NodeDeviceRef) -> Result<bool> {
        self.dev_yes(p::NODE_DEVICE_IS_ACTIVE, dev)
    }

    fn node_device_is_persistent(&self, dev: &NodeDeviceRef) -> Result<bool> {
        self.dev_yes(p::NODE_DEVICE_IS_PERSISTENT, dev)
    }

    fn node_device_autostart(&self, dev: &NodeDeviceRef) -> Result<bool> {
        self.dev_yes(p::NODE_DEVICE_GET_AUTOSTART, dev)
    }

    fn node_device_set_autostart(&self, dev: &NodeDeviceRef, autostart: bool) -> Result<()> {
        let args = NameIntArgs {
            name: dev.name.clone(),
            value: i32::from(autostart),
        };
        self.call(p::NODE_DEVICE_SET_AUTOSTART, &args)
    }

    fn node_device_detach(
        &self,
        dev: &NodeDeviceRef,
        driver: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        if driver.is_none() && flags == 0 {
            return self.dev_call(p::NODE_DEVICE_DETTACH, dev);
        }
        let args = NodeDeviceDetachFlagsArgs {
            name: dev.name.clone(),
            driver_name: driver.map(str::to_string),
            flags,
        };
        self.call(p::NODE_DEVICE_DETACH_FLAGS, &args)
    }

    fn node_device_reattach(&self, dev: &NodeDeviceRef) -> Result<()> {
        self.dev_call(p::NODE_DEVICE_RE_ATTACH, dev)
    }

    fn node_device_reset(&self, dev: &NodeDeviceRef) -> Result<()> {
        self.dev_call(p::NODE_DEVICE_RESET, dev)
    }

    fn node_device_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        self.interest::<RemoteNonnullNodeDevice>(
            p::CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY,
            p::CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
            event_id,
            wanted,
        )
    }
}

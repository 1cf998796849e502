//! Networks and network ports over the wire.

use rvirt_core::api::TypedParam;
use rvirt_core::driver::{DhcpLease, NetworkDriver, NetworkPortRef, NetworkRef};
use rvirt_core::{Result, Uuid};
use rvirt_rpc::procs as p;
use rvirt_rpc::types::*;

use super::RemoteObjects;

fn w(n: &NetworkRef) -> RemoteNonnullNetwork {
    n.into()
}

impl RemoteObjects {
    fn net_call<R: serde::de::DeserializeOwned>(&self, proc_: i32, n: &NetworkRef) -> Result<R> {
        self.call(proc_, &ObjArgs { obj: w(n) })
    }

    fn net_flag(&self, proc_: i32, n: &NetworkRef) -> Result<bool> {
        let r: IntRet = self.net_call(proc_, n)?;
        Ok(r.value != 0)
    }
}

impl NetworkDriver for RemoteObjects {
    fn list_all_networks(&self, flags: u32) -> Result<Vec<NetworkRef>> {
        let r: ListAllRet<RemoteNonnullNetwork> = self.call(
            p::CONNECT_LIST_ALL_NETWORKS,
            &ListAllArgs {
                need_results: 1,
                flags,
            },
        )?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn lookup_network_by_name(&self, name: &str) -> Result<NetworkRef> {
        let r: NetRet = self.call(p::NETWORK_LOOKUP_BY_NAME, &NameArgs { name: name.into() })?;
        Ok(r.obj.into())
    }

    fn lookup_network_by_uuid(&self, uuid: &Uuid) -> Result<NetworkRef> {
        let r: NetRet = self.call(
            p::NETWORK_LOOKUP_BY_UUID,
            &UuidArgs {
                uuid: *uuid.as_bytes(),
            },
        )?;
        Ok(r.obj.into())
    }

    fn network_define_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        let r: NetRet = if flags == 0 {
            self.call(p::NETWORK_DEFINE_XML, &XmlArgs { xml: xml.into() })?
        } else {
            self.call(
                p::NETWORK_DEFINE_XML_FLAGS,
                &XmlFlagsArgs {
                    xml: xml.into(),
                    flags,
                },
            )?
        };
        Ok(r.obj.into())
    }

    fn network_create_xml(&self, xml: &str, flags: u32) -> Result<NetworkRef> {
        let r: NetRet = if flags == 0 {
            self.call(p::NETWORK_CREATE_XML, &XmlArgs { xml: xml.into() })?
        } else {
            self.call(
                p::NETWORK_CREATE_XML_FLAGS,
                &XmlFlagsArgs {
                    xml: xml.into(),
                    flags,
                },
            )?
        };
        Ok(r.obj.into())
    }

    fn network_undefine(&self, net: &NetworkRef) -> Result<()> {
        self.net_call(p::NETWORK_UNDEFINE, net)
    }

    fn network_create(&self, net: &NetworkRef) -> Result<()> {
        self.net_call(p::NETWORK_CREATE, net)
    }

    fn network_destroy(&self, net: &NetworkRef) -> Result<()> {
        self.net_call(p::NETWORK_DESTROY, net)
    }

    fn network_xml_desc(&self, net: &NetworkRef, flags: u32) -> Result<String> {
        let r: XmlRet = self.call(
            p::NETWORK_GET_XML_DESC,
            &ObjFlagsArgs { obj: w(net), flags },
        )?;
        Ok(r.xml)
    }

    fn network_bridge_name(&self, net: &NetworkRef) -> Result<String> {
        let r: NameRet = self.net_call(p::NETWORK_GET_BRIDGE_NAME, net)?;
        Ok(r.name)
    }

    fn network_autostart(&self, net: &NetworkRef) -> Result<bool> {
        self.net_flag(p::NETWORK_GET_AUTOSTART, net)
    }

    fn network_set_autostart(&self, net: &NetworkRef, autostart: bool) -> Result<()> {
        self.call(
            p::NETWORK_SET_AUTOSTART,
            &ObjIntArgs {
                obj: w(net),
                value: i32::from(autostart),
            },
        )
    }

    fn network_is_active(&self, net: &NetworkRef) -> Result<bool> {
        self.net_flag(p::NETWORK_IS_ACTIVE, net)
    }

    fn network_is_persistent(&self, net: &NetworkRef) -> Result<bool> {
        self.net_flag(p::NETWORK_IS_PERSISTENT, net)
    }

    fn network_update(
        &self,
        net: &NetworkRef,
        command: u32,
        section: u32,
        parent_index: i32,
        xml: &str,
        flags: u32,
    ) -> Result<()> {
        // Daemons without feature 16 take the section first, as libvirt's client
        // sends it to them.
        let (first, second) = if self.update_in_order() {
            (command, section)
        } else {
            (section, command)
        };
        let args = NetworkUpdateArgs {
            net: w(net),
            command: first,
            section: second,
            parent_index,
            xml: xml.into(),
            flags,
        };
        self.call(p::NETWORK_UPDATE, &args)
    }

    fn network_dhcp_leases(
        &self,
        net: &NetworkRef,
        mac: Option<&str>,
        flags: u32,
    ) -> Result<Vec<DhcpLease>> {
        let args = NetworkGetDhcpLeasesArgs {
            net: w(net),
            mac: mac.map(str::to_string),
            need_results: 1,
            flags,
        };
        let r: NetworkGetDhcpLeasesRet = self.call(p::NETWORK_GET_DHCP_LEASES, &args)?;
        Ok(r.leases
            .into_iter()
            .map(|l| DhcpLease {
                iface: l.iface,
                expiry_time: l.expirytime,
                ip_type: l.type_,
                mac: l.mac,
                iaid: l.iaid,
                ip: l.ipaddr,
                prefix: l.prefix,
                hostname: l.hostname,
                client_id: l.clientid,
            })
            .collect())
    }

    fn network_list_all_ports(&self, net: &NetworkRef, flags: u32) -> Result<Vec<NetworkPortRef>> {
        let args = ObjListAllArgs {
            obj: w(net),
            need_results: 1,
            flags,
        };
        let r: ListAllRet<RemoteNonnullNetworkPort> =
            self.call(p::NETWORK_LIST_ALL_PORTS, &args)?;
        Ok(r.items.into_iter().map(Into::into).collect())
    }

    fn network_port_lookup_by_uuid(&self, net: &NetworkRef, uuid: &Uuid) -> Result<NetworkPortRef> {
        let args = ObjUuidArgs {
            obj: w(net),
            uuid: *uuid.as_bytes(),
        };
        let r: PortRet = self.call(p::NETWORK_PORT_LOOKUP_BY_UUID, &args)?;
        Ok(r.obj.into())
    }

    fn network_port_create_xml(
        &self,
        net: &NetworkRef,
        xml: &str,
        flags: u32,
    ) -> Result<NetworkPortRef> {
        let args = ObjXmlFlagsArgs {
            obj: w(net),
            xml: xml.into(),
            flags,
        };
        let r: PortRet = self.call(p::NETWORK_PORT_CREATE_XML, &args)?;
        Ok(r.obj.into())
    }

    fn network_port_xml_desc(&self, port: &NetworkPortRef, flags: u32) -> Result<String> {
        let r: XmlRet = self.call(
            p::NETWORK_PORT_GET_XML_DESC,
            &ObjFlagsArgs {
                obj: RemoteNonnullNetworkPort::from(port),
                flags,
            },
        )?;
        Ok(r.xml)
    }

    fn network_port_delete(&self, port: &NetworkPortRef, flags: u32) -> Result<()> {
        self.call(
            p::NETWORK_PORT_DELETE,
            &ObjFlagsArgs {
                obj: RemoteNonnullNetworkPort::from(port),
                flags,
            },
        )
    }

    fn network_port_get_parameters(
        &self,
        port: &NetworkPortRef,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        let r: NetworkPortGetParametersRet = self.call(
            p::NETWORK_PORT_GET_PARAMETERS,
            &NetworkPortGetParametersArgs {
                port: RemoteNonnullNetworkPort::from(port),
                nparams: 0,
                flags,
            },
        )?;
        Ok(r.params.into_iter().map(Into::into).collect())
    }

    fn network_port_set_parameters(
        &self,
        port: &NetworkPortRef,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.call(
            p::NETWORK_PORT_SET_PARAMETERS,
            &NetworkPortSetParametersArgs {
                port: RemoteNonnullNetworkPort::from(port),
                params: params.iter().cloned().map(Into::into).collect(),
                flags,
            },
        )
    }

    fn network_event_interest(&self, event_id: i32, wanted: bool) -> Result<()> {
        self.interest::<RemoteNonnullNetwork>(
            p::CONNECT_NETWORK_EVENT_REGISTER_ANY,
            p::CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
            event_id,
            wanted,
        )
    }
}

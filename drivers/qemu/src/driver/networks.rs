//! The host's virtual networks as the QEMU driver reaches them: through rvirt-core's
//! shared secondary drivers, as libvirt's QEMU driver asks the network driver (drivers
//! never depend on each other). A NIC of `type='network'` gets a network port at start
//! (`virNetworkPortCreateXML`: owner, MAC, portgroup), plugs its tap into the bridge
//! the port names, keeps the port's UUID as `<source portid=…>` in the live XML and
//! deletes the port when the guest stops (`virNetworkPortDelete`); a guest's
//! addresses are the network's DHCP leases of its MAC (`virNetworkGetDHCPLeases`).
//! Only the `qemu:///system` root has networks (the network driver serves
//! `…:///system`).

use std::sync::{Arc, Mutex};

use rvirt_core::driver::{DhcpLease, NetworkDriver, open_shared_detached};
use rvirt_core::driver::{NetworkPortRef, NetworkRef};
use rvirt_core::objconf::{Bandwidth, NetworkDef, NetworkPortDef, Plug};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid, log};

/// The network driver connection of the process's `qemu:///system`, opened once.
fn system_networks() -> Result<Arc<dyn NetworkDriver>> {
    static NET: Mutex<Option<Arc<dyn NetworkDriver>>> = Mutex::new(None);
    let mut cached = NET.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(n) = cached.as_ref() {
        return Ok(n.clone());
    }
    let net = open_shared_detached(&Uri::parse("qemu:///system")?)?
        .network
        .ok_or_else(no_network_driver)?;
    *cached = Some(net.clone());
    Ok(net)
}

fn no_network_driver() -> Error {
    Error::new(
        ErrorCode::OperationUnsupported,
        ErrorDomain::Qemu,
        "no network driver is available for this QEMU driver (networks are served to qemu:///system)",
    )
}

/// Who a port is for: the guest's name and UUID, the NIC's MAC and portgroup.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PortOwner<'a> {
    /// The guest's name.
    pub name: &'a str,
    /// The guest's UUID.
    pub uuid: Uuid,
    /// The NIC's MAC address.
    pub mac: &'a str,
    /// The NIC's `<source portgroup=…>`.
    pub group: Option<&'a str>,
}

/// A port on the active network `name` for `owner`, asking for the NIC's
/// `bandwidth`: its UUID, the bridge the network driver plugged it into and the
/// bandwidth the port got (the NIC's, or its portgroup's).
pub(crate) fn network_port_create(
    system: bool,
    name: &str,
    owner: PortOwner<'_>,
    bandwidth: Option<Bandwidth>,
) -> Result<(Uuid, String, Option<Bandwidth>)> {
    if !system {
        return Err(no_network_driver());
    }
    let net = system_networks()?;
    let r = net.lookup_network_by_name(name)?;
    if !net.network_is_active(&r)? {
        return Err(Error::operation_invalid(
            ErrorDomain::Network,
            format!("network '{name}' is not active"),
        ));
    }
    let want = NetworkPortDef {
        uuid: Uuid::new_v4(),
        owner_name: owner.name.to_string(),
        owner_uuid: owner.uuid,
        group: owner.group.map(str::to_string),
        mac: owner.mac.to_ascii_lowercase(),
        virtualport: None,
        bandwidth,
        class_id: None,
        vlan: None,
        port: None,
        trust_guest_rx_filters: None,
        plug: Plug::None,
    };
    let port = net.network_port_create_xml(&r, &want.to_xml(), 0)?;
    let bridge = net
        .network_port_xml_desc(&port, 0)
        .and_then(|xml| Ok(NetworkPortDef::from_xml(&xml)?))
        .and_then(|p| match p.plug {
            Plug::Bridge { bridge, .. } => Ok((bridge, p.bandwidth)),
            _ => Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::Qemu,
                format!("network '{name}' did not plug its port into a bridge"),
            )),
        });
    match bridge {
        Ok((b, bw)) => Ok((port.uuid, b, bw)),
        Err(e) => {
            let _ = net.network_port_delete(&port, 0);
            Err(e)
        }
    }
}

/// Makes sure port `portid` of network `name`, held by a running guest this process
/// found again, exists: a network restarted meanwhile lost its ports, so it is given
/// back (`VIR_NETWORK_PORT_CREATE_RECLAIM`, as libvirt's QEMU driver does at
/// reconnect). Returns the bridge the port is plugged into.
pub(crate) fn network_port_reclaim(
    name: &str,
    owner: PortOwner<'_>,
    portid: &str,
    bandwidth: Option<Bandwidth>,
) -> Result<String> {
    let uuid = Uuid::parse_str(portid).map_err(|_| {
        Error::internal(
            ErrorDomain::Qemu,
            format!("malformed network port id '{portid}'"),
        )
    })?;
    let net = system_networks()?;
    let r = net.lookup_network_by_name(name)?;
    let existing = net.network_port_lookup_by_uuid(&r, &uuid);
    let port = match existing {
        Ok(p) => p,
        Err(e) if e.code() == ErrorCode::NoNetworkPort => {
            let def = NetworkDef::from_xml(&net.network_xml_desc(&r, 0)?)?;
            let bridge = def.bridge.name.clone().ok_or_else(|| {
                Error::internal(
                    ErrorDomain::Network,
                    format!("network '{name}' does not have a bridge name."),
                )
            })?;
            let kind = if def.forward_mode() == "bridge" {
                "bridge"
            } else {
                "network"
            };
            let want = NetworkPortDef {
                uuid,
                owner_name: owner.name.to_string(),
                owner_uuid: owner.uuid,
                group: owner.group.map(str::to_string),
                mac: owner.mac.to_ascii_lowercase(),
                virtualport: None,
                bandwidth,
                class_id: None,
                vlan: None,
                port: None,
                trust_guest_rx_filters: None,
                plug: Plug::Bridge {
                    kind: kind.to_string(),
                    bridge,
                    mac_table_manager: def.bridge.mac_table_manager.clone(),
                },
            };
            net.network_port_create_xml(&r, &want.to_xml(), RECLAIM)?
        }
        Err(e) => return Err(e),
    };
    match NetworkPortDef::from_xml(&net.network_port_xml_desc(&port, 0)?)?.plug {
        Plug::Bridge { bridge, .. } => Ok(bridge),
        _ => Err(Error::internal(
            ErrorDomain::Qemu,
            format!("port {portid} of network '{name}' is not plugged into a bridge"),
        )),
    }
}

/// `VIR_NETWORK_PORT_CREATE_RECLAIM`.
const RECLAIM: u32 = 1;

/// Deletes port `portid` of network `name` (its NIC is gone); a network that stopped
/// meanwhile took its ports with it, so failures are only logged.
pub(crate) fn network_port_delete(name: &str, portid: &str) {
    let Ok(uuid) = Uuid::parse_str(portid) else {
        return;
    };
    let done = system_networks().and_then(|net| {
        let r: NetworkRef = net.lookup_network_by_name(name)?;
        net.network_port_delete(&NetworkPortRef { network: r, uuid }, 0)
    });
    if let Err(e) = done {
        log::info(
            ErrorDomain::Qemu,
            format_args!(
                "port {portid} of network '{name}' not deleted: {}",
                e.message()
            ),
        );
    }
}

/// The DHCP leases the network `name` gave the MAC address `mac`.
pub(crate) fn network_leases(system: bool, name: &str, mac: &str) -> Result<Vec<DhcpLease>> {
    if !system {
        return Err(no_network_driver());
    }
    let net = system_networks()?;
    let r = net.lookup_network_by_name(name)?;
    net.network_dhcp_leases(&r, Some(mac), 0)
}

//! The host's virtual networks as the QEMU driver reaches them: through rvirt-core's
//! shared secondary drivers, as libvirt's QEMU driver asks the network driver (drivers
//! never depend on each other). rvirt's network driver has no ports yet, so instead of
//! `virNetworkPortCreateXML` a NIC's network is looked up by name, must be active, and
//! its bridge is taken from `virNetworkGetBridgeName`; a guest's addresses are the
//! network's DHCP leases of its MAC (`virNetworkGetDHCPLeases`). Only the
//! `qemu:///system` root has networks (the network driver serves `…:///system`).

use std::sync::{Arc, Mutex};

use rvirt_core::driver::{
    DhcpLease, EventSink, NetworkDriver, ObjectEventSink, OpenContext, open_shared,
};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// The network driver connection of the process's `qemu:///system`, opened once.
fn system_networks() -> Result<Arc<dyn NetworkDriver>> {
    static NET: Mutex<Option<Arc<dyn NetworkDriver>>> = Mutex::new(None);
    let mut cached = NET.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(n) = cached.as_ref() {
        return Ok(n.clone());
    }
    let ctx = OpenContext {
        event_loop: None,
        events: EventSink::detached(),
        read_only: false,
        object_events: ObjectEventSink::detached(),
    };
    let uri = Uri::parse("qemu:///system")?;
    let net = open_shared(&uri, &ctx)?
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

/// The bridge of the active network `name`.
pub(crate) fn network_bridge(system: bool, name: &str) -> Result<String> {
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
    net.network_bridge_name(&r)
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

//! Guest NICs on host bridges: `<interface type='network'>` and `type='bridge'`.
//!
//! At start, each such NIC gets a tap (`vnetN`, [`crate::host::tap`]) plugged into its
//! bridge; the fds go to QEMU (`-netdev tap,fd=N`) and the live XML gets
//! `<target dev='vnetN'/>` (and, for networks, the bridge as `<source bridge=…>`). At
//! stop the taps are removed.
//!
//! A network is resolved through rvirt-core's shared secondary drivers, as libvirt's
//! QEMU driver asks the network driver (drivers never depend on each other). rvirt's
//! network driver has no ports yet, so instead of `virNetworkPortCreateXML` the
//! network is looked up by name, must be active, and its bridge is taken from
//! `virNetworkGetBridgeName`. Only the `qemu:///system` root has networks (the network
//! driver serves `…:///system`).

use std::sync::{Arc, Mutex};

use rvirt_core::conf::{Device, DomainDef, InterfaceType};
use rvirt_core::driver::{EventSink, NetworkDriver, ObjectEventSink, OpenContext, open_shared};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::host::tap::{self, TAP_TEMPLATE, Tap};

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
fn network_bridge(system: bool, name: &str) -> Result<String> {
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

/// The taps of one start, by interface position; closed (QEMU keeps its copies) when
/// dropped.
#[derive(Debug, Default)]
pub(crate) struct Taps(Vec<Option<Tap>>);

impl Taps {
    /// The fd of each interface's tap, for [`crate::command_line::RuntimeOptions`].
    pub(crate) fn fds(&self) -> Vec<Option<i32>> {
        self.0.iter().map(|t| t.as_ref().map(Tap::fd)).collect()
    }

    /// Every fd QEMU must inherit.
    pub(crate) fn inherited(&self) -> Vec<i32> {
        self.0.iter().flatten().map(Tap::fd).collect()
    }

    /// Removes the taps (a start that failed).
    pub(crate) fn remove(self) {
        for t in self.0.into_iter().flatten() {
            let name = t.name().to_owned();
            drop(t);
            tap::delete(&name);
        }
    }
}

/// Creates and plugs the taps of `def`'s `network`/`bridge` interfaces (`system`: the
/// instance is `qemu:///system`'s, which has networks) and records them in `def`, the
/// live definition. On failure the taps made so far are removed.
pub(crate) fn plug_interfaces(def: &mut DomainDef, system: bool) -> Result<Taps> {
    let mut taps = Taps::default();
    let nics = def.devices_mut().iter_mut().filter_map(|d| match d {
        Device::Interface(i) => Some(i),
        _ => None,
    });
    for nic in nics {
        let bridge = match nic.interface_type {
            InterfaceType::Network => {
                let name = nic.source.as_ref().and_then(|s| s.network.clone());
                let Some(name) = name else {
                    taps.remove();
                    return Err(Error::new(
                        ErrorCode::XmlError,
                        ErrorDomain::Qemu,
                        "missing source network for interface type 'network'",
                    ));
                };
                network_bridge(system, &name)
            }
            InterfaceType::Bridge => nic
                .source
                .as_ref()
                .and_then(|s| s.bridge.clone())
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::XmlError,
                        ErrorDomain::Qemu,
                        "missing source bridge for interface type 'bridge'",
                    )
                }),
            _ => {
                taps.0.push(None);
                continue;
            }
        };
        let template = nic
            .target
            .as_ref()
            .map(|t| t.dev.clone())
            .unwrap_or_else(|| TAP_TEMPLATE.to_owned());
        let made = bridge.and_then(|bridge| {
            let t = Tap::create(&template)?;
            let mac = nic.mac.as_ref().map(|m| m.address.as_str());
            if let Err(e) = t.plug(&bridge, mac) {
                let name = t.name().to_owned();
                drop(t);
                tap::delete(&name);
                return Err(e);
            }
            Ok((t, bridge))
        });
        let (t, bridge) = match made {
            Ok(v) => v,
            Err(e) => {
                taps.remove();
                return Err(e);
            }
        };
        let mut target = nic.target.take().unwrap_or_default();
        target.dev = t.name().to_owned();
        nic.target = Some(target);
        if nic.interface_type == InterfaceType::Network
            && let Some(s) = nic.source.as_mut()
        {
            s.bridge = Some(bridge);
        }
        taps.0.push(Some(t));
    }
    Ok(taps)
}

/// Removes the taps a run's live definition `def` names (at stop).
pub(crate) fn unplug_interfaces(def: &DomainDef) {
    for d in def.devices() {
        if let Device::Interface(nic) = d
            && matches!(
                nic.interface_type,
                InterfaceType::Network | InterfaceType::Bridge
            )
            && let Some(t) = &nic.target
        {
            tap::delete(&t.dev);
        }
    }
}

//! Guest NICs on host bridges: `<interface type='network'>` and `type='bridge'`.
//!
//! At start, each such NIC gets a tap (`vnetN`, [`crate::host::tap`]) plugged into its
//! bridge; the fds go to QEMU (`-netdev tap,fd=N`) and the live XML gets
//! `<target dev='vnetN'/>` (and, for networks, the bridge and the network port as
//! `<source bridge=… portid=…>`). At stop the taps are removed and the ports deleted.
//! A running guest found again after a restart of the process has its ports given
//! back if its network lost them, and its taps enslaved to the network's bridge.
//!
//! A network NIC's port, and the bridge it names, come from the network driver
//! ([`super::networks`]).
//!
//! A NIC's `<bandwidth>` (for a network NIC, the one its port got: its own or its
//! portgroup's) is set on its tap with `tc` as libvirt does (the guest's inbound on
//! the tap's transmit side, its outbound policed on the tap's receive side); it goes
//! with the tap at stop. A `floor` needs a virtual network (the network driver
//! guarantees it on the bridge).
//!
//! A NIC's `<filterref>` becomes a filter binding on its tap ([`super::nwfilters`]),
//! made after the tap is plugged and deleted before it is removed.

use rvirt_core::conf::{Device, DomainDef, InterfaceType};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::networks::{PortOwner, network_port_create, network_port_delete, network_port_reclaim};
use super::nwfilters::{binding_create, binding_delete, binding_delete_owned};

use crate::host::tap::{self, TAP_TEMPLATE, Tap};
use rvirt_core::netdev::bandwidth;
use rvirt_core::objconf::Bandwidth;

/// The `<bandwidth>` of `nic`, if it asks for any.
fn interface_bandwidth(nic: &rvirt_core::conf::Interface) -> Result<Option<Bandwidth>> {
    let Some(e) = &nic.bandwidth else {
        return Ok(None);
    };
    let b = Bandwidth::from_xml(&e.to_xml_string())?;
    Ok((!b.is_empty()).then_some(b))
}

/// libvirt's refusal of a `floor` on a NIC that is not on a virtual network.
fn refuse_floor(nic: &rvirt_core::conf::Interface, b: Option<&Bandwidth>) -> Result<()> {
    if b.and_then(|b| b.inbound).is_some_and(|r| r.floor != 0) {
        let mac = nic.mac.as_ref().map(|m| m.address.as_str()).unwrap_or("");
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Domain,
            format!(
                "Invalid use of 'floor' on interface with MAC address {mac} - 'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none"
            ),
        ));
    }
    Ok(())
}

/// The taps of one start, by interface position, and the network ports made for
/// them (network name, port UUID); the taps are closed (QEMU keeps its copies) when
/// dropped.
#[derive(Debug, Default)]
pub(crate) struct Taps(Vec<Option<Tap>>, Vec<(String, String)>, Vec<String>);

impl Taps {
    /// The fd of each interface's tap, for [`crate::command_line::RuntimeOptions`].
    pub(crate) fn fds(&self) -> Vec<Option<i32>> {
        self.0.iter().map(|t| t.as_ref().map(Tap::fd)).collect()
    }

    /// Every fd QEMU must inherit.
    pub(crate) fn inherited(&self) -> Vec<i32> {
        self.0.iter().flatten().map(Tap::fd).collect()
    }

    /// Removes the taps and deletes the ports and filter bindings (a start that
    /// failed).
    pub(crate) fn remove(self) {
        for dev in &self.2 {
            binding_delete(dev);
        }
        for t in self.0.into_iter().flatten() {
            let name = t.name().to_owned();
            drop(t);
            tap::delete(&name);
            bandwidth::release(&name);
        }
        for (net, port) in self.1 {
            network_port_delete(&net, &port);
        }
    }
}

/// Creates and plugs the taps of `def`'s `network`/`bridge` interfaces (`system`: the
/// instance is `qemu:///system`'s, which has networks) and records them in `def`, the
/// live definition. On failure the taps made so far are removed.
pub(crate) fn plug_interfaces(def: &mut DomainDef, system: bool) -> Result<Taps> {
    let mut taps = Taps::default();
    let owner_name = def.name.clone();
    let owner_uuid = def.uuid.unwrap_or_default();
    let nics = def.devices_mut().iter_mut().filter_map(|d| match d {
        Device::Interface(i) => Some(i),
        _ => None,
    });
    for nic in nics {
        let wanted = match interface_bandwidth(nic) {
            Ok(b) => b,
            Err(e) => {
                taps.remove();
                return Err(e);
            }
        };
        let mut shaped = wanted;
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
                let mac = nic.mac.as_ref().map(|m| m.address.clone());
                let Some(mac) = mac else {
                    taps.remove();
                    return Err(Error::internal(
                        ErrorDomain::Qemu,
                        "interface without a MAC address at start".to_string(),
                    ));
                };
                let group = nic.source.as_ref().and_then(|s| s.portgroup.clone());
                let owner = PortOwner {
                    name: &owner_name,
                    uuid: owner_uuid,
                    mac: &mac,
                    group: group.as_deref(),
                };
                network_port_create(system, &name, owner, wanted).map(|(port, bridge, bw)| {
                    shaped = bw;
                    let port = port.hyphenated().to_string();
                    if let Some(s) = nic.source.as_mut() {
                        s.portid = Some(port.clone());
                    }
                    taps.1.push((name, port));
                    bridge
                })
            }
            InterfaceType::Bridge => refuse_floor(nic, wanted.as_ref()).and_then(|()| {
                nic.source
                    .as_ref()
                    .and_then(|s| s.bridge.clone())
                    .ok_or_else(|| {
                        Error::new(
                            ErrorCode::XmlError,
                            ErrorDomain::Qemu,
                            "missing source bridge for interface type 'bridge'",
                        )
                    })
            }),
            other => {
                if wanted.is_some() {
                    // libvirt warns and goes on: only taps are shaped.
                    rvirt_core::log::warning(
                        ErrorDomain::Qemu,
                        format_args!(
                            "setting bandwidth on interfaces of type '{other}' is not implemented yet"
                        ),
                    );
                }
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
            let shaping = shaped.filter(|b| !b.is_empty());
            let plugged = t.plug(&bridge, mac).and_then(|()| match &shaping {
                Some(b) => bandwidth::set(t.name(), b, false, true),
                None => Ok(()),
            });
            if let Err(e) = plugged {
                let name = t.name().to_owned();
                drop(t);
                tap::delete(&name);
                bandwidth::release(&name);
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
        let dev = t.name().to_owned();
        taps.0.push(Some(t));
        if let Some(fref) = &nic.filterref {
            let mac = nic.mac.as_ref().map(|m| m.address.as_str()).unwrap_or("");
            let bound = binding_create(
                system,
                &owner_name,
                owner_uuid,
                &dev,
                mac,
                &fref.to_xml_string(),
            );
            if let Err(e) = bound {
                taps.remove();
                return Err(e);
            }
            taps.2.push(dev);
        }
    }
    Ok(taps)
}

/// For a running guest found again (`system`: `qemu:///system`'s): each network NIC's
/// port exists again if its network lost it, and its tap is on the bridge the port
/// names (a network restarted meanwhile has a new bridge). Failures are logged; the
/// guest runs on.
pub(crate) fn reconnect_interfaces(def: &DomainDef, system: bool) {
    if !system {
        return;
    }
    let owner_uuid = def.uuid.unwrap_or_default();
    for d in def.devices() {
        let Device::Interface(nic) = d else { continue };
        if nic.interface_type != InterfaceType::Network {
            continue;
        }
        let (Some(src), Some(mac), Some(t)) = (&nic.source, &nic.mac, &nic.target) else {
            continue;
        };
        let (Some(net), Some(port)) = (&src.network, &src.portid) else {
            continue;
        };
        let owner = PortOwner {
            name: &def.name,
            uuid: owner_uuid,
            mac: &mac.address,
            group: src.portgroup.as_deref(),
        };
        let bw = interface_bandwidth(nic).ok().flatten();
        let done =
            network_port_reclaim(net, owner, port, bw).and_then(|br| tap::attach(&t.dev, &br));
        if let Err(e) = done {
            rvirt_core::log::warning(
                ErrorDomain::Qemu,
                format_args!(
                    "guest '{}': interface {} on network '{net}' not reconnected: {}",
                    def.name,
                    t.dev,
                    e.message()
                ),
            );
        }
    }
}

/// Deletes the network ports and the filter bindings of a run that ended while no
/// process watched it (its taps went with its QEMU; their names may be another
/// guest's by now, so only bindings it owns go).
pub(crate) fn release_ports(def: &DomainDef) {
    let owner = def.uuid.unwrap_or_default();
    for d in def.devices() {
        if let Device::Interface(nic) = d
            && nic.filterref.is_some()
            && let Some(t) = &nic.target
        {
            binding_delete_owned(&t.dev, owner);
        }
    }
    for d in def.devices() {
        if let Device::Interface(nic) = d
            && nic.interface_type == InterfaceType::Network
            && let Some(s) = &nic.source
            && let (Some(net), Some(port)) = (&s.network, &s.portid)
        {
            network_port_delete(net, port);
        }
    }
}

/// Removes the taps a run's live definition `def` names and deletes their network
/// ports (at stop).
pub(crate) fn unplug_interfaces(def: &DomainDef) {
    for d in def.devices() {
        if let Device::Interface(nic) = d {
            unplug_interface(nic);
        }
    }
}

/// Removes the tap of one `network`/`bridge` NIC and deletes its network port (at
/// stop, or when QEMU unplugged it).
pub(crate) fn unplug_interface(nic: &rvirt_core::conf::Interface) {
    if !matches!(
        nic.interface_type,
        InterfaceType::Network | InterfaceType::Bridge
    ) {
        return;
    }
    if let Some(t) = &nic.target {
        if nic.filterref.is_some() {
            binding_delete(&t.dev);
        }
        tap::delete(&t.dev);
        bandwidth::release(&t.dev);
    }
    if let Some(s) = &nic.source
        && let (Some(net), Some(port)) = (&s.network, &s.portid)
    {
        network_port_delete(net, port);
    }
}

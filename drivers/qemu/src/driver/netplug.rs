//! Guest NICs on host bridges: `<interface type='network'>` and `type='bridge'`.
//!
//! At start, each such NIC gets a tap (`vnetN`, [`crate::host::tap`]) plugged into its
//! bridge; the fds go to QEMU (`-netdev tap,fd=N`) and the live XML gets
//! `<target dev='vnetN'/>` (and, for networks, the bridge as `<source bridge=…>`). At
//! stop the taps are removed.
//!
//! A network's bridge comes from the network driver ([`super::networks`]).

use rvirt_core::conf::{Device, DomainDef, InterfaceType};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::networks::network_bridge;

use crate::host::tap::{self, TAP_TEMPLATE, Tap};

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

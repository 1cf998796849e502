//! Quality of service of a network and its ports, as libvirt's network driver keeps
//! it: the network's `<bandwidth>` shapes its bridge (an htb hierarchy, see
//! [`rvirt_core::netdev::bandwidth`]); a port's inbound `floor` is a guaranteed rate
//! carved out of the network's inbound average, as class `1:ID` on the bridge, the
//! class of unguaranteed traffic (`1:2`) keeping what is left. The sum of the floors
//! may exceed neither the network's inbound average nor its peak.

use rvirt_core::netdev::bandwidth;
use rvirt_core::objconf::{Bandwidth, NetworkDef, NetworkPortDef, Rate};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

use crate::state::Net;

const D: ErrorDomain = ErrorDomain::Network;

/// The network's `<bandwidth>`, if it has one.
pub(crate) fn network_bandwidth(def: &NetworkDef) -> Result<Option<Bandwidth>> {
    def.extra
        .iter()
        .find(|e| e.name == "bandwidth")
        .map(|e| Bandwidth::parse(e).map_err(Error::from))
        .transpose()
}

/// The network's inbound rate, which floors are carved from.
fn inbound(def: &NetworkDef) -> Option<Rate> {
    network_bandwidth(def)
        .ok()
        .flatten()
        .and_then(|b| b.inbound)
}

fn floor_of(b: Option<&Bandwidth>) -> u64 {
    b.and_then(|b| b.inbound).map_or(0, |r| r.floor)
}

/// libvirt's refusal of a `floor` on a network without inbound QoS.
pub(crate) fn no_floor(mac: &str, net: &str) -> Error {
    Error::new(
        ErrorCode::ConfigUnsupported,
        D,
        format!(
            "Invalid use of 'floor' on interface with MAC address {mac} - network '{net}' has no inbound QoS set"
        ),
    )
}

/// libvirt's refusal of a `floor` where the network has no bridge of its own.
pub(crate) fn floor_unsupported(mac: &str) -> Error {
    Error::new(
        ErrorCode::ConfigUnsupported,
        D,
        format!(
            "Invalid use of 'floor' on interface with MAC address {mac} - 'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none"
        ),
    )
}

/// The floors of `n`'s ports but `except`.
fn floor_sum(n: &Net, except: Option<&Uuid>) -> u64 {
    n.ports
        .iter()
        .filter(|p| Some(&p.uuid) != except)
        .map(|p| floor_of(p.bandwidth.as_ref()))
        .sum()
}

/// Checks that `n` can give the port `uuid` (MAC `mac`) a floor of `floor` (its
/// current one, if any, given back first); returns the rate left to unguaranteed
/// traffic.
fn check(n: &Net, uuid: &Uuid, mac: &str, floor: u64) -> Result<u64> {
    if !n.def.has_own_bridge() {
        return Err(floor_unsupported(mac));
    }
    let Some(net) = inbound(&n.def) else {
        return Err(no_floor(mac, &n.def.name));
    };
    let sum = floor_sum(n, Some(uuid)) + floor;
    let bridge = n.bridge().unwrap_or_default();
    let over = |what: &str, v: u64| {
        Error::operation_invalid(
            D,
            format!(
                "Cannot plug '{mac}' interface into '{bridge}' because new combined inbound floor={sum} would overcommit {what}={v} on network '{}'",
                n.def.name
            ),
        )
    };
    if net.peak != 0 && sum > net.peak {
        return Err(over("peak", net.peak));
    }
    if sum > net.average {
        return Err(over("average", net.average));
    }
    Ok(net.average - sum)
}

fn mac_bytes(mac: &str) -> Result<[u8; 6]> {
    let mut out = [0u8; 6];
    let parts: Vec<&str> = mac.split(':').collect();
    if parts.len() != 6 {
        return Err(Error::internal(D, format!("Unable to parse MAC '{mac}'")));
    }
    for (o, p) in out.iter_mut().zip(parts) {
        *o = u8::from_str_radix(p, 16)
            .map_err(|_| Error::internal(D, format!("Unable to parse MAC '{mac}'")))?;
    }
    Ok(out)
}

/// The smallest class ID (≥ 3) no port of `n` holds.
fn free_class(n: &Net) -> u32 {
    let mut id = 3;
    while n.ports.iter().any(|p| p.class_id == Some(id)) {
        id += 1;
    }
    id
}

/// Refuses a port `floor` the network cannot give before anything is made.
pub(crate) fn validate(n: &Net, port: &NetworkPortDef) -> Result<()> {
    let floor = floor_of(port.bandwidth.as_ref());
    if floor != 0 {
        check(n, &port.uuid, &port.mac, floor)?;
    }
    Ok(())
}

/// Gives the new `port` of the running `n` its floor on the bridge (class ID noted
/// in the port).
pub(crate) fn plug(n: &Net, port: &mut NetworkPortDef) -> Result<()> {
    port.class_id = None;
    let floor = floor_of(port.bandwidth.as_ref());
    if floor == 0 {
        return Ok(());
    }
    let left = check(n, &port.uuid, &port.mac, floor)?;
    let net = inbound(&n.def).unwrap_or_default();
    let bridge = n.bridge().unwrap_or_default();
    let id = free_class(n);
    bandwidth::plug(bridge, Some(&net), mac_bytes(&port.mac)?, floor, id)?;
    if let Err(e) = bandwidth::update_rate(bridge, 2, &net, left) {
        let _ = bandwidth::unplug(bridge, id);
        return Err(e);
    }
    port.class_id = Some(id);
    Ok(())
}

/// Takes the floor of `port`, no longer among `n`'s ports, off the bridge.
pub(crate) fn unplug(n: &Net, port: &NetworkPortDef) {
    let (Some(id), Some(bridge), Some(net)) = (port.class_id, n.bridge(), inbound(&n.def)) else {
        return;
    };
    if !n.active {
        return;
    }
    let _ = bandwidth::unplug(bridge, id);
    let left = net.average.saturating_sub(floor_sum(n, Some(&port.uuid)));
    let _ = bandwidth::update_rate(bridge, 2, &net, left);
}

/// Changes the floor of `n`'s port `at` to what `new` asks (`virNetworkPortSetParameters`):
/// a class made, changed or removed; returns the class ID the port keeps.
pub(crate) fn update(n: &Net, at: usize, new: Option<&Bandwidth>) -> Result<Option<u32>> {
    let port = &n.ports[at];
    let old_floor = floor_of(port.bandwidth.as_ref());
    let new_floor = floor_of(new);
    if old_floor == new_floor {
        return Ok(port.class_id);
    }
    let bridge = n.bridge().unwrap_or_default();
    if new_floor == 0 {
        let mut rest = n.clone();
        rest.ports.remove(at);
        unplug(&rest, port);
        return Ok(None);
    }
    let left = check(n, &port.uuid, &port.mac, new_floor)?;
    let net = inbound(&n.def).unwrap_or_default();
    let id = match port.class_id {
        Some(id) => {
            bandwidth::update_rate(bridge, id, &net, new_floor)?;
            id
        }
        None => {
            let id = free_class(n);
            bandwidth::plug(bridge, Some(&net), mac_bytes(&port.mac)?, new_floor, id)?;
            id
        }
    };
    bandwidth::update_rate(bridge, 2, &net, left)?;
    Ok(Some(id))
}

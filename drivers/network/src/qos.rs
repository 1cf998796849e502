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

#[cfg(test)]
mod tests {
    use super::*;

    fn net(bw: &str, mode: &str) -> Net {
        let xml = format!(
            "<network><name>q</name><uuid>5d5e6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6</uuid>{mode}\
             <bridge name='virbr7'/>{bw}<ip address='10.9.0.1' prefix='24'/></network>"
        );
        Net {
            def: NetworkDef::from_xml(&xml).unwrap(),
            new_def: None,
            active: true,
            persistent: true,
            autostart: false,
            ports: Vec::new(),
        }
    }

    fn port(n: u128, floor: u64) -> NetworkPortDef {
        NetworkPortDef::from_xml(&format!(
            "<networkport><uuid>{}</uuid><owner><name>g</name>\
             <uuid>11111111-2222-3333-4444-555555555555</uuid></owner>\
             <mac address='52:54:00:00:00:{n:02x}'/>\
             <bandwidth><inbound floor='{floor}'/></bandwidth></networkport>",
            Uuid::from_u128(n).hyphenated()
        ))
        .unwrap()
    }

    #[test]
    fn floors_are_carved_from_the_inbound_average() {
        let mut n = net(
            "<bandwidth><inbound average='1000'/></bandwidth>",
            "<forward mode='nat'/>",
        );
        n.ports.push(port(1, 600));
        let p = port(2, 300);
        assert_eq!(check(&n, &p.uuid, &p.mac, 300).unwrap(), 100);
        let e = check(&n, &p.uuid, &p.mac, 500).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationInvalid);
        assert_eq!(
            e.message(),
            "Cannot plug '52:54:00:00:00:02' interface into 'virbr7' because new combined inbound floor=1100 would overcommit average=1000 on network 'q'"
        );
        // A port's own floor is given back before its new one is counted.
        let own = n.ports[0].clone();
        assert_eq!(check(&n, &own.uuid, &own.mac, 1000).unwrap(), 0);
        assert_eq!(free_class(&n), 3);
        n.ports[0].class_id = Some(3);
        assert_eq!(free_class(&n), 4);
    }

    #[test]
    fn floors_need_inbound_qos_and_a_bridge_of_the_networks_own() {
        let n = net("", "<forward mode='nat'/>");
        let p = port(1, 10);
        let e = validate(&n, &p).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        assert_eq!(
            e.message(),
            "Invalid use of 'floor' on interface with MAC address 52:54:00:00:00:01 - network 'q' has no inbound QoS set"
        );
        let n = net(
            "<bandwidth><inbound average='1000'/></bandwidth>",
            "<forward mode='bridge'/>",
        );
        let e = validate(&n, &p).unwrap_err();
        assert!(
            e.message().ends_with("'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none"),
            "{}",
            e.message()
        );
        let none = NetworkPortDef {
            bandwidth: None,
            ..port(2, 1)
        };
        assert!(validate(&n, &none).is_ok());
    }
}

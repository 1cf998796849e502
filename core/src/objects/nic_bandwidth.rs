//! A NIC's `<bandwidth>` as interface parameters (`virDomain{Get,Set}InterfaceParameters`,
//! `virsh domiftune`), shared by the drivers: the NIC a call names (MAC address or
//! host device, as libvirt's `virDomainNetFind`), the seven rates libvirt reports and
//! how a set replaces a direction (average or floor required, a direction named with
//! a zero average cleared).

use crate::api::{TypedParam, TypedValue};
use crate::conf::xml::Element;
use crate::conf::{Device, DomainDef, Interface};
use crate::{Error, ErrorDomain, Result};

/// The seven parameter names, in libvirt's order, each an `unsigned int`.
pub const INTERFACE_PARAMS: [(&str, &str); 7] = [
    ("inbound.average", "uint"),
    ("inbound.peak", "uint"),
    ("inbound.burst", "uint"),
    ("inbound.floor", "uint"),
    ("outbound.average", "uint"),
    ("outbound.peak", "uint"),
    ("outbound.burst", "uint"),
];

/// One direction's rates (kB/s, kB).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Rate {
    average: u32,
    peak: u32,
    burst: u32,
    floor: u32,
}

impl Rate {
    fn read(e: Option<&Element>) -> Rate {
        let n = |a: &str| {
            e.and_then(|e| e.attr(a))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Rate {
            average: n("average"),
            peak: n("peak"),
            burst: n("burst"),
            floor: n("floor"),
        }
    }

    fn element(self, name: &str) -> Element {
        let mut e = Element::new(name);
        for (attr, v) in [
            ("average", self.average),
            ("peak", self.peak),
            ("floor", self.floor),
            ("burst", self.burst),
        ] {
            if v != 0 {
                e.set_attr(attr, v.to_string());
            }
        }
        e
    }
}

fn mac_of(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (b, p) in mac.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    Some(mac)
}

/// The position among `def`'s devices of the NIC `device` names (libvirt's
/// `virDomainNetFind`): a MAC address matches `<mac>`, anything else `<target dev>`.
pub fn nic_index(def: &DomainDef, device: &str) -> Result<usize> {
    let by_mac = mac_of(device);
    let mut found = def
        .devices()
        .iter()
        .enumerate()
        .filter_map(|(i, d)| match d {
            Device::Interface(nic) => {
                let hit = match by_mac {
                    Some(m) => nic.mac.as_ref().and_then(|x| mac_of(&x.address)) == Some(m),
                    None => nic.target.as_ref().is_some_and(|t| t.dev == device),
                };
                hit.then_some(i)
            }
            _ => None,
        });
    let first = found.next();
    if by_mac.is_some() && found.next().is_some() {
        return Err(Error::invalid_arg(
            ErrorDomain::Domain,
            format!("multiple devices matching MAC address {device} found"),
        ));
    }
    first.ok_or_else(|| {
        Error::invalid_arg(
            ErrorDomain::Domain,
            format!("'{device}' is not a known interface"),
        )
    })
}

/// The NIC `device` names (see [`nic_index`]).
pub fn nic_mut<'a>(def: &'a mut DomainDef, device: &str) -> Result<&'a mut Interface> {
    let i = nic_index(def, device)?;
    match &mut def.devices_mut()[i] {
        Device::Interface(nic) => Ok(nic),
        _ => unreachable!("nic_index returns interfaces"),
    }
}

/// Read-only [`nic_mut`].
pub fn nic<'a>(def: &'a DomainDef, device: &str) -> Result<&'a Interface> {
    let i = nic_index(def, device)?;
    match &def.devices()[i] {
        Device::Interface(nic) => Ok(nic),
        _ => unreachable!("nic_index returns interfaces"),
    }
}

/// The seven rates of `nic` (0 where unset).
pub fn interface_params(nic: &Interface) -> Vec<TypedParam> {
    let b = nic.bandwidth.as_ref();
    let inbound = Rate::read(b.and_then(|b| b.child("inbound")));
    let outbound = Rate::read(b.and_then(|b| b.child("outbound")));
    [
        inbound.average,
        inbound.peak,
        inbound.burst,
        inbound.floor,
        outbound.average,
        outbound.peak,
        outbound.burst,
    ]
    .into_iter()
    .zip(INTERFACE_PARAMS)
    .map(|(v, (name, _))| TypedParam::new(name, TypedValue::UInt(v)))
    .collect()
}

/// Applies a (validated) set to `nic` as libvirt does: each direction named is built
/// from this call's values alone and replaces the old one when it has an average (or,
/// inbound, a floor); naming a direction's average or floor with nothing left clears it;
/// peak or burst alone change nothing.
pub fn apply_interface_params(nic: &mut Interface, params: &[TypedParam]) {
    let (mut inbound, mut outbound) = (Rate::default(), Rate::default());
    let (mut in_named, mut out_named) = (false, false);
    for p in params {
        let TypedValue::UInt(v) = p.value else {
            continue;
        };
        match p.field.as_str() {
            "inbound.average" => (inbound.average, in_named) = (v, true),
            "inbound.peak" => inbound.peak = v,
            "inbound.burst" => inbound.burst = v,
            "inbound.floor" => (inbound.floor, in_named) = (v, true),
            "outbound.average" => (outbound.average, out_named) = (v, true),
            "outbound.peak" => outbound.peak = v,
            "outbound.burst" => outbound.burst = v,
            _ => {}
        }
    }
    let new_in = (inbound.average != 0 || inbound.floor != 0).then_some(inbound);
    let new_out = (outbound.average != 0).then_some(outbound);
    let old = nic.bandwidth.as_ref();
    let keep = |name: &str| old.and_then(|b| b.child(name)).map(|e| Rate::read(Some(e)));
    let inbound = match new_in {
        Some(r) => Some(r),
        None if in_named => None,
        None => keep("inbound"),
    };
    let outbound = match new_out {
        Some(r) => Some(r),
        None if out_named => None,
        None => keep("outbound"),
    };
    if old.is_none() && inbound.is_none() && outbound.is_none() {
        return;
    }
    let mut b = Element::new("bandwidth");
    if let Some(r) = inbound {
        b.push(r.element("inbound"));
    }
    if let Some(r) = outbound {
        b.push(r.element("outbound"));
    }
    nic.bandwidth = Some(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> DomainDef {
        DomainDef::from_xml(
            "<domain type='test'><name>n</name><memory>1024</memory><os><type>hvm</type></os>\
             <devices><interface type='user'><mac address='52:54:00:AA:00:01'/>\
             <target dev='tap0'/><bandwidth><inbound average='5' burst='6'/></bandwidth>\
             </interface></devices></domain>",
        )
        .unwrap()
    }

    fn set(nic: &mut Interface, p: &[(&str, u32)]) {
        let p: Vec<TypedParam> = p
            .iter()
            .map(|(n, v)| TypedParam::new(*n, TypedValue::UInt(*v)))
            .collect();
        apply_interface_params(nic, &p);
    }

    #[test]
    fn nics_are_found_by_mac_in_any_case_or_by_device() {
        let d = def();
        assert_eq!(nic_index(&d, "52:54:00:aa:00:01").unwrap(), 0);
        assert_eq!(nic_index(&d, "tap0").unwrap(), 0);
        let e = nic_index(&d, "tap1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: 'tap1' is not a known interface"
        );
    }

    #[test]
    fn a_set_replaces_named_directions_only() {
        let mut d = def();
        let n = nic_mut(&mut d, "tap0").unwrap();
        set(n, &[("outbound.average", 7)]);
        let got: Vec<u32> = interface_params(n)
            .iter()
            .map(|p| match p.value {
                TypedValue::UInt(v) => v,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(got, [5, 0, 6, 0, 7, 0, 0]);
        set(n, &[("inbound.peak", 9)]);
        assert_eq!(interface_params(n)[0].value, TypedValue::UInt(5));
        set(n, &[("inbound.average", 0)]);
        assert_eq!(interface_params(n)[0].value, TypedValue::UInt(0));
        assert_eq!(interface_params(n)[4].value, TypedValue::UInt(7));
    }
}

//! Network ports (`virNetworkPort*`): a guest NIC's attachment to a running network,
//! allocated as libvirt's network driver allocates it (plugged into the network's
//! bridge), kept in `ROOT/run/network/ports/NETUUID/PORTUUID.xml` while the network
//! runs (a restarted daemon finds them again) and dropped when it stops.

use std::path::{Path, PathBuf};

use rvirt_core::api::{TypedParam, TypedValue};
use rvirt_core::driver::NetworkPortRef;
use rvirt_core::objconf::{Bandwidth, NetworkDef, NetworkPortDef, Plug};
use rvirt_core::objects::XmlStore;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid, log};

use crate::state::Net;

const D: ErrorDomain = ErrorDomain::Network;

/// `VIR_NETWORK_PORT_CREATE_RECLAIM`.
pub(crate) const CREATE_RECLAIM: u32 = 1;
/// `VIR_NETWORK_PORT_CREATE_VALIDATE`.
pub(crate) const CREATE_VALIDATE: u32 = 2;

/// Most ports one network holds (each is a file under the run directory; a client
/// creating ports without end must not fill the disk).
pub(crate) const MAX_PORTS: usize = 4096;

/// The bandwidth parameters, in the order libvirt reports them.
const IN_AVERAGE: &str = "inbound.average";
const IN_PEAK: &str = "inbound.peak";
const IN_FLOOR: &str = "inbound.floor";
const IN_BURST: &str = "inbound.burst";
const OUT_AVERAGE: &str = "outbound.average";
const OUT_PEAK: &str = "outbound.peak";
const OUT_BURST: &str = "outbound.burst";

/// Where the ports of every network live.
#[derive(Clone, Debug)]
pub(crate) struct PortDirs(PathBuf);

impl PortDirs {
    /// The ports under `run` (`RUN/ports`).
    pub(crate) fn new(run: &Path) -> PortDirs {
        PortDirs(run.join("ports"))
    }

    fn store(&self, net: &Uuid) -> Result<XmlStore> {
        XmlStore::open(self.0.join(net.hyphenated().to_string()), D)
    }

    /// The ports recorded for network `net` (files that do not parse, or whose name
    /// is not their UUID, are skipped with a log line).
    pub(crate) fn load(&self, net: &Uuid) -> Vec<NetworkPortDef> {
        let Ok(store) = self.store(net) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, text) in store.load_all() {
            match NetworkPortDef::from_xml(&text) {
                Ok(p) if p.uuid.hyphenated().to_string() == name => out.push(p),
                _ => log::warning(D, format_args!("skipping network port file '{name}.xml'")),
            }
        }
        out
    }

    /// Records `port` of network `net` (atomically, synced).
    pub(crate) fn save(&self, net: &Uuid, port: &NetworkPortDef) -> Result<()> {
        self.store(net)?
            .save(&port.uuid.hyphenated().to_string(), &port.to_xml(), true)
    }

    /// Forgets `port` of network `net`.
    pub(crate) fn delete(&self, net: &Uuid, port: &Uuid) -> Result<()> {
        self.store(net)?.delete(&port.hyphenated().to_string())
    }

    /// Forgets every port of network `net`.
    pub(crate) fn delete_all(&self, net: &Uuid) {
        let dir = self.0.join(net.hyphenated().to_string());
        if dir.exists()
            && let Err(e) = std::fs::remove_dir_all(&dir)
        {
            log::warning(D, format_args!("cannot remove '{}': {e}", dir.display()));
        }
    }

    /// Removes the port directories of networks not in `keep`.
    pub(crate) fn prune(&self, keep: &[Uuid]) {
        for e in std::fs::read_dir(&self.0).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !keep.iter().any(|u| u.hyphenated().to_string() == name) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

fn not_active(name: &str) -> Error {
    Error::operation_invalid(D, format!("network '{name}' is not active"))
}

/// The port reference of `p` on `n`.
pub(crate) fn reference(n: &Net, p: &NetworkPortDef) -> NetworkPortRef {
    NetworkPortRef {
        network: n.reference(),
        uuid: p.uuid,
    }
}

/// The index of port `uuid` of `n` (libvirt's error when there is none; then that
/// the network runs).
pub(crate) fn find(n: &Net, uuid: &Uuid) -> Result<usize> {
    let i = n
        .ports
        .iter()
        .position(|p| p.uuid == *uuid)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::NoNetworkPort,
                D,
                format!(
                    "Network port with UUID {} does not exist",
                    uuid.hyphenated()
                ),
            )
        })?;
    if !n.active {
        return Err(not_active(&n.def.name));
    }
    Ok(i)
}

/// The portgroup `name` of `def`, or its default one when `name` is `None`.
fn portgroup<'a>(
    def: &'a NetworkDef,
    name: Option<&str>,
) -> Option<&'a rvirt_core::objconf::Element> {
    def.portgroups.iter().find(|g| match name {
        Some(n) => g.get("name") == Some(n),
        None => g.get("default") == Some("yes"),
    })
}

/// Plugs a new port into `def`, as libvirt's `networkAllocatePort` does for the
/// forward modes this driver runs: a tap on the network's bridge; bandwidth and
/// `trustGuestRxFilters` the port lacks come from its portgroup (or the network).
fn allocate(def: &NetworkDef, port: &mut NetworkPortDef) -> Result<()> {
    let group = portgroup(def, port.group.as_deref());
    if port.bandwidth.is_none()
        && let Some(b) = group.and_then(|g| g.find("bandwidth"))
    {
        port.bandwidth = Some(Bandwidth::parse(b)?);
    }
    if port.trust_guest_rx_filters.is_none() {
        port.trust_guest_rx_filters = group
            .and_then(|g| g.get("trustGuestRxFilters"))
            .map(str::to_string)
            .or_else(|| def.trust_guest_rx_filters.clone());
    }
    let bridge = def.bridge.name.clone();
    let kind = match def.forward_mode() {
        "none" | "nat" | "route" | "open" => "network",
        "bridge" if bridge.is_some() => "bridge",
        mode => {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                D,
                format!(
                    "network ports of forward mode '{mode}' are not supported by this network driver"
                ),
            ));
        }
    };
    if port.virtualport.is_some() {
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            D,
            format!(
                "<virtualport> not supported for network '{}' which uses {}",
                def.name,
                if kind == "network" {
                    "IP forwarding"
                } else {
                    "a bridge device"
                }
            ),
        ));
    }
    let bridge = bridge.ok_or_else(|| {
        Error::internal(
            D,
            format!("network '{}' does not have a bridge name.", def.name),
        )
    })?;
    port.plug = Plug::Bridge {
        kind: kind.to_string(),
        bridge,
        mac_table_manager: def.bridge.mac_table_manager.clone(),
    };
    Ok(())
}

/// Validates and plugs the port described by `xml` into the running `n` (its
/// plug filled in unless `VIR_NETWORK_PORT_CREATE_RECLAIM` hands back an existing
/// one); the caller records it.
pub(crate) fn create(n: &Net, xml: &str, flags: u32) -> Result<NetworkPortDef> {
    let mut port = NetworkPortDef::from_xml(xml)?;
    if !n.active {
        return Err(not_active(&n.def.name));
    }
    let reclaim = flags & CREATE_RECLAIM != 0;
    match (&port.plug, reclaim) {
        (Plug::None, true) => {
            return Err(Error::invalid_arg(
                D,
                "Port reclaim requested but plug type is none".to_string(),
            ));
        }
        (Plug::None, false) => allocate(&n.def, &mut port)?,
        (_, false) => {
            return Err(Error::invalid_arg(
                D,
                "Port reclaim not requested but plug type is not none".to_string(),
            ));
        }
        (_, true) => {
            if n.bridge().is_none() {
                return Err(Error::internal(
                    D,
                    "Unexpectedly got a network port without a network bridge".to_string(),
                ));
            }
        }
    }
    crate::qos::validate(n, &port)?;
    if n.ports.len() >= MAX_PORTS {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            D,
            format!(
                "network '{}' already has {MAX_PORTS} ports, the most it can hold",
                n.def.name
            ),
        ));
    }
    if n.ports.iter().any(|p| p.uuid == port.uuid) {
        return Err(Error::new(
            ErrorCode::NetworkPortExist,
            D,
            format!(
                "Network port with UUID {} already exists",
                port.uuid.hyphenated()
            ),
        ));
    }
    if let Some(other) = n.ports.iter().find(|p| p.mac == port.mac) {
        return Err(Error::new(
            ErrorCode::NetworkPortExist,
            D,
            format!(
                "MAC address '{}' is already in use by network port {} of '{}' in network '{}'",
                port.mac,
                other.uuid.hyphenated(),
                other.owner_name,
                n.def.name
            ),
        ));
    }
    Ok(port)
}

/// The bandwidth of `port` as `virNetworkPortGetParameters` reports it.
pub(crate) fn parameters(port: &NetworkPortDef) -> Vec<TypedParam> {
    let mut out = Vec::new();
    let u = |v: u64| TypedValue::UInt(u32::try_from(v).unwrap_or(u32::MAX));
    if let Some(b) = port.bandwidth {
        if let Some(r) = b.inbound {
            out.push(TypedParam::new(IN_AVERAGE, u(r.average)));
            out.push(TypedParam::new(IN_PEAK, u(r.peak)));
            out.push(TypedParam::new(IN_FLOOR, u(r.floor)));
            out.push(TypedParam::new(IN_BURST, u(r.burst)));
        }
        if let Some(r) = b.outbound {
            out.push(TypedParam::new(OUT_AVERAGE, u(r.average)));
            out.push(TypedParam::new(OUT_PEAK, u(r.peak)));
            out.push(TypedParam::new(OUT_BURST, u(r.burst)));
        }
    }
    out
}

/// The bandwidth `params` ask for (`virNetworkPortSetParameters`), checked: unsigned
/// ints of the known names only.
pub(crate) fn bandwidth_of(params: &[TypedParam]) -> Result<Bandwidth> {
    let mut inb = rvirt_core::objconf::Rate::default();
    let mut out = rvirt_core::objconf::Rate::default();
    for p in params {
        let v = match p.value {
            TypedValue::UInt(v) => u64::from(v),
            _ => {
                return Err(Error::invalid_arg(
                    D,
                    format!(
                        "invalid type '{}' for parameter '{}', expected 'uint'",
                        p.value.type_name(),
                        p.field
                    ),
                ));
            }
        };
        match p.field.as_str() {
            IN_AVERAGE => inb.average = v,
            IN_PEAK => inb.peak = v,
            IN_FLOOR => inb.floor = v,
            IN_BURST => inb.burst = v,
            OUT_AVERAGE => out.average = v,
            OUT_PEAK => out.peak = v,
            OUT_BURST => out.burst = v,
            other => {
                return Err(Error::invalid_arg(
                    D,
                    format!("parameter '{other}' not supported"),
                ));
            }
        }
    }
    Ok(Bandwidth {
        inbound: (inb.average != 0 || inb.floor != 0).then_some(inb),
        outbound: (out.average != 0).then_some(out),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: &str = "<network><name>n</name><uuid>5d5e6f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6</uuid><forward mode='nat'/>\
        <bridge name='virbr9' macTableManager='kernel'/><ip address='10.9.0.1' prefix='24'/></network>";

    fn port(uuid: &str, mac: &str, plug: &str) -> String {
        format!(
            "<networkport><uuid>{uuid}</uuid><owner><name>g</name><uuid>11111111-2222-3333-4444-555555555555</uuid></owner>\
             <mac address='{mac}'/><bandwidth><inbound average='100' burst='5'/></bandwidth>{plug}</networkport>"
        )
    }

    fn net(active: bool) -> Net {
        Net {
            def: NetworkDef::from_xml(NET).unwrap(),
            new_def: None,
            active,
            persistent: true,
            autostart: false,
            ports: Vec::new(),
        }
    }

    #[test]
    fn ports_are_plugged_into_the_bridge_and_refused_as_libvirt() {
        let mut n = net(true);
        let u1 = "aaaaaaaa-0000-0000-0000-000000000001";
        let p = create(&n, &port(u1, "52:54:00:00:00:01", ""), 0).unwrap();
        assert!(
            p.to_xml()
                .contains("<plug type='network' bridge='virbr9' macTableManager='kernel'/>"),
            "{}",
            p.to_xml()
        );
        n.ports.push(p);
        let e = create(&n, &port(u1, "52:54:00:00:00:02", ""), 0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NetworkPortExist);
        assert_eq!(
            e.message(),
            format!("Network port with UUID {u1} already exists")
        );
        let u2 = "aaaaaaaa-0000-0000-0000-000000000002";
        let e = create(&n, &port(u2, "52:54:00:00:00:01", ""), 0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NetworkPortExist);
        let e = create(&n, &port(u2, "52:54:00:00:00:02", ""), CREATE_RECLAIM).unwrap_err();
        assert_eq!(e.message(), "Port reclaim requested but plug type is none");
        let plug = "<plug type='network' bridge='virbr9'/>";
        let e = create(&n, &port(u2, "52:54:00:00:00:02", plug), 0).unwrap_err();
        assert_eq!(
            e.message(),
            "Port reclaim not requested but plug type is not none"
        );
        assert!(create(&n, &port(u2, "52:54:00:00:00:02", plug), CREATE_RECLAIM).is_ok());
        let e = create(&net(false), &port(u2, "52:54:00:00:00:02", ""), 0).unwrap_err();
        assert_eq!(e.message(), "network 'n' is not active");
        let e = find(&n, &Uuid::parse_str(u2).unwrap()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoNetworkPort);
        assert_eq!(
            e.message(),
            format!("Network port with UUID {u2} does not exist")
        );
    }

    #[test]
    fn ports_take_their_portgroups_bandwidth_and_no_floor() {
        let mut n = net(true);
        n.def = NetworkDef::from_xml(&NET.replace(
            "</network>",
            "<portgroup name='web' trustGuestRxFilters='yes'><bandwidth><outbound average='9'/></bandwidth></portgroup></network>",
        ))
        .unwrap();
        let xml = "<networkport><uuid>aaaaaaaa-0000-0000-0000-000000000001</uuid><owner><name>g</name>\
            <uuid>11111111-2222-3333-4444-555555555555</uuid></owner><group>web</group><mac address='52:54:00:00:00:01'/></networkport>";
        let p = create(&n, xml, 0).unwrap();
        assert!(
            p.to_xml().contains("<outbound average='9'/>")
                && p.to_xml().contains("<rxfilters trustGuest='yes'/>"),
            "{}",
            p.to_xml()
        );
        let floor = port(
            "aaaaaaaa-0000-0000-0000-000000000002",
            "52:54:00:00:00:02",
            "",
        )
        .replace(
            "<inbound average='100' burst='5'/>",
            "<inbound average='100' floor='5'/>",
        );
        let e = create(&n, &floor, 0).unwrap_err();
        assert_eq!(
            e.message(),
            "Invalid use of 'floor' on interface with MAC address 52:54:00:00:00:02 - network 'n' has no inbound QoS set"
        );
    }

    #[test]
    fn a_network_holds_a_bounded_number_of_ports() {
        let mut n = net(true);
        let p = create(
            &n,
            &port(
                "aaaaaaaa-0000-0000-0000-000000000001",
                "52:54:00:00:00:01",
                "",
            ),
            0,
        )
        .unwrap();
        n.ports = (0..MAX_PORTS)
            .map(|i| NetworkPortDef {
                uuid: Uuid::from_u128(i as u128),
                mac: format!("52:54:00:01:{:02x}:{:02x}", i >> 8, i & 0xff),
                ..p.clone()
            })
            .collect();
        let e = create(
            &n,
            &port(
                "aaaaaaaa-0000-0000-0000-0000000000ff",
                "52:54:00:ff:00:01",
                "",
            ),
            0,
        )
        .unwrap_err();
        assert_eq!(
            e.message(),
            "network 'n' already has 4096 ports, the most it can hold"
        );
    }

    #[test]
    fn bandwidth_parameters_as_libvirt_names_them() {
        let n = net(true);
        let p = create(
            &n,
            &port(
                "aaaaaaaa-0000-0000-0000-000000000001",
                "52:54:00:00:00:01",
                "",
            ),
            0,
        )
        .unwrap();
        let got: Vec<String> = parameters(&p).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "inbound.average=100",
                "inbound.peak=0",
                "inbound.floor=0",
                "inbound.burst=5"
            ]
        );
        let b = bandwidth_of(&parameters(&p)).unwrap();
        assert_eq!(b, p.bandwidth.unwrap());
        assert!(bandwidth_of(&[TypedParam::new("inbound.average", TypedValue::Int(3))]).is_err());
        assert!(bandwidth_of(&[TypedParam::new("x", TypedValue::UInt(3))]).is_err());
    }
}

//! `<network>`: libvirt's virtual network XML ([`NetworkDef`]).
//!
//! Parsed into a typed model for what rvirt's drivers act on (forward mode, bridge,
//! addresses, DHCP, DNS, routes) and written back in libvirt's element and attribute
//! order. Parts no driver acts on (`<bandwidth>`, `<vlan>`, `<virtualport>`, `<port>`,
//! `<portgroup>`, `<metadata>`) are kept as element trees and written back unchanged.
//! Unknown elements are dropped, as libvirt drops them.

use std::net::IpAddr;

use uuid::Uuid;

use crate::error::{Result, XmlError, domain::NETWORK};
use crate::tree::{Element, parse_root};
use crate::util::{ip_attr, num_attr, parse_mac, uuid_of};

/// `<forward mode=…>` values; no `<forward>` at all is an isolated network.
pub const FORWARD_MODES: &[&str] = &[
    "nat",
    "route",
    "open",
    "bridge",
    "private",
    "vepa",
    "passthrough",
    "hostdev",
];

/// A virtual network definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkDef {
    /// Unique name.
    pub name: String,
    /// Unique UUID (random when the XML has none).
    pub uuid: Uuid,
    /// `ipv6='yes'`: guest-to-guest IPv6 without an IPv6 address on the bridge.
    pub ipv6: bool,
    /// `trustGuestRxFilters`.
    pub trust_guest_rx_filters: Option<String>,
    /// Live status only: guests attached (`connections='N'`).
    pub connections: Option<u32>,
    /// `<metadata>`, kept as a tree.
    pub metadata: Option<Element>,
    /// `<forward>`; `None` = isolated.
    pub forward: Option<Forward>,
    /// `<bridge>`.
    pub bridge: Bridge,
    /// `<mtu size=…>`.
    pub mtu: Option<u32>,
    /// `<mac address=…>` of the bridge.
    pub mac: Option<String>,
    /// `<domain name=… localOnly=…>`.
    pub domain: Option<Element>,
    /// `<dns>`.
    pub dns: Dns,
    /// Elements kept verbatim between `<dns>` and `<ip>` (`<bandwidth>`, `<vlan>`,
    /// `<port>`, `<virtualport>`).
    pub extra: Vec<Element>,
    /// `<ip>` blocks in order.
    pub ips: Vec<Ip>,
    /// `<route>` elements, attributes in libvirt's order.
    pub routes: Vec<Element>,
    /// `<portgroup>` elements.
    pub portgroups: Vec<Element>,
}

/// `<forward>`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Forward {
    /// `mode` (default `nat`).
    pub mode: String,
    /// `dev`: the only host interface traffic may leave through.
    pub dev: Option<String>,
    /// `managed` (hostdev mode).
    pub managed: Option<String>,
    /// `<nat>`, kept as given (`<address start end/>`, `<port start end/>`).
    pub nat: Option<Element>,
    /// `<interface dev=…/>` children.
    pub interfaces: Vec<String>,
    /// `<pf dev=…/>` and `<driver>` children, kept.
    pub other: Vec<Element>,
}

/// `<bridge>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bridge {
    /// Bridge device name.
    pub name: Option<String>,
    /// Spanning tree on (default) or off.
    pub stp: bool,
    /// Forward delay in seconds.
    pub delay: u64,
    /// `macTableManager`.
    pub mac_table_manager: Option<String>,
    /// Firewalld `zone`.
    pub zone: Option<String>,
}

impl Default for Bridge {
    fn default() -> Bridge {
        Bridge {
            name: None,
            stp: true,
            delay: 0,
            mac_table_manager: None,
            zone: None,
        }
    }
}

/// `<dns>`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Dns {
    /// `enable='yes|no'`.
    pub enable: Option<String>,
    /// `forwardPlainNames`.
    pub forward_plain_names: Option<String>,
    /// `<forwarder>` elements.
    pub forwarders: Vec<Element>,
    /// `<txt name value/>`.
    pub txts: Vec<Element>,
    /// `<srv …/>`.
    pub srvs: Vec<Element>,
    /// `<host ip=…><hostname>…</hostname></host>`.
    pub hosts: Vec<DnsHost>,
}

/// A DNS host entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsHost {
    /// Its address.
    pub ip: IpAddr,
    /// Its names.
    pub hostnames: Vec<String>,
}

/// An `<ip>` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ip {
    /// `family='ipv6'` given (`ipv4` when written as such).
    pub family: Option<String>,
    /// The bridge's own address.
    pub address: IpAddr,
    /// `netmask`, when given that way.
    pub netmask: Option<IpAddr>,
    /// `prefix`, when given that way.
    pub prefix: Option<u8>,
    /// `localPtr`.
    pub local_ptr: Option<String>,
    /// `<tftp root=…/>`.
    pub tftp: Option<Element>,
    /// `<dhcp>` ranges.
    pub ranges: Vec<DhcpRange>,
    /// `<dhcp>` static hosts.
    pub hosts: Vec<DhcpHost>,
    /// `<dhcp>` present (even empty).
    pub dhcp: bool,
    /// `<bootp …/>` inside `<dhcp>`.
    pub bootp: Option<Element>,
}

/// A DHCP range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhcpRange {
    /// First address.
    pub start: IpAddr,
    /// Last address.
    pub end: IpAddr,
    /// `<lease expiry unit/>`.
    pub lease: Option<Element>,
}

/// A static DHCP host.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DhcpHost {
    /// MAC address (IPv4).
    pub mac: Option<String>,
    /// DHCPv6 client id.
    pub id: Option<String>,
    /// Host name.
    pub name: Option<String>,
    /// Fixed address.
    pub ip: Option<IpAddr>,
    /// `<lease expiry unit/>`.
    pub lease: Option<Element>,
}

impl Ip {
    /// The prefix length (from `prefix`, `netmask`, or the classful default).
    pub fn prefix_len(&self) -> u8 {
        if let Some(p) = self.prefix {
            return p;
        }
        match (self.netmask, self.address) {
            (Some(IpAddr::V4(m)), _) => u32::from(m).count_ones() as u8,
            (_, IpAddr::V6(_)) => 64,
            (_, IpAddr::V4(a)) => match a.octets()[0] {
                0..=127 => 8,
                128..=191 => 16,
                _ => 24,
            },
        }
    }

    /// True for IPv6.
    pub fn is_v6(&self) -> bool {
        self.address.is_ipv6()
    }

    /// True if `addr` lies in this block's subnet.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let p = u32::from(self.prefix_len());
        match (self.address, addr) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = if p == 0 {
                    0
                } else {
                    u32::MAX << (32 - p.min(32))
                };
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = if p == 0 {
                    0
                } else {
                    u128::MAX << (128 - p.min(128))
                };
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

fn yes_no(e: &Element, key: &str) -> Option<String> {
    e.get(key).map(str::to_string)
}

fn parse_range(e: &Element, net: &str) -> Result<DhcpRange> {
    let start = ip_attr(e, "start", NETWORK, net)?;
    let end = ip_attr(e, "end", NETWORK, net)?;
    match (start, end) {
        (Some(start), Some(end)) => Ok(DhcpRange {
            start,
            end,
            lease: e.find("lease").cloned(),
        }),
        _ => Err(XmlError::xml(
            NETWORK,
            format!("Missing 'start' or 'end' attribute in dhcp range for network '{net}'"),
        )),
    }
}

/// Parses one `<host>` of a `<dhcp>`.
pub fn parse_dhcp_host(e: &Element, net: &str) -> Result<DhcpHost> {
    let mac = match e.get("mac") {
        Some(m) => Some(parse_mac(m).ok_or_else(|| {
            XmlError::xml(
                NETWORK,
                format!("Cannot parse MAC address '{m}' in network '{net}'"),
            )
        })?),
        None => None,
    };
    if let Some(id) = e.get("id")
        && let Some(c) = id.chars().find(|c| !c.is_ascii_hexdigit() && *c != ':')
    {
        return Err(XmlError::xml(
            NETWORK,
            format!("Invalid character '{c}' in id '{id}' of network '{net}'"),
        ));
    }
    if let Some(name) = e.get("name")
        && !name.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Err(XmlError::xml(
            NETWORK,
            format!("Cannot use host name '{name}' in network '{net}'"),
        ));
    }
    let ip = ip_attr(e, "ip", NETWORK, net)?;
    let host = DhcpHost {
        mac,
        id: e.get("id").map(str::to_string),
        name: e.get("name").map(str::to_string),
        ip,
        lease: e.find("lease").cloned(),
    };
    if host.mac.is_none() && host.id.is_none() && host.name.is_none() {
        return Err(XmlError::xml(
            NETWORK,
            format!("Static host definition in network '{net}' must have mac or name attribute"),
        ));
    }
    Ok(host)
}

/// Parses one `<host>` of `<dns>`.
pub fn parse_dns_host(e: &Element, net: &str) -> Result<DnsHost> {
    let ip = ip_attr(e, "ip", NETWORK, net)?.ok_or_else(|| {
        XmlError::xml(
            NETWORK,
            format!("Missing IP address in network '{net}' DNS HOST record"),
        )
    })?;
    let hostnames: Vec<String> = e
        .all("hostname")
        .map(|h| h.trimmed().to_string())
        .filter(|h| !h.is_empty())
        .collect();
    Ok(DnsHost { ip, hostnames })
}

fn parse_ip(e: &Element, net: &str) -> Result<Ip> {
    let address = ip_attr(e, "address", NETWORK, net)?
        .ok_or_else(|| XmlError::xml(NETWORK, format!("Missing IP address in network '{net}'")))?;
    let netmask = ip_attr(e, "netmask", NETWORK, net)?;
    let prefix: Option<u8> = num_attr(e, "prefix", NETWORK)?;
    let family = e.get("family").map(str::to_string);
    if let Some(f) = family.as_deref()
        && f != "ipv4"
        && f != "ipv6"
    {
        return Err(XmlError::xml(
            NETWORK,
            format!("Unrecognized family '{f}' in network '{net}'"),
        ));
    }
    if netmask.is_some() && prefix.is_some() {
        return Err(XmlError::xml(
            NETWORK,
            format!("Network '{net}' IP address cannot have both a prefix and a netmask"),
        ));
    }
    let mut ip = Ip {
        family,
        address,
        netmask,
        prefix,
        local_ptr: yes_no(e, "localPtr"),
        tftp: e.find("tftp").cloned(),
        ranges: Vec::new(),
        hosts: Vec::new(),
        dhcp: false,
        bootp: None,
    };
    if let Some(d) = e.find("dhcp") {
        ip.dhcp = true;
        for c in &d.children {
            match c.name.as_str() {
                "range" => ip.ranges.push(parse_range(c, net)?),
                "host" => ip.hosts.push(parse_dhcp_host(c, net)?),
                "bootp" => ip.bootp = Some(c.clone()),
                _ => {}
            }
        }
    }
    for r in &ip.ranges {
        if !ip.contains(r.start) || !ip.contains(r.end) {
            return Err(XmlError::internal(
                crate::error::domain::NONE,
                format!(
                    "range {} - {} is not entirely within network {}/{}",
                    r.start,
                    r.end,
                    ip.address,
                    ip.prefix_len()
                ),
            ));
        }
    }
    Ok(ip)
}

fn parse_forward(e: &Element, net: &str) -> Result<Forward> {
    let mode = e.get("mode").unwrap_or("nat").to_string();
    if !FORWARD_MODES.contains(&mode.as_str()) {
        return Err(XmlError::unsupported(
            NETWORK,
            format!("unknown forwarding type '{mode}'"),
        ));
    }
    let mut f = Forward {
        mode,
        dev: e.get("dev").map(str::to_string),
        managed: e.get("managed").map(str::to_string),
        ..Forward::default()
    };
    // libvirt's virNetworkForwardDefParseXML: `dev` is the first interface, listed or
    // not, and each interface is listed once.
    f.interfaces.extend(f.dev.clone());
    let mut seen: std::collections::HashSet<String> = f.interfaces.iter().cloned().collect();
    let mut listed = 0;
    for c in &e.children {
        match c.name.as_str() {
            "nat" => f.nat = Some(c.clone()),
            "interface" => {
                let Some(dev) = c.get("dev") else {
                    return Err(XmlError::xml(
                        NETWORK,
                        format!(
                            "Missing required dev attribute in <forward> <interface> element of network {net}"
                        ),
                    ));
                };
                listed += 1;
                if listed == 1
                    && let Some(first) = &f.dev
                {
                    if first != dev {
                        return Err(XmlError::xml(
                            NETWORK,
                            format!(
                                "<forward dev='{first}'> must match first <interface dev='{dev}'/> in network {net}"
                            ),
                        ));
                    }
                    continue;
                }
                if !seen.insert(dev.to_string()) {
                    return Err(XmlError::xml(
                        NETWORK,
                        format!("interface '{dev}' can only be listed once in network {net}"),
                    ));
                }
                f.interfaces.push(dev.to_string());
            }
            "pf" | "driver" | "address" => f.other.push(c.clone()),
            _ => {}
        }
    }
    let pf = f.other.iter().any(|o| o.name == "pf");
    if !pf {
        f.dev = f.interfaces.first().cloned();
    }
    Ok(f)
}

fn parse_dns(e: &Element, net: &str) -> Result<Dns> {
    let mut d = Dns {
        enable: yes_no(e, "enable"),
        forward_plain_names: yes_no(e, "forwardPlainNames"),
        ..Dns::default()
    };
    for c in &e.children {
        match c.name.as_str() {
            "forwarder" => d.forwarders.push(reorder(c, &["domain", "addr"])),
            "txt" => d.txts.push(reorder(c, &["name", "value"])),
            "srv" => d.srvs.push(reorder(
                c,
                &[
                    "service", "protocol", "domain", "target", "port", "priority", "weight",
                ],
            )),
            "host" => d.hosts.push(parse_dns_host(c, net)?),
            _ => {}
        }
    }
    let extra =
        !(d.forwarders.is_empty() && d.txts.is_empty() && d.srvs.is_empty() && d.hosts.is_empty());
    if d.enable.as_deref() == Some("no") && extra {
        return Err(XmlError::xml(
            NETWORK,
            format!("Extra data in disabled network '{net}'"),
        ));
    }
    Ok(d)
}

/// `e` with its attributes in `order` (unknown ones dropped).
fn reorder(e: &Element, order: &[&str]) -> Element {
    let mut out = Element::new(e.name.clone());
    for k in order {
        if let Some(v) = e.get(k) {
            out = out.attr(k, v);
        }
    }
    out.children = e.children.clone();
    out.text = e.text.clone();
    out
}

impl NetworkDef {
    /// Parses a `<network>` document (libvirt's `virNetworkDefParseString`).
    pub fn from_xml(xml: &str) -> Result<NetworkDef> {
        let root = parse_root(xml, "network", "network_definition", NETWORK)?;
        NetworkDef::from_element(&root)
    }

    /// Parses a `<network>` element.
    pub fn from_element(root: &Element) -> Result<NetworkDef> {
        let name = root
            .child_text("name")
            .ok_or_else(|| XmlError::new(crate::error::code::NO_NAME, NETWORK, ""))?;
        if name.contains('/') {
            return Err(XmlError::xml(
                NETWORK,
                format!("name {name} cannot contain '/'"),
            ));
        }
        let uuid = uuid_of(root, NETWORK)?;
        let mut def = NetworkDef {
            uuid,
            ipv6: root.get("ipv6") == Some("yes"),
            trust_guest_rx_filters: yes_no(root, "trustGuestRxFilters"),
            connections: num_attr(root, "connections", NETWORK)?,
            metadata: root.find("metadata").cloned().map(Element::double_quoted),
            forward: root
                .find("forward")
                .map(|f| parse_forward(f, &name))
                .transpose()?,
            bridge: Bridge::default(),
            mtu: root
                .find("mtu")
                .map(|m| num_attr(m, "size", NETWORK))
                .transpose()?
                .flatten(),
            mac: None,
            domain: root
                .find("domain")
                .map(|d| reorder(d, &["name", "localOnly", "register"])),
            dns: Dns::default(),
            extra: Vec::new(),
            ips: Vec::new(),
            routes: Vec::new(),
            portgroups: Vec::new(),
            name,
        };
        if let Some(b) = root.find("bridge") {
            def.bridge = Bridge {
                name: b.get("name").map(str::to_string),
                stp: b.get("stp") != Some("off"),
                delay: num_attr(b, "delay", NETWORK)?.unwrap_or(0),
                mac_table_manager: b.get("macTableManager").map(str::to_string),
                zone: b.get("zone").map(str::to_string),
            };
        }
        if let Some(m) = root.find("mac").and_then(|m| m.get("address")) {
            def.mac = Some(parse_mac(m).ok_or_else(|| {
                XmlError::xml(
                    NETWORK,
                    format!("Invalid bridge mac address '{m}' in network '{}'", def.name),
                )
            })?);
        }
        if let Some(d) = root.find("dns") {
            def.dns = parse_dns(d, &def.name)?;
        }
        for c in &root.children {
            match c.name.as_str() {
                "ip" => def.ips.push(parse_ip(c, &def.name)?),
                "route" => def.routes.push(reorder(
                    c,
                    &[
                        "family", "address", "netmask", "prefix", "gateway", "metric",
                    ],
                )),
                "portgroup" => def.portgroups.push(c.clone()),
                "bandwidth" | "vlan" | "port" | "virtualport" => def.extra.push(c.clone()),
                _ => {}
            }
        }
        def.check_forward()?;
        Ok(def)
    }

    /// What libvirt checks of a routed, NAT or open network's forward
    /// (virNetworkDefParseXML).
    fn check_forward(&self) -> Result<()> {
        let Some(f) = &self.forward else {
            return Ok(());
        };
        if !matches!(f.mode.as_str(), "route" | "nat" | "open") {
            return Ok(());
        }
        let name = &self.name;
        if self.ips.is_empty() {
            return Err(XmlError::xml(
                NETWORK,
                format!(
                    "{} forwarding requested, but no IP address provided for network '{name}'",
                    f.mode
                ),
            ));
        }
        if f.interfaces.len() > 1 {
            return Err(XmlError::xml(
                NETWORK,
                format!(
                    "multiple forwarding interfaces specified for network '{name}', only one is supported"
                ),
            ));
        }
        if f.mode == "open" && !f.interfaces.is_empty() {
            return Err(XmlError::xml(
                NETWORK,
                format!("forward dev not allowed for network '{name}' with forward mode='open'"),
            ));
        }
        Ok(())
    }

    /// The forward mode (`"none"` for an isolated network).
    pub fn forward_mode(&self) -> &str {
        self.forward.as_ref().map_or("none", |f| f.mode.as_str())
    }

    /// True for modes that use a bridge rvirt creates (none, nat, route, open).
    pub fn has_own_bridge(&self) -> bool {
        matches!(self.forward_mode(), "none" | "nat" | "route" | "open")
    }

    /// The XML, as libvirt's `virNetworkDefFormat` writes it.
    pub fn to_xml(&self) -> String {
        self.to_element().to_xml()
    }

    /// The XML tree.
    pub fn to_element(&self) -> Element {
        let mut root = Element::new("network")
            .opt_attr("connections", self.connections)
            .opt_attr("ipv6", self.ipv6.then_some("yes"))
            .opt_attr(
                "trustGuestRxFilters",
                self.trust_guest_rx_filters.as_deref(),
            )
            .child(Element::leaf("name", &self.name))
            .child(Element::leaf("uuid", self.uuid.hyphenated().to_string()))
            .opt_child(self.metadata.clone());
        if let Some(f) = &self.forward {
            let mut fe = Element::new("forward")
                .opt_attr("dev", f.dev.as_deref())
                .attr("mode", &f.mode)
                .opt_attr("managed", f.managed.as_deref())
                .opt_child(f.nat.clone());
            for i in &f.interfaces {
                fe = fe.child(Element::new("interface").attr("dev", i));
            }
            root = root.child(fe.children(f.other.clone()));
        }
        let own = self.has_own_bridge();
        if own || self.bridge.name.is_some() || self.bridge.mac_table_manager.is_some() {
            let mut b = Element::new("bridge")
                .opt_attr("name", self.bridge.name.as_deref())
                .opt_attr("zone", self.bridge.zone.as_deref());
            if own {
                b = b
                    .attr("stp", if self.bridge.stp { "on" } else { "off" })
                    .attr("delay", self.bridge.delay);
            }
            root =
                root.child(b.opt_attr("macTableManager", self.bridge.mac_table_manager.as_deref()));
        }
        root = root
            .opt_child(self.mtu.map(|m| Element::new("mtu").attr("size", m)))
            .opt_child(
                self.mac
                    .as_ref()
                    .map(|m| Element::new("mac").attr("address", m)),
            )
            .opt_child(self.domain.clone())
            .opt_child(self.dns.to_element())
            .children(self.extra.clone());
        for ip in &self.ips {
            root = root.child(ip.to_element());
        }
        root.children(self.routes.clone())
            .children(self.portgroups.iter().map(|p| {
                let mut p = p.clone();
                p.open_close = p.children.is_empty();
                p
            }))
    }
}

impl Dns {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.enable.is_none()
            && self.forward_plain_names.is_none()
            && self.forwarders.is_empty()
            && self.txts.is_empty()
            && self.srvs.is_empty()
            && self.hosts.is_empty()
    }

    fn to_element(&self) -> Option<Element> {
        if self.is_empty() {
            return None;
        }
        let hosts = self.hosts.iter().map(DnsHost::to_element);
        Some(
            Element::new("dns")
                .opt_attr("enable", self.enable.as_deref())
                .opt_attr("forwardPlainNames", self.forward_plain_names.as_deref())
                .children(self.forwarders.clone())
                .children(self.txts.clone())
                .children(self.srvs.clone())
                .children(hosts),
        )
    }
}

impl DnsHost {
    /// `<host ip=…>` with its names.
    pub fn to_element(&self) -> Element {
        Element::new("host")
            .attr("ip", self.ip)
            .children(self.hostnames.iter().map(|h| Element::leaf("hostname", h)))
    }
}

impl DhcpHost {
    /// `<host mac id name ip>`.
    pub fn to_element(&self) -> Element {
        Element::new("host")
            .opt_attr("mac", self.mac.as_deref())
            .opt_attr("id", self.id.as_deref())
            .opt_attr("name", self.name.as_deref())
            .opt_attr("ip", self.ip)
            .opt_child(self.lease.clone())
    }
}

impl DhcpRange {
    /// `<range start end>`.
    pub fn to_element(&self) -> Element {
        Element::new("range")
            .attr("start", self.start)
            .attr("end", self.end)
            .opt_child(self.lease.clone())
    }
}

impl Ip {
    /// `<ip …>` with its TFTP and DHCP parts.
    pub fn to_element(&self) -> Element {
        let mut e = Element::new("ip")
            .opt_attr("family", self.family.as_deref())
            .attr("address", self.address)
            .opt_attr("netmask", self.netmask)
            .opt_attr("prefix", self.prefix)
            .opt_attr("localPtr", self.local_ptr.as_deref())
            .opt_child(self.tftp.clone());
        if !self.ranges.is_empty() || !self.hosts.is_empty() || self.bootp.is_some() {
            e = e.child(
                Element::new("dhcp")
                    .children(self.ranges.iter().map(DhcpRange::to_element))
                    .children(self.hosts.iter().map(DhcpHost::to_element))
                    .opt_child(self.bootp.clone()),
            );
        }
        e.open_close = e.children.is_empty();
        e
    }
}

#[cfg(test)]
mod tests;

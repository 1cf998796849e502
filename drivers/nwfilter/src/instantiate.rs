//! Filter bindings made real: the rules a binding's filter reaches (through its
//! `<filterref>`s, parameters passed down) instantiated on the binding's port device
//! with nftables, one `bridge`-family table per device.
//!
//! libvirt 9 instantiates filters with ebtables, iptables and ip6tables; rvirt
//! writes the same rules for nftables (ebtables is not assumed on the host). The
//! table of device `DEV` is `bridge rvirt_nwf_DEV`:
//!
//! * base chain `I` (hook `prerouting`: what the guest sends, libvirt's direction
//!   `out`) and `O` (hook `postrouting`: what the guest receives, direction `in`),
//!   each matching only `DEV`;
//! * the rules of filters in chain `root` directly in `I`/`O`, the rules of filters in
//!   other chains (`mac`, `arp`, `ipv4-ip`, …) in sub-chains `I_NAME`/`O_NAME` jumped to
//!   from the root for their protocol (`arp` for chains `arp…`, IPv4 for `ipv4…`, …);
//!   root entries ordered by rule and chain priority, sub-chain rules by rule
//!   priority, ties in the order the filters list them, as libvirt orders them;
//! * attributes describe the packet in the rule's direction; the copy of an `inout`
//!   rule for what the guest sends has source and destination swapped (as libvirt's
//!   `reverse`);
//! * actions `accept`, `drop`, `return`, `continue`; `reject` drops at layer 2 (what
//!   libvirt's ebtables rules do) and rejects for `tcp`, `udp`, `icmp` and `all`;
//! * variables `$NAME` from the binding's parameters (`MAC` defaults to the
//!   binding's MAC); a variable with several values instantiates its rule for each;
//! * `match='no'` negates each of the element's matches (libvirt's `!` before each
//!   option), not the protocol it names.
//!
//! Protocols: `mac`, `arp`, `rarp` (its ARP fields matched by offset in the header),
//! `ip`, `ipv6`, `tcp`, `udp`, `icmp`, `all`, and rules without a protocol: enough for
//! every filter libvirt ships (`clean-traffic` and what it references). Anything else
//! — another protocol, an attribute not listed in [`allowed`], list indexes of
//! variables — is refused when the binding is created (`VIR_ERR_CONFIG_UNSUPPORTED`,
//! naming it), never ignored. Rules match without connection state (the host's bridge
//! family has no conntrack): as libvirt's
//! with `statematch='false'`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use rvirt_core::netdev::command;
use rvirt_core::objconf::{Element, NwFilterDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::binding::BindingDef;

const D: ErrorDomain = ErrorDomain::Nwfilter;

/// Most rule instances one binding may expand to.
const MAX_RULES: usize = 10_000;

fn unsupported(msg: String) -> Error {
    Error::new(ErrorCode::ConfigUnsupported, D, msg)
}

/// The nftables table of `port_dev`.
pub(crate) fn table(port_dev: &str) -> String {
    format!("rvirt_nwf_{}", sanitize(port_dev))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A port device name nftables may be given (an interface name).
fn check_dev(dev: &str) -> Result<()> {
    let ok = !dev.is_empty()
        && dev.len() < 16
        && dev
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        return Err(Error::invalid_arg(
            D,
            format!("port device name '{dev}' is not an interface name"),
        ));
    }
    Ok(())
}

type Vars = Rc<HashMap<String, Vec<String>>>;

/// One rule of the flattened tree.
struct Flat {
    chain: String,
    chain_prio: i32,
    prio: i32,
    seq: usize,
    rule: Element,
    vars: Vars,
    filter: String,
}

fn params_of(filterref: &Element, inherited: &HashMap<String, Vec<String>>) -> Vars {
    let mut vars = inherited.clone();
    let mut given: HashMap<String, Vec<String>> = HashMap::new();
    for p in filterref.children.iter().filter(|c| c.name == "parameter") {
        if let (Some(n), Some(v)) = (p.get("name"), p.get("value")) {
            given.entry(n.to_string()).or_default().push(v.to_string());
        }
    }
    vars.extend(given);
    Rc::new(vars)
}

/// Flattens the tree of `root` (with the binding's variables) into its rules, in
/// the order the filters list them (no recursion: chains may be long).
fn flatten(filters: &[NwFilterDef], b: &BindingDef) -> Result<Vec<Flat>> {
    let by_name: HashMap<&str, &NwFilterDef> =
        filters.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut base: HashMap<String, Vec<String>> = HashMap::new();
    base.insert("MAC".to_string(), vec![b.mac.clone()]);
    let mut out = Vec::new();
    let missing = |name: &str| Error::internal(D, format!("referenced filter '{name}' is missing"));
    let first = *by_name.get(b.filter()).ok_or_else(|| missing(b.filter()))?;
    let mut stack: Vec<(&NwFilterDef, usize, Vars)> =
        vec![(first, 0, params_of(&b.filterref, &base))];
    while let Some((f, i, vars)) = stack.pop() {
        let Some(e) = f.entries.get(i) else { continue };
        stack.push((f, i + 1, vars.clone()));
        match e.name.as_str() {
            "rule" => {
                if out.len() >= MAX_RULES {
                    return Err(unsupported(format!(
                        "filter '{}' expands to more than {MAX_RULES} rules",
                        b.filter()
                    )));
                }
                let chain = f.chain.clone().unwrap_or_else(|| "root".to_string());
                out.push(Flat {
                    chain_prio: f.priority.unwrap_or(0),
                    chain,
                    prio: e
                        .get("priority")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(500),
                    seq: out.len(),
                    rule: e.clone(),
                    vars: vars.clone(),
                    filter: f.name.clone(),
                });
            }
            "filterref" => {
                let name = e.get("filter").unwrap_or_default();
                let next = *by_name.get(name).ok_or_else(|| missing(name))?;
                if stack.len() > filters.len() + 1 {
                    return Err(Error::new(
                        ErrorCode::OperationFailed,
                        D,
                        "filter would introduce a loop".to_string(),
                    ));
                }
                stack.push((next, 0, params_of(e, &vars)));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The `ether type` guard of a chain (by its prefix), for the jump into it.
fn chain_guard(chain: &str) -> &'static str {
    if chain.starts_with("arp") {
        "ether type arp "
    } else if chain.starts_with("rarp") {
        "ether type 0x8035 "
    } else if chain.starts_with("ipv4") {
        "ether type ip "
    } else if chain.starts_with("ipv6") {
        "ether type ip6 "
    } else if chain.starts_with("vlan") {
        "ether type vlan "
    } else if chain.starts_with("stp") {
        "ether daddr 01:80:c2:00:00:00 "
    } else {
        ""
    }
}

fn parse_mac(v: &str, what: &str) -> Result<String> {
    rvirt_core::objconf::parse_mac(v).ok_or_else(|| bad_value(what, v))
}

fn bad_value(attr: &str, v: &str) -> Error {
    Error::invalid_arg(D, format!("invalid value '{v}' of attribute '{attr}'"))
}

fn num(v: &str, attr: &str, max: u64) -> Result<u64> {
    let n = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else {
        v.parse::<u64>().ok()
    };
    n.filter(|n| *n <= max).ok_or_else(|| bad_value(attr, v))
}

/// A mask given as a prefix length or a dotted (contiguous) IPv4 mask.
fn prefix(v: &str, attr: &str, bits: u8) -> Result<u8> {
    if let Ok(p) = v.parse::<u8>() {
        if p <= bits {
            return Ok(p);
        }
        return Err(bad_value(attr, v));
    }
    if bits == 32
        && let Ok(m) = v.parse::<Ipv4Addr>()
    {
        let m = u32::from(m);
        if m.leading_ones() + m.trailing_zeros() == 32 {
            return Ok(m.leading_ones() as u8);
        }
    }
    Err(unsupported(format!(
        "mask '{v}' of attribute '{attr}' is not a prefix"
    )))
}

fn v4(v: &str, attr: &str) -> Result<Ipv4Addr> {
    v.parse().map_err(|_| bad_value(attr, v))
}

fn v6(v: &str, attr: &str) -> Result<Ipv6Addr> {
    v.parse().map_err(|_| bad_value(attr, v))
}

fn ip_proto(v: &str, attr: &str) -> Result<String> {
    let known = [
        "tcp", "udp", "icmp", "igmp", "sctp", "udplite", "esp", "ah", "icmpv6",
    ];
    if known.contains(&v) {
        return Ok(if v == "icmpv6" {
            "ipv6-icmp".into()
        } else {
            v.into()
        });
    }
    num(v, attr, 255).map(|n| n.to_string())
}

const ARP_OPS: &[(&str, u64)] = &[
    ("Request", 1),
    ("Reply", 2),
    ("Request_Reverse", 3),
    ("Reply_Reverse", 4),
    ("DRARP_Request", 5),
    ("DRARP_Reply", 6),
    ("DRARP_Error", 7),
    ("InARP_Request", 8),
    ("ARP_NAK", 10),
];

fn ether_type(v: &str, attr: &str) -> Result<String> {
    Ok(match v {
        "ipv4" => "ip".into(),
        "ipv6" => "ip6".into(),
        "arp" => "arp".into(),
        "rarp" => "0x8035".into(),
        _ => format!("0x{:04x}", num(v, attr, 0xffff)?),
    })
}

/// The attribute named for the other side (the copy of an `inout` rule for what the
/// guest sends, as libvirt's `reverse`).
fn swapped(k: &str) -> String {
    for (a, b) in [
        ("arpsrc", "arpdst"),
        ("arpdst", "arpsrc"),
        ("src", "dst"),
        ("dst", "src"),
    ] {
        if let Some(rest) = k.strip_prefix(a) {
            return format!("{b}{rest}");
        }
    }
    k.to_string()
}

/// The attributes each protocol takes.
fn allowed(proto: &str) -> &'static [&'static str] {
    const MAC: &[&str] = &["srcmacaddr", "srcmacmask", "dstmacaddr", "dstmacmask"];
    match proto {
        "mac" => &[
            "srcmacaddr",
            "srcmacmask",
            "dstmacaddr",
            "dstmacmask",
            "protocolid",
            "comment",
        ],
        "arp" | "rarp" => &[
            "srcmacaddr",
            "srcmacmask",
            "dstmacaddr",
            "dstmacmask",
            "hwtype",
            "protocoltype",
            "opcode",
            "arpsrcmacaddr",
            "arpdstmacaddr",
            "arpsrcipaddr",
            "arpsrcipmask",
            "arpdstipaddr",
            "arpdstipmask",
            "comment",
        ],
        "ip" | "ipv6" => &[
            "srcmacaddr",
            "srcmacmask",
            "dstmacaddr",
            "dstmacmask",
            "srcipaddr",
            "srcipmask",
            "dstipaddr",
            "dstipmask",
            "protocol",
            "srcportstart",
            "srcportend",
            "dstportstart",
            "dstportend",
            "dscp",
            "type",
            "code",
            "comment",
        ],
        "tcp" | "udp" => &[
            "srcmacaddr",
            "srcipaddr",
            "srcipmask",
            "dstipaddr",
            "dstipmask",
            "srcipfrom",
            "srcipto",
            "dstipfrom",
            "dstipto",
            "srcportstart",
            "srcportend",
            "dstportstart",
            "dstportend",
            "dscp",
            "comment",
        ],
        "icmp" => &[
            "srcmacaddr",
            "srcipaddr",
            "srcipmask",
            "dstipaddr",
            "dstipmask",
            "srcipfrom",
            "srcipto",
            "dstipfrom",
            "dstipto",
            "type",
            "code",
            "dscp",
            "comment",
        ],
        "all" => &[
            "srcmacaddr",
            "srcipaddr",
            "srcipmask",
            "dstipaddr",
            "dstipmask",
            "srcipfrom",
            "srcipto",
            "dstipfrom",
            "dstipto",
            "dscp",
            "comment",
        ],
        _ => MAC,
    }
}

const PROTOCOLS: &[&str] = &[
    "mac", "arp", "rarp", "ip", "ipv6", "tcp", "udp", "icmp", "all",
];

/// The nft match of one protocol element whose variables are resolved (`attrs`,
/// already named for the guest's side).
fn matches(proto: &str, attrs: &HashMap<String, String>, neg: bool) -> Result<String> {
    let mut m = String::new();
    let n = if neg { "!= " } else { "" };
    let eq = if neg { "!=" } else { "==" };
    let get = |k: &str| attrs.get(k).map(String::as_str);
    let mac = |m: &mut String, side: &str, field: &str| -> Result<()> {
        let addr_k = format!("{side}macaddr");
        let mask_k = format!("{side}macmask");
        if let Some(a) = get(&addr_k) {
            let a = parse_mac(a, &addr_k)?;
            match get(&mask_k) {
                Some(mask) => {
                    let mask = parse_mac(mask, &mask_k)?;
                    m.push_str(&format!("ether {field} & {mask} {eq} {a} "));
                }
                None => m.push_str(&format!("ether {field} {n}{a} ")),
            }
        }
        Ok(())
    };
    mac(&mut m, "src", "saddr")?;
    mac(&mut m, "dst", "daddr")?;
    let v6p = proto == "ipv6";
    let fam = if v6p { "ip6" } else { "ip" };
    match proto {
        "mac" => {
            if let Some(t) = get("protocolid") {
                m.push_str(&format!("ether type {n}{} ", ether_type(t, "protocolid")?));
            }
        }
        "arp" => {
            m.insert_str(0, "ether type arp ");
            if let Some(v) = get("hwtype") {
                m.push_str(&format!("arp htype {n}{} ", num(v, "hwtype", 0xffff)?));
            }
            if let Some(v) = get("protocoltype") {
                m.push_str(&format!(
                    "arp ptype {n}0x{:04x} ",
                    num(v, "protocoltype", 0xffff)?
                ));
            }
            if let Some(v) = get("opcode") {
                let op = match ARP_OPS.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
                    Some((_, n)) => *n,
                    None => num(v, "opcode", 0xffff)?,
                };
                m.push_str(&format!("arp operation {n}{op} "));
            }
            for side in ["src", "dst"] {
                let field = if side == "src" { "saddr" } else { "daddr" };
                let k = format!("arp{side}macaddr");
                if let Some(v) = get(&k) {
                    m.push_str(&format!("arp {field} ether {n}{} ", parse_mac(v, &k)?));
                }
                let k = format!("arp{side}ipaddr");
                if let Some(v) = get(&k) {
                    let a = v4(v, &k)?;
                    let mk = format!("arp{side}ipmask");
                    let p = get(&mk)
                        .map(|x| prefix(x, &mk, 32))
                        .transpose()?
                        .unwrap_or(32);
                    m.push_str(&format!("arp {field} ip {n}{a}/{p} "));
                }
            }
        }
        "rarp" => {
            // nftables' `arp` expressions imply the ARP ethertype: RARP's header (the
            // same layout, Ethernet and IPv4 addresses) is matched by offset.
            m.insert_str(0, "ether type 0x8035 ");
            let raw = |m: &mut String, bits: (u32, u32), value: String| {
                m.push_str(&format!("@nh,{},{} {n}{value} ", bits.0, bits.1));
            };
            if let Some(v) = get("hwtype") {
                raw(&mut m, (0, 16), num(v, "hwtype", 0xffff)?.to_string());
            }
            if let Some(v) = get("protocoltype") {
                raw(
                    &mut m,
                    (16, 16),
                    num(v, "protocoltype", 0xffff)?.to_string(),
                );
            }
            if let Some(v) = get("opcode") {
                let op = match ARP_OPS.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
                    Some((_, n)) => *n,
                    None => num(v, "opcode", 0xffff)?,
                };
                raw(&mut m, (48, 16), op.to_string());
            }
            for (side, mac_at, ip_at) in [("src", 64, 112), ("dst", 144, 192)] {
                let k = format!("arp{side}macaddr");
                if let Some(v) = get(&k) {
                    let hex = parse_mac(v, &k)?.replace(':', "");
                    raw(&mut m, (mac_at, 48), format!("0x{hex}"));
                }
                let k = format!("arp{side}ipaddr");
                if let Some(v) = get(&k) {
                    let a = u32::from(v4(v, &k)?);
                    let mk = format!("arp{side}ipmask");
                    let p = get(&mk)
                        .map(|x| prefix(x, &mk, 32))
                        .transpose()?
                        .unwrap_or(32);
                    if p > 0 {
                        let value = u64::from(a) >> (32 - u32::from(p));
                        raw(&mut m, (ip_at, u32::from(p)), format!("0x{value:x}"));
                    }
                }
            }
        }
        _ => {
            m.insert_str(
                0,
                if v6p {
                    "ether type ip6 "
                } else {
                    "ether type ip "
                },
            );
            for side in ["src", "dst"] {
                let field = if side == "src" { "saddr" } else { "daddr" };
                let k = format!("{side}ipaddr");
                if let Some(v) = get(&k) {
                    let mk = format!("{side}ipmask");
                    let (a, bits): (IpAddr, u8) = if v6p {
                        (IpAddr::V6(v6(v, &k)?), 128)
                    } else {
                        (IpAddr::V4(v4(v, &k)?), 32)
                    };
                    let p = get(&mk)
                        .map(|x| prefix(x, &mk, bits))
                        .transpose()?
                        .unwrap_or(bits);
                    m.push_str(&format!("{fam} {field} {n}{a}/{p} "));
                }
                let (fk, tk) = (format!("{side}ipfrom"), format!("{side}ipto"));
                match (get(&fk), get(&tk)) {
                    (Some(f), Some(t)) => {
                        m.push_str(&format!("ip {field} {n}{}-{} ", v4(f, &fk)?, v4(t, &tk)?))
                    }
                    (Some(f), None) => m.push_str(&format!("ip {field} {n}{} ", v4(f, &fk)?)),
                    (None, Some(t)) => m.push_str(&format!("ip {field} {n}{} ", v4(t, &tk)?)),
                    (None, None) => {}
                }
            }
            let l4 = match proto {
                "tcp" | "udp" | "icmp" => Some(proto.to_string()),
                "ip" | "ipv6" => get("protocol")
                    .map(|p| ip_proto(p, "protocol"))
                    .transpose()?,
                _ => None,
            };
            if let Some(p) = &l4 {
                let key = if v6p { "ip6 nexthdr" } else { "ip protocol" };
                m.push_str(&format!("{key} {n}{p} "));
            }
            if let Some(v) = get("dscp") {
                m.push_str(&format!("{fam} dscp {n}{} ", num(v, "dscp", 63)?));
            }
            for side in ["src", "dst"] {
                let field = if side == "src" { "sport" } else { "dport" };
                let (sk, ek) = (format!("{side}portstart"), format!("{side}portend"));
                let (s, e) = (get(&sk), get(&ek));
                if s.is_none() && e.is_none() {
                    continue;
                }
                let l4p = l4
                    .as_deref()
                    .filter(|p| matches!(*p, "tcp" | "udp" | "sctp"));
                let Some(l4p) = l4p else {
                    return Err(unsupported(format!(
                        "attribute '{sk}' of protocol '{proto}' needs protocol tcp, udp or sctp"
                    )));
                };
                let start = s
                    .or(e)
                    .map(|v| num(v, &sk, 65535))
                    .transpose()?
                    .unwrap_or(0);
                match e.map(|v| num(v, &ek, 65535)).transpose()? {
                    Some(end) if end != start => {
                        m.push_str(&format!("{l4p} {field} {n}{start}-{end} "))
                    }
                    _ => m.push_str(&format!("{l4p} {field} {n}{start} ")),
                }
            }
            let icmp = match (proto, l4.as_deref()) {
                ("icmp", _) | ("ip", Some("icmp")) => Some("icmp"),
                ("ipv6", Some("ipv6-icmp")) => Some("icmpv6"),
                _ => None,
            };
            for k in ["type", "code"] {
                if let Some(v) = get(k) {
                    let Some(icmp) = icmp else {
                        return Err(unsupported(format!(
                            "attribute '{k}' of protocol '{proto}' needs an ICMP protocol"
                        )));
                    };
                    m.push_str(&format!("{icmp} {k} {n}{} ", num(v, k, 255)?));
                }
            }
        }
    }
    Ok(m)
}

/// The values of a rule's attributes with variables resolved, one map per
/// combination of multi-valued variables.
fn resolve(
    proto: &Element,
    vars: &HashMap<String, Vec<String>>,
    missing: &mut Vec<String>,
) -> Result<Vec<HashMap<String, String>>> {
    let mut combos: Vec<HashMap<String, String>> = vec![HashMap::new()];
    for (k, v) in &proto.attrs {
        if k == "match" {
            if v != "yes" && v != "no" {
                return Err(Error::invalid_arg(
                    D,
                    format!("invalid value '{v}' of attribute 'match'"),
                ));
            }
            continue;
        }
        let values: Vec<String> = match v.strip_prefix('$') {
            None => vec![v.clone()],
            Some(name) => {
                if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(unsupported(format!(
                        "variable reference '{v}' (list access) is not supported"
                    )));
                }
                match vars.get(name) {
                    Some(vals) if !vals.is_empty() => vals.clone(),
                    _ => {
                        if !missing.iter().any(|m| m == name) {
                            missing.push(name.to_string());
                        }
                        vec![String::new()]
                    }
                }
            }
        };
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for c in &combos {
            for val in &values {
                let mut c = c.clone();
                c.insert(k.clone(), val.clone());
                next.push(c);
            }
        }
        if next.len() > MAX_RULES {
            return Err(unsupported(format!(
                "rule of protocol '{}' expands to more than {MAX_RULES} rules",
                proto.name
            )));
        }
        combos = next;
    }
    Ok(combos)
}

/// A chain entry: its priority, its position among the filters, its nft text.
type Entry = (i32, usize, String);

/// A sub-chain: its name, its priority, its entries.
type SubChain = (String, i32, Vec<Entry>);

/// An nft chain name for sub-chain `chain` in direction `dir` (`I`/`O`).
fn sub_chain(dir: char, chain: &str) -> String {
    format!("{dir}_{}", sanitize(chain))
}

/// The nftables script that (re)creates the table of binding `b`, or libvirt's
/// refusal.
pub(crate) fn build(filters: &[NwFilterDef], b: &BindingDef) -> Result<String> {
    check_dev(&b.port_dev)?;
    let flat = flatten(filters, b)?;
    // Per direction: root entries (priority, seq, text) and sub-chains.
    let mut root: [Vec<Entry>; 2] = [Vec::new(), Vec::new()];
    let mut subs: [Vec<SubChain>; 2] = [Vec::new(), Vec::new()];
    let mut missing = Vec::new();
    for f in &flat {
        let dir = f.rule.get("direction").unwrap_or("inout");
        let action = f.rule.get("action").unwrap_or("drop");
        let protos: Vec<&Element> = f.rule.children.iter().collect();
        if protos.len() > 1 {
            return Err(unsupported(format!(
                "a rule of filter '{}' has more than one protocol",
                f.filter
            )));
        }
        let proto = protos.first().copied();
        if let Some(p) = proto
            && !PROTOCOLS.contains(&p.name.as_str())
        {
            return Err(unsupported(format!(
                "protocol '{}' of filter '{}' is not supported by this host's nftables instantiation",
                p.name, f.filter
            )));
        }
        let pname = proto.map_or("", |p| p.name.as_str());
        if let Some(p) = proto
            && let Some((k, _)) = p
                .attrs
                .iter()
                .find(|(k, _)| k != "match" && !allowed(&p.name).contains(&k.as_str()))
        {
            return Err(unsupported(format!(
                "attribute '{k}' of protocol '{}' in filter '{}' is not supported by this host's nftables instantiation",
                p.name, f.filter
            )));
        }
        let layer3 = matches!(pname, "tcp" | "udp" | "icmp" | "all");
        let verdict = match action {
            "reject" if layer3 => "reject",
            "reject" => "drop",
            a => a,
        };
        let combos = match proto {
            Some(p) => resolve(p, &f.vars, &mut missing)?,
            None => vec![HashMap::new()],
        };
        if !missing.is_empty() {
            continue;
        }
        for (i, d) in ['I', 'O'].into_iter().enumerate() {
            let wanted = match d {
                'I' => dir == "out" || dir == "inout",
                _ => dir == "in" || dir == "inout",
            };
            if !wanted {
                continue;
            }
            for c in &combos {
                let named: HashMap<String, String> = if d == 'I' && dir == "inout" {
                    c.iter().map(|(k, v)| (swapped(k), v.clone())).collect()
                } else {
                    c.clone()
                };
                let text = match proto {
                    Some(p) => format!(
                        "{}{verdict}",
                        matches(pname, &named, p.get("match") == Some("no"))?
                    ),
                    None => verdict.to_string(),
                };
                if f.chain == "root" {
                    root[i].push((f.prio, f.seq, text));
                } else {
                    let s = match subs[i].iter_mut().position(|s| s.0 == f.chain) {
                        Some(at) => at,
                        None => {
                            subs[i].push((f.chain.clone(), f.chain_prio, Vec::new()));
                            subs[i].len() - 1
                        }
                    };
                    subs[i][s].2.push((f.prio, f.seq, text));
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(Error::internal(
            D,
            format!(
                "Cannot instantiate filter due to unresolvable variables or unavailable list elements: {}",
                missing.join(", ")
            ),
        ));
    }
    let dev = &b.port_dev;
    let mut s = format!("table bridge {} {{\n", table(dev));
    for (i, d) in ['I', 'O'].into_iter().enumerate() {
        let mut entries = root[i].clone();
        for (n, (name, prio, _)) in subs[i].iter().enumerate() {
            entries.push((
                *prio,
                usize::MAX - subs[i].len() + n,
                format!("{}jump {}", chain_guard(name), sub_chain(d, name)),
            ));
        }
        entries.sort_by_key(|e| (e.0, e.1));
        let (hook, key) = if d == 'I' {
            ("prerouting", "iifname")
        } else {
            ("postrouting", "oifname")
        };
        s.push_str(&format!(
            "  chain {d} {{\n    type filter hook {hook} priority -300; policy accept;\n    {key} != \"{dev}\" return\n"
        ));
        for e in entries {
            s.push_str(&format!("    {}\n", e.2));
        }
        s.push_str("  }\n");
        for (name, _, rules) in &subs[i] {
            let mut rules = rules.clone();
            rules.sort_by_key(|e| (e.0, e.1));
            s.push_str(&format!("  chain {} {{\n", sub_chain(d, name)));
            for r in rules {
                s.push_str(&format!("    {}\n", r.2));
            }
            s.push_str("  }\n");
        }
    }
    s.push_str("}\n");
    Ok(s)
}

/// Replaces the table of `port_dev` with `script` in one transaction.
pub(crate) fn apply(port_dev: &str, script: &str) -> Result<()> {
    let t = table(port_dev);
    let all = format!("table bridge {t} {{}}\ndelete table bridge {t}\n{script}");
    command::run(D, "nft", &["-f", "-"], Some(&all)).map(|_| ())
}

/// Removes the table of `port_dev`; one that is not there is no error.
pub(crate) fn remove(port_dev: &str) {
    let t = table(port_dev);
    let _ = command::run(
        D,
        "nft",
        &["-f", "-"],
        Some(&format!("table bridge {t} {{}}\ndelete table bridge {t}\n")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(xml: &str) -> NwFilterDef {
        NwFilterDef::from_xml(xml).unwrap()
    }

    fn binding(filter: &str, params: &str) -> BindingDef {
        BindingDef::from_xml(&format!(
            "<filterbinding><owner><name>vm</name><uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>\
             <portdev name='vnet7'/><mac address='52:54:00:11:22:33'/>\
             <filterref filter='{filter}'>{params}</filterref></filterbinding>"
        ))
        .unwrap()
    }

    fn clean() -> Vec<NwFilterDef> {
        vec![
            def(
                "<filter name='no-mac-spoofing' chain='mac' priority='-800'>\
                 <rule action='return' direction='out' priority='500'><mac srcmacaddr='$MAC'/></rule>\
                 <rule action='drop' direction='out' priority='500'><mac/></rule></filter>",
            ),
            def(
                "<filter name='no-ip-spoofing' chain='ipv4-ip' priority='-710'>\
                 <rule action='return' direction='out' priority='100'><ip srcipaddr='0.0.0.0' protocol='udp'/></rule>\
                 <rule action='return' direction='out'><ip srcipaddr='$IP'/></rule>\
                 <rule action='drop' direction='out' priority='1000'/></filter>",
            ),
            def("<filter name='allow-arp' chain='arp' priority='-500'>\
                 <rule action='accept' direction='inout' priority='500'/></filter>"),
            def("<filter name='clean' chain='root'>\
                 <filterref filter='no-mac-spoofing'/><filterref filter='no-ip-spoofing'/>\
                 <rule action='accept' direction='in'><tcp srcipaddr='$IP' dstportstart='22' dstportend='23'/></rule>\
                 <filterref filter='allow-arp'/>\
                 <rule action='reject' direction='inout' priority='900'><icmp type='8'/></rule></filter>"),
        ]
    }

    #[test]
    fn a_clean_traffic_tree_becomes_chains_in_libvirts_order() {
        let b = binding(
            "clean",
            "<parameter name='IP' value='10.0.0.2'/><parameter name='IP' value='10.0.0.3'/>",
        );
        let s = build(&clean(), &b).unwrap();
        let want = "table bridge rvirt_nwf_vnet7 {
  chain I {
    type filter hook prerouting priority -300; policy accept;
    iifname != \"vnet7\" return
    jump I_mac
    ether type ip jump I_ipv4_ip
    ether type arp jump I_arp
    ether type ip ip protocol icmp icmp type 8 reject
  }
  chain I_mac {
    ether saddr 52:54:00:11:22:33 return
    drop
  }
  chain I_ipv4_ip {
    ether type ip ip saddr 0.0.0.0/32 ip protocol udp return
    ether type ip ip saddr 10.0.0.2/32 return
    ether type ip ip saddr 10.0.0.3/32 return
    drop
  }
  chain I_arp {
    accept
  }
  chain O {
    type filter hook postrouting priority -300; policy accept;
    oifname != \"vnet7\" return
    ether type arp jump O_arp
    ether type ip ip saddr 10.0.0.2/32 ip protocol tcp tcp dport 22-23 accept
    ether type ip ip saddr 10.0.0.3/32 ip protocol tcp tcp dport 22-23 accept
    ether type ip ip protocol icmp icmp type 8 reject
  }
  chain O_arp {
    accept
  }
}
";
        assert_eq!(s, want);
    }

    #[test]
    fn unsupported_parts_and_missing_variables_are_refused() {
        let mut f = clean();
        let e = build(&f, &binding("clean", "")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InternalError);
        assert_eq!(
            e.message(),
            "Cannot instantiate filter due to unresolvable variables or unavailable list elements: IP"
        );
        f.push(def("<filter name='stp' chain='stp'><rule action='drop' direction='out'><stp/></rule></filter>"));
        let e = build(&f, &binding("stp", "")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        assert!(
            e.message().contains("protocol 'stp' of filter 'stp'"),
            "{}",
            e.message()
        );
        f.push(def("<filter name='flags'><rule action='drop' direction='out'><tcp flags='SYN/ALL'/></rule></filter>"));
        let e = build(&f, &binding("flags", "")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        assert!(
            e.message().contains("attribute 'flags' of protocol 'tcp'"),
            "{}",
            e.message()
        );
        // match='no' negates each match, as libvirt's '!' before each option.
        f.push(def(
            "<filter name='neg'><rule action='drop' direction='out'>\
            <ip match='no' srcipaddr='$IP' protocol='udp'/></rule></filter>",
        ));
        let s = build(
            &f,
            &binding("neg", "<parameter name='IP' value='10.1.1.1'/>"),
        )
        .unwrap();
        assert!(
            s.contains("    ether type ip ip saddr != 10.1.1.1/32 ip protocol != udp drop\n"),
            "{s}"
        );
        // Values reach nftables only once parsed: no injection through parameters.
        let e = build(
            &f,
            &binding(
                "clean",
                "<parameter name='IP' value='1.2.3.4 accept; flush ruleset'/>",
            ),
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArg);
    }
}

//! One interface as libvirt's udev backend describes it, read from sysfs (and the VLAN
//! facts from `/proc/net/vlan`), members of bridges and bonds read recursively.

use std::path::Path;

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::sysfs::{attr, devtype, entry_names, net_dir, read_file};

/// Bridges within bridges are followed this deep at most (a loop in a fake or racing
/// tree ends here).
const MAX_DEPTH: usize = 8;

/// `<link>`: the operational state and, when up, the speed in Mbit/s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// `operstate` (`up`, `down`, `unknown`, …).
    pub state: String,
    /// `speed`, when the link is up and the device reports one.
    pub speed: Option<u32>,
}

/// What a type of interface adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IfaceBody {
    /// `ethernet`: nothing.
    Ethernet,
    /// `bridge`: STP (-1 unknown, 0 off, 1 on), forward delay as sysfs shows it, members.
    Bridge {
        /// `bridge/stp_state`.
        stp: i32,
        /// `bridge/forward_delay`.
        delay: String,
        /// The ports (`brif/`), guests' `vnetN` left out.
        members: Vec<HostIface>,
    },
    /// `bond`: the bonding driver's settings and slaves.
    Bond {
        /// libvirt's mode number (the kernel's plus one).
        mode: i32,
        /// `miimon` (ms).
        miimon: i32,
        /// `downdelay` (ms).
        downdelay: i32,
        /// `updelay` (ms).
        updelay: i32,
        /// `use_carrier` (0 ioctl, 1 netif).
        use_carrier: i32,
        /// `arp_interval` (ms).
        arp_interval: i32,
        /// `arp_validate` (0 none, 1 active, 2 backup, 3 all).
        arp_validate: i32,
        /// `arp_ip_target`.
        arp_target: String,
        /// The slaves (`slave_NAME` entries).
        slaves: Vec<HostIface>,
    },
    /// `vlan`: tag and the device it sits on.
    Vlan {
        /// VLAN id.
        tag: String,
        /// The real device.
        device: String,
    },
}

/// A host interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostIface {
    /// Device name.
    pub name: String,
    /// `address`.
    pub mac: Option<String>,
    /// `mtu`.
    pub mtu: u32,
    /// Link state and speed.
    pub link: Link,
    /// The type and what it adds.
    pub body: IfaceBody,
}

impl HostIface {
    /// libvirt's type name.
    pub fn type_name(&self) -> &'static str {
        match self.body {
            IfaceBody::Ethernet => "ethernet",
            IfaceBody::Bridge { .. } => "bridge",
            IfaceBody::Bond { .. } => "bond",
            IfaceBody::Vlan { .. } => "vlan",
        }
    }
}

fn internal(msg: String) -> Error {
    Error::internal(ErrorDomain::Interface, msg)
}

/// libvirt's error for a name that is no interface.
pub(crate) fn no_iface(name: &str) -> Error {
    Error::new(
        ErrorCode::NoInterface,
        ErrorDomain::Interface,
        format!("couldn't find interface named '{name}'"),
    )
}

const STATES: &[&str] = &[
    "unknown",
    "notpresent",
    "down",
    "lowerlayerdown",
    "testing",
    "dormant",
    "up",
];

fn link(dir: &Path) -> Result<Link> {
    let raw = read_file(&dir.join("operstate")).ok_or_else(|| {
        internal(format!(
            "unable to read: {}",
            dir.join("operstate").display()
        ))
    })?;
    let state = raw
        .split_once('\n')
        .map(|(s, _)| s)
        .filter(|s| STATES.contains(s))
        .ok_or_else(|| internal(format!("Unable to parse: {raw}")))?
        .to_string();
    // The speed of a link that is not up is not reported (drivers give odd values);
    // a device without one (EINVAL) has none.
    let speed = if state == "up" {
        attr(dir, "speed")
            .and_then(|s| s.trim().parse::<u32>().ok())
            .filter(|s| *s > 0)
    } else {
        None
    };
    Ok(Link { state, speed })
}

fn int_attr(dir: &Path, name: &str, file: &str) -> Result<i32> {
    let v = attr(dir, file)
        .ok_or_else(|| internal(format!("Could not retrieve '{file}' for '{name}'")))?;
    v.trim()
        .parse()
        .map_err(|_| internal(format!("Could not parse '{file}' '{v}' for '{name}'")))
}

/// The number after the space of a bonding attribute such as `balance-rr 0`.
fn numbered_attr(dir: &Path, name: &str, file: &str) -> Result<i32> {
    let v = attr(dir, file)
        .ok_or_else(|| internal(format!("Could not retrieve '{file}' for '{name}'")))?;
    let (_, n) = v
        .split_once(' ')
        .ok_or_else(|| internal(format!("Invalid format for '{file}' for '{name}'")))?;
    n.trim()
        .parse()
        .map_err(|_| internal(format!("Could not parse '{file}' '{n}' for '{name}'")))
}

fn vlan(procfs: &Path, name: &str) -> Result<IfaceBody> {
    let path = procfs.join("net/vlan").join(name);
    let text = read_file(&path).ok_or_else(|| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Interface,
            format!("Failed to open file '{}'", path.display()),
        )
    })?;
    let no_vid = || {
        internal(format!(
            "failed to find the VID for the VLAN device '{name}'"
        ))
    };
    let after = text.split_once("VID: ").ok_or_else(no_vid)?.1;
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || !after[digits..].starts_with(|c: char| c.is_ascii_whitespace()) {
        return Err(no_vid());
    }
    let no_dev = || {
        internal(format!(
            "failed to find the real device for the VLAN device '{name}'"
        ))
    };
    let dev = after[digits..]
        .split_once("\nDevice: ")
        .ok_or_else(no_dev)?
        .1
        .split('\n')
        .next()
        .filter(|d| !d.is_empty())
        .ok_or_else(no_dev)?;
    Ok(IfaceBody::Vlan {
        tag: after[..digits].to_string(),
        device: dev.to_string(),
    })
}

fn member(sysfs: &Path, procfs: &Path, name: &str, depth: usize, of: &str) -> Result<HostIface> {
    read(sysfs, procfs, name, depth + 1).map_err(|_| {
        internal(format!(
            "Could not get interface information for '{name}', which is a member of bridge '{of}'"
        ))
    })
}

fn bridge(sysfs: &Path, procfs: &Path, dir: &Path, name: &str, depth: usize) -> Result<IfaceBody> {
    let delay = attr(dir, "bridge/forward_delay").ok_or_else(|| {
        internal(format!(
            "Could not retrieve 'bridge/forward_delay' for '{name}'"
        ))
    })?;
    let stp = int_attr(dir, name, "bridge/stp_state")?;
    if !(-1..=1).contains(&stp) {
        return Err(internal(format!(
            "Invalid STP state value {stp} received for '{name}'. Must be -1, 0, or 1."
        )));
    }
    // Guests' tap devices (`vnet` and a digit) are not the bridge's own members.
    let guest = |n: &str| n.len() >= 5 && n.starts_with("vnet") && n.as_bytes()[4].is_ascii_digit();
    let members = entry_names(&dir.join("brif"))
        .into_iter()
        .filter(|n| !guest(n))
        .map(|n| member(sysfs, procfs, &n, depth, name))
        .collect::<Result<_>>()?;
    Ok(IfaceBody::Bridge {
        stp,
        delay,
        members,
    })
}

fn bond(sysfs: &Path, procfs: &Path, dir: &Path, name: &str, depth: usize) -> Result<IfaceBody> {
    let downdelay = int_attr(dir, name, "bonding/downdelay")?;
    let updelay = int_attr(dir, name, "bonding/updelay")?;
    let miimon = int_attr(dir, name, "bonding/miimon")?;
    let arp_interval = int_attr(dir, name, "bonding/arp_interval")?;
    let mode = numbered_attr(dir, name, "bonding/mode")? + 1;
    let arp_validate = numbered_attr(dir, name, "bonding/arp_validate")?;
    let use_carrier = int_attr(dir, name, "bonding/use_carrier")?;
    let arp_target = attr(dir, "bonding/arp_ip_target").ok_or_else(|| {
        internal(format!(
            "Could not retrieve 'bonding/arp_ip_target' for '{name}'"
        ))
    })?;
    let slaves = entry_names(dir)
        .into_iter()
        .filter_map(|e| e.strip_prefix("slave_").map(str::to_string))
        .map(|s| {
            read(sysfs, procfs, &s, depth + 1).map_err(|_| {
                internal(format!(
                    "Could not get interface information for 'slave_{s}', which is a enslaved in bond '{name}'"
                ))
            })
        })
        .collect::<Result<_>>()?;
    Ok(IfaceBody::Bond {
        mode,
        miimon,
        downdelay,
        updelay,
        use_carrier,
        arp_interval,
        arp_validate,
        arp_target,
        slaves,
    })
}

/// The interface `name` as libvirt's udev backend describes it; `NoInterface` for a
/// name that is no entry of `/sys/class/net`.
pub fn read(sysfs: &Path, procfs: &Path, name: &str, depth: usize) -> Result<HostIface> {
    let dir = net_dir(sysfs, name).ok_or_else(|| no_iface(name))?;
    if depth > MAX_DEPTH {
        return Err(internal(format!("interface '{name}' is nested too deep")));
    }
    let mac = attr(&dir, "address");
    let link = link(&dir)?;
    let mtu_s = attr(&dir, "mtu");
    let mtu = mtu_s
        .as_deref()
        .and_then(|m| m.trim().parse::<u32>().ok())
        .ok_or_else(|| {
            internal(format!(
                "Could not parse MTU value '{}'",
                mtu_s.as_deref().unwrap_or("<null>")
            ))
        })?;
    let mut kind = match devtype(&dir).as_deref() {
        Some("vlan") => "vlan",
        Some("bridge") => "bridge",
        Some("bond") => "bond",
        _ => "ethernet",
    };
    if kind == "ethernet" {
        if name.contains('.') {
            kind = "vlan";
        }
        if dir.join("bonding/mode").exists() {
            kind = "bond";
        }
    }
    let body = match kind {
        "vlan" => vlan(procfs, name)?,
        "bridge" => bridge(sysfs, procfs, &dir, name, depth)?,
        "bond" => bond(sysfs, procfs, &dir, name, depth)?,
        _ => IfaceBody::Ethernet,
    };
    Ok(HostIface {
        name: name.to_string(),
        mac,
        mtu,
        link,
        body,
    })
}

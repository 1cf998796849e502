//! What a running network is on the host: a Linux bridge carrying the network's
//! addresses (`ip`), forwarding enabled, and an nftables table of its own with the
//! rules its forward mode needs (`nat`: forward and masquerade; `route`: forward;
//! isolated: no traffic leaves the bridge; `open`: none).

use std::net::IpAddr;

use rvirt_core::objconf::{Ip, NetworkDef};
use rvirt_core::{Error, ErrorDomain, Result};

use crate::cmd::run;

/// True if a link named `name` exists in the calling thread's network namespace
/// (asked of the kernel: `/sys/class/net` shows the namespace sysfs was mounted in).
pub(crate) fn link_exists(name: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(name) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::if_nametoindex(c.as_ptr()) != 0 }
}

/// The nftables table of network `def` (one per network, named by its UUID).
pub(crate) fn table(def: &NetworkDef) -> String {
    format!("rvirt_{}", &def.uuid.simple().to_string()[..12])
}

fn subnet(ip: &Ip) -> String {
    let p = u32::from(ip.prefix_len());
    match ip.address {
        IpAddr::V4(a) => {
            let mask = if p == 0 {
                0
            } else {
                u32::MAX << (32 - p.min(32))
            };
            format!("{}/{p}", std::net::Ipv4Addr::from(u32::from(a) & mask))
        }
        IpAddr::V6(a) => {
            let mask = if p == 0 {
                0
            } else {
                u128::MAX << (128 - p.min(128))
            };
            format!("{}/{p}", std::net::Ipv6Addr::from(u128::from(a) & mask))
        }
    }
}

/// The nftables script creating the network's table (empty for `open` mode).
pub(crate) fn ruleset(def: &NetworkDef, bridge: &str) -> String {
    let mode = def.forward_mode();
    if mode == "open" {
        return String::new();
    }
    let mut fwd = vec![format!("iifname \"{bridge}\" oifname \"{bridge}\" accept")];
    let mut nat = Vec::new();
    for ip in &def.ips {
        let fam = if ip.is_v6() { "ip6" } else { "ip" };
        let net = subnet(ip);
        let out_dev = def
            .forward
            .as_ref()
            .and_then(|f| f.dev.as_deref())
            .map(|d| format!(" oifname \"{d}\""))
            .unwrap_or_default();
        let in_dev = out_dev.replace("oifname", "iifname");
        match mode {
            "nat" if !ip.is_v6() => {
                fwd.push(format!(
                    "oifname \"{bridge}\"{in_dev} {fam} daddr {net} ct state established,related accept"
                ));
                fwd.push(format!(
                    "iifname \"{bridge}\"{out_dev} {fam} saddr {net} accept"
                ));
                nat.push(format!("{fam} saddr {net} {fam} daddr 224.0.0.0/24 return"));
                nat.push(format!(
                    "{fam} saddr {net} {fam} daddr 255.255.255.255 return"
                ));
                nat.push(format!(
                    "{fam} saddr {net} {fam} daddr != {net}{out_dev} masquerade"
                ));
            }
            "nat" | "route" => {
                fwd.push(format!(
                    "oifname \"{bridge}\"{in_dev} {fam} daddr {net} accept"
                ));
                fwd.push(format!(
                    "iifname \"{bridge}\"{out_dev} {fam} saddr {net} accept"
                ));
            }
            _ => {}
        }
    }
    fwd.push(format!("iifname \"{bridge}\" reject"));
    fwd.push(format!("oifname \"{bridge}\" reject"));
    let mut s = format!(
        "table inet {t} {{\n  chain forward {{\n    type filter hook forward priority filter; policy accept;\n",
        t = table(def)
    );
    for r in fwd {
        s.push_str(&format!("    {r}\n"));
    }
    s.push_str("  }\n");
    if !nat.is_empty() {
        s.push_str("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        for r in nat {
            s.push_str(&format!("    {r}\n"));
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

fn sysctl(path: &str) -> Result<()> {
    std::fs::write(path, "1")
        .map_err(|e| Error::internal(ErrorDomain::Network, format!("cannot enable '{path}': {e}")))
}

/// Creates the bridge with the network's MAC, addresses and spanning-tree settings,
/// brings it up, enables forwarding and loads the firewall rules.
pub(crate) fn start(def: &NetworkDef, bridge: &str) -> Result<()> {
    if link_exists(bridge) {
        return Err(Error::internal(
            ErrorDomain::Network,
            format!("Network is already in use by interface {bridge}"),
        ));
    }
    run("ip", &["link", "add", bridge, "type", "bridge"], None)?;
    let done = (|| -> Result<()> {
        let stp = if def.bridge.stp { "1" } else { "0" };
        let delay = (def.bridge.delay * 100).to_string();
        run(
            "ip",
            &[
                "link",
                "set",
                bridge,
                "type",
                "bridge",
                "stp_state",
                stp,
                "forward_delay",
                &delay,
            ],
            None,
        )?;
        if let Some(mac) = &def.mac {
            run("ip", &["link", "set", bridge, "address", mac], None)?;
        }
        if let Some(mtu) = def.mtu {
            run(
                "ip",
                &["link", "set", bridge, "mtu", &mtu.to_string()],
                None,
            )?;
        }
        for ip in &def.ips {
            let cidr = format!("{}/{}", ip.address, ip.prefix_len());
            run("ip", &["addr", "add", &cidr, "dev", bridge], None)?;
        }
        run("ip", &["link", "set", bridge, "up"], None)?;
        if let Some(bw) = crate::qos::network_bandwidth(def)? {
            rvirt_core::netdev::bandwidth::set(bridge, &bw, true, true)?;
        }
        if matches!(def.forward_mode(), "nat" | "route") {
            if def.ips.iter().any(|i| !i.is_v6()) {
                sysctl("/proc/sys/net/ipv4/ip_forward")?;
            }
            if def.ips.iter().any(Ip::is_v6) {
                sysctl("/proc/sys/net/ipv6/conf/all/forwarding")?;
            }
        }
        let rules = ruleset(def, bridge);
        if !rules.is_empty() {
            let _ = run("nft", &["delete", "table", "inet", &table(def)], None);
            run("nft", &["-f", "-"], Some(&rules))?;
        }
        Ok(())
    })();
    if done.is_err() {
        let _ = stop(def, bridge);
    }
    done
}

/// Removes the firewall table and the bridge; what is already gone is no error.
pub(crate) fn stop(def: &NetworkDef, bridge: &str) -> Result<()> {
    let _ = run("nft", &["delete", "table", "inet", &table(def)], None);
    rvirt_core::netdev::bandwidth::release(bridge);
    if link_exists(bridge) {
        run("ip", &["link", "del", bridge], None)?;
    }
    Ok(())
}

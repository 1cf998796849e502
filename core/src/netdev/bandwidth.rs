//! Bandwidth limits on a host interface with `tc`, as libvirt sets them
//! (`virNetDevBandwidthSet`, `…Plug`, `…Unplug`, `…UpdateRate`).
//!
//! Rates are libvirt's: `average`, `peak` and `floor` in kilobytes per second, handed
//! to `tc` as `Nkbps`; `burst` in kilobytes, handed as `Nkb`.
//!
//! * The interface's transmit side (for a tap: what goes to the guest, the guest's
//!   `inbound`) gets an `htb` root qdisc `1:` with class `1:1` (rate = average, ceil =
//!   peak, burst), an `sfq` under it and an `fw` filter.
//! * Its receive side (for a tap: what the guest sends, its `outbound`) gets an
//!   `ingress` qdisc with a `u32` filter policing everything to the average rate
//!   (burst defaults to the average) and dropping the excess.
//! * On a network's bridge (`hierarchical`), class `1:1` caps the network and `1:2`
//!   takes the traffic of NICs without a guaranteed `floor`; each NIC with a floor
//!   gets its own class `1:ID` (ID ≥ 3) fed by a filter on its MAC address, and the
//!   rate of `1:2` shrinks by the floors handed out.

use crate::netdev::command;
use crate::objconf::{Bandwidth, Rate};
use crate::{Error, ErrorCode, ErrorDomain, Result};

const TC: &str = "tc";
const D: ErrorDomain = ErrorDomain::None;

/// One `tc` invocation.
pub type TcCommand = Vec<String>;

fn cmd(args: &[&str]) -> TcCommand {
    args.iter().map(|s| s.to_string()).collect()
}

fn kbps(v: u64) -> String {
    format!("{v}kbps")
}

/// libvirt's `quantum` for an htb class of `rate` (bytes per MTU-sized round).
fn quantum(rate: &Rate) -> String {
    (rate.average * 1024 / 8 / 1500).max(1).to_string()
}

/// The `tc` commands [`set`] runs on `ifname` (after clearing it), in order.
/// `swapped`: the guest sits on the other side of the interface (a tap), so the
/// guest's inbound is the interface's transmit side.
pub fn set_commands(
    ifname: &str,
    bandwidth: &Bandwidth,
    hierarchical: bool,
    swapped: bool,
) -> Vec<TcCommand> {
    let (rx, tx) = if swapped {
        (bandwidth.outbound, bandwidth.inbound)
    } else {
        (bandwidth.inbound, bandwidth.outbound)
    };
    let mut out = Vec::new();
    if let Some(tx) = tx.filter(|t| t.average != 0) {
        let average = kbps(tx.average);
        let peak = (tx.peak != 0).then(|| kbps(tx.peak));
        let default = if hierarchical { "2" } else { "1" };
        out.push(cmd(&[
            "qdisc", "add", "dev", ifname, "root", "handle", "1:", "htb", "default", default,
        ]));
        if hierarchical {
            let mut c = cmd(&[
                "class", "add", "dev", ifname, "parent", "1:", "classid", "1:1", "htb", "rate",
                &average, "ceil",
            ]);
            c.push(peak.clone().unwrap_or_else(|| average.clone()));
            c.extend(["quantum".to_string(), quantum(&tx)]);
            out.push(c);
        }
        let (parent, class) = if hierarchical {
            ("1:1", "1:2")
        } else {
            ("1:", "1:1")
        };
        let mut c = cmd(&[
            "class", "add", "dev", ifname, "parent", parent, "classid", class, "htb", "rate",
            &average,
        ]);
        if let Some(p) = &peak {
            c.extend(["ceil".to_string(), p.clone()]);
        }
        if tx.burst != 0 {
            c.extend(["burst".to_string(), format!("{}kb", tx.burst)]);
        }
        c.extend(["quantum".to_string(), quantum(&tx)]);
        out.push(c);
        out.push(cmd(&[
            "qdisc", "add", "dev", ifname, "parent", class, "handle", "2:", "sfq", "perturb", "10",
        ]));
        out.push(cmd(&[
            "filter", "add", "dev", ifname, "parent", "1:0", "protocol", "all", "prio", "1",
            "handle", "1", "fw", "flowid", "1",
        ]));
    }
    if let Some(rx) = rx {
        let burst = if rx.burst != 0 {
            rx.burst
        } else {
            // tc keeps the burst in bytes in 32 bits.
            rx.average.min(u64::from(u32::MAX) / 1024)
        };
        out.push(cmd(&["qdisc", "add", "dev", ifname, "ingress"]));
        out.push(cmd(&[
            "filter",
            "add",
            "dev",
            ifname,
            "parent",
            "ffff:",
            "protocol",
            "all",
            "u32",
            "match",
            "u32",
            "0",
            "0",
            "police",
            "rate",
            &kbps(rx.average),
            "burst",
            &format!("{burst}kb"),
            "mtu",
            "64kb",
            "drop",
            "flowid",
            ":1",
        ]));
    }
    out
}

/// True when `e` says the kernel lacks the qdisc, classifier or action asked for.
fn kernel_lacks(e: &Error) -> bool {
    let m = e.message();
    m.contains("kind is unknown")
        || m.contains("classifier not found")
        || m.contains("Failed to load TC action module")
}

/// The nftables table standing in for `tc`'s policer on `ifname`.
fn police_table(ifname: &str) -> String {
    let safe: String = ifname
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("rvirt_bw_{safe}")
}

/// Polices what `ifname` receives to `rate` kilobytes per second with a burst of
/// `burst` kilobytes in an nftables `netdev` table, for kernels built without
/// `tc`'s policer (`act_police`): the same limit, dropping the excess.
fn police_with_nft(ifname: &str, rate: u64, burst: u64) -> Result<()> {
    let script = format!(
        "table netdev {t} {{\n  chain ingress {{\n    type filter hook ingress device \"{ifname}\" priority filter; policy accept;\n    limit rate over {r} bytes/second burst {b} bytes drop\n  }}\n}}\n",
        t = police_table(ifname),
        r = rate.saturating_mul(1000),
        b = burst.saturating_mul(1024),
    );
    command::run(D, "nft", &["-f", "-"], Some(&script)).map(|_| ())
}

/// The police rate and burst (kilobytes) of an ingress filter command.
fn police_of(c: &TcCommand) -> Option<(u64, u64)> {
    let after = |key: &str, unit: &str| -> Option<u64> {
        let i = c.iter().position(|w| w == key)?;
        c.get(i + 1)?.strip_suffix(unit)?.parse().ok()
    };
    if !c.iter().any(|w| w == "police") {
        return None;
    }
    Some((after("rate", "kbps")?, after("burst", "kb")?))
}

/// Runs `cmds` as libvirt does, tolerating what a kernel without some of `tc`'s
/// modules lacks: the `sfq` under a class and the `fw` filter only share and mark
/// (the limits hold without them; a warning says so), and a missing policer is
/// replaced by the same limit in nftables.
fn run_all(ifname: &str, cmds: &[TcCommand]) -> Result<()> {
    for c in cmds {
        let args: Vec<&str> = c.iter().map(String::as_str).collect();
        let Err(e) = command::run(D, TC, &args, None) else {
            continue;
        };
        if !kernel_lacks(&e) {
            return Err(e);
        }
        if let Some((rate, burst)) = police_of(c) {
            police_with_nft(ifname, rate, burst)?;
        } else if c.iter().any(|w| w == "sfq" || w == "fw") {
            crate::log::warning(
                D,
                format_args!(
                    "{ifname}: {} (kernel lacks it; limits still apply)",
                    e.message()
                ),
            );
        } else {
            return Err(e);
        }
    }
    Ok(())
}

/// Replaces the limits on `ifname` with `bandwidth` (`virNetDevBandwidthSet`). Only
/// root may shape traffic (libvirt's refusal in session mode).
pub fn set(ifname: &str, bandwidth: &Bandwidth, hierarchical: bool, swapped: bool) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(Error::new(
            ErrorCode::OperationUnsupported,
            D,
            "Network bandwidth tuning is not available in session mode",
        ));
    }
    clear(ifname);
    let done = run_all(
        ifname,
        &set_commands(ifname, bandwidth, hierarchical, swapped),
    );
    if done.is_err() {
        clear(ifname);
    }
    done
}

/// Removes every limit on `ifname` (`virNetDevBandwidthClear`, and the nftables
/// stand-in for the policer); what is not there is no error.
pub fn clear(ifname: &str) {
    let _ = command::run(D, TC, &["qdisc", "del", "dev", ifname, "root"], None);
    let _ = command::run(D, TC, &["qdisc", "del", "dev", ifname, "ingress"], None);
    release(ifname);
}

/// Removes what of `ifname`'s limits outlives the device itself (the nftables
/// stand-in for the policer), before or after the device goes.
pub fn release(ifname: &str) {
    let _ = command::run(
        D,
        "nft",
        &["delete", "table", "netdev", &police_table(ifname)],
        None,
    );
}

fn invalid_id(id: u32) -> Result<()> {
    if id <= 2 {
        return Err(Error::internal(D, format!("Invalid class ID {id}")));
    }
    Ok(())
}

fn ceiling(net: &Rate) -> String {
    kbps(if net.peak != 0 { net.peak } else { net.average })
}

/// The `tc` commands [`plug`] runs.
pub fn plug_commands(
    bridge: &str,
    net: &Rate,
    mac: [u8; 6],
    floor: u64,
    id: u32,
) -> Vec<TcCommand> {
    let class = format!("1:{id:x}");
    let qdisc = format!("{id:x}:");
    let handle = format!("800::{id}");
    let low = format!("0x{:02x}{:02x}{:02x}{:02x}", mac[2], mac[3], mac[4], mac[5]);
    let high = format!("0x{:02x}{:02x}", mac[0], mac[1]);
    let q = quantum(&Rate {
        average: floor,
        ..Rate::default()
    });
    vec![
        cmd(&[
            "class",
            "add",
            "dev",
            bridge,
            "parent",
            "1:1",
            "classid",
            &class,
            "htb",
            "rate",
            &kbps(floor),
            "ceil",
            &ceiling(net),
            "quantum",
            &q,
        ]),
        cmd(&[
            "qdisc", "add", "dev", bridge, "parent", &class, "handle", &qdisc, "sfq", "perturb",
            "10",
        ]),
        cmd(&[
            "filter",
            "add",
            "dev",
            bridge,
            "protocol",
            "ip",
            "prio",
            "2",
            "handle",
            &handle,
            "u32",
            "match",
            "u16",
            "0x0800",
            "0xffff",
            "at",
            "-2",
            "match",
            "u32",
            &low,
            "0xffffffff",
            "at",
            "-12",
            "match",
            "u16",
            &high,
            "0xffff",
            "at",
            "-14",
            "flowid",
            &class,
        ]),
    ]
}

/// Gives the NIC with `mac` its guaranteed `floor` on the network's `bridge`, whose
/// inbound rate is `net`, as class `1:ID` (`virNetDevBandwidthPlug`).
pub fn plug(bridge: &str, net: Option<&Rate>, mac: [u8; 6], floor: u64, id: u32) -> Result<()> {
    invalid_id(id)?;
    let Some(net) = net else {
        let m = mac.map(|b| format!("{b:02x}")).join(":");
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            D,
            format!("Bridge '{bridge}' has no QoS set, therefore unable to set 'floor' on '{m}'"),
        ));
    };
    let done = run_all(bridge, &plug_commands(bridge, net, mac, floor, id));
    if done.is_err() {
        let _ = unplug(bridge, id);
    }
    done
}

/// Takes class `1:ID` off `bridge` again (`virNetDevBandwidthUnplug`); what is not
/// there is no error.
pub fn unplug(bridge: &str, id: u32) -> Result<()> {
    invalid_id(id)?;
    let class = format!("1:{id:x}");
    let qdisc = format!("{id:x}:");
    let handle = format!("800::{id}");
    let _ = command::run(
        D,
        TC,
        &["qdisc", "del", "dev", bridge, "handle", &qdisc],
        None,
    );
    let _ = command::run(
        D,
        TC,
        &[
            "filter", "del", "dev", bridge, "prio", "2", "handle", &handle, "u32",
        ],
        None,
    );
    let _ = command::run(
        D,
        TC,
        &["class", "del", "dev", bridge, "classid", &class],
        None,
    );
    Ok(())
}

/// Sets the rate of class `1:ID` on `ifname` to `rate`, its ceiling the network's
/// (`virNetDevBandwidthUpdateRate`).
pub fn update_rate(ifname: &str, id: u32, net: &Rate, rate: u64) -> Result<()> {
    let class = format!("1:{id:x}");
    let q = quantum(net);
    command::run(
        D,
        TC,
        &[
            "class",
            "change",
            "dev",
            ifname,
            "classid",
            &class,
            "htb",
            "rate",
            &kbps(rate),
            "ceil",
            &ceiling(net),
            "quantum",
            &q,
        ],
        None,
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(average: u64, peak: u64, burst: u64) -> Rate {
        Rate {
            average,
            peak,
            floor: 0,
            burst,
        }
    }

    #[test]
    fn a_tap_gets_libvirts_commands() {
        let bw = Bandwidth {
            inbound: Some(rate(1000, 2000, 256)),
            outbound: Some(rate(500, 0, 0)),
        };
        let got: Vec<String> = set_commands("vnet0", &bw, false, true)
            .iter()
            .map(|c| c.join(" "))
            .collect();
        assert_eq!(
            got,
            [
                "qdisc add dev vnet0 root handle 1: htb default 1",
                "class add dev vnet0 parent 1: classid 1:1 htb rate 1000kbps ceil 2000kbps burst 256kb quantum 85",
                "qdisc add dev vnet0 parent 1:1 handle 2: sfq perturb 10",
                "filter add dev vnet0 parent 1:0 protocol all prio 1 handle 1 fw flowid 1",
                "qdisc add dev vnet0 ingress",
                "filter add dev vnet0 parent ffff: protocol all u32 match u32 0 0 police rate 500kbps burst 500kb mtu 64kb drop flowid :1",
            ]
        );
    }

    #[test]
    fn a_bridge_gets_the_hierarchy_and_floors_their_classes() {
        let bw = Bandwidth {
            inbound: Some(rate(10000, 0, 0)),
            outbound: None,
        };
        let got: Vec<String> = set_commands("virbr1", &bw, true, true)
            .iter()
            .map(|c| c.join(" "))
            .collect();
        assert_eq!(got[0], "qdisc add dev virbr1 root handle 1: htb default 2");
        assert_eq!(
            got[1],
            "class add dev virbr1 parent 1: classid 1:1 htb rate 10000kbps ceil 10000kbps quantum 853"
        );
        assert_eq!(
            got[2],
            "class add dev virbr1 parent 1:1 classid 1:2 htb rate 10000kbps quantum 853"
        );
        assert_eq!(got.len(), 5);
        let plug: Vec<String> = plug_commands(
            "virbr1",
            &rate(10000, 0, 0),
            [0x52, 0x54, 0, 0xab, 0xcd, 0xef],
            300,
            11,
        )
        .iter()
        .map(|c| c.join(" "))
        .collect();
        assert_eq!(
            plug,
            [
                "class add dev virbr1 parent 1:1 classid 1:b htb rate 300kbps ceil 10000kbps quantum 25",
                "qdisc add dev virbr1 parent 1:b handle b: sfq perturb 10",
                "filter add dev virbr1 protocol ip prio 2 handle 800::11 u32 match u16 0x0800 0xffff at -2 \
                 match u32 0x00abcdef 0xffffffff at -12 match u16 0x5254 0xffff at -14 flowid 1:b",
            ]
        );
    }
}

//! The XML of a host interface as libvirt's `virInterfaceDefFormat` writes what the
//! udev backend read: element order, attributes and the open-and-closed bodies.

use rvirt_core::objconf::tree::escape_into;

use crate::def::{HostIface, IfaceBody};

/// Lines with libvirt's two-space indentation.
struct Buf {
    out: String,
    indent: usize,
}

impl Buf {
    fn line(&mut self, s: &str) {
        self.out.extend(std::iter::repeat_n(' ', self.indent));
        self.out.push_str(s);
        self.out.push('\n');
    }
}

fn esc(s: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, s);
    out
}

const BOND_MODES: &[&str] = &[
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
];

fn body(b: &mut Buf, i: &HostIface) {
    match &i.body {
        IfaceBody::Ethernet => {
            if let Some(m) = &i.mac {
                b.line(&format!("<mac address='{}'/>", esc(m)));
            }
        }
        IfaceBody::Bridge {
            stp,
            delay,
            members,
        } => {
            let stp = match stp {
                1 => " stp='on'",
                0 => " stp='off'",
                _ => "",
            };
            b.line(&format!("<bridge{stp} delay='{}'>", esc(delay)));
            b.indent += 2;
            for m in members {
                dev(b, m, false);
            }
            b.indent -= 2;
            b.line("</bridge>");
        }
        IfaceBody::Bond {
            mode,
            miimon,
            downdelay,
            updelay,
            use_carrier,
            arp_interval,
            arp_validate,
            arp_target,
            slaves,
        } => {
            let mode = usize::try_from(*mode - 1)
                .ok()
                .and_then(|m| BOND_MODES.get(m))
                .map(|m| format!(" mode='{m}'"))
                .unwrap_or_default();
            b.line(&format!("<bond{mode}>"));
            b.indent += 2;
            if *arp_interval > 0 {
                let validate = match arp_validate {
                    1 => " validate='active'",
                    2 => " validate='backup'",
                    3 => " validate='all'",
                    _ => "",
                };
                b.line(&format!(
                    "<arpmon interval='{arp_interval}' target='{}'{validate}/>",
                    esc(arp_target)
                ));
            } else if *miimon > 0 {
                let mut s = format!("<miimon freq='{miimon}'");
                if *downdelay > 0 {
                    s.push_str(&format!(" downdelay='{downdelay}'"));
                }
                if *updelay > 0 {
                    s.push_str(&format!(" updelay='{updelay}'"));
                }
                s.push_str(match use_carrier {
                    0 => " carrier='ioctl'",
                    1 => " carrier='netif'",
                    _ => "",
                });
                s.push_str("/>");
                b.line(&s);
            }
            for s in slaves {
                dev(b, s, false);
            }
            b.indent -= 2;
            b.line("</bond>");
        }
        IfaceBody::Vlan { tag, device } => {
            b.line(&format!("<vlan tag='{}'>", esc(tag)));
            b.indent += 2;
            b.line(&format!("<interface name='{}'/>", esc(device)));
            b.indent -= 2;
            b.line("</vlan>");
        }
    }
}

fn dev(b: &mut Buf, i: &HostIface, top: bool) {
    b.line(&format!(
        "<interface type='{}' name='{}'>",
        i.type_name(),
        esc(&i.name)
    ));
    b.indent += 2;
    if top && i.mtu != 0 {
        b.line(&format!("<mtu size='{}'/>", i.mtu));
    }
    if !matches!(i.body, IfaceBody::Bridge { .. }) {
        let speed = i
            .link
            .speed
            .map(|s| format!(" speed='{s}'"))
            .unwrap_or_default();
        b.line(&format!("<link{speed} state='{}'/>", esc(&i.link.state)));
    }
    body(b, i);
    b.indent -= 2;
    b.line("</interface>");
}

impl HostIface {
    /// The XML, as libvirt's udev backend answers `virInterfaceGetXMLDesc`.
    pub fn to_xml(&self) -> String {
        let mut b = Buf {
            out: String::new(),
            indent: 0,
        };
        dev(&mut b, self, true);
        b.out
    }
}

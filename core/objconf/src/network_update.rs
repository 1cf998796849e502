//! [`NetworkDef::update`]: libvirt's `virNetworkUpdate` edits of one section of a
//! network definition (DHCP hosts and ranges, DNS records, forward interfaces,
//! portgroups).

use crate::error::{Result, XmlError, domain::NETWORK};
use crate::network::{DhcpRange, NetworkDef, parse_dhcp_host, parse_dns_host};
use crate::tree::{Element, parse};
use crate::util::num_attr;

/// `virNetworkUpdateCommand`.
pub mod command {
    /// Replace an existing entry.
    pub const MODIFY: u32 = 1;
    /// Remove an entry.
    pub const DELETE: u32 = 2;
    /// Append an entry.
    pub const ADD_LAST: u32 = 3;
    /// Prepend an entry.
    pub const ADD_FIRST: u32 = 4;
}

/// `virNetworkUpdateSection` names, by number.
pub const SECTIONS: &[&str] = &[
    "none",
    "bridge",
    "domain",
    "ip",
    "ip-dhcp-host",
    "ip-dhcp-range",
    "forward",
    "forward-interface",
    "forward-pf",
    "portgroup",
    "dns-host",
    "dns-txt",
    "dns-srv",
];

/// `VIR_ERR_OPERATION_INVALID`.
const OPERATION_INVALID: i32 = 55;
/// `VIR_ERR_OPERATION_UNSUPPORTED`.
const OPERATION_UNSUPPORTED: i32 = 84;

fn invalid(msg: String) -> XmlError {
    XmlError::new(OPERATION_INVALID, NETWORK, msg)
}

fn unsupported(msg: String) -> XmlError {
    XmlError::new(OPERATION_UNSUPPORTED, NETWORK, msg)
}

/// Inserts `item` first or last, or reports `exists` if `matches` finds one.
fn add<T>(list: &mut Vec<T>, item: T, cmd: u32, exists: Option<XmlError>) -> Result<()> {
    if let Some(e) = exists {
        return Err(e);
    }
    if cmd == command::ADD_FIRST {
        list.insert(0, item);
    } else {
        list.push(item);
    }
    Ok(())
}

impl NetworkDef {
    /// Applies `command` to `section` with the element in `xml`; `parent_index` picks
    /// the `<ip>` block (-1: the first one of the entry's address family).
    pub fn update(&mut self, cmd: u32, section: u32, parent_index: i32, xml: &str) -> Result<()> {
        let section_name = SECTIONS.get(section as usize).copied().unwrap_or("unknown");
        if !(command::MODIFY..=command::ADD_FIRST).contains(&cmd) {
            return Err(unsupported(format!(
                "can't update '{section_name}' section of network '{}' - unrecognized command {cmd}",
                self.name
            )));
        }
        let el = parse(xml, "network_update_xml", NETWORK)?;
        let net = self.name.clone();
        match section {
            4 => self.update_dhcp_host(cmd, parent_index, &el),
            5 => self.update_dhcp_range(cmd, parent_index, &el),
            7 => {
                expect(&el, "interface", section_name, &net)?;
                let dev = el.get("dev").unwrap_or_default().to_string();
                let Some(f) = self.forward.as_mut() else {
                    return Err(invalid(format!(
                        "can't update 'forward-interface' section of network '{net}' - it has no <forward>"
                    )));
                };
                let pos = f.interfaces.iter().position(|d| *d == dev);
                match cmd {
                    command::DELETE => {
                        let i = pos.ok_or_else(|| {
                            invalid(format!(
                                "couldn't find an interface entry with dev='{dev}' in network '{net}'"
                            ))
                        })?;
                        f.interfaces.remove(i);
                        Ok(())
                    }
                    command::MODIFY => Err(unsupported(format!(
                        "forward interface entries cannot be modified, only added or deleted in network '{net}'"
                    ))),
                    _ => add(
                        &mut f.interfaces,
                        dev.clone(),
                        cmd,
                        pos.map(|_| {
                            invalid(format!(
                                "there is an existing interface entry in network '{net}' that matches \"<interface dev='{dev}'>\""
                            ))
                        }),
                    ),
                }
            }
            9 => {
                expect(&el, "portgroup", section_name, &net)?;
                let name = el.get("name").unwrap_or_default().to_string();
                let pos = self
                    .portgroups
                    .iter()
                    .position(|p| p.get("name") == Some(name.as_str()));
                match (cmd, pos) {
                    (command::DELETE | command::MODIFY, None) => Err(invalid(format!(
                        "couldn't find a portgroup entry in network '{net}' matching <portgroup name='{name}'>"
                    ))),
                    (command::DELETE, Some(i)) => {
                        self.portgroups.remove(i);
                        Ok(())
                    }
                    (command::MODIFY, Some(i)) => {
                        self.portgroups[i] = el;
                        Ok(())
                    }
                    (_, found) => add(
                        &mut self.portgroups,
                        el,
                        cmd,
                        found.map(|_| {
                            invalid(format!(
                                "there is an existing portgroup entry in network '{net}' that matches \"<portgroup name='{name}'>\""
                            ))
                        }),
                    ),
                }
            }
            10 => {
                expect(&el, "host", section_name, &net)?;
                let host = parse_dns_host(&el, &net)?;
                let pos = self.dns.hosts.iter().position(|h| {
                    h.ip == host.ip || h.hostnames.iter().any(|n| host.hostnames.contains(n))
                });
                match (cmd, pos) {
                    (command::MODIFY, _) => Err(unsupported(format!(
                        "DNS HOST records cannot be modified, only added or deleted in network '{net}'"
                    ))),
                    (command::DELETE, None) => Err(invalid(format!(
                        "couldn't locate a matching DNS HOST record in network '{net}'"
                    ))),
                    (command::DELETE, Some(i)) => {
                        self.dns.hosts.remove(i);
                        Ok(())
                    }
                    (_, found) => add(
                        &mut self.dns.hosts,
                        host,
                        cmd,
                        found.map(|_| {
                            invalid(format!(
                                "there is already at least one DNS HOST record with a matching field in network '{net}'"
                            ))
                        }),
                    ),
                }
            }
            11 | 12 => {
                let (tag, key, list) = if section == 11 {
                    ("txt", "name", &mut self.dns.txts)
                } else {
                    ("srv", "service", &mut self.dns.srvs)
                };
                expect(&el, tag, section_name, &net)?;
                let id = el.get(key).unwrap_or_default().to_string();
                let pos = list.iter().position(|t| t.get(key) == Some(id.as_str()));
                let upper = tag.to_ascii_uppercase();
                match (cmd, pos) {
                    (command::MODIFY, _) => Err(unsupported(format!(
                        "DNS {upper} records cannot be modified, only added or deleted in network '{net}'"
                    ))),
                    (command::DELETE, None) => Err(invalid(format!(
                        "couldn't locate a matching DNS {upper} record in network '{net}'"
                    ))),
                    (command::DELETE, Some(i)) => {
                        list.remove(i);
                        Ok(())
                    }
                    (_, found) => add(
                        list,
                        el,
                        cmd,
                        found.map(|_| {
                            invalid(format!(
                                "there is already a DNS {upper} record matching field {key}='{id}' in network '{net}'"
                            ))
                        }),
                    ),
                }
            }
            _ => Err(unsupported(format!(
                "can't update '{section_name}' section of network '{net}'"
            ))),
        }
    }

    /// The `<ip>` block an entry goes to.
    fn ip_index(&self, parent_index: i32, v6: bool) -> Result<usize> {
        if parent_index >= 0 {
            let i = parent_index as usize;
            return if i < self.ips.len() {
                Ok(i)
            } else {
                Err(invalid(format!(
                    "couldn't update dhcp host entry - no <ip> element found at index {parent_index} in network '{}'",
                    self.name
                )))
            };
        }
        self.ips
            .iter()
            .position(|ip| ip.is_v6() == v6 && (ip.dhcp || !ip.ranges.is_empty()))
            .or_else(|| self.ips.iter().position(|ip| ip.is_v6() == v6))
            .ok_or_else(|| {
                invalid(format!(
                    "can't update 'dhcp' section of network '{}' - no {} <ip> element found",
                    self.name,
                    if v6 { "IPv6" } else { "IPv4" }
                ))
            })
    }

    fn update_dhcp_host(&mut self, cmd: u32, parent_index: i32, el: &Element) -> Result<()> {
        let net = self.name.clone();
        expect(el, "host", "ip-dhcp-host", &net)?;
        let host = parse_dhcp_host(el, &net)?;
        let v6 = host.id.is_some() || host.ip.is_some_and(|i| i.is_ipv6());
        let i = self.ip_index(parent_index, v6)?;
        let ip = &mut self.ips[i];
        if let Some(a) = host.ip
            && !ip.contains(a)
        {
            return Err(invalid(format!(
                "the address '{a}' of the host is not in network '{net}'"
            )));
        }
        // Adding: any given field of an existing entry matching is a duplicate;
        // modifying: the entry any given field matches; deleting: the entry every
        // given field matches (libvirt's three rules).
        let any = |h: &crate::network::DhcpHost| {
            (host.mac.is_some() && h.mac == host.mac)
                || (host.id.is_some() && h.id == host.id)
                || (host.name.is_some() && h.name == host.name)
                || (host.ip.is_some() && h.ip == host.ip)
        };
        let all = |h: &crate::network::DhcpHost| {
            (host.mac.is_none() || h.mac.is_none() || h.mac == host.mac)
                && (host.id.is_none() || h.id == host.id)
                && (host.name.is_none() || h.name == host.name)
                && (host.ip.is_none() || h.ip == host.ip)
        };
        let mac = host.mac.clone().unwrap_or_else(|| "unknown".into());
        let name = host.name.clone().unwrap_or_else(|| "(null)".into());
        let addr = host.ip.map_or("unknown".to_string(), |i| i.to_string());
        ip.dhcp = true;
        match cmd {
            command::MODIFY => {
                let i = ip.hosts.iter().position(any).ok_or_else(|| {
                    invalid(format!(
                        "couldn't locate an existing dhcp host entry with \"mac='{mac}'\" \"name='{name}'\" \"ip='{addr}'\" in network '{net}'"
                    ))
                })?;
                ip.hosts[i] = host;
                Ok(())
            }
            command::DELETE => {
                let i = ip.hosts.iter().position(all).ok_or_else(|| {
                    invalid(format!(
                        "couldn't locate a matching dhcp host entry in network '{net}'"
                    ))
                })?;
                ip.hosts.remove(i);
                Ok(())
            }
            _ => {
                let exists = ip.hosts.iter().position(any).map(|_| {
                    invalid(format!(
                        "there is an existing dhcp host entry in network '{net}' that matches \"<host mac='{mac}' name='{name}' ip='{addr}'/>\""
                    ))
                });
                add(&mut ip.hosts, host, cmd, exists)
            }
        }
    }

    fn update_dhcp_range(&mut self, cmd: u32, parent_index: i32, el: &Element) -> Result<()> {
        let net = self.name.clone();
        expect(el, "range", "ip-dhcp-range", &net)?;
        let start = crate::util::ip_attr(el, "start", NETWORK, &net)?;
        let end = crate::util::ip_attr(el, "end", NETWORK, &net)?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(XmlError::xml(
                NETWORK,
                format!("Missing 'start' or 'end' attribute in dhcp range for network '{net}'"),
            ));
        };
        let _: Option<u32> = num_attr(el, "prefix", NETWORK)?;
        let i = self.ip_index(parent_index, start.is_ipv6())?;
        let ip = &mut self.ips[i];
        if !ip.contains(start) || !ip.contains(end) {
            return Err(invalid(format!(
                "range {start} - {end} is not entirely within network {}/{}",
                ip.address,
                ip.prefix_len()
            )));
        }
        let pos = ip
            .ranges
            .iter()
            .position(|r| r.start == start && r.end == end);
        ip.dhcp = true;
        match (cmd, pos) {
            (command::MODIFY, _) => Err(unsupported(format!(
                "dhcp ranges cannot be modified, only added or deleted in network '{net}'"
            ))),
            (command::DELETE, None) => Err(invalid(format!(
                "couldn't locate a matching dhcp range entry in network '{net}'"
            ))),
            (command::DELETE, Some(i)) => {
                ip.ranges.remove(i);
                Ok(())
            }
            (_, found) => add(
                &mut ip.ranges,
                DhcpRange {
                    start,
                    end,
                    lease: el.find("lease").cloned(),
                },
                cmd,
                found.map(|_| {
                    invalid(format!(
                        "there is an existing dhcp range entry in network '{net}' that matches \"<range start='{start}' end='{end}'/>\""
                    ))
                }),
            ),
        }
    }
}

fn expect(el: &Element, tag: &str, section: &str, net: &str) -> Result<()> {
    if el.name == tag {
        return Ok(());
    }
    Err(XmlError::xml(
        NETWORK,
        format!(
            "can't update '{section}' section of network '{net}' - unrecognized element <{}>, expecting <{tag}>",
            el.name
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: &str = "<network><name>n</name><ip address='10.9.0.1' prefix='24'><dhcp>\
        <host mac='52:54:00:00:00:05' name='a' ip='10.9.0.5'/></dhcp></ip></network>";

    #[test]
    fn dhcp_hosts_match_as_libvirt_matches_them() {
        let mut def = NetworkDef::from_xml(NET).unwrap();
        // Deleting needs every given field to match.
        let e = def
            .update(
                command::DELETE,
                4,
                -1,
                "<host mac='52:54:00:00:00:05' name='b'/>",
            )
            .unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                55,
                "couldn't locate a matching dhcp host entry in network 'n'"
            )
        );
        // Adding: any field matching is a duplicate, missing ones printed as libvirt does.
        let e = def
            .update(command::ADD_LAST, 4, -1, "<host name='a' ip='10.9.0.6'/>")
            .unwrap_err();
        assert_eq!(
            e.message,
            "there is an existing dhcp host entry in network 'n' that matches \"<host mac='unknown' name='a' ip='10.9.0.6'/>\""
        );
        // Modifying: the entry any field matches.
        def.update(
            command::MODIFY,
            4,
            -1,
            "<host mac='52:54:00:00:00:07' name='a' ip='10.9.0.7'/>",
        )
        .unwrap();
        assert_eq!(def.ips[0].hosts[0].ip, Some("10.9.0.7".parse().unwrap()));
        let e = def
            .update(
                command::MODIFY,
                4,
                -1,
                "<host mac='52:54:00:00:00:09' ip='10.9.0.9'/>",
            )
            .unwrap_err();
        assert_eq!(
            e.message,
            "couldn't locate an existing dhcp host entry with \"mac='52:54:00:00:00:09'\" \"name='(null)'\" \"ip='10.9.0.9'\" in network 'n'"
        );
        def.update(command::DELETE, 4, -1, "<host name='a'/>")
            .unwrap();
        assert!(def.ips[0].hosts.is_empty());
        // libvirt's checks of the host's name and DHCPv6 id.
        let e = def
            .update(
                command::ADD_LAST,
                4,
                -1,
                "<host mac='52:54:00:00:00:08' name='-x' ip='10.9.0.8'/>",
            )
            .unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (27, "Cannot use host name '-x' in network 'n'")
        );
        let e = def
            .update(command::ADD_LAST, 4, -1, "<host id='0:1:zz' name='v6'/>")
            .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid character 'z' in id '0:1:zz' of network 'n'"
        );
    }
}

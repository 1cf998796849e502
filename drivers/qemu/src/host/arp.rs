//! The host's IPv4 neighbour (ARP) table, as `/proc/net/arp` shows it for the network
//! namespace the daemon runs in: what `virDomainInterfaceAddresses` answers from with
//! `VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP`.

use std::io;

/// One resolved entry: an IPv4 address and the MAC it resolved to (lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpEntry {
    /// The IPv4 address.
    pub ip: String,
    /// Its hardware address, `aa:bb:cc:dd:ee:ff`.
    pub mac: String,
}

/// The entries of `/proc/net/arp` that resolved to a hardware address.
pub fn arp_table() -> io::Result<Vec<ArpEntry>> {
    Ok(parse(&std::fs::read_to_string("/proc/net/arp")?))
}

/// `ATF_COM`: the entry is complete (its hardware address is known).
const COMPLETE: u32 = 0x2;

/// Parses the text of `/proc/net/arp` (a header line, then `IP HWtype Flags HWaddr Mask
/// Device` per entry); incomplete entries and malformed lines are left out.
fn parse(text: &str) -> Vec<ArpEntry> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [ip, _hw_type, flags, mac, ..] = f.as_slice() else {
                return None;
            };
            let flags = u32::from_str_radix(flags.trim_start_matches("0x"), 16).ok()?;
            (flags & COMPLETE != 0 && ip.parse::<std::net::Ipv4Addr>().is_ok()).then(|| ArpEntry {
                ip: (*ip).to_string(),
                mac: mac.to_ascii_lowercase(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_entries_only() {
        let text = "IP address       HW type     Flags       HW address            Mask     Device\n\
                    192.168.122.5    0x1         0x2         52:54:00:AB:cd:01     *        virbr0\n\
                    192.168.122.9    0x1         0x0         00:00:00:00:00:00     *        virbr0\n\
                    10.0.0.1         0x1         0x6         52:54:00:ab:cd:02     *        eth0\n\
                    garbage\n";
        assert_eq!(
            parse(text),
            [
                ArpEntry {
                    ip: "192.168.122.5".into(),
                    mac: "52:54:00:ab:cd:01".into()
                },
                ArpEntry {
                    ip: "10.0.0.1".into(),
                    mac: "52:54:00:ab:cd:02".into()
                },
            ]
        );
    }
}

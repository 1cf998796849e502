//! dnsmasq (Debian's `dnsmasq-base`) serving a network's DHCP and DNS: its
//! configuration written from the network definition, its leases in a lease file this
//! driver reads for `virNetworkGetDHCPLeases`. One dnsmasq per network, bound to the
//! bridge only.
//!
//! Files live in `RUN/dnsmasq/`: `NAME.conf`, `NAME.pid`, `NAME.leases`, and, as
//! libvirt writes them, the static DHCP hosts in `NAME.hostsfile` and the DNS hosts in
//! `NAME.addnhosts`: dnsmasq reads those again on SIGHUP, so a live `virNetworkUpdate`
//! of hosts rewrites them and signals it instead of restarting it. dnsmasq reads them
//! after dropping to its unprivileged user, so they are used only when that user can
//! reach the directory; otherwise the hosts go into the configuration (read while
//! still root) and a host update restarts dnsmasq.

use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rvirt_core::driver::DhcpLease;
use rvirt_core::objconf::{Ip, NetworkDef};
use rvirt_core::{Error, ErrorDomain, Result};

use crate::cmd::run;

/// The dnsmasq binary: `$RVIRT_DNSMASQ` or `dnsmasq`.
fn binary() -> String {
    std::env::var("RVIRT_DNSMASQ").unwrap_or_else(|_| "dnsmasq".into())
}

/// Where one network's dnsmasq files are.
#[derive(Clone, Debug)]
pub(crate) struct Files {
    dir: PathBuf,
    name: String,
}

/// Writes `path` atomically (a temp file with `mode`, synced, renamed over it).
fn write(path: &Path, text: &str, mode: u32) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&tmp)
        .and_then(|mut f| {
            f.set_permissions(std::fs::Permissions::from_mode(mode))?;
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::internal(
                ErrorDomain::Network,
                format!("cannot write '{}': {e}", path.display()),
            )
        })
}

/// True when every directory above and including `dir` lets others through (o+x):
/// dnsmasq's unprivileged user can then open the files in it.
fn reachable_by_others(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    dir.ancestors()
        .filter(|d| !d.as_os_str().is_empty())
        .all(|d| std::fs::metadata(d).is_ok_and(|m| m.mode() & 0o001 != 0))
}

/// How a live change reaches a running dnsmasq.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reload {
    /// Nothing to do.
    None,
    /// Rewrite the hosts files and send SIGHUP.
    Refresh,
    /// Stop and start it again (its configuration changed).
    Restart,
}

impl Files {
    /// The files of network `name` in `dir` (created 0755 when missing).
    pub(crate) fn new(dir: &Path, name: &str) -> Result<Files> {
        std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)))
            .map_err(|e| {
                Error::internal(
                    ErrorDomain::Network,
                    format!("cannot create '{}': {e}", dir.display()),
                )
            })?;
        Ok(Files {
            dir: dir.to_path_buf(),
            name: name.to_string(),
        })
    }

    fn file(&self, ext: &str) -> PathBuf {
        self.dir.join(format!("{}.{ext}", self.name))
    }

    /// The lease file.
    pub(crate) fn leases(&self) -> PathBuf {
        self.file("leases")
    }

    /// The pid of the running dnsmasq of this network, if there is one (its command
    /// line must name this network's configuration: a reused pid is not ours).
    pub(crate) fn pid(&self) -> Option<i32> {
        let pid: i32 = std::fs::read_to_string(self.file("pid"))
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let conf = self.file("conf").display().to_string();
        String::from_utf8_lossy(&cmdline)
            .contains(&conf)
            .then_some(pid)
    }

    /// The hosts file (`dhcp-hostsfile`).
    pub(crate) fn hostsfile(&self) -> PathBuf {
        self.file("hostsfile")
    }

    /// The DNS hosts file (`addn-hosts`).
    pub(crate) fn addnhosts(&self) -> PathBuf {
        self.file("addnhosts")
    }

    /// Whether dnsmasq reads the hosts from separate files it re-reads on SIGHUP.
    fn separate_hosts(&self) -> bool {
        reachable_by_others(&self.dir)
    }

    /// Whether the configuration the running dnsmasq was started with names the hosts
    /// files.
    fn running_uses_hosts_files(&self) -> bool {
        std::fs::read_to_string(self.file("conf")).is_ok_and(|c| {
            c.lines()
                .any(|l| l.starts_with("dhcp-hostsfile=") || l.starts_with("addn-hosts="))
        })
    }

    /// Writes the hosts files of `def` (when dnsmasq uses them).
    fn write_hosts(&self, def: &NetworkDef) -> Result<()> {
        if !self.separate_hosts() {
            return Ok(());
        }
        write(&self.hostsfile(), &dhcp_hosts(def), 0o644)?;
        write(&self.addnhosts(), &dns_hosts(def), 0o644)
    }

    /// The static hosts of `def` as configuration lines (`dhcp-host=`, `host-record=`),
    /// when dnsmasq cannot read separate files after dropping its privileges.
    fn host_lines(def: &NetworkDef) -> String {
        let mut c = String::new();
        for line in dhcp_hosts(def).lines() {
            c.push_str(&format!("dhcp-host={line}\n"));
        }
        for h in &def.dns.hosts {
            if !h.hostnames.is_empty() {
                c.push_str(&format!("host-record={},{}\n", h.hostnames.join(","), h.ip));
            }
        }
        c
    }

    /// The configuration for `def` on `bridge`.
    fn config(&self, def: &NetworkDef, bridge: &str) -> String {
        let mut c = format!(
            "##WARNING: this file is generated by rvirt's network driver\nstrict-order\npid-file={}\nexcept-interface=lo\nbind-dynamic\ninterface={bridge}\n",
            self.file("pid").display()
        );
        if def.dns.enable.as_deref() == Some("no") {
            c.push_str("port=0\n");
        }
        if let Some(d) = &def.domain
            && let Some(name) = d.get("name")
        {
            if d.get("localOnly") == Some("yes") {
                c.push_str(&format!("local=/{name}/\n"));
            }
            c.push_str(&format!("domain={name}\nexpand-hosts\n"));
        }
        for f in &def.dns.forwarders {
            match (f.get("domain"), f.get("addr")) {
                (Some(d), Some(a)) => c.push_str(&format!("server=/{d}/{a}\n")),
                (None, Some(a)) => c.push_str(&format!("server={a}\n")),
                (Some(d), None) => c.push_str(&format!("server=/{d}/\n")),
                _ => {}
            }
        }
        let mut leases = 0u64;
        let mut dhcp = false;
        for ip in &def.ips {
            for r in &ip.ranges {
                dhcp = true;
                leases += range_size(r.start, r.end);
                match ip.address {
                    IpAddr::V4(_) => c.push_str(&format!(
                        "dhcp-range={},{},{}\n",
                        r.start,
                        r.end,
                        netmask(ip)
                    )),
                    IpAddr::V6(_) => c.push_str(&format!(
                        "dhcp-range={},{},{}\n",
                        r.start,
                        r.end,
                        ip.prefix_len()
                    )),
                }
            }
            if ip.ranges.is_empty() && !ip.hosts.is_empty() {
                dhcp = true;
                c.push_str(&format!("dhcp-range={},static\n", ip.address));
            }
            if ip.is_v6() && !ip.ranges.is_empty() {
                c.push_str("enable-ra\n");
            }
        }
        if dhcp {
            c.push_str(&format!(
                "dhcp-no-override\ndhcp-authoritative\ndhcp-lease-max={}\ndhcp-leasefile={}\n",
                leases.clamp(1, 1 << 20),
                self.leases().display()
            ));
        }
        if self.separate_hosts() {
            c.push_str(&format!(
                "dhcp-hostsfile={}\naddn-hosts={}\n",
                self.hostsfile().display(),
                self.addnhosts().display()
            ));
        } else {
            c.push_str(&Files::host_lines(def));
        }
        c
    }

    /// Brings a running dnsmasq to `def` on `bridge` the way `how` says; a refresh
    /// restarts it when its hosts are in its configuration.
    pub(crate) fn reload(&self, def: &NetworkDef, bridge: &str, how: Reload) -> Result<()> {
        match how {
            Reload::None => Ok(()),
            // (A dnsmasq started with its hosts in its configuration, by an older
            // daemon or before the directories were reachable, is restarted.)
            Reload::Refresh if self.separate_hosts() && self.running_uses_hosts_files() => {
                self.write_hosts(def)?;
                match self.pid() {
                    Some(pid) => {
                        // SAFETY: kill(2) of the dnsmasq this network started.
                        unsafe { libc::kill(pid, libc::SIGHUP) };
                        Ok(())
                    }
                    None => self.start(def, bridge),
                }
            }
            Reload::Refresh | Reload::Restart => {
                self.stop();
                self.start(def, bridge)
            }
        }
    }

    /// Starts dnsmasq for `def` on `bridge` (it forks; waits for its pid file).
    pub(crate) fn start(&self, def: &NetworkDef, bridge: &str) -> Result<()> {
        self.write_hosts(def)?;
        write(&self.file("conf"), &self.config(def, bridge), 0o644)?;
        let _ = std::fs::remove_file(self.file("pid"));
        let conf = format!("--conf-file={}", self.file("conf").display());
        run(&binary(), &[&conf], None)?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.pid().is_none() {
            if Instant::now() > deadline {
                return Err(Error::internal(
                    ErrorDomain::Network,
                    format!("dnsmasq for network '{}' did not start", def.name),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    /// Stops dnsmasq (SIGTERM, then SIGKILL after a grace) and removes its files but
    /// the leases.
    pub(crate) fn stop(&self) {
        if let Some(pid) = self.pid() {
            // SAFETY: plain kill(2) of the dnsmasq this network started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(3);
            while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
                if std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .is_ok_and(|s| s.split_whitespace().nth(2) == Some("Z"))
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if self.pid().is_some() {
                // SAFETY: as above; it did not leave on SIGTERM.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        for ext in ["conf", "pid", "hostsfile", "addnhosts"] {
            let _ = std::fs::remove_file(self.file(ext));
        }
    }

    /// The current leases, as libvirt reports them.
    pub(crate) fn read_leases(&self, def: &NetworkDef, bridge: &str) -> Vec<DhcpLease> {
        let text = std::fs::read_to_string(self.leases()).unwrap_or_default();
        parse_leases(&text, def, bridge)
    }
}

/// Refuses host names dnsmasq's files could not carry safely: a name is written into
/// a hosts file (or dnsmasq's configuration) as it stands, so only letters, digits,
/// `-`, `_` and `.` may be in it (a client's newline or comma would be a line or field
/// of its own).
pub(crate) fn check_hosts(def: &NetworkDef) -> Result<()> {
    let safe = |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let names = def
        .ips
        .iter()
        .flat_map(|ip| ip.hosts.iter().filter_map(|h| h.name.as_deref()))
        .chain(
            def.dns
                .hosts
                .iter()
                .flat_map(|h| h.hostnames.iter().map(String::as_str)),
        );
    for n in names {
        if !safe(n) {
            return Err(Error::new(
                rvirt_core::ErrorCode::ConfigUnsupported,
                ErrorDomain::Network,
                format!(
                    "host name '{}' in network '{}' contains characters dnsmasq cannot be given",
                    n.escape_debug(),
                    def.name
                ),
            ));
        }
    }
    Ok(())
}

/// dnsmasq's hosts file lines for the static DHCP hosts of `def`
/// (`MAC,IP,NAME`; `id:DUID,[IPv6],NAME`).
pub(crate) fn dhcp_hosts(def: &NetworkDef) -> String {
    let mut c = String::new();
    for ip in &def.ips {
        for h in &ip.hosts {
            let mut fields: Vec<String> = Vec::new();
            if let Some(m) = &h.mac {
                fields.push(m.clone());
            }
            if let Some(id) = &h.id {
                fields.push(format!("id:{id}"));
            }
            if let Some(a) = h.ip {
                fields.push(if a.is_ipv6() {
                    format!("[{a}]")
                } else {
                    a.to_string()
                });
            }
            if let Some(n) = &h.name {
                fields.push(n.clone());
            }
            c.push_str(&fields.join(","));
            c.push('\n');
        }
    }
    c
}

/// The DNS hosts of `def` in hosts-file form (`IP\tNAME…`).
pub(crate) fn dns_hosts(def: &NetworkDef) -> String {
    let mut c = String::new();
    for h in def.dns.hosts.iter().filter(|h| !h.hostnames.is_empty()) {
        c.push_str(&format!("{}\t{}\n", h.ip, h.hostnames.join("\t")));
    }
    c
}

fn netmask(ip: &Ip) -> String {
    let p = u32::from(ip.prefix_len()).min(32);
    let m = if p == 0 { 0 } else { u32::MAX << (32 - p) };
    std::net::Ipv4Addr::from(m).to_string()
}

fn range_size(a: IpAddr, b: IpAddr) -> u64 {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => u64::from(u32::from(b).saturating_sub(u32::from(a))) + 1,
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            u64::try_from(u128::from(b).saturating_sub(u128::from(a))).unwrap_or(u64::MAX / 2) + 1
        }
        _ => 0,
    }
}

/// Parses a dnsmasq lease file: IPv4 lines `EXPIRY MAC IP NAME CLIENTID`, then after
/// a `duid` line IPv6 lines `EXPIRY IAID IP NAME DUID`.
pub(crate) fn parse_leases(text: &str, def: &NetworkDef, bridge: &str) -> Vec<DhcpLease> {
    let opt = |s: &str| (s != "*").then(|| s.to_string());
    let prefix = |addr: &IpAddr| {
        def.ips
            .iter()
            .find(|ip| ip.contains(*addr))
            .map_or(0, |ip| u32::from(ip.prefix_len()))
    };
    let mut out = Vec::new();
    let mut v6 = false;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.first() == Some(&"duid") {
            v6 = true;
            continue;
        }
        if f.len() < 5 {
            continue;
        }
        let Ok(addr) = f[2].parse::<IpAddr>() else {
            continue;
        };
        let expiry = f[0].parse().unwrap_or(0);
        out.push(if v6 {
            DhcpLease {
                iface: bridge.to_string(),
                expiry_time: expiry,
                ip_type: 1,
                mac: None,
                iaid: Some(f[1].to_string()),
                ip: addr.to_string(),
                prefix: prefix(&addr),
                hostname: opt(f[3]),
                client_id: opt(f[4]),
            }
        } else {
            DhcpLease {
                iface: bridge.to_string(),
                expiry_time: expiry,
                ip_type: 0,
                mac: Some(f[1].to_string()),
                iaid: None,
                ip: addr.to_string(),
                prefix: prefix(&addr),
                hostname: opt(f[3]),
                client_id: opt(f[4]),
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: &str = "<network><name>n</name><forward mode='nat'/><bridge name='virbr9'/><domain name='example.org' localOnly='yes'/>\
        <ip address='10.9.0.1' prefix='24'><dhcp><range start='10.9.0.10' end='10.9.0.19'/>\
        <host mac='52:54:00:00:00:01' name='h' ip='10.9.0.5'/></dhcp></ip></network>";

    #[test]
    fn configuration_and_leases() {
        let def = NetworkDef::from_xml(NET).unwrap();
        let f = Files {
            dir: PathBuf::from("/run/x"),
            name: "n".into(),
        };
        let c = f.config(&def, "virbr9");
        for want in [
            "interface=virbr9\n",
            "dhcp-range=10.9.0.10,10.9.0.19,255.255.255.0\n",
            "dhcp-lease-max=10\n",
            "dhcp-host=52:54:00:00:00:01,10.9.0.5,h\n",
            "local=/example.org/\ndomain=example.org\n",
            "pid-file=/run/x/n.pid\n",
        ] {
            assert!(c.contains(want), "{want}\n{c}");
        }
        let leases = parse_leases(
            "1700000000 52:54:00:aa:bb:cc 10.9.0.12 guest 01:52:54:00:aa:bb:cc\n1700000001 52:54:00:aa:bb:cd 10.9.0.13 * *\nduid 00:01\n",
            &def,
            "virbr9",
        );
        assert_eq!(leases.len(), 2);
        assert_eq!(leases[0].hostname.as_deref(), Some("guest"));
        assert_eq!((leases[0].prefix, leases[0].ip_type), (24, 0));
        assert_eq!(leases[1].hostname, None);
    }

    #[test]
    fn host_names_that_would_break_dnsmasq_files_are_refused() {
        let mut def = NetworkDef::from_xml(NET).unwrap();
        assert!(check_hosts(&def).is_ok());
        def.update(
            3,
            10,
            -1,
            "<host ip='10.9.0.61'><hostname>a&#10;dhcp-script=/bin/sh</hostname></host>",
        )
        .unwrap();
        let e = check_hosts(&def).unwrap_err();
        assert_eq!(e.code(), rvirt_core::ErrorCode::ConfigUnsupported);
        let mut def = NetworkDef::from_xml(NET).unwrap();
        def.update(
            3,
            4,
            -1,
            "<host mac='52:54:00:00:00:02' name='b,x' ip='10.9.0.6'/>",
        )
        .unwrap();
        assert!(check_hosts(&def).is_err());
    }

    #[test]
    fn hosts_files_as_dnsmasq_reads_them() {
        let mut def = NetworkDef::from_xml(NET).unwrap();
        def.update(
            3,
            10,
            -1,
            "<host ip='10.9.0.60'><hostname>web</hostname><hostname>www</hostname></host>",
        )
        .unwrap();
        assert_eq!(dhcp_hosts(&def), "52:54:00:00:00:01,10.9.0.5,h\n");
        assert_eq!(dns_hosts(&def), "10.9.0.60\tweb\twww\n");
        // Where dnsmasq's user cannot reach the directory, the hosts are configuration.
        let f = Files {
            dir: PathBuf::from("/nonexistent/rvirt"),
            name: "n".into(),
        };
        let c = f.config(&def, "virbr9");
        assert!(c.contains("host-record=web,www,10.9.0.60\n"), "{c}");
        assert!(!c.contains("dhcp-hostsfile"), "{c}");
    }
}

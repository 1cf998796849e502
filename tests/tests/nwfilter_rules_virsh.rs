//! Network filters applied, through rvirtd and Debian's virsh, inside a network
//! namespace of the test thread's own: filters defined with `virsh nwfilter-define`
//! (a `clean-traffic`-style root filter referencing `no-mac-spoofing`,
//! `no-ip-spoofing` and `allow-arp`, with `$MAC` and `$IP`), bound with
//! `nwfilter-binding-create` to the host end of a veth pair on a bridge whose other
//! end lives in a second namespace: `ping` from there works with the right addresses
//! and fails with a spoofed source IP or MAC; `nft list ruleset` shows the device's
//! table; redefining a filter re-instantiates the binding; deleting the binding
//! removes the table. A binding of an unsupported protocol is refused with
//! `VIR_ERR_CONFIG_UNSUPPORTED`. libvirt's own shipped filters (Debian's
//! libvirt-daemon-config-nwfilter, all 24 defined through virsh) bound as
//! `clean-traffic`: the same pings pass and fail. A real QEMU guest (TCG) whose NIC has a
//! `<filterref>` gets a binding on its tap while it runs, gone after destroy.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rvirt_testkit::{
    HALT, NetworkDaemon, TempDir, boot_disk, domain_xml, enter_netns, have_qemu, have_virsh, ip,
    libvirt_nwfilters, text, virsh, virsh_ok,
};

/// A process sleeping in a network namespace of its own (the guest's side).
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Peer {
    fn start() -> Peer {
        let p = Peer(
            Command::new("unshare")
                .args(["-n", "sleep", "120"])
                .stdin(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let pid = p.0.id();
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read_link(format!("/proc/{pid}/exe"))
            .is_ok_and(|p| !p.to_string_lossy().contains("sleep"))
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        p
    }

    fn pid(&self) -> String {
        self.0.id().to_string()
    }

    /// `ip ARGS` in the peer's namespace.
    fn ip(&self, args: &[&str]) {
        let o = Command::new("nsenter")
            .args(["-t", &self.pid(), "-n", "ip"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "ip {args:?}: {}", text(&o).1);
    }

    /// True if the peer's ping of `addr` is answered.
    fn ping(&self, addr: &str) -> bool {
        Command::new("nsenter")
            .args([
                "-t",
                &self.pid(),
                "-n",
                "busybox",
                "ping",
                "-c",
                "1",
                "-W",
                "2",
                addr,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

fn ruleset() -> String {
    let o = Command::new("nft")
        .args(["list", "ruleset"])
        .output()
        .unwrap();
    text(&o).0
}

fn define(uri: &str, dir: &std::path::Path, name: &str, xml: &str) {
    let f = dir.join(format!("{name}.xml"));
    std::fs::write(&f, xml).unwrap();
    virsh_ok(uri, &["nwfilter-define", f.to_str().unwrap()]);
}

const NO_MAC: &str = "<filter name='rv-no-mac-spoofing' chain='mac' priority='-800'>\
    <rule action='return' direction='out' priority='500'><mac srcmacaddr='$MAC'/></rule>\
    <rule action='drop' direction='out' priority='500'><mac/></rule></filter>";

fn no_ip(extra: &str) -> String {
    format!(
        "<filter name='rv-no-ip-spoofing' chain='ipv4-ip' priority='-710'>\
         <uuid>6a1c1e52-8d3b-4b51-9a57-2f0d9b1e7c11</uuid>\
         <rule action='return' direction='out' priority='100'><ip srcipaddr='0.0.0.0' protocol='udp'/></rule>\
         <rule action='return' direction='out' priority='500'><ip srcipaddr='$IP'/></rule>{extra}\
         <rule action='drop' direction='out' priority='1000'/></filter>"
    )
}

const ALLOW_ARP: &str = "<filter name='rv-allow-arp' chain='arp' priority='-500'>\
    <rule action='accept' direction='inout' priority='500'/></filter>";

const CLEAN: &str = "<filter name='rv-clean-traffic' chain='root'>\
    <filterref filter='rv-no-mac-spoofing'/><filterref filter='rv-no-ip-spoofing'/>\
    <filterref filter='rv-allow-arp'/></filter>";

fn binding_xml(dev: &str, mac: &str, filter: &str, ip: &str) -> String {
    format!(
        "<filterbinding><owner><name>peer</name><uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>\
         <portdev name='{dev}'/><mac address='{mac}'/><filterref filter='{filter}'>\
         <parameter name='IP' value='{ip}'/></filterref></filterbinding>"
    )
}

fn setup(uri: &str, dir: &std::path::Path) {
    define(uri, dir, "nomac", NO_MAC);
    define(uri, dir, "noip", &no_ip(""));
    define(uri, dir, "arp", ALLOW_ARP);
    define(uri, dir, "clean", CLEAN);
}

#[test]
fn spoofed_traffic_is_dropped_on_a_bound_port() {
    if !have_virsh() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("nwfr");
    let net = NetworkDaemon::start(&tmp, "nwfr-d");
    let uri = net.d.qemu_uri();
    setup(&uri, &tmp.0);

    ip(&["link", "add", "rvfbr", "type", "bridge"]);
    ip(&["addr", "add", "10.78.0.1/24", "dev", "rvfbr"]);
    ip(&["link", "set", "rvfbr", "up"]);
    let peer = Peer::start();
    ip(&[
        "link", "add", "vfh0", "type", "veth", "peer", "name", "vfc0",
    ]);
    ip(&["link", "set", "vfc0", "address", "52:54:00:78:00:02"]);
    ip(&["link", "set", "vfc0", "netns", &peer.pid()]);
    ip(&["link", "set", "vfh0", "master", "rvfbr", "up"]);
    peer.ip(&["addr", "add", "10.78.0.2/24", "dev", "vfc0"]);
    peer.ip(&["link", "set", "vfc0", "up"]);
    peer.ip(&["link", "set", "lo", "up"]);
    assert!(peer.ping("10.78.0.1"), "no ping before any filter");

    let f = tmp.0.join("binding.xml");
    std::fs::write(
        &f,
        binding_xml("vfh0", "52:54:00:78:00:02", "rv-clean-traffic", "10.78.0.2"),
    )
    .unwrap();
    virsh_ok(&uri, &["nwfilter-binding-create", f.to_str().unwrap()]);
    let list = virsh_ok(&uri, &["nwfilter-binding-list"]);
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["vfh0", "rv-clean-traffic"]),
        "{list}"
    );
    let rules = ruleset();
    assert!(rules.contains("table bridge rvirt_nwf_vfh0"), "{rules}");
    assert!(rules.contains("iifname != \"vfh0\" return"), "{rules}");
    assert!(
        rules.contains("ether saddr 52:54:00:78:00:02 return"),
        "{rules}"
    );
    assert!(rules.contains("ip saddr 10.78.0.2 return"), "{rules}");

    // The right addresses pass.
    assert!(
        peer.ping("10.78.0.1"),
        "ping with the bound addresses failed\n{rules}"
    );
    // A spoofed source IP is dropped.
    peer.ip(&["addr", "flush", "dev", "vfc0"]);
    peer.ip(&["addr", "add", "10.78.0.3/24", "dev", "vfc0"]);
    assert!(!peer.ping("10.78.0.1"), "spoofed IP passed");
    // So is a spoofed MAC, with the right IP.
    peer.ip(&["addr", "flush", "dev", "vfc0"]);
    peer.ip(&["addr", "add", "10.78.0.2/24", "dev", "vfc0"]);
    peer.ip(&["link", "set", "vfc0", "address", "52:54:00:78:00:99"]);
    ip(&["neigh", "flush", "dev", "rvfbr"]);
    assert!(!peer.ping("10.78.0.1"), "spoofed MAC passed");
    peer.ip(&["link", "set", "vfc0", "address", "52:54:00:78:00:02"]);
    ip(&["neigh", "flush", "dev", "rvfbr"]);
    assert!(peer.ping("10.78.0.1"));

    // Redefining a referenced filter re-instantiates the binding: 10.78.0.3 allowed.
    define(
        &uri,
        &tmp.0,
        "noip",
        &no_ip(
            "<rule action='return' direction='out' priority='500'><ip srcipaddr='10.78.0.3'/></rule>",
        ),
    );
    assert!(ruleset().contains("ip saddr 10.78.0.3 return"));
    peer.ip(&["addr", "flush", "dev", "vfc0"]);
    peer.ip(&["addr", "add", "10.78.0.3/24", "dev", "vfc0"]);
    ip(&["neigh", "flush", "dev", "rvfbr"]);
    assert!(peer.ping("10.78.0.1"), "redefined filter not applied");
    define(&uri, &tmp.0, "noip", &no_ip(""));
    assert!(
        !peer.ping("10.78.0.1"),
        "spoofed IP passed after redefinition"
    );

    // A filter in use stays, referenced ones too.
    for f in ["rv-clean-traffic", "rv-allow-arp"] {
        let o = virsh(&uri, &["nwfilter-undefine", f]);
        assert!(!o.status.success());
        assert!(text(&o).1.contains("nwfilter is in use"), "{}", text(&o).1);
    }
    // Deleting the binding removes the table: anything passes again.
    virsh_ok(&uri, &["nwfilter-binding-delete", "vfh0"]);
    assert!(!ruleset().contains("rvirt_nwf_vfh0"));
    assert!(
        peer.ping("10.78.0.1"),
        "traffic blocked after the binding went"
    );

    // An unsupported protocol: refused at binding creation, nothing applied.
    define(
        &uri,
        &tmp.0,
        "stp",
        "<filter name='rv-stp' chain='root'><rule action='drop' direction='out'><stp/></rule></filter>",
    );
    std::fs::write(
        &f,
        binding_xml("vfh0", "52:54:00:78:00:02", "rv-stp", "10.78.0.2"),
    )
    .unwrap();
    let o = virsh(&uri, &["nwfilter-binding-create", f.to_str().unwrap()]);
    let err = text(&o).1;
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("unsupported configuration: protocol 'stp' of filter 'rv-stp'"),
        "{err}"
    );
    assert!(!virsh_ok(&uri, &["nwfilter-binding-list"]).contains("vfh0"));
    assert!(!ruleset().contains("rvirt_nwf_vfh0"));

    for f in [
        "rv-stp",
        "rv-clean-traffic",
        "rv-no-mac-spoofing",
        "rv-no-ip-spoofing",
        "rv-allow-arp",
    ] {
        virsh_ok(&uri, &["nwfilter-undefine", f]);
    }
    ip(&["link", "delete", "vfh0"]);
    ip(&["link", "delete", "rvfbr"]);
}

#[test]
fn a_guest_nic_with_a_filterref_is_bound_while_it_runs() {
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("nwfq");
    let mut net = NetworkDaemon::start(&tmp, "nwfq-d");
    let uri = net.d.qemu_uri();
    setup(&uri, &tmp.0);
    ip(&["link", "add", "rvfbr2", "type", "bridge"]);
    ip(&["link", "set", "rvfbr2", "up"]);
    let nic = "<interface type='bridge'><mac address='52:54:00:79:00:05'/>\
        <source bridge='rvfbr2'/><filterref filter='rv-clean-traffic'>\
        <parameter name='IP' value='10.79.0.5'/></filterref><model type='virtio'/></interface>\
        <memballoon model='none'/>";
    let disk = boot_disk(&tmp.0.join("g.img"), HALT);
    let xml = domain_xml("nwfguest", &disk).replace("<memballoon model='none'/>", nic);
    let path = tmp.0.join("g.xml");
    std::fs::write(&path, &xml).unwrap();
    virsh_ok(&uri, &["define", path.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "nwfguest"]);
    let live = virsh_ok(&uri, &["dumpxml", "nwfguest"]);
    let tap = live
        .split("<target dev='")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .find(|d| d.starts_with("vnet"))
        .unwrap_or_else(|| panic!("no tap in {live}"))
        .to_string();
    let list = virsh_ok(&uri, &["nwfilter-binding-list"]);
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == [tap.as_str(), "rv-clean-traffic"]),
        "{list}"
    );
    let b = virsh_ok(&uri, &["nwfilter-binding-dumpxml", &tap]);
    assert!(
        b.contains("<name>nwfguest</name>")
            && b.contains("<mac address='52:54:00:79:00:05'/>")
            && b.contains("<parameter name='IP' value='10.79.0.5'/>"),
        "{b}"
    );
    let rules = ruleset();
    assert!(
        rules.contains(&format!("table bridge rvirt_nwf_{tap}")),
        "{rules}"
    );
    assert!(
        rules.contains("ether saddr 52:54:00:79:00:05 return"),
        "{rules}"
    );
    assert!(rules.contains("ip saddr 10.79.0.5 return"), "{rules}");

    virsh_ok(&uri, &["destroy", "nwfguest"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while virsh_ok(&uri, &["nwfilter-binding-list"]).contains(&tap) {
        assert!(Instant::now() < deadline, "binding left after destroy");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!ruleset().contains(&format!("rvirt_nwf_{tap}")));

    // A guest that dies while no daemon watches it: the restarted daemon deletes
    // the binding it owned (its tap is gone; the name may be reused).
    virsh_ok(&uri, &["start", "nwfguest"]);
    assert!(virsh_ok(&uri, &["nwfilter-binding-list"]).contains(&tap));
    let _ = net.d.child.kill();
    let _ = net.d.child.wait();
    let pidfile = tmp.0.join("q/run/qemu/nwfguest.pid");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SAFETY: kill(2) of the QEMU this test's daemon started (its pid file).
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(Instant::now() < deadline, "QEMU {pid} did not die");
        std::thread::sleep(Duration::from_millis(50));
    }
    net.restart("nwfq-d2");
    let uri = net.d.qemu_uri();
    assert!(virsh_ok(&uri, &["domstate", "nwfguest"]).contains("shut off"));
    assert!(!virsh_ok(&uri, &["nwfilter-binding-list"]).contains(&tap));
    assert!(!ruleset().contains(&format!("rvirt_nwf_{tap}")));

    // A NIC whose filter cannot be instantiated: the start fails, nothing stays.
    define(
        &uri,
        &tmp.0,
        "stp",
        "<filter name='rv-stp' chain='root'><rule action='drop' direction='out'><stp/></rule></filter>",
    );
    let bad = xml
        .replace("nwfguest", "nwfbad")
        .replace("filter='rv-clean-traffic'", "filter='rv-stp'");
    std::fs::write(&path, bad).unwrap();
    virsh_ok(&uri, &["define", path.to_str().unwrap()]);
    let o = virsh(&uri, &["start", "nwfbad"]);
    let err = text(&o).1;
    assert!(
        !o.status.success() && err.contains("protocol 'stp'"),
        "{err}"
    );
    let links = text(&Command::new("ip").args(["-o", "link"]).output().unwrap()).0;
    assert!(!links.contains("vnet"), "{links}");
    assert!(virsh_ok(&uri, &["nwfilter-binding-list"]).lines().count() <= 3);
    assert!(!ruleset().contains("rvirt_nwf_"));

    // Filters go on taps only: libvirt 9.0 reads a <filterref> only on network, bridge
    // and ethernet NICs, so a user NIC's is dropped at define (as libvirt does).
    let user = xml.replace("nwfguest", "nwfuser").replace(
        "<interface type='bridge'><mac address='52:54:00:79:00:05'/>\
        <source bridge='rvfbr2'/>",
        "<interface type='user'><mac address='52:54:00:79:00:05'/>",
    );
    assert!(user.contains("type='user'"));
    std::fs::write(&path, user).unwrap();
    virsh_ok(&uri, &["define", path.to_str().unwrap()]);
    let stored = virsh_ok(&uri, &["dumpxml", "--inactive", "nwfuser"]);
    assert!(stored.contains("<interface type='user'>"), "{stored}");
    assert!(!stored.contains("filterref"), "{stored}");
    virsh_ok(&uri, &["undefine", "nwfuser"]);

    virsh_ok(&uri, &["undefine", "nwfguest"]);
    virsh_ok(&uri, &["undefine", "nwfbad"]);
    ip(&["link", "delete", "rvfbr2"]);
}

/// A peer namespace whose `peer_dev` (MAC `mac`, address `cidr`) is the other end of
/// `host_dev`, enslaved to `bridge`.
fn veth_peer(bridge: &str, host_dev: &str, peer_dev: &str, mac: &str, cidr: &str) -> Peer {
    let peer = Peer::start();
    ip(&[
        "link", "add", host_dev, "type", "veth", "peer", "name", peer_dev,
    ]);
    ip(&["link", "set", peer_dev, "address", mac]);
    ip(&["link", "set", peer_dev, "netns", &peer.pid()]);
    ip(&["link", "set", host_dev, "master", bridge, "up"]);
    peer.ip(&["addr", "add", cidr, "dev", peer_dev]);
    peer.ip(&["link", "set", peer_dev, "up"]);
    peer.ip(&["link", "set", "lo", "up"]);
    peer
}

#[test]
fn libvirts_shipped_clean_traffic_drops_spoofed_traffic() {
    let Some(files) = libvirt_nwfilters() else {
        return;
    };
    if !have_virsh() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("nwfc");
    let net = NetworkDaemon::start(&tmp, "nwfc-d");
    let uri = net.d.qemu_uri();
    for f in &files {
        virsh_ok(&uri, &["nwfilter-define", f.to_str().unwrap()]);
    }
    let list = virsh_ok(&uri, &["nwfilter-list"]);
    assert_eq!(
        list.lines().filter(|l| l.contains('-')).count() - 1,
        files.len(),
        "{list}"
    );
    ip(&["link", "add", "rvcbr", "type", "bridge"]);
    ip(&["addr", "add", "10.80.0.1/24", "dev", "rvcbr"]);
    ip(&["link", "set", "rvcbr", "up"]);
    let peer = veth_peer("rvcbr", "vch0", "vcc0", "52:54:00:80:00:02", "10.80.0.2/24");
    let f = tmp.0.join("binding.xml");
    std::fs::write(
        &f,
        binding_xml("vch0", "52:54:00:80:00:02", "clean-traffic", "10.80.0.2"),
    )
    .unwrap();
    virsh_ok(&uri, &["nwfilter-binding-create", f.to_str().unwrap()]);
    let rules = ruleset();
    assert!(rules.contains("table bridge rvirt_nwf_vch0"), "{rules}");
    assert!(rules.contains("arp saddr ip 10.80.0.2 return"), "{rules}");
    assert!(peer.ping("10.80.0.1"), "clean traffic dropped\n{rules}");
    peer.ip(&["addr", "flush", "dev", "vcc0"]);
    peer.ip(&["addr", "add", "10.80.0.3/24", "dev", "vcc0"]);
    ip(&["neigh", "flush", "dev", "rvcbr"]);
    assert!(!peer.ping("10.80.0.1"), "spoofed IP passed clean-traffic");
    peer.ip(&["addr", "flush", "dev", "vcc0"]);
    peer.ip(&["addr", "add", "10.80.0.2/24", "dev", "vcc0"]);
    peer.ip(&["link", "set", "vcc0", "address", "52:54:00:80:00:99"]);
    ip(&["neigh", "flush", "dev", "rvcbr"]);
    assert!(!peer.ping("10.80.0.1"), "spoofed MAC passed clean-traffic");
    // Without the binding, a spoofed IP passes.
    peer.ip(&["link", "set", "vcc0", "address", "52:54:00:80:00:02"]);
    peer.ip(&["addr", "flush", "dev", "vcc0"]);
    peer.ip(&["addr", "add", "10.80.0.3/24", "dev", "vcc0"]);
    virsh_ok(&uri, &["nwfilter-binding-delete", "vch0"]);
    assert!(!ruleset().contains("rvirt_nwf_vch0"));
    ip(&["neigh", "flush", "dev", "rvcbr"]);
    assert!(
        peer.ping("10.80.0.1"),
        "traffic blocked after the binding went"
    );
    ip(&["link", "delete", "vch0"]);
    ip(&["link", "delete", "rvcbr"]);
}

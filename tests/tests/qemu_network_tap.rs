//! Guests on virtual networks, through rvirtd inside a network namespace of the test
//! thread's own (`unshare(CLONE_NEWNET)`; rvirtd, dnsmasq, QEMU and `ip` inherit it,
//! the host's interfaces are never seen): rvirtd autostarts libvirt's `default` NAT
//! network, Debian's virsh starts a real QEMU guest (TCG) with an
//! `<interface type='network'>` and an `<interface type='bridge'>`; each gets a `vnetN`
//! tap enslaved to its bridge and up, named in the live XML (not the inactive one), and
//! gone after `virsh destroy`. A NIC on an unknown network fails the start.

use std::process::Command;
use std::time::{Duration, Instant};

use rvirt_testkit::{
    HALT, NetworkDaemon, TempDir, boot_disk, domain_xml, enter_netns, have_qemu, have_virsh, ip,
    linux_guest, virsh, virsh_err, virsh_ok,
};

/// `ip -o link show dev DEV` (not `/sys/class/net`, which shows the namespace sysfs
/// was mounted in); `None` when there is no such device.
fn link(dev: &str) -> Option<String> {
    let o = Command::new("ip")
        .args(["-o", "link", "show", "dev", dev])
        .output()
        .unwrap();
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The word after `key` in `ip -o link` output.
fn field(line: &str, key: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    words.find(|w| *w == key)?;
    words.next().map(str::to_owned)
}

/// The words of the `virsh domifaddr DOM --source SOURCE` row of `mac`.
fn domifaddr_row(uri: &str, dom: &str, source: &str, mac: &str) -> Vec<String> {
    let out = virsh_ok(uri, &["domifaddr", dom, "--source", source]);
    out.lines()
        .find(|l| l.contains(mac))
        .unwrap_or_else(|| panic!("no {mac} in {out}"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The `dev` of every `<target dev='…'/>` in `xml`.
fn target_devs(xml: &str) -> Vec<String> {
    xml.split("<target dev='")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .filter(|d| d.starts_with("vnet"))
        .map(str::to_owned)
        .collect()
}

const NICS: &str = "<interface type='network'><mac address='52:54:00:0a:0b:01'/>\
    <source network='default'/><model type='virtio'/></interface>\
    <interface type='bridge'><mac address='52:54:00:0a:0b:02'/>\
    <source bridge='rvbr9'/><model type='e1000'/></interface>\
    <memballoon model='none'/>";

/// True if Debian's virt-install runs here; in CI its absence is an error.
fn have_virt_install() -> bool {
    let have = Command::new("virt-install")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but virt-install (virtinst) is missing"
        );
        eprintln!("skipped: virt-install missing");
    }
    have
}

#[test]
fn guest_nics_on_a_nat_network_and_a_bridge() {
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("vnet");
    let net = NetworkDaemon::start(&tmp, "vnet-d");
    let d = &net.d;
    let uri = d.qemu_uri();
    let out = virsh_ok(&uri, &["net-list", "--all"]);
    assert!(out.contains("default") && out.contains("active"), "{out}");
    ip(&["link", "add", "rvbr9", "type", "bridge"]);
    ip(&["link", "set", "rvbr9", "up"]);

    let disk = boot_disk(&tmp.0.join("g.img"), HALT);
    let xml = domain_xml("vnetguest", &disk).replace("<memballoon model='none'/>", NICS);
    let xml_path = tmp.0.join("g.xml");
    std::fs::write(&xml_path, &xml).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    let out = virsh_ok(&uri, &["start", "vnetguest"]);
    assert!(out.contains("started"), "{out}");

    let live = virsh_ok(&uri, &["dumpxml", "vnetguest"]);
    let taps = target_devs(&live);
    assert_eq!(taps.len(), 2, "{live}");
    assert!(live.contains("bridge='virbr0'"), "{live}");
    let expected = [
        ("virbr0", "fe:54:00:0a:0b:01"),
        ("rvbr9", "fe:54:00:0a:0b:02"),
    ];
    for (tap, (bridge, mac)) in taps.iter().zip(expected) {
        let line = link(tap).unwrap_or_else(|| panic!("no {tap}"));
        assert_eq!(field(&line, "master").as_deref(), Some(bridge), "{line}");
        assert_eq!(field(&line, "link/ether").as_deref(), Some(mac), "{line}");
        let flags = line.split(['<', '>']).nth(1).unwrap_or_default();
        assert!(flags.split(',').any(|f| f == "UP"), "{line}");
    }
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vnetguest"]);
    assert!(target_devs(&inactive).is_empty(), "{inactive}");
    // This guest never asks for a lease: no host name to give, in libvirt's words.
    let err = virsh_err(&uri, &["domhostname", "vnetguest", "--source", "lease"]);
    assert!(
        err.contains("no hostname found: no hostname found for domain vnetguest"),
        "{err}"
    );

    virsh_ok(&uri, &["destroy", "vnetguest"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while taps.iter().any(|t| link(t).is_some()) {
        assert!(
            Instant::now() < deadline,
            "taps {taps:?} left after destroy"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A NIC on a network that does not exist: the start fails, no tap stays.
    let bad = xml
        .replace("vnetguest", "vnetbad")
        .replace("network='default'", "network='nosuch'");
    std::fs::write(&xml_path, bad).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    let o = virsh(&uri, &["start", "vnetbad"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("nosuch"), "{err}");
    let o = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = String::from_utf8_lossy(&o.stdout);
    assert!(!links.contains("vnet"), "{links}");

    virsh_ok(&uri, &["undefine", "vnetguest"]);
    virsh_ok(&uri, &["undefine", "vnetbad"]);
    virsh_ok(&uri, &["net-destroy", "default"]);
    ip(&["link", "delete", "rvbr9"]);
}

/// Debian's `virt-install --import` against rvirtd's QEMU driver, as a user runs it: the
/// guest virt-install writes for debian11 (q35, xhci, virtio disk and NIC on the
/// `default` NAT network, qemu-ga channel, rng, VNC) is defined, started and running,
/// its NIC a tap on the network's bridge.
#[test]
fn virt_install_imports_a_guest_on_the_default_network() {
    if !have_virt_install() {
        return;
    }
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    ip(&["link", "set", "lo", "up"]); // VNC listens on 127.0.0.1
    let tmp = TempDir::new("vinst");
    let net = NetworkDaemon::start(&tmp, "vinst-d");
    let d = &net.d;
    let uri = d.qemu_uri();
    let disk = boot_disk(&tmp.0.join("vi.img"), HALT);
    let mut cmd = Command::new("virt-install");
    cmd.args([
        "--connect",
        &uri,
        "--name",
        "vi1",
        "--memory",
        "256",
        "--vcpus",
        "1",
    ])
    .args(["--import", "--disk"])
    .arg(format!("path={},format=raw", disk.display()))
    // TCG: nested KVM is not to be relied on where tests run.
    .args(["--osinfo", "debian11", "--virt-type", "qemu"])
    .args([
        "--network",
        "network=default",
        "--graphics",
        "vnc",
        "--noautoconsole",
    ])
    .env("HOME", &tmp.0);
    let out = rvirt_testkit::run(cmd, 120);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "virt-install failed:\n{text}");
    assert!(text.contains("Domain creation completed"), "{text}");
    let state = virsh_ok(&uri, &["domstate", "vi1"]);
    assert_eq!(state.trim(), "running");
    let live = virsh_ok(&uri, &["dumpxml", "vi1"]);
    assert!(live.contains("<interface type='network'>"), "{live}");
    assert!(
        live.contains("machine='q35'") || live.contains("pc-q35"),
        "{live}"
    );
    let taps = target_devs(&live);
    assert_eq!(taps.len(), 1, "{live}");
    let line = link(&taps[0]).unwrap_or_else(|| panic!("no {}", taps[0]));
    assert_eq!(field(&line, "master").as_deref(), Some("virbr0"), "{line}");
    virsh_ok(&uri, &["destroy", "vi1"]);
    virsh_ok(&uri, &["undefine", "vi1"]);
    virsh_ok(&uri, &["net-destroy", "default"]);
}

/// Issue 19: Debian's `virt-install --import` against rvirtd boots the Linux guest
/// (testkit's `linux_guest`: Debian's kernel, a busybox initramfs) on the `default` NAT
/// network with a qcow2 volume virt-install creates in a `dir` pool; the guest's udhcpc
/// takes a lease from rvirt's dnsmasq, and Debian's `virsh net-dhcp-leases default` and
/// `virsh domifaddr --source lease` both show the guest's MAC with that address, as does
/// `--source arp` from the host's neighbour table; `virsh domhostname --source lease` gives
/// the host name the guest sent with its request.
#[test]
fn virt_install_linux_guest_gets_a_lease_on_the_default_network() {
    if !have_virt_install() {
        return;
    }
    if !have_virsh() || !have_qemu() {
        return;
    }
    let tmp = TempDir::new("vlease");
    let Some(guest) = linux_guest(&tmp) else {
        return;
    };
    if !enter_netns() {
        return;
    }
    ip(&["link", "set", "lo", "up"]);
    let pool = tmp.0.join("pool");
    let net = NetworkDaemon::start(&tmp, "vlease-d");
    let d = &net.d;
    let uri = d.qemu_uri();
    let pool_dir = pool.to_str().unwrap();
    virsh_ok(
        &uri,
        &["pool-define-as", "guests", "dir", "--target", pool_dir],
    );
    virsh_ok(&uri, &["pool-build", "guests"]);
    virsh_ok(&uri, &["pool-start", "guests"]);

    let started = Instant::now();
    let mut cmd = Command::new("virt-install");
    cmd.args(["--connect", &uri, "--name", "vlease", "--memory", "256"])
        .args(["--vcpus", "1", "--import"])
        .args(["--disk", "pool=guests,size=0.0625,format=qcow2,bus=virtio"])
        .arg("--boot")
        .arg(format!(
            "kernel={},initrd={},kernel_args={}",
            guest.kernel.display(),
            guest.initrd.display(),
            rvirt_testkit::linux_guest::CMDLINE
        ))
        .args(["--osinfo", "debian11", "--virt-type", "qemu"])
        .args(["--network", "network=default", "--graphics", "none"])
        .arg("--noautoconsole")
        .env("HOME", &tmp.0);
    let out = rvirt_testkit::run(cmd, 120);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "virt-install failed:\n{text}");
    assert!(text.contains("Domain creation completed"), "{text}");
    let vols = virsh_ok(&uri, &["vol-list", "guests"]);
    assert!(vols.contains("vlease.qcow2"), "{vols}");
    let live = virsh_ok(&uri, &["dumpxml", "vlease"]);
    assert!(live.contains("type='qcow2'"), "{live}");
    let mac = live
        .split("<mac address='")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap_or_else(|| panic!("no MAC in {live}"))
        .to_owned();
    let tap = target_devs(&live).pop().unwrap_or_else(|| panic!("{live}"));

    // The guest's udhcpc asks rvirt's dnsmasq (TCG boot: seconds).
    let deadline = Instant::now() + Duration::from_secs(90);
    let leases = loop {
        let out = virsh_ok(&uri, &["net-dhcp-leases", "default"]);
        if out.contains(&mac) {
            break out;
        }
        assert!(Instant::now() < deadline, "no lease for {mac}:\n{out}");
        std::thread::sleep(Duration::from_millis(500));
    };
    println!("lease after {:.1} s", started.elapsed().as_secs_f64());
    let row = leases
        .lines()
        .find(|l| l.contains(&mac))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>();
    // Expiry date and time, MAC, protocol, address/prefix, host name, client id.
    assert_eq!(row[2], mac, "{leases}");
    assert_eq!(row[3], "ipv4", "{leases}");
    let addr = row[4];
    assert!(
        addr.starts_with("192.168.122.") && addr.ends_with("/24"),
        "{leases}"
    );
    // The guest's udhcpc sends its host name, which the lease keeps.
    assert_eq!(row[5], "rvirt-guest", "{leases}");
    let host = virsh_ok(&uri, &["domhostname", "vlease", "--source", "lease"]);
    assert_eq!(host.trim(), "rvirt-guest");

    let row = domifaddr_row(&uri, "vlease", "lease", &mac);
    assert_eq!(row, [tap.as_str(), mac.as_str(), "ipv4", addr]);

    // The DHCP exchange went through the tap: the guest sent and received bytes, by
    // its device name and by its MAC, and in the statistics virt-manager polls.
    for iface in [tap.as_str(), mac.as_str()] {
        let out = virsh_ok(&uri, &["domifstat", "vlease", iface]);
        let counter = |name: &str| -> u64 {
            out.lines()
                .find_map(|l| l.split_whitespace().skip_while(|w| *w != name).nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in {out}"))
        };
        assert!(counter("rx_bytes") > 0 && counter("tx_bytes") > 0, "{out}");
    }
    let out = virsh_ok(&uri, &["domstats", "--interface", "vlease"]);
    assert!(out.contains("net.count=1"), "{out}");
    assert!(out.contains(&format!("net.0.name={tap}")), "{out}");
    let tx: u64 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("net.0.tx.bytes="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(tx > 0, "{out}");
    assert!(
        !virsh(&uri, &["domifstat", "vlease", "nosuch0"])
            .status
            .success()
    );

    // dnsmasq's unicast answers put the guest in rvirtd's neighbour table (its network
    // namespace's): `--source arp` finds the leased address there by the NIC's MAC, with
    // prefix 0 as libvirt reports it.
    let ip_only = addr.split('/').next().unwrap();
    let arp_addr = format!("{ip_only}/0");
    let row = domifaddr_row(&uri, "vlease", "arp", &mac);
    assert_eq!(row, [tap.as_str(), mac.as_str(), "ipv4", arp_addr.as_str()]);

    virsh_ok(&uri, &["destroy", "vlease"]);
    let err = virsh_err(&uri, &["domifaddr", "vlease", "--source", "arp"]);
    assert!(err.contains("domain is not running"), "{err}");
    virsh_ok(&uri, &["undefine", "vlease", "--remove-all-storage"]);
    virsh_ok(&uri, &["pool-destroy", "guests"]);
    virsh_ok(&uri, &["net-destroy", "default"]);
}

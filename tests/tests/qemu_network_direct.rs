//! `<interface type='direct'>` through rvirtd inside a network namespace of the test
//! thread's own (veths as the source devices; the host's interfaces are never seen):
//! Debian's virsh starts a real QEMU guest (TCG) whose NICs are macvtaps (`macvtapN`,
//! libvirt's names) on their source devices with the guest's MAC and the NIC's mode,
//! named in the live XML and in `virsh domiflist`, and gone after `virsh destroy`, after
//! QEMU crashed, and after QEMU died while no daemon watched it (the next daemon
//! removes them). A passthrough NIC lends the guest's MAC to its source device, which
//! gets its own back at stop. A NIC on a missing device fails the start with libvirt's
//! message and leaves no macvtap.

use std::process::Command;
use std::time::{Duration, Instant};

use rvirt_testkit::{
    HALT, NetworkDaemon, TempDir, boot_disk, domain_xml, enter_netns, have_qemu, have_virsh, ip,
    qemu_pids, virsh, virsh_ok,
};

/// `ip -o -d link show dev DEV`; `None` when there is no such device.
fn link(dev: &str) -> Option<String> {
    let o = Command::new("ip")
        .args(["-o", "-d", "link", "show", "dev", dev])
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

/// The `dev` of every `<target dev='macvtap…'/>` in `xml`.
fn macvtaps(xml: &str) -> Vec<String> {
    xml.split("<target dev='")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .filter(|d| d.starts_with("macvtap"))
        .map(str::to_owned)
        .collect()
}

/// Waits until none of `devs` exists.
fn wait_gone(devs: &[String], what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while devs.iter().any(|t| link(t).is_some()) {
        assert!(Instant::now() < deadline, "{devs:?} left after {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const NICS: &str = "<interface type='direct'><mac address='52:54:00:0c:0d:01'/>\
    <source dev='rvv0' mode='bridge'/><model type='virtio'/></interface>\
    <interface type='direct'><mac address='52:54:00:0c:0d:02'/>\
    <source dev='rvv0'/><model type='e1000'/></interface>\
    <interface type='direct'><mac address='52:54:00:0c:0d:03'/>\
    <source dev='rvp0' mode='passthrough'/><model type='virtio'/></interface>\
    <memballoon model='none'/>";

const OWN_MAC: &str = "02:00:00:0c:0d:99";

fn kill(pid: i32) {
    // SAFETY: kill(2) on a QEMU this test's daemon started under its private root.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

#[test]
fn direct_nics_are_macvtaps_on_their_source_devices() {
    if !have_virsh() || !have_qemu() || !enter_netns() {
        return;
    }
    let tmp = TempDir::new("direct");
    let mut net = NetworkDaemon::start(&tmp, "direct-d");
    let uri = net.d.qemu_uri();
    for (a, b) in [("rvv0", "rvv1"), ("rvp0", "rvp1")] {
        ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
        ip(&["link", "set", a, "up"]);
        ip(&["link", "set", b, "up"]);
    }
    ip(&["link", "set", "rvp0", "address", OWN_MAC]);

    let disk = boot_disk(&tmp.0.join("g.img"), HALT);
    let xml = domain_xml("dguest", &disk).replace("<memballoon model='none'/>", NICS);
    let xml_path = tmp.0.join("g.xml");
    std::fs::write(&xml_path, &xml).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    // No mode: libvirt's default, shown as such.
    let inactive = virsh_ok(&uri, &["dumpxml", "dguest"]);
    assert!(
        inactive.contains("<source dev='rvv0' mode='vepa'/>"),
        "{inactive}"
    );
    virsh_ok(&uri, &["start", "dguest"]);

    let live = virsh_ok(&uri, &["dumpxml", "dguest"]);
    let devs = macvtaps(&live);
    assert_eq!(devs, ["macvtap0", "macvtap1", "macvtap2"], "{live}");
    let expected = [
        ("rvv0", "bridge", "52:54:00:0c:0d:01"),
        ("rvv0", "vepa", "52:54:00:0c:0d:02"),
        ("rvp0", "passthru", "52:54:00:0c:0d:03"),
    ];
    for (dev, (src, mode, mac)) in devs.iter().zip(expected) {
        let line = link(dev).unwrap_or_else(|| panic!("no {dev}"));
        assert!(line.contains(&format!("{dev}@{src}:")), "{line}");
        assert!(line.contains(&format!(" macvtap mode {mode} ")), "{line}");
        assert_eq!(field(&line, "link/ether").as_deref(), Some(mac), "{line}");
        let flags = line.split(['<', '>']).nth(1).unwrap_or_default();
        assert!(flags.split(',').any(|f| f == "UP"), "{line}");
    }
    // The passthrough device lends the guest its MAC.
    let src = link("rvp0").unwrap();
    assert_eq!(
        field(&src, "link/ether").as_deref(),
        Some("52:54:00:0c:0d:03")
    );
    // QEMU holds the macvtaps' character devices.
    let pids = qemu_pids(&tmp.0.join("q"));
    assert_eq!(pids.len(), 1, "{pids:?}");
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", pids[0])).unwrap();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    assert!(cmdline.contains(r#""type":"tap""#), "{cmdline}");
    let fds: Vec<String> = std::fs::read_dir(format!("/proc/{}/fd", pids[0]))
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|p| p.display().to_string())
        .filter(|p| p.starts_with("/dev/tap"))
        .collect();
    assert_eq!(fds.len(), 3, "{fds:?}");

    // virsh domiflist, as libvirt's: the macvtap, type direct, the source device.
    let list = virsh_ok(&uri, &["domiflist", "dguest"]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .filter(|r: &Vec<&str>| !r.is_empty())
        .collect();
    assert_eq!(
        rows,
        [
            ["macvtap0", "direct", "rvv0", "virtio", "52:54:00:0c:0d:01"],
            ["macvtap1", "direct", "rvv0", "e1000", "52:54:00:0c:0d:02"],
            ["macvtap2", "direct", "rvp0", "virtio", "52:54:00:0c:0d:03"],
        ],
        "{list}"
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "dguest"]);
    assert!(macvtaps(&inactive).is_empty(), "{inactive}");

    virsh_ok(&uri, &["destroy", "dguest"]);
    wait_gone(&devs, "destroy");
    let src = link("rvp0").unwrap();
    assert_eq!(field(&src, "link/ether").as_deref(), Some(OWN_MAC), "{src}");

    // QEMU crashes: the daemon sees it go and removes the macvtaps.
    virsh_ok(&uri, &["start", "dguest"]);
    let devs = macvtaps(&virsh_ok(&uri, &["dumpxml", "dguest"]));
    assert_eq!(devs.len(), 3);
    for pid in qemu_pids(&tmp.0.join("q")) {
        kill(pid);
    }
    wait_gone(&devs, "QEMU was killed");
    let state = virsh_ok(&uri, &["domstate", "dguest"]);
    assert_eq!(state.trim(), "shut off", "{state}");

    // QEMU dies while no daemon runs: the next one removes what is left.
    virsh_ok(&uri, &["start", "dguest"]);
    let devs = macvtaps(&virsh_ok(&uri, &["dumpxml", "dguest"]));
    assert_eq!(devs.len(), 3);
    let _ = net.d.child.kill();
    let _ = net.d.child.wait();
    for pid in qemu_pids(&tmp.0.join("q")) {
        kill(pid);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !qemu_pids(&tmp.0.join("q")).is_empty() {
        assert!(Instant::now() < deadline, "QEMU still runs");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        devs.iter().all(|d| link(d).is_some()),
        "a macvtap outlives QEMU"
    );
    net.restart("direct-d2");
    let uri = net.d.qemu_uri();
    let state = virsh_ok(&uri, &["domstate", "dguest"]);
    assert_eq!(state.trim(), "shut off", "{state}");
    wait_gone(&devs, "the next daemon started");
    let src = link("rvp0").unwrap();
    assert_eq!(field(&src, "link/ether").as_deref(), Some(OWN_MAC), "{src}");

    // A NIC on a device that does not exist: libvirt's error, no macvtap stays.
    let bad = xml
        .replace("dguest", "dbad")
        .replace("dev='rvv0' mode='bridge'", "dev='nosuch0' mode='bridge'");
    std::fs::write(&xml_path, bad).unwrap();
    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    let o = virsh(&uri, &["start", "dbad"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && err.contains("error creating macvtap interface")
            && err.contains("@nosuch0 (52:54:00:0c:0d:01)"),
        "{err}"
    );
    let o = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = String::from_utf8_lossy(&o.stdout);
    assert!(!links.contains("macvtap"), "{links}");

    virsh_ok(&uri, &["undefine", "dguest"]);
    virsh_ok(&uri, &["undefine", "dbad"]);
}

//! The driver over a small fake sysfs and procfs: a PCI NIC, a bridge with a port and a
//! guest's tap, a VLAN, a bond with a slave, a tap device and `lo`, listed, looked up
//! and described as libvirt's udev backend does.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use rvirt_core::ErrorCode;
use rvirt_core::driver::{InterfaceDriver, InterfaceRef};
use rvirt_driver_interface::{HostInterfaces, InterfaceConn};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

struct Tree(PathBuf);

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An interface directory with `address`, `operstate`, `mtu` and optional `DEVTYPE`.
fn iface(root: &Path, dir: &str, mac: &str, state: &str, devtype: Option<&str>) -> PathBuf {
    let d = root.join("sys/devices").join(dir);
    let name = d.file_name().unwrap().to_str().unwrap().to_string();
    write(&d.join("address"), &format!("{mac}\n"));
    write(&d.join("operstate"), &format!("{state}\n"));
    write(&d.join("mtu"), "1500\n");
    let dt = devtype
        .map(|t| format!("DEVTYPE={t}\n"))
        .unwrap_or_default();
    write(
        &d.join("uevent"),
        &format!("{dt}INTERFACE={name}\nIFINDEX=1\n"),
    );
    std::fs::create_dir_all(root.join("sys/class/net")).unwrap();
    symlink(&d, root.join("sys/class/net").join(&name)).unwrap();
    d
}

fn tree(tag: &str) -> (Tree, InterfaceConn) {
    let root = std::env::temp_dir().join(format!("rvt-iface-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let t = Tree(root.clone());
    let eth0 = iface(
        &root,
        "pci0000:00/0000:00:03.0/virtio0/net/eth0",
        "52:54:00:12:34:56",
        "up",
        None,
    );
    write(&eth0.join("speed"), "1000\n");
    iface(
        &root,
        "virtual/net/lo",
        "00:00:00:00:00:00",
        "unknown",
        None,
    );
    let br = iface(
        &root,
        "virtual/net/br0",
        "52:54:00:aa:00:01",
        "up",
        Some("bridge"),
    );
    write(&br.join("bridge/forward_delay"), "1500\n");
    write(&br.join("bridge/stp_state"), "0\n");
    write(&br.join("brif/va"), "");
    write(&br.join("brif/vnet0"), "");
    let va = iface(&root, "virtual/net/va", "52:54:00:aa:00:01", "up", None);
    write(&va.join("speed"), "10000\n");
    write(&va.join("brport/state"), "3\n");
    let vnet = iface(&root, "virtual/net/vnet0", "fe:54:00:00:00:01", "up", None);
    write(&vnet.join("brport/state"), "3\n");
    write(&vnet.join("tun_flags"), "0x1002\n");
    iface(&root, "virtual/net/vb", "52:54:00:bb:00:02", "down", None);
    iface(
        &root,
        "virtual/net/vb.10",
        "52:54:00:bb:00:02",
        "lowerlayerdown",
        Some("vlan"),
    );
    write(
        &root.join("proc/net/vlan/vb.10"),
        "vb.10  VID: 10\t REORDER_HDR: 1  dev->priv_flags: 1021\n         total frames received            0\n\nDevice: vb\nINGRESS priority mappings: 0:0\n",
    );
    let bond = iface(
        &root,
        "virtual/net/bond0",
        "52:54:00:cc:00:03",
        "down",
        Some("bond"),
    );
    for (f, v) in [
        ("downdelay", "0"),
        ("updelay", "200"),
        ("miimon", "100"),
        ("arp_interval", "0"),
        ("mode", "active-backup 1"),
        ("arp_validate", "none 0"),
        ("use_carrier", "1"),
        ("arp_ip_target", ""),
    ] {
        write(&bond.join("bonding").join(f), &format!("{v}\n"));
    }
    write(&bond.join("slave_eth1"), "");
    iface(&root, "virtual/net/eth1", "52:54:00:dd:00:04", "down", None);
    let tap = iface(&root, "virtual/net/tap0", "fe:00:00:00:00:09", "down", None);
    write(&tap.join("tun_flags"), "0x1002\n");
    let conn = HostInterfaces::with_roots(root.join("sys"), root.join("proc")).connection();
    (t, conn)
}

fn names(v: &[InterfaceRef]) -> Vec<&str> {
    v.iter().map(|i| i.name.as_str()).collect()
}

#[test]
fn listing_skips_bridge_ports_and_taps_and_filters_by_operstate() {
    let (_t, c) = tree("list");
    let all = c.list_all_interfaces(0).unwrap();
    // udev's order: by device path (the PCI NIC before the virtual devices).
    assert_eq!(
        names(&all),
        ["eth0", "bond0", "br0", "eth1", "lo", "vb", "vb.10"]
    );
    assert_eq!(all[0].mac, "52:54:00:12:34:56");
    assert_eq!(names(&c.list_all_interfaces(2).unwrap()), ["eth0", "br0"]);
    assert_eq!(
        names(&c.list_all_interfaces(1).unwrap()),
        ["bond0", "eth1", "lo", "vb", "vb.10"]
    );
    assert_eq!(c.list_all_interfaces(3).unwrap().len(), 7);
    let e = c.list_all_interfaces(4).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg);
    assert_eq!(
        e.message(),
        "unsupported flags (0x4) in function udevConnectListAllInterfaces"
    );
}

#[test]
fn lookups_by_name_and_mac() {
    let (_t, c) = tree("lookup");
    // By name any entry of /sys/class/net, bridge ports included (as udev finds them).
    let va = c.interface_lookup_by_name("va").unwrap();
    assert_eq!(va.mac, "52:54:00:aa:00:01");
    assert!(c.interface_is_active(&va).unwrap());
    for bad in ["nosuch", "../../../etc", "..", "", "a/b", "class/net/eth0"] {
        let e = c.interface_lookup_by_name(bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoInterface, "{bad:?}");
        assert_eq!(
            e.message(),
            format!("couldn't find interface named '{bad}'")
        );
    }
    assert_eq!(
        c.interface_lookup_by_mac("52:54:00:12:34:56").unwrap().name,
        "eth0"
    );
    // The bridge and its port share a MAC; the port is not listed, so one matches.
    assert_eq!(
        c.interface_lookup_by_mac("52:54:00:aa:00:01").unwrap().name,
        "br0"
    );
    let e = c.interface_lookup_by_mac("52:54:00:bb:00:02").unwrap_err();
    assert_eq!(e.code(), ErrorCode::MultipleInterfaces);
    assert_eq!(
        e.message(),
        "the MAC address '52:54:00:bb:00:02' matches multiple interfaces"
    );
    // udev matches the MAC as a shell pattern; the reference carries the real MAC.
    let r = c.interface_lookup_by_mac("52:54:00:12:*").unwrap();
    assert_eq!(
        (r.name.as_str(), r.mac.as_str()),
        ("eth0", "52:54:00:12:34:56")
    );
    assert_eq!(
        c.interface_lookup_by_mac("52:54:*").unwrap_err().code(),
        ErrorCode::MultipleInterfaces
    );
    let e = c.interface_lookup_by_mac("52:54:00:00:00:00").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoInterface);
    assert_eq!(
        e.message(),
        "couldn't find interface with MAC address '52:54:00:00:00:00'"
    );
    let gone = InterfaceRef {
        name: "gone0".into(),
        mac: String::new(),
    };
    assert_eq!(
        c.interface_is_active(&gone).unwrap_err().code(),
        ErrorCode::NoInterface
    );
    assert_eq!(
        c.interface_xml_desc(&gone, 0).unwrap_err().code(),
        ErrorCode::NoInterface
    );
}

fn xml(c: &InterfaceConn, name: &str) -> String {
    let r = c.interface_lookup_by_name(name).unwrap();
    c.interface_xml_desc(&r, 0).unwrap()
}

#[test]
fn xml_of_each_type() {
    let (_t, c) = tree("xml");
    assert_eq!(
        xml(&c, "eth0"),
        "<interface type='ethernet' name='eth0'>\n  <mtu size='1500'/>\n  <link speed='1000' state='up'/>\n  <mac address='52:54:00:12:34:56'/>\n</interface>\n"
    );
    assert_eq!(
        xml(&c, "lo"),
        "<interface type='ethernet' name='lo'>\n  <mtu size='1500'/>\n  <link state='unknown'/>\n  <mac address='00:00:00:00:00:00'/>\n</interface>\n"
    );
    // A bridge has no link of its own; its members have no MTU; the guest's vnet0 is
    // not a member.
    assert_eq!(
        xml(&c, "br0"),
        "<interface type='bridge' name='br0'>\n  <mtu size='1500'/>\n  <bridge stp='off' delay='1500'>\n    <interface type='ethernet' name='va'>\n      <link speed='10000' state='up'/>\n      <mac address='52:54:00:aa:00:01'/>\n    </interface>\n  </bridge>\n</interface>\n"
    );
    assert_eq!(
        xml(&c, "vb.10"),
        "<interface type='vlan' name='vb.10'>\n  <mtu size='1500'/>\n  <link state='lowerlayerdown'/>\n  <vlan tag='10'>\n    <interface name='vb'/>\n  </vlan>\n</interface>\n"
    );
    assert_eq!(
        xml(&c, "bond0"),
        "<interface type='bond' name='bond0'>\n  <mtu size='1500'/>\n  <link state='down'/>\n  <bond mode='active-backup'>\n    <miimon freq='100' updelay='200' carrier='netif'/>\n    <interface type='ethernet' name='eth1'>\n      <link state='down'/>\n      <mac address='52:54:00:dd:00:04'/>\n    </interface>\n  </bond>\n</interface>\n"
    );
    let r = c.interface_lookup_by_name("eth0").unwrap();
    assert_eq!(xml(&c, "eth0"), c.interface_xml_desc(&r, 1).unwrap());
    assert_eq!(
        c.interface_xml_desc(&r, 2).unwrap_err().message(),
        "unsupported flags (0x2) in function udevInterfaceGetXMLDesc"
    );
}

#[test]
fn changes_are_not_supported() {
    let (_t, c) = tree("nosup");
    let r = c.interface_lookup_by_name("eth0").unwrap();
    let e = c
        .interface_define_xml("<interface type='ethernet' name='x'/>", 0)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoSupport);
    assert_eq!(e.message(), "virInterfaceDefineXML");
    assert_eq!(
        c.interface_destroy(&r, 0).unwrap_err().code(),
        ErrorCode::NoSupport
    );
    assert_eq!(
        c.interface_create(&r, 0).unwrap_err().code(),
        ErrorCode::NoSupport
    );
    assert_eq!(
        c.interface_undefine(&r).unwrap_err().code(),
        ErrorCode::NoSupport
    );
    assert_eq!(
        c.interface_change_begin(0).unwrap_err().code(),
        ErrorCode::NoSupport
    );
}

//! The driver's devices from a small fake sysfs: a PCI network card with its
//! interface, and a virtual interface, named, nested and described as libvirt does.

use std::os::unix::fs::symlink;
use std::path::Path;

use rvirt_core::objconf::NodeDeviceDef;
use rvirt_driver_nodedev::scan;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn find<'a>(devs: &'a [NodeDeviceDef], name: &str) -> &'a NodeDeviceDef {
    devs.iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no {name} in {devs:?}"))
}

#[test]
fn pci_card_interface_and_virtual_interface() {
    let root = std::env::temp_dir().join(format!("rvt-fake-sysfs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let card = root.join("devices/pci0000:00/0000:00:03.0");
    write(&card.join("class"), "0x020000\n");
    write(&card.join("vendor"), "0x1af4\n");
    write(&card.join("device"), "0x1000\n");
    let eth = card.join("virtio0/net/eth0");
    write(&eth.join("address"), "52:54:00:12:34:56\n");
    write(&eth.join("operstate"), "up\n");
    write(&eth.join("type"), "1\n");
    let dummy = root.join("devices/virtual/net/dummy0");
    write(&dummy.join("address"), "aa:bb:cc:dd:ee:ff\n");
    write(&dummy.join("operstate"), "down\n");
    std::fs::create_dir_all(root.join("bus/pci/devices")).unwrap();
    std::fs::create_dir_all(root.join("class/net")).unwrap();
    symlink(&card, root.join("bus/pci/devices/0000:00:03.0")).unwrap();
    symlink(&eth, root.join("class/net/eth0")).unwrap();
    symlink(&dummy, root.join("class/net/dummy0")).unwrap();

    let devs = scan(&root);
    let names: Vec<&str> = devs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "computer",
            "pci_0000_00_03_0",
            "net_dummy0_aa_bb_cc_dd_ee_ff",
            "net_eth0_52_54_00_12_34_56",
        ]
    );
    assert_eq!(find(&devs, "computer").parent, None);
    let pci = find(&devs, "pci_0000_00_03_0");
    assert_eq!(pci.parent.as_deref(), Some("computer"));
    let xml = pci.to_xml();
    for part in [
        "<class>0x020000</class>",
        "<slot>3</slot>",
        "<product id='0x1000'/>",
        "<vendor id='0x1af4'/>",
    ] {
        assert!(xml.contains(part), "{part} not in {xml}");
    }
    let eth0 = find(&devs, "net_eth0_52_54_00_12_34_56");
    assert_eq!(eth0.parent.as_deref(), Some("pci_0000_00_03_0"));
    assert!(eth0.has_cap("net"));
    assert!(eth0.to_xml().contains("<capability type='80203'/>"));
    let dummy0 = find(&devs, "net_dummy0_aa_bb_cc_dd_ee_ff");
    assert_eq!(dummy0.parent.as_deref(), Some("computer"));
    assert!(dummy0.to_xml().contains("<link state='down'/>"));
    // Round trip: what the driver prints, clients parse back to the same device.
    let parsed = NodeDeviceDef::from_xml(&eth0.to_xml()).unwrap();
    assert_eq!(parsed.to_xml(), eth0.to_xml());
    std::fs::remove_dir_all(&root).unwrap();
}

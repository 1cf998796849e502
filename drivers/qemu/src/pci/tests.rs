use rvirt_core::ErrorCode;
use rvirt_core::conf::{Device, DomainDef, OnOff};

use super::{assign_hotplug_address, assign_pci_addresses};
use crate::driver::instance::parse_def;

fn def(machine: &str, devices: &str) -> DomainDef {
    parse_def(&format!(
        "<domain type='qemu'><name>g</name><memory>65536</memory>
         <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
         <devices>{devices}</devices></domain>"
    ))
    .unwrap()
}

fn assigned(machine: &str, devices: &str) -> DomainDef {
    let mut d = def(machine, devices);
    crate::machine_defaults::add_machine_defaults(&mut d);
    assign_pci_addresses(&mut d).unwrap();
    d
}

/// `(element, index-or-target, "BB:SS.F")` of every device with a PCI address.
fn placements(d: &DomainDef) -> Vec<(String, String)> {
    d.devices()
        .iter()
        .filter_map(|dev| {
            let a = dev.address()?;
            let what = match dev {
                Device::Controller(c) => format!(
                    "{}{}{}",
                    c.controller_type,
                    c.index.unwrap_or(0),
                    c.model
                        .as_deref()
                        .map(|m| format!(":{m}"))
                        .unwrap_or_default()
                ),
                Device::Disk(x) => format!("disk:{}", x.target.dev),
                other => other.element_name().to_owned(),
            };
            Some((
                what,
                format!(
                    "{:02x}:{:02x}.{}",
                    a.bus.unwrap_or(0),
                    a.slot.unwrap_or(0),
                    a.function.unwrap_or(0)
                ),
            ))
        })
        .collect()
}

fn at<'a>(p: &'a [(String, String)], what: &str) -> &'a str {
    &p.iter()
        .find(|(w, _)| w == what)
        .unwrap_or_else(|| panic!("{what} has no address in {p:?}"))
        .1
}

const Q35_GUEST: &str = "
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='/tmp/a.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <controller type='usb' model='qemu-xhci' ports='15'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <interface type='user'><model type='virtio'/></interface>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <video><model type='virtio'/></video>
    <sound model='ich9'/>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>";

#[test]
fn q35_devices_get_root_ports_in_libvirts_order() {
    let d = assigned("q35", Q35_GUEST);
    let p = placements(&d);
    // Root ports packed into slots 2 and 3 of pcie.0.
    assert_eq!(at(&p, "pci1:pcie-root-port"), "00:02.0");
    assert_eq!(at(&p, "pci8:pcie-root-port"), "00:02.7");
    assert_eq!(at(&p, "pci9:pcie-root-port"), "00:03.0");
    // NICs, controllers, disks, balloon, RNG: one root port each, in that order.
    assert_eq!(at(&p, "interface"), "01:00.0");
    assert_eq!(at(&p, "usb0:qemu-xhci"), "02:00.0");
    assert_eq!(at(&p, "virtio-serial0"), "03:00.0");
    assert_eq!(at(&p, "disk:vda"), "04:00.0");
    assert_eq!(at(&p, "memballoon"), "05:00.0");
    assert_eq!(at(&p, "rng"), "06:00.0");
    // The machine's own places.
    assert_eq!(at(&p, "video"), "00:01.0");
    assert_eq!(at(&p, "sound"), "00:1b.0");
    assert_eq!(at(&p, "sata0"), "00:1f.2");
    // Function 0 of a slot with more functions is multifunction; targets filled in.
    let port = |i: u32| {
        d.devices()
            .iter()
            .find_map(|dev| match dev {
                Device::Controller(c) if c.index == Some(i) && c.model.is_some() => Some(c),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(
        port(1).address.as_ref().unwrap().multifunction,
        Some(OnOff::On)
    );
    assert_eq!(port(2).address.as_ref().unwrap().multifunction, None);
    let t = port(9).target.as_ref().unwrap();
    assert_eq!((t.chassis, t.port.as_deref()), (Some(9), Some("0x18")));
    // Free ports stay for hotplug.
    assert!(p.iter().all(|(_, a)| !a.starts_with("07:")));
}

#[test]
fn q35_without_ports_gets_one_per_device_and_a_spare() {
    let d = assigned(
        "pc-q35-7.2",
        "<interface type='user'><model type='virtio'/></interface>
         <memballoon model='none'/>",
    );
    let p = placements(&d);
    assert_eq!(at(&p, "interface"), "01:00.0");
    assert_eq!(at(&p, "pci1:pcie-root-port"), "00:02.0");
    assert_eq!(at(&p, "pci2:pcie-root-port"), "00:02.1");
    assert!(!p.iter().any(|(w, _)| w.starts_with("pci3")), "{p:?}");
}

#[test]
fn q35_conventional_devices_go_behind_a_pcie_to_pci_bridge() {
    let d = assigned(
        "q35",
        "<interface type='user'><model type='e1000'/></interface>
         <watchdog model='i6300esb'/>
         <memballoon model='none'/>",
    );
    let p = placements(&d);
    let bridge = p
        .iter()
        .find(|(w, _)| w.ends_with(":pcie-to-pci-bridge"))
        .expect("a bridge");
    assert!(bridge.1.ends_with(":00.0") && !bridge.1.starts_with("00:"));
    let bus = bridge
        .0
        .trim_start_matches("pci")
        .split(':')
        .next()
        .unwrap();
    let bus: u32 = bus.parse().unwrap();
    assert_eq!(at(&p, "interface"), format!("{bus:02x}:01.0"));
    assert_eq!(at(&p, "watchdog"), format!("{bus:02x}:02.0"));
}

#[test]
fn i440fx_keeps_piix3_and_video_slots() {
    let d = assigned(
        "pc",
        "<controller type='usb' model='piix3-uhci'/>
         <disk type='file'><source file='/tmp/x'/><target dev='hda' bus='ide'/></disk>
         <interface type='user'><model type='rtl8139'/></interface>
         <video><model type='vga'/></video>
         <disk type='file'><source file='/tmp/y'/><target dev='vda' bus='virtio'/></disk>",
    );
    let p = placements(&d);
    assert_eq!(at(&p, "usb0:piix3-uhci"), "00:01.2");
    assert_eq!(at(&p, "ide0"), "00:01.1");
    assert_eq!(at(&p, "video"), "00:02.0");
    assert_eq!(at(&p, "interface"), "00:03.0");
    assert_eq!(at(&p, "disk:vda"), "00:04.0");
    assert_eq!(at(&p, "memballoon"), "00:05.0");
}

#[test]
fn ich9_usb_companions_share_a_multifunction_slot() {
    let d = assigned(
        "pc",
        "<controller type='usb' index='0' model='ich9-ehci1'/>
         <controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/></controller>
         <controller type='usb' index='0' model='ich9-uhci2'><master startport='2'/></controller>
         <memballoon model='none'/>",
    );
    let p = placements(&d);
    assert_eq!(at(&p, "usb0:ich9-ehci1"), "00:03.7");
    assert_eq!(at(&p, "usb0:ich9-uhci1"), "00:03.0");
    assert_eq!(at(&p, "usb0:ich9-uhci2"), "00:03.1");
    let uhci1 = d
        .devices()
        .iter()
        .find_map(|dev| match dev {
            Device::Controller(c) if c.model.as_deref() == Some("ich9-uhci1") => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        uhci1.address.as_ref().unwrap().multifunction,
        Some(OnOff::On)
    );
}

#[test]
fn explicit_addresses_are_kept_and_checked() {
    let kept = assigned(
        "pc",
        "<interface type='user'><model type='virtio'/>
           <address type='pci' domain='0x0000' bus='0x00' slot='0x09' function='0x0'/></interface>
         <interface type='user'><model type='virtio'/></interface>",
    );
    let p = placements(&kept);
    assert_eq!(p[0], ("interface".into(), "00:09.0".into()));
    assert_eq!(p[1], ("interface".into(), "00:03.0".into()));

    let refused = |devices: &str| {
        let mut d = def("pc", devices);
        let e = assign_pci_addresses(&mut d).unwrap_err();
        assert_eq!(e.code(), ErrorCode::XmlError, "{e}");
        e.to_string()
    };
    let twice = refused(
        "<interface type='user'><address type='pci' bus='0' slot='5'/></interface>
         <interface type='user'><address type='pci' bus='0' slot='5'/></interface>",
    );
    assert!(
        twice.contains("Attempted double use of PCI Address 0000:00:05.0"),
        "{twice}"
    );
    let no_bus =
        refused("<interface type='user'><address type='pci' bus='7' slot='1'/></interface>");
    assert!(
        no_bus.contains("Could not find PCI controller with index '7'"),
        "{no_bus}"
    );
    // PIIX3's ISA bridge is the machine's.
    let piix3 =
        refused("<interface type='user'><address type='pci' bus='0' slot='1'/></interface>");
    assert!(piix3.contains("0000:00:01.0"), "{piix3}");
}

#[test]
fn root_ports_have_only_slot_zero() {
    let mut d = def(
        "q35",
        "<controller type='pci' index='1' model='pcie-root-port'/>
         <interface type='user'><model type='virtio'/>
           <address type='pci' bus='1' slot='1'/></interface>",
    );
    let e = assign_pci_addresses(&mut d).unwrap_err();
    assert!(e.to_string().contains("slot must be >= 0 and <= 0"), "{e}");
}

#[test]
fn hotplug_takes_a_free_root_port_and_never_adds_one() {
    let running = assigned("q35", Q35_GUEST);
    let mut nic = def(
        "q35",
        "<interface type='user'><model type='virtio'/></interface>",
    )
    .devices()
    .iter()
    .find(|d| matches!(d, Device::Interface(_)))
    .cloned()
    .unwrap();
    assign_hotplug_address(&running, &mut nic).unwrap();
    assert_eq!(nic.address().unwrap().bus, Some(7));

    let full = assigned(
        "q35",
        "<controller type='pci' index='1' model='pcie-root-port'/>
         <interface type='user'><model type='virtio'/></interface>
         <memballoon model='none'/>",
    );
    let mut nic2 = nic.clone();
    *nic2.address_mut().unwrap() = None;
    // The spare port assignment added is free: the first hotplug takes it ...
    let mut with_one = full.clone();
    assign_hotplug_address(&with_one, &mut nic2).unwrap();
    with_one.devices_mut().push(nic2.clone());
    // ... and the next finds none.
    let mut nic3 = nic.clone();
    *nic3.address_mut().unwrap() = None;
    let e = assign_hotplug_address(&with_one, &mut nic3).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationFailed, "{e}");
}

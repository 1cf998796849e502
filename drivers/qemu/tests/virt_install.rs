//! The guest `virt-install --osinfo debian11 --graphics vnc --network user --import`
//! writes for QEMU (q35: qemu-xhci with a USB tablet, pcie-root-ports, host-passthrough
//! CPU, rtc/pit/hpet timers, `<pm>`, the qemu-ga channel, virtio rng and balloon,
//! discard=unmap), with `type='qemu'` and the test kit's boot disk, defines and starts
//! under real QEMU (TCG), and QEMU's PCI buses hold the devices asked for. Every QEMU
//! is killed by pid when the test ends ([`support::Env`]).

mod support;

use rvirt_core::driver::EventSink;
use rvirt_driver_qemu::driver::QemuConnection;
use rvirt_testkit::{LOOP, boot_disk, have_qemu};
use support::setup;

#[test]
fn virt_install_debian11_guest_starts() {
    if !have_qemu() {
        return;
    }
    let env = setup("vi");
    let disk = boot_disk(&env.root.join("vi.img"), LOOP);
    let xml = include_str!("../src/command_line/virt_install_q35.xml")
        .replace("/tmp/boot.img", &disk.to_string_lossy())
        .replace("<name>debian11</name>", "<name>vi</name>");
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create().unwrap();

    let qc = QemuConnection::open(&env.root, env.l.shared(), EventSink::detached()).unwrap();
    let pci = qc
        .monitor_command(dom.domain_ref(), "query-pci", None)
        .unwrap();
    let ids = support::pci_qdev_ids(&pci);
    for want in ["pci.1", "pci.3"] {
        assert!(ids.iter().any(|i| i == want), "{want} not in {ids:?}");
    }
    // Each PCIe device on a root port of its own, as libvirt places them (QEMU's
    // device tree has them whether or not the firmware numbered the ports' buses).
    let mut buses = Vec::new();
    for id in ["usb", "virtio-serial0", "rng0", "balloon0"] {
        let bus = qc
            .monitor_command(
                dom.domain_ref(),
                "qom-get",
                Some(serde_json::json!({
                    "path": format!("/machine/peripheral/{id}"),
                    "property": "parent_bus"
                })),
            )
            .unwrap();
        let bus = bus.as_str().unwrap_or_default().to_owned();
        assert!(bus.contains("/machine/peripheral/pci."), "{id} on {bus}");
        assert!(!buses.contains(&bus), "{id} shares {bus}");
        buses.push(bus);
    }
    let chardevs = qc
        .monitor_command(dom.domain_ref(), "query-chardev", None)
        .unwrap();
    let channel = chardevs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "charchannel0")
        .expect("the guest agent's chardev");
    let file = channel["filename"].as_str().unwrap();
    assert!(
        file.contains("/domain-1-vi/org.qemu.guest_agent.0"),
        "{file}"
    );
    let cpu = qc
        .monitor_command(dom.domain_ref(), "query-cpus-fast", None)
        .unwrap();
    assert_eq!(cpu.as_array().unwrap().len(), 2, "{cpu}");

    dom.destroy().unwrap();
    dom.undefine().unwrap();
}

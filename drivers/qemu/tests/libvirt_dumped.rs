//! The definitions libvirt itself stores: what Debian's libvirt 9.0 QEMU driver keeps
//! after defining virt-install's guests (`data/libvirt-dumped/`, made by
//! `data/gen-libvirt-dumped.sh`) — every device at an explicit PCI address, fourteen
//! `pcie-root-port`s, a `pcie-to-pci-bridge`, virtio-serial and USB addresses,
//! Hyper-V enlightenments, `vmport`, a watchdog. Each defines unchanged (but for its
//! disk image, `type='qemu'` for TCG and a user NIC instead of a network), starts
//! under real QEMU, and its devices sit on the bus its XML names. Every QEMU is killed
//! by pid when the test ends ([`support::Env`]).

mod support;

use std::path::Path;
use std::process::Command;

use rvirt_core::driver::EventSink;
use rvirt_driver_qemu::driver::QemuConnection;
use rvirt_testkit::have_qemu;
use support::setup;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/libvirt-dumped");

/// `xml` made runnable here: its qcow2 image at `image`, TCG, a user NIC.
fn runnable(xml: &str, image: &Path) -> String {
    let mut out = String::new();
    for line in xml.lines() {
        let line = if line.contains("<source file='/var/lib/libvirt/images/") {
            format!("      <source file='{}'/>", image.display())
        } else if line.contains("<source network=") {
            continue;
        } else {
            line.replace("<domain type='kvm'>", "<domain type='qemu'>")
                .replace("<interface type='network'>", "<interface type='user'>")
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The QEMU bus name the first NIC's `<address>` in `xml` names.
fn nic_bus(xml: &str, q35: bool) -> String {
    let nic = &xml[xml.find("<interface").unwrap()..];
    let addr = &nic[nic.find("<address type='pci'").unwrap()..];
    let bus = addr.split("bus='0x").nth(1).unwrap();
    let bus = u32::from_str_radix(&bus[..2], 16).unwrap();
    match (bus, q35) {
        (0, true) => "pcie.0".into(),
        (0, false) => "pci.0".into(),
        (n, _) => format!("pci.{n}"),
    }
}

#[test]
fn libvirts_stored_definitions_define_and_start() {
    if !have_qemu() {
        return;
    }
    let env = setup("ld");
    let qc = QemuConnection::open(&env.root, env.l.shared(), EventSink::detached()).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let image = env.root.join(format!("{name}.qcow2"));
        let made = Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2"])
            .arg(&image)
            .arg("16M")
            .status()
            .unwrap();
        assert!(made.success());
        let stored = std::fs::read_to_string(&file).unwrap();
        let xml = runnable(&stored, &image);
        let mut dom = env
            .conn()
            .define_xml(&xml)
            .unwrap_or_else(|e| panic!("{name}: define: {e}"));
        dom.create()
            .unwrap_or_else(|e| panic!("{name}: start: {e}"));
        // The NIC sits where libvirt put it.
        let q35 = stored.contains("machine='pc-q35");
        let bus = qc
            .monitor_command(
                dom.domain_ref(),
                "qom-get",
                Some(serde_json::json!({"path": "/machine/peripheral/net0",
                                        "property": "parent_bus"})),
            )
            .unwrap();
        let want = nic_bus(&stored, q35);
        assert!(
            bus.as_str()
                .is_some_and(|b| b.ends_with(&format!("/{want}"))),
            "{name}: net0 on {bus}, its XML says {want}"
        );
        // What it stores keeps libvirt's addresses.
        let inactive = dom.xml_desc(2).unwrap();
        for line in stored.lines().filter(|l| l.contains("<address type='pci'")) {
            assert!(inactive.contains(line.trim()), "{name}: lost {line}");
        }
        dom.destroy().unwrap();
        dom.undefine().unwrap();
    }
}

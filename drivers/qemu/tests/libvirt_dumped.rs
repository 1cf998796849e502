//! The definitions libvirt itself stores: what Debian's libvirt 9.0 QEMU driver keeps
//! after defining virt-install's guests (`data/libvirt-dumped/`, made by
//! `data/gen-libvirt-dumped.sh`) — every device at an explicit PCI address, fourteen
//! `pcie-root-port`s, a `pcie-to-pci-bridge`, virtio-serial and USB addresses,
//! Hyper-V enlightenments, `vmport`, a watchdog, UEFI (`firmware='efi'`). Each defines
//! unchanged (but for its disk image, `type='qemu'` for TCG and a user NIC instead of
//! a network), starts under real QEMU, and its devices sit on the bus its XML names.
//! Every QEMU is killed by pid when the test ends ([`support::Env`]).

mod support;

use std::path::Path;

use rvirt_core::driver::EventSink;
use rvirt_driver_qemu::driver::QemuConnection;
use rvirt_testkit::{have_qemu, qcow2_image};
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
    assert!(files.len() >= 16, "{files:?}");
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let image = qcow2_image(&env.root.join(format!("{name}.qcow2")), "16M");
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
        // A UEFI guest got its variable store from the firmware's template.
        if stored.contains("<os firmware='efi'>") {
            let live = dom.xml_desc(0).unwrap();
            assert!(live.contains("<loader readonly='yes'"), "{name}: {live}");
            let store = env.root.join(format!("lib/qemu/nvram/{name}_VARS.fd"));
            assert!(store.exists(), "{name}");
        }
        dom.destroy().unwrap();
        // VIR_DOMAIN_UNDEFINE_NVRAM: a UEFI guest's store goes too (libvirt refuses
        // a plain undefine once it exists).
        dom.undefine_with_flags(1 << 2).unwrap();
    }
}

/// A guest as OpenStack Nova writes it (`data/nova-instance.xml`: Nova's metadata,
/// SMBIOS system entries with `<smbios mode='sysinfo'/>`, `vmcoreinfo`, host-model
/// CPU, a virtio NIC with a vhost driver, an rx queue size and an MTU, a serial
/// console logged to a file, VNC, virtio video, rng and balloon with stats) defines
/// and starts; QEMU gets the SMBIOS strings and the NIC's tuning.
#[test]
fn an_openstack_nova_guest_defines_and_starts() {
    if !have_qemu() {
        return;
    }
    let env = setup("nova");
    let dir = env.root.join("inst");
    std::fs::create_dir_all(&dir).unwrap();
    qcow2_image(&dir.join("disk"), "16M");
    let nova = std::fs::read_to_string(format!(
        "{}/tests/data/nova-instance.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let inst = "/var/lib/nova/instances/7c3f2a4e-1f5b-4e3a-9a55-0c1d2e3f4a5b";
    let xml = nova
        .replace(inst, &dir.to_string_lossy())
        .replace("<domain type=\"kvm\">", "<domain type=\"qemu\">")
        // Needs the per-guest cgroup, which only qemu:///system guests get (this
        // test's driver root is a private one); tests/confinement.rs covers cputune.
        .replace("<cputune>\n    <shares>1024</shares>\n  </cputune>\n", "");
    let mut dom = env.conn().define_xml(&xml).unwrap();
    dom.create().unwrap();
    let qc = QemuConnection::open(&env.root, env.l.shared(), EventSink::detached()).unwrap();
    let get = |path: &str, property: &str| {
        qc.monitor_command(
            dom.domain_ref(),
            "qom-get",
            Some(serde_json::json!({"path": path, "property": property})),
        )
        .unwrap()
    };
    assert_eq!(get("/machine/peripheral/net0", "host_mtu"), 1450);
    assert_eq!(get("/machine/peripheral/net0", "rx_queue_size"), 512);
    let log = std::fs::read_to_string(env.root.join("log/qemu/instance-00000001.log"))
        .unwrap_or_default();
    assert!(
        log.contains("-smbios type=1,manufacturer=OpenStack Foundation,product=OpenStack Nova"),
        "{log}"
    );
    assert!(log.contains(r#"{"driver":"vmcoreinfo"}"#), "{log}");
    dom.destroy().unwrap();
    dom.undefine().unwrap();
}

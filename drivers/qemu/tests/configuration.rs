//! The QEMU driver's configuration calls on real guests (TCG, a looping boot sector,
//! no guest OS): the balloon target reaches QEMU and the limits and flags are
//! libvirt's; a virtio disk and a user NIC attached live show up in QEMU and in the
//! live XML (with DEVICE_ADDED); config-only attach/detach edit the persistent
//! definition; a live detach is requested (a guest without an OS never releases a PCI
//! device, so QEMU keeps it — libvirt returns success with the request pending);
//! rename moves the config file. Every QEMU is killed by pid when a test ends ([`Env`]).

mod support;

use std::sync::{Arc, Mutex};

use rvirt_core::driver::{DriverConnection, EventSink};
use rvirt_core::{Domain, DomainEvent, DomainEventId, ErrorCode};
use rvirt_driver_qemu::driver::QemuConnection;
use rvirt_testkit::{LOOP, boot_disk, domain_xml, have_qemu};
use serde_json::{Value, json};
use support::{Env, setup};

const LIVE: u32 = 1;
const CONFIG: u32 = 2;
const MEM_MAXIMUM: u32 = 4;
const XML_INACTIVE: u32 = 2;

/// A 64 MiB guest looping in its boot sector, with a virtio balloon.
fn balloon_guest(env: &Env, name: &str) -> String {
    let disk = boot_disk(&env.root.join(format!("{name}.img")), LOOP);
    domain_xml(name, &disk).replace("<memballoon model='none'/>", "<memballoon model='virtio'/>")
}

/// A direct connection to the same driver instance, for QMP queries.
fn qmp(env: &Env) -> QemuConnection {
    QemuConnection::open(&env.root, env.l.shared(), EventSink::detached()).unwrap()
}

fn query(qc: &QemuConnection, dom: &Domain, cmd: &str, args: Option<Value>) -> Value {
    qc.monitor_command(dom.domain_ref(), cmd, args).unwrap()
}

fn err(r: rvirt_core::Result<()>) -> (ErrorCode, String) {
    let e = r.unwrap_err();
    (e.code(), e.message().to_owned())
}

/// Every DEVICE_ADDED / DEVICE_REMOVED alias `env`'s connection sees.
fn record_devices(env: &Env) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    for id in [DomainEventId::DeviceAdded, DomainEventId::DeviceRemoved] {
        let sink = seen.clone();
        env.conn()
            .domain_event_register_any(None, id, move |_, ev| match ev {
                DomainEvent::DeviceAdded { alias } => {
                    sink.lock().unwrap().push(format!("added {alias}"))
                }
                DomainEvent::DeviceRemoved { alias } => {
                    sink.lock().unwrap().push(format!("removed {alias}"))
                }
                _ => {}
            })
            .unwrap();
    }
    seen
}

/// Runs the loop until `seen` holds `want` (bounded).
fn wait_for(env: &Env, seen: &Arc<Mutex<Vec<String>>>, want: &str) {
    let t = std::time::Instant::now();
    while !seen.lock().unwrap().iter().any(|s| s == want) {
        assert!(
            t.elapsed() < support::DEADLINE,
            "no '{want}': {:?}",
            seen.lock().unwrap()
        );
        env.l
            .run_once_timeout(std::time::Duration::from_millis(20))
            .unwrap();
    }
}

/// Live: `balloon` reaches QEMU (query-balloon answers; with no guest driver the
/// guest keeps its 64 MiB, and the live currentMemory follows QEMU's actual, as in
/// libvirt); above the maximum, max memory live, and no balloon are refused with
/// libvirt's errors. Config: currentMemory and memory of the persistent definition
/// and its file change, the live definition does not.
#[test]
fn memory_live_and_config() {
    if !have_qemu() {
        return;
    }
    let env = setup("cmem");
    let qc = qmp(&env);
    let mut dom = env.conn().define_xml(&balloon_guest(&env, "cmem")).unwrap();
    dom.create().unwrap();

    dom.set_memory_flags(32768, LIVE).unwrap();
    dom.set_memory(40960).unwrap();
    let b = query(&qc, &dom, "query-balloon", None);
    assert_eq!(b["actual"], json!(64u64 << 20), "{b}");
    let live = dom.xml_desc(0).unwrap();
    assert!(
        live.contains("<currentMemory unit='KiB'>65536</currentMemory>"),
        "{live}"
    );

    assert_eq!(
        err(dom.set_memory_flags(131072, LIVE)),
        (
            ErrorCode::InvalidArg,
            "cannot set memory higher than max memory".into()
        )
    );
    let max_live = (
        ErrorCode::OperationInvalid,
        "cannot resize the maximum memory on an active domain".to_owned(),
    );
    assert_eq!(
        err(dom.set_memory_flags(131072, LIVE | MEM_MAXIMUM)),
        max_live
    );
    assert_eq!(err(dom.set_max_memory(131072)), max_live);

    dom.set_memory_flags(131072, CONFIG | MEM_MAXIMUM).unwrap();
    dom.set_memory_flags(98304, CONFIG).unwrap();
    let inactive = dom.xml_desc(XML_INACTIVE).unwrap();
    assert!(
        inactive.contains("<memory unit='KiB'>131072</memory>"),
        "{inactive}"
    );
    assert!(
        inactive.contains("<currentMemory unit='KiB'>98304</currentMemory>"),
        "{inactive}"
    );
    let file = std::fs::read_to_string(env.root.join("etc/qemu/cmem.xml")).unwrap();
    assert!(file.contains("98304"), "{file}");
    let live = dom.xml_desc(0).unwrap();
    assert!(live.contains("<memory unit='KiB'>65536</memory>"), "{live}");
    // The persistent maximum grew, but the live one did not.
    assert_eq!(
        err(dom.set_memory_flags(98304, LIVE)).1,
        "cannot set memory higher than max memory"
    );

    // No balloon device.
    let disk = boot_disk(&env.root.join("nob.img"), LOOP);
    let nob = env.conn().create_xml(&domain_xml("nob", &disk), 0).unwrap();
    assert_eq!(
        err(nob.set_memory(32768)),
        (
            ErrorCode::OperationInvalid,
            "Unable to change memory of active domain without the balloon device and guest OS balloon driver".into()
        )
    );
    // Rename of a running domain.
    assert_eq!(
        err(dom.rename("other", 0)),
        (
            ErrorCode::OperationInvalid,
            "cannot rename active domain".into()
        )
    );
    qc.close().unwrap();
}

/// A virtio disk and a user NIC attached live: QEMU has them (query-block, the
/// peripheral devices), the live XML shows them with their aliases, DEVICE_ADDED
/// names them; a second attach and an IDE hotplug are refused as libvirt refuses
/// them. A live detach is sent (`device_del`); without a guest OS to release the PCI
/// device QEMU keeps it, and the call returns after libvirt's wait with the request
/// pending. Config-only attach/detach edit the persistent definition alone.
#[test]
fn disk_and_nic_hotplug() {
    if !have_qemu() {
        return;
    }
    let env = setup("chot");
    let qc = qmp(&env);
    let seen = record_devices(&env);
    let mut dom = env.conn().define_xml(&balloon_guest(&env, "chot")).unwrap();
    dom.create().unwrap();
    let img = env.root.join("extra.img");
    std::fs::write(&img, vec![0u8; 1 << 20]).unwrap();
    let vdb = format!(
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>\
         <source file='{}'/><target dev='vdb' bus='virtio'/></disk>",
        img.display()
    );

    dom.attach_device_flags(&vdb, LIVE).unwrap();
    let blocks = query(&qc, &dom, "query-block", None);
    let found = blocks.as_array().unwrap().iter().any(|b| {
        b["qdev"]
            .as_str()
            .is_some_and(|q| q.contains("virtio-disk1"))
            && b["inserted"]["file"].as_str() == img.to_str()
    });
    assert!(found, "{blocks}");
    let live = dom.xml_desc(0).unwrap();
    assert!(live.contains("<target dev='vdb' bus='virtio'/>"), "{live}");
    assert!(live.contains("<alias name='virtio-disk1'/>"), "{live}");
    assert!(!dom.xml_desc(XML_INACTIVE).unwrap().contains("vdb"));
    wait_for(&env, &seen, "added virtio-disk1");
    let status = std::fs::read_to_string(env.root.join("run/qemu/chot.xml")).unwrap();
    assert!(status.contains("vdb"), "{status}");

    assert_eq!(
        err(dom.attach_device_flags(&vdb, LIVE)),
        (
            ErrorCode::OperationFailed,
            "target vdb already exists".into()
        )
    );
    let ide = vdb.replace("vdb", "hdb").replace("virtio", "ide");
    assert_eq!(
        err(dom.attach_device_flags(&ide, LIVE)),
        (
            ErrorCode::OperationUnsupported,
            "disk bus 'ide' cannot be hotplugged.".into()
        )
    );
    assert_eq!(
        err(dom.attach_device_flags("<sound model='ich6'/>", LIVE)).1,
        "live attach of device 'sound' is not supported"
    );

    dom.attach_device("<interface type='user'><model type='virtio'/></interface>")
        .unwrap();
    let ids = query(
        &qc,
        &dom,
        "qom-list",
        Some(json!({"path": "/machine/peripheral"})),
    );
    assert!(ids.to_string().contains("\"net0\""), "{ids}");
    let live = dom.xml_desc(0).unwrap();
    assert!(live.contains("<alias name='net0'/>"), "{live}");
    assert!(live.contains("<mac address='52:54:00:"), "{live}");
    wait_for(&env, &seen, "added net0");

    // Live detach: requested; the guest (no OS) never releases the device.
    let vdc = vdb.replace("vdb", "vdc");
    assert_eq!(
        err(dom.detach_device_flags(&vdc, LIVE)),
        (ErrorCode::DeviceMissing, "disk vdc not found".into())
    );
    dom.detach_device_flags(&vdb, LIVE).unwrap();
    let live = dom.xml_desc(0).unwrap();
    let ids = query(
        &qc,
        &dom,
        "qom-list",
        Some(json!({"path": "/machine/peripheral"})),
    );
    // No guest OS ejects the device: QEMU keeps it, so does the live XML, and no
    // DEVICE_REMOVED comes (it would, from QEMU's DEVICE_DELETED, with a guest).
    assert!(ids.to_string().contains("\"virtio-disk1\""), "{ids}");
    assert!(live.contains("<target dev='vdb' bus='virtio'/>"), "{live}");
    assert!(
        !seen
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.starts_with("removed"))
    );

    // Config only.
    dom.attach_device_flags(&vdc, CONFIG).unwrap();
    assert!(dom.xml_desc(XML_INACTIVE).unwrap().contains("vdc"));
    assert!(!dom.xml_desc(0).unwrap().contains("vdc"));
    let file = std::fs::read_to_string(env.root.join("etc/qemu/chot.xml")).unwrap();
    assert!(file.contains("vdc"), "{file}");
    assert_eq!(
        err(dom.attach_device_flags(&vdc, CONFIG)),
        (
            ErrorCode::OperationInvalid,
            "target vdc already exists".into()
        )
    );
    dom.detach_device_flags(&vdc, CONFIG).unwrap();
    assert!(!dom.xml_desc(XML_INACTIVE).unwrap().contains("vdc"));
    assert_eq!(
        err(dom.detach_device_flags(&vdc, CONFIG)),
        (ErrorCode::DeviceMissing, "no target device vdc".into())
    );
    qc.close().unwrap();
}

/// Rename of an inactive persistent domain: the config file moves (old gone, new
/// there), the autostart mark follows, lookups use the new name; a transient domain
/// and a taken name are refused. No QEMU runs.
#[test]
fn rename_inactive() {
    let env = setup("cren");
    let disk = boot_disk(&env.root.join("r.img"), LOOP);
    let mut dom = env.conn().define_xml(&domain_xml("before", &disk)).unwrap();
    dom.set_autostart(true).unwrap();
    env.conn()
        .define_xml(&domain_xml("taken", &disk).replace(
            "<name>taken</name>",
            "<name>taken</name><uuid>11111111-2222-3333-4444-555555555555</uuid>",
        ))
        .unwrap();
    assert_eq!(
        err(dom.rename("taken", 0)),
        (
            ErrorCode::OperationInvalid,
            "domain with name 'taken' already exists".into()
        )
    );
    dom.rename("after", 0).unwrap();
    let etc = env.root.join("etc/qemu");
    assert!(!etc.join("before.xml").exists());
    assert!(etc.join("after.xml").exists());
    assert!(!etc.join("autostart/before.xml").exists());
    assert!(std::fs::symlink_metadata(etc.join("autostart/after.xml")).is_ok());
    let found = env.conn().lookup_domain_by_name("after").unwrap();
    assert!(found.autostart().unwrap());
    assert!(env.conn().lookup_domain_by_name("before").is_err());
    assert!(
        std::fs::read_to_string(etc.join("after.xml"))
            .unwrap()
            .contains("<name>after</name>")
    );

    if have_qemu() {
        let mut t = env.conn().create_xml(&domain_xml("tr", &disk), 0).unwrap();
        assert_eq!(
            err(t.rename("tr2", 0)),
            (
                ErrorCode::OperationInvalid,
                "cannot rename a transient domain".into()
            )
        );
    }
}

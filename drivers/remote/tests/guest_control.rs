//! rvirt's remote driver against rvirtd's `qemu:///system` with a running QEMU guest:
//! QEMU monitor passthrough (the LIBVIRT_QEMU program beside REMOTE on one
//! connection), reset, keys, job info and abort, block resize, node counters, each
//! answered as the local driver answers.

use rvirt_core::{Connect, ErrorCode};
use rvirt_testkit::{Daemon, HALT, QemuReaper, TempDir, have_qemu, write_guest};

#[test]
fn monitor_passthrough_and_guest_control_over_the_wire() {
    if !have_qemu() {
        return;
    }
    let root = TempDir::new("remote-ctl");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with(
        "remote-ctl",
        &["--qemu-root", root.0.join("qemu").to_str().unwrap()],
    );
    rvirt_driver_remote::register().unwrap();
    let conn = Connect::open(&d.qemu_uri()).unwrap();
    let xml = std::fs::read_to_string(write_guest(&root.0, "rctl", HALT)).unwrap();
    let mut dom = conn.define_xml(&xml).unwrap();
    dom.create().unwrap();

    let reply = dom
        .qemu_monitor_command(r#"{"execute":"query-name","id":"mine"}"#, 0)
        .unwrap();
    assert!(
        reply.contains(r#""name":"rctl""#) && reply.contains(r#""id":"mine""#),
        "{reply}"
    );
    let hmp = dom.qemu_monitor_command("info status", 1).unwrap();
    assert!(hmp.contains("running"), "{hmp}");
    // REMOTE calls keep working on the same connection after LIBVIRT_QEMU ones.
    assert_eq!(dom.info().unwrap().nr_virt_cpu, 1);

    dom.reset(0).unwrap();
    dom.send_key(0, 0, &[30], 0).unwrap(); // KEY_A
    let e = dom.send_key(7, 0, &[4], 0).unwrap_err(); // usb codeset
    assert!(e.message().contains("cannot translate keycode"), "{e}");
    assert_eq!(dom.job_info().unwrap().job_type, 0);
    assert_eq!(
        dom.abort_job().unwrap_err().code(),
        ErrorCode::OperationInvalid
    );
    dom.block_resize("hda", 1024, 0).unwrap();
    let disk = root.0.join("rctl.img");
    assert_eq!(std::fs::metadata(&disk).unwrap().len(), 1024 * 1024);

    let cpu = conn.node_cpu_stats(-1, 0).unwrap();
    let fields: Vec<&str> = cpu.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, ["kernel", "user", "idle", "iowait"]);
    let mem = conn.node_memory_stats(-1, 0).unwrap();
    assert_eq!(mem[0].field, "total");
    assert!(mem[0].value > 0);

    dom.destroy().unwrap();
    let e = dom.qemu_monitor_command("info status", 1).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid, "{e}");
    dom.undefine().unwrap();
}

//! rvirt's remote driver against rvirtd's `qemu:///system` with a running QEMU guest:
//! QEMU monitor passthrough (the LIBVIRT_QEMU program beside REMOTE on one
//! connection), reset, keys, job info, stats and abort, block resize, node counters,
//! security labels, the migration cap, KSM tunables, SEV and the managed save image's
//! XML, each answered as the local driver answers.

use rvirt_core::api::{TypedParam, TypedValue};
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
    // Block jobs over the wire: no overlay to commit, no job to end or speed up.
    let e = dom.block_commit("hda", None, None, 0, 4).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArg, "{e}");
    assert!(e.message().contains("could not find base image"), "{e}");
    let e = dom.block_job_abort("hda", 0).unwrap_err();
    assert!(
        e.message().contains("does not have an active block job"),
        "{e}"
    );
    let e = dom.block_job_set_speed("hda", 1, 0).unwrap_err();
    assert!(
        e.message().contains("does not have an active block job"),
        "{e}"
    );
    dom.block_resize("hda", 1024, 0).unwrap();
    let disk = root.0.join("rctl.img");
    assert_eq!(std::fs::metadata(&disk).unwrap().len(), 1024 * 1024);

    // A block copy over the wire, its typed parameters included: refused for a persistent
    // domain without TRANSIENT_JOB and for a granularity that is no power of two, then
    // started with a cap, seen as a copy job, and cancelled.
    let copy = root.0.join("rctl-copy.img");
    let dest = format!(
        "<disk type='file'><source file='{}'/></disk>",
        copy.display()
    );
    let e = dom.block_copy("hda", &dest, &[], 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid, "{e}");
    assert!(e.message().contains("domain is not transient"), "{e}");
    let granularity = TypedParam::new("granularity", TypedValue::UInt(1000));
    let e = dom.block_copy("hda", &dest, &[granularity], 4).unwrap_err();
    assert!(
        e.message().contains("granularity must be power of 2"),
        "{e}"
    );
    let cap = TypedParam::new("bandwidth", TypedValue::ULLong(4096));
    dom.block_copy("hda", &dest, &[cap], 4).unwrap();
    let job = dom.block_job_info("hda", 1).unwrap().expect("a copy job");
    assert_eq!((job.job_type, job.bandwidth), (2, 4096));
    assert!(dom.xml_desc(0).unwrap().contains("<mirror type='file'"));
    dom.block_job_abort("hda", 0).unwrap();
    assert!(dom.block_job_info("hda", 0).unwrap().is_none());
    assert!(copy.exists());

    let cpu = conn.node_cpu_stats(-1, 0).unwrap();
    let fields: Vec<&str> = cpu.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, ["kernel", "user", "idle", "iowait"]);
    let mem = conn.node_memory_stats(-1, 0).unwrap();
    assert_eq!(mem[0].field, "total");
    assert!(mem[0].value > 0);

    // Job stats, labels, migration cap, KSM tunables and SEV, as the local driver.
    assert_eq!(dom.job_stats(0).unwrap(), (0, Vec::new()));
    assert_eq!(
        dom.abort_job_flags(0).unwrap_err().code(),
        ErrorCode::OperationInvalid
    );
    assert_eq!(dom.migrate_max_speed(0).unwrap(), 8_796_093_022_207);
    dom.migrate_set_max_speed(64, 0).unwrap();
    assert_eq!(dom.migrate_max_speed(0).unwrap(), 64);
    assert_eq!(
        dom.migrate_set_max_speed(1 << 43, 0).unwrap_err().code(),
        ErrorCode::Overflow
    );
    assert_eq!(dom.migrate_max_downtime(0).unwrap(), 300, "QEMU's default");
    dom.migrate_set_max_downtime(120, 0).unwrap();
    assert_eq!(dom.migrate_max_downtime(0).unwrap(), 120);
    let labels = dom.security_label_list().unwrap();
    assert_eq!(labels.len(), 2);
    assert!(labels[1].label.starts_with('+'), "{labels:?}");
    let ksm = conn.node_memory_parameters(0).unwrap();
    assert_eq!(ksm[0].field, "shm_pages_to_scan");
    let sev = conn.sev_info(0).unwrap_err();
    assert_eq!(sev.code(), ErrorCode::OperationUnsupported, "{sev}");
    let e = dom.managed_save_xml_desc(0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid, "{e}");
    // Block counters and jobs, free pages, a dirty-rate measurement, the argv.
    let blk = dom.block_stats_flags("hda", 0).unwrap();
    assert_eq!(blk.len(), 8);
    assert_eq!(blk[0].field, "wr_bytes");
    assert_eq!(dom.block_job_info("hda", 0).unwrap(), None);
    assert_eq!(conn.free_pages(&[2048], 0, 1, 0).unwrap().len(), 1);
    dom.start_dirty_rate_calc(1, 0).unwrap();
    let argv = conn.domain_xml_to_native("qemu-argv", &xml, 0).unwrap();
    assert!(argv.contains("-name guest=rctl"), "{argv}");
    let e = dom.detach_device_alias("nosuch", 0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::DeviceMissing, "{e}");

    dom.destroy().unwrap();
    let e = dom.qemu_monitor_command("info status", 1).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OperationInvalid, "{e}");
    dom.undefine().unwrap();
}

//! The QEMU driver hosted by rvirtd (`qemu:///system` rooted at `--qemu-root`): Debian's
//! virsh defines and starts a real QEMU guest (TCG) that powers itself off, and
//! `virsh event` on another connection sees the whole lifecycle.

use rvirt_testkit::{
    Daemon, POWEROFF, QemuReaper, TempDir, have_qemu, have_virsh, text, virsh_ok, virsh_thread,
    write_guest,
};
use std::time::{Duration, Instant};

#[test]
fn qemu_guest_lifecycle_through_virsh() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-root");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    // A 512-byte boot sector that powers the pc machine off through ACPI.
    let xml_path = write_guest(&root, "qdemo", POWEROFF);

    let events = virsh_thread(
        &uri,
        &["event", "--event", "lifecycle", "--loop", "--timeout", "15"],
        30,
    );
    d.wait_log("lifecycle event callback 0 registered");

    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    let out = virsh_ok(&uri, &["start", "qdemo"]);
    assert!(out.contains("Domain 'qdemo' started"), "{out}");
    // The guest powers itself off; the QEMU monitor's SHUTDOWN stops the domain.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = virsh_ok(&uri, &["domstate", "qdemo"]);
        if out.trim() == "shut off" {
            break;
        }
        assert!(Instant::now() < deadline, "guest never powered off: {out}");
        std::thread::sleep(Duration::from_millis(100));
    }
    virsh_ok(&uri, &["undefine", "qdemo"]);
    let out = virsh_ok(&uri, &["list", "--all"]);
    assert!(!out.contains("qdemo"), "{out}");

    let o = events.join().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("event 'lifecycle'"))
        .collect();
    assert_eq!(
        lines.first().copied(),
        Some("event 'lifecycle' for domain 'qdemo': Defined Added"),
        "{out}"
    );
    for want in [
        "event 'lifecycle' for domain 'qdemo': Started Booted",
        "event 'lifecycle' for domain 'qdemo': Stopped Shutdown",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in:\n{out}");
    }
    assert_eq!(
        lines.last().copied(),
        Some("event 'lifecycle' for domain 'qdemo': Undefined Removed"),
        "{out}"
    );
}

//! rvirtd killed with SIGKILL while real QEMU guests (TCG) run, then restarted: every
//! guest is found again (issue 9), with the same ids, names and states in Debian's
//! virsh, and events resume through the reconnected monitors.

use rvirt_testkit::{
    Daemon, LOOP, QemuReaper, TempDir, have_qemu, have_virsh, qemu_pids, text, virsh_ok,
    virsh_thread, write_guest,
};

#[test]
fn a_killed_daemon_restarts_and_finds_every_running_guest() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("k9-root");
    let _reaper = QemuReaper(root.0.clone());
    let qemu_root = root.0.join("q");
    let args = ["--qemu-root", qemu_root.to_str().unwrap()];
    let mut first = Daemon::start_with("k9-a", &args);
    let persistent = write_guest(&root, "keeper", LOOP);
    let transient = write_guest(&root, "passer", LOOP);
    virsh_ok(&first.qemu_uri(), &["define", persistent.to_str().unwrap()]);
    virsh_ok(&first.qemu_uri(), &["start", "keeper"]);
    virsh_ok(&first.qemu_uri(), &["create", transient.to_str().unwrap()]);
    let before = virsh_ok(&first.qemu_uri(), &["list"]);
    let pids = qemu_pids(&qemu_root);
    assert_eq!(pids.len(), 2, "{before}");

    // SIGKILL: no cleanup of any kind in the daemon.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert_eq!(
        qemu_pids(&qemu_root),
        pids,
        "the guests died with the daemon"
    );

    let second = Daemon::start_with("k9-b", &args);
    let uri = second.qemu_uri();
    let after = virsh_ok(&uri, &["list"]);
    assert_eq!(
        after, before,
        "domains (ids, names, states) after the restart"
    );
    // Events resume: the monitors are watched again by the new daemon.
    let events = virsh_thread(
        &uri,
        &["event", "--event", "lifecycle", "--loop", "--timeout", "5"],
        30,
    );
    second.wait_log("lifecycle event callback");
    // A guest crash is noticed through the reconnected monitor ...
    // SAFETY: SIGKILL to the transient guest's QEMU, started by this test.
    unsafe {
        libc::kill(pids[1], libc::SIGKILL);
    }
    // ... and an API call reaches the other one.
    virsh_ok(&uri, &["destroy", "keeper"]);
    let o = events.join().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    for want in [
        "event 'lifecycle' for domain 'keeper': Stopped Destroyed",
        "event 'lifecycle' for domain 'passer': Stopped Failed",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(qemu_pids(&qemu_root).is_empty());
    let list = virsh_ok(&uri, &["list", "--all"]);
    assert!(
        list.contains("keeper") && list.contains("shut off"),
        "{list}"
    );
    assert!(!list.contains("passer"), "{list}");
    virsh_ok(&uri, &["undefine", "keeper"]);
}

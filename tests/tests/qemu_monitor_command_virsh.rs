//! `virsh qemu-monitor-command` (libvirt-qemu's LIBVIRT_QEMU program) against rvirtd's
//! QEMU driver with a running guest: a QMP command comes back as QEMU's reply object
//! with an id, an HMP command line as its text, a command QEMU refuses as QEMU's
//! error object (not a failed call), and the read-only socket is refused.

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, boot_disk, domain_xml, have_qemu, have_virsh, virsh,
    virsh_ok,
};

#[test]
fn qmp_and_hmp_pass_through() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-mon");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("vmon.img"), HALT);
    let xml = root.join("vmon.xml");
    std::fs::write(&xml, domain_xml("vmon", &disk)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "vmon"]);

    let out = virsh_ok(
        &uri,
        &[
            "qemu-monitor-command",
            "vmon",
            r#"{"execute":"query-name"}"#,
        ],
    );
    let reply: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(reply["return"]["name"], "vmon", "{out}");
    assert!(
        reply["id"]
            .as_str()
            .is_some_and(|i| i.starts_with("libvirt-")),
        "{out}"
    );

    let out = virsh_ok(
        &uri,
        &["qemu-monitor-command", "vmon", "--hmp", "info status"],
    );
    assert!(out.contains("VM status: running"), "{out}");

    // virsh turns a bare word into {"execute": word}; QEMU's refusal is the answer.
    let out = virsh_ok(&uri, &["qemu-monitor-command", "vmon", "no-such-command"]);
    let reply: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(reply["error"]["class"], "CommandNotFound", "{out}");

    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let refused = virsh(
        &ro,
        &["qemu-monitor-command", "vmon", "--hmp", "info status"],
    );
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("read only access prevents virDomainQemuMonitorCommand"),
        "{err}"
    );

    virsh_ok(&uri, &["destroy", "vmon"]);
    let stopped = virsh(
        &uri,
        &["qemu-monitor-command", "vmon", "--hmp", "info status"],
    );
    assert!(!stopped.status.success());
    virsh_ok(&uri, &["undefine", "vmon"]);
}

//! A disk's write threshold through rvirtd's QEMU driver (DOMAIN_SET_BLOCK_THRESHOLD and
//! the BLOCK_THRESHOLD event) with Debian's virsh: `domblkthreshold` arms QEMU's
//! threshold on the image's storage node, a write past it (through QEMU's own block
//! layer, `qemu-io`) reaches `virsh event --event block-threshold` with the disk, its
//! path, the threshold and the excess, and libvirt's refusals come in its words.

use std::process::{Command, Stdio};
use std::time::Duration;

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, have_qemu, have_virsh, qmp_return, virsh_err, virsh_ok,
    write_guest,
};

/// The write threshold QEMU reports for the node reading `path` with driver `drv`.
fn threshold_of(uri: &str, path: &str, drv: &str) -> u64 {
    let nodes = qmp_return(uri, "bt", "query-named-block-nodes");
    nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["file"] == path && n["drv"] == drv)
        .and_then(|n| n["write_threshold"].as_u64())
        .unwrap_or_else(|| panic!("no {drv} node for {path}: {nodes}"))
}

#[test]
fn domblkthreshold_arms_qemu_and_the_event_fires() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-blkthreshold");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.join("q").to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "bt", HALT);
    let image = root.join("bt.img");
    let mut disk = std::fs::read(&image).unwrap();
    disk.resize(1 << 20, 0);
    std::fs::write(&image, disk).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    let err = virsh_err(&uri, &["domblkthreshold", "bt", "hda", "4096"]);
    assert!(
        err.contains("Requested operation is not valid: domain is not running"),
        "{err}"
    );
    virsh_ok(&uri, &["start", "bt"]);
    let path = image.to_str().unwrap();

    let err = virsh_err(&uri, &["domblkthreshold", "bt", "hdz", "4096"]);
    assert!(
        err.contains("invalid argument: failed to find disk 'hdz'"),
        "{err}"
    );
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let err = virsh_err(&ro, &["domblkthreshold", "bt", "hda", "4096"]);
    assert!(
        err.contains("read only access prevents virDomainSetBlockThreshold"),
        "{err}"
    );

    let events = Command::new("virsh")
        .args([
            "-c",
            &uri,
            "event",
            "bt",
            "--event",
            "block-threshold",
            "--timeout",
            "20",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    virsh_ok(&uri, &["domblkthreshold", "bt", "hda", "4096"]);
    assert_eq!(threshold_of(&uri, path, "file"), 4096);
    // A write of 4 KiB at 8 KiB through the disk's own block backend (`qemu-io -d` on its
    // device): 8 KiB past the threshold.
    let qdev = qmp_return(&uri, "bt", "query-block")
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["inserted"]["file"] == path)
        .and_then(|b| b["qdev"].as_str().map(str::to_owned))
        .unwrap();
    virsh_ok(
        &uri,
        &[
            "qemu-monitor-command",
            "bt",
            "--hmp",
            &format!("qemu-io -d {qdev} \"write 8192 4096\""),
        ],
    );
    let out = events.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains(&format!(
            "event 'block-threshold' for domain 'bt': dev: hda({path}) 4096 8192"
        )),
        "{out}"
    );
    // QEMU disarmed it as it fired.
    assert_eq!(threshold_of(&uri, path, "file"), 0);
    virsh_ok(&uri, &["destroy", "bt"]);
}

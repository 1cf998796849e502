//! `virsh blkdeviotune` through rvirtd (DOMAIN_GET/SET_BLOCK_IO_TUNE) on a real TCG
//! guest: a disk's `<iotune>` is QEMU's throttle from the start (`query-block`), a
//! live set merges as libvirt's (a family named is replaced whole, the others kept)
//! and reaches QEMU, whose refusals come back; `--config` changes only the persistent
//! `<iotune>`, which the next start applies.

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, boot_disk, domain_xml, have_qemu, have_virsh, qmp_return,
    text, virsh, virsh_ok,
};

/// The value `virsh blkdeviotune` prints for `name`.
fn field(out: &str, name: &str) -> u64 {
    out.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == name).then(|| v.trim().parse().ok())?
        })
        .unwrap_or_else(|| panic!("no {name} in:\n{out}"))
}

/// QEMU's throttle of the guest's disk (`query-block`'s `inserted`).
fn qemu_throttle(uri: &str, dom: &str) -> serde_json::Value {
    let blocks = qmp_return(uri, dom, "query-block");
    blocks
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["qdev"].as_str().is_some_and(|q| q.contains("ide0-0-0")))
        .map(|b| b["inserted"].clone())
        .unwrap_or_else(|| panic!("no ide0-0-0 in {blocks}"))
}

#[test]
fn blkdeviotune_sets_qemus_throttle() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-bio");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("vbio.img"), HALT);
    let xml = domain_xml("vbio", &disk).replace(
        "<target dev='hda' bus='ide'/>",
        "<target dev='hda' bus='ide'/><iotune><total_bytes_sec>1048576</total_bytes_sec>\
         <read_iops_sec>100</read_iops_sec></iotune>",
    );
    let file = root.join("vbio.xml");
    std::fs::write(&file, xml).unwrap();
    virsh_ok(&uri, &["define", file.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "vbio"]);

    // The definition's throttle is QEMU's from the start.
    let q = qemu_throttle(&uri, "vbio");
    assert_eq!(
        (q["bps"].as_u64(), q["iops_rd"].as_u64()),
        (Some(1_048_576), Some(100))
    );
    let shown = virsh_ok(&uri, &["blkdeviotune", "vbio", "hda"]);
    assert_eq!(field(&shown, "total_bytes_sec"), 1_048_576, "{shown}");
    assert_eq!(field(&shown, "read_iops_sec"), 100, "{shown}");

    // Live: the iops family is replaced, bytes kept.
    virsh_ok(
        &uri,
        &[
            "blkdeviotune",
            "vbio",
            "hda",
            "--write-iops-sec",
            "50",
            "--live",
        ],
    );
    let q = qemu_throttle(&uri, "vbio");
    assert_eq!(q["iops_wr"].as_u64(), Some(50), "{q}");
    assert_eq!(q["iops_rd"].as_u64(), Some(0), "{q}");
    assert_eq!(q["bps"].as_u64(), Some(1_048_576), "{q}");
    let live = virsh_ok(&uri, &["dumpxml", "vbio"]);
    assert!(
        live.contains("<write_iops_sec>50</write_iops_sec>"),
        "{live}"
    );
    assert!(!live.contains("<read_iops_sec>"), "{live}");
    let inactive = virsh_ok(&uri, &["dumpxml", "--inactive", "vbio"]);
    assert!(
        inactive.contains("<read_iops_sec>100</read_iops_sec>"),
        "{inactive}"
    );

    // QEMU's own refusal comes back; nothing changes.
    let o = virsh(
        &uri,
        &[
            "blkdeviotune",
            "vbio",
            "hda",
            "--total-bytes-sec",
            "10",
            "--read-bytes-sec",
            "5",
        ],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("block_set_io_throttle"), "{err}");
    assert_eq!(qemu_throttle(&uri, "vbio")["bps"].as_u64(), Some(1_048_576));
    let o = virsh(&uri, &["blkdeviotune", "vbio", "vdz"]);
    let (_, err) = text(&o);
    assert!(
        err.contains("disk 'vdz' was not found in the domain config"),
        "{err}"
    );

    // Persistent only, applied at the next start.
    virsh_ok(
        &uri,
        &[
            "blkdeviotune",
            "vbio",
            "hda",
            "--total-iops-sec",
            "7",
            "--config",
        ],
    );
    assert_eq!(qemu_throttle(&uri, "vbio")["iops"].as_u64(), Some(0));
    let shown = virsh_ok(&uri, &["blkdeviotune", "vbio", "hda", "--config"]);
    assert_eq!(field(&shown, "total_iops_sec"), 7, "{shown}");
    assert_eq!(field(&shown, "read_iops_sec"), 0, "{shown}");
    virsh_ok(&uri, &["destroy", "vbio"]);
    virsh_ok(&uri, &["start", "vbio"]);
    let q = qemu_throttle(&uri, "vbio");
    assert_eq!(
        (q["iops"].as_u64(), q["bps"].as_u64()),
        (Some(7), Some(1_048_576)),
        "{q}"
    );

    // Read-only clients may look, not set.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    assert_eq!(
        field(
            &virsh_ok(&ro, &["blkdeviotune", "vbio", "hda"]),
            "total_iops_sec"
        ),
        7
    );
    let o = virsh(
        &ro,
        &["blkdeviotune", "vbio", "hda", "--total-iops-sec", "8"],
    );
    assert!(!o.status.success());

    virsh_ok(&uri, &["destroy", "vbio"]);
    virsh_ok(&uri, &["undefine", "vbio"]);
}

//! Domain checkpoints of a real QEMU guest (TCG, a boot-sector loop on a qcow2 disk)
//! through rvirtd's QEMU driver with Debian's virsh (issue 18): `checkpoint-create-as`
//! while running adds a persistent dirty bitmap named after the checkpoint to the
//! disk's format node (seen with `qemu-monitor-command … query-named-block-nodes`); the
//! second checkpoint's parent is the first; list, parent and dumpxml (with and without
//! the domain; `--size` from the bitmap's dirty count while running, refused when shut
//! off); delete removes the bitmap; a restarted rvirtd keeps the checkpoints (0600 files
//! in libvirt's layout); `--redefine --redefine-validate` checks the bitmap is there;
//! after the guest stops the image lists the persistent bitmaps (`qemu-img info`); a
//! checkpoint of the shut-off guest is added and deleted with `qemu-img bitmap`; a raw
//! disk is refused; undefine is refused while checkpoint metadata exists, and
//! `--checkpoints-metadata` removes it.
//!
//! Every wait is bounded; QEMU processes are killed by pid ([`QemuReaper`]).

use std::path::Path;
use std::process::Command;

use rvirt_testkit::{
    Daemon, LOOP, QemuReaper, TempDir, boot_disk, have_qemu, have_virsh, qmp_return, text,
    virsh_err, virsh_ok,
};
use serde_json::Value;

/// A 64 MiB guest booting `image` (`format`) as virtio disk vda.
fn guest(name: &str, image: &Path, format: &str) -> String {
    format!(
        "<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory>
           <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
           <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
             <disk type='file' device='disk'><driver name='qemu' type='{format}'/>
               <source file='{}'/><target dev='vda' bus='virtio'/></disk>
             <memballoon model='none'/></devices></domain>",
        image.display()
    )
}

/// The dirty bitmaps QEMU shows on any block node: `(name, persistent)`, sorted.
fn live_bitmaps(uri: &str, dom: &str) -> Vec<(String, bool)> {
    let nodes = qmp_return(uri, dom, "query-named-block-nodes");
    let mut found: Vec<(String, bool)> = nodes
        .as_array()
        .unwrap_or_else(|| panic!("{nodes}"))
        .iter()
        .flat_map(|n| n["dirty-bitmaps"].as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["name"].as_str().unwrap_or_default().to_string(),
                b["persistent"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The persistent bitmaps `qemu-img info` lists in `image`: `(name, flags)`, sorted.
fn image_bitmaps(image: &Path) -> Vec<(String, Vec<String>)> {
    let o = Command::new("qemu-img")
        .args(["info", "-U", "--output=json"])
        .arg(image)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut found: Vec<(String, Vec<String>)> = v["format-specific"]["data"]["bitmaps"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|b| {
            let flags = b["flags"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect();
            (b["name"].as_str().unwrap_or_default().to_string(), flags)
        })
        .collect();
    found.sort();
    found
}

fn names(out: &str) -> Vec<String> {
    let mut v: Vec<String> = out.split_whitespace().map(String::from).collect();
    v.sort();
    v
}

#[test]
fn checkpoints_are_persistent_dirty_bitmaps_live_and_shut_off() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-ckpt");
    let _reaper = QemuReaper(root.0.clone());
    let qemu_root = root.0.join("q");
    let args = ["--qemu-root", qemu_root.to_str().unwrap()];
    let mut first = Daemon::start_with("ckpt-a", &args);
    let uri = first.qemu_uri();
    let raw = boot_disk(&root.join("ck.raw"), LOOP);
    let image = root.join("ck.qcow2");
    let st = Command::new("qemu-img")
        .args(["convert", "-q", "-O", "qcow2"])
        .arg(&raw)
        .arg(&image)
        .status()
        .unwrap();
    assert!(st.success());
    let xml = root.join("ck.xml");
    std::fs::write(&xml, guest("ck", &image, "qcow2")).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "ck"]);

    // Running: one persistent bitmap per checkpoint on the disk's format node.
    virsh_ok(&uri, &["checkpoint-create-as", "ck", "ck1"]);
    assert_eq!(live_bitmaps(&uri, "ck"), [("ck1".to_string(), true)]);
    virsh_ok(&uri, &["checkpoint-create-as", "ck", "ck2", "second"]);
    assert_eq!(
        live_bitmaps(&uri, "ck"),
        [("ck1".to_string(), true), ("ck2".to_string(), true)]
    );
    let parent = virsh_ok(&uri, &["checkpoint-parent", "ck", "ck2"]);
    assert_eq!(parent.trim(), "ck1");
    let no_parent = virsh_err(&uri, &["checkpoint-parent", "ck", "ck1"]);
    // virsh words VIR_ERR_NO_DOMAIN_CHECKPOINT from GetParent itself.
    assert!(no_parent.contains("'ck1' has no parent"), "{no_parent}");
    let listed = virsh_ok(&uri, &["checkpoint-list", "ck", "--name"]);
    assert_eq!(names(&listed), ["ck1", "ck2"]);
    let leaves = virsh_ok(&uri, &["checkpoint-list", "ck", "--name", "--leaves"]);
    assert_eq!(names(&leaves), ["ck2"]);
    let tree = virsh_ok(&uri, &["checkpoint-list", "ck", "--tree"]);
    assert!(tree.contains("ck1") && tree.contains("+- ck2"), "{tree}");
    let dumped = virsh_ok(&uri, &["checkpoint-dumpxml", "ck", "ck2"]);
    for part in [
        "<name>ck2</name>",
        "<description>second</description>",
        "<parent>\n    <name>ck1</name>\n  </parent>",
        "<disk name='vda' checkpoint='bitmap' bitmap='ck2'/>",
        "<domain type='qemu'>",
    ] {
        assert!(dumped.contains(part), "{part} not in:\n{dumped}");
    }
    let bare = virsh_ok(&uri, &["checkpoint-dumpxml", "ck", "ck2", "--no-domain"]);
    assert!(
        !bare.contains("<domain ") && bare.contains("<name>ck2</name>"),
        "{bare}"
    );
    let sized = virsh_ok(
        &uri,
        &["checkpoint-dumpxml", "ck", "ck1", "--size", "--no-domain"],
    );
    assert!(sized.contains("bitmap='ck1' size='"), "{sized}");
    let missing = virsh_err(&uri, &["checkpoint-dumpxml", "ck", "nope"]);
    assert!(
        missing.contains("no domain checkpoint with matching name 'nope'"),
        "{missing}"
    );
    let dup = virsh_err(&uri, &["checkpoint-create-as", "ck", "ck1"]);
    assert!(dup.contains("domain moment ck1 already exists"), "{dup}");
    assert_eq!(live_bitmaps(&uri, "ck").len(), 2);

    // Delete: the bitmap goes; the parent becomes current again.
    virsh_ok(&uri, &["checkpoint-delete", "ck", "ck2"]);
    assert_eq!(live_bitmaps(&uri, "ck"), [("ck1".to_string(), true)]);
    virsh_ok(&uri, &["checkpoint-create-as", "ck", "ck3"]);
    let parent = virsh_ok(&uri, &["checkpoint-parent", "ck", "ck3"]);
    assert_eq!(parent.trim(), "ck1");
    let dir = qemu_root.join("lib/qemu/checkpoint/ck");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("ck3.xml"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(!dir.join("ck2.xml").exists());

    // A new rvirtd reads the metadata back (the guest keeps running).
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let second = Daemon::start_with("ckpt-b", &args);
    let uri = second.qemu_uri();
    let listed = virsh_ok(&uri, &["checkpoint-list", "ck", "--name"]);
    assert_eq!(names(&listed), ["ck1", "ck3"]);
    let parent = virsh_ok(&uri, &["checkpoint-parent", "ck", "ck3"]);
    assert_eq!(parent.trim(), "ck1");
    assert_eq!(
        live_bitmaps(&uri, "ck"),
        [("ck1".to_string(), true), ("ck3".to_string(), true)]
    );

    // REDEFINE (with REDEFINE_VALIDATE: the bitmap must be in QEMU) records metadata
    // only; without its bitmap the validation fails as libvirt's does.
    virsh_ok(&uri, &["checkpoint-create-as", "ck", "ck5"]);
    let saved = root.join("ck5.xml");
    std::fs::write(&saved, virsh_ok(&uri, &["checkpoint-dumpxml", "ck", "ck5"])).unwrap();
    virsh_ok(&uri, &["checkpoint-delete", "ck", "ck5", "--metadata"]);
    let file = saved.to_str().unwrap();
    virsh_ok(
        &uri,
        &[
            "checkpoint-create",
            "ck",
            file,
            "--redefine",
            "--redefine-validate",
        ],
    );
    let parent = virsh_ok(&uri, &["checkpoint-parent", "ck", "ck5"]);
    assert_eq!(parent.trim(), "ck3");
    virsh_ok(&uri, &["checkpoint-delete", "ck", "ck5"]);
    let broken = virsh_err(
        &uri,
        &[
            "checkpoint-create",
            "ck",
            file,
            "--redefine",
            "--redefine-validate",
        ],
    );
    assert!(
        broken.contains("missing or broken bitmap 'ck5' for disk 'vda'"),
        "{broken}"
    );
    let listed = virsh_ok(&uri, &["checkpoint-list", "ck", "--name"]);
    assert_eq!(names(&listed), ["ck1", "ck3"]);

    // Stopped: QEMU wrote the persistent bitmaps into the image.
    virsh_ok(&uri, &["destroy", "ck"]);
    let stored = image_bitmaps(&image);
    assert_eq!(
        stored.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["ck1", "ck3"],
        "{stored:?}"
    );
    assert!(
        stored.iter().all(|(_, f)| !f.iter().any(|x| x == "in-use")),
        "{stored:?}"
    );

    let refused = virsh_err(&uri, &["checkpoint-dumpxml", "ck", "ck1", "--size"]);
    assert!(refused.contains("domain is not running"), "{refused}");

    // Shut off: qemu-img adds and removes the bitmap; its parent is the current one.
    virsh_ok(&uri, &["checkpoint-create-as", "ck", "ck4"]);
    let stored = image_bitmaps(&image);
    let ck4 = stored.iter().find(|(n, _)| n == "ck4");
    assert!(
        ck4.is_some_and(|(_, f)| f.iter().any(|x| x == "auto")),
        "{stored:?}"
    );
    let parent = virsh_ok(&uri, &["checkpoint-parent", "ck", "ck4"]);
    assert_eq!(parent.trim(), "ck3");
    virsh_ok(&uri, &["checkpoint-delete", "ck", "ck4"]);
    let stored = image_bitmaps(&image);
    assert_eq!(stored.len(), 2, "{stored:?}");

    // METADATA_ONLY leaves the bitmap in the image.
    virsh_ok(&uri, &["checkpoint-delete", "ck", "ck3", "--metadata"]);
    assert_eq!(image_bitmaps(&image).len(), 2);
    assert!(!dir.join("ck3.xml").exists());

    // A raw disk cannot hold a bitmap.
    let raw_xml = root.join("rawck.xml");
    std::fs::write(&raw_xml, guest("rawck", &raw, "raw")).unwrap();
    virsh_ok(&uri, &["define", raw_xml.to_str().unwrap()]);
    let refused = virsh_err(&uri, &["checkpoint-create-as", "rawck", "r1"]);
    assert!(
        refused.contains("checkpoint for disk vda unsupported for storage type raw"),
        "{refused}"
    );
    let none = virsh_ok(&uri, &["checkpoint-list", "rawck", "--name"]);
    assert!(none.trim().is_empty(), "{none}");

    // Undefine: refused while checkpoint metadata exists, unless it goes too.
    let refused = virsh_err(&uri, &["undefine", "ck"]);
    assert!(
        refused.contains("cannot delete inactive domain with 1 checkpoints"),
        "{refused}"
    );
    virsh_ok(&uri, &["undefine", "ck", "--checkpoints-metadata"]);
    assert!(!dir.exists());
}

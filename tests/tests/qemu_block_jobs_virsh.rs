//! Block jobs through rvirtd's QEMU driver (DOMAIN_BLOCK_COMMIT, DOMAIN_BLOCK_PULL,
//! DOMAIN_BLOCK_REBASE, DOMAIN_BLOCK_JOB_ABORT, DOMAIN_BLOCK_JOB_SET_SPEED,
//! DOMAIN_GET_BLOCK_JOB_INFO and the block-job events) with Debian's virsh, on a running
//! guest whose raw disk got qcow2 overlays from external snapshots: `blockcommit --active`
//! then `blockjob --pivot` or `--abort`, `--bandwidth`, `--wait`, `--shallow`, `--pivot
//! --delete`; `blockpull` of the whole chain or down to `--base`, capped and aborted; and
//! libvirt 9.0's refusals in its words (checked against libvirtd 9.0's QEMU driver on the
//! same kind of guest). The guest's own writes reaching the base of a commit are checked
//! in `qemu_snapshots_virsh`.

use std::path::{Path, PathBuf};

use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, have_qemu, have_virsh, hda_job_info, hda_source,
    running_hda_guest, virsh_err, virsh_ok,
};

/// An external disk-only snapshot `name`; returns the overlay the disk now reads.
fn overlay(uri: &str, name: &str) -> PathBuf {
    virsh_ok(uri, &["snapshot-create-as", "bc", name, "--disk-only"]);
    hda_source(uri, "bc")
}

/// Pivots once the job is ready (a few retries while QEMU copies).
fn pivot(uri: &str) {
    for _ in 0..100 {
        let o = rvirt_testkit::virsh(uri, &["blockjob", "bc", "hda", "--pivot"]);
        if o.status.success() {
            return;
        }
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("not ready for pivot yet"), "{err}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the commit never became ready");
}

/// `virsh blockcommit bc hda --active --pivot EXTRA…`, which must pivot.
fn commit_and_pivot(uri: &str, extra: &[&str]) {
    let mut args = vec!["blockcommit", "bc", "hda", "--active", "--pivot"];
    args.extend_from_slice(extra);
    let out = virsh_ok(uri, &args);
    assert!(out.contains("Successfully pivoted"), "{out}");
}

fn exists(p: &Path) -> bool {
    p.exists()
}

/// The backing file `qemu-img info` names for `image` (QEMU holds it: `-U`), if any.
fn backing_of(image: &Path) -> Option<String> {
    let o = std::process::Command::new("qemu-img")
        .args(["info", "-U"])
        .arg(image)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("backing file: "))
        .map(str::to_owned)
}

/// Waits until disk hda has no job.
fn wait_no_job(uri: &str) {
    for _ in 0..200 {
        if hda_job_info(uri, "bc").contains("No current block job for hda") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the job never ended: {}", hda_job_info(uri, "bc"));
}

#[test]
fn active_commit_pivot_abort_and_refusals() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-bcommit");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.join("q").to_str().unwrap()]);
    let uri = d.qemu_uri();
    let base = running_hda_guest(&uri, &root, "bc", 0);

    // Nothing to commit yet, no such disk, no job to end.
    let err = virsh_err(&uri, &["blockcommit", "bc", "hda", "--active"]);
    assert!(
        err.contains("invalid argument: could not find base image in chain for 'hda'"),
        "{err}"
    );
    let err = virsh_err(&uri, &["blockcommit", "bc", "hdz", "--active"]);
    assert!(
        err.contains("invalid argument: disk 'hdz' not found in domain"),
        "{err}"
    );
    let err = virsh_err(&uri, &["blockjob", "bc", "hda", "--abort"]);
    assert!(
        err.contains("invalid argument: disk hda does not have an active block job"),
        "{err}"
    );

    // One overlay: the active layer needs --active; a started job shows in --info with
    // its cap, refuses a second one, takes a new cap, and a pivot lands on the base.
    let ov1 = overlay(&uri, "s1");
    assert_ne!(ov1, base);
    let err = virsh_err(&uri, &["blockcommit", "bc", "hda"]);
    assert!(
        err.contains("invalid argument: commit of 'hda' active layer requires active flag"),
        "{err}"
    );
    let out = virsh_ok(
        &uri,
        &["blockcommit", "bc", "hda", "--active", "--bandwidth", "1"],
    );
    assert!(out.contains("Active Block Commit started"), "{out}");
    let info = hda_job_info(&uri, "bc");
    assert!(
        info.contains("Active Block Commit: [100 %]")
            && info.contains("Bandwidth limit: 1048576 bytes/s"),
        "{info}"
    );
    let err = virsh_err(&uri, &["blockcommit", "bc", "hda", "--active"]);
    assert!(
        err.contains("block copy still active: disk 'hda' already in active block job"),
        "{err}"
    );
    virsh_ok(&uri, &["blockjob", "bc", "hda", "--bandwidth", "2"]);
    assert!(
        hda_job_info(&uri, "bc").contains("Bandwidth limit: 2097152 bytes/s"),
        "{}",
        hda_job_info(&uri, "bc")
    );
    pivot(&uri);
    assert_eq!(hda_source(&uri, "bc"), base);
    assert!(hda_job_info(&uri, "bc").contains("No current block job for hda"));
    assert!(exists(&ov1), "without --delete the overlay stays");

    // --wait stops at the synchronized phase; --abort then keeps the overlay.
    let ov2 = overlay(&uri, "s2");
    let out = virsh_ok(&uri, &["blockcommit", "bc", "hda", "--active", "--wait"]);
    assert!(out.contains("Now in synchronized phase"), "{out}");
    virsh_ok(&uri, &["blockjob", "bc", "hda", "--abort"]);
    assert_eq!(hda_source(&uri, "bc"), ov2);

    // Two overlays: --shallow commits the top one into the one beneath; then --pivot
    // --delete commits the rest into the base and removes the overlay file.
    let ov3 = overlay(&uri, "s3");
    commit_and_pivot(&uri, &["--shallow"]);
    assert_eq!(hda_source(&uri, "bc"), ov2);
    assert!(exists(&ov3));
    commit_and_pivot(&uri, &["--delete"]);
    assert_eq!(hda_source(&uri, "bc"), base);
    assert!(!exists(&ov2), "--delete removes the committed overlay");
    let inactive = virsh_ok(&uri, &["dumpxml", "bc", "--inactive"]);
    assert!(inactive.contains(base.to_str().unwrap()), "{inactive}");

    virsh_ok(&uri, &["destroy", "bc"]);
    let err = virsh_err(&uri, &["blockcommit", "bc", "hda", "--active"]);
    assert!(err.contains("domain is not running"), "{err}");
    virsh_ok(&uri, &["undefine", "bc", "--snapshots-metadata"]);
}

#[test]
fn pull_whole_chain_or_down_to_a_base() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-bpull");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.join("q").to_str().unwrap()]);
    let uri = d.qemu_uri();
    // 4 MiB of data beneath: more than the one chunk a capped pull copies at once.
    running_hda_guest(&uri, &root, "bc", 4 << 20);

    // Nothing beneath: the job starts and ends at once, as with libvirt.
    let out = virsh_ok(&uri, &["blockpull", "bc", "hda"]);
    assert!(out.contains("Block Pull started"), "{out}");
    wait_no_job(&uri);

    let ov1 = overlay(&uri, "s1");
    let ov2 = overlay(&uri, "s2");
    assert_eq!(backing_of(&ov2).as_deref(), ov1.to_str());
    // Down to ov1: the top keeps ov1 beneath it.
    let out = virsh_ok(
        &uri,
        &[
            "blockpull",
            "bc",
            "hda",
            "--base",
            ov1.to_str().unwrap(),
            "--wait",
            "--verbose",
        ],
    );
    assert!(out.contains("Pull complete"), "{out}");
    assert_eq!(backing_of(&ov2).as_deref(), ov1.to_str());
    let err = virsh_err(
        &uri,
        &[
            "blockpull",
            "bc",
            "hda",
            "--base",
            "/nonexistent.img",
            "--wait",
        ],
    );
    assert!(
        err.contains("could not find image '/nonexistent.img' beneath"),
        "{err}"
    );

    // Capped to a byte a second, the job lasts: it shows, refuses company and a pivot,
    // and is aborted.
    let out = virsh_ok(
        &uri,
        &["blockpull", "bc", "hda", "--bandwidth", "1", "--bytes"],
    );
    assert!(out.contains("Block Pull started"), "{out}");
    let info = hda_job_info(&uri, "bc");
    assert!(
        info.contains("Block Pull:") && info.contains("Bandwidth limit: 1 bytes/s"),
        "{info}"
    );
    let err = virsh_err(&uri, &["blockpull", "bc", "hda"]);
    assert!(
        err.contains("Operation not supported: disk 'hda' already in active block job"),
        "{err}"
    );
    let err = virsh_err(&uri, &["blockjob", "bc", "hda", "--pivot"]);
    assert!(
        err.contains("pivot of disk 'hda' requires an active copy job"),
        "{err}"
    );
    virsh_ok(&uri, &["blockjob", "bc", "hda", "--abort"]);
    wait_no_job(&uri);

    // The whole chain: the top stands alone and the disk still reads it.
    let out = virsh_ok(&uri, &["blockpull", "bc", "hda", "--wait"]);
    assert!(out.contains("Pull complete"), "{out}");
    assert_eq!(backing_of(&ov2), None);
    assert_eq!(hda_source(&uri, "bc"), ov2);

    virsh_ok(&uri, &["destroy", "bc"]);
    virsh_ok(&uri, &["undefine", "bc", "--snapshots-metadata"]);
}

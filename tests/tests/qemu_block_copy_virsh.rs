//! Block copy through rvirtd's QEMU driver (DOMAIN_BLOCK_COPY, DOMAIN_BLOCK_REBASE with
//! COPY, DOMAIN_BLOCK_JOB_ABORT, DOMAIN_GET_BLOCK_JOB_INFO, the live XML's `<mirror>`)
//! with Debian's virsh on a running guest: `blockcopy --transient-job` of a persistent
//! domain, `--wait` to the mirroring phase, `blockjob --pivot`, `--finish`, `--abort` of a
//! capped copy, `--shallow` over an external snapshot's overlay and `--format raw` of a
//! transient domain; the copies checked with `qemu-img`, and libvirt 9.0's refusals in its
//! words (checked against libvirtd 9.0's QEMU driver on the same kind of guest).

use std::path::Path;
use std::time::Duration;

use rvirt_testkit::{
    Daemon, QemuReaper, TempDir, fact, have_python_libvirt, have_qemu, have_virsh, hda_job_info,
    hda_source, python, qmp_return, running_hda_guest, text, virsh_err, virsh_ok,
};

/// OpenStack Nova's volume swap, in python3-libvirt: `blockCopy` to a destination made
/// beforehand (`REUSE_EXT`, the format given in the XML), polled with `blockJobInfo` and
/// the live XML's `<mirror ready='yes'>` until it can pivot, then `blockJobAbort` with
/// `PIVOT`. Prints `ready=…` and `pivot=ok`.
const NOVA_SWAP: &str = r#"
import sys, time, libvirt
uri, dest = sys.argv[1], sys.argv[2]
c = libvirt.open(uri)
d = c.lookupByName("bc")
xml = "<disk type='file'><driver name='qemu' type='qcow2'/><source file='%s'/></disk>" % dest
d.blockCopy("hda", xml, {"bandwidth": 0}, libvirt.VIR_DOMAIN_BLOCK_COPY_REUSE_EXT)
ready = False
for _ in range(400):
    info = d.blockJobInfo("hda", 0)
    if info and info["cur"] == info["end"] and "ready='yes'" in d.XMLDesc(0):
        ready = True
        break
    time.sleep(0.025)
print("ready=%s" % ready)
print("type=%d" % info["type"])
d.blockJobAbort("hda", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)
print("pivot=ok")
"#;

/// `qemu-img info -U IMAGE`'s line starting with `key: `.
fn image_fact(image: &Path, key: &str) -> Option<String> {
    let o = std::process::Command::new("qemu-img")
        .args(["info", "-U"])
        .arg(image)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let prefix = format!("{key}: ");
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map(str::to_owned)
}

/// `qemu-img compare -U A B` says both images hold the same data.
fn same_data(a: &Path, b: &Path) -> bool {
    std::process::Command::new("qemu-img")
        .args(["compare", "-U"])
        .arg(a)
        .arg(b)
        .output()
        .unwrap()
        .status
        .success()
}

/// The files QEMU's block nodes read.
fn qemu_files(uri: &str) -> Vec<String> {
    qmp_return(uri, "bc", "query-named-block-nodes")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["file"].as_str().map(str::to_owned))
        .collect()
}

/// The `<disk>` of hda in the live XML.
fn live_disk(uri: &str) -> String {
    let xml = virsh_ok(uri, &["dumpxml", "bc"]);
    let start = xml.find("<disk").unwrap();
    let end = xml[start..].find("</disk>").unwrap() + start;
    xml[start..end].to_string()
}

#[test]
fn copy_of_a_persistent_domain_pivot_finish_and_refusals() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-bcopy");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.join("q").to_str().unwrap()]);
    let uri = d.qemu_uri();
    let base = running_hda_guest(&uri, &root, "bc", 1 << 20);
    let copy = root.join("copy.img");
    let c = copy.to_str().unwrap();

    // libvirt 9.0's refusals.
    let err = virsh_err(&uri, &["blockcopy", "bc", "hda", c]);
    assert!(
        err.contains("Requested operation is not valid: domain is not transient"),
        "{err}"
    );
    let err = virsh_err(&uri, &["blockcopy", "bc", "hdz", c, "--transient-job"]);
    assert!(
        err.contains("invalid argument: disk 'hdz' not found in domain"),
        "{err}"
    );
    let err = virsh_err(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            c,
            "--transient-job",
            "--reuse-external",
        ],
    );
    assert!(
        err.contains(&format!(
            "missing destination file for disk hda: {c}: No such file or directory"
        )),
        "{err}"
    );
    let err = virsh_err(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            c,
            "--transient-job",
            "--granularity",
            "1000",
        ],
    );
    assert!(
        err.contains("invalid argument: granularity must be power of 2"),
        "{err}"
    );
    let taken = base.to_str().unwrap();
    let err = virsh_err(&uri, &["blockcopy", "bc", "hda", taken, "--transient-job"]);
    assert!(
        err.contains(&format!(
            "unsupported configuration: external destination file for disk hda already \
             exists and is not a block device: {taken}"
        )),
        "{err}"
    );
    assert!(!copy.exists());
    // Never into the daemon's own directories, named directly or through a symlink.
    let own = d.rw_socket().parent().unwrap().join("copy.img");
    let err = virsh_err(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            own.to_str().unwrap(),
            "--transient-job",
        ],
    );
    assert!(err.contains("as a copy destination"), "{err}");
    assert!(!own.exists());
    let link = root.join("link.img");
    std::os::unix::fs::symlink(d.rw_socket(), &link).unwrap();
    let err = virsh_err(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            link.to_str().unwrap(),
            "--transient-job",
            "--reuse-external",
        ],
    );
    assert!(
        err.contains("path resolves inside the daemon's own directories"),
        "{err}"
    );

    // A copy waited for until it mirrors: the live XML shows it as the disk's mirror.
    let out = virsh_ok(
        &uri,
        &["blockcopy", "bc", "hda", c, "--transient-job", "--wait"],
    );
    assert!(out.contains("Now in mirroring phase"), "{out}");
    let disk = live_disk(&uri);
    assert!(
        disk.contains(&format!(
            "<mirror type='file' file='{c}' format='raw' job='copy' ready='yes'>"
        )),
        "{disk}"
    );
    assert!(hda_job_info(&uri, "bc").contains("Block Copy: [100 %]"));
    assert!(!virsh_ok(&uri, &["dumpxml", "bc", "--inactive"]).contains("<mirror"));
    let err = virsh_err(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            root.join("x").to_str().unwrap(),
            "--transient-job",
        ],
    );
    assert!(
        err.contains("block copy still active: disk 'hda' already in active block job"),
        "{err}"
    );

    // The pivot: the disk reads the copy, in the live and the persistent definitions.
    virsh_ok(&uri, &["blockjob", "bc", "hda", "--pivot"]);
    assert_eq!(hda_source(&uri, "bc"), copy);
    assert!(!live_disk(&uri).contains("<mirror"));
    assert!(hda_job_info(&uri, "bc").contains("No current block job for hda"));
    assert!(virsh_ok(&uri, &["dumpxml", "bc", "--inactive"]).contains(&format!("'{c}'")));
    assert!(same_data(&base, &copy));
    assert_eq!(image_fact(&copy, "file format").as_deref(), Some("raw"));
    // The old image left QEMU.
    let files = qemu_files(&uri);
    assert!(!files.iter().any(|f| Path::new(f) == base), "{files:?}");

    // --finish: a consistent qcow2 copy while the disk stays where it is.
    let second = root.join("second.qcow2");
    let s = second.to_str().unwrap();
    let out = virsh_ok(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            s,
            "--transient-job",
            "--format",
            "qcow2",
            "--wait",
            "--finish",
        ],
    );
    assert!(out.contains("Successfully copied"), "{out}");
    assert_eq!(hda_source(&uri, "bc"), copy);
    assert_eq!(image_fact(&second, "file format").as_deref(), Some("qcow2"));
    assert!(same_data(&copy, &second));
    let files = qemu_files(&uri);
    assert!(!files.iter().any(|f| f == s), "{files:?}");
    assert!(!live_disk(&uri).contains("<mirror"));

    // A read-only connection may not copy.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let err = virsh_err(&ro, &["blockcopy", "bc", "hda", s, "--transient-job"]);
    assert!(
        err.contains("read only access prevents virDomainBlockCopy"),
        "{err}"
    );
}

#[test]
fn shallow_raw_and_aborted_copies_of_a_transient_domain() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-bcopy-t");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.join("q").to_str().unwrap()]);
    let uri = d.qemu_uri();
    let base = running_hda_guest(&uri, &root, "bc", 8 << 20);
    virsh_ok(&uri, &["snapshot-create-as", "bc", "s1", "--disk-only"]);
    let overlay = hda_source(&uri, "bc");
    virsh_ok(&uri, &["undefine", "bc"]);

    // --shallow: a qcow2 copy of the overlay alone, backed by the same base.
    let shallow = root.join("shallow.qcow2");
    let sh = shallow.to_str().unwrap();
    let out = virsh_ok(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            sh,
            "--shallow",
            "--wait",
            "--pivot",
        ],
    );
    assert!(out.contains("Successfully pivoted"), "{out}");
    assert_eq!(hda_source(&uri, "bc"), shallow);
    assert_eq!(
        image_fact(&shallow, "file format").as_deref(),
        Some("qcow2")
    );
    assert_eq!(
        image_fact(&shallow, "backing file").as_deref(),
        base.to_str()
    );
    assert!(same_data(&overlay, &shallow));

    // A full raw copy: no backing file left.
    let flat = root.join("flat.raw");
    let f = flat.to_str().unwrap();
    let out = virsh_ok(
        &uri,
        &[
            "blockcopy",
            "bc",
            "hda",
            f,
            "--format",
            "raw",
            "--wait",
            "--pivot",
        ],
    );
    assert!(out.contains("Successfully pivoted"), "{out}");
    assert_eq!(hda_source(&uri, "bc"), flat);
    assert_eq!(image_fact(&flat, "file format").as_deref(), Some("raw"));
    assert_eq!(image_fact(&flat, "backing file"), None);
    assert!(same_data(&shallow, &flat));
    let files = qemu_files(&uri);
    assert!(
        !files
            .iter()
            .any(|x| Path::new(x) == shallow || Path::new(x) == base),
        "{files:?}"
    );

    // Nova's swap to a volume it made, through python3-libvirt.
    if have_python_libvirt() {
        let volume = root.join("volume.qcow2");
        let made = std::process::Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2"])
            .arg(&volume)
            .arg((8 << 20).to_string())
            .status()
            .unwrap();
        assert!(made.success());
        let o = python(NOVA_SWAP, &[&uri, volume.to_str().unwrap()]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}{err}");
        assert_eq!(fact(&out, "ready"), "True");
        assert_eq!(fact(&out, "type"), "2", "VIR_DOMAIN_BLOCK_JOB_TYPE_COPY");
        assert_eq!(fact(&out, "pivot"), "ok");
        assert_eq!(hda_source(&uri, "bc"), volume);
        assert!(same_data(&flat, &volume));
        let out = virsh_ok(
            &uri,
            &[
                "blockcopy",
                "bc",
                "hda",
                f,
                "--reuse-external",
                "--format",
                "raw",
                "--wait",
                "--pivot",
            ],
        );
        assert!(out.contains("Successfully pivoted"), "{out}");
        assert_eq!(hda_source(&uri, "bc"), flat);
    }

    // A copy capped at 1 MiB/s of 8 MiB, aborted: the disk stays, the copy leaves QEMU.
    let slow = root.join("slow.raw");
    let sl = slow.to_str().unwrap();
    virsh_ok(&uri, &["blockcopy", "bc", "hda", sl, "--bandwidth", "1"]);
    std::thread::sleep(Duration::from_millis(300));
    let info = hda_job_info(&uri, "bc");
    assert!(info.contains("Block Copy: ["), "{info}");
    assert!(!info.contains("[100 %]"), "{info}");
    assert!(info.contains("Bandwidth limit: 1048576 bytes/s"), "{info}");
    assert!(live_disk(&uri).contains(&format!("<mirror type='file' file='{sl}'")));
    let err = virsh_err(&uri, &["blockjob", "bc", "hda", "--pivot"]);
    assert!(err.contains("not ready for pivot yet"), "{err}");
    virsh_ok(&uri, &["blockjob", "bc", "hda", "--abort"]);
    assert!(hda_job_info(&uri, "bc").contains("No current block job for hda"));
    assert_eq!(hda_source(&uri, "bc"), flat);
    assert!(!live_disk(&uri).contains("<mirror"));
    let files = qemu_files(&uri);
    assert!(!files.iter().any(|x| x == sl), "{files:?}");
    virsh_ok(&uri, &["destroy", "bc"]);
}

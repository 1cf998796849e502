//! Domain snapshots of real QEMU guests (TCG) through rvirtd's QEMU driver, with
//! Debian's virsh and python3-libvirt (issue 18):
//!
//! * a running Linux guest: an internal snapshot with its memory (QEMU's
//!   `snapshot-save` job), a marker changed in the guest's RAM-only root file system
//!   afterwards, and a revert that brings the old marker back (read through `virsh
//!   console`); the snapshot tree (`snapshot-list --tree`, `--current`, parent), the tags
//!   in the qcow2 image, the metadata read back by a restarted rvirtd, delete with
//!   children; then an external disk-only snapshot of the running guest: the overlay
//!   exists, `domblklist` names it, and the guest's writes land in it, not in the base;
//! * a boot-sector guest through python3-libvirt: internal snapshots with `qemu-img`
//!   while shut off, with `snapshot-save` while running (then `HALT`) and while
//!   paused, `NO_METADATA`, an external disk-only one while shut off; libvirt's listing
//!   filters, hostile names, parent cycles and refused flags with libvirt's errors,
//!   `REDEFINE`+`CURRENT`, reverts with `REVERT_RUNNING`/`REVERT_PAUSED` and their
//!   FROM_SNAPSHOT events, a transient guest's metadata gone with it, undefine refused
//!   while snapshot metadata exists.
//!
//! Every wait has a deadline; QEMU processes are killed by pid ([`QemuReaper`]).

use std::path::Path;
use std::process::Command;

use rvirt_testkit::{
    Daemon, LOOP, QemuReaper, TempDir, boot_disk, fact, have_python_libvirt, have_qemu, have_virsh,
    linux_domain_xml, linux_guest, qcow2_image, run, text, virsh, virsh_ok,
};

/// Opens `virsh console --force DOM` under a pty, waits for the guest's ready line if
/// asked (`wait_ready` = 1), types `COMMAND` into its shell and prints the first line
/// that starts with `KEY=` (or `KEY.timeout=…`). The virsh it starts is killed by pid.
const CONSOLE: &str = r#"
import os, pty, select, signal, sys, time
uri, dom, wait_ready, ready, command, key = sys.argv[1:7]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("virsh", ["virsh", "-c", uri, "console", "--force", dom])
out, sent, found = b"", False, None
start = time.time()
try:
    end = time.time() + 90
    while time.time() < end and found is None:
        if not sent and (wait_ready == "0" and time.time() - start > 1.0 or ready.encode() in out):
            time.sleep(0.3)
            os.write(fd, b"\r" + command.encode() + b"\r")
            sent = True
            out = b""
        r, _, _ = select.select([fd], [], [], 0.2)
        if fd in r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
        if sent:
            # Whole lines only: a read may end inside one.
            for line in out.split(b"\n")[:-1]:
                if line.strip().startswith((key + "=").encode()):
                    found = line.strip().decode(errors="replace")
    print(found if found else "%s.timeout=%r" % (key, out[-2000:]), flush=True)
finally:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
"#;

/// Runs [`CONSOLE`] (with `/usr/bin/python3`, bounded to 100 s: a TCG boot on a
/// loaded host takes a while) and returns the value of `key`.
fn console(uri: &str, dom: &str, wait_ready: bool, command: &str, key: &str) -> String {
    let mut c = Command::new("/usr/bin/python3");
    c.arg("-c").arg(CONSOLE).args([
        uri,
        dom,
        if wait_ready { "1" } else { "0" },
        rvirt_testkit::linux_guest::READY,
        command,
        key,
    ]);
    let o = run(c, 100);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    fact(&out, key).to_string()
}

/// `qemu-img snapshot -l -U IMAGE` (readable while QEMU holds the image).
fn image_tags(image: &Path) -> String {
    let o = Command::new("qemu-img")
        .args(["snapshot", "-l", "-U"])
        .arg(image)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `qemu-img info -U IMAGE`'s "disk size" line.
fn image_info(image: &Path) -> String {
    let o = Command::new("qemu-img")
        .args(["info", "-U"])
        .arg(image)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn allocated(image: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(image).unwrap().blocks() * 512
}

#[test]
fn running_guest_snapshot_revert_restores_memory_and_external_overlay_takes_writes() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-snap");
    let Some(guest) = linux_guest(&root) else {
        return;
    };
    let _reaper = QemuReaper(root.0.clone());
    let qemu_root = root.0.join("q");
    let args = ["--qemu-root", qemu_root.to_str().unwrap()];
    let mut first = Daemon::start_with("snap-a", &args);
    let uri = first.qemu_uri();
    let disk = qcow2_image(&root.join("vda.qcow2"), "64M");
    let xml = root.join("snapg.xml");
    std::fs::write(&xml, linux_domain_xml("snapg", "pc", &guest, &disk)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "snapg"]);

    // A marker in the guest's memory (its root file system is RAM), then s1.
    let w = console(&uri, "snapg", true, "echo one > /m; echo W=$(cat /m)", "W");
    assert_eq!(w, "one");
    let t = std::time::Instant::now();
    virsh_ok(&uri, &["snapshot-create-as", "snapg", "s1", "first"]);
    eprintln!(
        "internal snapshot of the running 256 MiB guest: {:?}",
        t.elapsed()
    );
    assert_eq!(virsh_ok(&uri, &["domstate", "snapg"]).trim(), "running");
    let w = console(&uri, "snapg", false, "echo two > /m; echo W=$(cat /m)", "W");
    assert_eq!(w, "two");
    virsh_ok(&uri, &["snapshot-create-as", "snapg", "s2"]);

    let tree = virsh_ok(&uri, &["snapshot-list", "snapg", "--tree"]);
    assert!(tree.contains("s1") && tree.contains("+- s2"), "{tree}");
    let with = virsh_ok(&uri, &["list", "--all", "--name", "--with-snapshot"]);
    assert_eq!(with.trim(), "snapg");
    let without = virsh_ok(&uri, &["list", "--all", "--name", "--without-snapshot"]);
    assert!(!without.contains("snapg"), "{without}");
    let current = virsh_ok(&uri, &["snapshot-current", "snapg", "--name"]);
    assert_eq!(current.trim(), "s2");
    let parent = virsh_ok(&uri, &["snapshot-parent", "snapg", "s2"]);
    assert_eq!(parent.trim(), "s1");
    let info = virsh_ok(&uri, &["snapshot-info", "snapg", "s1"]);
    assert!(info.contains("running"), "{info}");
    let dumped = virsh_ok(&uri, &["snapshot-dumpxml", "snapg", "s1"]);
    assert!(
        dumped.contains("<memory snapshot='internal'/>") && dumped.contains("<name>snapg</name>"),
        "{dumped}"
    );
    let tags = image_tags(&disk);
    assert!(tags.contains(" s1 ") && tags.contains(" s2 "), "{tags}");

    // Revert: the guest's memory is s1's again.
    let t = std::time::Instant::now();
    virsh_ok(&uri, &["snapshot-revert", "snapg", "s1"]);
    eprintln!("revert (QEMU restarted, snapshot-load): {:?}", t.elapsed());
    assert_eq!(virsh_ok(&uri, &["domstate", "snapg"]).trim(), "running");
    let r = console(&uri, "snapg", false, "echo R=$(cat /m)", "R");
    assert_eq!(r, "one");
    let current = virsh_ok(&uri, &["snapshot-current", "snapg", "--name"]);
    assert_eq!(current.trim(), "s1");

    // The metadata outlives the daemon (0600 files in libvirt's layout).
    let file = qemu_root.join("lib/qemu/snapshot/snapg/s1.xml");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let second = Daemon::start_with("snap-b", &args);
    let uri = second.qemu_uri();
    let names = virsh_ok(&uri, &["snapshot-list", "snapg", "--name"]);
    assert_eq!(names.split_whitespace().collect::<Vec<_>>(), ["s1", "s2"]);
    let current = virsh_ok(&uri, &["snapshot-current", "snapg", "--name"]);
    assert_eq!(current.trim(), "s1");

    // Delete with children: gone from the metadata and from the image.
    virsh_ok(&uri, &["snapshot-delete", "snapg", "s1", "--children"]);
    let names = virsh_ok(&uri, &["snapshot-list", "snapg", "--name"]);
    assert!(names.trim().is_empty(), "{names}");
    let tags = image_tags(&disk);
    assert!(!tags.contains(" s1 ") && !tags.contains(" s2 "), "{tags}");
    assert!(!qemu_root.join("lib/qemu/snapshot/snapg").exists());

    // External disk-only snapshot of the running guest: the overlay takes its writes.
    let t = std::time::Instant::now();
    virsh_ok(
        &uri,
        &[
            "snapshot-create-as",
            "snapg",
            "ext1",
            "--disk-only",
            "--atomic",
        ],
    );
    eprintln!(
        "external disk-only snapshot of the running guest: {:?}",
        t.elapsed()
    );
    let overlay = root.join("vda.ext1");
    assert!(overlay.exists(), "no {}", overlay.display());
    let info = image_info(&overlay);
    assert!(
        info.contains(&format!("backing file: {}", disk.display())),
        "{info}"
    );
    // Given to QEMU's user like the domain's image (and given back at stop, below).
    let owner = |p: &Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().uid()
    };
    assert_eq!(owner(&overlay), owner(&disk));
    let blk = virsh_ok(&uri, &["domblklist", "snapg"]);
    assert!(blk.contains(overlay.to_str().unwrap()), "{blk}");
    let base_before = std::fs::read(&disk).unwrap();
    let overlay_before = allocated(&overlay);
    let d = console(
        &uri,
        "snapg",
        false,
        "dd if=/dev/urandom of=/dev/vda bs=1M count=4 conv=fsync 2>/dev/null; echo D=$?",
        "D",
    );
    assert_eq!(d, "0");
    let overlay_after = allocated(&overlay);
    assert!(
        overlay_after >= overlay_before + (4 << 20),
        "overlay {overlay_before} -> {overlay_after}"
    );
    assert!(
        std::fs::read(&disk).unwrap() == base_before,
        "the base image changed"
    );
    let snapinfo = virsh_ok(&uri, &["snapshot-dumpxml", "snapg", "ext1"]);
    assert!(
        snapinfo.contains("<state>disk-snapshot</state>")
            && snapinfo.contains(&format!("<source file='{}'/>", overlay.display())),
        "{snapinfo}"
    );
    // libvirt 9.0 cannot revert to or delete an external snapshot.
    let o = virsh(&uri, &["snapshot-revert", "snapg", "ext1"]);
    let (_, err) = text(&o);
    assert!(
        err.contains("unsupported configuration: revert to external snapshot not supported yet"),
        "{err}"
    );
    // The persistent definition names the overlay too.
    let inactive = virsh_ok(&uri, &["dumpxml", "snapg", "--inactive"]);
    assert!(inactive.contains(overlay.to_str().unwrap()), "{inactive}");

    // virsh's live-backup recipe ends with an active commit and a pivot: the guest's
    // writes go down into the base image, and the disk (live and persistent) reads the
    // base again; without --delete the overlay file stays.
    let out = virsh_ok(
        &uri,
        &[
            "blockcommit",
            "snapg",
            "vda",
            "--active",
            "--pivot",
            "--verbose",
        ],
    );
    assert!(out.contains("Successfully pivoted"), "{out}");
    let blk = virsh_ok(&uri, &["domblklist", "snapg"]);
    assert!(
        blk.contains(disk.to_str().unwrap()) && !blk.contains(overlay.to_str().unwrap()),
        "{blk}"
    );
    let inactive = virsh_ok(&uri, &["dumpxml", "snapg", "--inactive"]);
    assert!(inactive.contains(disk.to_str().unwrap()), "{inactive}");
    assert!(overlay.exists());
    let base_committed = std::fs::read(&disk).unwrap();
    assert!(
        base_committed != base_before,
        "the guest's writes reached the base"
    );
    assert!(
        virsh_ok(&uri, &["blockjob", "snapg", "vda", "--info"]).contains("No current block job"),
        "the job is over"
    );
    // The guest goes on writing, now into the base.
    let d = console(
        &uri,
        "snapg",
        false,
        "dd if=/dev/urandom of=/dev/vda bs=1M count=1 conv=fsync 2>/dev/null; echo D=$?",
        "D",
    );
    assert_eq!(d, "0");
    assert!(
        std::fs::read(&disk).unwrap() != base_committed,
        "writes go to the base"
    );

    virsh_ok(&uri, &["destroy", "snapg"]);
    assert_eq!(owner(&overlay), owner(&root.join("snapg.xml")));
    let o = virsh(&uri, &["undefine", "snapg"]);
    let (_, err) = text(&o);
    assert!(
        err.contains("cannot delete inactive domain with 1 snapshots"),
        "{err}"
    );
    virsh_ok(&uri, &["undefine", "snapg", "--snapshots-metadata"]);
}

/// Shut-off snapshots, listing filters, hostile names, refused flags, REDEFINE,
/// revert with REVERT_RUNNING and its events, undefine with snapshot metadata.
const SHUTOFF: &str = r#"
import sys, time, libvirt
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
got = []
c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                         lambda conn, dom, e, d, o: got.append((e, d)), None)
def pump(secs=0.5):
    deadline = time.time() + secs
    while time.time() < deadline:
        libvirt.virEventRunDefaultImpl()
def err(f):
    try:
        f()
        return None
    except libvirt.libvirtError as e:
        return (e.get_error_code(), e.get_error_message())
def names(flags=0):
    return [s.getName() for s in d.listAllSnapshots(flags)]
d = c.defineXML(open(sys.argv[2]).read())
s1 = d.snapshotCreateXML("<domainsnapshot><name>off1</name></domainsnapshot>", 0)
s2 = d.snapshotCreateXML("<domainsnapshot><name>off2</name><description>b</description></domainsnapshot>", 0)
x = s1.getXMLDesc(0)
print("state", "<state>shutoff</state>" in x, "<memory snapshot='no'/>" in x, "snapshot='internal'" in x)
print("names", names())
print("roots", names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_ROOTS))
print("leaves", names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_LEAVES))
print("inactive", names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE))
print("active", names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE))
print("internal", names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL))
print("external", names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL))
print("current", d.snapshotCurrent().getName(), "parent", s2.getParent().getName())
print("children", [s.getName() for s in s1.listAllChildren(0)])
for bad in ["a/b", ".hidden", "../../etc/x"]:
    print("bad", repr(bad), err(lambda: d.snapshotCreateXML(
        "<domainsnapshot><name>%s</name></domainsnapshot>" % bad, 0)))
print("dup", err(lambda: d.snapshotCreateXML("<domainsnapshot><name>off1</name></domainsnapshot>", 0)))
print("live", err(lambda: d.snapshotCreateXML("<domainsnapshot/>",
                                              libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_LIVE)))
print("relative", err(lambda: d.snapshotCreateXML(
    "<domainsnapshot><name>r</name><disks><disk name='vda' snapshot='external'>"
    "<source file='rel.qcow2'/></disk></disks></domainsnapshot>", 0)))
print("undefine", err(lambda: d.undefine()))
# REDEFINE + CURRENT: a copy of off1's description under another name.
desc = s1.getXMLDesc(libvirt.VIR_DOMAIN_SNAPSHOT_XML_SECURE).replace(
    "<name>off1</name>", "<name>copy</name>", 1)
red = d.snapshotCreateXML(desc, libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE |
                                libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT)
print("redefined", red.getName(), d.snapshotCurrent().getName(), red.isCurrent(0))
REDEF = libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE
cyc = s1.getXMLDesc(0).replace("<domainsnapshot>",
                               "<domainsnapshot><parent><name>off2</name></parent>", 1)
print("cycle", err(lambda: d.snapshotCreateXML(cyc, REDEF)))
alien = desc.replace("<name>copy</name>", "<name>alien</name>", 1).replace(
    d.UUIDString(), "00000000-0000-4000-8000-000000000001")
print("alien", err(lambda: d.snapshotCreateXML(alien, REDEF))[0])
s2.delete(0)
print("after delete", names())
pump()
d.revertToSnapshot(s1, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING)
print("reverted", d.state(), d.snapshotCurrent().getName())
pump()
print("quiesce", err(lambda: d.snapshotCreateXML("<domainsnapshot/>",
    libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY)))
# An internal snapshot of the running guest (snapshot-save), which then stops (HALT).
h = d.snapshotCreateXML("<domainsnapshot><name>halted</name></domainsnapshot>",
                        libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_HALT)
print("halted", d.state(), "<state>running</state>" in h.getXMLDesc(0), h.getParent().getName())
pump()
d.revertToSnapshot(h, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED)
print("paused revert", d.state())
pump()
p = d.snapshotCreateXML("<domainsnapshot><name>psnap</name></domainsnapshot>", 0)
print("paused snap", "<state>paused</state>" in p.getXMLDesc(0), d.state())
d.revertToSnapshot(p, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING)
print("running revert", d.state())
pump()
d.destroy()
pump()
d.snapshotCreateXML("<domainsnapshot><name>nometa</name></domainsnapshot>",
                    libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA)
print("nometa", "nometa" in names())
e = d.snapshotCreateXML("<domainsnapshot><name>ext</name></domainsnapshot>",
                        libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY)
print("ext", names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL), sys.argv[3] in d.XMLDesc(0))
print("ext delete", err(lambda: e.delete(0)))
d.create()
print("started on the overlay", d.state())
d.destroy()
red.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)
# A transient guest's snapshot metadata goes with it.
t = c.createXML(open(sys.argv[4]).read(), 0)
t.snapshotCreateXML("<domainsnapshot><name>t1</name></domainsnapshot>", 0)
print("transient snaps", [s.getName() for s in t.listAllSnapshots(0)])
t.destroy()
print("transient gone", err(lambda: c.lookupByName("tran"))[0])
d.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
print("events", got)
"#;

#[test]
fn shutoff_snapshots_with_qemu_img_filters_names_and_revert_events() {
    if !have_qemu() || !have_python_libvirt() {
        return;
    }
    let root = TempDir::new("qemu-snap-off");
    let _reaper = QemuReaper(root.0.clone());
    let qemu_root = root.0.join("q");
    let d = Daemon::start_with("snap-off", &["--qemu-root", qemu_root.to_str().unwrap()]);
    let raw = boot_disk(&root.join("off.raw"), LOOP);
    let image = root.join("off.qcow2");
    let st = Command::new("qemu-img")
        .args(["convert", "-q", "-O", "qcow2"])
        .arg(&raw)
        .arg(&image)
        .status()
        .unwrap();
    assert!(st.success());
    let guest = |name: &str, image: &Path| {
        format!(
            "<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory>
               <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
               <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
                 <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
                   <source file='{}'/><target dev='vda' bus='virtio'/></disk>
                 <memballoon model='none'/></devices></domain>",
            image.display()
        )
    };
    let transient_image = root.join("tran.qcow2");
    std::fs::copy(&image, &transient_image).unwrap();
    let xml = root.join("off.xml");
    std::fs::write(&xml, guest("offsnap", &image)).unwrap();
    let transient_xml = root.join("tran.xml");
    std::fs::write(&transient_xml, guest("tran", &transient_image)).unwrap();
    let overlay = root.join("off.ext");
    let mut c = Command::new("/usr/bin/python3");
    c.arg("-c").arg(SHUTOFF).args([
        d.qemu_uri().as_str(),
        xml.to_str().unwrap(),
        overlay.to_str().unwrap(),
        transient_xml.to_str().unwrap(),
    ]);
    // Bounded: two guest starts and a memory snapshot under TCG.
    let o = run(c, 90);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d.log());
    for line in [
        "state True True True",
        "names ['off1', 'off2']",
        "roots ['off1']",
        "leaves ['off2']",
        "inactive ['off1', 'off2']",
        "active []",
        "internal ['off1', 'off2']",
        "external []",
        "current off2 parent off1",
        "children ['off2']",
        "bad 'a/b' (35, \"invalid snapshot name 'a/b': name can't contain '/'\")",
        "bad '.hidden' (35, \"invalid snapshot name '.hidden': name can't start with '.'\")",
        "bad '../../etc/x' (35, \"invalid snapshot name '../../etc/x': name can't contain '/'\")",
        "dup (9, 'operation failed: domain moment off1 already exists')",
        "live (84, 'Operation not supported: live snapshot creation is supported only during full system snapshots')",
        "quiesce (74, 'argument unsupported: QEMU guest agent is not configured')",
        "relative (67, 'unsupported configuration: external snapshot file for disk vda must use absolute path')",
        "undefine (55, 'Requested operation is not valid: cannot delete inactive domain with 2 snapshots')",
        "redefined copy copy 1",
        "cycle (8, 'invalid argument: parent off2 would create cycle to off1')",
        "alien 8",
        "after delete ['off1', 'copy']",
        "reverted [1, 4] off1",
        "halted [5, 7] True off1",
        "paused revert [3, 7]",
        "paused snap True [3, 7]",
        "running revert [1, 4]",
        "nometa False",
        "ext ['ext'] True",
        "ext delete (67, 'unsupported configuration: deletion of 1 external disk snapshots not supported yet')",
        "started on the overlay [1, 1]",
        "transient snaps ['t1']",
        "transient gone 42",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}\n{}",
            d.log()
        );
    }
    let events = out.lines().find(|l| l.starts_with("events")).unwrap_or("");
    // STARTED/FROM_SNAPSHOT and DEFINED/FROM_SNAPSHOT from the reverts,
    // STOPPED/FROM_SNAPSHOT from HALT, SUSPENDED/FROM_SNAPSHOT from REVERT_PAUSED.
    for e in ["(2, 3)", "(0, 3)", "(5, 6)", "(3, 5)"] {
        assert!(events.contains(e), "no {e} in {events}");
    }
    // The tags in the image: off2 deleted with qemu-img, off1 kept (only its metadata
    // went with the domain); nothing written outside the driver's root.
    let tags = image_tags(&image);
    assert!(
        tags.contains(" off1 ") && !tags.contains(" off2 "),
        "{tags}"
    );
    assert!(!qemu_root.join("lib/qemu/snapshot/offsnap").exists());
    assert!(!qemu_root.join("lib/qemu/snapshot/tran").exists());
    assert!(image_tags(&transient_image).contains(" t1 "));
    assert!(!root.join("etc").exists() && !qemu_root.join("lib/qemu/etc").exists());
}

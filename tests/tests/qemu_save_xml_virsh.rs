//! A save image's restored state and domain XML through rvirtd's QEMU driver, with
//! Debian's virsh and python3-libvirt: `save`/`restore`/`managedsave` with `--running` and
//! `--paused`, `save --xml` and `restore --xml`, `save-image-define` and
//! `managedsave-define` (DOMAIN_SAVE_IMAGE_DEFINE_XML, DOMAIN_MANAGED_SAVE_DEFINE_XML: the
//! XML replaced in place, the next restore running under it), `saveParams` and
//! `restoreParams` (DOMAIN_SAVE_PARAMS, DOMAIN_RESTORE_PARAMS), and libvirt 9.0's refusals
//! of an XML that describes another guest, in its words (checked against libvirtd 9.0's
//! QEMU driver).

use std::path::Path;

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, fact, have_python_libvirt, have_qemu, have_virsh, python,
    text, virsh_err, virsh_ok, write_guest,
};

/// `virsh domstate bc`.
fn state(uri: &str) -> String {
    virsh_ok(uri, &["domstate", "bc"]).trim().to_string()
}

/// Writes `xml` to `path` and returns the path as a string.
fn put(path: &Path, xml: &str) -> String {
    std::fs::write(path, xml).unwrap();
    path.to_str().unwrap().to_string()
}

/// The domain XML saved in image `image`, changed by `from` → `to`.
fn image_xml(uri: &str, image: &str, from: &str, to: &str) -> String {
    let xml = virsh_ok(uri, &["save-image-dumpxml", image, "--security-info"]);
    assert!(xml.contains(from), "{xml}");
    xml.replace(from, to)
}

/// saveParams / restoreParams as a python3-libvirt script uses them: a managed save
/// without a file, a restore without one refused, a save to a file with another XML and
/// its restore. Prints `managed=…`, `no_file=…`, `state=…`.
const PARAMS: &str = r#"
import sys, libvirt
uri, image, xml = sys.argv[1], sys.argv[2], sys.argv[3]
c = libvirt.open(uri)
d = c.lookupByName("bc")
d.saveParams({})
print("managed=%d" % d.hasManagedSaveImage())
d.create()
try:
    c.restoreParams({}, 0)
except libvirt.libvirtError as e:
    print("no_file=%d %s" % (e.get_error_code(), e.get_error_message()))
d.saveParams({"file": image, "dxml": open(xml).read()}, libvirt.VIR_DOMAIN_SAVE_PAUSED)
c.restoreParams({"file": image}, 0)
print("state=%d" % c.lookupByName("bc").state()[0])
"#;

#[test]
fn restored_state_and_saved_xml() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-savexml");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.join("q").to_str().unwrap()]);
    let uri = d.qemu_uri();
    let xml = write_guest(&root, "bc", HALT);
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "bc"]);
    let image = root.join("bc.save");
    let img = image.to_str().unwrap();

    // --paused at save, --running at restore.
    virsh_ok(&uri, &["save", "bc", img, "--paused"]);
    virsh_ok(&uri, &["restore", img]);
    assert_eq!(state(&uri), "paused");
    virsh_ok(&uri, &["destroy", "bc"]);
    virsh_ok(&uri, &["restore", img, "--running"]);
    assert_eq!(state(&uri), "running");

    // save --xml: an XML for the same guest, stored and restored under.
    let live = virsh_ok(&uri, &["dumpxml", "bc", "--security-info", "--inactive"]);
    let other = put(
        &root.join("restart.xml"),
        &live.replace(
            "<on_crash>destroy</on_crash>",
            "<on_crash>restart</on_crash>",
        ),
    );
    virsh_ok(&uri, &["save", "bc", img, "--xml", &other]);
    let saved = virsh_ok(&uri, &["save-image-dumpxml", img]);
    assert!(saved.contains("<on_crash>restart</on_crash>"), "{saved}");
    virsh_ok(&uri, &["restore", img]);
    assert_eq!(state(&uri), "running");
    assert!(virsh_ok(&uri, &["dumpxml", "bc"]).contains("<on_crash>restart</on_crash>"));

    // save-image-define: another guest refused in libvirt's words, the image untouched.
    virsh_ok(&uri, &["save", "bc", img]);
    let before = std::fs::read(&image).unwrap();
    let cases = [
        (
            "<vcpu placement='static'>1</vcpu>",
            "<vcpu placement='static'>2</vcpu>",
            "unsupported configuration: Target domain vCPU max 2 does not match source 1",
        ),
        (
            "<name>bc</name>",
            "<name>g7</name>",
            "unsupported configuration: Target domain name 'g7' does not match source 'bc'",
        ),
        (
            "</devices>",
            "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk></devices>",
            "unsupported configuration: Target domain disk count 2 does not match source 1",
        ),
    ];
    for (i, (from, to, want)) in cases.iter().enumerate() {
        let p = put(
            &root.join(format!("bad{i}.xml")),
            &image_xml(&uri, img, from, to),
        );
        let err = virsh_err(&uri, &["save-image-define", img, &p]);
        assert!(err.contains(want), "{err}");
    }
    let huge = image_xml(
        &uri,
        img,
        "</name>",
        &format!("</name><description>{}</description>", "x".repeat(70_000)),
    );
    let err = virsh_err(
        &uri,
        &[
            "save-image-define",
            img,
            &put(&root.join("huge.xml"), &huge),
        ],
    );
    assert!(err.contains("new xml too large to fit in file"), "{err}");
    assert_eq!(std::fs::read(&image).unwrap(), before);

    // An accepted one, with the restored state changed too.
    let changed = image_xml(
        &uri,
        img,
        "<on_crash>restart</on_crash>",
        "<on_crash>preserve</on_crash>",
    );
    let out = virsh_ok(
        &uri,
        &[
            "save-image-define",
            img,
            &put(&root.join("preserve.xml"), &changed),
            "--paused",
        ],
    );
    assert!(out.contains("updated"), "{out}");
    assert!(virsh_ok(&uri, &["save-image-dumpxml", img]).contains("<on_crash>preserve</on_crash>"));
    virsh_ok(&uri, &["restore", img]);
    assert_eq!(state(&uri), "paused");
    assert!(virsh_ok(&uri, &["dumpxml", "bc"]).contains("<on_crash>preserve</on_crash>"));
    virsh_ok(&uri, &["destroy", "bc"]);

    // managedsave-define: none to define, then the managed image's XML and state.
    let err = virsh_err(&uri, &["managedsave-define", "bc", &other]);
    assert!(
        err.contains("Requested operation is not valid: domain does not have managed save image"),
        "{err}"
    );
    virsh_ok(&uri, &["start", "bc"]);
    virsh_ok(&uri, &["managedsave", "bc", "--paused"]);
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let err = virsh_err(&ro, &["managedsave-define", "bc", &other, "--running"]);
    assert!(
        err.contains("read only access prevents virDomainManagedSaveDefineXML"),
        "{err}"
    );
    let out = virsh_ok(&uri, &["managedsave-define", "bc", &other, "--running"]);
    assert!(out.contains("updated"), "{out}");
    assert!(
        virsh_ok(&uri, &["managedsave-dumpxml", "bc"]).contains("<on_crash>restart</on_crash>")
    );
    virsh_ok(&uri, &["start", "bc"]);
    assert_eq!(state(&uri), "running");
    assert!(virsh_ok(&uri, &["dumpxml", "bc"]).contains("<on_crash>restart</on_crash>"));
    assert!(
        virsh_ok(&uri, &["dumpxml", "bc", "--inactive"]).contains("<on_crash>destroy</on_crash>")
    );

    // saveParams / restoreParams.
    if have_python_libvirt() {
        let o = python(PARAMS, &[&uri, img, &other]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}{err}");
        assert_eq!(fact(&out, "managed"), "1");
        assert_eq!(
            fact(&out, "no_file"),
            "8 invalid argument: missing path to restore from"
        );
        assert_eq!(fact(&out, "state"), "3", "VIR_DOMAIN_PAUSED");
    }
    virsh_ok(&uri, &["destroy", "bc"]);
}

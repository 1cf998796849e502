//! Save, restore and managed save of a real TCG guest through rvirtd, with
//! python3-libvirt: `save()` leaves the domain shut off (reason saved) with an image
//! that starts with libvirt's `LibvirtQemudSave` header; `restore()` runs it again
//! (reason restored); `managedSave()` then `create()` restores from the driver's own
//! image, which is then gone. Lifecycle events STOPPED/SAVED and STARTED/RESTORED
//! arrive. Bounded: every wait has a deadline; QEMU processes are killed by pid
//! ([`QemuReaper`]).

use rvirt_testkit::{
    Daemon, LOOP, QemuReaper, TempDir, have_python_libvirt, have_qemu, python, text, write_guest,
};

const SCRIPT: &str = r#"
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
img = sys.argv[3] + "/guest.img"
d = c.defineXML(open(sys.argv[2]).read())
d.create()
pump()
d.save(img)
print("saved state", d.state())
print("header", open(img, "rb").read(16))
print("image xml has name", "<name>saver</name>" in c.saveImageGetXMLDesc(img, 0))
c.restore(img)
print("restored state", d.state())
pump()
d.managedSave(0)
print("managed state", d.state(), "has", d.hasManagedSaveImage(0))
d.create()
print("created state", d.state(), "has", d.hasManagedSaveImage(0))
pump()
d.destroy()
pump()
d.undefine()
print("events", got)
"#;

#[test]
fn qemu_guest_saves_and_restores() {
    if !have_qemu() || !have_python_libvirt() {
        return;
    }
    let root = TempDir::new("qemu-save");
    let _reaper = QemuReaper(root.0.clone());
    let images = TempDir::new("qemu-save-images");
    let d = Daemon::start_with("qemu-save", &["--qemu-root", root.0.to_str().unwrap()]);
    let xml = write_guest(&root, "saver", LOOP);
    let o = python(
        SCRIPT,
        &[
            &d.qemu_uri(),
            xml.to_str().unwrap(),
            images.to_str().unwrap(),
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d.log());
    for line in [
        "saved state [5, 5]",
        "header b'LibvirtQemudSave'",
        "image xml has name True",
        "restored state [1, 3]",
        "managed state [5, 5] has 1",
        "created state [1, 3] has 0",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}\n{}",
            d.log()
        );
    }
    let events = out.lines().find(|l| l.starts_with("events")).unwrap_or("");
    for e in ["(5, 4)", "(2, 2)"] {
        assert!(events.contains(e), "no {e} in {events}");
    }
}

//! rvirtd's host storage (qemu:///system) through python3-libvirt, as virt-manager
//! and virt-install use it: the `default` dir pool defined, built, started and set to
//! autostart, a qcow2 volume created in it, pool events; and the pool running again
//! after a daemon restart.

mod common;

use common::{Daemon, have_python_libvirt, python, text};

const SCRIPT: &str = r#"
import sys, time, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
images = sys.argv[2]
events = []
c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
    lambda conn, p, ev, det, o: events.append((p.name(), ev)), None)
print("pools", c.listAllStoragePools())
p = c.storagePoolDefineXML(
    "<pool type='dir'><name>default</name><target><path>%s</path></target></pool>" % images, 0)
p.build(0)
p.create(0)
p.setAutostart(1)
print("state", p.isActive(), p.isPersistent(), p.autostart(), p.info()[0])
v = p.createXML("<volume type='file'><name>guest.qcow2</name><capacity unit='G'>2</capacity>"
                "<allocation>0</allocation><target><format type='qcow2'/></target></volume>", 0)
print("vol", v.name(), v.path(), v.info()[:2])
print("xml has format", "<format type='qcow2'/>" in v.XMLDesc(0))
print("by path", c.storageVolLookupByPath(v.path()).name())
try:
    ro = libvirt.openReadOnly(sys.argv[3])
    ro.storagePoolLookupByName("default").destroy()
except libvirt.libvirtError as e:
    print("ro destroy", e.get_error_code(), e.get_error_domain())
deadline = time.time() + 5
while len(events) < 3 and time.time() < deadline:
    libvirt.virEventRunDefaultImpl()
print("events", events)
"#;

const AFTER: &str = r#"
import sys, libvirt
c = libvirt.open(sys.argv[1])
p = c.storagePoolLookupByName("default")
print("after restart", p.isActive(), p.autostart(), [v.name() for v in p.listAllVolumes()])
"#;

#[test]
fn default_pool_as_virt_manager_makes_it() {
    if !have_python_libvirt() {
        return;
    }
    let mut d = Daemon::start("storage");
    let images = d.dir.0.join("images");
    let uri = format!("qemu+unix:///system?socket={}", d.rw_socket().display());
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let o = python(SCRIPT, &[&uri, &images.display().to_string(), &ro]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d.log());
    assert!(out.contains("pools []"), "{out}");
    assert!(out.contains("state 1 1 1 2"), "{out}");
    let path = images.join("guest.qcow2");
    assert!(
        out.contains(&format!(
            "vol guest.qcow2 {} [0, 2147483648]",
            path.display()
        )),
        "{out}"
    );
    assert!(out.contains("xml has format True"), "{out}");
    assert!(out.contains("ro destroy 29 18"), "{out}");
    assert!(
        out.contains("events [('default', 0), ('default', 4), ('default', 2)]"),
        "{out}"
    );
    assert!(std::fs::metadata(&path).unwrap().len() > 0);

    // A new daemon on the same roots has the pool running and autostarted.
    let dir = d.dir.0.clone();
    let _ = d.child.kill();
    let _ = d.child.wait();
    let d2 = Daemon::start_with(
        "storage-again",
        &["--storage-root", &dir.join("s").display().to_string()],
    );
    let uri2 = format!("qemu+unix:///system?socket={}", d2.rw_socket().display());
    let o = python(AFTER, &[&uri2]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}\n{}", d2.log());
    assert!(out.contains("after restart 1 1 ['guest.qcow2']"), "{out}");
}

//! `virsh autostart` (DOMAIN_SET_AUTOSTART) through rvirtd, on the test driver and on
//! the QEMU driver (whose flag is a link in its autostart directory, as libvirt's),
//! read back by `dominfo`; the read-only socket is refused.

use rvirt_testkit::{
    Daemon, HALT, QemuReaper, TempDir, boot_disk, domain_xml, have_qemu, have_virsh, virsh,
    virsh_ok,
};

fn autostart_line(uri: &str, dom: &str) -> String {
    let info = virsh_ok(uri, &["dominfo", dom]);
    info.lines()
        .find(|l| l.starts_with("Autostart:"))
        .unwrap_or_else(|| panic!("{info}"))
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned()
}

#[test]
fn autostart_on_the_test_driver() {
    if !have_virsh() {
        return;
    }
    let d = Daemon::start("autostart");
    let uri = d.uri();
    assert_eq!(autostart_line(&uri, "test"), "disable");
    virsh_ok(&uri, &["autostart", "test"]);
    assert_eq!(autostart_line(&uri, "test"), "enable");
    let ro = virsh(&d.ro_uri(), &["autostart", "--disable", "test"]);
    assert!(!ro.status.success());
    assert_eq!(autostart_line(&uri, "test"), "enable");
    virsh_ok(&uri, &["autostart", "--disable", "test"]);
    assert_eq!(autostart_line(&uri, "test"), "disable");
}

#[test]
fn autostart_on_the_qemu_driver() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-auto");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("vauto.img"), HALT);
    let xml = root.join("vauto.xml");
    std::fs::write(&xml, domain_xml("vauto", &disk)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["autostart", "vauto"]);
    assert_eq!(autostart_line(&uri, "vauto"), "enable");
    let link = root.join("etc/qemu/autostart/vauto.xml");
    assert!(link.symlink_metadata().is_ok(), "{}", link.display());
    virsh_ok(&uri, &["autostart", "--disable", "vauto"]);
    assert_eq!(autostart_line(&uri, "vauto"), "disable");
    assert!(link.symlink_metadata().is_err());
    virsh_ok(&uri, &["undefine", "vauto"]);
}

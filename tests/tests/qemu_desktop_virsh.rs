//! A guest with virt-install's desktop devices (user NIC, VNC autoport, video, pty
//! serial/console) through rvirtd's QEMU driver and Debian's virsh: it starts, and
//! `vncdisplay` and `ttyconsole` answer from the live XML.

use rvirt_testkit::{
    Daemon, QemuReaper, SERIAL_R, TempDir, boot_disk, desktop_domain_xml, have_qemu, have_virsh,
    virsh, virsh_ok,
};

#[test]
fn vncdisplay_and_ttyconsole() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-desk");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("vdesk.img"), SERIAL_R);
    let xml = root.join("vdesk.xml");
    std::fs::write(&xml, desktop_domain_xml("vdesk", &disk)).unwrap();

    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    let out = virsh_ok(&uri, &["start", "vdesk"]);
    assert!(out.contains("Domain 'vdesk' started"), "{out}");

    let display = virsh_ok(&uri, &["vncdisplay", "vdesk"]);
    let display = display.trim();
    let n: u32 = display
        .strip_prefix("127.0.0.1:")
        .unwrap_or_else(|| panic!("vncdisplay: {display:?}"))
        .parse()
        .unwrap();
    let port = 5900 + n;
    std::net::TcpStream::connect(("127.0.0.1", port as u16)).expect("VNC port open");

    let tty = virsh_ok(&uri, &["ttyconsole", "vdesk"]);
    assert!(tty.trim().starts_with("/dev/pts/"), "{tty:?}");
    assert!(std::path::Path::new(tty.trim()).exists(), "{tty:?}");

    virsh_ok(&uri, &["destroy", "vdesk"]);
    let stopped = virsh(&uri, &["vncdisplay", "vdesk"]);
    assert!(!stopped.status.success());
    virsh_ok(&uri, &["undefine", "vdesk"]);
}

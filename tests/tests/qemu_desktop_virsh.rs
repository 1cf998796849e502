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

/// The VNC security types a server offers after the RFB 3.8 version handshake.
fn vnc_security_types(port: u16) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("VNC port open");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut version = [0u8; 12];
    s.read_exact(&mut version).unwrap();
    assert_eq!(&version, b"RFB 003.008\n");
    s.write_all(b"RFB 003.008\n").unwrap();
    let mut n = [0u8; 1];
    s.read_exact(&mut n).unwrap();
    let mut types = vec![0u8; usize::from(n[0])];
    s.read_exact(&mut types).unwrap();
    types
}

#[test]
fn vnc_password_is_asked_and_never_on_the_command_line() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-vncpw");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("vpw.img"), SERIAL_R);
    let xml = root.join("vpw.xml");
    std::fs::write(
        &xml,
        desktop_domain_xml("vpw", &disk).replace(
            "<graphics type='vnc' port='-1'/>",
            "<graphics type='vnc' port='-1' passwd='s3cr3t-pw'/>",
        ),
    )
    .unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "vpw"]);

    let display = virsh_ok(&uri, &["vncdisplay", "vpw"]);
    let n: u16 = display.trim().rsplit(':').next().unwrap().parse().unwrap();
    // Type 2 (VNC authentication), not 1 (none).
    assert_eq!(vnc_security_types(5900 + n), [2]);

    let pid: i32 = std::fs::read_to_string(root.join("run/qemu/vpw.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(
        !cmdline.windows(9).any(|w| w == b"s3cr3t-pw"),
        "password on QEMU's command line"
    );
    // The XML shows it only with --security-info.
    assert!(!virsh_ok(&uri, &["dumpxml", "vpw"]).contains("s3cr3t-pw"));
    assert!(virsh_ok(&uri, &["dumpxml", "--security-info", "vpw"]).contains("passwd='s3cr3t-pw'"));

    virsh_ok(&uri, &["destroy", "vpw"]);
    virsh_ok(&uri, &["undefine", "vpw"]);
}

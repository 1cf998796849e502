//! virt-install's desktop devices under a real QEMU (TCG): a guest with a user NIC,
//! VNC on an automatic port, a virtio video adapter and a pty serial/console starts;
//! its live XML has the VNC port and the pty; the port speaks RFB and the pty carries
//! what the guest writes to COM1.

mod support;

use std::io::Read;
use std::net::TcpStream;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use rvirt_testkit::{SERIAL_R, boot_disk, desktop_domain_xml, have_qemu};
use support::*;

fn attr<'a>(xml: &'a str, element: &str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{element} "))?;
    let tag = &xml[start..start + xml[start..].find('>')?];
    let key = format!("{name}='");
    let v = &tag[tag.find(&key)? + key.len()..];
    Some(&v[..v.find('\'')?])
}

#[test]
fn desktop_guest_has_vnc_and_pty() {
    if !have_qemu() {
        return;
    }
    let env = setup("desk");
    let disk = boot_disk(&env.root.join("desk.img"), SERIAL_R);
    let mut dom = env
        .conn()
        .define_xml(&desktop_domain_xml("desk", &disk))
        .unwrap();
    let inactive = dom.xml_desc(0).unwrap();
    let mac = attr(&inactive, "mac", "address").expect("a MAC at define");
    assert!(mac.starts_with("52:54:00:"), "{inactive}");
    dom.create().unwrap();

    let live = dom.xml_desc(0).unwrap();
    let port: u16 = attr(&live, "graphics", "port").unwrap().parse().unwrap();
    assert!(port >= 5900, "{live}");
    assert_eq!(attr(&live, "graphics", "autoport"), Some("yes"), "{live}");
    assert_eq!(
        attr(&live, "graphics", "listen"),
        Some("127.0.0.1"),
        "{live}"
    );
    assert!(
        live.contains("<listen type='address' address='127.0.0.1'/>"),
        "{live}"
    );
    let tty = attr(&live, "console", "tty")
        .expect("console tty")
        .to_owned();
    assert!(tty.starts_with("/dev/pts/"), "{live}");
    assert_eq!(
        live.matches(&format!("<source path='{tty}'/>")).count(),
        2,
        "{live}"
    );
    assert!(live.contains(&format!("<mac address='{mac}'/>")), "{live}");

    // QEMU runs the NIC and adapter asked for.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", env.pid("desk"))).unwrap();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    assert!(cmdline.contains(r#""type":"user""#), "{cmdline}");
    assert!(
        cmdline.contains(r#""driver":"virtio-net-pci""#),
        "{cmdline}"
    );
    assert!(cmdline.contains(r#""driver":"virtio-vga""#), "{cmdline}");

    // The VNC port speaks RFB.
    let mut vnc = TcpStream::connect(("127.0.0.1", port)).unwrap();
    vnc.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut banner = [0u8; 12];
    vnc.read_exact(&mut banner).unwrap();
    assert_eq!(&banner, b"RFB 003.008\n");
    drop(vnc);

    // The pty carries the guest's COM1 output.
    let mut pty = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(&tty)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut got = Vec::new();
    while !got.contains(&b'R') {
        assert!(Instant::now() < deadline, "no output on {tty}: {got:?}");
        let mut buf = [0u8; 64];
        match pty.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("reading {tty}: {e}"),
        }
    }

    dom.destroy().unwrap();
    let after = dom.xml_desc(0).unwrap();
    assert_eq!(attr(&after, "graphics", "port"), Some("-1"), "{after}");
    assert!(!after.contains("tty="), "{after}");
    dom.undefine().unwrap();
}

//! `virsh console` and `virsh screenshot` (Debian's virsh) against rvirtd's QEMU
//! driver, on a TCG guest writing `R` to its pty serial port: virsh under a pty (run
//! by python3's `pty` module) shows the guest's output and leaves on Ctrl-]; a second
//! console without `--force` is refused with libvirt's wording; a forced one takes
//! the console over (the first session ends); the screenshot is a PPM image. On a
//! guest echoing its serial port with the case swapped, what is typed into virsh
//! comes back through the guest, and destroying the guest ends the session. A
//! read-only connection may not take a screenshot. As root, both QEMUs run in mount
//! namespaces of their own (a private /dev) while all this works.

use rvirt_testkit::{
    Daemon, QemuReaper, SERIAL_R, SERIAL_SWAPCASE, TempDir, boot_disk, desktop_domain_xml,
    domain_xml, fact, have_qemu, have_virsh, python, qemu_pids, text, virsh, virsh_ok,
};

/// Runs the console sessions; prints one `key=value` line per fact. Every virsh it
/// starts is killed by pid before it exits.
const SESSIONS: &str = r#"
import os, pty, select, signal, subprocess, sys, time
uri, dom, echo_dom = sys.argv[1], sys.argv[2], sys.argv[3]
kids = []

def start(*extra, name=None):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("virsh", ["virsh", "-c", uri, "console", name or dom, *extra])
    kids.append(pid)
    return [pid, fd, b"", None]

def pump(s, secs, until=lambda s: False):
    end = time.time() + secs
    while time.time() < end and s[3] is None and not until(s):
        r, _, _ = select.select([s[1]], [], [], 0.1)
        if r:
            try:
                data = os.read(s[1], 4096)
            except OSError:
                data = b""
            s[2] += data
            if not data:
                s[3] = os.waitpid(s[0], 0)[1]
        else:
            pid, st = os.waitpid(s[0], os.WNOHANG)
            if pid:
                s[3] = st
                try:
                    s[2] += os.read(s[1], 4096)
                except OSError:
                    pass

def guest_output(s):
    return s[2].split(b"Escape character is ^]", 1)[-1].count(b"R")

try:
    a = start("--force")
    pump(a, 20, lambda s: guest_output(s) >= 3)
    print("a_rs=%d" % guest_output(a))
    b = start()
    pump(b, 15)
    print("b_exit=%s" % (os.WEXITSTATUS(b[3]) if b[3] is not None else "none"))
    print("b_out=%r" % b[2])
    c = start("--force")
    pump(c, 20, lambda s: guest_output(s) >= 3)
    print("c_rs=%d" % guest_output(c))
    pump(a, 10)
    print("a_ended=%s" % (a[3] is not None))
    os.write(c[1], b"\x1d")
    pump(c, 10)
    print("c_exit=%s" % (os.WEXITSTATUS(c[3]) if c[3] is not None else "none"))
    e = start("--force", name=echo_dom)
    pump(e, 20, lambda s: b"Escape character" in s[2])
    time.sleep(0.5)
    os.write(e[1], b"typedintovirsh")
    pump(e, 20, lambda s: b"TYPEDINTOVIRSH" in s[2])
    print("e_echoed=%s" % (b"TYPEDINTOVIRSH" in e[2]))
    os.write(e[1], b"\x1d")
    pump(e, 10)
    print("e_exit=%s" % (os.WEXITSTATUS(e[3]) if e[3] is not None else "none"))
    g = start("--force", name=echo_dom)
    pump(g, 20, lambda s: b"Escape character" in s[2])
    subprocess.run(["virsh", "-c", uri, "destroy", echo_dom], timeout=20, capture_output=True)
    pump(g, 10)
    print("g_ended=%s" % (g[3] is not None))
finally:
    for pid in kids:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
"#;

#[test]
fn console_force_and_screenshot_through_virsh() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-console");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("vcons.img"), SERIAL_R);
    let xml = root.join("vcons.xml");
    std::fs::write(&xml, desktop_domain_xml("vcons", &disk)).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "vcons"]);
    let disk = boot_disk(&root.join("vecho.img"), SERIAL_SWAPCASE);
    let xml = root.join("vecho.xml");
    // A pty serial console only (no VNC, so no second display to allocate).
    let echo_xml = domain_xml("vecho", &disk).replace(
        "<memballoon model='none'/>",
        "<serial type='pty'><target port='0'/></serial>
         <console type='pty'><target type='serial' port='0'/></console>
         <memballoon model='none'/>",
    );
    std::fs::write(&xml, echo_xml).unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "vecho"]);
    // As root, each QEMU has a private /dev (issue 23): the sessions below read ptys
    // QEMU allocated in its own mount namespace, on the host's /dev/pts.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let ours = std::fs::read_link("/proc/self/ns/mnt").unwrap();
        let pids = qemu_pids(&root.0);
        assert_eq!(pids.len(), 2, "{pids:?}");
        for pid in pids {
            let theirs = std::fs::read_link(format!("/proc/{pid}/ns/mnt")).unwrap();
            assert_ne!(theirs, ours, "QEMU {pid} in its own mount namespace");
        }
    }

    let o = python(SESSIONS, &[&uri, "vcons", "vecho"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    // The guest's output reaches virsh.
    assert!(fact(&out, "a_rs").parse::<u32>().unwrap() >= 3, "{out}");
    // A second console without --force: libvirt's error.
    assert_eq!(fact(&out, "b_exit"), "1", "{out}");
    assert!(
        fact(&out, "b_out")
            .contains("error: operation failed: Active console session exists for this domain"),
        "{out}"
    );
    // A forced console takes over: it sees the guest, the first session ends.
    assert!(fact(&out, "c_rs").parse::<u32>().unwrap() >= 3, "{out}");
    assert_eq!(fact(&out, "a_ended"), "True", "{out}");
    // Ctrl-] leaves virsh cleanly.
    assert_eq!(fact(&out, "c_exit"), "0", "{out}");
    // What the user types reaches the guest, whose echo comes back.
    assert_eq!(fact(&out, "e_echoed"), "True", "{out}");
    assert_eq!(fact(&out, "e_exit"), "0", "{out}");
    // The guest going away ends the session: virsh leaves.
    assert_eq!(fact(&out, "g_ended"), "True", "{out}");

    // Read-only connections may not open a console or take a screenshot.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    let refused = virsh(&ro, &["screenshot", "vcons", "/dev/null"]);
    let (_, err) = text(&refused);
    assert!(
        err.contains("read only access prevents virDomainScreenshot"),
        "{err}"
    );

    // The screenshot is a PPM image of the VGA screen.
    let ppm = root.join("shot.ppm");
    let shot = virsh_ok(&uri, &["screenshot", "vcons", ppm.to_str().unwrap()]);
    assert!(shot.contains("Screenshot saved to"), "{shot}");
    let data = std::fs::read(&ppm).unwrap();
    let header = String::from_utf8_lossy(&data[..data.len().min(20)]).into_owned();
    let mut fields = header.split_ascii_whitespace();
    assert_eq!(fields.next(), Some("P6"), "{header:?}");
    let w: usize = fields.next().unwrap().parse().unwrap();
    let h: usize = fields.next().unwrap().parse().unwrap();
    assert!(w > 0 && h > 0, "{header:?}");
    assert!(data.len() >= w * h * 3, "{} bytes for {w}x{h}", data.len());

    virsh_ok(&uri, &["destroy", "vcons"]);
    virsh_ok(&uri, &["undefine", "vcons"]);
    virsh_ok(&uri, &["undefine", "vecho"]);
}

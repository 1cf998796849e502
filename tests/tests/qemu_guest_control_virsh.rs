//! Acting on a running guest with Debian's virsh against rvirtd's QEMU driver: keys
//! reach the guest (`send-key`: a guest that copies keyboard scan codes to its serial
//! line shows them), `reset` is QEMU's reset (a reboot event), `inject-nmi`,
//! `blockresize` grows the disk `domblkinfo` reports, `domjobinfo` has no job and
//! `domjobabort` says so, and `nodecpustats`/`nodememstats` read the host.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rvirt_testkit::{
    Daemon, KEYBOARD_ECHO, QemuReaper, TempDir, boot_disk, have_qemu, have_virsh, virsh, virsh_ok,
};

/// The guest's serial pty, open (raw) for the whole test so nothing it writes is lost.
struct Pty(std::fs::File);

impl Pty {
    fn open(path: &str) -> Pty {
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .unwrap();
        // Bytes as they come, not lines.
        // SAFETY: tcgetattr/tcsetattr on an open tty fd and a termios it filled in.
        unsafe {
            use std::os::fd::AsRawFd;
            let mut t: libc::termios = std::mem::zeroed();
            libc::tcgetattr(f.as_raw_fd(), &mut t);
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(f.as_raw_fd(), libc::TCSANOW, &t);
        }
        Pty(f)
    }

    /// What arrives within `wait`, or until `want` was seen.
    fn read_until(&mut self, want: &[u8], wait: Duration) -> Vec<u8> {
        let deadline = Instant::now() + wait;
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while Instant::now() < deadline && !got.windows(want.len()).any(|w| w == want) {
            match self.0.read(&mut buf) {
                Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        got
    }
}

fn field(out: &str, name: &str) -> u64 {
    out.lines()
        .find(|l| l.trim_start().starts_with(name))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {out}"))
}

#[test]
fn keys_reset_nmi_resize_jobs_and_node_counters() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-ctl");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    let disk = boot_disk(&root.join("vctl.img"), KEYBOARD_ECHO);
    let xml = root.join("vctl.xml");
    std::fs::write(
        &xml,
        rvirt_testkit::domain_xml("vctl", &disk).replace(
            "<memballoon model='none'/>",
            "<serial type='pty'><target port='0'/></serial><memballoon model='none'/>",
        ),
    )
    .unwrap();
    virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "vctl"]);
    let tty = virsh_ok(&uri, &["ttyconsole", "vctl"]);
    let mut pty = Pty::open(tty.trim());

    // KEY_A pressed and released: scan codes 0x1e, 0x9e on the guest's serial line.
    // The guest may still be in its firmware: send until it answers.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = Vec::new();
    while Instant::now() < deadline && !got.windows(2).any(|w| w == [0x1e, 0x9e]) {
        virsh_ok(&uri, &["send-key", "vctl", "KEY_A"]);
        got = pty.read_until(&[0x1e, 0x9e], Duration::from_secs(2));
    }
    assert!(got.windows(2).any(|w| w == [0x1e, 0x9e]), "{got:x?}");
    // xt codes pass as they are; an arrow key is an extended (0xE0) scan code.
    virsh_ok(&uri, &["send-key", "vctl", "--codeset", "xt", "0x30"]);
    let got = pty.read_until(&[0x30, 0xb0], Duration::from_secs(5));
    assert!(got.windows(2).any(|w| w == [0x30, 0xb0]), "{got:x?}");
    virsh_ok(&uri, &["send-key", "vctl", "KEY_UP"]);
    let got = pty.read_until(&[0xe0, 0x48, 0xe0, 0xc8], Duration::from_secs(5));
    assert!(
        got.windows(4).any(|w| w == [0xe0, 0x48, 0xe0, 0xc8]),
        "{got:x?}"
    );
    let bad = virsh(&uri, &["send-key", "vctl", "--codeset", "usb", "4"]);
    assert!(!bad.status.success());

    // reset: QEMU resets the machine at once, a reboot event says so.
    let mut events = Command::new("virsh")
        .args([
            "-c",
            &uri,
            "event",
            "vctl",
            "--event",
            "reboot",
            "--timeout",
            "15",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let out = virsh_ok(&uri, &["reset", "vctl"]);
    assert!(out.contains("was reset"), "{out}");
    let mut seen = String::new();
    events
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut seen)
        .unwrap();
    let _ = events.wait();
    assert!(seen.contains("event 'reboot' for domain 'vctl'"), "{seen}");

    virsh_ok(&uri, &["inject-nmi", "vctl"]);

    // blockresize grows the raw disk to 1 MiB.
    virsh_ok(&uri, &["blockresize", "vctl", "hda", "1M"]);
    let info = virsh_ok(&uri, &["domblkinfo", "vctl", "hda"]);
    assert_eq!(field(&info, "Capacity"), 1024 * 1024, "{info}");
    assert_eq!(std::fs::metadata(&disk).unwrap().len(), 1024 * 1024);

    // No background job: domjobinfo says none, domjobabort refuses.
    let job = virsh_ok(&uri, &["domjobinfo", "vctl"]);
    assert!(job.contains("None"), "{job}");
    let abort = virsh(&uri, &["domjobabort", "vctl"]);
    assert!(!abort.status.success());
    let err = String::from_utf8_lossy(&abort.stderr);
    assert!(err.contains("no job is active on the domain"), "{err}");

    // The host's counters.
    let mem = virsh_ok(&uri, &["nodememstats"]);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    assert_eq!(field(&mem, "total"), field(&meminfo, "MemTotal"), "{mem}");
    let cpu = virsh_ok(&uri, &["nodecpustats"]);
    assert!(field(&cpu, "idle") > 0, "{cpu}");
    let one = virsh_ok(&uri, &["nodecpustats", "0"]);
    assert!(field(&one, "idle") <= field(&cpu, "idle"), "{one}");

    // The read-only socket may read but not act.
    let ro = format!("qemu+unix:///system?socket={}", d.ro_socket().display());
    assert!(!virsh(&ro, &["reset", "vctl"]).status.success());
    virsh_ok(&ro, &["domjobinfo", "vctl"]);

    virsh_ok(&uri, &["destroy", "vctl"]);
    let stopped = virsh(&uri, &["send-key", "vctl", "KEY_A"]);
    assert!(!stopped.status.success());
    virsh_ok(&uri, &["undefine", "vctl"]);
}

//! The QEMU driver hosted by rvirtd (`qemu:///system` rooted at `--qemu-root`): virsh
//! defines and starts a real QEMU guest that powers itself off, and `virsh event`
//! on another connection sees the whole lifecycle.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Daemon, TempDir, have_virsh, text, virsh_ok};

const QEMU: &str = "/usr/bin/qemu-system-x86_64";

/// Kills (by pid) any QEMU left running with `root` on its command line, even when
/// the test fails half-way.
struct QemuReaper(PathBuf);

impl Drop for QemuReaper {
    fn drop(&mut self) {
        let needle = self.0.to_string_lossy().into_owned();
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return;
        };
        for p in procs.flatten() {
            let Ok(pid) = p.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmdline).contains(&needle)
                && cmdline.starts_with(b"/usr/bin/qemu")
            {
                // SAFETY: kill(2) on a pid read from /proc whose command line names
                // this test's private root.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

fn have_qemu() -> bool {
    if Path::new(QEMU).exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{QEMU} is required in CI");
    }
    println!("SKIPPED: {QEMU} is not installed (and CI is unset)");
    false
}

#[test]
fn qemu_guest_lifecycle_through_virsh() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    let root = TempDir::new("qemu-root");
    let _reaper = QemuReaper(root.0.clone());
    let d = Daemon::start_with("qemu", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = format!("qemu+unix:///system?socket={}", d.rw_socket().display());

    // A 512-byte boot sector that powers the pc machine off through ACPI.
    let mut img = vec![0xba, 0x04, 0x06, 0xb8, 0x00, 0x20, 0xef, 0xf4, 0xeb, 0xfe];
    img.resize(510, 0);
    img.extend_from_slice(&[0x55, 0xaa]);
    let img_path = root.0.join("poweroff.img");
    std::fs::write(&img_path, img).unwrap();
    let xml = format!(
        "<domain type='qemu'>
  <name>qdemo</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <devices>
    <emulator>{QEMU}</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{}'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
",
        img_path.display()
    );
    let xml_path = root.0.join("qdemo.xml");
    std::fs::write(&xml_path, xml).unwrap();

    let mut ev = Command::new("/usr/bin/virsh");
    ev.args([
        "-c",
        &uri,
        "event",
        "--event",
        "lifecycle",
        "--loop",
        "--timeout",
        "15",
    ]);
    let events = std::thread::spawn(move || common::run(ev, 30));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !d.log().contains("lifecycle event callback 0 registered") {
        assert!(
            Instant::now() < deadline,
            "event client never registered:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    virsh_ok(&uri, &["define", xml_path.to_str().unwrap()]);
    let out = virsh_ok(&uri, &["start", "qdemo"]);
    assert!(out.contains("Domain 'qdemo' started"), "{out}");
    // The guest powers itself off; the QEMU monitor's SHUTDOWN stops the domain.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = virsh_ok(&uri, &["domstate", "qdemo"]);
        if out.trim() == "shut off" {
            break;
        }
        assert!(Instant::now() < deadline, "guest never powered off: {out}");
        std::thread::sleep(Duration::from_millis(100));
    }
    virsh_ok(&uri, &["undefine", "qdemo"]);
    let out = virsh_ok(&uri, &["list", "--all"]);
    assert!(!out.contains("qdemo"), "{out}");

    let o = events.join().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("event 'lifecycle'"))
        .collect();
    assert_eq!(
        lines.first().copied(),
        Some("event 'lifecycle' for domain 'qdemo': Defined Added"),
        "{out}"
    );
    for want in [
        "event 'lifecycle' for domain 'qdemo': Started Booted",
        "event 'lifecycle' for domain 'qdemo': Stopped Shutdown",
    ] {
        assert!(lines.contains(&want), "missing {want:?} in:\n{out}");
    }
    assert_eq!(
        lines.last().copied(),
        Some("event 'lifecycle' for domain 'qdemo': Undefined Removed"),
        "{out}"
    );
}

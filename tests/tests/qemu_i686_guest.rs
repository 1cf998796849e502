//! i686 guests, as libvirt runs them on an x86_64 host: Debian's virsh reads rvirtd's
//! capabilities (an i686 guest with `qemu-system-i386`, listed before x86_64) and
//! `domcapabilities --arch i686`, then boots testkit's boot-sector guests in a
//! `<type arch='i686'>` domain without `<emulator>`: rvirtd starts
//! `qemu-system-i386` (the binary of its process), and the guest that
//! powers itself off runs to its own shutdown.

use std::time::{Duration, Instant};

use rvirt_testkit::{
    HALT, POWEROFF, QemuReaper, TempDir, boot_disk, domain_xml, have_qemu, have_virsh, virsh_ok,
};

const I386: &str = "/usr/bin/qemu-system-i386";

/// The pids of `qemu-system-i386` processes whose command line names `root`.
fn i386_pids(root: &std::path::Path) -> Vec<i32> {
    let needle = root.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|p| {
            let pid: i32 = p.file_name().to_string_lossy().parse().ok()?;
            let cmd = std::fs::read(p.path().join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd).into_owned();
            let exe = std::fs::read_link(p.path().join("exe")).ok()?;
            // Debian's /usr/bin one is a script that execs /usr/libexec's.
            let i386 = exe.file_name()? == "qemu-system-i386";
            (i386 && cmd.contains(&needle)).then_some(pid)
        })
        .collect()
}

/// A domain of `arch='i686'` on the boot disk `disk`, without `<emulator>`.
fn i686_xml(name: &str, disk: &std::path::Path) -> String {
    domain_xml(name, disk)
        .replace("arch='x86_64'", "arch='i686'")
        .replace("<emulator>/usr/bin/qemu-system-x86_64</emulator>", "")
}

#[test]
fn i686_guests_run_on_qemu_system_i386() {
    if !have_virsh() || !have_qemu() {
        return;
    }
    if !std::path::Path::new(I386).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {I386} is missing"
        );
        eprintln!("skipped: no {I386}");
        return;
    }
    let root = TempDir::new("i686-q");
    let d = rvirt_testkit::Daemon::start_with("i686", &["--qemu-root", root.0.to_str().unwrap()]);
    let uri = d.qemu_uri();
    // The reaper's own scan knows x86_64 only: these are killed here.
    struct Reap(std::path::PathBuf);
    impl Drop for Reap {
        fn drop(&mut self) {
            for pid in i386_pids(&self.0) {
                // SAFETY: kill(2) on a QEMU this test's daemon started under its root.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
    let _reap = (QemuReaper(root.0.clone()), Reap(root.0.clone()));

    let caps = virsh_ok(&uri, &["capabilities"]);
    let i686 = caps
        .find(&format!(
            "<arch name='i686'>\n      <wordsize>32</wordsize>\n      <emulator>{I386}</emulator>"
        ))
        .unwrap_or_else(|| panic!("{caps}"));
    let x86 = caps.find("<arch name='x86_64'>").unwrap();
    assert!(i686 < x86, "{caps}");
    let dc = virsh_ok(
        &uri,
        &["domcapabilities", "--virttype", "qemu", "--arch", "i686"],
    );
    assert!(
        dc.contains(&format!("<path>{I386}</path>")) && dc.contains("<arch>i686</arch>"),
        "{dc}"
    );

    // A guest that halts: running on qemu-system-i386.
    let disk = boot_disk(&root.0.join("halt.img"), HALT);
    let path = root.0.join("g.xml");
    std::fs::write(&path, i686_xml("i686halt", &disk)).unwrap();
    virsh_ok(&uri, &["define", path.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "i686halt"]);
    let pids = i386_pids(&root.0);
    assert_eq!(pids.len(), 1, "{pids:?}");
    let live = virsh_ok(&uri, &["dumpxml", "i686halt"]);
    assert!(live.contains("arch='i686'"), "{live}");
    assert_eq!(virsh_ok(&uri, &["domstate", "i686halt"]).trim(), "running");
    virsh_ok(&uri, &["destroy", "i686halt"]);

    // A guest that powers itself off: it booted and ran to its shutdown.
    let disk = boot_disk(&root.0.join("off.img"), POWEROFF);
    std::fs::write(&path, i686_xml("i686off", &disk)).unwrap();
    virsh_ok(&uri, &["define", path.to_str().unwrap()]);
    virsh_ok(&uri, &["start", "i686off"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let st = virsh_ok(&uri, &["domstate", "--reason", "i686off"]);
        if st.trim() == "shut off (shutdown)" {
            break;
        }
        assert!(Instant::now() < deadline, "guest did not power off: {st}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(i386_pids(&root.0).is_empty());
    virsh_ok(&uri, &["undefine", "i686halt"]);
    virsh_ok(&uri, &["undefine", "i686off"]);
}

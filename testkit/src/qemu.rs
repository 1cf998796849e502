//! Real QEMU processes a test started: found by the root they run under, and killed by
//! pid when the test ends however it ends.

use std::path::{Path, PathBuf};

/// The QEMU binary the driver runs.
pub const QEMU: &str = "/usr/bin/qemu-system-x86_64";

/// True if the QEMU binary is installed; prints a skip message otherwise, and fails in
/// CI (like [`crate::have_virsh`]).
pub fn have_qemu() -> bool {
    if Path::new(QEMU).exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{QEMU} is required in CI (install it with tools/setup.sh)");
    }
    println!("SKIPPED: {QEMU} is not installed (and CI is unset)");
    false
}

/// The pids of the QEMUs whose command line names `root` (their pid file or disk lies
/// under it).
pub fn qemu_pids(root: &Path) -> Vec<i32> {
    let needle = root.to_string_lossy().into_owned();
    let mut pids = Vec::new();
    for p in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = p.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
        if cmdline.starts_with(QEMU.as_bytes())
            && String::from_utf8_lossy(&cmdline).contains(&needle)
        {
            pids.push(pid);
        }
    }
    pids.sort();
    pids
}

/// Kills (by pid) every QEMU whose command line names its root when dropped, however
/// the test ends.
#[derive(Debug)]
pub struct QemuReaper(pub PathBuf);

impl Drop for QemuReaper {
    fn drop(&mut self) {
        for pid in qemu_pids(&self.0) {
            // SAFETY: kill(2) on a QEMU started under this test's private root.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

/// True while `pid` exists (zombies included: an unreaped QEMU still counts).
pub fn pid_exists(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks the pid.
    unsafe { libc::kill(pid, 0) == 0 }
}

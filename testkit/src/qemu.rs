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
/// the test ends, and removes the cgroups the driver recorded for them there (a daemon
/// killed mid-test leaves them behind).
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
        remove_recorded_cgroups(&self.0);
    }
}

/// The QEMU driver's cgroup records below `dir` (`run/qemu/NAME.cgroup`, at most four
/// levels down).
fn cgroup_records(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() && depth > 0 => cgroup_records(&path, depth - 1, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|x| x == "cgroup") => {
                out.push(path)
            }
            _ => {}
        }
    }
}

/// Removes the cgroup directories recorded below `root` (their sub-cgroups first, then
/// a `machine.slice` left empty), waiting up to 5 s for killed QEMUs to leave them.
pub fn remove_recorded_cgroups(root: &Path) {
    let mut records = Vec::new();
    cgroup_records(root, 4, &mut records);
    let rmdir = |d: &Path| {
        let t = std::time::Instant::now();
        while let Err(e) = std::fs::remove_dir(d) {
            if e.raw_os_error() != Some(libc::EBUSY) || t.elapsed().as_secs() >= 5 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    for record in records {
        let text = std::fs::read_to_string(&record).unwrap_or_default();
        for dir in text.lines().map(Path::new) {
            if !dir.starts_with("/sys/fs/cgroup") || !dir.exists() {
                continue;
            }
            for sub in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if sub.file_type().is_ok_and(|t| t.is_dir()) {
                    rmdir(&sub.path());
                }
            }
            rmdir(dir);
            if let Some(slice) = dir.parent() {
                let _ = std::fs::remove_dir(slice);
            }
        }
    }
}

/// True while `pid` exists (zombies included: an unreaped QEMU still counts).
pub fn pid_exists(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks the pid.
    unsafe { libc::kill(pid, 0) == 0 }
}

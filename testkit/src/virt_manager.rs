//! Debian's virt-manager under Xvfb against rvirtd: started by
//! `run-virt-manager.sh` (next to this crate's `Cargo.toml`; see its header) in a
//! process group of its own, killed with everything it started (Xvfb, its D-Bus session)
//! when dropped, and its debug log and the libvirt client's log read as it runs.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The launcher script.
pub const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/run-virt-manager.sh");

const VIRT_MANAGER: &str = "/usr/bin/virt-manager";

/// True if virt-manager, xvfb-run and dbus-run-session are installed and this process
/// may make a mount namespace (root); prints a skip notice otherwise, and fails in CI
/// (install them with tools/setup.sh).
pub fn have_virt_manager() -> bool {
    let missing = [
        VIRT_MANAGER,
        "/usr/bin/xvfb-run",
        "/usr/bin/dbus-run-session",
    ]
    .into_iter()
    .find(|p| !Path::new(p).exists());
    // SAFETY: getuid(2) has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    let why = match (missing, root) {
        (Some(p), _) => format!("{p} is not installed"),
        (None, false) => "virt-manager's mount namespace needs root".to_string(),
        (None, true) => return true,
    };
    if std::env::var_os("CI").is_some() {
        panic!("cannot run virt-manager in CI: {why}");
    }
    println!("SKIPPED: {why}");
    false
}

/// A running virt-manager, its whole process group killed on drop.
#[derive(Debug)]
pub struct VirtManager {
    child: Child,
    dir: PathBuf,
}

impl VirtManager {
    /// Starts virt-manager on `qemu:///system` reaching `socket` (an rvirtd's
    /// read-write socket), with `args` (e.g. `["--show-host-summary"]`); its files go
    /// to `dir`.
    pub fn start(dir: &Path, socket: &Path, args: &[&str]) -> VirtManager {
        VirtManager::start_uri(dir, socket, "qemu:///system", args)
    }

    /// Like [`VirtManager::start`], connecting to `uri` (e.g. a daemon's test driver,
    /// `test+unix:///default?socket=…`).
    pub fn start_uri(dir: &Path, socket: &Path, uri: &str, args: &[&str]) -> VirtManager {
        VirtManager::start_harness(dir, socket, uri, None, &[], args)
    }

    /// Like [`VirtManager::start_uri`], running the python script `harness` instead of
    /// `/usr/bin/virt-manager` (a script that runs virt-manager's own main and drives
    /// its windows), with `env` added to its environment.
    pub fn start_harness(
        dir: &Path,
        socket: &Path,
        uri: &str,
        harness: Option<&Path>,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> VirtManager {
        std::fs::create_dir_all(dir).unwrap();
        let log = std::fs::File::create(dir.join("virt-manager.log")).unwrap();
        let mut cmd = Command::new("sh");
        if let Some(h) = harness {
            cmd.env("RVIRT_VMGR_HARNESS", h);
        }
        cmd.envs(env.iter().copied());
        let child = cmd
            .arg(SCRIPT)
            .arg(dir)
            .arg(socket)
            .arg(uri)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("start run-virt-manager.sh");
        VirtManager {
            child,
            dir: dir.to_path_buf(),
        }
    }

    /// virt-manager's debug log so far (with the traced libvirt calls).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("virt-manager.log")).unwrap_or_default()
    }

    /// What the libvirt client library logged so far: its errors and warnings
    /// (`LIBVIRT_LOG_OUTPUTS`), including the ones virt-manager swallows.
    pub fn libvirt_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("libvirt-client.log")).unwrap_or_default()
    }

    /// Waits (at most `secs`) until the debug log contains `needle`; panics with the
    /// log otherwise, or if virt-manager exits first.
    pub fn wait_log(&mut self, needle: &str, secs: u64) {
        self.wait_log_any(&[needle], secs);
    }

    /// Waits (at most `secs`) until the debug log contains one of `needles` (e.g. an
    /// outcome and its failure); returns it. Panics like [`VirtManager::wait_log`].
    pub fn wait_log_any<'a>(&mut self, needles: &[&'a str], secs: u64) -> &'a str {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let log = self.log();
            if let Some(found) = needles.iter().find(|n| log.contains(**n)) {
                return found;
            }
            let exited = self.child.try_wait().unwrap();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "virt-manager never logged any of {needles:?} (exit: {exited:?}):\n{log}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills virt-manager and everything it started (the process group), and reaps it.
    pub fn stop(&mut self) {
        let pgid = self.child.id() as i32;
        // SAFETY: kill(2) of the process group this struct's child leads.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

impl Drop for VirtManager {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The lines of a virt-manager debug log or libvirt client log that report a libvirt
/// error: the client library's `error :` lines, and virt-manager's `libvirtError`
/// exceptions (`libvirt.libvirtError: …`), `ERROR` records and the errors it logs at
/// debug level (`(connection:825) Error registering …`) while registering or polling.
pub fn libvirt_errors(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| {
            l.contains(" error : ")
                || l.contains("libvirtError: ")
                || l.contains("] ERROR (")
                || l.contains(") Error ")
                || l.contains("not supported by the connection driver")
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_and_not_the_tracing_of_the_error_class() {
        let log = "\
[Mon] DEBUG (module_trace:70) wrapclas <class 'libvirt.libvirtError'> libvirtError
[Mon] DEBUG (connection:825) Error registering node device events: x
2026-12-07 00:46:54.328+0000: 1: error : virNetClientProgramDispatchError:172 : y
libvirt.libvirtError: argument unsupported
[Mon] ERROR (console:737) Error connecting to graphical console
[Mon] DEBUG (console:856) Viewer connected cb
";
        assert_eq!(libvirt_errors(log).len(), 4, "{:?}", libvirt_errors(log));
    }
}

//! Network namespaces of a test thread's own: rvirtd, dnsmasq, QEMU and `ip` started
//! from the thread inherit it and never touch the host's interfaces; and the dnsmasq
//! processes a daemon's networks leave behind, killed by pid.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::pid_files;

/// Moves the calling thread into a new network namespace; false (test skipped) when
/// that is not allowed or a tool the network driver runs is missing.
pub fn enter_netns() -> bool {
    for (tool, arg) in [("ip", "-V"), ("nft", "--version"), ("dnsmasq", "--version")] {
        if !Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
        {
            eprintln!("skipped: {tool} missing");
            return false;
        }
    }
    if !Path::new("/dev/net/tun").exists() {
        eprintln!("skipped: no /dev/net/tun");
        return false;
    }
    // SAFETY: unshare(2) of this thread's network namespace; no memory involved.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        eprintln!(
            "skipped: unshare(CLONE_NEWNET): {}",
            std::io::Error::last_os_error()
        );
        return false;
    }
    true
}

/// `ip ARGS…` in the calling thread's namespace, asserting success.
pub fn ip(args: &[&str]) {
    let st = Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "ip {args:?}");
}

/// Kills, when dropped, the dnsmasq processes of a daemon's network root (its
/// `--network-root`) by the pids in their pid files (rvirtd leaves them running, as
/// libvirtd does).
#[derive(Debug)]
pub struct DnsmasqReaper(pub PathBuf);

impl Drop for DnsmasqReaper {
    fn drop(&mut self) {
        for pid in pid_files(&self.0.join("run/network/dnsmasq")) {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmd).contains("dnsmasq") {
                // SAFETY: kill(2) of a dnsmasq this test's rvirtd started.
                unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            }
        }
    }
}

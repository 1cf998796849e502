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

/// Moves the calling thread into a new network namespace and a new mount namespace
/// (propagation private) with a fresh sysfs mounted on `/sys`, so that the processes
/// it starts read the namespace's own interfaces in `/sys/class/net`; false (test
/// skipped) when that is not allowed or `ip` is missing. Nothing of the host's mounts
/// or interfaces changes.
pub fn enter_netns_with_sysfs() -> bool {
    if !Command::new("ip")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipped: ip missing");
        return false;
    }
    // SAFETY: unshare(2) of this thread's network and mount namespaces (the thread's
    // own fs context is unshared with them); no memory involved.
    if unsafe { libc::unshare(libc::CLONE_NEWNET | libc::CLONE_NEWNS) } != 0 {
        eprintln!(
            "skipped: unshare(CLONE_NEWNET|CLONE_NEWNS): {}",
            std::io::Error::last_os_error()
        );
        return false;
    }
    let ok = mount_in_own_namespace("sysfs", Path::new("/sys"));
    if !ok {
        eprintln!(
            "skipped: mounting sysfs in a private mount namespace: {}",
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

/// rvirtd with its QEMU driver and networks rooted in a test's directory (libvirt's
/// `default` NAT network autostarted, in the test thread's network namespace), and the
/// reapers of the QEMUs and dnsmasqs it starts. Fields drop in order: the daemon
/// first, then the reapers catch what it left.
#[derive(Debug)]
pub struct NetworkDaemon {
    /// The daemon.
    pub d: crate::Daemon,
    args: Vec<String>,
    _reapers: (crate::QemuReaper, DnsmasqReaper),
}

impl NetworkDaemon {
    /// Starts rvirtd with `--qemu-root TMP/q --network-root TMP/n
    /// --nwfilter-root TMP/nwf --network-autostart yes`.
    pub fn start(tmp: &crate::TempDir, tag: &str) -> NetworkDaemon {
        let root = tmp.0.join("q");
        let net_root = tmp.0.join("n");
        let nwf_root = tmp.0.join("nwf");
        std::fs::create_dir_all(&root).unwrap();
        let _reapers = (
            crate::QemuReaper(root.clone()),
            DnsmasqReaper(net_root.clone()),
        );
        let args: Vec<String> = [
            "--qemu-root",
            root.to_str().unwrap(),
            "--network-root",
            net_root.to_str().unwrap(),
            "--nwfilter-root",
            nwf_root.to_str().unwrap(),
            "--network-autostart",
            "yes",
        ]
        .map(String::from)
        .to_vec();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let d = crate::Daemon::start_with(tag, &refs);
        NetworkDaemon { d, args, _reapers }
    }

    /// Kills the daemon (its guests and dnsmasqs stay, as libvirtd leaves them) and
    /// starts a new one on the same roots.
    pub fn restart(&mut self, tag: &str) {
        let _ = self.d.child.kill();
        let _ = self.d.child.wait();
        let refs: Vec<&str> = self.args.iter().map(String::as_str).collect();
        self.d = crate::Daemon::start_with(tag, &refs);
    }
}

/// libvirt's shipped network filters (`clean-traffic`, `no-mac-spoofing`, …) as
/// `tools/fetch-libvirt-nwfilters.sh` unpacked them from Debian's
/// libvirt-daemon-config-nwfilter into the cache: their files, sorted; `None` (a
/// printed skip) when they were never fetched, a failure when `CI` is set.
pub fn libvirt_nwfilters() -> Option<Vec<PathBuf>> {
    let dir = crate::linux_guest::cache_dir().join("libvirt-nwfilter");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    if files.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but libvirt's filters are missing (tools/fetch-libvirt-nwfilters.sh)"
        );
        eprintln!("skipped: libvirt's filters not fetched (tools/fetch-libvirt-nwfilters.sh)");
        return None;
    }
    Some(files)
}

/// After `unshare(CLONE_NEWNS)` of the calling thread: makes its mount tree private
/// (nothing propagates back to the host's) and mounts a file system of type `fstype`
/// on `at` in it; false if either fails.
pub fn mount_in_own_namespace(fstype: &str, at: &Path) -> bool {
    let c = |s: &str| std::ffi::CString::new(s).unwrap();
    let (root, target, fs) = (c("/"), c(&at.to_string_lossy()), c(fstype));
    // SAFETY: mount(2) with valid C strings: first nothing of this namespace propagates
    // back to the host's, then the file system on `at`.
    unsafe {
        libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) == 0
            && libc::mount(
                fs.as_ptr(),
                target.as_ptr(),
                fs.as_ptr(),
                0,
                std::ptr::null(),
            ) == 0
    }
}

//! rvirtd as a real process in a directory of its own (sockets, log, QEMU and LXC
//! roots), killed by pid and reaped when the test ends.

use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TempDir;

/// The rvirtd binary to run: `$RVIRTD_BIN` (another build, e.g. an older one, to see a
/// regression test fail without its fix), else the one cargo built next to the test
/// executable (`target/<profile>/rvirtd`), built first if it is missing.
pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("RVIRTD_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/TEST");
    let bin = profile_dir.join("rvirtd");
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "rvirtd"])
            .status()
            .expect("cargo build -p rvirtd");
        assert!(status.success(), "cargo build -p rvirtd failed");
    }
    bin
}

/// A running `rvirtd` process in its own temp dir.
#[derive(Debug)]
pub struct Daemon {
    /// The rvirtd process.
    pub child: Child,
    /// Its directory: sockets, `rvirtd.log`, the QEMU root `q` and LXC root `l` (unless
    /// the test named roots itself).
    pub dir: TempDir,
}

impl Daemon {
    /// Starts rvirtd holding `test:///default` open, and waits until its unix sockets
    /// (read-write, read-only and, unless `--no-admin`, admin) accept.
    pub fn start(tag: &str) -> Daemon {
        Daemon::start_with(tag, &[])
    }

    /// Like [`Daemon::start`] with `extra` arguments for rvirtd.
    pub fn start_with(tag: &str, extra: &[&str]) -> Daemon {
        let dir = TempDir::new(tag);
        let log = std::fs::File::create(dir.0.join("rvirtd.log")).unwrap();
        // The QEMU and LXC states live in the test's own directory unless the test
        // names roots itself.
        let mut roots = Vec::new();
        for (flag, sub) in [
            ("--qemu-root", "q"),
            ("--lxc-root", "l"),
            ("--storage-root", "s"),
            ("--network-root", "n"),
            ("--secret-root", "sec"),
            ("--nwfilter-root", "nwf"),
        ] {
            if !extra.contains(&flag) {
                roots.push(flag.to_string());
                roots.push(dir.0.join(sub).display().to_string());
            }
        }
        // Networks touch the host's networking: test daemons start none on their own
        // unless the test (inside a network namespace of its own) asks.
        if !extra.contains(&"--network-autostart") {
            roots.extend(["--network-autostart".to_string(), "no".to_string()]);
        }
        let child = Command::new(binary())
            .arg("--socket-dir")
            .arg(&dir.0)
            .args(["--keep-open", "test:///default", "--timeout", "120"])
            .args(&roots)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start rvirtd");
        let d = Daemon { child, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut sockets = vec![d.rw_socket(), d.ro_socket()];
        if !extra.contains(&"--no-admin") {
            sockets.push(d.admin_socket());
        }
        for sock in sockets {
            while UnixStream::connect(&sock).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "rvirtd did not listen on {}; log:\n{}",
                    sock.display(),
                    d.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        d
    }

    /// The daemon's process id.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// The read-write socket.
    pub fn rw_socket(&self) -> PathBuf {
        self.dir.0.join("libvirt-sock")
    }

    /// The read-only socket.
    pub fn ro_socket(&self) -> PathBuf {
        self.dir.0.join("libvirt-sock-ro")
    }

    /// The admin socket.
    pub fn admin_socket(&self) -> PathBuf {
        self.dir.0.join("libvirt-admin-sock")
    }

    /// virt-admin's URI for the admin socket.
    pub fn admin_uri(&self) -> String {
        format!(
            "libvirtd:///system?socket={}",
            self.admin_socket().display()
        )
    }

    /// `test+unix:///default?socket=…` for the read-write socket.
    pub fn uri(&self) -> String {
        format!("test+unix:///default?socket={}", self.rw_socket().display())
    }

    /// Same for the read-only socket.
    pub fn ro_uri(&self) -> String {
        format!("test+unix:///default?socket={}", self.ro_socket().display())
    }

    /// `qemu+unix:///system?socket=…` for the read-write socket: the QEMU driver rvirtd
    /// hosts (rooted at `--qemu-root`).
    pub fn qemu_uri(&self) -> String {
        format!("qemu+unix:///system?socket={}", self.rw_socket().display())
    }

    /// What rvirtd logged so far (its stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("rvirtd.log")).unwrap_or_default()
    }

    /// Waits (at most 10 s) until the log contains `needle`, e.g. until an event
    /// client's callback is registered.
    pub fn wait_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "log never said {needle:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// True while the process runs.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits (at most 10 s) until `addr` accepts TCP connections.
    pub fn wait_tcp(&self, addr: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "no TCP listener on {addr}; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A TCP port free on 127.0.0.1 right now (the kernel picks it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Kill by pid (Child::kill signals exactly this process) and reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

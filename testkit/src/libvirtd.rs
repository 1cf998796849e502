//! A private libvirtd (Debian's, with only its built-in test driver) in a mount
//! namespace of its own, invisible to the host: the peer of the remote driver's and
//! rvirsh's tests. `run-private-libvirtd.sh` (next to this crate's `Cargo.toml`) starts
//! it; `tools/bench/*.sh` run the same script.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::TempDir;
use crate::daemon::free_port;

/// The launcher script (see its header for the environment it reads).
pub const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/run-private-libvirtd.sh");
const LIBVIRTD: &str = "/usr/sbin/libvirtd";

/// Options of one daemon.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Also listen on TCP (127.0.0.1, a free port).
    pub tcp: bool,
    /// Also listen on TLS (127.0.0.1, a free port) with `cacert.pem`, `servercert.pem`
    /// and `serverkey.pem` from this directory.
    pub tls: Option<PathBuf>,
    /// keepalive_interval and keepalive_count, if not libvirtd's 5/5.
    pub keepalive: Option<(u32, u32)>,
    /// Also load Debian's secret driver (`secret:///system`; its files live in the
    /// daemon's private `/etc/libvirt`).
    pub secret_driver: bool,
    /// Also load Debian's nwfilter driver (`nwfilter:///system`; its files live in the
    /// daemon's private `/etc/libvirt`). The daemon then runs in a network namespace of
    /// its own, so neither `tcp` nor `tls` may be set.
    pub nwfilter_driver: bool,
    /// Also load Debian's QEMU driver (`qemu:///system`, QEMU run as root without
    /// confinement: the script's `QEMU_DRIVER`).
    pub qemu_driver: bool,
    /// Also load Debian's storage driver (the script's `STORAGE_DRIVER`).
    pub storage_driver: bool,
    /// Also load Debian's interface driver (`interface:///system`, the script's
    /// `INTERFACE_DRIVER`): the interfaces of the sysfs the caller sees at `/sys`.
    pub interface_driver: bool,
}

/// After this long a daemon is killed even if its test still runs, so a hung call fails
/// (end of file) instead of hanging the test run.
const WATCHDOG: Duration = Duration::from_secs(90);

/// A running private libvirtd; killed (by pid) and its directory removed on drop.
#[derive(Debug)]
pub struct Libvirtd {
    child: Arc<Mutex<Option<Child>>>,
    /// The run directory (config, log, sockets), removed after the daemon is killed.
    pub dir: TempDir,
    /// The TCP port, if listening on TCP.
    pub tcp_port: Option<u16>,
    /// The TLS port, if listening on TLS.
    pub tls_port: Option<u16>,
}

fn missing_prerequisite() -> Option<String> {
    if !Path::new(LIBVIRTD).exists() {
        return Some(format!(
            "{LIBVIRTD} is not installed (apt-get install libvirt-daemon)"
        ));
    }
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("a private libvirtd needs root (mount namespace)".into());
    }
    if Command::new("unshare").arg("--help").output().is_err() {
        return Some("unshare (util-linux) is not installed".into());
    }
    None
}

impl Libvirtd {
    /// Starts a daemon with default options; `None` (after a printed notice) when this
    /// machine cannot run one and `CI` is unset. In CI a missing prerequisite panics.
    pub fn start() -> Option<Libvirtd> {
        Self::start_with(Options::default())
    }

    /// Starts a daemon with `opts` (see [`Libvirtd::start`]).
    pub fn start_with(opts: Options) -> Option<Libvirtd> {
        if let Some(why) = missing_prerequisite() {
            if std::env::var_os("CI").is_some() {
                panic!("cannot run a private libvirtd in CI: {why}");
            }
            eprintln!("SKIPPED: cannot run a private libvirtd: {why}");
            return None;
        }
        let dir = TempDir::new("libvirtd");
        let mut cmd = Command::new("sh");
        cmd.arg(SCRIPT)
            .arg(dir.path())
            .env("IDLE_TIMEOUT", "60")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let tcp_port = opts.tcp.then(free_port);
        if let Some(p) = tcp_port {
            cmd.env("TCP_PORT", p.to_string());
        }
        let tls_port = opts.tls.as_ref().map(|_| free_port());
        if let (Some(p), Some(pki)) = (tls_port, &opts.tls) {
            cmd.env("TLS_PORT", p.to_string()).env("PKI_DIR", pki);
        }
        if let Some((interval, count)) = opts.keepalive {
            cmd.env("KEEPALIVE_INTERVAL", interval.to_string())
                .env("KEEPALIVE_COUNT", count.to_string());
        }
        if opts.secret_driver {
            cmd.env("SECRET_DRIVER", "1");
        }
        if opts.nwfilter_driver {
            assert!(
                !opts.tcp && opts.tls.is_none(),
                "the nwfilter driver's libvirtd has no network of its own to listen on"
            );
            cmd.env("NWFILTER_DRIVER", "1");
        }
        if opts.qemu_driver {
            cmd.env("QEMU_DRIVER", "1");
        }
        if opts.storage_driver {
            cmd.env("STORAGE_DRIVER", "1");
        }
        if opts.interface_driver {
            cmd.env("INTERFACE_DRIVER", "1");
        }
        let child = Arc::new(Mutex::new(Some(cmd.spawn().expect("spawn libvirtd"))));
        let watched = Arc::downgrade(&child);
        std::thread::spawn(move || {
            let deadline = Instant::now() + WATCHDOG;
            while Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
                if watched.strong_count() == 0 {
                    return;
                }
            }
            if let Some(child) = watched.upgrade() {
                eprintln!("private libvirtd outlived {WATCHDOG:?}: killing it");
                kill_child(&child);
            }
        });
        let d = Libvirtd {
            child,
            dir,
            tcp_port,
            tls_port,
        };
        d.wait_ready();
        Some(d)
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // The socket file appears at bind(2), before listen(2): wait for a connect.
            let sock_ok = std::os::unix::net::UnixStream::connect(self.socket()).is_ok();
            let port_ok = |port: Option<u16>| {
                port.is_none_or(|p| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok())
            };
            if sock_ok && port_ok(self.tcp_port) && port_ok(self.tls_port) {
                return;
            }
            let exited = lock(&self.child)
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                panic!(
                    "private libvirtd did not come up (exit: {exited:?}); log:\n{}",
                    std::fs::read_to_string(self.dir.join("libvirtd.log")).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The read-write socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("sock/libvirt-sock")
    }

    /// `test+unix:///default?socket=…` for this daemon.
    pub fn uri(&self) -> String {
        format!("test+unix:///default?socket={}", self.socket().display())
    }

    /// `qemu+unix:///system?socket=…` for this daemon (with [`Options::qemu_driver`]).
    pub fn qemu_uri(&self) -> String {
        format!("qemu+unix:///system?socket={}", self.socket().display())
    }

    /// `interface+unix:///system?socket=…` for this daemon (with
    /// [`Options::interface_driver`]).
    pub fn interface_uri(&self) -> String {
        format!(
            "interface+unix:///system?socket={}",
            self.socket().display()
        )
    }

    /// libvirtd's pid.
    pub fn pid(&self) -> u32 {
        lock(&self.child).as_ref().map_or(0, Child::id)
    }

    /// Kills the daemon now (SIGKILL to its pid) and reaps it.
    pub fn kill(&mut self) {
        kill_child(&self.child);
    }
}

fn lock(child: &Mutex<Option<Child>>) -> std::sync::MutexGuard<'_, Option<Child>> {
    child.lock().unwrap_or_else(|p| p.into_inner())
}

fn kill_child(child: &Mutex<Option<Child>>) {
    if let Some(mut c) = lock(child).take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

impl Drop for Libvirtd {
    fn drop(&mut self) {
        // The run directory (a field) is removed after this, once libvirtd is gone.
        self.kill();
    }
}

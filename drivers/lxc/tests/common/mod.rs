//! Shared set-up for the LXC driver's integration tests: a temp root, a DefaultLoop run
//! on the test thread, lifecycle events collected, and a clean-up that kills every
//! controller and container init by pid and removes the root.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, Lifecycle};
use rvirt_testkit::{close_destroying, pid_files};

/// Bound for anything a test waits for.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// True when this machine can create the namespaces a container needs; prints why not.
/// Under CI (`CI` set) a missing capability is a failure, not a skip.
pub fn namespaces_available() -> bool {
    let ok = std::process::Command::new("unshare")
        .args(["--pid", "--fork", "--mount", "--uts", "--ipc", "/bin/true"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let why = "`unshare --pid --fork --mount --uts --ipc /bin/true` failed: no namespaces here (need root / CAP_SYS_ADMIN)";
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot run containers in CI: {why}"
        );
        eprintln!("SKIPPED: {why}");
    }
    ok
}

pub struct Env {
    pub root: PathBuf,
    pub l: DefaultLoop,
    pub conn: Option<Connect>,
    pub events: Arc<Mutex<Vec<(String, Lifecycle)>>>,
    /// Every pid a test saw (controllers, inits), killed at the end in any case.
    pub pids: Vec<u32>,
}

pub fn uri(root: &std::path::Path) -> String {
    format!("lxc:///embed?root={}", root.display())
}

pub fn setup(tag: &str) -> Env {
    rvirt_driver_lxc::register().unwrap();
    rvirt_driver_lxc::set_controller_path(env!("CARGO_BIN_EXE_rvirt-lxc-controller"));
    let root = rvirt_testkit::short_dir("rvl", tag);
    let l = DefaultLoop::new().unwrap();
    let mut env = Env {
        root,
        l,
        conn: None,
        events: Arc::new(Mutex::new(Vec::new())),
        pids: Vec::new(),
    };
    env.reopen();
    env
}

impl Env {
    pub fn conn(&self) -> &Connect {
        self.conn.as_ref().unwrap()
    }

    /// Opens a fresh connection on the same root (closing the current one first).
    pub fn reopen(&mut self) {
        if let Some(c) = self.conn.take() {
            c.close().unwrap();
        }
        let conn = Connect::open_with_loop(&uri(&self.root), self.l.shared()).unwrap();
        let sink = self.events.clone();
        conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |dom, ev| {
            if let DomainEvent::Lifecycle(lc) = ev {
                sink.lock().unwrap().push((dom.name().to_owned(), *lc));
            }
        })
        .unwrap();
        self.conn = Some(conn);
    }

    /// Lifecycle events of `name` so far.
    pub fn events_of(&self, name: &str) -> Vec<Lifecycle> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, l)| *l)
            .collect()
    }

    /// Runs the loop until `name` got an event matching `pred`; returns its events.
    pub fn run_until(&self, name: &str, pred: impl Fn(&Lifecycle) -> bool) -> Vec<Lifecycle> {
        let t = Instant::now();
        loop {
            let evs = self.events_of(name);
            if evs.iter().any(&pred) {
                return evs;
            }
            assert!(
                t.elapsed() < DEADLINE,
                "timed out; events of {name}: {evs:?}"
            );
            self.l.run_once_timeout(Duration::from_millis(20)).unwrap();
        }
    }

    /// Runs the loop for a while (lets queued events be dispatched).
    pub fn spin(&self, d: Duration) {
        let t = Instant::now();
        while t.elapsed() < d {
            self.l.run_once_timeout(Duration::from_millis(10)).unwrap();
        }
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.join(format!("log/lxc/{name}.log"))).unwrap_or_default()
    }

    /// Waits (bounded) until the container log contains `needle`.
    pub fn wait_log(&self, name: &str, needle: &str) {
        let t = Instant::now();
        while !self.log(name).contains(needle) {
            assert!(t.elapsed() < DEADLINE, "log of {name}: {}", self.log(name));
            self.l.run_once_timeout(Duration::from_millis(20)).unwrap();
        }
    }
}

/// True while `pid` runs (not a zombie).
pub fn alive(pid: u32) -> bool {
    rvirt_driver_lxc::process::alive(pid)
}

/// Waits (bounded) for `pid` to be gone.
pub fn wait_gone(pid: u32) -> bool {
    let t = Instant::now();
    while alive(pid) {
        if t.elapsed() > DEADLINE {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            close_destroying(c);
        }
        let mut pids = self.pids.clone();
        pids.extend(pid_files(&self.root.join("run/lxc")));
        for pid in pids {
            if alive(pid) {
                rvirt_driver_lxc::process::signal(pid, libc::SIGKILL);
            }
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// An LXC domain whose init is `/bin/sh -c SCRIPT`, rooted at the host's `/` read-only
/// (or bind-mounted from `rootfs`, read-write).
pub fn sh_xml(name: &str, script: &str, rootfs: Option<&str>) -> String {
    let esc = script
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let fs = rootfs.map_or(String::new(), |dir| {
        format!(
            "<devices><filesystem type='mount'><source dir='{dir}'/><target dir='/'/></filesystem></devices>"
        )
    });
    format!(
        "<domain type='lxc'><name>{name}</name><memory unit='MiB'>64</memory>\
         <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>{esc}</initarg></os>{fs}</domain>"
    )
}

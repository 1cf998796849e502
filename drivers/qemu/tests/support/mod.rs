//! What the QEMU driver's integration tests share beyond the workspace's test kit
//! (guests, driver roots): an embedded connection on a driver root with its loop and
//! recorded lifecycle events, and a safety net that kills any QEMU a failed test leaves.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, Domain, DomainEvent, DomainEventId, Lifecycle};
use rvirt_driver_qemu::process::pid_exists;
use rvirt_testkit::{LOOP, boot_disk, close_destroying, domain_xml, pid_files, write_guest};

pub const DEADLINE: Duration = Duration::from_secs(20);

/// One driver instance under test.
pub struct Env {
    pub root: PathBuf,
    pub l: DefaultLoop,
    pub conn: Option<Connect>,
    pub events: Arc<Mutex<Vec<Lifecycle>>>,
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            close_destroying(c);
        }
        // Safety net for a failed test: no QEMU outlives it.
        for pid in pid_files(&self.root.join("run/qemu")) {
            // SAFETY: SIGKILL to a QEMU this test started (its pid file).
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A fresh driver root `/tmp/rvq-TAG-PID`, removed by the [`Env`] that owns it.
pub fn root_for(tag: &str) -> PathBuf {
    rvirt_testkit::short_dir("rvq", tag)
}

/// A fresh root for `tag` and a driver instance on it, lifecycle events recorded.
pub fn setup(tag: &str) -> Env {
    reopen(&root_for(tag))
}

impl Env {
    pub fn conn(&self) -> &Connect {
        self.conn.as_ref().unwrap()
    }

    /// Runs the loop until an event matching `pred` was seen; returns all events so far.
    pub fn run_until(&self, pred: impl Fn(&Lifecycle) -> bool) -> Vec<Lifecycle> {
        let t = Instant::now();
        loop {
            {
                let evs = self.events.lock().unwrap();
                if evs.iter().any(&pred) {
                    return evs.clone();
                }
            }
            assert!(
                t.elapsed() < DEADLINE,
                "timed out; events: {:?}",
                self.events.lock().unwrap()
            );
            self.l.run_once_timeout(Duration::from_millis(50)).unwrap();
        }
    }

    /// Runs the loop until process `pid` is gone (reaped): a QEMU whose monitor
    /// closed is reaped by the driver's timer on this loop if it did not exit at once.
    pub fn run_until_gone(&self, pid: u32) {
        let t = Instant::now();
        while pid_exists(pid) {
            assert!(t.elapsed() < DEADLINE, "qemu {pid} still there");
            self.l.run_once_timeout(Duration::from_millis(20)).unwrap();
        }
    }

    /// Presses the ACPI power button through `press` until an event matching `pred`
    /// arrives. The firmware runs for a while before the boot sector enables the
    /// button event, and a press before that is lost: wait, and press again after a
    /// second without effect.
    pub fn press_until(
        &self,
        press: impl Fn(),
        pred: impl Fn(&Lifecycle) -> bool,
    ) -> Vec<Lifecycle> {
        let t = Instant::now();
        std::thread::sleep(Duration::from_millis(300));
        loop {
            press();
            let pressed = Instant::now();
            while pressed.elapsed() < Duration::from_secs(1) {
                {
                    let evs = self.events.lock().unwrap();
                    if evs.iter().any(&pred) {
                        return evs.clone();
                    }
                }
                self.l.run_once_timeout(Duration::from_millis(20)).unwrap();
            }
            assert!(
                t.elapsed() < DEADLINE,
                "timed out; events: {:?}",
                self.events.lock().unwrap()
            );
        }
    }

    /// A boot disk running `code` in the root.
    pub fn disk(&self, code: &[u8]) -> PathBuf {
        boot_disk(&self.root.join("boot.img"), code)
    }

    /// The domain XML of guest `name` booting `code` from a disk in the root.
    pub fn guest_xml(&self, name: &str, code: &[u8]) -> String {
        domain_xml(name, &self.disk(code))
    }

    /// Starts the transient guest `name` booting `code` (see [`Env::guest_xml`]).
    pub fn create(&self, name: &str, code: &[u8]) -> Domain {
        self.conn()
            .create_xml(&self.guest_xml(name, code), 0)
            .unwrap()
    }

    /// The QEMU pid of running domain `name`, from its pid file.
    pub fn pid(&self, name: &str) -> u32 {
        let p = self.root.join(format!("run/qemu/{name}.pid"));
        std::fs::read_to_string(p).unwrap().trim().parse().unwrap()
    }
}

pub fn is_stopped(l: &Lifecycle) -> bool {
    matches!(l, Lifecycle::Stopped(_))
}

/// `qemu:///embed?root=ROOT` opened on a fresh loop (the driver registered).
pub fn open(root: &Path) -> (DefaultLoop, Connect) {
    rvirt_driver_qemu::register().unwrap();
    let l = DefaultLoop::new().unwrap();
    let conn = Connect::open_with_loop(
        &format!("qemu:///embed?root={}", root.display()),
        l.shared(),
    )
    .unwrap();
    (l, conn)
}

/// Opens `root` again from this process (a new driver instance) with events recorded.
pub fn reopen(root: &Path) -> Env {
    let (l, conn) = open(root);
    let events = record_lifecycle(&conn);
    Env {
        root: root.to_path_buf(),
        l,
        conn: Some(conn),
        events,
    }
}

/// Every lifecycle event `conn` sees from now on, in order.
pub fn record_lifecycle(conn: &Connect) -> Arc<Mutex<Vec<Lifecycle>>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    conn.domain_event_register_any(None, DomainEventId::Lifecycle, move |_, ev| {
        if let DomainEvent::Lifecycle(lc) = ev {
            sink.lock().unwrap().push(*lc);
        }
    })
    .unwrap();
    events
}

/// Starts `rvirt-qemu-run -r STATE XML` with a looping guest and waits until its
/// domain's status file exists; returns the tool's process and QEMU's pid. The tool
/// starts its guest with auto-destroy: QEMU dies with it.
pub fn run_tool_until_started(root: &Path, name: &str) -> (std::process::Child, u32) {
    let xml = write_guest(root, name, LOOP);
    let state = root.join("state");
    let mut tool = std::process::Command::new(env!("CARGO_BIN_EXE_rvirt-qemu-run"));
    tool.arg("-r").arg(&state).arg(&xml);
    until_started(tool, &state, name)
}

/// The environment variable that turns [`EMBEDDER_TEST`] into an embedding process.
pub const EMBEDDER_ENV: &str = "RVQ_EMBEDDER_ROOT";
/// The test of this binary that [`embed_until_started`] runs as its embedding process.
pub const EMBEDDER_TEST: &str = "embedder_process";

/// Starts this test binary again as an embedding process ([`embedder_process`]) that
/// opens `ROOT/state` and starts a looping guest `name` without auto-destroy, then
/// waits; returns that process and QEMU's pid once the domain's status file exists.
pub fn embed_until_started(root: &Path, name: &str) -> (std::process::Child, u32) {
    let xml = write_guest(root, name, LOOP);
    let state = root.join("state");
    let mut me = std::process::Command::new(std::env::current_exe().unwrap());
    me.args(["--exact", EMBEDDER_TEST, "--nocapture", "--test-threads=1"])
        .env(EMBEDDER_ENV, &state)
        .env("RVQ_EMBEDDER_XML", &xml);
    until_started(me, &state, name)
}

/// The embedding process of [`embed_until_started`], when [`EMBEDDER_ENV`] is set:
/// starts the guest, then waits to be killed (at most [`DEADLINE`], after which it
/// destroys the guest and returns). Without the variable it returns at once.
pub fn embedder_process() {
    let Some(state) = std::env::var_os(EMBEDDER_ENV) else {
        return;
    };
    let xml = std::fs::read_to_string(std::env::var_os("RVQ_EMBEDDER_XML").unwrap()).unwrap();
    let (_l, conn) = open(Path::new(&state));
    let dom = conn.create_xml(&xml, 0).unwrap();
    std::thread::sleep(DEADLINE);
    let _ = dom.destroy();
}

fn until_started(
    mut cmd: std::process::Command,
    state: &Path,
    name: &str,
) -> (std::process::Child, u32) {
    let mut child = cmd.spawn().unwrap();
    let t = Instant::now();
    let status = state.join(format!("run/qemu/{name}.xml"));
    while !status.exists() {
        if t.elapsed() > DEADLINE || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not start the guest");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = std::fs::read_to_string(state.join(format!("run/qemu/{name}.pid")))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (child, pid)
}

/// Every `qdev_id` in a `query-pci` reply, on the root buses and behind bridges and
/// root ports.
pub fn pci_qdev_ids(query_pci: &serde_json::Value) -> Vec<String> {
    fn walk(devices: &serde_json::Value, out: &mut Vec<String>) {
        for d in devices.as_array().into_iter().flatten() {
            if let Some(id) = d["qdev_id"].as_str() {
                out.push(id.to_owned());
            }
            walk(&d["pci_bridge"]["devices"], out);
        }
    }
    let mut ids = Vec::new();
    for bus in query_pci.as_array().into_iter().flatten() {
        walk(&bus["devices"], &mut ids);
    }
    ids
}

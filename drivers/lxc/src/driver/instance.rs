//! One driver instance per root: its domains, its clients' event sinks, starting and
//! stopping containers, and the monitor watches on the event loop.

use std::io::Write;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use rvirt_core::api::{RunningReason, ShutoffReason, StartedDetail, StateReason};
use rvirt_core::conf::{Device, DomainDef};
use rvirt_core::driver::files::remove_leftovers;
use rvirt_core::driver::{DriverConnection, EventSink, RootInstance};
use rvirt_core::event::{Interest, SharedLoop, WatchId};
use rvirt_core::objects::{ConfigDir, Persistence};

use rvirt_core::objects::{DomainEntry, DomainObj, Domains, Events, already_active};
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result};

use super::monitor::Monitor;
use crate::paths::{DriverRoot, Layout, sys, write_run_state};
use crate::process::{alive, controller_path, in_child_pid_ns, reap, signal, spawn_controller};
use crate::protocol::{ExitStatus, MonitorEvent};
use crate::state::{Ending, Status, outcome};
use crate::xml::ContainerSpec;

/// Bound for a controller to report INIT after it was spawned.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound for a controller to exit once it reported EXIT and we hung up.
const EXIT_GRACE: Duration = Duration::from_secs(5);
/// Bound for a destroyed controller to kill init and report.
const DESTROY_GRACE: Duration = Duration::from_secs(5);

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn not_running() -> Error {
    rvirt_core::objects::not_running()
}

/// A container as the driver keeps it (rvirt-core's shared domain object).
pub(crate) type Vm = DomainObj<Running>;
/// A container of the instance's list.
pub(crate) type Entry = Arc<DomainEntry<Running>>;

/// The shared state of one root.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) layout: Layout,
    pub(crate) root: Mutex<Option<DriverRoot>>,
    pub(crate) event_loop: SharedLoop,
    pub(crate) domains: Domains<Running>,
}

/// A running container as seen by the driver.
#[derive(Debug)]
pub(crate) struct Running {
    /// Controller pid: the domain id.
    pub(crate) pid: u32,
    pub(crate) init_pid: Option<u32>,
    pub(crate) mon: Monitor,
    pub(crate) watch: Option<WatchId>,
}

/// The running part of `vm`, or "domain is not running".
pub(crate) fn running(vm: &mut Vm) -> Result<&mut Running> {
    vm.run.as_mut().ok_or_else(not_running)
}

/// Writes `run/lxc/NAME.xml` (atomically) for a later instance to reconnect.
pub(crate) fn save_status(vm: &Vm, layout: &Layout) {
    let Some(run) = &vm.run else { return };
    let mut def = vm.def.clone();
    def.id = vm.id();
    let status = Status {
        pid: run.pid,
        init_pid: run.init_pid,
        socket: layout.socket(vm.name()),
        domain_xml: def.to_xml().unwrap_or_default(),
    };
    let _ = write_run_state(&layout.status_file(vm.name()), status.to_xml().as_bytes());
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(3).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

fn emulator(def: &DomainDef) -> Option<&str> {
    def.devices().iter().find_map(|d| match d {
        Device::Emulator(e) => Some(e.as_str()),
        _ => None,
    })
}

impl Shared {
    /// Starts an inactive container: spawn its controller, wait for INIT, watch the
    /// monitor, emit STARTED/BOOTED.
    pub(crate) fn start(
        self: &Arc<Self>,
        entry: &Entry,
        vm: &mut Vm,
        ev: &mut Events,
    ) -> Result<()> {
        if vm.is_active() {
            return Err(already_active(vm.name()));
        }
        let spec = ContainerSpec::from_def(&vm.def)?;
        let name = vm.def.name.clone();
        let l = &self.layout;
        l.check_name(&name)?;
        let binary = controller_path(emulator(&vm.def))?;
        let sock = l.socket(&name);
        let _ = std::fs::remove_file(&sock);
        let listener = UnixListener::bind(&sock)
            .map_err(|e| sys(format!("cannot bind '{}'", sock.display()), &e))?;
        let log = l.log_file(&name);
        if let Ok(mut f) = rvirt_core::driver::files::open_private_log(&log) {
            let _ = writeln!(f, "starting container '{name}': {}", binary.display());
        }
        let mut args = vec![
            "--name".into(),
            name.clone().into(),
            "--staging".into(),
            l.staging_dir(&name).into_os_string(),
        ];
        args.extend(spec.to_args());
        let spawned = spawn_controller(&binary, &args, &listener, &log);
        drop(listener);
        let pid = match spawned {
            Ok(p) => p,
            Err(e) => {
                let _ = std::fs::remove_file(&sock);
                return Err(e);
            }
        };
        let fail = |e: Error| {
            signal(pid, libc::SIGKILL);
            reap(pid, Duration::from_secs(1));
            let _ = std::fs::remove_file(&sock);
            let _ = std::fs::remove_file(l.pid_file(&name));
            let _ = std::fs::remove_dir(l.staging_dir(&name));
            Error::new(
                e.code(),
                ErrorDomain::Lxc,
                format!("{}; log: {}", e.message(), log_tail(&log)),
            )
        };
        if let Err(e) = write_run_state(&l.pid_file(&name), format!("{pid}\n").as_bytes()) {
            return Err(fail(e));
        }
        let mut mon = match Monitor::connect(&sock) {
            Ok(m) => m,
            Err(e) => return Err(fail(e)),
        };
        let mut events = mon.wait_for(START_TIMEOUT, |e| {
            matches!(e, MonitorEvent::Init { .. } | MonitorEvent::Exit(_))
        });
        let init_pid = match events.first() {
            Some(MonitorEvent::Init { pid }) => u32::try_from(*pid).ok(),
            _ => None,
        };
        let Some(init_pid) = init_pid else {
            vm.state = StateReason::Shutoff(ShutoffReason::Failed);
            let why = if mon.is_eof() || !events.is_empty() {
                "the container failed to start"
            } else {
                "timed out waiting for the container to start"
            };
            return Err(fail(Error::new(
                ErrorCode::OperationFailed,
                ErrorDomain::Lxc,
                why,
            )));
        };
        events.remove(0);
        let fd = mon.fd();
        vm.run = Some(Running {
            pid,
            init_pid: Some(init_pid),
            mon,
            watch: None,
        });
        self.domains.list.set_id(vm, Some(pid));
        vm.state = StateReason::Running(RunningReason::Booted);
        save_status(vm, l);
        ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Started(
            StartedDetail::Booted,
        ))));
        match self.watch_monitor(entry, fd) {
            Ok(w) => {
                if let Some(run) = vm.run.as_mut() {
                    run.watch = Some(w);
                }
            }
            Err(e) => {
                signal(pid, libc::SIGTERM);
                self.finish(entry, vm, Ending::Destroyed, ev);
                ev.clear();
                return Err(Error::internal(
                    ErrorDomain::Lxc,
                    format!("cannot watch the controller's monitor socket: {e}"),
                ));
            }
        }
        // Whatever came with INIT (a quick init may already have exited).
        self.apply(entry, vm, events, ev);
        Ok(())
    }

    /// Watches a running container's monitor on the instance's event loop.
    pub(crate) fn watch_monitor(self: &Arc<Self>, entry: &Entry, fd: i32) -> Result<WatchId> {
        let weak_shared: Weak<Shared> = Arc::downgrade(self);
        let weak_entry = Arc::downgrade(entry);
        Ok(self.event_loop.add_handle(
            fd,
            Interest::READABLE,
            Box::new(move |watch, _fd, _ready| {
                if let (Some(shared), Some(entry)) = (weak_shared.upgrade(), weak_entry.upgrade()) {
                    shared.on_monitor(&entry, watch);
                }
            }),
        )?)
    }

    /// The watch callback (event-loop thread): read, apply, emit.
    fn on_monitor(self: &Arc<Self>, entry: &Entry, watch: WatchId) {
        let stopped = {
            let mut vm = entry.lock();
            let Some(run) = vm.run.as_mut().filter(|r| r.watch == Some(watch)) else {
                return;
            };
            let events = run.mon.read_available();
            let mut ev = Events::new();
            self.apply(entry, &mut vm, events, &mut ev);
            self.domains.fanout.queue(ev);
            !vm.is_active()
        };
        self.domains.fanout.flush();
        if stopped {
            self.domains.list.remove_if_transient(&entry.uuid());
        }
    }

    /// Applies monitor events (and a closed socket) to a running container.
    pub(crate) fn apply(
        self: &Arc<Self>,
        entry: &Entry,
        vm: &mut Vm,
        events: Vec<MonitorEvent>,
        ev: &mut Events,
    ) {
        let mut exit: Option<ExitStatus> = None;
        let Some(run) = vm.run.as_mut() else { return };
        for e in events {
            match e {
                MonitorEvent::Init { pid } => run.init_pid = u32::try_from(pid).ok(),
                MonitorEvent::Exit(st) => exit = Some(st),
            }
        }
        let eof = run.mon.is_eof();
        let ending = match (exit, eof) {
            // Stop at once: our hang-up is what lets the controller exit.
            (Some(st), _) => Ending::Exit(st),
            (None, true) => Ending::Eof,
            (None, false) => {
                save_status(vm, &self.layout);
                return;
            }
        };
        self.finish(entry, vm, ending, ev);
    }

    /// Tears down a running container: unwatch, hang up, reap the controller (and
    /// init, if the controller died without killing it), remove its files, set the
    /// state and queue the ending's events; restart for a reboot.
    pub(crate) fn finish(
        self: &Arc<Self>,
        entry: &Entry,
        vm: &mut Vm,
        ending: Ending,
        ev: &mut Events,
    ) {
        let Some(mut run) = vm.run.take() else { return };
        if let Some(w) = run.watch.take() {
            let _ = self.event_loop.remove_handle(w);
        }
        drop(run.mon);
        let grace = match ending {
            Ending::Eof => Duration::from_secs(1),
            _ => EXIT_GRACE,
        };
        reap(run.pid, grace);
        if let Some(init) = run.init_pid
            && alive(init)
            && in_child_pid_ns(init)
        {
            // The controller is gone; init's parent-death signal should have killed it.
            signal(init, libc::SIGKILL);
        }
        let name = vm.name().to_string();
        let l = &self.layout;
        for f in [l.pid_file(&name), l.status_file(&name), l.socket(&name)] {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_dir(l.staging_dir(&name));
        let out = outcome(ending);
        self.domains.list.release_id(vm);
        vm.apply_stop(out.state);
        ev.extend(out.events.into_iter().map(|e| vm.event(e)));
        if out.restart {
            // Like a reboot inside a guest: REBOOT only, no STARTED of its own.
            let mut again = Events::new();
            let restarted = self.start(entry, vm, &mut again);
            ev.extend(
                again
                    .into_iter()
                    .filter(|(_, e)| !matches!(e, DomainEvent::Lifecycle(Lifecycle::Started(_)))),
            );
            if restarted.is_err() {
                vm.state = StateReason::Shutoff(ShutoffReason::Failed);
                ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Stopped(
                    rvirt_core::api::StoppedDetail::Failed,
                ))));
            }
        }
    }

    /// Destroys a running container: SIGTERM to the controller, which kills init and
    /// reports EXIT; then tear down with STOPPED/DESTROYED. The monitor is unwatched
    /// first, so this thread is its only reader, and the domain is unlocked while the
    /// controller exits (the job keeps other changes out; the loop is never held up).
    pub(crate) fn destroy(self: &Arc<Self>, entry: &Entry) -> Result<()> {
        let job = entry.begin_job("virDomainDestroy")?;
        let mut run = {
            let mut vm = job.lock();
            let run = running(&mut vm)?;
            if let Some(w) = run.watch.take() {
                let _ = self.event_loop.remove_handle(w);
            }
            signal(run.pid, libc::SIGTERM);
            vm.run.take().ok_or_else(not_running)?
        };
        let _ = run
            .mon
            .wait_for(DESTROY_GRACE, |e| matches!(e, MonitorEvent::Exit(_)));
        {
            let mut vm = job.lock();
            vm.run = Some(run);
            let mut ev = Events::new();
            self.finish(entry, &mut vm, Ending::Destroyed, &mut ev);
            self.domains.fanout.queue(ev);
        }
        drop(job);
        self.domains.fanout.flush();
        self.domains.list.remove_if_transient(&entry.uuid());
        Ok(())
    }

    /// Removes what writers that died left behind, then loads `etc/lxc/*.xml`; every
    /// file skipped is logged with its reason.
    pub(crate) fn load_definitions(&self) {
        remove_leftovers(&self.layout.state_dir(), ErrorDomain::Lxc);
        self.domains
            .load_configs(ErrorDomain::Lxc, super::connection::parse_stored_def);
    }
}

impl RootInstance for Shared {
    /// Sets up the instance of `root`: takes the root lock, loads `etc/lxc/*.xml` and
    /// reconnects to the controllers still running (`run/lxc/*.xml`); monitors are
    /// watched on `event_loop`.
    fn create(root: &Path, event_loop: SharedLoop) -> Result<Arc<Shared>> {
        let root_lock = DriverRoot::acquire(root)?;
        let layout = Layout::new(root);
        let configs = ConfigDir::new(layout.config_dir(), ErrorDomain::Lxc);
        let shared = Arc::new(Shared {
            layout,
            root: Mutex::new(Some(root_lock)),
            event_loop,
            domains: Domains::new(ErrorDomain::Lxc, Persistence::OnDisk(configs)),
        });
        shared.load_definitions();
        shared.reconnect_all();
        Ok(shared)
    }

    fn connect(self: Arc<Self>, events: EventSink) -> Box<dyn DriverConnection> {
        Box::new(super::LxcConnection::on(self, events))
    }

    /// Starts every inactive container marked autostart; failures are logged.
    fn autostart(self: &Arc<Self>) {
        for entry in self.domains.list.entries() {
            let mut vm = entry.lock();
            if !vm.autostart || vm.is_active() {
                continue;
            }
            let mut ev = Events::new();
            match self.start(&entry, &mut vm, &mut ev) {
                Ok(()) => rvirt_core::log::info(
                    ErrorDomain::Lxc,
                    format_args!("autostarted container '{}'", entry.name()),
                ),
                Err(e) => rvirt_core::log::warning(
                    ErrorDomain::Lxc,
                    format_args!("cannot autostart container '{}': {e}", entry.name()),
                ),
            }
            self.domains.fanout.queue(ev);
            drop(vm);
            self.domains.fanout.flush();
        }
    }

    /// The last holder let go: leave every controller running, unwatched, with its
    /// status file for the next instance; release the root lock.
    fn detach(&self) {
        for e in self.domains.list.entries() {
            let mut vm = e.lock();
            save_status(&vm, &self.layout);
            if let Some(mut run) = vm.run.take()
                && let Some(w) = run.watch.take()
            {
                let _ = self.event_loop.remove_handle(w);
            }
        }
        drop(lock(&self.root).take());
    }
}

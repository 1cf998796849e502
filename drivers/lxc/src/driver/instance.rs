//! One driver instance per root: its domains, its clients' event sinks, starting and
//! stopping containers, and the monitor watches on the event loop.

use std::io::Write;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rvirt_core::api::{RunningReason, ShutoffReason, StartedDetail, StateReason};
use rvirt_core::conf::{Device, DomainDef};
use rvirt_core::driver::files::{read_bounded, remove_leftovers};
use rvirt_core::driver::{DomainRef, EventSink};
use rvirt_core::event::{Interest, SharedLoop, WatchId};
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result, Uuid};

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

pub(crate) type Pending = Vec<(DomainRef, DomainEvent)>;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn not_running() -> Error {
    Error::operation_invalid(ErrorDomain::Domain, "domain is not running")
}

/// The shared state of one root.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) layout: Layout,
    pub(crate) root: Mutex<Option<DriverRoot>>,
    pub(crate) event_loop: SharedLoop,
    pub(crate) clients: Mutex<Vec<(u64, EventSink)>>,
    pub(crate) next_client: AtomicU64,
    pub(crate) doms: Mutex<Vec<Entry>>,
}

/// A domain known to the instance.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) uuid: Uuid,
    pub(crate) vm: Arc<Mutex<Vm>>,
}

/// A domain's definition and state.
#[derive(Debug)]
pub(crate) struct Vm {
    pub(crate) def: DomainDef,
    /// Definition to apply when the running container stops (redefined while active).
    pub(crate) next_def: Option<DomainDef>,
    pub(crate) uuid: Uuid,
    pub(crate) persistent: bool,
    pub(crate) state: StateReason,
    pub(crate) run: Option<Running>,
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

impl Vm {
    pub(crate) fn new(def: DomainDef, persistent: bool) -> Vm {
        Vm {
            uuid: def.uuid.unwrap_or_default(),
            def,
            next_def: None,
            persistent,
            state: StateReason::Shutoff(ShutoffReason::Unknown),
            run: None,
        }
    }

    pub(crate) fn id(&self) -> Option<u32> {
        self.run.as_ref().map(|r| r.pid)
    }

    pub(crate) fn to_ref(&self) -> DomainRef {
        DomainRef {
            name: self.def.name.clone(),
            uuid: self.uuid,
            id: self.id(),
        }
    }

    pub(crate) fn push(&self, ev: &mut Pending, events: impl IntoIterator<Item = DomainEvent>) {
        let r = self.to_ref();
        ev.extend(events.into_iter().map(|e| (r.clone(), e)));
    }

    pub(crate) fn running(&mut self) -> Result<&mut Running> {
        self.run.as_mut().ok_or_else(not_running)
    }

    /// The live definition as XML, with the runtime id.
    pub(crate) fn live_xml(&self) -> String {
        let mut def = self.def.clone();
        def.id = self.id();
        def.to_xml().unwrap_or_default()
    }

    /// Writes `run/lxc/NAME.xml` (atomically) for a later instance to reconnect.
    pub(crate) fn save_status(&self, layout: &Layout) {
        let Some(run) = &self.run else { return };
        let status = Status {
            pid: run.pid,
            init_pid: run.init_pid,
            socket: layout.socket(&self.def.name),
            domain_xml: self.live_xml(),
        };
        let _ = write_run_state(
            &layout.status_file(&self.def.name),
            status.to_xml().as_bytes(),
        );
    }
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
    /// Hands events to every open connection's sink.
    pub(crate) fn emit(&self, ev: Pending) {
        if ev.is_empty() {
            return;
        }
        let sinks: Vec<EventSink> = {
            let mut clients = lock(&self.clients);
            clients.retain(|(_, s)| !s.is_closed());
            clients.iter().map(|(_, s)| s.clone()).collect()
        };
        for (r, e) in ev {
            for s in &sinks {
                s.emit(r.clone(), e.clone());
            }
        }
    }

    pub(crate) fn find(&self, dom: &DomainRef) -> Result<Entry> {
        lock(&self.doms)
            .iter()
            .find(|e| e.uuid == dom.uuid)
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoDomain,
                    ErrorDomain::Lxc,
                    format!(
                        "no domain with matching uuid '{}' ({})",
                        dom.uuid.hyphenated(),
                        dom.name
                    ),
                )
            })
    }

    /// Forgets `uuid` if its domain is transient and inactive.
    pub(crate) fn forget_if_transient(&self, uuid: Uuid) {
        lock(&self.doms).retain(|e| {
            if e.uuid != uuid {
                return true;
            }
            let vm = lock(&e.vm);
            vm.persistent || vm.run.is_some()
        });
    }

    /// Starts an inactive container: spawn its controller, wait for INIT, watch the
    /// monitor, emit STARTED/BOOTED.
    pub(crate) fn start(
        self: &Arc<Self>,
        entry: &Entry,
        vm: &mut Vm,
        ev: &mut Pending,
    ) -> Result<()> {
        if vm.run.is_some() {
            return Err(Error::operation_invalid(
                ErrorDomain::Domain,
                format!("domain '{}' is already active", vm.def.name),
            ));
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
        vm.state = StateReason::Running(RunningReason::Booted);
        vm.save_status(l);
        vm.push(
            ev,
            [DomainEvent::Lifecycle(Lifecycle::Started(
                StartedDetail::Booted,
            ))],
        );
        match self.watch_monitor(entry, fd) {
            Ok(w) => {
                if let Some(run) = vm.run.as_mut() {
                    run.watch = Some(w);
                }
            }
            Err(e) => {
                signal(pid, libc::SIGTERM);
                self.finish(vm, Ending::Destroyed, ev);
                ev.clear();
                return Err(Error::internal(
                    ErrorDomain::Lxc,
                    format!("cannot watch the controller's monitor socket: {e}"),
                ));
            }
        }
        // Whatever came with INIT (a quick init may already have exited).
        self.apply(vm, events, ev);
        Ok(())
    }

    /// Watches a running container's monitor on the instance's event loop.
    pub(crate) fn watch_monitor(self: &Arc<Self>, entry: &Entry, fd: i32) -> Result<WatchId> {
        let weak_shared: Weak<Shared> = Arc::downgrade(self);
        let weak_vm = Arc::downgrade(&entry.vm);
        let uuid = entry.uuid;
        Ok(self.event_loop.add_handle(
            fd,
            Interest::READABLE,
            Box::new(move |watch, _fd, _ready| {
                if let (Some(shared), Some(vm)) = (weak_shared.upgrade(), weak_vm.upgrade()) {
                    shared.on_monitor(&vm, uuid, watch);
                }
            }),
        )?)
    }

    /// The watch callback (event-loop thread): read, apply, emit.
    fn on_monitor(self: &Arc<Self>, vm: &Arc<Mutex<Vm>>, uuid: Uuid, watch: WatchId) {
        let mut ev = Pending::new();
        let forget = {
            let mut g = lock(vm);
            let Some(run) = g.run.as_mut().filter(|r| r.watch == Some(watch)) else {
                return;
            };
            let events = run.mon.read_available();
            self.apply(&mut g, events, &mut ev);
            !g.persistent && g.run.is_none()
        };
        self.emit(ev);
        if forget {
            self.forget_if_transient(uuid);
        }
    }

    /// Applies monitor events (and a closed socket) to a running container.
    pub(crate) fn apply(
        self: &Arc<Self>,
        vm: &mut Vm,
        events: Vec<MonitorEvent>,
        ev: &mut Pending,
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
                vm.save_status(&self.layout);
                return;
            }
        };
        self.finish(vm, ending, ev);
    }

    /// Tears down a running container: unwatch, hang up, reap the controller (and
    /// init, if the controller died without killing it), remove its files, set the
    /// state and queue the ending's events; restart for a reboot.
    pub(crate) fn finish(self: &Arc<Self>, vm: &mut Vm, ending: Ending, ev: &mut Pending) {
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
        let name = vm.def.name.clone();
        let l = &self.layout;
        for f in [l.pid_file(&name), l.status_file(&name), l.socket(&name)] {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_dir(l.staging_dir(&name));
        let out = outcome(ending);
        vm.state = out.state;
        if let Some(next) = vm.next_def.take() {
            vm.def = next;
        }
        vm.push(ev, out.events);
        if out.restart {
            // Like a reboot inside a guest: REBOOT only, no STARTED of its own.
            let entry = lock(&self.doms).iter().find(|e| e.uuid == vm.uuid).cloned();
            let mut again = Pending::new();
            let restarted = entry.map(|e| self.start(&e, vm, &mut again));
            ev.extend(
                again
                    .into_iter()
                    .filter(|(_, e)| !matches!(e, DomainEvent::Lifecycle(Lifecycle::Started(_)))),
            );
            if !matches!(restarted, Some(Ok(()))) {
                vm.state = StateReason::Shutoff(ShutoffReason::Failed);
                vm.push(
                    ev,
                    [DomainEvent::Lifecycle(Lifecycle::Stopped(
                        rvirt_core::api::StoppedDetail::Failed,
                    ))],
                );
            }
        }
    }

    /// Destroys a running container: SIGTERM to the controller, which kills init and
    /// reports EXIT; then tear down with STOPPED/DESTROYED.
    pub(crate) fn destroy(self: &Arc<Self>, vm: &mut Vm, ev: &mut Pending) -> Result<()> {
        let run = vm.running()?;
        signal(run.pid, libc::SIGTERM);
        let _ = run
            .mon
            .wait_for(DESTROY_GRACE, |e| matches!(e, MonitorEvent::Exit(_)));
        self.finish(vm, Ending::Destroyed, ev);
        Ok(())
    }

    /// The last connection closed: leave every controller running, unwatched, with
    /// its status file for the next instance; release the root lock.
    pub(crate) fn detach_all(&self) {
        let doms = std::mem::take(&mut *lock(&self.doms));
        for e in doms {
            let mut vm = lock(&e.vm);
            vm.save_status(&self.layout);
            if let Some(mut run) = vm.run.take()
                && let Some(w) = run.watch.take()
            {
                let _ = self.event_loop.remove_handle(w);
            }
        }
        drop(lock(&self.root).take());
    }

    /// Removes what writers that died left behind, then loads `etc/lxc/*.xml`; every
    /// file skipped is logged with its reason.
    pub(crate) fn load_definitions(&self) {
        remove_leftovers(&self.layout.config_dir(), ErrorDomain::Lxc);
        remove_leftovers(&self.layout.state_dir(), ErrorDomain::Lxc);
        let Ok(dir) = std::fs::read_dir(self.layout.config_dir()) else {
            return;
        };
        let mut doms = lock(&self.doms);
        for ent in dir.flatten() {
            let path = ent.path();
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            let skip = |why: String| {
                rvirt_core::log::warning(
                    ErrorDomain::Lxc,
                    format_args!("skipping domain config '{}': {why}", path.display()),
                )
            };
            let def = match read_bounded(&path, 16 << 20)
                .map_err(|e| e.to_string())
                .and_then(|x| super::connection::parse_def(&x).map_err(|e| e.to_string()))
            {
                Ok(def) => def,
                Err(why) => {
                    skip(why);
                    continue;
                }
            };
            if path.file_stem().is_none_or(|s| s != def.name.as_str()) {
                skip(format!(
                    "its file name does not match the domain name '{}'",
                    def.name
                ));
                continue;
            }
            let uuid = def.uuid.unwrap_or_default();
            if doms.iter().any(|e| e.name == def.name || e.uuid == uuid) {
                skip(format!("domain '{}' is already defined", def.name));
                continue;
            }
            doms.push(Entry {
                name: def.name.clone(),
                uuid,
                vm: Arc::new(Mutex::new(Vm::new(def, true))),
            });
        }
    }
}

//! [`QemuConnection`]: domains as QEMU processes, monitors watched on the event loop.

use std::collections::HashMap;
use std::io::Write;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use rvirt_core::api::{
    DefinedDetail, DomainInfo, ListFlags, PausedReason, ResumedDetail, RunningReason,
    ShutdownReason, ShutoffReason, StartedDetail, StateReason, StoppedDetail, SuspendedDetail,
    UndefinedDetail,
};
use rvirt_core::conf::{ConfError, DomainDef, LifecycleAction};
use rvirt_core::driver::files::{Durability, read_bounded, remove_leftovers, write_replace};
use rvirt_core::driver::{DomainRef, DriverConnection, EventSink, format_domain_xml};
use rvirt_core::event::{Interest, SharedLoop, WatchId};
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result, Uuid};

use super::monitor::Monitor;
use super::reaper::{self, Reaper};
use super::root::DriverRoot;
use super::status::{DomainStatus, MONITOR_SOCKET};
use crate::command_line::{KVM_DEVICE, RuntimeOptions, build_args, choose_accel, emulator};
use crate::event_map::{MapContext, is_inactive, map_event, map_monitor_eof};
use crate::process::scan::qemu_running_uuid;
use crate::process::{QemuProcess, spawn_with_monitor};

mod reconnect;
use crate::qmp::{Message, QmpEvent, QmpStream};

/// Bound for the start-up handshake and for each monitor command.
const MONITOR_TIMEOUT: Duration = Duration::from_secs(10);
/// How long QEMU gets to exit after SIGTERM before SIGKILL (libvirt: 10 s).
const KILL_GRACE: Duration = Duration::from_secs(10);
/// How long the loop's callback waits for QEMU to exit once its monitor reached
/// end-of-file; after that QEMU is killed and reaped by the [`Reaper`]'s timer.
const EOF_WAIT: Duration = Duration::from_millis(20);
/// `VIR_DOMAIN_REBOOT_ACPI_POWER_BTN`.
const REBOOT_ACPI_POWER_BTN: u32 = 1;
/// `VIR_DOMAIN_START_PAUSED` (create, createXML).
const START_PAUSED: u32 = 1;

type Pending = Vec<(DomainRef, DomainEvent)>;

/// How [`Shared::stop_vm`] makes sure QEMU is gone.
#[derive(Debug, Clone, Copy)]
enum Reap {
    /// Wait up to this long (an API call may block), then SIGKILL and wait.
    Wait(Duration),
    /// Wait at most [`EOF_WAIT`], then SIGKILL and leave the reaping to the
    /// [`Reaper`]: for the event loop's own callbacks, which must not block.
    Background,
}

/// One open connection to a QEMU driver instance. Every connection of a process to
/// the same root shares one instance (one set of domains, one root lock); each
/// connection gets every domain event.
#[derive(Debug)]
pub struct QemuConnection {
    shared: Arc<Shared>,
    client: u64,
}

#[derive(Debug)]
struct Shared {
    root: Mutex<Option<DriverRoot>>,
    root_path: PathBuf,
    event_loop: SharedLoop,
    /// The open connections' event sinks, by connection number.
    clients: Mutex<Vec<(u64, EventSink)>>,
    next_client: AtomicU64,
    doms: Mutex<Vec<Entry>>,
    next_id: AtomicU32,
    /// Killed QEMUs still to be reaped, off the loop's callbacks.
    reaper: Arc<Mutex<Reaper>>,
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    uuid: Uuid,
    vm: Arc<Mutex<Vm>>,
}

#[derive(Debug)]
struct Vm {
    def: DomainDef,
    /// Definition to apply when the running domain stops (redefined while active).
    next_def: Option<DomainDef>,
    uuid: Uuid,
    persistent: bool,
    state: StateReason,
    id: Option<u32>,
    run: Option<Running>,
}

#[derive(Debug)]
struct Running {
    proc: QemuProcess,
    pid: u32,
    mon: Monitor,
    watch: Option<WatchId>,
    ctx: MapContext,
    priv_dir: PathBuf,
    monitor_path: PathBuf,
    pidfile: PathBuf,
    status: PathBuf,
    /// The state last written to `status` (rewritten when it changes).
    saved: Option<StateReason>,
    /// A `SHUTDOWN` arrived during a reboot request: reset once the batch is applied.
    reboot_pending: bool,
}

/// The driver instances this process runs, by root.
fn instances() -> &'static Mutex<HashMap<PathBuf, Weak<Shared>>> {
    static INSTANCES: OnceLock<Mutex<HashMap<PathBuf, Weak<Shared>>>> = OnceLock::new();
    INSTANCES.get_or_init(Default::default)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn conf_error(e: &ConfError) -> Error {
    let code = ErrorCode::from_raw(e.libvirt_code()).unwrap_or(ErrorCode::InternalError);
    let domain = ErrorDomain::from_raw(e.libvirt_domain()).unwrap_or(ErrorDomain::Domain);
    Error::new(code, domain, e.detail())
}

fn parse_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_xml(xml).map_err(|e| conf_error(&e))?;
    def.fill_defaults();
    def.id = None;
    Ok(def)
}

/// Largest persistent definition read back.
const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// Reads and parses one persistent definition; the error says why it is unusable.
fn load_definition(path: &Path) -> std::result::Result<DomainDef, String> {
    let text = read_bounded(path, MAX_CONFIG_BYTES).map_err(|e| e.to_string())?;
    let def = parse_def(&text).map_err(|e| e.to_string())?;
    if path.file_stem().is_none_or(|s| s != def.name.as_str()) {
        return Err(format!(
            "its file name does not match the domain name '{}'",
            def.name
        ));
    }
    Ok(def)
}

fn not_running() -> Error {
    Error::operation_invalid(ErrorDomain::Domain, "domain is not running")
}

fn no_domain(dom: &DomainRef) -> Error {
    Error::new(
        ErrorCode::NoDomain,
        ErrorDomain::Qemu,
        format!(
            "no domain with matching uuid '{}' ({})",
            dom.uuid.hyphenated(),
            dom.name
        ),
    )
}

fn sys(what: String, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{what}: {e}"),
    )
}

fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid)
        && pid > 0
    {
        // SAFETY: kill(2) on the pid of our own, not yet reaped, child.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Writes persistent configuration atomically and durably (temp file, fsync, rename).
fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    write_replace(path, data, Durability::Synced, ErrorDomain::Qemu)
}

/// CPU time of `pid` in ns, from `/proc/PID/stat` (utime + stime).
fn cpu_time_ns(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields after the comm: state is index 0, utime 11, stime 12.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = u64::try_from(hz).unwrap_or(100).max(1);
    ticks.saturating_mul(1_000_000_000 / hz)
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join("\n")
}

impl Vm {
    fn to_ref(&self) -> DomainRef {
        DomainRef {
            name: self.def.name.clone(),
            uuid: self.uuid,
            id: self.id,
        }
    }

    fn push(&self, ev: &mut Pending, events: impl IntoIterator<Item = DomainEvent>) {
        let r = self.to_ref();
        ev.extend(events.into_iter().map(|e| (r.clone(), e)));
    }

    /// The guest powered off during a reboot request (or with `on_poweroff=restart`):
    /// reset the machine and let it run again instead of stopping QEMU (libvirt's
    /// fake reboot). Emits RESUMED/UNPAUSED; the `RESET` QMP event gives REBOOT.
    /// Runs a fake reboot a `SHUTDOWN` of the batch just applied asked for.
    fn finish_batch(&mut self, ev: &mut Pending) {
        if let Some(run) = self.run.as_mut()
            && std::mem::take(&mut run.reboot_pending)
        {
            self.fake_reboot(ev);
        }
    }

    fn fake_reboot(&mut self, ev: &mut Pending) {
        let restart_always = self.def.on_poweroff == Some(LifecycleAction::Restart);
        let Some(run) = self.run.as_mut() else {
            return;
        };
        run.ctx.fake_reboot = restart_always;
        let mut msgs = Vec::new();
        let res = run
            .mon
            .command("system_reset", None, MONITOR_TIMEOUT, &mut |m| msgs.push(m))
            .and_then(|_| {
                run.mon
                    .command("cont", None, MONITOR_TIMEOUT, &mut |m| msgs.push(m))
            });
        let pid = run.pid;
        for m in msgs {
            self.apply(m, ev);
        }
        if let Some(run) = self.run.as_mut() {
            run.ctx.shutdown_seen = false;
        }
        match res {
            Ok(_) => {
                self.state = StateReason::Running(RunningReason::Booted);
                self.push(
                    ev,
                    [DomainEvent::Lifecycle(Lifecycle::Resumed(
                        ResumedDetail::Unpaused,
                    ))],
                );
            }
            // The reset failed: finish as a shutdown (SIGTERM; EOF stops the domain).
            Err(_) => {
                self.state = StateReason::Shutdown(ShutdownReason::Unknown);
                signal(pid, libc::SIGTERM);
            }
        }
    }

    /// Rewrites the live status file if the state changed since it was last written
    /// (libvirt's `qemuDomainSaveStatus`). Temp file + rename: a reader (a driver
    /// instance reconnecting after a crash) sees the old or the new file, never half.
    fn save_status(&mut self) {
        let state = self.state;
        let mut def = self.def.clone();
        def.id = self.id;
        let Some(run) = self.run.as_mut() else {
            return;
        };
        if run.saved == Some(state) {
            return;
        }
        let status = DomainStatus {
            state,
            pid: run.pid,
            monitor: run.monitor_path.clone(),
            lib_dir: run.priv_dir.clone(),
            domain_xml: def.to_xml().unwrap_or_default(),
        };
        let written = write_replace(
            &run.status,
            status.to_xml().as_bytes(),
            Durability::RenameOnly,
            ErrorDomain::Qemu,
        );
        if written.is_ok() {
            run.saved = Some(state);
        }
    }

    fn running(&mut self) -> Result<&mut Running> {
        self.run.as_mut().ok_or_else(not_running)
    }

    /// Applies one monitor message (events only) to the state.
    fn apply(&mut self, msg: Message, ev: &mut Pending) {
        let Message::Event { event, .. } = msg else {
            return;
        };
        let Some(run) = self.run.as_ref() else {
            return;
        };
        let before = self.state;
        let out = map_event(&event, before, &run.ctx);
        let pid = run.pid;
        let fake_reboot = run.ctx.fake_reboot;
        self.state = out.state;
        self.push(ev, out.events);
        if matches!(event, QmpEvent::Shutdown { .. }) {
            if let Some(run) = self.run.as_mut() {
                run.ctx.shutdown_seen = true;
            }
            if fake_reboot && !is_inactive(before) {
                // After the rest of this batch (the STOP that follows belongs to it).
                if let Some(run) = self.run.as_mut() {
                    run.reboot_pending = true;
                }
                return;
            }
        }
        if matches!(event, QmpEvent::Shutdown { .. })
            && matches!(self.state, StateReason::Shutdown(_))
            && !matches!(before, StateReason::Shutdown(_))
        {
            // libvirt's qemuProcessShutdownOrReboot: SIGTERM without waiting; the
            // monitor EOF that follows finishes the stop.
            signal(pid, libc::SIGTERM);
        }
    }
}

impl Shared {
    fn emit(&self, ev: Pending) {
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

    fn find(&self, dom: &DomainRef) -> Result<Entry> {
        lock(&self.doms)
            .iter()
            .find(|e| e.uuid == dom.uuid)
            .cloned()
            .ok_or_else(|| no_domain(dom))
    }

    fn root_dirs(&self) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
        let r = &self.root_path;
        (
            r.join("etc/qemu"),
            r.join("run/qemu"),
            r.join("log/qemu"),
            r.join("lib/qemu"),
        )
    }

    /// Removes `uuid` if its domain is transient and inactive.
    fn forget_if_transient(&self, uuid: Uuid) {
        let mut doms = lock(&self.doms);
        doms.retain(|e| {
            if e.uuid != uuid {
                return true;
            }
            let vm = lock(&e.vm);
            vm.persistent || vm.run.is_some()
        });
    }

    /// Starts `vm` (inactive): spawn, handshake, `cont` (unless `paused`: then it
    /// stays paused, as `VIR_DOMAIN_START_PAUSED` asks), watch the monitor.
    fn start(
        self: &Arc<Self>,
        entry: &Entry,
        vm: &mut Vm,
        ev: &mut Pending,
        paused: bool,
    ) -> Result<()> {
        if vm.run.is_some() {
            return Err(Error::operation_invalid(
                ErrorDomain::Domain,
                format!("domain '{}' is already active", vm.def.name),
            ));
        }
        if let Some(uuid) = vm.def.uuid
            && let Some(other) = qemu_running_uuid(&uuid)
        {
            // Started by an instance that lost track of it, or by another root: a
            // second QEMU would run the same guest on the same disks.
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                format!(
                    "domain '{}' is already running as QEMU process {} (uuid {})",
                    vm.def.name,
                    other.pid,
                    uuid.hyphenated()
                ),
            ));
        }
        let (_, state_dir, log_dir, lib_dir) = self.root_dirs();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let name = vm.def.name.clone();
        let short: String = name.chars().take(20).collect();
        let priv_dir = lib_dir.join(format!("domain-{id}-{short}"));
        std::fs::create_dir_all(&priv_dir)
            .map_err(|e| sys(format!("cannot create '{}'", priv_dir.display()), &e))?;
        let cleanup_dir = |e: Error| {
            let _ = std::fs::remove_dir_all(&priv_dir);
            e
        };
        let sock = priv_dir.join(MONITOR_SOCKET);
        if sock.as_os_str().len() >= 108 {
            return Err(cleanup_dir(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                format!("monitor socket path '{}' is too long", sock.display()),
            )));
        }
        let listener = UnixListener::bind(&sock)
            .map_err(|e| cleanup_dir(sys(format!("cannot bind '{}'", sock.display()), &e)))?;
        let pidfile = state_dir.join(format!("{name}.pid"));
        let status = state_dir.join(format!("{name}.xml"));
        let _ = std::fs::remove_file(&pidfile);
        let mut def = vm.def.clone();
        def.id = Some(id);
        let mut rt = RuntimeOptions::new(listener.as_raw_fd());
        rt.pidfile = Some(pidfile.clone());
        rt.accel = choose_accel(def.domain_type, Path::new(KVM_DEVICE));
        let args = build_args(&def, &rt).map_err(cleanup_dir)?;
        let binary = emulator(&def);
        let log = log_dir.join(format!("{name}.log"));
        if let Ok(mut f) = rvirt_core::driver::files::open_private_log(&log) {
            let _ = writeln!(f, "starting up: {} {}", binary.display(), args.join(" "));
        }
        let mut proc =
            spawn_with_monitor(&binary, &args, &listener, Some(&log)).map_err(cleanup_dir)?;
        drop(listener);
        let pid = proc.pid();
        let fail = |proc: &mut QemuProcess, e: Error| {
            let _ = proc.kill();
            let _ = std::fs::remove_file(&pidfile);
            let tail = log_tail(&log);
            cleanup_dir(Error::new(
                e.code(),
                ErrorDomain::Qemu,
                format!("{e}; QEMU log: {tail}"),
            ))
        };
        vm.state = StateReason::Paused(PausedReason::StartingUp);
        let handshake = (|| -> Result<QmpStream> {
            let stream = UnixStream::connect(&sock)?;
            let mut qmp = QmpStream::new(stream, MONITOR_TIMEOUT);
            qmp.handshake()?;
            if !paused {
                qmp.execute("cont", None)?;
            }
            Ok(qmp)
        })();
        let qmp = match handshake {
            Ok(q) => q,
            Err(e) => {
                vm.state = StateReason::Shutoff(ShutoffReason::Failed);
                return Err(fail(&mut proc, e));
            }
        };
        let (stream, codec, queued) = qmp.into_parts();
        let mon = match Monitor::new(stream, codec, queued) {
            Ok(m) => m,
            Err(e) => {
                vm.state = StateReason::Shutoff(ShutoffReason::Failed);
                return Err(fail(&mut proc, e));
            }
        };
        let fd = mon.fd();
        vm.id = Some(id);
        vm.state = if paused {
            StateReason::Paused(PausedReason::User)
        } else {
            StateReason::Running(RunningReason::Booted)
        };
        vm.run = Some(Running {
            proc,
            pid,
            mon,
            watch: None,
            ctx: MapContext {
                fake_reboot: vm.def.on_poweroff == Some(LifecycleAction::Restart),
                ..MapContext::default()
            },
            priv_dir,
            monitor_path: sock,
            pidfile,
            status,
            saved: None,
            reboot_pending: false,
        });
        vm.push(
            ev,
            [DomainEvent::Lifecycle(Lifecycle::Started(
                StartedDetail::Booted,
            ))],
        );
        if paused {
            vm.push(
                ev,
                [DomainEvent::Lifecycle(Lifecycle::Suspended(
                    SuspendedDetail::Paused,
                ))],
            );
        }
        match self.watch_monitor(entry, fd) {
            Ok(w) => {
                if let Some(run) = vm.run.as_mut() {
                    run.watch = Some(w);
                }
            }
            Err(e) => {
                let err = Error::internal(
                    ErrorDomain::Qemu,
                    format!("cannot watch the QEMU monitor: {e}"),
                );
                signal(pid, libc::SIGTERM);
                self.stop_vm(
                    vm,
                    StateReason::Shutoff(ShutoffReason::Failed),
                    vec![],
                    ev,
                    Reap::Wait(KILL_GRACE),
                );
                ev.clear();
                return Err(err);
            }
        }
        // Events that arrived with the `cont` reply (RESUME, maybe already SHUTDOWN).
        self.drain(vm, ev);
        vm.save_status();
        Ok(())
    }

    /// Watches a running domain's monitor fd on the instance's event loop.
    fn watch_monitor(self: &Arc<Self>, entry: &Entry, fd: RawFd) -> Result<WatchId> {
        let weak_shared: Weak<Shared> = Arc::downgrade(self);
        let weak_vm = Arc::downgrade(&entry.vm);
        let uuid = entry.uuid;
        let watch = self.event_loop.add_handle(
            fd,
            Interest::READABLE,
            Box::new(move |watch, _fd, _ready| {
                if let (Some(shared), Some(vm)) = (weak_shared.upgrade(), weak_vm.upgrade()) {
                    shared.on_monitor(&vm, uuid, watch);
                }
            }),
        )?;
        Ok(watch)
    }

    /// Lets every running QEMU run on without this instance (the last connection
    /// closed): unwatch and close the monitors, keep the status files for the next
    /// instance to reconnect, release the root lock.
    fn detach_all(&self) {
        let doms = std::mem::take(&mut *lock(&self.doms));
        for e in doms {
            let mut vm = lock(&e.vm);
            vm.save_status();
            if let Some(mut run) = vm.run.take() {
                if let Some(w) = run.watch.take() {
                    let _ = self.event_loop.remove_handle(w);
                }
                drop(run.mon);
                run.proc.detach();
            }
        }
        reaper::shut_down(&self.reaper, &self.event_loop);
        if let Some(root) = lock(&self.root).take() {
            root.release();
        }
    }

    /// Applies whatever the monitor has buffered.
    fn drain(&self, vm: &mut Vm, ev: &mut Pending) {
        let (msgs, broken) = match vm.run.as_mut() {
            Some(run) => (run.mon.read_available(), run.mon.take_new_error()),
            None => return,
        };
        for m in msgs {
            vm.apply(m, ev);
        }
        vm.finish_batch(ev);
        if broken.is_some() {
            vm.push(ev, [DomainEvent::ControlError]);
        }
    }

    /// The monitor watch's callback (event-loop thread): read, map, emit; on EOF stop.
    fn on_monitor(self: &Arc<Self>, vm: &Arc<Mutex<Vm>>, uuid: Uuid, watch: WatchId) {
        let mut ev = Pending::new();
        let forget = {
            let mut g = lock(vm);
            if g.run.as_ref().and_then(|r| r.watch) != Some(watch) {
                return;
            }
            self.drain(&mut g, &mut ev);
            g.save_status();
            let eof_ctx = g.run.as_ref().filter(|r| r.mon.is_eof()).map(|r| r.ctx);
            match eof_ctx {
                Some(ctx) => {
                    let out = map_monitor_eof(g.state, &ctx);
                    self.stop_vm(&mut g, out.state, out.events, &mut ev, Reap::Background);
                    !g.persistent
                }
                None => false,
            }
        };
        self.emit(ev);
        if forget {
            self.forget_if_transient(uuid);
        }
    }

    /// Tears down a running domain: unwatch, make sure QEMU goes (see [`Reap`]),
    /// remove its files; then sets `state` and queues `events`.
    fn stop_vm(
        &self,
        vm: &mut Vm,
        state: StateReason,
        events: Vec<DomainEvent>,
        ev: &mut Pending,
        reap: Reap,
    ) {
        if let Some(mut run) = vm.run.take() {
            if let Some(w) = run.watch.take() {
                let _ = self.event_loop.remove_handle(w);
            }
            let grace = match reap {
                Reap::Wait(d) => d,
                Reap::Background => EOF_WAIT,
            };
            if !matches!(run.proc.wait_timeout(grace), Ok(Some(_))) {
                match reap {
                    Reap::Wait(_) => {
                        let _ = run.proc.kill();
                    }
                    Reap::Background => {
                        reaper::reap_later(&self.reaper, &self.event_loop, run.proc);
                    }
                }
            }
            drop(run.mon);
            let _ = std::fs::remove_file(&run.pidfile);
            let _ = std::fs::remove_file(&run.status);
            let _ = std::fs::remove_dir_all(&run.priv_dir);
        }
        vm.state = state;
        vm.id = None;
        if let Some(next) = vm.next_def.take() {
            vm.def = next;
        }
        vm.push(ev, events);
    }

    /// Kills a running domain (SIGTERM, SIGKILL after the grace period).
    fn destroy_vm(&self, vm: &mut Vm, ev: &mut Pending) -> Result<()> {
        let run = vm.running()?;
        run.ctx.being_destroyed = true;
        signal(run.pid, libc::SIGTERM);
        self.stop_vm(
            vm,
            StateReason::Shutoff(ShutoffReason::Destroyed),
            vec![DomainEvent::Lifecycle(Lifecycle::Stopped(
                StoppedDetail::Destroyed,
            ))],
            ev,
            Reap::Wait(KILL_GRACE),
        );
        Ok(())
    }

    /// Runs a monitor command for an API call, applying events read meanwhile.
    fn command(&self, vm: &mut Vm, name: &str, ev: &mut Pending) -> Result<()> {
        let mut msgs = Vec::new();
        let res = vm
            .running()?
            .mon
            .command(name, None, MONITOR_TIMEOUT, &mut |m| msgs.push(m));
        for m in msgs {
            vm.apply(m, ev);
        }
        vm.finish_batch(ev);
        res.map(|_| ())
    }

    /// Loads `etc/qemu/*.xml`; every file skipped is logged with its reason.
    fn load_definitions(&self) {
        let (etc, ..) = self.root_dirs();
        let Ok(dir) = std::fs::read_dir(&etc) else {
            return;
        };
        let mut doms = lock(&self.doms);
        for ent in dir.flatten() {
            let path = ent.path();
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            let def = match load_definition(&path) {
                Ok(def) => def,
                Err(reason) => {
                    rvirt_core::log::warning(
                        ErrorDomain::Qemu,
                        format_args!("skipping domain config '{}': {reason}", path.display()),
                    );
                    continue;
                }
            };
            let uuid = def.uuid.unwrap_or_default();
            if let Some(e) = doms.iter().find(|e| e.name == def.name || e.uuid == uuid) {
                rvirt_core::log::warning(
                    ErrorDomain::Qemu,
                    format_args!(
                        "skipping domain config '{}': domain '{}' with uuid {} is already defined",
                        path.display(),
                        e.name,
                        e.uuid.hyphenated()
                    ),
                );
                continue;
            }
            doms.push(Entry {
                name: def.name.clone(),
                uuid,
                vm: Arc::new(Mutex::new(Vm {
                    def,
                    next_def: None,
                    uuid,
                    persistent: true,
                    state: StateReason::Shutoff(ShutoffReason::Unknown),
                    id: None,
                    run: None,
                })),
            });
        }
    }
}

impl QemuConnection {
    /// Opens a connection to the driver instance of `root`: the one this process
    /// already runs for it, or a new one, which takes the root's lock, loads
    /// `etc/qemu/*.xml` and reconnects to the QEMUs an earlier instance left running
    /// (`run/qemu/*.xml` status files). A new instance watches monitors on
    /// `event_loop`; later connections share the first one's loop.
    ///
    /// Errors: the root is locked by another process (`VIR_ERR_OPERATION_FAILED`), or
    /// its directories cannot be created (`VIR_ERR_SYSTEM_ERROR`).
    pub fn open(root: &Path, event_loop: SharedLoop, events: EventSink) -> Result<Self> {
        let mut instances = lock(instances());
        instances.retain(|_, w| w.strong_count() > 0);
        let shared = match instances.get(root).and_then(Weak::upgrade) {
            Some(shared) => shared,
            None => {
                let lock_file = DriverRoot::acquire(root)?;
                let shared = Arc::new(Shared {
                    root_path: root.to_path_buf(),
                    root: Mutex::new(Some(lock_file)),
                    event_loop,
                    clients: Mutex::new(Vec::new()),
                    next_client: AtomicU64::new(1),
                    doms: Mutex::new(Vec::new()),
                    next_id: AtomicU32::new(1),
                    reaper: Arc::default(),
                });
                let (etc, run, ..) = shared.root_dirs();
                remove_leftovers(&etc, ErrorDomain::Qemu);
                remove_leftovers(&run, ErrorDomain::Qemu);
                shared.load_definitions();
                shared.reconnect_all();
                instances.insert(root.to_path_buf(), Arc::downgrade(&shared));
                shared
            }
        };
        let client = shared.next_client.fetch_add(1, Ordering::Relaxed);
        lock(&shared.clients).push((client, events));
        Ok(QemuConnection { shared, client })
    }

    /// The QEMU process id of a running domain (for tests and tools).
    pub fn pid(&self, dom: &DomainRef) -> Result<u32> {
        let e = self.shared.find(dom)?;
        let vm = lock(&e.vm);
        vm.run.as_ref().map(|r| r.pid).ok_or_else(not_running)
    }

    fn with_vm<T>(
        &self,
        dom: &DomainRef,
        f: impl FnOnce(&mut Vm, &mut Pending) -> Result<T>,
    ) -> Result<T> {
        let e = self.shared.find(dom)?;
        let mut ev = Pending::new();
        let res = {
            let mut vm = lock(&e.vm);
            let res = f(&mut vm, &mut ev);
            vm.save_status();
            res
        };
        self.shared.emit(ev);
        res
    }

    fn all(&self) -> Vec<Entry> {
        lock(&self.shared.doms).clone()
    }
}

impl DriverConnection for QemuConnection {
    fn hypervisor_type(&self) -> &str {
        "QEMU"
    }

    fn hostname(&self) -> Result<String> {
        Ok(std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "localhost".into()))
    }

    fn list_all_domains(&self, flags: ListFlags) -> Result<Vec<DomainRef>> {
        Ok(self
            .all()
            .iter()
            .filter_map(|e| {
                let vm = lock(&e.vm);
                flags
                    .accepts(vm.state.state(), vm.persistent, false)
                    .then(|| vm.to_ref())
            })
            .collect())
    }

    fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.all()
            .iter()
            .find_map(|e| {
                let vm = lock(&e.vm);
                (vm.id == Some(id)).then(|| vm.to_ref())
            })
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoDomain,
                    ErrorDomain::Qemu,
                    format!("no domain with matching id {id}"),
                )
            })
    }

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        let e = self
            .all()
            .into_iter()
            .find(|e| e.name == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoDomain,
                    ErrorDomain::Qemu,
                    format!("no domain with matching name '{name}'"),
                )
            })?;
        Ok(lock(&e.vm).to_ref())
    }

    fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        let e = self
            .all()
            .into_iter()
            .find(|e| e.uuid == *uuid)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoDomain,
                    ErrorDomain::Qemu,
                    format!("no domain with matching uuid '{}'", uuid.hyphenated()),
                )
            })?;
        Ok(lock(&e.vm).to_ref())
    }

    fn define_xml(&self, xml: &str) -> Result<DomainRef> {
        let def = parse_def(xml)?;
        let uuid = def.uuid.unwrap_or_default();
        let (etc, ..) = self.shared.root_dirs();
        let text = def.to_xml().map_err(|e| conf_error(&e))?;
        let mut doms = lock(&self.shared.doms);
        if let Some(e) = doms.iter().find(|e| e.name == def.name || e.uuid == uuid) {
            if e.name != def.name || e.uuid != uuid {
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Domain,
                    format!(
                        "domain '{}' already exists with uuid {}",
                        e.name,
                        e.uuid.hyphenated()
                    ),
                ));
            }
            let e = e.clone();
            drop(doms);
            write_atomic(&etc.join(format!("{}.xml", def.name)), text.as_bytes())?;
            return self.with_vm(
                &DomainRef {
                    name: e.name,
                    uuid,
                    id: None,
                },
                |vm, ev| {
                    let detail = if vm.persistent {
                        DefinedDetail::Updated
                    } else {
                        DefinedDetail::Added
                    };
                    vm.persistent = true;
                    if vm.run.is_some() {
                        vm.next_def = Some(def);
                    } else {
                        vm.def = def;
                    }
                    vm.push(ev, [DomainEvent::Lifecycle(Lifecycle::Defined(detail))]);
                    Ok(vm.to_ref())
                },
            );
        }
        write_atomic(&etc.join(format!("{}.xml", def.name)), text.as_bytes())?;
        let vm = Vm {
            def,
            next_def: None,
            uuid,
            persistent: true,
            state: StateReason::Shutoff(ShutoffReason::Unknown),
            id: None,
            run: None,
        };
        let r = vm.to_ref();
        doms.push(Entry {
            name: r.name.clone(),
            uuid,
            vm: Arc::new(Mutex::new(vm)),
        });
        drop(doms);
        self.shared.emit(vec![(
            r.clone(),
            DomainEvent::Lifecycle(Lifecycle::Defined(DefinedDetail::Added)),
        )]);
        Ok(r)
    }

    fn create_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        if flags & !START_PAUSED != 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("unsupported flags (0x{flags:x}) in function create_xml"),
            ));
        }
        let def = parse_def(xml)?;
        let uuid = def.uuid.unwrap_or_default();
        let mut doms = lock(&self.shared.doms);
        if let Some(e) = doms.iter().find(|e| e.name == def.name || e.uuid == uuid) {
            let active = lock(&e.vm).run.is_some();
            return Err(if active {
                Error::operation_invalid(
                    ErrorDomain::Domain,
                    format!("domain '{}' is already active", e.name),
                )
            } else {
                Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Domain,
                    format!("domain '{}' already exists", e.name),
                )
            });
        }
        let entry = Entry {
            name: def.name.clone(),
            uuid,
            vm: Arc::new(Mutex::new(Vm {
                def,
                next_def: None,
                uuid,
                persistent: false,
                state: StateReason::Shutoff(ShutoffReason::Unknown),
                id: None,
                run: None,
            })),
        };
        let mut vm = lock(&entry.vm);
        doms.push(entry.clone());
        drop(doms);
        let mut ev = Pending::new();
        let res = self
            .shared
            .start(&entry, &mut vm, &mut ev, flags & START_PAUSED != 0);
        let r = vm.to_ref();
        drop(vm);
        self.shared.emit(ev);
        match res {
            Ok(()) => Ok(r),
            Err(e) => {
                self.shared.forget_if_transient(uuid);
                Err(e)
            }
        }
    }

    fn undefine(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        if flags != 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("unsupported flags (0x{flags:x}) in function undefine"),
            ));
        }
        let (etc, ..) = self.shared.root_dirs();
        self.with_vm(dom, |vm, ev| {
            if !vm.persistent {
                return Err(Error::operation_invalid(
                    ErrorDomain::Domain,
                    "cannot undefine transient domain",
                ));
            }
            let path = etc.join(format!("{}.xml", vm.def.name));
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(sys(format!("cannot remove '{}'", path.display()), &e));
            }
            vm.persistent = false;
            vm.next_def = None;
            vm.push(
                ev,
                [DomainEvent::Lifecycle(Lifecycle::Undefined(
                    UndefinedDetail::Removed,
                ))],
            );
            Ok(())
        })?;
        self.shared.forget_if_transient(dom.uuid);
        Ok(())
    }

    fn create(&self, dom: &DomainRef, flags: u32) -> Result<DomainRef> {
        if flags & !START_PAUSED != 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("unsupported flags (0x{flags:x}) in function create"),
            ));
        }
        let e = self.shared.find(dom)?;
        self.with_vm(dom, |vm, ev| {
            self.shared.start(&e, vm, ev, flags & START_PAUSED != 0)?;
            Ok(vm.to_ref())
        })
    }

    fn destroy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        if flags != 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("unsupported flags (0x{flags:x}) in function destroy"),
            ));
        }
        self.with_vm(dom, |vm, ev| self.shared.destroy_vm(vm, ev))?;
        self.shared.forget_if_transient(dom.uuid);
        Ok(())
    }

    fn shutdown(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        if flags != 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("unsupported flags (0x{flags:x}) in function shutdown"),
            ));
        }
        self.with_vm(dom, |vm, ev| {
            vm.running()?;
            self.shared.command(vm, "system_powerdown", ev)
        })
    }

    fn reboot(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        if flags & !REBOOT_ACPI_POWER_BTN != 0 {
            return Err(Error::new(
                ErrorCode::ArgumentUnsupported,
                ErrorDomain::Qemu,
                format!(
                    "unsupported reboot mode (flags 0x{flags:x}): only the ACPI power button is available (no guest agent)"
                ),
            ));
        }
        self.with_vm(dom, |vm, ev| {
            if !matches!(vm.state, StateReason::Running(_)) {
                return Err(not_running());
            }
            vm.running()?.ctx.fake_reboot = true;
            let res = self.shared.command(vm, "system_powerdown", ev);
            if res.is_err()
                && let Some(run) = vm.run.as_mut()
            {
                run.ctx.fake_reboot = vm.def.on_poweroff == Some(LifecycleAction::Restart);
            }
            res
        })
    }

    fn suspend(&self, dom: &DomainRef) -> Result<()> {
        self.with_vm(dom, |vm, ev| {
            match vm.state {
                StateReason::Paused(_) if vm.run.is_some() => return Ok(()),
                StateReason::Running(_) => {}
                _ => return Err(not_running()),
            }
            vm.running()?.ctx.pause_reason = Some(PausedReason::User);
            let res = self.shared.command(vm, "stop", ev);
            if let Some(run) = vm.run.as_mut() {
                run.ctx.pause_reason = None;
            }
            res?;
            if matches!(vm.state, StateReason::Running(_)) {
                vm.state = StateReason::Paused(PausedReason::User);
                vm.push(
                    ev,
                    [DomainEvent::Lifecycle(Lifecycle::Suspended(
                        SuspendedDetail::Paused,
                    ))],
                );
            }
            Ok(())
        })
    }

    fn resume(&self, dom: &DomainRef) -> Result<()> {
        self.with_vm(dom, |vm, ev| {
            match vm.state {
                StateReason::Running(_) if vm.run.is_some() => return Ok(()),
                StateReason::Paused(_) => {}
                _ => return Err(not_running()),
            }
            vm.running()?.ctx.resume_reason = Some(RunningReason::Unpaused);
            let res = self.shared.command(vm, "cont", ev);
            if let Some(run) = vm.run.as_mut() {
                run.ctx.resume_reason = None;
            }
            res?;
            if matches!(vm.state, StateReason::Paused(_)) {
                vm.state = StateReason::Running(RunningReason::Unpaused);
                vm.push(
                    ev,
                    [DomainEvent::Lifecycle(Lifecycle::Resumed(
                        rvirt_core::api::ResumedDetail::Unpaused,
                    ))],
                );
            }
            Ok(())
        })
    }

    fn domain_info(&self, dom: &DomainRef) -> Result<DomainInfo> {
        self.with_vm(dom, |vm, _| {
            Ok(DomainInfo {
                state: vm.state.state(),
                max_mem_kib: vm.def.memory_kib(),
                memory_kib: vm.def.current_memory_kib(),
                nr_virt_cpu: vm.def.current_vcpus(),
                cpu_time_ns: vm.run.as_ref().map_or(0, |r| cpu_time_ns(r.pid)),
            })
        })
    }

    fn domain_state(&self, dom: &DomainRef) -> Result<StateReason> {
        self.with_vm(dom, |vm, _| Ok(vm.state))
    }

    fn domain_xml(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        self.with_vm(dom, |vm, _| {
            format_domain_xml(&vm.def, vm.next_def.as_ref(), vm.id, flags)
        })
    }

    fn is_persistent(&self, dom: &DomainRef) -> Result<bool> {
        self.with_vm(dom, |vm, _| Ok(vm.persistent))
    }

    fn autostart(&self, dom: &DomainRef) -> Result<bool> {
        self.shared.find(dom).map(|_| false)
    }

    fn close(&self) -> Result<()> {
        // Like libvirt's embedded driver, running domains outlive the instance: the
        // next instance on this root (this process or another) reconnects to them.
        let last = {
            let mut instances = lock(instances());
            let mut clients = lock(&self.shared.clients);
            clients.retain(|(id, _)| *id != self.client);
            let last = clients.is_empty();
            if last {
                instances.retain(|_, w| !std::ptr::eq(w.as_ptr(), Arc::as_ptr(&self.shared)));
            }
            last
        };
        if last {
            self.shared.detach_all();
        }
        Ok(())
    }
}

//! The QEMU driver's state for one root: its domains (rvirt-core's shared domain
//! objects), the monitors watched on its event loop, stopping guests and reaping their
//! QEMU, and letting go of the root.
//!
//! The path of one lifecycle event: QEMU writes `SHUTDOWN` on its monitor → the loop
//! reports the fd readable → [`Shared::on_monitor`] locks the domain, pumps the monitor
//! (the only reader), maps the event onto the state ([`super::running`]) and queues
//! the domain events → after unlocking, the fan-out hands them to every connection,
//! whose queue is drained by a timer on the same loop.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use rvirt_core::api::{ShutoffReason, StateReason};
use rvirt_core::conf::{Defaults, DomainDef};
use rvirt_core::driver::files::{remove_leftovers, remove_tree_in};
use rvirt_core::driver::{DriverConnection, EventSink, RootInstance};
use rvirt_core::event::{Interest, SharedLoop, WatchId};
use rvirt_core::objects::{ConfigDir, DomainEntry, Domains, Events, Persistence};
use rvirt_core::{DomainEvent, Error, ErrorDomain, Result, log};

use super::monitor::Monitor;
use super::reaper::{self, Reaper};
use super::root::DriverRoot;
use super::running::{Running, Vm, apply_messages, save_status};
use crate::event_map::map_monitor_eof;
use crate::process::QemuProcess;

/// A domain of the instance's list.
pub(crate) type Entry = Arc<DomainEntry<Running>>;

/// How long a QEMU whose monitor closed gets to exit by itself before the reaper kills
/// it (libvirt kills at once; QEMU is normally exiting already).
pub(crate) const EOF_GRACE: Duration = Duration::from_millis(500);

/// One root's driver state, shared by every connection and by the host's state holder.
#[derive(Debug)]
pub(crate) struct Shared {
    pub root: Mutex<Option<DriverRoot>>,
    pub root_path: PathBuf,
    pub event_loop: SharedLoop,
    pub domains: Domains<Running>,
    /// Killed QEMUs still to be reaped, off the loop's callbacks.
    pub reaper: Arc<Mutex<Reaper>>,
    /// Probed emulator capabilities, cached in `ROOT/cache/qemu/capabilities`.
    pub caps: crate::capabilities::CapsCache,
    /// Console sessions: one per domain and pty unless forced.
    pub consoles: rvirt_core::driver::ConsoleLeases,
    /// Each domain's guest-agent response timeout set by
    /// `virDomainAgentSetResponseTimeout` (libvirt's `agentTimeout` of the domain's
    /// private data): kept across the domain's runs, copied into each run.
    pub agent_timeouts: Mutex<std::collections::HashMap<rvirt_core::Uuid, i32>>,
    /// Each domain's migration bandwidth cap, MiB/s, set by `virDomainMigrateSetMaxSpeed`
    /// (libvirt's `migMaxBandwidth`): kept across the domain's runs.
    pub migration_speeds: Mutex<std::collections::HashMap<rvirt_core::Uuid, u64>>,
    /// What migrations in progress remember between their steps.
    pub migrations: super::migration::Book,
    /// The options of the active commits in progress, by domain and QEMU job id.
    pub block_commits: Mutex<
        std::collections::HashMap<
            (rvirt_core::Uuid, String),
            super::disk_jobs::commit::CommitOptions,
        >,
    >,
}

/// The directories of a root.
#[derive(Debug, Clone)]
pub(crate) struct Dirs {
    pub run: PathBuf,
    pub log: PathBuf,
    pub lib: PathBuf,
}

impl Shared {
    /// `run`, `log` and `lib` of the root.
    pub(crate) fn dirs(&self) -> Dirs {
        let r = &self.root_path;
        Dirs {
            run: r.join("run/qemu"),
            log: r.join("log/qemu"),
            lib: r.join("lib/qemu"),
        }
    }

    /// Watches `mon` on the instance's loop for the domain `entry`.
    pub(crate) fn watch_monitor(self: &Arc<Self>, entry: &Entry, mon: &Monitor) -> Result<WatchId> {
        let weak_shared: Weak<Shared> = Arc::downgrade(self);
        let weak_entry = Arc::downgrade(entry);
        let (s, e) = (weak_shared.clone(), weak_entry.clone());
        let watch = self.event_loop.add_handle(
            mon.fd(),
            Interest::READABLE,
            Box::new(move |watch, _fd, ready| {
                if let (Some(shared), Some(entry)) = (s.upgrade(), e.upgrade()) {
                    shared.on_monitor(&entry, watch, ready);
                }
            }),
        )?;
        mon.set_watch(
            watch,
            Arc::new(move |ready| {
                if let (Some(shared), Some(entry)) = (weak_shared.upgrade(), weak_entry.upgrade()) {
                    shared.on_monitor(&entry, watch, ready);
                }
            }),
        );
        Ok(watch)
    }

    /// The monitor watch's callback (event-loop thread): pump, map, emit; on EOF stop.
    /// Nothing here waits for QEMU.
    fn on_monitor(self: &Arc<Self>, entry: &Entry, watch: WatchId, ready: Interest) {
        let stopped = {
            let mut vm = entry.lock();
            let Some(mon) = vm
                .run
                .as_ref()
                .filter(|r| r.mon.watch() == Some(watch))
                .map(|r| r.mon.clone())
            else {
                return;
            };
            let pumped = mon.pump(ready);
            let mut ev = Events::new();
            apply_messages(&mut vm, pumped.messages, &mut ev);
            if pumped.broken.is_some() {
                ev.push(vm.event(DomainEvent::ControlError));
            }
            save_status(&mut vm);
            if pumped.eof
                && let Some(ctx) = vm.run.as_ref().map(|r| r.ctx)
            {
                let out = map_monitor_eof(vm.state, &ctx);
                let (proc, files) = split_run(vm.run.take().expect("checked above"));
                self.reap_later(proc);
                self.finish_stop(&mut vm, files, out.state, out.events, &mut ev);
            }
            self.domains.fanout.queue(ev);
            !vm.is_active()
        };
        self.domains.fanout.flush();
        if stopped {
            self.forget_if_transient(entry);
        }
    }

    /// Hands `proc` to the reaper: it gets [`EOF_GRACE`] to exit, then SIGKILL.
    pub(crate) fn reap_later(&self, proc: QemuProcess) {
        reaper::reap_later(&self.reaper, &self.event_loop, proc, EOF_GRACE);
    }

    /// The end of a run whose QEMU is gone or going: its files removed (only inside
    /// the root), id released, `state` set, `events` queued.
    pub(crate) fn finish_stop(
        &self,
        vm: &mut Vm,
        files: RunFiles,
        state: StateReason,
        events: Vec<DomainEvent>,
        ev: &mut Events,
    ) {
        files.remove(&self.dirs().lib);
        if let Some(id) = vm.def.id {
            super::memory_backing::remove_hugepage_dirs(&vm.def, id);
        }
        self.domains.list.release_id(vm);
        super::live::release_ports(&vm.def);
        super::netplug::unplug_interfaces(&vm.def, &self.dirs().run);
        vm.apply_stop(state);
        ev.extend(events.into_iter().map(|e| vm.event(e)));
    }
}

/// The files of a run, removed when it ends.
#[derive(Debug)]
pub(crate) struct RunFiles {
    pub priv_dir: PathBuf,
    pub pidfile: PathBuf,
    pub status: PathBuf,
}

impl RunFiles {
    /// Removes them; the private directory only as an entry of `lib_dir`.
    pub(crate) fn remove(&self, lib_dir: &Path) {
        let _ = std::fs::remove_file(&self.pidfile);
        let _ = std::fs::remove_file(&self.status);
        crate::security::prepare::release(&self.status);
        if let Some(name) = self.priv_dir.file_name()
            && self.priv_dir.parent() == Some(lib_dir)
        {
            let _ = remove_tree_in(lib_dir, name);
        }
    }
}

/// The process and the files of `run`, whose monitor is closed.
pub(crate) fn split_run(run: Running) -> (QemuProcess, RunFiles) {
    run.mon.close();
    if let Some(agent) = &run.agent {
        agent.close();
    }
    let files = RunFiles {
        priv_dir: run.priv_dir,
        pidfile: run.pidfile,
        status: run.status,
    };
    (run.proc, files)
}

/// Parses and completes a definition.
pub(crate) fn parse_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_xml(xml)?;
    // A `<mirror>` belongs to a running copy (the status XML keeps it); as in libvirt, a
    // definition does not carry one.
    super::disk_jobs::copy::drop_mirrors(&mut def);
    def.prepare_define(&Defaults::qemu())?;
    super::live::assign_macs(&mut def);
    Ok(def)
}

/// Parses and completes a definition this driver stored, without the checks libvirt
/// skips for its own files (one stored before a check existed still loads).
pub(crate) fn parse_stored_def(xml: &str) -> Result<DomainDef> {
    let mut def = DomainDef::from_stored_xml(xml)?;
    super::disk_jobs::copy::drop_mirrors(&mut def);
    def.prepare_stored(&Defaults::qemu())?;
    super::live::assign_macs(&mut def);
    Ok(def)
}

/// The error of an operation that needs a running QEMU.
pub(crate) fn not_running() -> Error {
    rvirt_core::objects::not_running()
}

/// `Shutoff(reason)`.
pub(crate) fn shutoff(reason: ShutoffReason) -> StateReason {
    StateReason::Shutoff(reason)
}

impl RootInstance for Shared {
    /// Sets up the instance of `root`: takes its lock, removes leftovers, loads
    /// `etc/qemu/*.xml` and reconnects to the QEMUs an earlier instance left running.
    /// Monitors are watched on `event_loop`.
    fn create(root: &Path, event_loop: SharedLoop) -> Result<Arc<Shared>> {
        let lock_file = DriverRoot::acquire(root)?;
        let configs = ConfigDir::new(lock_file.config_dir(), ErrorDomain::Qemu);
        let shared = Arc::new(Shared {
            root_path: root.to_path_buf(),
            root: Mutex::new(Some(lock_file)),
            event_loop,
            domains: Domains::new(ErrorDomain::Qemu, Persistence::OnDisk(configs)),
            reaper: Arc::default(),
            caps: crate::capabilities::CapsCache::new(root.join("cache/qemu/capabilities")),
            consoles: Default::default(),
            agent_timeouts: Default::default(),
            migration_speeds: Default::default(),
            migrations: Default::default(),
            block_commits: Default::default(),
        });
        remove_leftovers(&shared.dirs().run, ErrorDomain::Qemu);
        shared
            .domains
            .load_configs(ErrorDomain::Qemu, parse_stored_def);
        shared.reconnect_all();
        shared.load_snapshots();
        shared.load_checkpoints();
        Ok(shared)
    }

    fn connect(self: Arc<Self>, events: EventSink) -> Box<dyn DriverConnection> {
        Box::new(super::QemuConnection::on(self, events))
    }

    /// Starts every inactive domain marked autostart (libvirt's autostart at driver
    /// start-up); failures are logged.
    fn autostart(self: &Arc<Self>) {
        for entry in self.domains.list.entries() {
            if !entry.lock().autostart || entry.lock().is_active() {
                continue;
            }
            let started = entry
                .begin_job("autostart")
                .and_then(|job| self.start(&entry, &job, super::start::StartFlags::default()));
            match started {
                Ok(()) => log::info(
                    ErrorDomain::Qemu,
                    format_args!("autostarted domain '{}'", entry.name()),
                ),
                Err(e) => log::warning(
                    ErrorDomain::Qemu,
                    format_args!("cannot autostart domain '{}': {e}", entry.name()),
                ),
            }
        }
    }

    /// The last holder let go: every QEMU runs on without this instance, unwatched,
    /// with its status file for the next instance; the root lock is released.
    fn detach(&self) {
        for e in self.domains.list.entries() {
            let mut vm = e.lock();
            save_status(&mut vm);
            if let Some(run) = vm.run.take() {
                run.mon.close();
                run.proc.detach();
            }
        }
        reaper::shut_down(&self.reaper, &self.event_loop);
        if let Some(root) = self.root.lock().unwrap_or_else(|p| p.into_inner()).take() {
            root.release();
        }
    }
}

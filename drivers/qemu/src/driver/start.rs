//! Starting a domain's QEMU: spawn it paused (`-S`) with an inherited monitor socket,
//! complete the QMP handshake and `cont` on the caller's thread (QEMU's monitor is not
//! on the loop yet), then hand the monitor to the loop.
//!
//! The caller holds the domain's job; the domain is unlocked while QEMU starts, so
//! listing and other queries go on (they see it starting up).

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rvirt_core::api::{
    PausedReason, RunningReason, ShutoffReason, StartedDetail, StateReason, SuspendedDetail,
};
use rvirt_core::driver::files::open_private_log;
use rvirt_core::event::Interest;
use rvirt_core::objects::{Events, Job, already_active};
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result};

use super::instance::{Entry, Shared, shutoff, split_run};
use super::monitor::Monitor;
use super::perf_events::PerfCounters;
use super::running::{Running, apply_messages, restarts_on_poweroff, save_status, signal};
use super::status::MONITOR_SOCKET;
use crate::command_line::{KVM_DEVICE, RuntimeOptions, build_args, choose_accel, emulator};
use crate::event_map::{Devices, MapContext};
use crate::process::scan::qemu_running_uuid;
use crate::process::{QemuProcess, spawn_as};
use crate::qmp::{Message, QmpStream};
use crate::security::{self, SANDBOX, security_config};
use serde_json::json;

/// Bound for the start-up handshake and for each monitor command.
pub(crate) const MONITOR_TIMEOUT: Duration = Duration::from_secs(10);

fn sys(what: String, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{what}: {e}"),
    )
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// What QEMU wrote to the log since its last start (after the driver's "starting up"
/// line), at most its last 1024 bytes, as libvirt's `qemuProcessReportLogError`
/// quotes it.
fn qemu_output(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text
        .rfind("starting up: ")
        .and_then(|at| text[at..].find('\n').map(|nl| at + nl + 1))
        .unwrap_or(0);
    let said = text[start..].trim();
    let mut from = said.len().saturating_sub(1024);
    while !said.is_char_boundary(from) {
        from += 1;
    }
    said[from..].to_string()
}

/// How much longer QEMU may take to greet per encrypted disk it opens.
const LUKS_OPEN_WAIT: Duration = Duration::from_secs(180);

/// Before the guest runs, as libvirt does: the balloon's target when the domain starts
/// with less than its maximum memory, and how often the guest's memory statistics are
/// polled (`<memballoon><stats period=…/>`).
fn setup_balloon(qmp: &mut QmpStream, def: &rvirt_core::conf::DomainDef) -> Result<()> {
    let Some(balloon) = def.devices().iter().find_map(|d| match d {
        rvirt_core::conf::Device::Memballoon(b) if b.model.as_str().starts_with("virtio") => {
            Some(b)
        }
        _ => None,
    }) else {
        return Ok(());
    };
    let current = def.current_memory_kib();
    if current > 0 && current < def.memory_kib() {
        qmp.execute("balloon", Some(json!({"value": current * 1024})))?;
    }
    if let Some(stats) = balloon.stats.as_ref().filter(|s| s.period > 0) {
        qmp.execute(
            "qom-set",
            Some(json!({"path": "/machine/peripheral/balloon0",
                        "property": "guest-stats-polling-interval",
                        "value": stats.period})),
        )?;
    }
    Ok(())
}

/// Creates and tunes the guest's own cgroup on a root of kind `system` (recorded next
/// to the status file `status` for the stop) and returns the files QEMU's child writes
/// itself into. Where there is none (embed and session roots; a host without a usable
/// cgroup hierarchy) the guest stays in the caller's cgroup and the reason is logged
/// (once per process); tuning it asks for then fails the start, as does tuning the
/// host cannot apply.
fn prepare_cgroup(
    def: &rvirt_core::conf::DomainDef,
    id: u32,
    status: &Path,
    system: bool,
    kvm: bool,
) -> Result<Option<security::cgroup::GuestCgroup>> {
    use security::cgroup::{CgroupError, GuestCgroup, MOUNT, tuning_asked};
    static TOLD: std::sync::Once = std::sync::Once::new();
    let unsupported = |why: &str| {
        Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Qemu,
            format!("<cputune>, <memtune> and <blkiotune> need a cgroup of the guest's own: {why}"),
        )
    };
    if !system {
        const WHY: &str = "qemu:///embed and qemu:///session guests run in the caller's cgroup";
        if tuning_asked(def) {
            return Err(unsupported(WHY));
        }
        static EMBED: std::sync::Once = std::sync::Once::new();
        EMBED.call_once(|| {
            rvirt_core::log::info(
                ErrorDomain::Qemu,
                format_args!("{WHY} (a cgroup of their own only on qemu:///system)"),
            );
        });
        return Ok(None);
    }
    let devices = security::devices::guest_devices(def, kvm);
    match GuestCgroup::create(Path::new(MOUNT), id, def, &devices) {
        Ok(cg) => {
            if let Err(e) = cg.record(status) {
                cg.remove();
                return Err(sys(
                    format!("cannot record the cgroup of '{}'", def.name),
                    &e,
                ));
            }
            Ok(Some(cg))
        }
        Err(CgroupError::Unavailable(reason)) => {
            if tuning_asked(def) {
                return Err(unsupported(&reason));
            }
            TOLD.call_once(|| {
                rvirt_core::log::info(
                    ErrorDomain::Qemu,
                    format_args!("guests run without a cgroup of their own: {reason}"),
                );
            });
            Ok(None)
        }
        Err(CgroupError::Tuning(m)) => Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Qemu,
            m,
        )),
    }
}

/// True for QEMU's refusal to start because a VNC or SPICE port it was given is in
/// use.
/// Claims the guest CID of `def`'s `<vsock>` (if any) on `/dev/vhost-vsock` and
/// writes it into the definition (`<cid auto='yes' address='N'/>`, as libvirt's live
/// XML shows it).
fn claim_vsock(
    def: &mut rvirt_core::conf::DomainDef,
) -> Result<Option<(std::os::fd::OwnedFd, u32)>> {
    let Some(v) = def.devices_mut().iter_mut().find_map(|d| match d {
        rvirt_core::conf::Device::Vsock(v) => Some(v),
        _ => None,
    }) else {
        return Ok(None);
    };
    let wanted = crate::command_line::vsock_cid(v)?;
    let (fd, cid) =
        crate::host::vsock::acquire(Path::new(crate::host::vsock::VHOST_VSOCK), wanted)?;
    v.cid
        .get_or_insert_with(|| rvirt_core::conf::xml::Element::new("cid"))
        .set_attr("address", cid.to_string());
    Ok(Some((fd, cid)))
}

fn display_port_taken(e: &Error) -> bool {
    let m = e.message();
    m.contains("Failed to find an available port") || m.contains("Failed to open SPICE sockets")
}

/// Where a start begins.
#[derive(Debug)]
pub(crate) enum Origin {
    /// A plain boot.
    Boot,
    /// A save image's migration stream (`-incoming defer`).
    Restore(std::fs::File),
    /// An incoming migration: QEMU listens at `uri` (`migrate-incoming`,
    /// `tcp:ADDRESS:PORT`) and stays paused for the source's stream; with `postcopy` it
    /// may run before all of its memory is here.
    Incoming { uri: String, postcopy: bool },
    /// A snapshot revert: the internal snapshot `Some(tag)` is loaded (`snapshot-load`)
    /// before the guest runs; `None` boots afresh (a shut-off snapshot's revert).
    Snapshot(Option<String>),
}

/// How a start is reported (STARTED's detail, the running or paused reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartKind {
    Boot,
    Restore,
    Snapshot,
    Incoming,
}

impl Origin {
    fn kind(&self) -> StartKind {
        match self {
            Origin::Boot => StartKind::Boot,
            Origin::Restore(_) => StartKind::Restore,
            Origin::Snapshot(_) => StartKind::Snapshot,
            Origin::Incoming { .. } => StartKind::Incoming,
        }
    }

    /// The origin of one launch attempt: a save image's stream can be read only once
    /// (a retry boots nothing from it), a snapshot tag serves every attempt.
    fn for_attempt(&mut self) -> Origin {
        match self {
            Origin::Restore(_) => std::mem::replace(self, Origin::Boot),
            Origin::Snapshot(tag) => Origin::Snapshot(tag.clone()),
            Origin::Incoming { uri, postcopy } => Origin::Incoming {
                uri: uri.clone(),
                postcopy: *postcopy,
            },
            Origin::Boot => Origin::Boot,
        }
    }
}

/// A QEMU spawned and negotiated, not yet the domain's.
struct Launched {
    /// The live definition: ports and ptys filled in.
    def: rvirt_core::conf::DomainDef,
    proc: QemuProcess,
    qmp: QmpStream,
    priv_dir: std::path::PathBuf,
    monitor_path: std::path::PathBuf,
    pidfile: std::path::PathBuf,
    status: std::path::PathBuf,
    /// Counters of the enabled perf events.
    perf: super::perf_events::PerfCounters,
}

/// How a domain starts: `VIR_DOMAIN_START_PAUSED` and `VIR_DOMAIN_START_AUTODESTROY`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StartFlags {
    /// QEMU stays paused after the handshake.
    pub paused: bool,
    /// QEMU dies with the process that starts it, however that process ends (the
    /// connection that asked for it cannot outlive the process).
    pub autodestroy: bool,
}

impl StartFlags {
    /// Only paused or not.
    pub(crate) fn paused(paused: bool) -> StartFlags {
        StartFlags {
            paused,
            autodestroy: false,
        }
    }

    /// From `virDomainCreateFlags` bits (already checked).
    pub(crate) fn from_bits(flags: u32) -> StartFlags {
        StartFlags {
            paused: flags & super::connection::START_PAUSED != 0,
            autodestroy: flags & super::autodestroy::START_AUTODESTROY != 0,
        }
    }
}

impl Shared {
    /// Starts the inactive domain of `job` (paused if `how` says so, as
    /// `VIR_DOMAIN_START_PAUSED` asks). Emits STARTED/BOOTED (and SUSPENDED/PAUSED).
    pub(crate) fn start(
        self: &Arc<Self>,
        entry: &Entry,
        job: &Job<'_, Running>,
        how: StartFlags,
    ) -> Result<()> {
        self.start_from(entry, job, how, None)
    }

    /// [`Self::start`], or with `incoming` (a save image's migration stream) a restore:
    /// QEMU starts with `-incoming defer`, loads the stream, and the domain runs with
    /// reason restored (STARTED/RESTORED).
    pub(crate) fn start_from(
        self: &Arc<Self>,
        entry: &Entry,
        job: &Job<'_, Running>,
        how: StartFlags,
        incoming: Option<std::fs::File>,
    ) -> Result<()> {
        let origin = match incoming {
            Some(file) => Origin::Restore(file),
            None => Origin::Boot,
        };
        self.start_origin(entry, job, how, origin)
    }

    /// Starts the inactive domain of `job` from `origin`: a boot, a save image, or a
    /// snapshot (its internal state loaded before the guest runs: libvirt's revert).
    pub(crate) fn start_origin(
        self: &Arc<Self>,
        entry: &Entry,
        job: &Job<'_, Running>,
        how: StartFlags,
        origin: Origin,
    ) -> Result<()> {
        let paused = how.paused;
        let kind = origin.kind();
        let (def, id) = {
            let mut vm = job.lock();
            if vm.is_active() {
                return Err(already_active(vm.name()));
            }
            // An incoming migration's source runs the same guest until it is here.
            if kind != StartKind::Incoming
                && let Some(other) = qemu_running_uuid(&vm.uuid())
            {
                // Started by an instance that lost track of it, or by another root: a
                // second QEMU would run the same guest on the same disks.
                return Err(Error::operation_invalid(
                    ErrorDomain::Qemu,
                    format!(
                        "domain '{}' is already running as QEMU process {} (uuid {})",
                        vm.name(),
                        other.pid,
                        vm.uuid().hyphenated()
                    ),
                ));
            }
            let id = self.domains.list.assign_id(&mut vm);
            vm.state = StateReason::Paused(PausedReason::StartingUp);
            let mut def = vm.def.clone();
            def.id = Some(id);
            (def, id)
        };
        let launched = self.launch(def, id, how, origin);
        let mut vm = job.lock();
        let mut ev = Events::new();
        let result = match launched {
            Ok(l) => self.adopt_started(entry, &mut vm, l, paused, kind, &mut ev),
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.domains.list.release_id(&mut vm);
            vm.state = shutoff(ShutoffReason::Failed);
            ev.clear();
        }
        save_status(&mut vm);
        self.domains.fanout.queue(ev);
        drop(vm);
        self.domains.fanout.flush();
        result
    }

    /// Spawns QEMU for `def` and completes the handshake (and `cont`, unless
    /// `paused`). On failure QEMU is killed and its files removed; the error carries the
    /// end of its log.
    fn launch(
        &self,
        mut def: rvirt_core::conf::DomainDef,
        id: u32,
        how: StartFlags,
        origin: Origin,
    ) -> Result<Launched> {
        // A definition stored without addresses gets them now, so hotplug later
        // knows which slots QEMU uses.
        crate::pci::assign_pci_addresses(&mut def)?;
        // UEFI: the selected firmware and the domain's variable store (created from
        // the template at the first start, kept afterwards).
        let machine = def
            .os
            .os_type
            .machine
            .clone()
            .unwrap_or_else(|| crate::command_line::DEFAULT_MACHINE.to_owned());
        let nvram_dir = self.nvram_dir();
        let descriptors = crate::firmware::descriptor::load(&crate::firmware::system_dirs());
        crate::firmware::fill(&mut def, &machine, &nvram_dir, &descriptors)?;
        crate::firmware::nvram::ensure(&def, &nvram_dir)?;
        // <vsock>: the guest CID claimed on /dev/vhost-vsock, shown in the live XML.
        let vsock = claim_vsock(&mut def)?;
        super::live::assign_graphics(&mut def)?;
        let taps =
            match super::netplug::plug_interfaces(&mut def, self.is_system(), &self.dirs().run) {
                Ok(t) => t,
                Err(e) => {
                    super::live::release_ports(&def);
                    return Err(e);
                }
            };
        // Another process (a second daemon, any VNC server) may take a port between
        // the check and QEMU's bind: choose again, a few times, keeping the taken
        // ports handed out meanwhile. A restore's stream can only be read once.
        let restoring = matches!(origin, Origin::Restore(_));
        let mut origin = origin;
        let mut taken = Vec::new();
        let launched = loop {
            match self.launch_def(&def, id, how, &taps, vsock.as_ref(), origin.for_attempt()) {
                Err(e) if !restoring && taken.len() < 3 && display_port_taken(&e) => {
                    taken.push(def.clone());
                    super::live::assign_graphics(&mut def)?;
                }
                other => break other,
            }
        };
        for old in &taken {
            super::live::release_ports(old);
        }
        match launched {
            Ok((l, chardevs)) => {
                // QEMU holds its copies of the tap fds now.
                drop(taps);
                super::live::apply_ptys(&mut def, &chardevs);
                Ok(Launched { def, ..l })
            }
            Err(e) => {
                taps.remove();
                super::live::release_ports(&def);
                Err(e)
            }
        }
    }

    /// `ROOT/lib/qemu/nvram`: the domains' UEFI variable stores (libvirt's
    /// `/var/lib/libvirt/qemu/nvram`).
    pub(crate) fn nvram_dir(&self) -> std::path::PathBuf {
        self.dirs().lib.join("nvram")
    }

    /// Whether this instance is `qemu:///system`'s (the one with virtual networks).
    pub(crate) fn is_system(&self) -> bool {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        canon(&self.root_path) == canon(&super::DRIVER.system_root())
    }

    /// [`Self::launch`] for a definition whose ports are set and whose NICs have their
    /// `taps`; also returns QEMU's `query-chardev` reply.
    fn launch_def(
        &self,
        def: &rvirt_core::conf::DomainDef,
        id: u32,
        how: StartFlags,
        taps: &super::netplug::Taps,
        vsock: Option<&(std::os::fd::OwnedFd, u32)>,
        origin: Origin,
    ) -> Result<(Launched, serde_json::Value)> {
        let paused = how.paused;
        let dirs = self.dirs();
        let config = security_config();
        let dac = security::dac_plan(def, self.is_system(), &config)?;
        let name = def.name.clone();
        let short: String = name.chars().take(20).collect();
        let priv_dir = dirs.lib.join(format!("domain-{id}-{short}"));
        std::fs::create_dir_all(&priv_dir)
            .map_err(|e| sys(format!("cannot create '{}'", priv_dir.display()), &e))?;
        let pidfile = dirs.run.join(format!("{name}.pid"));
        let status = dirs.run.join(format!("{name}.xml"));
        // Records a run that ended unseen left behind: its owners go back first.
        security::prepare::release(&status);
        let cleanup_dir = |e: Error| {
            security::prepare::release(&status);
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
        let _ = std::fs::remove_file(&pidfile);
        let mut rt = RuntimeOptions::new(listener.as_raw_fd());
        rt.pidfile = Some(pidfile.clone());
        rt.accel = choose_accel(def.domain_type, Path::new(KVM_DEVICE));
        if rt.accel == crate::command_line::Accel::Kvm
            && !security::kvm_usable_for_qemu(self.is_system(), &config)
        {
            // /dev/kvm is the daemon's but not QEMU's user's: TCG, as for no KVM.
            rt.accel = crate::command_line::Accel::Tcg;
        }
        rt.tap_fds = taps.fds();
        rt.vsock = vsock.map(|(fd, cid)| (std::os::fd::AsRawFd::as_raw_fd(fd), *cid));
        let mut inherited = taps.inherited();
        inherited.extend(rt.vsock.map(|(fd, _)| fd));
        rt.private_dir = Some(priv_dir.clone());
        rt.sandbox = config.seccomp_sandbox.then(|| SANDBOX.to_owned());
        if let Some(plan) = &dac {
            security::prepare::prepare(def, plan, &priv_dir, &sock, &pidfile, &status)
                .map_err(cleanup_dir)?;
        }
        // Encrypted disks: each passphrase in a private file QEMU reads (removed once
        // QEMU holds it, and with the directory on any failure).
        let owner = dac.as_ref().map(|p| &p.ids);
        let secrets = super::disk_secrets::prepare(def, self.is_system(), &priv_dir, owner)
            .map_err(cleanup_dir)?;
        rt.disk_secrets = secrets.per_disk.clone();
        // A named CPU model is checked against QEMU's (probed once, cached).
        if def
            .cpu
            .as_ref()
            .and_then(|c| c.model.as_ref())
            .is_some_and(|m| m.name.is_some())
        {
            rt.cpu_models = Some(
                self.caps
                    .get(&emulator(def))
                    .map_err(cleanup_dir)?
                    .cpu_models,
            );
        }
        // host-model under TCG: the probed description of TCG's CPU, as libvirt's.
        if rt.accel == crate::command_line::Accel::Tcg
            && def
                .cpu
                .as_ref()
                .is_some_and(|c| c.mode == Some(rvirt_core::conf::CpuMode::HostModel))
        {
            rt.host_model = self
                .caps
                .get(&emulator(def))
                .map_err(cleanup_dir)?
                .host_model;
        }
        rt.host_memory = Some(
            super::memory_backing::host_memory(def, id, &priv_dir, dac.as_ref())
                .map_err(cleanup_dir)?,
        );
        // After the DAC preparation: the nodes copy the owners given to QEMU's user.
        let private_dev = security::namespace::private_dev_for(
            def,
            self.is_system(),
            rt.accel == crate::command_line::Accel::Kvm,
            &config,
        )
        .map_err(cleanup_dir)?;
        let kvm = rt.accel == crate::command_line::Accel::Kvm;
        let cgroup =
            prepare_cgroup(def, id, &status, self.is_system(), kvm).map_err(cleanup_dir)?;
        let mut confinement =
            security::child::Confinement::new(private_dev, dac.as_ref().map(|p| &p.ids));
        if how.autodestroy {
            // No code of ours runs when this process is SIGKILLed: the kernel ends QEMU.
            confinement = confinement.dying_with(std::process::id() as libc::pid_t);
        }
        let mut args = build_args(def, &rt).map_err(cleanup_dir)?;
        if matches!(origin, Origin::Restore(_) | Origin::Incoming { .. }) {
            args.extend(["-incoming".to_string(), "defer".to_string()]);
        }
        let binary = emulator(def);
        let log = dirs.log.join(format!("{name}.log"));
        let custom = crate::command_line::custom_argv(def).map_err(cleanup_dir)?;
        if let Ok(mut f) = open_private_log(&log) {
            // libvirt's qemuDomainObjTaintMsg, in the domain's log.
            if custom.is_tainting() {
                let _ = writeln!(f, "Domain id={id} is tainted: custom-argv");
            }
            let _ = writeln!(f, "starting up: {} {}", binary.display(), args.join(" "));
        }
        let mut proc = spawn_as(
            &binary,
            &args,
            &listener,
            &inherited,
            Some(&log),
            confinement,
            &crate::process::ChildExtras {
                env: custom.env.clone(),
                unlimited_memlock: def.memory_backing.as_ref().is_some_and(|b| b.locked),
            },
        )
        .map_err(|e| {
            // The child names a failing confinement step in the log.
            let tail = log_tail(&log);
            cleanup_dir(Error::new(
                e.code(),
                ErrorDomain::Qemu,
                format!("{e}; QEMU log: {tail}"),
            ))
        })?;
        drop(listener);
        // QEMU joins its cgroup while it initialises paused (-S), before any vCPU runs
        // guest code: the move waits for an RCU grace period (10-15 ms) that would
        // otherwise add to every start.
        let mut placing = cgroup.clone().map(|cg| {
            let pid = proc.pid();
            std::thread::spawn(move || cg.place(pid))
        });
        let handshake = (|| -> Result<(QmpStream, serde_json::Value, PerfCounters)> {
            let stream = UnixStream::connect(&sock)?;
            let mut qmp = QmpStream::new(stream, MONITOR_TIMEOUT);
            // Each encrypted disk's key is derived before QEMU greets (by design a
            // slow PBKDF, seconds of CPU): its wait is longer, as libvirt's has no bound.
            let encrypted = u32::try_from(secrets.count()).unwrap_or(u32::MAX);
            qmp.handshake_within(MONITOR_TIMEOUT + LUKS_OPEN_WAIT.saturating_mul(encrypted))?;
            // QEMU read the secret files when it created its objects.
            secrets.remove_files();
            setup_balloon(&mut qmp, def)?;
            super::graphics_password::set_passwords(&mut qmp, def)?;
            if let Some(placed) = placing.take().map(|h| h.join()) {
                let placed = placed.unwrap_or_else(|_| Err("the placing thread panicked".into()));
                placed.map_err(|e| Error::new(ErrorCode::SystemError, ErrorDomain::Qemu, e))?;
            }
            super::threads::confine_threads(&mut qmp, def, proc.pid(), cgroup.as_ref())?;
            super::block_iotune::apply_at_start(&mut qmp, def)?;
            let chardevs = qmp.execute("query-chardev", None)?;
            match origin {
                Origin::Restore(file) => super::save::receive(&mut qmp, &priv_dir, file)?,
                Origin::Snapshot(Some(tag)) => super::snapshot::jobs::load(&mut qmp, def, &tag)?,
                Origin::Incoming { uri, postcopy } => {
                    if postcopy {
                        let caps = serde_json::json!({ "capabilities": [
                            { "capability": "postcopy-ram", "state": true },
                        ]});
                        qmp.execute("migrate-set-capabilities", Some(caps))?;
                    }
                    qmp.execute("migrate-incoming", Some(serde_json::json!({ "uri": uri })))?;
                }
                Origin::Snapshot(None) | Origin::Boot => {}
            }
            let perf = super::perf_events::open_enabled(def, proc.pid())?;
            if !paused {
                qmp.execute("cont", None)?;
            }
            Ok((qmp, chardevs, perf))
        })();
        match handshake {
            Ok((qmp, chardevs, perf)) => Ok((
                Launched {
                    def: def.clone(),
                    proc,
                    qmp,
                    priv_dir,
                    monitor_path: sock,
                    pidfile,
                    status,
                    perf,
                },
                chardevs,
            )),
            Err(e) => {
                // A QEMU that exited on its own (a wrong passphrase, an image it
                // cannot open) is reported as libvirt reports it: its own words.
                let exited = matches!(proc.wait_timeout(Duration::from_millis(500)), Ok(Some(_)));
                let _ = proc.kill();
                let _ = std::fs::remove_file(&pidfile);
                let said = qemu_output(&log);
                if exited && !said.is_empty() {
                    return Err(cleanup_dir(Error::new(
                        ErrorCode::InternalError,
                        ErrorDomain::Qemu,
                        format!("qemu unexpectedly closed the monitor: {said}"),
                    )));
                }
                let tail = log_tail(&log);
                Err(cleanup_dir(Error::new(
                    e.code(),
                    ErrorDomain::Qemu,
                    format!("{e}; QEMU log: {tail}"),
                )))
            }
        }
    }

    /// Makes a launched QEMU the domain's run: its monitor goes to the loop, the state
    /// becomes running (or paused), STARTED is queued with whatever the handshake read.
    fn adopt_started(
        self: &Arc<Self>,
        entry: &Entry,
        vm: &mut super::running::Vm,
        l: Launched,
        paused: bool,
        kind: StartKind,
        ev: &mut Events,
    ) -> Result<()> {
        let pid = l.proc.pid();
        let (stream, codec, queued) = l.qmp.into_parts();
        let mon = Monitor::new(stream, codec, self.event_loop.clone())?;
        let mut early: Vec<Message> = queued.into_iter().collect();
        // Whole lines the handshake left in the codec, before the loop reads the fd.
        early.extend(mon.pump(Interest::NONE).messages);
        vm.state = match (paused, kind) {
            (true, StartKind::Snapshot) => StateReason::Paused(PausedReason::FromSnapshot),
            (_, StartKind::Incoming) => StateReason::Paused(PausedReason::Migration),
            (true, _) => StateReason::Paused(PausedReason::User),
            (false, StartKind::Boot) => StateReason::Running(RunningReason::Booted),
            (false, StartKind::Restore) => StateReason::Running(RunningReason::Restored),
            (false, StartKind::Snapshot) => StateReason::Running(RunningReason::FromSnapshot),
        };
        vm.run = Some(Running {
            proc: l.proc,
            pid,
            mon: mon.clone(),
            ctx: MapContext {
                fake_reboot: restarts_on_poweroff(vm),
                ..MapContext::default()
            },
            devices: Devices::of(&vm.def),
            priv_dir: l.priv_dir,
            monitor_path: l.monitor_path,
            pidfile: l.pidfile,
            status: l.status,
            saved: None,
            reboot_pending: false,
            reboot_cmds: None,
            vcpu_tids: None,
            agent: None,
            agent_open: false,
            dirty_rate: None,
            agent_timeout: self.agent_timeout_of(vm),
            perf: l.perf,
        });
        let (started, suspended) = match kind {
            StartKind::Boot => (StartedDetail::Booted, SuspendedDetail::Paused),
            StartKind::Restore => (StartedDetail::Restored, SuspendedDetail::Paused),
            StartKind::Snapshot => (StartedDetail::FromSnapshot, SuspendedDetail::FromSnapshot),
            StartKind::Incoming => (StartedDetail::Migrated, SuspendedDetail::Migrated),
        };
        ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Started(started))));
        // An incoming guest was never running here: STARTED/MIGRATED alone, as libvirt.
        if paused && kind != StartKind::Incoming {
            ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Suspended(suspended))));
        }
        if let Err(e) = self.watch_monitor(entry, &mon) {
            let (mut proc, files) = split_run(vm.run.take().expect("just set"));
            signal(pid, libc::SIGTERM);
            let _ = proc.kill();
            files.remove(&self.dirs().lib);
            return Err(Error::internal(
                ErrorDomain::Qemu,
                format!("cannot watch the QEMU monitor: {e}"),
            ));
        }
        // The live definition (ports, ptys) while it runs; the persistent one after.
        if vm.persistent && vm.next_def.is_none() {
            vm.use_for_this_run(l.def);
        } else {
            vm.def = l.def;
        }
        // Events that arrived with the `cont` reply (RESUME, maybe already SHUTDOWN).
        apply_messages(vm, early, ev);
        Ok(())
    }
}

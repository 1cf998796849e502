//! A running domain's QEMU side: its process and monitor, the files that describe it
//! (`run/qemu/NAME.{xml,pid}`, `lib/qemu/domain-ID-NAME/`), how monitor messages change
//! its state, and libvirt's fake reboot.

use std::path::PathBuf;

use rvirt_core::api::{
    ResumedDetail, RunningReason, ShutdownReason, ShutoffReason, StateReason, StoppedDetail,
};
use rvirt_core::conf::LifecycleAction;
use rvirt_core::driver::files::{Durability, write_replace};
use rvirt_core::objects::{DomainObj, Events};
use rvirt_core::{DomainEvent, ErrorDomain, Lifecycle};

use super::monitor::Monitor;
use super::status::DomainStatus;
use crate::event_map::{Devices, MapContext, is_inactive, map_event};
use crate::process::QemuProcess;
use crate::qmp::{Message, QmpEvent};

/// A QEMU domain as the driver keeps it.
pub(crate) type Vm = DomainObj<Running>;

/// What a running domain has beyond its definition and state.
#[derive(Debug)]
pub(crate) struct Running {
    pub proc: QemuProcess,
    pub pid: u32,
    pub mon: Monitor,
    pub ctx: MapContext,
    /// How QEMU names the domain's devices (to name them libvirt's way in events).
    pub devices: Devices,
    /// `ROOT/lib/qemu/domain-ID-NAME`.
    pub priv_dir: PathBuf,
    pub monitor_path: PathBuf,
    pub pidfile: PathBuf,
    /// `ROOT/run/qemu/NAME.xml`.
    pub status: PathBuf,
    /// The state last written to `status` (rewritten when it changes).
    pub saved: Option<StateReason>,
    /// A `SHUTDOWN` of a fake reboot arrived: reset once the batch is applied.
    pub reboot_pending: bool,
    /// The fake reboot's `system_reset` and `cont`, sent from the loop, not waited for.
    pub reboot_cmds: Option<RebootCmds>,
    /// Host thread ids of the vCPUs, by vCPU number (`query-cpus-fast`), once asked.
    pub vcpu_tids: Option<Vec<u32>>,
    /// The guest agent's channel, connected while the guest has its port open.
    pub agent: Option<super::agent::Agent>,
    /// The guest has the agent's port open (QEMU's `VSERPORT_CHANGE`).
    pub agent_open: bool,
    /// The last `query-dirty-rate` reply that no longer changes by itself (nothing
    /// measuring), with the monitor's passthrough count when it was asked: QEMU only
    /// starts a measurement when told to, which here only `qemu-monitor-command` can
    /// do, so the reply holds while that count is unchanged.
    pub dirty_rate: Option<(u64, serde_json::Value)>,
    /// How long agent commands wait for their reply: seconds, or -2 (block), -1
    /// (libvirt's default, 5 s), 0 (no wait); recorded in the status file.
    pub agent_timeout: i32,
    /// The host perf counters of the enabled `<perf>` events.
    pub perf: super::perf_events::PerfCounters,
}

/// The command ids of a fake reboot in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RebootCmds {
    pub reset: String,
    pub cont: String,
}

/// Sends SIGTERM (or another signal) to QEMU's pid.
pub(crate) fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid)
        && pid > 0
    {
        // SAFETY: kill(2) on the pid of our domain's QEMU, checked when it was
        // started or adopted.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// True if `vm` restarts instead of stopping when the guest powers off.
/// The QEMU monitor of `vm` while it runs; libvirt's "domain is not running" otherwise.
pub(crate) fn running_monitor(vm: &Vm) -> rvirt_core::Result<Monitor> {
    vm.run
        .as_ref()
        .map(|r| r.mon.clone())
        .ok_or_else(rvirt_core::objects::not_running)
}

pub(crate) fn restarts_on_poweroff(vm: &Vm) -> bool {
    vm.def.on_poweroff == Some(LifecycleAction::Restart)
}

/// Rewrites the live status file if the state changed since it was last written
/// (libvirt's `qemuDomainSaveStatus`). Temp file + rename: a reader (a driver instance
/// reconnecting after a crash) sees the old or the new file, never half.
pub(crate) fn save_status(vm: &mut Vm) {
    let state = vm.state;
    let id = vm.id();
    let Some(run) = vm.run.as_ref() else {
        return;
    };
    if run.saved == Some(state) {
        return;
    }
    let mut def = vm.def.clone();
    def.id = id;
    let status = DomainStatus {
        state,
        pid: run.pid,
        monitor: run.monitor_path.clone(),
        lib_dir: run.priv_dir.clone(),
        agent_timeout: run.agent_timeout,
        domain_xml: def.to_xml().unwrap_or_default(),
    };
    let written = write_replace(
        &run.status,
        status.to_xml().as_bytes(),
        Durability::RenameOnly,
        ErrorDomain::Qemu,
    );
    if written.is_ok()
        && let Some(run) = vm.run.as_mut()
    {
        run.saved = Some(state);
    }
}

/// Applies what the monitor produced to `vm` (locked, on the loop thread): events
/// change the state and queue domain events; the replies of a fake reboot finish it.
pub(crate) fn apply_messages(vm: &mut Vm, messages: Vec<Message>, ev: &mut Events) {
    for msg in messages {
        match msg {
            Message::Event { event, .. } => apply_event(vm, &event, ev),
            Message::Return { id: Some(id), .. } => reboot_reply(vm, &id, true, ev),
            Message::Error { id: Some(id), .. } => reboot_reply(vm, &id, false, ev),
            _ => {}
        }
    }
    let pending = vm
        .run
        .as_mut()
        .is_some_and(|r| std::mem::take(&mut r.reboot_pending));
    if pending {
        start_fake_reboot(vm);
    }
}

fn apply_event(vm: &mut Vm, event: &QmpEvent, ev: &mut Events) {
    let Some(run) = vm.run.as_ref() else {
        return;
    };
    let before = vm.state;
    let out = map_event(event, before, &run.ctx, &run.devices);
    let (pid, fake_reboot) = (run.pid, run.ctx.fake_reboot);
    let guest_reset = out.events.contains(&DomainEvent::Reboot);
    vm.state = out.state;
    ev.extend(out.events.into_iter().map(|e| vm.event(e)));
    super::guest_agent::apply_event(vm, event);
    match event {
        QmpEvent::BalloonChange { actual } => {
            super::configuration::apply_balloon_change(vm, *actual)
        }
        QmpEvent::DeviceDeleted {
            device: Some(alias),
            ..
        } => super::configuration::apply_device_deleted(vm, alias),
        _ => {}
    }
    if guest_reset {
        destroy_if_reboots_destroy(vm);
    }
    if !matches!(event, QmpEvent::Shutdown { .. }) {
        return;
    }
    if let Some(run) = vm.run.as_mut() {
        run.ctx.shutdown_seen = true;
        if fake_reboot && !is_inactive(before) {
            // After the rest of this batch (the STOP that follows belongs to it).
            run.reboot_pending = true;
            return;
        }
    }
    if matches!(vm.state, StateReason::Shutdown(_)) && !matches!(before, StateReason::Shutdown(_)) {
        // libvirt's qemuProcessShutdownOrReboot: SIGTERM without waiting; the monitor
        // EOF that follows finishes the stop.
        signal(pid, libc::SIGTERM);
    }
}

/// libvirt's reset handling: with `<on_reboot>` `destroy` or `preserve` (QEMU runs
/// with `-no-shutdown` because another action restarts, so it reset the machine) the
/// run ends as if destroyed — SIGTERM now, and the monitor EOF that follows records
/// SHUTOFF/DESTROYED with a STOPPED/DESTROYED event.
fn destroy_if_reboots_destroy(vm: &mut Vm) {
    if !matches!(
        vm.def.on_reboot,
        Some(LifecycleAction::Destroy | LifecycleAction::Preserve)
    ) {
        return;
    }
    let name = vm.name().to_string();
    let Some(run) = vm.run.as_mut().filter(|r| r.ctx.driver_stop.is_none()) else {
        return;
    };
    run.ctx.driver_stop = Some((ShutoffReason::Destroyed, StoppedDetail::Destroyed));
    rvirt_core::log::info(
        ErrorDomain::Qemu,
        format_args!("domain '{name}' reset by its guest: destroyed (on_reboot)"),
    );
    signal(run.pid, libc::SIGTERM);
}

/// The guest powered off during a reboot request (or with `on_poweroff=restart`):
/// reset the machine and let it run again instead of stopping QEMU (libvirt's fake
/// reboot). The commands go out now; their replies finish it ([`reboot_reply`]).
fn start_fake_reboot(vm: &mut Vm) {
    let restart_always = restarts_on_poweroff(vm);
    let Some(run) = vm.run.as_mut() else {
        return;
    };
    run.ctx.fake_reboot = restart_always;
    let sent = run
        .mon
        .send("system_reset", None)
        .and_then(|reset| Ok((reset, run.mon.send("cont", None)?)));
    match sent {
        Ok((reset, cont)) => run.reboot_cmds = Some(RebootCmds { reset, cont }),
        Err(_) => fail_fake_reboot(vm),
    }
}

/// A reply from the monitor that nobody waited for: the fake reboot's.
fn reboot_reply(vm: &mut Vm, id: &str, ok: bool, ev: &mut Events) {
    let Some(run) = vm.run.as_mut() else {
        return;
    };
    let Some(cmds) = run.reboot_cmds.clone() else {
        return;
    };
    if id == cmds.reset && !ok {
        run.reboot_cmds = None;
        fail_fake_reboot(vm);
    } else if id == cmds.cont {
        run.reboot_cmds = None;
        run.ctx.shutdown_seen = false;
        if ok {
            vm.state = StateReason::Running(RunningReason::Booted);
            ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Resumed(
                ResumedDetail::Unpaused,
            ))));
            rvirt_core::log::info(
                ErrorDomain::Qemu,
                format_args!(
                    "domain '{}' rebooted: reset after the guest powered off",
                    vm.name()
                ),
            );
        } else {
            fail_fake_reboot(vm);
        }
    }
}

/// The reset failed: finish as a shutdown (SIGTERM; the monitor EOF stops the domain).
fn fail_fake_reboot(vm: &mut Vm) {
    vm.state = StateReason::Shutdown(ShutdownReason::Unknown);
    if let Some(run) = vm.run.as_ref() {
        signal(run.pid, libc::SIGTERM);
    }
}

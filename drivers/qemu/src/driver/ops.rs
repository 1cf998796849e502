//! Operations on a running domain: destroy, and those that are monitor commands
//! (shutdown, reboot, suspend, resume). Each holds the domain's job, never holds the
//! domain's lock while it waits for QEMU, and never reads the monitor: the loop does
//! ([`super::monitor`]).

use std::sync::Arc;
use std::time::Duration;

use rvirt_core::api::{
    PausedReason, ResumedDetail, RunningReason, ShutoffReason, StateReason, StoppedDetail,
    SuspendedDetail,
};
use rvirt_core::objects::{Events, Job};
use rvirt_core::{DomainEvent, Lifecycle, Result};

use super::instance::{Entry, Shared, not_running, shutoff, split_run};
use super::monitor::Monitor;
use super::running::{Running, Vm, restarts_on_poweroff, save_status, signal};
use super::start::MONITOR_TIMEOUT;

/// How long QEMU gets to exit after SIGTERM before SIGKILL (libvirt: 10 s).
const KILL_GRACE: Duration = Duration::from_secs(10);

pub(crate) fn running(vm: &mut Vm) -> Result<&mut Running> {
    vm.run.as_mut().ok_or_else(not_running)
}

impl Shared {
    /// `virDomainDestroy`: SIGTERM, SIGKILL after [`KILL_GRACE`]; STOPPED/DESTROYED.
    /// The monitor is closed first (the loop stops watching it) and the domain is
    /// unlocked while QEMU exits.
    pub(crate) fn destroy(self: &Arc<Self>, entry: &Entry) -> Result<()> {
        let job = entry.begin_job("virDomainDestroy")?;
        let stopped = (ShutoffReason::Destroyed, StoppedDetail::Destroyed);
        self.terminate(entry, job, stopped, |_| {})
    }

    /// Ends the run of the domain whose job `job` is: SIGTERM to its QEMU, SIGKILL
    /// after [`KILL_GRACE`], the domain recorded shut off for `reason` (and a
    /// STOPPED/`detail` event), `also` applied under the same lock; then the job ends and a transient
    /// domain is forgotten. The domain is unlocked while QEMU exits.
    pub(crate) fn terminate(
        self: &Arc<Self>,
        entry: &Entry,
        job: Job<'_, Running>,
        stopped: (ShutoffReason, StoppedDetail),
        also: impl FnOnce(&mut Vm),
    ) -> Result<()> {
        self.stop_in_job(&job, stopped, also)?;
        drop(job);
        self.domains.fanout.flush();
        self.forget_if_transient(entry);
        Ok(())
    }

    /// [`Self::terminate`]'s stop, keeping the job (and a transient domain) for what
    /// the caller does next (a snapshot revert starts it again); the events are queued,
    /// not flushed.
    pub(crate) fn stop_in_job(
        self: &Arc<Self>,
        job: &Job<'_, Running>,
        (reason, detail): (ShutoffReason, StoppedDetail),
        also: impl FnOnce(&mut Vm),
    ) -> Result<()> {
        let (mut proc, files) = {
            let mut vm = job.lock();
            let run = vm.run.take().ok_or_else(not_running)?;
            signal(run.pid, libc::SIGTERM);
            split_run(run)
        };
        if !matches!(proc.wait_timeout(KILL_GRACE), Ok(Some(_))) {
            let _ = proc.kill();
        }
        let mut vm = job.lock();
        let mut ev = Events::new();
        self.finish_stop(
            &mut vm,
            files,
            shutoff(reason),
            vec![DomainEvent::Lifecycle(Lifecycle::Stopped(detail))],
            &mut ev,
        );
        also(&mut vm);
        self.domains.fanout.queue(ev);
        Ok(())
    }

    /// Takes the job, checks and prepares the domain under its lock (`prepare` returns
    /// false when there is nothing to do), sends `command` and waits for its reply
    /// unlocked, then finishes under the lock (`finish`, also on failure).
    fn monitor_op(
        &self,
        entry: &Entry,
        api: &'static str,
        command: &str,
        prepare: impl FnOnce(&mut Vm) -> Result<bool>,
        finish: impl FnOnce(&mut Vm, &Result<()>, &mut Events),
    ) -> Result<()> {
        self.monitor_op_with(entry, api, command, None, prepare, finish)
    }

    /// [`Self::monitor_op`] for a command with arguments.
    pub(crate) fn monitor_op_with(
        &self,
        entry: &Entry,
        api: &'static str,
        command: &str,
        args: Option<serde_json::Value>,
        prepare: impl FnOnce(&mut Vm) -> Result<bool>,
        finish: impl FnOnce(&mut Vm, &Result<()>, &mut Events),
    ) -> Result<()> {
        // Pausing or resuming a guest whose migration runs is allowed, as libvirt
        // allows it (OpenStack pauses a guest to make its migration converge).
        let _job = match api {
            "virDomainSuspend" | "virDomainResume" => {
                entry.begin_job_beside(api, super::migration::PERFORM_JOB)?
            }
            _ => Some(entry.begin_job(api)?),
        };
        let mon: Monitor = {
            let mut vm = entry.lock();
            if !prepare(&mut vm)? {
                return Ok(());
            }
            running(&mut vm)?.mon.clone()
        };
        let result = mon.call(command, args, MONITOR_TIMEOUT).map(|_| ());
        let mut vm = entry.lock();
        let mut ev = Events::new();
        finish(&mut vm, &result, &mut ev);
        save_status(&mut vm);
        self.domains.fanout.queue(ev);
        drop(vm);
        self.domains.fanout.flush();
        result
    }

    /// `virDomainShutdown`: the ACPI power button; the guest decides.
    pub(crate) fn shutdown(&self, entry: &Entry) -> Result<()> {
        self.monitor_op(
            entry,
            "virDomainShutdown",
            "system_powerdown",
            |vm| running(vm).map(|_| true),
            |_, _, _| {},
        )
    }

    /// `virDomainReboot`: the ACPI power button, then libvirt's fake reboot when the
    /// guest powers off (reset and run again instead of stopping QEMU).
    pub(crate) fn reboot(&self, entry: &Entry) -> Result<()> {
        self.monitor_op(
            entry,
            "virDomainReboot",
            "system_powerdown",
            |vm| {
                if !matches!(vm.state, StateReason::Running(_)) {
                    return Err(not_running());
                }
                running(vm)?.ctx.fake_reboot = true;
                Ok(true)
            },
            |vm, result, _| {
                let restart = restarts_on_poweroff(vm);
                if result.is_err()
                    && let Some(run) = vm.run.as_mut()
                {
                    run.ctx.fake_reboot = restart;
                }
            },
        )
    }

    /// `virDomainSuspend`: `stop`; SUSPENDED/PAUSED (from the STOP event, or here if
    /// it has not arrived yet).
    pub(crate) fn suspend(&self, entry: &Entry) -> Result<()> {
        self.monitor_op(
            entry,
            "virDomainSuspend",
            "stop",
            |vm| {
                match vm.state {
                    StateReason::Paused(_) if vm.run.is_some() => return Ok(false),
                    StateReason::Running(_) => {}
                    _ => return Err(not_running()),
                }
                running(vm)?.ctx.pause_reason = Some(PausedReason::User);
                Ok(true)
            },
            |vm, result, ev| {
                if let Some(run) = vm.run.as_mut() {
                    run.ctx.pause_reason = None;
                }
                if result.is_ok() && matches!(vm.state, StateReason::Running(_)) {
                    vm.state = StateReason::Paused(PausedReason::User);
                    ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Suspended(
                        SuspendedDetail::Paused,
                    ))));
                }
            },
        )
    }

    /// `virDomainPMWakeup`: `system_wakeup`. The state changes when QEMU's `WAKEUP`
    /// event arrives (PMWAKEUP, then STARTED/WAKEUP).
    pub(crate) fn pm_wakeup(&self, entry: &Entry) -> Result<()> {
        self.monitor_op(
            entry,
            "virDomainPMWakeup",
            "system_wakeup",
            |vm| running(vm).map(|_| true),
            |_, _, _| {},
        )
    }

    /// `virDomainResume`: `cont`; RESUMED/UNPAUSED.
    pub(crate) fn resume(&self, entry: &Entry) -> Result<()> {
        self.monitor_op(
            entry,
            "virDomainResume",
            "cont",
            |vm| {
                match vm.state {
                    StateReason::Running(_) if vm.run.is_some() => return Ok(false),
                    StateReason::Paused(_) => {}
                    _ => return Err(not_running()),
                }
                running(vm)?.ctx.resume_reason = Some(RunningReason::Unpaused);
                Ok(true)
            },
            |vm, result, ev| {
                if let Some(run) = vm.run.as_mut() {
                    run.ctx.resume_reason = None;
                }
                if result.is_ok() && matches!(vm.state, StateReason::Paused(_)) {
                    vm.state = StateReason::Running(RunningReason::Unpaused);
                    ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Resumed(
                        ResumedDetail::Unpaused,
                    ))));
                }
            },
        )
    }
}

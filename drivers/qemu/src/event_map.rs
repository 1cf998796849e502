//! How QMP events and monitor end-of-file change a domain's state, and which libvirt
//! domain events they raise (libvirt's `qemuProcessHandle*` handlers).
//!
//! [`map_event`] and [`map_monitor_eof`] are pure: they take the current state and
//! what the driver knows about in-flight operations ([`MapContext`]) and return the new
//! state plus the events to queue. Side effects libvirt performs afterwards (SIGTERM
//! after `SHUTDOWN`, `<on_crash>` actions, core dumps, status XML saves) are the
//! caller's job.

use rvirt_core::api::{
    CrashedDetail, CrashedReason, IoErrorAction, PausedReason, PmSuspendedDetail, ResumedDetail,
    RunningReason, ShutdownDetail, ShutdownReason, ShutoffReason, StartedDetail, StateReason,
    StoppedDetail, SuspendedDetail, WatchdogAction,
};
use rvirt_core::{DomainEvent, Lifecycle};

use crate::qmp::QmpEvent;

mod devices;

pub use devices::{AGENT_CHANNEL, Devices, agent_channel, channels_of};

/// What the driver knows about operations in flight when an event arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MapContext {
    /// The domain is being started (between spawn and the end of `cont`): `RESUME`
    /// completes the boot (STARTED/BOOTED) and `RESET` is libvirt's own.
    pub starting: bool,
    /// The domain is being destroyed: monitor EOF is expected and ignored.
    pub being_destroyed: bool,
    /// A fake reboot is pending or `<on_poweroff>` is `restart`: `SHUTDOWN` is not a
    /// shutdown (the caller will `system_reset` + `cont`).
    pub fake_reboot: bool,
    /// The guest powered off (`SHUTDOWN` arrived): the `STOP` QEMU (`-no-shutdown`)
    /// sends next is part of the shutdown, not a suspend.
    pub shutdown_seen: bool,
    /// Why the driver itself paused the guest (USER for `suspend`, SAVE, DUMP,
    /// MIGRATION, …). `None` means QEMU paused on its own: reason UNKNOWN.
    pub pause_reason: Option<PausedReason>,
    /// Why the driver itself resumed the guest; `None` means UNPAUSED.
    pub resume_reason: Option<RunningReason>,
    /// The driver ended the run itself for a lifecycle action (`<on_reboot>destroy`):
    /// monitor EOF records this shut-off reason and STOPPED detail.
    pub driver_stop: Option<(ShutoffReason, StoppedDetail)>,
}

/// The result of mapping one monitor happening.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The domain state afterwards (the input state when nothing changed).
    pub state: StateReason,
    /// Events to queue, in order.
    pub events: Vec<DomainEvent>,
}

impl Outcome {
    fn unchanged(state: StateReason) -> Outcome {
        Outcome {
            state,
            events: Vec::new(),
        }
    }

    fn new(state: StateReason, events: Vec<DomainEvent>) -> Outcome {
        Outcome { state, events }
    }

    /// True when the state differs from `before`.
    pub fn changed(&self, before: StateReason) -> bool {
        self.state != before
    }
}

fn is_running(s: StateReason) -> bool {
    matches!(s, StateReason::Running(_))
}

pub(crate) fn is_inactive(s: StateReason) -> bool {
    matches!(s, StateReason::Shutoff(_) | StateReason::NoState)
}

fn lifecycle(l: Lifecycle) -> DomainEvent {
    DomainEvent::Lifecycle(l)
}

/// libvirt's `qemuDomainPausedReasonToSuspendedEvent`.
pub fn suspended_detail(reason: PausedReason) -> SuspendedDetail {
    match reason {
        PausedReason::Migration => SuspendedDetail::Migrated,
        PausedReason::FromSnapshot => SuspendedDetail::FromSnapshot,
        PausedReason::Postcopy => SuspendedDetail::Postcopy,
        PausedReason::PostcopyFailed => SuspendedDetail::PostcopyFailed,
        PausedReason::IoError => SuspendedDetail::IoError,
        PausedReason::Watchdog => SuspendedDetail::Watchdog,
        _ => SuspendedDetail::Paused,
    }
}

/// libvirt's `qemuDomainRunningReasonToResumeEvent`.
pub fn resumed_detail(reason: RunningReason) -> ResumedDetail {
    match reason {
        RunningReason::Migrated => ResumedDetail::Migrated,
        RunningReason::FromSnapshot => ResumedDetail::FromSnapshot,
        RunningReason::Postcopy => ResumedDetail::Postcopy,
        RunningReason::PostcopyFailed => ResumedDetail::PostcopyFailed,
        _ => ResumedDetail::Unpaused,
    }
}

/// The state change and events one QMP event causes, given the current state.
///
/// | QMP event | effect |
/// |---|---|
/// | `SHUTDOWN` | unless already SHUTDOWN/inactive or a fake reboot: SHUTDOWN/UNKNOWN + SHUTDOWN/GUEST·HOST·FINISHED |
/// | `STOP` | if RUNNING and no `SHUTDOWN` seen: PAUSED/(recorded reason) + SUSPENDED/(matching detail) |
/// | `RESUME` | while starting: RUNNING/BOOTED + STARTED/BOOTED; if PAUSED: RUNNING/(recorded, default UNPAUSED) + RESUMED |
/// | `RESET` | unless starting/STARTING_UP/inactive: REBOOT event |
/// | `GUEST_PANICKED` | unless inactive: CRASHED/PANICKED + CRASHED/PANICKED |
/// | `WATCHDOG` | WATCHDOG event; action `pause` while RUNNING: PAUSED/WATCHDOG + SUSPENDED/WATCHDOG |
/// | `BLOCK_IO_ERROR` | IO_ERROR event (src path left empty for the caller); action `stop` while RUNNING: PAUSED/IOERROR + SUSPENDED/IOERROR |
/// | `SUSPEND`, `SUSPEND_DISK` | PMSUSPEND·PMSUSPEND_DISK event; if RUNNING: PMSUSPENDED + PMSUSPENDED/MEMORY·DISK |
/// | `WAKEUP` | PMWAKEUP event; if PMSUSPENDED: RUNNING/WAKEUP + STARTED/WAKEUP |
/// | `RTC_CHANGE`, `BALLOON_CHANGE`, `DEVICE_DELETED` | RTC_CHANGE, BALLOON_CHANGE (KiB), DEVICE_REMOVED |
/// | device and job events | see [`Devices::events_of`] |
/// | `POWERDOWN`, others | nothing |
pub fn map_event(
    event: &QmpEvent,
    current: StateReason,
    ctx: &MapContext,
    devices: &Devices,
) -> Outcome {
    match event {
        QmpEvent::Shutdown { guest, .. } => {
            if matches!(current, StateReason::Shutdown(_))
                || is_inactive(current)
                || ctx.fake_reboot
                || ctx.driver_stop.is_some()
            {
                return Outcome::unchanged(current);
            }
            let detail = match guest {
                Some(true) => ShutdownDetail::Guest,
                Some(false) => ShutdownDetail::Host,
                None => ShutdownDetail::Finished,
            };
            Outcome::new(
                StateReason::Shutdown(ShutdownReason::Unknown),
                vec![lifecycle(Lifecycle::Shutdown(detail))],
            )
        }
        QmpEvent::Stop => {
            if !is_running(current) || ctx.shutdown_seen {
                return Outcome::unchanged(current);
            }
            let reason = ctx.pause_reason.unwrap_or(PausedReason::Unknown);
            Outcome::new(
                StateReason::Paused(reason),
                vec![lifecycle(Lifecycle::Suspended(suspended_detail(reason)))],
            )
        }
        QmpEvent::Resume => {
            let pausedish = matches!(current, StateReason::Paused(_));
            if ctx.starting && (pausedish || is_inactive(current)) {
                return Outcome::new(
                    StateReason::Running(RunningReason::Booted),
                    vec![lifecycle(Lifecycle::Started(StartedDetail::Booted))],
                );
            }
            if !pausedish {
                return Outcome::unchanged(current);
            }
            let reason = ctx.resume_reason.unwrap_or(RunningReason::Unpaused);
            Outcome::new(
                StateReason::Running(reason),
                vec![lifecycle(Lifecycle::Resumed(resumed_detail(reason)))],
            )
        }
        QmpEvent::Reset { .. } => {
            if ctx.starting
                || current == StateReason::Paused(PausedReason::StartingUp)
                || is_inactive(current)
            {
                return Outcome::unchanged(current);
            }
            Outcome::new(current, vec![DomainEvent::Reboot])
        }
        QmpEvent::GuestPanicked { .. } => {
            if is_inactive(current) {
                return Outcome::unchanged(current);
            }
            Outcome::new(
                StateReason::Crashed(CrashedReason::Panicked),
                vec![lifecycle(Lifecycle::Crashed(CrashedDetail::Panicked))],
            )
        }
        QmpEvent::Watchdog { action } => {
            let action = WatchdogAction::from_qemu(action);
            let mut out = Outcome::new(current, vec![DomainEvent::Watchdog { action }]);
            if action == WatchdogAction::Pause && is_running(current) {
                out.state = StateReason::Paused(PausedReason::Watchdog);
                out.events
                    .push(lifecycle(Lifecycle::Suspended(SuspendedDetail::Watchdog)));
            }
            out
        }
        QmpEvent::BlockIoError {
            device,
            node_name,
            action,
            nospace,
            ..
        } => {
            let action = IoErrorAction::from_qemu(action);
            let disk = devices.disk(device, node_name.as_deref());
            let alias = match disk {
                Some(d) => d.alias.clone(),
                None if device.is_empty() => node_name.clone().unwrap_or_default(),
                None => device.clone(),
            };
            let src = disk.and_then(|d| d.path.clone()).unwrap_or_default();
            let reason = if *nospace { "enospc" } else { "" };
            let mut out = Outcome::new(
                current,
                DomainEvent::io_error_pair(&src, &alias, action, reason).to_vec(),
            );
            if action == IoErrorAction::Pause && is_running(current) {
                out.state = StateReason::Paused(PausedReason::IoError);
                out.events
                    .push(lifecycle(Lifecycle::Suspended(SuspendedDetail::IoError)));
            }
            out
        }
        QmpEvent::Suspend | QmpEvent::SuspendDisk => {
            // libvirt raises the PM event whatever the state, the lifecycle one only
            // from RUNNING.
            let (pm, detail) = if matches!(event, QmpEvent::Suspend) {
                (
                    DomainEvent::PmSuspend { reason: 0 },
                    PmSuspendedDetail::Memory,
                )
            } else {
                (
                    DomainEvent::PmSuspendDisk { reason: 0 },
                    PmSuspendedDetail::Disk,
                )
            };
            if !is_running(current) {
                return Outcome::new(current, vec![pm]);
            }
            Outcome::new(
                StateReason::PmSuspended,
                vec![pm, lifecycle(Lifecycle::PmSuspended(detail))],
            )
        }
        QmpEvent::Wakeup => {
            let pm = DomainEvent::PmWakeup { reason: 0 };
            if current != StateReason::PmSuspended {
                return Outcome::new(current, vec![pm]);
            }
            Outcome::new(
                StateReason::Running(RunningReason::Wakeup),
                vec![pm, lifecycle(Lifecycle::Started(StartedDetail::Wakeup))],
            )
        }
        QmpEvent::RtcChange { offset } => Outcome::new(
            current,
            vec![DomainEvent::RtcChange {
                utc_offset: *offset,
            }],
        ),
        QmpEvent::BalloonChange { actual } => Outcome::new(
            current,
            vec![DomainEvent::BalloonChange {
                actual_kib: actual / 1024,
            }],
        ),
        QmpEvent::DeviceDeleted {
            device: Some(alias),
            ..
        } => Outcome::new(
            current,
            vec![DomainEvent::DeviceRemoved {
                alias: alias.clone(),
            }],
        ),
        other => Outcome::new(current, devices.events_of(other)),
    }
}

/// The state change and events when the monitor socket reaches end-of-file.
///
/// Ignored while destroying or when already inactive. After a `SHUTDOWN` (state
/// SHUTDOWN) it is a clean stop: SHUTOFF/SHUTDOWN + STOPPED/SHUTDOWN. Otherwise QEMU
/// died unexpectedly: SHUTOFF/CRASHED + STOPPED/FAILED.
pub fn map_monitor_eof(current: StateReason, ctx: &MapContext) -> Outcome {
    if ctx.being_destroyed || is_inactive(current) {
        return Outcome::unchanged(current);
    }
    if let Some((reason, detail)) = ctx.driver_stop {
        return Outcome::new(
            StateReason::Shutoff(reason),
            vec![lifecycle(Lifecycle::Stopped(detail))],
        );
    }
    if matches!(current, StateReason::Shutdown(_)) {
        Outcome::new(
            StateReason::Shutoff(ShutoffReason::Shutdown),
            vec![lifecycle(Lifecycle::Stopped(StoppedDetail::Shutdown))],
        )
    } else {
        Outcome::new(
            StateReason::Shutoff(ShutoffReason::Crashed),
            vec![lifecycle(Lifecycle::Stopped(StoppedDetail::Failed))],
        )
    }
}

#[cfg(test)]
mod tests;

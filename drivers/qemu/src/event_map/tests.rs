//! Table-driven tests of the QMP event → state/event mapping.

use super::*;

const RUNNING: StateReason = StateReason::Running(RunningReason::Booted);
const PAUSED_USER: StateReason = StateReason::Paused(PausedReason::User);
const STARTING: StateReason = StateReason::Paused(PausedReason::StartingUp);
const SHUTDOWN: StateReason = StateReason::Shutdown(ShutdownReason::Unknown);
const SHUTOFF: StateReason = StateReason::Shutoff(ShutoffReason::Shutdown);

fn lc(l: Lifecycle) -> DomainEvent {
    DomainEvent::Lifecycle(l)
}

fn shutdown(guest: Option<bool>) -> QmpEvent {
    QmpEvent::Shutdown {
        guest,
        reason: None,
    }
}

/// (what, event, state before, context, state after, events).
type Row = (
    &'static str,
    QmpEvent,
    StateReason,
    MapContext,
    StateReason,
    Vec<DomainEvent>,
);

#[test]
fn event_table() {
    let none = MapContext::default();
    let starting = MapContext {
        starting: true,
        ..MapContext::default()
    };
    let user_pause = MapContext {
        pause_reason: Some(PausedReason::User),
        ..MapContext::default()
    };
    let migrating = MapContext {
        pause_reason: Some(PausedReason::Migration),
        resume_reason: Some(RunningReason::Migrated),
        ..MapContext::default()
    };
    let fake_reboot = MapContext {
        fake_reboot: true,
        ..MapContext::default()
    };
    #[rustfmt::skip]
    let table: Vec<Row> = vec![
        ("shutdown guest", shutdown(Some(true)), RUNNING, none, SHUTDOWN,
            vec![lc(Lifecycle::Shutdown(ShutdownDetail::Guest))]),
        ("shutdown host", shutdown(Some(false)), RUNNING, none, SHUTDOWN,
            vec![lc(Lifecycle::Shutdown(ShutdownDetail::Host))]),
        ("shutdown no field", shutdown(None), PAUSED_USER, none, SHUTDOWN,
            vec![lc(Lifecycle::Shutdown(ShutdownDetail::Finished))]),
        ("shutdown twice", shutdown(Some(true)), SHUTDOWN, none, SHUTDOWN, vec![]),
        ("shutdown inactive", shutdown(Some(true)), SHUTOFF, none, SHUTOFF, vec![]),
        ("shutdown fake reboot", shutdown(Some(true)), RUNNING, fake_reboot, RUNNING, vec![]),
        ("stop unknown", QmpEvent::Stop, RUNNING, none, StateReason::Paused(PausedReason::Unknown),
            vec![lc(Lifecycle::Suspended(SuspendedDetail::Paused))]),
        ("stop user", QmpEvent::Stop, RUNNING, user_pause, PAUSED_USER,
            vec![lc(Lifecycle::Suspended(SuspendedDetail::Paused))]),
        ("stop migration", QmpEvent::Stop, RUNNING, migrating, StateReason::Paused(PausedReason::Migration),
            vec![lc(Lifecycle::Suspended(SuspendedDetail::Migrated))]),
        ("stop after shutdown (-no-shutdown)", QmpEvent::Stop, SHUTDOWN, none, SHUTDOWN, vec![]),
        ("stop already paused", QmpEvent::Stop, PAUSED_USER, none, PAUSED_USER, vec![]),
        ("resume at start", QmpEvent::Resume, STARTING, starting, RUNNING,
            vec![lc(Lifecycle::Started(StartedDetail::Booted))]),
        ("resume paused", QmpEvent::Resume, PAUSED_USER, none, StateReason::Running(RunningReason::Unpaused),
            vec![lc(Lifecycle::Resumed(ResumedDetail::Unpaused))]),
        ("resume migrated", QmpEvent::Resume, PAUSED_USER, migrating, StateReason::Running(RunningReason::Migrated),
            vec![lc(Lifecycle::Resumed(ResumedDetail::Migrated))]),
        ("resume running", QmpEvent::Resume, RUNNING, none, RUNNING, vec![]),
        ("reset running", QmpEvent::Reset { guest: Some(true) }, RUNNING, none, RUNNING,
            vec![DomainEvent::Reboot]),
        ("reset paused by user", QmpEvent::Reset { guest: Some(false) }, PAUSED_USER, none, PAUSED_USER,
            vec![DomainEvent::Reboot]),
        ("reset starting up", QmpEvent::Reset { guest: Some(false) }, STARTING, none, STARTING, vec![]),
        ("reset during start", QmpEvent::Reset { guest: Some(false) }, STARTING, starting, STARTING, vec![]),
        ("powerdown", QmpEvent::Powerdown, RUNNING, none, RUNNING, vec![]),
        ("panic", QmpEvent::GuestPanicked { action: Some("pause".into()) }, RUNNING, none,
            StateReason::Crashed(CrashedReason::Panicked),
            vec![lc(Lifecycle::Crashed(CrashedDetail::Panicked))]),
        ("watchdog pause", QmpEvent::Watchdog { action: "pause".into() }, RUNNING, none,
            StateReason::Paused(PausedReason::Watchdog),
            vec![DomainEvent::Watchdog { action: watchdog_action::PAUSE },
                 lc(Lifecycle::Suspended(SuspendedDetail::Watchdog))]),
        ("watchdog reset", QmpEvent::Watchdog { action: "reset".into() }, RUNNING, none, RUNNING,
            vec![DomainEvent::Watchdog { action: watchdog_action::RESET }]),
        ("io error stop", QmpEvent::BlockIoError { device: String::new(), node_name: Some("libvirt-1-format".into()),
            operation: "write".into(), action: "stop".into(), nospace: true, reason: None }, RUNNING, none,
            StateReason::Paused(PausedReason::IoError),
            vec![DomainEvent::IoError { src_path: String::new(), dev_alias: "libvirt-1-format".into(),
                 action: io_error_action::PAUSE, reason: "enospc".into() },
                 lc(Lifecycle::Suspended(SuspendedDetail::IoError))]),
        ("io error report", QmpEvent::BlockIoError { device: "drive0".into(), node_name: None,
            operation: "read".into(), action: "report".into(), nospace: false, reason: None }, RUNNING, none,
            RUNNING,
            vec![DomainEvent::IoError { src_path: String::new(), dev_alias: "drive0".into(),
                 action: io_error_action::REPORT, reason: String::new() }]),
        ("s3", QmpEvent::Suspend, RUNNING, none, StateReason::PmSuspended,
            vec![lc(Lifecycle::PmSuspended(PmSuspendedDetail::Memory))]),
        ("s4", QmpEvent::SuspendDisk, RUNNING, none, StateReason::PmSuspended,
            vec![lc(Lifecycle::PmSuspended(PmSuspendedDetail::Disk))]),
        ("s3 while paused", QmpEvent::Suspend, PAUSED_USER, none, PAUSED_USER, vec![]),
        ("wakeup", QmpEvent::Wakeup, StateReason::PmSuspended, none, StateReason::Running(RunningReason::Wakeup),
            vec![lc(Lifecycle::Started(StartedDetail::Wakeup))]),
        ("wakeup running", QmpEvent::Wakeup, RUNNING, none, RUNNING, vec![]),
        ("rtc", QmpEvent::RtcChange { offset: 42 }, RUNNING, none, RUNNING,
            vec![DomainEvent::RtcChange { utc_offset: 42 }]),
        ("balloon", QmpEvent::BalloonChange { actual: 512 << 20 }, RUNNING, none, RUNNING,
            vec![DomainEvent::BalloonChange { actual_kib: 512 << 10 }]),
        ("device deleted", QmpEvent::DeviceDeleted { device: Some("virtio-disk1".into()), path: "/p".into() },
            RUNNING, none, RUNNING, vec![DomainEvent::DeviceRemoved { alias: "virtio-disk1".into() }]),
        ("device deleted no id", QmpEvent::DeviceDeleted { device: None, path: "/p".into() },
            RUNNING, none, RUNNING, vec![]),
        ("other", QmpEvent::Other { name: "NIC_RX_FILTER_CHANGED".into(), data: serde_json::Value::Null },
            RUNNING, none, RUNNING, vec![]),
    ];
    for (what, ev, before, ctx, want_state, want_events) in table {
        let out = map_event(&ev, before, &ctx);
        assert_eq!(out.state, want_state, "{what}: state");
        assert_eq!(out.events, want_events, "{what}: events");
        assert_eq!(out.changed(before), want_state != before, "{what}: changed");
    }
}

#[test]
fn monitor_eof_table() {
    let none = MapContext::default();
    let destroying = MapContext {
        being_destroyed: true,
        ..MapContext::default()
    };
    #[rustfmt::skip]
    let table = [
        ("eof after shutdown", SHUTDOWN, none, SHUTOFF,
            vec![lc(Lifecycle::Stopped(StoppedDetail::Shutdown))]),
        ("eof while running", RUNNING, none, StateReason::Shutoff(ShutoffReason::Crashed),
            vec![lc(Lifecycle::Stopped(StoppedDetail::Failed))]),
        ("eof while paused", PAUSED_USER, none, StateReason::Shutoff(ShutoffReason::Crashed),
            vec![lc(Lifecycle::Stopped(StoppedDetail::Failed))]),
        ("eof while destroying", RUNNING, destroying, RUNNING, vec![]),
        ("eof when inactive", SHUTOFF, none, SHUTOFF, vec![]),
    ];
    for (what, before, ctx, want_state, want_events) in table {
        let out = map_monitor_eof(before, &ctx);
        assert_eq!(out.state, want_state, "{what}");
        assert_eq!(out.events, want_events, "{what}");
    }
}

#[test]
fn guest_poweroff_sequence() {
    // What the real boot test observes: RESUME (start) → SHUTDOWN → STOP → EOF.
    let mut ctx = MapContext {
        starting: true,
        ..MapContext::default()
    };
    let mut state = STARTING;
    let mut events = Vec::new();
    for ev in [QmpEvent::Resume, shutdown(Some(true)), QmpEvent::Stop] {
        let out = map_event(&ev, state, &ctx);
        ctx.starting = false;
        state = out.state;
        events.extend(out.events);
    }
    let out = map_monitor_eof(state, &ctx);
    events.extend(out.events);
    assert_eq!(out.state, SHUTOFF);
    assert_eq!(
        events,
        vec![
            lc(Lifecycle::Started(StartedDetail::Booted)),
            lc(Lifecycle::Shutdown(ShutdownDetail::Guest)),
            lc(Lifecycle::Stopped(StoppedDetail::Shutdown)),
        ]
    );
}

//! Table-driven tests of the QMP event → state/event mapping.

use super::*;
use crate::command_line::DiskNames;
use rvirt_core::api::*;

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

/// One virtio disk with a file source, as the command line names it.
fn devices() -> Devices {
    Devices {
        disks: vec![DiskNames {
            target: "vda".into(),
            alias: "virtio-disk0".into(),
            node: Some("libvirt-1-format".into()),
            path: Some("/img/a.qcow2".into()),
        }],
        agent_port: Some("channel0".into()),
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
            vec![DomainEvent::Watchdog { action: WatchdogAction::Pause },
                 lc(Lifecycle::Suspended(SuspendedDetail::Watchdog))]),
        ("watchdog reset", QmpEvent::Watchdog { action: "reset".into() }, RUNNING, none, RUNNING,
            vec![DomainEvent::Watchdog { action: WatchdogAction::Reset }]),
        ("io error stop", QmpEvent::BlockIoError { device: String::new(), node_name: Some("libvirt-1-format".into()),
            operation: "write".into(), action: "stop".into(), nospace: true, reason: None }, RUNNING, none,
            StateReason::Paused(PausedReason::IoError),
            vec![DomainEvent::IoError { src_path: "/img/a.qcow2".into(), dev_alias: "virtio-disk0".into(),
                    action: IoErrorAction::Pause },
                 DomainEvent::IoErrorReason { src_path: "/img/a.qcow2".into(), dev_alias: "virtio-disk0".into(),
                    action: IoErrorAction::Pause, reason: "enospc".into() },
                 lc(Lifecycle::Suspended(SuspendedDetail::IoError))]),
        ("io error report", QmpEvent::BlockIoError { device: "drive0".into(), node_name: None,
            operation: "read".into(), action: "report".into(), nospace: false, reason: None }, RUNNING, none,
            RUNNING,
            DomainEvent::io_error_pair("", "drive0", IoErrorAction::Report, "").to_vec()),
        ("s3", QmpEvent::Suspend, RUNNING, none, StateReason::PmSuspended,
            vec![DomainEvent::PmSuspend { reason: 0 }, lc(Lifecycle::PmSuspended(PmSuspendedDetail::Memory))]),
        ("s4", QmpEvent::SuspendDisk, RUNNING, none, StateReason::PmSuspended,
            vec![DomainEvent::PmSuspendDisk { reason: 0 }, lc(Lifecycle::PmSuspended(PmSuspendedDetail::Disk))]),
        ("s3 while paused", QmpEvent::Suspend, PAUSED_USER, none, PAUSED_USER,
            vec![DomainEvent::PmSuspend { reason: 0 }]),
        ("wakeup", QmpEvent::Wakeup, StateReason::PmSuspended, none, StateReason::Running(RunningReason::Wakeup),
            vec![DomainEvent::PmWakeup { reason: 0 }, lc(Lifecycle::Started(StartedDetail::Wakeup))]),
        ("wakeup running", QmpEvent::Wakeup, RUNNING, none, RUNNING, vec![DomainEvent::PmWakeup { reason: 0 }]),
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
        let out = map_event(&ev, before, &ctx, &devices());
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
        let out = map_event(&ev, state, &ctx, &Devices::default());
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

#[test]
fn device_job_and_graphics_events() {
    use serde_json::json;
    let d = devices();
    let qmp = |name: &str, data: serde_json::Value| QmpEvent::parse(name, &data);
    #[rustfmt::skip]
    let table: Vec<(QmpEvent, Vec<DomainEvent>)> = vec![
        (qmp("DEVICE_TRAY_MOVED", json!({"device": "", "id": "ide0-1-0", "tray-open": true})),
            vec![DomainEvent::TrayChange { dev_alias: "ide0-1-0".into(), reason: TrayChangeReason::Open }]),
        (qmp("DEVICE_TRAY_MOVED", json!({"device": "drive-virtio-disk0", "tray-open": false})),
            vec![DomainEvent::TrayChange { dev_alias: "virtio-disk0".into(), reason: TrayChangeReason::Close }]),
        (qmp("VSERPORT_CHANGE", json!({"id": "channel0", "open": true})),
            vec![DomainEvent::AgentLifecycle { state: AgentLifecycleState::Connected,
                reason: AgentLifecycleReason::Channel }]),
        (qmp("VSERPORT_CHANGE", json!({"id": "channel1", "open": true})), vec![]),
        (qmp("DEVICE_UNPLUG_GUEST_ERROR", json!({"device": "net1", "path": "/machine/peripheral/net1"})),
            vec![DomainEvent::DeviceRemovalFailed { alias: "net1".into() }]),
        (qmp("MIGRATION_PASS", json!({"pass": 4})), vec![DomainEvent::MigrationIteration { iteration: 4 }]),
        (qmp("BLOCK_WRITE_THRESHOLD", json!({"node-name": "libvirt-1-format", "amount-exceeded": 512,
                                              "write-threshold": 1048576})),
            vec![DomainEvent::BlockThreshold { dev: "vda".into(), path: Some("/img/a.qcow2".into()),
                threshold: 1048576, excess: 512 }]),
        (qmp("BLOCK_JOB_COMPLETED", json!({"device": "libvirt-1-format", "type": "commit", "len": 1,
                                            "offset": 1, "speed": 0})),
            DomainEvent::block_job_pair(Some("/img/a.qcow2"), "vda", BlockJobType::Commit,
                BlockJobStatus::Completed)),
        (qmp("BLOCK_JOB_COMPLETED", json!({"device": "virtio-disk0", "type": "stream", "len": 1,
                                            "offset": 0, "speed": 0, "error": "Input/output error"})),
            DomainEvent::block_job_pair(Some("/img/a.qcow2"), "vda", BlockJobType::Pull,
                BlockJobStatus::Failed)),
        (qmp("BLOCK_JOB_READY", json!({"device": "virtio-disk0", "type": "mirror", "len": 1,
                                        "offset": 1, "speed": 0})),
            DomainEvent::block_job_pair(Some("/img/a.qcow2"), "vda", BlockJobType::Copy,
                BlockJobStatus::Ready)),
        (qmp("BLOCK_JOB_ERROR", json!({"device": "virtio-disk0", "operation": "read",
                                        "action": "report"})), vec![]),
        (qmp("BLOCK_JOB_CANCELLED", json!({"device": "nobody", "type": "mirror", "len": 1,
                                            "offset": 1, "speed": 0})), vec![]),
        (qmp("MEMORY_FAILURE", json!({"recipient": "guest", "action": "inject",
                                       "flags": {"action-required": true, "recursive": false}})),
            vec![DomainEvent::MemoryFailure { recipient: MemoryFailureRecipient::Guest,
                action: MemoryFailureAction::Inject, flags: 1 }]),
        (qmp("MEMORY_DEVICE_SIZE_CHANGE", json!({"id": "virtiomem0", "size": 1073741824,
                                                  "qom-path": "/machine/peripheral/virtiomem0"})),
            vec![DomainEvent::MemoryDeviceSizeChange { alias: "virtiomem0".into(), size_kib: 1048576 }]),
        (qmp("VNC_INITIALIZED", json!({
                "server": {"host": "127.0.0.1", "service": "5900", "family": "ipv4",
                           "websocket": false, "auth": "vnc"},
                "client": {"host": "127.0.0.1", "service": "40000", "family": "ipv4",
                           "websocket": false, "sasl_username": "alice"}})),
            vec![DomainEvent::Graphics {
                phase: GraphicsPhase::Initialize,
                local: GraphicsAddress { family: GraphicsFamily::Ipv4, node: "127.0.0.1".into(),
                    service: "5900".into() },
                remote: GraphicsAddress { family: GraphicsFamily::Ipv4, node: "127.0.0.1".into(),
                    service: "40000".into() },
                auth_scheme: "vnc".into(),
                subject: vec![GraphicsIdentity { kind: "saslUsername".into(), name: "alice".into() }],
            }]),
    ];
    for (ev, want) in table {
        assert!(!matches!(ev, QmpEvent::Other { .. }), "{ev:?} not decoded");
        let out = map_event(&ev, RUNNING, &MapContext::default(), &d);
        assert_eq!(out.state, RUNNING, "{ev:?}");
        assert_eq!(out.events, want, "{ev:?}");
    }
}

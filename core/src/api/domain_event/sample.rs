//! One representative event per id, for tests of anything that carries events
//! (wire encodings, relays, printers). Enabled by the `test-util` feature.

use crate::api::event_details::*;
use crate::api::{
    DefinedDetail, DomainEvent, DomainEventId, GraphicsAddress, GraphicsIdentity, Lifecycle,
    TypedParam, TypedValue,
};

/// An event of kind `id` whose every field is set (non-default where the type allows).
pub fn sample(id: DomainEventId) -> DomainEvent {
    use DomainEventId as Id;
    let addr = |node: &str, service: &str| GraphicsAddress {
        family: GraphicsFamily::Ipv4,
        node: node.into(),
        service: service.into(),
    };
    match id {
        Id::Lifecycle => DomainEvent::Lifecycle(Lifecycle::Defined(DefinedDetail::Updated)),
        Id::Reboot => DomainEvent::Reboot,
        Id::RtcChange => DomainEvent::RtcChange { utc_offset: -3600 },
        Id::Watchdog => DomainEvent::Watchdog {
            action: WatchdogAction::Reset,
        },
        Id::IoError => DomainEvent::IoError {
            src_path: "/var/lib/images/a.qcow2".into(),
            dev_alias: "virtio-disk0".into(),
            action: IoErrorAction::Pause,
        },
        Id::Graphics => DomainEvent::Graphics {
            phase: GraphicsPhase::Initialize,
            local: addr("127.0.0.1", "5900"),
            remote: addr("10.0.0.7", "51234"),
            auth_scheme: "vnc".into(),
            subject: vec![GraphicsIdentity {
                kind: "saslUsername".into(),
                name: "alice".into(),
            }],
        },
        Id::IoErrorReason => DomainEvent::IoErrorReason {
            src_path: "/var/lib/images/a.qcow2".into(),
            dev_alias: "virtio-disk0".into(),
            action: IoErrorAction::Report,
            reason: "enospc".into(),
        },
        Id::ControlError => DomainEvent::ControlError,
        Id::BlockJob => DomainEvent::BlockJob {
            path: "/var/lib/images/a.qcow2".into(),
            job: BlockJobType::Commit,
            status: BlockJobStatus::Completed,
        },
        Id::DiskChange => DomainEvent::DiskChange {
            old_src: Some("/isos/old.iso".into()),
            new_src: None,
            dev_alias: "sata0-0-0".into(),
            reason: DiskChangeReason::DropMissingOnStart,
        },
        Id::TrayChange => DomainEvent::TrayChange {
            dev_alias: "ide0-1-0".into(),
            reason: TrayChangeReason::Close,
        },
        Id::PmWakeup => DomainEvent::PmWakeup { reason: 0 },
        Id::PmSuspend => DomainEvent::PmSuspend { reason: 0 },
        Id::BalloonChange => DomainEvent::BalloonChange {
            actual_kib: 524_288,
        },
        Id::PmSuspendDisk => DomainEvent::PmSuspendDisk { reason: 0 },
        Id::DeviceRemoved => DomainEvent::DeviceRemoved {
            alias: "net1".into(),
        },
        Id::BlockJob2 => DomainEvent::BlockJob2 {
            disk: "vda".into(),
            job: BlockJobType::Copy,
            status: BlockJobStatus::Ready,
        },
        Id::Tunable => DomainEvent::Tunable {
            params: vec![
                TypedParam::new("cputune.vcpu_period", TypedValue::ULLong(100_000)),
                TypedParam::new("cputune.vcpupin0", TypedValue::String("0-1".into())),
            ],
        },
        Id::AgentLifecycle => DomainEvent::AgentLifecycle {
            state: AgentLifecycleState::Connected,
            reason: AgentLifecycleReason::Channel,
        },
        Id::DeviceAdded => DomainEvent::DeviceAdded {
            alias: "virtio-disk1".into(),
        },
        Id::MigrationIteration => DomainEvent::MigrationIteration { iteration: 3 },
        Id::JobCompleted => DomainEvent::JobCompleted {
            params: vec![
                TypedParam::new("operation", TypedValue::Int(1)),
                TypedParam::new("time_elapsed", TypedValue::ULLong(1234)),
            ],
        },
        Id::DeviceRemovalFailed => DomainEvent::DeviceRemovalFailed {
            alias: "hostdev0".into(),
        },
        Id::MetadataChange => DomainEvent::MetadataChange {
            kind: MetadataType::Element,
            nsuri: Some("http://example.org/app/1".into()),
        },
        Id::BlockThreshold => DomainEvent::BlockThreshold {
            dev: "vda[1]".into(),
            path: Some("/var/lib/images/base.qcow2".into()),
            threshold: 1 << 30,
            excess: 4096,
        },
        Id::MemoryFailure => DomainEvent::MemoryFailure {
            recipient: MemoryFailureRecipient::Guest,
            action: MemoryFailureAction::Inject,
            flags: 3,
        },
        Id::MemoryDeviceSizeChange => DomainEvent::MemoryDeviceSizeChange {
            alias: "virtiomem0".into(),
            size_kib: 1 << 20,
        },
    }
}

//! The fields after `dom` in each domain event body, in libvirt's order.

use rvirt_core::DomainEvent;
use rvirt_core::api::{
    AgentLifecycleReason, AgentLifecycleState, BlockJobStatus, BlockJobType, DiskChangeReason,
    DomainEventId, GraphicsAddress, GraphicsFamily, GraphicsIdentity, GraphicsPhase, IoErrorAction,
    Lifecycle, MemoryFailureAction, MemoryFailureRecipient, MetadataType, TrayChangeReason,
    TypedParam, WatchdogAction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{WireAddress, WireIdentity, to_wire_param};
use crate::typed_param::TypedParam as WireParam;

/// `REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX`.
const GRAPHICS_IDENTITY_MAX: usize = 20;
/// `REMOTE_DOMAIN_EVENT_TUNABLE_MAX`.
const TUNABLE_MAX: usize = 2048;
/// `REMOTE_DOMAIN_JOB_STATS_MAX`.
const JOB_STATS_MAX: usize = 64;

/// Decodes one value from the front of `rest` and advances past it.
pub(super) fn take<T: DeserializeOwned>(rest: &mut &[u8]) -> Option<T> {
    let (v, used) = rvirt_xdr::from_bytes_prefix::<T>(rest, rvirt_xdr::Limits::default()).ok()?;
    *rest = &rest[used..];
    Some(v)
}

/// The `reason` the callback form of a power-management event carries.
pub(super) fn pm_reason(event: &DomainEvent) -> i32 {
    match event {
        DomainEvent::PmWakeup { reason }
        | DomainEvent::PmSuspend { reason }
        | DomainEvent::PmSuspendDisk { reason } => *reason,
        _ => 0,
    }
}

fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Option<()> {
    rvirt_xdr::serialize_into(out, v).ok()
}

fn wire_address(a: &GraphicsAddress) -> WireAddress {
    WireAddress {
        family: a.family.as_raw(),
        node: a.node.clone(),
        service: a.service.clone(),
    }
}

fn params(p: &[TypedParam]) -> Vec<WireParam> {
    p.iter().map(to_wire_param).collect()
}

/// Appends the fields of `event` that follow `dom`; `None` if they break a limit.
pub(super) fn encode(event: &DomainEvent, out: &mut Vec<u8>) -> Option<()> {
    match event {
        DomainEvent::Lifecycle(l) => put(out, &(l.event_raw(), l.detail_raw())),
        DomainEvent::Reboot
        | DomainEvent::ControlError
        | DomainEvent::PmWakeup { .. }
        | DomainEvent::PmSuspend { .. }
        | DomainEvent::PmSuspendDisk { .. } => Some(()),
        DomainEvent::RtcChange { utc_offset } => put(out, utc_offset),
        DomainEvent::Watchdog { action } => put(out, &action.as_raw()),
        DomainEvent::IoError {
            src_path,
            dev_alias,
            action,
        } => put(out, &(src_path, dev_alias, action.as_raw())),
        DomainEvent::Graphics {
            phase,
            local,
            remote,
            auth_scheme,
            subject,
        } => {
            let subject: Vec<WireIdentity> = subject
                .iter()
                .map(|s| WireIdentity {
                    kind: s.kind.clone(),
                    name: s.name.clone(),
                })
                .collect();
            put(
                out,
                &(
                    phase.as_raw(),
                    wire_address(local),
                    wire_address(remote),
                    auth_scheme,
                    subject,
                ),
            )
        }
        DomainEvent::IoErrorReason {
            src_path,
            dev_alias,
            action,
            reason,
        } => put(out, &(src_path, dev_alias, action.as_raw(), reason)),
        DomainEvent::BlockJob { path, job, status } => {
            put(out, &(path, job.as_raw(), status.as_raw()))
        }
        DomainEvent::DiskChange {
            old_src,
            new_src,
            dev_alias,
            reason,
        } => put(out, &(old_src, new_src, dev_alias, reason.as_raw())),
        DomainEvent::TrayChange { dev_alias, reason } => put(out, &(dev_alias, reason.as_raw())),
        DomainEvent::BalloonChange { actual_kib } => put(out, actual_kib),
        DomainEvent::DeviceRemoved { alias }
        | DomainEvent::DeviceAdded { alias }
        | DomainEvent::DeviceRemovalFailed { alias } => put(out, alias),
        DomainEvent::BlockJob2 { disk, job, status } => {
            put(out, &(disk, job.as_raw(), status.as_raw()))
        }
        DomainEvent::Tunable { params: p } | DomainEvent::JobCompleted { params: p } => {
            put(out, &params(p))
        }
        DomainEvent::AgentLifecycle { state, reason } => {
            put(out, &(state.as_raw(), reason.as_raw()))
        }
        DomainEvent::MigrationIteration { iteration } => put(out, iteration),
        DomainEvent::MetadataChange { kind, nsuri } => put(out, &(kind.as_raw(), nsuri)),
        DomainEvent::BlockThreshold {
            dev,
            path,
            threshold,
            excess,
        } => put(out, &(dev, path, threshold, excess)),
        DomainEvent::MemoryFailure {
            recipient,
            action,
            flags,
        } => put(out, &(recipient.as_raw(), action.as_raw(), flags)),
        DomainEvent::MemoryDeviceSizeChange { alias, size_kib } => put(out, &(alias, size_kib)),
        // A kind newer than this encoder has no wire form.
        _ => None,
    }
}

fn address(a: WireAddress) -> Option<GraphicsAddress> {
    Some(GraphicsAddress {
        family: GraphicsFamily::from_raw(a.family)?,
        node: a.node,
        service: a.service,
    })
}

fn api_params(p: Vec<WireParam>, max: usize) -> Option<Vec<TypedParam>> {
    (p.len() <= max).then(|| p.into_iter().map(Into::into).collect())
}

/// Decodes the fields of an event of kind `id` that follow `dom`.
pub(super) fn decode(id: DomainEventId, pm_reason: i32, rest: &mut &[u8]) -> Option<DomainEvent> {
    use DomainEventId as Id;
    Some(match id {
        Id::Lifecycle => {
            let (event, detail) = take::<(i32, i32)>(rest)?;
            DomainEvent::Lifecycle(Lifecycle::from_raw(event, detail)?)
        }
        Id::Reboot => DomainEvent::Reboot,
        Id::RtcChange => DomainEvent::RtcChange {
            utc_offset: take(rest)?,
        },
        Id::Watchdog => DomainEvent::Watchdog {
            action: WatchdogAction::from_raw(take(rest)?)?,
        },
        Id::IoError => {
            let (src_path, dev_alias, action) = take::<(String, String, i32)>(rest)?;
            DomainEvent::IoError {
                src_path,
                dev_alias,
                action: IoErrorAction::from_raw(action)?,
            }
        }
        Id::Graphics => {
            let (phase, local, remote, auth_scheme, subject) =
                take::<(i32, WireAddress, WireAddress, String, Vec<WireIdentity>)>(rest)?;
            if subject.len() > GRAPHICS_IDENTITY_MAX {
                return None;
            }
            DomainEvent::Graphics {
                phase: GraphicsPhase::from_raw(phase)?,
                local: address(local)?,
                remote: address(remote)?,
                auth_scheme,
                subject: subject
                    .into_iter()
                    .map(|s| GraphicsIdentity {
                        kind: s.kind,
                        name: s.name,
                    })
                    .collect(),
            }
        }
        Id::IoErrorReason => {
            let (src_path, dev_alias, action, reason) =
                take::<(String, String, i32, String)>(rest)?;
            DomainEvent::IoErrorReason {
                src_path,
                dev_alias,
                action: IoErrorAction::from_raw(action)?,
                reason,
            }
        }
        Id::ControlError => DomainEvent::ControlError,
        Id::BlockJob => {
            let (path, job, status) = take::<(String, i32, i32)>(rest)?;
            DomainEvent::BlockJob {
                path,
                job: BlockJobType::from_raw(job)?,
                status: BlockJobStatus::from_raw(status)?,
            }
        }
        Id::DiskChange => {
            let (old_src, new_src, dev_alias, reason) =
                take::<(Option<String>, Option<String>, String, i32)>(rest)?;
            DomainEvent::DiskChange {
                old_src,
                new_src,
                dev_alias,
                reason: DiskChangeReason::from_raw(reason)?,
            }
        }
        Id::TrayChange => {
            let (dev_alias, reason) = take::<(String, i32)>(rest)?;
            DomainEvent::TrayChange {
                dev_alias,
                reason: TrayChangeReason::from_raw(reason)?,
            }
        }
        Id::PmWakeup => DomainEvent::PmWakeup { reason: pm_reason },
        Id::PmSuspend => DomainEvent::PmSuspend { reason: pm_reason },
        Id::PmSuspendDisk => DomainEvent::PmSuspendDisk { reason: pm_reason },
        Id::BalloonChange => DomainEvent::BalloonChange {
            actual_kib: take(rest)?,
        },
        Id::DeviceRemoved => DomainEvent::DeviceRemoved { alias: take(rest)? },
        Id::BlockJob2 => {
            let (disk, job, status) = take::<(String, i32, i32)>(rest)?;
            DomainEvent::BlockJob2 {
                disk,
                job: BlockJobType::from_raw(job)?,
                status: BlockJobStatus::from_raw(status)?,
            }
        }
        Id::Tunable => DomainEvent::Tunable {
            params: api_params(take(rest)?, TUNABLE_MAX)?,
        },
        Id::AgentLifecycle => {
            let (state, reason) = take::<(i32, i32)>(rest)?;
            DomainEvent::AgentLifecycle {
                state: AgentLifecycleState::from_raw(state)?,
                reason: AgentLifecycleReason::from_raw(reason)?,
            }
        }
        Id::DeviceAdded => DomainEvent::DeviceAdded { alias: take(rest)? },
        Id::MigrationIteration => DomainEvent::MigrationIteration {
            iteration: take(rest)?,
        },
        Id::JobCompleted => DomainEvent::JobCompleted {
            params: api_params(take(rest)?, JOB_STATS_MAX)?,
        },
        Id::DeviceRemovalFailed => DomainEvent::DeviceRemovalFailed { alias: take(rest)? },
        Id::MetadataChange => {
            let (kind, nsuri) = take::<(i32, Option<String>)>(rest)?;
            DomainEvent::MetadataChange {
                kind: MetadataType::from_raw(kind)?,
                nsuri,
            }
        }
        Id::BlockThreshold => {
            let (dev, path, threshold, excess) = take::<(String, Option<String>, u64, u64)>(rest)?;
            DomainEvent::BlockThreshold {
                dev,
                path,
                threshold,
                excess,
            }
        }
        Id::MemoryFailure => {
            let (recipient, action, flags) = take::<(i32, i32, u32)>(rest)?;
            DomainEvent::MemoryFailure {
                recipient: MemoryFailureRecipient::from_raw(recipient)?,
                action: MemoryFailureAction::from_raw(action)?,
                flags,
            }
        }
        Id::MemoryDeviceSizeChange => {
            let (alias, size_kib) = take::<(String, u64)>(rest)?;
            DomainEvent::MemoryDeviceSizeChange { alias, size_kib }
        }
    })
}

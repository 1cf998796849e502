//! [`DomainEvent`]: what a domain event callback receives, one variant per
//! [`DomainEventId`], with the payload libvirt's callback of that id gets.
//!
//! Where libvirt raises two ids for one happening (an I/O error raises `io-error` and
//! `io-error-reason`; a block job raises `block-job` and `block-job-2`) a driver queues
//! both variants, as libvirt does, so every callback gets exactly one event.
//!
//! ```
//! use rvirt_core::api::{DomainEvent, DomainEventId, TrayChangeReason};
//!
//! let ev = DomainEvent::TrayChange {
//!     dev_alias: "ide0-1-0".into(),
//!     reason: TrayChangeReason::Open,
//! };
//! assert_eq!(ev.id(), DomainEventId::TrayChange);
//! assert!(ev.delivered_to(DomainEventId::TrayChange));
//! ```

use super::event_details::{
    AgentLifecycleReason, AgentLifecycleState, BlockJobStatus, BlockJobType, DiskChangeReason,
    GraphicsFamily, GraphicsPhase, IoErrorAction, MemoryFailureAction, MemoryFailureRecipient,
    MetadataType, TrayChangeReason, WatchdogAction,
};
use super::events::{DomainEventId, Lifecycle};
use super::typed_param::TypedParam;

/// One end of a graphics connection (`virDomainEventGraphicsAddress`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphicsAddress {
    /// Address family.
    pub family: GraphicsFamily,
    /// Host address (IP or socket path).
    pub node: String,
    /// Port (or empty for UNIX sockets).
    pub service: String,
}

/// One identity of an authenticated graphics client (`virDomainEventGraphicsSubjectIdentity`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphicsIdentity {
    /// Kind of identity, e.g. `x509dname` or `saslUsername`.
    pub kind: String,
    /// The identity.
    pub name: String,
}

/// An event delivered to domain event callbacks.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum DomainEvent {
    /// [`DomainEventId::Lifecycle`].
    Lifecycle(Lifecycle),
    /// [`DomainEventId::Reboot`].
    Reboot,
    /// [`DomainEventId::RtcChange`].
    RtcChange {
        /// The guest clock's new offset from UTC, seconds.
        utc_offset: i64,
    },
    /// [`DomainEventId::Watchdog`].
    Watchdog {
        /// What the watchdog did.
        action: WatchdogAction,
    },
    /// [`DomainEventId::IoError`].
    IoError {
        /// Host path of the disk's source (empty if it has none).
        src_path: String,
        /// Device alias.
        dev_alias: String,
        /// What happened next.
        action: IoErrorAction,
    },
    /// [`DomainEventId::Graphics`].
    Graphics {
        /// Connection stage.
        phase: GraphicsPhase,
        /// The server end.
        local: GraphicsAddress,
        /// The client end.
        remote: GraphicsAddress,
        /// Authentication scheme, e.g. `none`, `vnc`, `sasl`.
        auth_scheme: String,
        /// Who the client authenticated as.
        subject: Vec<GraphicsIdentity>,
    },
    /// [`DomainEventId::IoErrorReason`].
    IoErrorReason {
        /// Host path of the disk's source (empty if it has none).
        src_path: String,
        /// Device alias.
        dev_alias: String,
        /// What happened next.
        action: IoErrorAction,
        /// Why, e.g. `enospc`, or empty.
        reason: String,
    },
    /// [`DomainEventId::ControlError`]: the connection to the hypervisor failed.
    ControlError,
    /// [`DomainEventId::BlockJob`]: a block job ended, named by the disk's host path.
    BlockJob {
        /// Host path of the disk.
        path: String,
        /// Kind of job.
        job: BlockJobType,
        /// How it ended.
        status: BlockJobStatus,
    },
    /// [`DomainEventId::DiskChange`].
    DiskChange {
        /// The old source, if any.
        old_src: Option<String>,
        /// The new source, if any.
        new_src: Option<String>,
        /// Device alias.
        dev_alias: String,
        /// Why.
        reason: DiskChangeReason,
    },
    /// [`DomainEventId::TrayChange`].
    TrayChange {
        /// Device alias.
        dev_alias: String,
        /// Opened or closed.
        reason: TrayChangeReason,
    },
    /// [`DomainEventId::PmWakeup`].
    PmWakeup {
        /// Reserved by libvirt; 0.
        reason: i32,
    },
    /// [`DomainEventId::PmSuspend`].
    PmSuspend {
        /// Reserved by libvirt; 0.
        reason: i32,
    },
    /// [`DomainEventId::BalloonChange`].
    BalloonChange {
        /// The balloon's current size, KiB.
        actual_kib: u64,
    },
    /// [`DomainEventId::PmSuspendDisk`].
    PmSuspendDisk {
        /// Reserved by libvirt; 0.
        reason: i32,
    },
    /// [`DomainEventId::DeviceRemoved`].
    DeviceRemoved {
        /// Alias of the removed device.
        alias: String,
    },
    /// [`DomainEventId::BlockJob2`]: a block job ended, named by the disk's target.
    BlockJob2 {
        /// Target name of the disk, e.g. `vda`.
        disk: String,
        /// Kind of job.
        job: BlockJobType,
        /// How it ended.
        status: BlockJobStatus,
    },
    /// [`DomainEventId::Tunable`].
    Tunable {
        /// The tunables that changed, e.g. `cputune.vcpupin0`.
        params: Vec<TypedParam>,
    },
    /// [`DomainEventId::AgentLifecycle`].
    AgentLifecycle {
        /// Connected or disconnected.
        state: AgentLifecycleState,
        /// Why.
        reason: AgentLifecycleReason,
    },
    /// [`DomainEventId::DeviceAdded`].
    DeviceAdded {
        /// Alias of the added device.
        alias: String,
    },
    /// [`DomainEventId::MigrationIteration`].
    MigrationIteration {
        /// Number of the iteration that started.
        iteration: i32,
    },
    /// [`DomainEventId::JobCompleted`].
    JobCompleted {
        /// The job's final statistics.
        params: Vec<TypedParam>,
    },
    /// [`DomainEventId::DeviceRemovalFailed`].
    DeviceRemovalFailed {
        /// Alias of the device that stayed.
        alias: String,
    },
    /// [`DomainEventId::MetadataChange`].
    MetadataChange {
        /// Which metadata.
        kind: MetadataType,
        /// Namespace URI for [`MetadataType::Element`].
        nsuri: Option<String>,
    },
    /// [`DomainEventId::BlockThreshold`].
    BlockThreshold {
        /// Disk target or `target[index]`.
        dev: String,
        /// Host path, if the disk has one.
        path: Option<String>,
        /// The threshold that was crossed, bytes.
        threshold: u64,
        /// How far past it the write went, bytes.
        excess: u64,
    },
    /// [`DomainEventId::MemoryFailure`].
    MemoryFailure {
        /// Who got the error.
        recipient: MemoryFailureRecipient,
        /// What was done.
        action: MemoryFailureAction,
        /// `virDomainMemoryFailureFlags` bits.
        flags: u32,
    },
    /// [`DomainEventId::MemoryDeviceSizeChange`].
    MemoryDeviceSizeChange {
        /// Alias of the memory device.
        alias: String,
        /// Its new size, KiB.
        size_kib: u64,
    },
}

impl DomainEvent {
    /// The event id this event is delivered under.
    pub fn id(&self) -> DomainEventId {
        use DomainEventId as Id;
        match self {
            DomainEvent::Lifecycle(_) => Id::Lifecycle,
            DomainEvent::Reboot => Id::Reboot,
            DomainEvent::RtcChange { .. } => Id::RtcChange,
            DomainEvent::Watchdog { .. } => Id::Watchdog,
            DomainEvent::IoError { .. } => Id::IoError,
            DomainEvent::Graphics { .. } => Id::Graphics,
            DomainEvent::IoErrorReason { .. } => Id::IoErrorReason,
            DomainEvent::ControlError => Id::ControlError,
            DomainEvent::BlockJob { .. } => Id::BlockJob,
            DomainEvent::DiskChange { .. } => Id::DiskChange,
            DomainEvent::TrayChange { .. } => Id::TrayChange,
            DomainEvent::PmWakeup { .. } => Id::PmWakeup,
            DomainEvent::PmSuspend { .. } => Id::PmSuspend,
            DomainEvent::BalloonChange { .. } => Id::BalloonChange,
            DomainEvent::PmSuspendDisk { .. } => Id::PmSuspendDisk,
            DomainEvent::DeviceRemoved { .. } => Id::DeviceRemoved,
            DomainEvent::BlockJob2 { .. } => Id::BlockJob2,
            DomainEvent::Tunable { .. } => Id::Tunable,
            DomainEvent::AgentLifecycle { .. } => Id::AgentLifecycle,
            DomainEvent::DeviceAdded { .. } => Id::DeviceAdded,
            DomainEvent::MigrationIteration { .. } => Id::MigrationIteration,
            DomainEvent::JobCompleted { .. } => Id::JobCompleted,
            DomainEvent::DeviceRemovalFailed { .. } => Id::DeviceRemovalFailed,
            DomainEvent::MetadataChange { .. } => Id::MetadataChange,
            DomainEvent::BlockThreshold { .. } => Id::BlockThreshold,
            DomainEvent::MemoryFailure { .. } => Id::MemoryFailure,
            DomainEvent::MemoryDeviceSizeChange { .. } => Id::MemoryDeviceSizeChange,
        }
    }

    /// True when a callback registered for `id` receives this event.
    pub fn delivered_to(&self, id: DomainEventId) -> bool {
        self.id() == id
    }

    /// The pair libvirt raises for one disk I/O error: `io-error` and `io-error-reason`.
    pub fn io_error_pair(
        src_path: &str,
        dev_alias: &str,
        action: IoErrorAction,
        reason: &str,
    ) -> [DomainEvent; 2] {
        [
            DomainEvent::IoError {
                src_path: src_path.to_string(),
                dev_alias: dev_alias.to_string(),
                action,
            },
            DomainEvent::IoErrorReason {
                src_path: src_path.to_string(),
                dev_alias: dev_alias.to_string(),
                action,
                reason: reason.to_string(),
            },
        ]
    }

    /// The events libvirt raises when a block job ends: `block-job` (only when the disk
    /// has a host path) and `block-job-2`.
    pub fn block_job_pair(
        path: Option<&str>,
        disk: &str,
        job: BlockJobType,
        status: BlockJobStatus,
    ) -> Vec<DomainEvent> {
        let mut out = Vec::with_capacity(2);
        if let Some(path) = path {
            out.push(DomainEvent::BlockJob {
                path: path.to_string(),
                job,
                status,
            });
        }
        out.push(DomainEvent::BlockJob2 {
            disk: disk.to_string(),
            job,
            status,
        });
        out
    }
}

#[cfg(any(test, feature = "test-util"))]
pub mod sample;
#[cfg(test)]
mod tests;

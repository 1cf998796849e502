//! The public API applications hold: [`Connect`], [`Domain`], states, events, flags.

mod connect;
mod connect_monitoring;
mod domain;
mod domain_event;
mod domain_monitoring;
mod event_details;
mod events;
mod flags;
mod inventory;
mod monitoring;
mod numbered;
mod snapshot;
mod state;
mod typed_param;

pub(crate) use connect::ConnectInner;
pub use connect::{CallbackId, Connect, OpenOptions};
pub use domain::Domain;
#[cfg(any(test, feature = "test-util"))]
pub use domain_event::sample as domain_event_sample;
pub use domain_event::{DomainEvent, GraphicsAddress, GraphicsIdentity};
pub use event_details::{
    AgentLifecycleReason, AgentLifecycleState, BlockJobStatus, BlockJobType, DiskChangeReason,
    GraphicsFamily, GraphicsPhase, IoErrorAction, MemoryFailureAction, MemoryFailureRecipient,
    MetadataType, TrayChangeReason, WatchdogAction,
};
pub use events::{
    CrashedDetail, DefinedDetail, DomainEventId, Lifecycle, PmSuspendedDetail, ResumedDetail,
    ShutdownDetail, StartedDetail, StoppedDetail, SuspendedDetail, UndefinedDetail,
};
pub use flags::{ListFlags, XmlFlags};
pub use inventory::{HostInterface, Network, StoragePool};
pub use monitoring::{
    BlockInfo, BlockStats, ControlInfo, CpuMap, DomainInterface, DomainStatsRecord, FsInfo,
    InterfaceStats, IoThreadInfo, IpAddress, MemoryStat, MemoryStatTag, NodeCpuMap, SecurityLabel,
    SecurityModel, StatsGroups, VcpuInfo, stats_flags,
};
pub use snapshot::DomainSnapshot;
pub use state::{
    CrashedReason, DomainInfo, DomainState, NodeInfo, PausedReason, RunningReason, ShutdownReason,
    ShutoffReason, StateReason,
};
pub use typed_param::{TypedParam, TypedValue};

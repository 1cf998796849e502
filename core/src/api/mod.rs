//! The public API applications hold: [`Connect`], [`Domain`], states, events, flags, and
//! the host's other objects: [`Network`], [`StoragePool`], [`StorageVol`], [`NodeDevice`],
//! [`Interface`], [`Secret`], [`NwFilter`] with their events.

mod checkpoint;
mod connect;
mod connect_async;
mod connect_close;
mod connect_monitoring;
mod deadlines;
mod domain;
mod domain_async;
mod domain_configuration;
mod domain_event;
mod domain_migrate;
mod domain_monitoring;
mod domain_save;
mod event_details;
mod events;
mod flags;
mod interface;
mod monitoring;
mod network;
mod node_device;
mod numbered;
mod nwfilter;
mod object_event_register;
mod object_events;
mod offload;
mod pending;
mod secondary;
mod secret;
mod snapshot;
mod state;
mod storage;
mod stream;
mod stream_local;
mod tuning;
mod typed_param;

pub use checkpoint::DomainCheckpoint;
pub(crate) use connect::ConnectInner;
pub use connect::{CallbackId, Connect, OpenOptions};
pub use connect_close::{CloseCallback, CloseReason};
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
pub use flags::{ListFlags, ListedFacts, XmlFlags, create_flags};
pub use interface::Interface;
pub use monitoring::{
    BlockInfo, BlockJobInfo, BlockStats, ControlInfo, CpuMap, DomainInterface, DomainStatsRecord,
    FsInfo, InterfaceStats, IoThreadInfo, IpAddress, JobInfo, MemoryStat, MemoryStatTag,
    NodeCpuMap, NodeStat, SecurityLabel, SecurityModel, StatsGroups, VcpuInfo, stats_flags,
};
pub use network::{Network, NetworkPort};
pub use node_device::NodeDevice;
pub use nwfilter::{NwFilter, NwFilterBinding};
pub use object_events::{
    NetworkEvent, NetworkEventId, NetworkLifecycle, NodeDeviceEvent, NodeDeviceEventId,
    NodeDeviceLifecycle, ObjectEvent, ObjectFamily, SecretEvent, SecretEventId, SecretLifecycle,
    StoragePoolEvent, StoragePoolEventId, StoragePoolLifecycle,
};
pub use pending::{Completer, Pending, timeout_error};
pub use secret::Secret;
pub use snapshot::DomainSnapshot;
pub use state::{
    CrashedReason, DomainInfo, DomainState, NodeInfo, PausedReason, RunningReason, ShutdownReason,
    ShutoffReason, StateReason,
};
pub use storage::{StoragePool, StorageVol};
pub use stream::Stream;
pub use tuning::{
    MEMORY_HARD_LIMIT, MEMORY_MIN_GUARANTEE, MEMORY_PARAM_UNLIMITED, MEMORY_SOFT_LIMIT,
    MEMORY_SWAP_HARD_LIMIT, Tunable,
};
pub use typed_param::{FIELD_LENGTH, TypedParam, TypedValue, validate_params};

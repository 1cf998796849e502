//! The public API applications hold: [`Connect`], [`Domain`], states, events, flags, and
//! the host's other objects: [`Network`], [`StoragePool`], [`StorageVol`], [`NodeDevice`],
//! [`Interface`], [`Secret`], [`NwFilter`] with their events.

mod connect;
mod domain;
mod events;
mod flags;
mod interface;
mod network;
mod node_device;
mod numbered;
mod nwfilter;
mod object_event_register;
mod object_events;
mod secondary;
mod secret;
mod state;
mod storage;

pub(crate) use connect::ConnectInner;
pub use connect::{CallbackId, Connect, OpenOptions};
pub use domain::Domain;
pub use events::{
    CrashedDetail, DefinedDetail, DomainEvent, DomainEventId, Lifecycle, PmSuspendedDetail,
    ResumedDetail, ShutdownDetail, StartedDetail, StoppedDetail, SuspendedDetail, UndefinedDetail,
};
pub use flags::{ListFlags, XmlFlags};
pub use interface::Interface;
pub use network::{Network, NetworkPort};
pub use node_device::NodeDevice;
pub use nwfilter::{NwFilter, NwFilterBinding};
pub use object_events::{
    NetworkEvent, NetworkEventId, NetworkLifecycle, NodeDeviceEvent, NodeDeviceEventId,
    NodeDeviceLifecycle, ObjectEvent, ObjectFamily, SecretEvent, SecretEventId, SecretLifecycle,
    StoragePoolEvent, StoragePoolEventId, StoragePoolLifecycle,
};
pub use secret::Secret;
pub use state::{
    CrashedReason, DomainInfo, DomainState, NodeInfo, PausedReason, RunningReason, ShutdownReason,
    ShutoffReason, StateReason,
};
pub use storage::{StoragePool, StorageVol};

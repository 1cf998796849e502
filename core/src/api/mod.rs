//! The public API applications hold: [`Connect`], [`Domain`], states, events, flags.

mod connect;
mod domain;
mod events;
mod flags;
mod inventory;
mod numbered;
mod state;

pub(crate) use connect::ConnectInner;
pub use connect::{CallbackId, Connect, OpenOptions};
pub use domain::Domain;
pub use events::{
    CrashedDetail, DefinedDetail, DomainEvent, DomainEventId, Lifecycle, PmSuspendedDetail,
    ResumedDetail, ShutdownDetail, StartedDetail, StoppedDetail, SuspendedDetail, UndefinedDetail,
};
pub use flags::{ListFlags, XmlFlags};
pub use inventory::{HostInterface, Network, StoragePool};
pub use state::{
    CrashedReason, DomainInfo, DomainState, NodeInfo, PausedReason, RunningReason, ShutdownReason,
    ShutoffReason, StateReason,
};

//! The hypervisor-driver interface: what every driver (test, QEMU, LXC, remote) implements,
//! and the registry [`Connect::open`](crate::Connect::open) picks a driver from; the
//! [`secondary`] drivers (networks, storage, node devices, interfaces, secrets, network
//! filters) beside them.
//!
//! Drivers depend on `rvirt-core` only; `rvirt-core` depends on no driver. A driver crate
//! exposes a `register()` function that calls [`register_driver`].

mod abi_stability;
mod async_op;
mod checkpoints;
mod configuration;
mod connection;
mod console;
mod domain_xml;
mod event_sink;
pub mod files;
mod instances;
mod liveness;
mod local;
mod migration;
mod migration_v3;
mod monitoring;
mod object_events;
mod registry;
mod save;
pub mod save_file;
pub mod secondary;
mod snapshots;
mod stream;

pub use crate::api::Completer;
pub use abi_stability::check_abi_stability;
pub use async_op::{AsyncOp, AsyncReply, Declined};
pub use checkpoints::Checkpoints;
pub use configuration::Configuration;
pub use connection::{DomainCapsQuery, DomainRef, DriverConnection};
pub use console::{CONSOLE_FORCE, CONSOLE_SAFE, Console, ConsoleLease, ConsoleLeases, Screenshot};
pub use domain_xml::format_domain_xml;
pub use event_sink::EventSink;
pub use instances::Instances;
pub use liveness::Liveness;
pub use local::{LocalDriver, RootInstance};
pub use migration::{
    Begun, MIGRATE_PARAMS, MigrateParams, Migration, Prepared, features as migration_features,
    flags as migrate_flags, set_string_param,
};
pub use migration_v3::{migrate_peer_to_peer, migrate_v3};
pub use monitoring::Monitoring;
pub use object_events::{ObjectEventCallback, ObjectEventFanout, ObjectEventSink};
pub use registry::{
    Driver, OpenContext, StateContext, cleanup_states, find_driver, initialize_states,
    register_driver, registered_drivers,
};
pub use save::SaveRestore;
pub use secondary::{
    DhcpLease, InterfaceDriver, InterfaceRef, NetworkDriver, NetworkPortRef, NetworkRef,
    NodeDeviceDriver, NodeDeviceRef, NwFilterBindingRef, NwFilterDriver, NwFilterRef,
    SECRET_USAGE_VOLUME, Secondary, SecondaryDriver, SecretDriver, SecretLookup, SecretRef,
    StorageDriver, StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef, open_shared,
    open_shared_detached, register_secondary_driver, registered_secondary_drivers, secret_value,
    serves_host_objects, shared_secret_driver,
};
pub use snapshots::Snapshots;
pub use stream::{
    LocalSource, LocalStream, OnFinish, Received, StreamBackend, StreamCallback, StreamEvents,
};

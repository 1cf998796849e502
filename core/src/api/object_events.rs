//! Events of networks, storage pools, node devices and secrets, numbered as libvirt
//! numbers them (`virNetworkEventID`, `virNetworkEventLifecycleType`, …). Lifecycle
//! details are always 0 in libvirt, so they carry none.

use super::numbered::numbered_enum;
use crate::driver::{NetworkRef, NodeDeviceRef, SecretRef, StoragePoolRef};

numbered_enum! {
    /// `virNetworkEventID`.
    pub enum NetworkEventId {
        /// Lifecycle changes.
        Lifecycle = 0 => "lifecycle",
        /// Metadata changed.
        MetadataChange = 1 => "metadata-change",
    }
}

numbered_enum! {
    /// `virNetworkEventLifecycleType`.
    pub enum NetworkLifecycle {
        /// Defined.
        Defined = 0 => "Defined",
        /// Undefined.
        Undefined = 1 => "Undefined",
        /// Started.
        Started = 2 => "Started",
        /// Stopped.
        Stopped = 3 => "Stopped",
    }
}

numbered_enum! {
    /// `virStoragePoolEventID`.
    pub enum StoragePoolEventId {
        /// Lifecycle changes.
        Lifecycle = 0 => "lifecycle",
        /// The pool was refreshed.
        Refresh = 1 => "refresh",
    }
}

numbered_enum! {
    /// `virStoragePoolEventLifecycleType`.
    pub enum StoragePoolLifecycle {
        /// Defined.
        Defined = 0 => "Defined",
        /// Undefined.
        Undefined = 1 => "Undefined",
        /// Started.
        Started = 2 => "Started",
        /// Stopped.
        Stopped = 3 => "Stopped",
        /// Its storage was built.
        Created = 4 => "Created",
        /// Its storage was deleted.
        Deleted = 5 => "Deleted",
    }
}

numbered_enum! {
    /// `virNodeDeviceEventID`.
    pub enum NodeDeviceEventId {
        /// Lifecycle changes.
        Lifecycle = 0 => "lifecycle",
        /// The device changed.
        Update = 1 => "update",
    }
}

numbered_enum! {
    /// `virNodeDeviceEventLifecycleType`.
    pub enum NodeDeviceLifecycle {
        /// Appeared.
        Created = 0 => "Created",
        /// Disappeared.
        Deleted = 1 => "Deleted",
        /// Defined.
        Defined = 2 => "Defined",
        /// Undefined.
        Undefined = 3 => "Undefined",
    }
}

numbered_enum! {
    /// `virSecretEventID`.
    pub enum SecretEventId {
        /// Lifecycle changes.
        Lifecycle = 0 => "lifecycle",
        /// The value changed.
        ValueChanged = 1 => "value-changed",
    }
}

numbered_enum! {
    /// `virSecretEventLifecycleType`.
    pub enum SecretLifecycle {
        /// Defined.
        Defined = 0 => "Defined",
        /// Undefined.
        Undefined = 1 => "Undefined",
    }
}

/// What happened to a network.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NetworkEvent {
    /// Lifecycle change.
    Lifecycle(NetworkLifecycle),
}

/// What happened to a storage pool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StoragePoolEvent {
    /// Lifecycle change.
    Lifecycle(StoragePoolLifecycle),
    /// Refreshed.
    Refresh,
}

/// What happened to a node device.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NodeDeviceEvent {
    /// Lifecycle change.
    Lifecycle(NodeDeviceLifecycle),
    /// Changed.
    Update,
}

/// What happened to a secret.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SecretEvent {
    /// Lifecycle change.
    Lifecycle(SecretLifecycle),
    /// Its value changed.
    ValueChanged,
}

/// Which kind of object an event is about.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ObjectFamily {
    /// Networks.
    Network,
    /// Storage pools.
    StoragePool,
    /// Node devices.
    NodeDevice,
    /// Secrets.
    Secret,
}

/// An event about a non-domain object, as drivers hand it to connections.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ObjectEvent {
    /// About a network.
    Network(NetworkRef, NetworkEvent),
    /// About a storage pool.
    StoragePool(StoragePoolRef, StoragePoolEvent),
    /// About a node device.
    NodeDevice(NodeDeviceRef, NodeDeviceEvent),
    /// About a secret.
    Secret(SecretRef, SecretEvent),
}

impl ObjectEvent {
    /// The object family.
    pub fn family(&self) -> ObjectFamily {
        match self {
            ObjectEvent::Network(..) => ObjectFamily::Network,
            ObjectEvent::StoragePool(..) => ObjectFamily::StoragePool,
            ObjectEvent::NodeDevice(..) => ObjectFamily::NodeDevice,
            ObjectEvent::Secret(..) => ObjectFamily::Secret,
        }
    }

    /// libvirt's event id within the family.
    pub fn event_id(&self) -> i32 {
        match self {
            ObjectEvent::Network(_, NetworkEvent::Lifecycle(_))
            | ObjectEvent::StoragePool(_, StoragePoolEvent::Lifecycle(_))
            | ObjectEvent::NodeDevice(_, NodeDeviceEvent::Lifecycle(_))
            | ObjectEvent::Secret(_, SecretEvent::Lifecycle(_)) => 0,
            _ => 1,
        }
    }

    /// The key a per-object registration filters on: the UUID (networks, pools,
    /// secrets) or the name (node devices).
    pub fn key(&self) -> String {
        match self {
            ObjectEvent::Network(r, _) => r.uuid.to_string(),
            ObjectEvent::StoragePool(r, _) => r.uuid.to_string(),
            ObjectEvent::NodeDevice(r, _) => r.name.clone(),
            ObjectEvent::Secret(r, _) => r.uuid.to_string(),
        }
    }

    /// `(event, detail)` numbers of a lifecycle event.
    pub fn lifecycle_raw(&self) -> Option<(i32, i32)> {
        let ev = match self {
            ObjectEvent::Network(_, NetworkEvent::Lifecycle(l)) => l.as_raw(),
            ObjectEvent::StoragePool(_, StoragePoolEvent::Lifecycle(l)) => l.as_raw(),
            ObjectEvent::NodeDevice(_, NodeDeviceEvent::Lifecycle(l)) => l.as_raw(),
            ObjectEvent::Secret(_, SecretEvent::Lifecycle(l)) => l.as_raw(),
            _ => return None,
        };
        Some((ev, 0))
    }
}

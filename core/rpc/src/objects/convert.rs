//! Wire references to and from `rvirt-core`'s object references.

use rvirt_core::Uuid;
use rvirt_core::driver::{
    InterfaceRef, NetworkPortRef, NetworkRef, NodeDeviceRef, NwFilterBindingRef, NwFilterRef,
    SecretRef, StoragePoolRef, StorageVolRef,
};

use super::refs::*;
use crate::types::RemoteNonnullNetwork;

impl From<&NetworkRef> for RemoteNonnullNetwork {
    fn from(r: &NetworkRef) -> Self {
        RemoteNonnullNetwork {
            name: r.name.clone(),
            uuid: *r.uuid.as_bytes(),
        }
    }
}

impl From<RemoteNonnullNetwork> for NetworkRef {
    fn from(w: RemoteNonnullNetwork) -> Self {
        NetworkRef {
            name: w.name,
            uuid: Uuid::from_bytes(w.uuid),
        }
    }
}

impl From<&NetworkPortRef> for RemoteNonnullNetworkPort {
    fn from(r: &NetworkPortRef) -> Self {
        RemoteNonnullNetworkPort {
            net: (&r.network).into(),
            uuid: *r.uuid.as_bytes(),
        }
    }
}

impl From<RemoteNonnullNetworkPort> for NetworkPortRef {
    fn from(w: RemoteNonnullNetworkPort) -> Self {
        NetworkPortRef {
            network: w.net.into(),
            uuid: Uuid::from_bytes(w.uuid),
        }
    }
}

impl From<&StoragePoolRef> for RemoteNonnullStoragePool {
    fn from(r: &StoragePoolRef) -> Self {
        RemoteNonnullStoragePool {
            name: r.name.clone(),
            uuid: *r.uuid.as_bytes(),
        }
    }
}

impl From<RemoteNonnullStoragePool> for StoragePoolRef {
    fn from(w: RemoteNonnullStoragePool) -> Self {
        StoragePoolRef {
            name: w.name,
            uuid: Uuid::from_bytes(w.uuid),
        }
    }
}

impl From<&StorageVolRef> for RemoteNonnullStorageVol {
    fn from(r: &StorageVolRef) -> Self {
        RemoteNonnullStorageVol {
            pool: r.pool.clone(),
            name: r.name.clone(),
            key: r.key.clone(),
        }
    }
}

impl From<RemoteNonnullStorageVol> for StorageVolRef {
    fn from(w: RemoteNonnullStorageVol) -> Self {
        StorageVolRef {
            pool: w.pool,
            name: w.name,
            key: w.key,
        }
    }
}

impl From<&NodeDeviceRef> for RemoteNonnullNodeDevice {
    fn from(r: &NodeDeviceRef) -> Self {
        RemoteNonnullNodeDevice {
            name: r.name.clone(),
        }
    }
}

impl From<RemoteNonnullNodeDevice> for NodeDeviceRef {
    fn from(w: RemoteNonnullNodeDevice) -> Self {
        NodeDeviceRef { name: w.name }
    }
}

impl From<&InterfaceRef> for RemoteNonnullInterface {
    fn from(r: &InterfaceRef) -> Self {
        RemoteNonnullInterface {
            name: r.name.clone(),
            mac: r.mac.clone(),
        }
    }
}

impl From<RemoteNonnullInterface> for InterfaceRef {
    fn from(w: RemoteNonnullInterface) -> Self {
        InterfaceRef {
            name: w.name,
            mac: w.mac,
        }
    }
}

impl From<&SecretRef> for RemoteNonnullSecret {
    fn from(r: &SecretRef) -> Self {
        RemoteNonnullSecret {
            uuid: *r.uuid.as_bytes(),
            usage_type: r.usage_type,
            usage_id: r.usage_id.clone(),
        }
    }
}

impl From<RemoteNonnullSecret> for SecretRef {
    fn from(w: RemoteNonnullSecret) -> Self {
        SecretRef {
            uuid: Uuid::from_bytes(w.uuid),
            usage_type: w.usage_type,
            usage_id: w.usage_id,
        }
    }
}

impl From<&NwFilterRef> for RemoteNonnullNwfilter {
    fn from(r: &NwFilterRef) -> Self {
        RemoteNonnullNwfilter {
            name: r.name.clone(),
            uuid: *r.uuid.as_bytes(),
        }
    }
}

impl From<RemoteNonnullNwfilter> for NwFilterRef {
    fn from(w: RemoteNonnullNwfilter) -> Self {
        NwFilterRef {
            name: w.name,
            uuid: Uuid::from_bytes(w.uuid),
        }
    }
}

impl From<&NwFilterBindingRef> for RemoteNonnullNwfilterBinding {
    fn from(r: &NwFilterBindingRef) -> Self {
        RemoteNonnullNwfilterBinding {
            portdev: r.port_dev.clone(),
            filtername: r.filter.clone(),
        }
    }
}

impl From<RemoteNonnullNwfilterBinding> for NwFilterBindingRef {
    fn from(w: RemoteNonnullNwfilterBinding) -> Self {
        NwFilterBindingRef {
            port_dev: w.portdev,
            filter: w.filtername,
        }
    }
}

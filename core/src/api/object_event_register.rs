//! Registration of network, storage pool, node device and secret event callbacks on a
//! [`Connect`] (`virConnectNetworkEventRegisterAny` and its siblings).
//!
//! Callbacks run on the connection's event loop, never on a driver thread. The first
//! registration of an event on a connection tells the family's driver
//! (`*_event_interest`), so remote connections subscribe on the daemon only for what
//! is wanted; the last deregistration tells it again.

use super::object_events::{
    NetworkEvent, NetworkEventId, NodeDeviceEvent, NodeDeviceEventId, ObjectEvent, ObjectFamily,
    SecretEvent, SecretEventId, StoragePoolEvent, StoragePoolEventId,
};
use super::{CallbackId, Connect, Network, NodeDevice, Secret, StoragePool};
use crate::Result;
use crate::driver::ObjectEventCallback;

impl Connect {
    fn object_interest(&self, family: ObjectFamily, event_id: i32, wanted: bool) -> Result<()> {
        match family {
            ObjectFamily::Network => self
                .network_driver("virConnectNetworkEventRegisterAny")?
                .network_event_interest(event_id, wanted),
            ObjectFamily::StoragePool => self
                .storage_driver("virConnectStoragePoolEventRegisterAny")?
                .storage_pool_event_interest(event_id, wanted),
            ObjectFamily::NodeDevice => self
                .node_device_driver("virConnectNodeDeviceEventRegisterAny")?
                .node_device_event_interest(event_id, wanted),
            ObjectFamily::Secret => self
                .secret_driver("virConnectSecretEventRegisterAny")?
                .secret_event_interest(event_id, wanted),
        }
    }

    fn register_object_event(
        &self,
        family: ObjectFamily,
        event_id: i32,
        key: Option<String>,
        callback: ObjectEventCallback,
    ) -> Result<CallbackId> {
        // A family without a driver refuses before anything is registered.
        match family {
            ObjectFamily::Network => self
                .network_driver("virConnectNetworkEventRegisterAny")
                .map(|_| ())?,
            ObjectFamily::StoragePool => self
                .storage_driver("virConnectStoragePoolEventRegisterAny")
                .map(|_| ())?,
            ObjectFamily::NodeDevice => self
                .node_device_driver("virConnectNodeDeviceEventRegisterAny")
                .map(|_| ())?,
            ObjectFamily::Secret => self
                .secret_driver("virConnectSecretEventRegisterAny")
                .map(|_| ())?,
        }
        let sink = &self.inner_ref().object_events;
        let (id, first) = sink.register(family, event_id, key, callback)?;
        if first && let Err(e) = self.object_interest(family, event_id, true) {
            let _ = sink.deregister(id);
            return Err(e);
        }
        Ok(id)
    }

    /// Removes a network, storage pool, node device or secret event callback; an
    /// unknown id is `VIR_ERR_INVALID_ARG`.
    pub fn object_event_deregister_any(&self, id: CallbackId) -> Result<()> {
        let (family, event_id, last) = self.inner_ref().object_events.deregister(id)?;
        if last {
            self.object_interest(family, event_id, false)?;
        }
        Ok(())
    }

    /// Registers `callback` for network events `id`, about `net` or every network.
    pub fn network_event_register_any<F>(
        &self,
        net: Option<&Network>,
        id: NetworkEventId,
        mut callback: F,
    ) -> Result<CallbackId>
    where
        F: FnMut(&Network, &NetworkEvent) + Send + 'static,
    {
        let key = net.map(|n| n.uuid().to_string());
        self.register_object_event(
            ObjectFamily::Network,
            id.as_raw(),
            key,
            Box::new(move |conn, ev| {
                if let ObjectEvent::Network(r, e) = ev {
                    callback(&Network::from_ref(conn.clone(), r.clone()), e);
                }
            }),
        )
    }

    /// Registers `callback` for storage pool events `id`, about `pool` or every pool.
    pub fn storage_pool_event_register_any<F>(
        &self,
        pool: Option<&StoragePool>,
        id: StoragePoolEventId,
        mut callback: F,
    ) -> Result<CallbackId>
    where
        F: FnMut(&StoragePool, &StoragePoolEvent) + Send + 'static,
    {
        let key = pool.map(|p| p.uuid().to_string());
        self.register_object_event(
            ObjectFamily::StoragePool,
            id.as_raw(),
            key,
            Box::new(move |conn, ev| {
                if let ObjectEvent::StoragePool(r, e) = ev {
                    callback(&StoragePool::from_ref(conn.clone(), r.clone()), e);
                }
            }),
        )
    }

    /// Registers `callback` for node device events `id`, about `dev` or every device.
    pub fn node_device_event_register_any<F>(
        &self,
        dev: Option<&NodeDevice>,
        id: NodeDeviceEventId,
        mut callback: F,
    ) -> Result<CallbackId>
    where
        F: FnMut(&NodeDevice, &NodeDeviceEvent) + Send + 'static,
    {
        let key = dev.map(|d| d.name().to_string());
        self.register_object_event(
            ObjectFamily::NodeDevice,
            id.as_raw(),
            key,
            Box::new(move |conn, ev| {
                if let ObjectEvent::NodeDevice(r, e) = ev {
                    callback(&NodeDevice::from_ref(conn.clone(), r.clone()), e);
                }
            }),
        )
    }

    /// Registers `callback` for secret events `id`, about `secret` or every secret.
    pub fn secret_event_register_any<F>(
        &self,
        secret: Option<&Secret>,
        id: SecretEventId,
        mut callback: F,
    ) -> Result<CallbackId>
    where
        F: FnMut(&Secret, &SecretEvent) + Send + 'static,
    {
        let key = secret.map(|s| s.uuid().to_string());
        self.register_object_event(
            ObjectFamily::Secret,
            id.as_raw(),
            key,
            Box::new(move |conn, ev| {
                if let ObjectEvent::Secret(r, e) = ev {
                    callback(&Secret::from_ref(conn.clone(), r.clone()), e);
                }
            }),
        )
    }
}

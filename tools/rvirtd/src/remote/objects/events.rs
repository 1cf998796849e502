//! Registration of network (313/314), storage pool (368/369), node device (374/375)
//! and secret (380/381) events, and the MESSAGEs that carry them (315, 370, 373, 376,
//! 377, 382, 383): `{int callbackID; object; …}`, type MESSAGE, serial 1, as libvirtd
//! sends them. A second registration of the same event and object is refused as
//! libvirtd refuses it.

use std::sync::Arc;

use rvirt_core::api::{
    Network, NetworkEventId, NodeDevice, NodeDeviceEvent, NodeDeviceEventId, ObjectEvent,
    ObjectFamily, Secret, SecretEvent, SecretEventId, StoragePool, StoragePoolEvent,
    StoragePoolEventId,
};
use rvirt_core::driver::NodeDeviceRef;
use rvirt_core::{CallbackId, Connect, Result};
use rvirt_rpc::types::*;
use rvirt_rpc::{
    Header, MessageStatus, MessageType, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
    encode_message_with, procs,
};
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::err;

use crate::remote::session::{MAX_CALLBACKS_PER_CLIENT, ObjectKey};
use crate::remote::{Ctx, CtxExt};

fn header(proc_: i32) -> Header {
    Header {
        prog: REMOTE_PROGRAM,
        vers: REMOTE_PROTOCOL_VERSION,
        proc_,
        msg_type: MessageType::MESSAGE,
        serial: 1,
        status: MessageStatus::OK,
    }
}

/// Encodes an event MESSAGE of procedure `$proc` (a macro: the payload types differ).
macro_rules! frame {
    ($proc:expr, $msg:expr $(,)?) => {
        encode_message_with(&header($proc), &$msg).ok()
    };
}

/// The MESSAGE announcing `ev` to registration `callback_id`.
pub(crate) fn event_frame(callback_id: i32, ev: &ObjectEvent) -> Option<Vec<u8>> {
    let (event, detail) = ev.lifecycle_raw().unwrap_or((0, 0));
    match ev {
        ObjectEvent::Network(r, _) => {
            let obj: RemoteNonnullNetwork = r.into();
            frame!(
                procs::NETWORK_EVENT_LIFECYCLE,
                &LifecycleMsg {
                    callback_id,
                    obj,
                    event,
                    detail
                }
            )
        }
        ObjectEvent::StoragePool(r, e) => {
            let obj: RemoteNonnullStoragePool = r.into();
            match e {
                StoragePoolEvent::Lifecycle(_) => frame!(
                    procs::STORAGE_POOL_EVENT_LIFECYCLE,
                    &LifecycleMsg {
                        callback_id,
                        obj,
                        event,
                        detail
                    },
                ),
                StoragePoolEvent::Refresh => frame!(
                    procs::STORAGE_POOL_EVENT_REFRESH,
                    &ObjEventMsg { callback_id, obj },
                ),
            }
        }
        ObjectEvent::NodeDevice(r, e) => {
            let obj: RemoteNonnullNodeDevice = r.into();
            match e {
                NodeDeviceEvent::Lifecycle(_) => frame!(
                    procs::NODE_DEVICE_EVENT_LIFECYCLE,
                    &LifecycleMsg {
                        callback_id,
                        obj,
                        event,
                        detail
                    },
                ),
                NodeDeviceEvent::Update => frame!(
                    procs::NODE_DEVICE_EVENT_UPDATE,
                    &ObjEventMsg { callback_id, obj },
                ),
            }
        }
        ObjectEvent::Secret(r, e) => {
            let obj: RemoteNonnullSecret = r.into();
            match e {
                SecretEvent::Lifecycle(_) => frame!(
                    procs::SECRET_EVENT_LIFECYCLE,
                    &LifecycleMsg {
                        callback_id,
                        obj,
                        event,
                        detail
                    },
                ),
                SecretEvent::ValueChanged => frame!(
                    procs::SECRET_EVENT_VALUE_CHANGED,
                    &ObjEventMsg { callback_id, obj },
                ),
            }
        }
    }
}

fn family_name(f: ObjectFamily) -> &'static str {
    match f {
        ObjectFamily::Network => "network",
        ObjectFamily::StoragePool => "storage pool",
        ObjectFamily::NodeDevice => "node device",
        ObjectFamily::Secret => "secret",
    }
}

/// Books a callbackID for `key`, registers with `register` (given the callbackID
/// and where frames go), and remembers the registration.
fn register(
    ctx: &Ctx<'_>,
    key: ObjectKey,
    last_id: i32,
    register: impl FnOnce(
        &Connect,
        i32,
        std::sync::Weak<rvirt_rpc_server::Client>,
    ) -> Result<CallbackId>,
) -> CallResult<CallbackIdMsg> {
    let (family, event_id, _) = key.clone();
    if !(0..last_id).contains(&event_id) {
        return Err(err(
            1,
            7,
            format!(
                "internal error: unsupported {} event ID {event_id}",
                family_name(family)
            ),
        ));
    }
    let conn = ctx.conn()?;
    let callback_id = {
        let mut s = ctx.state();
        if s.callback_count() >= MAX_CALLBACKS_PER_CLIENT {
            return Err(err(
                39,
                7,
                format!(
                    "too many event callbacks on this connection (limit {MAX_CALLBACKS_PER_CLIENT})"
                ),
            ));
        }
        if s.object_callbacks.values().any(|(_, k)| *k == key) {
            return Err(err(
                8,
                0,
                "invalid argument: event callback already tracked",
            ));
        }
        let id = s.next_object_callback;
        s.next_object_callback += 1;
        id
    };
    let rid = register(&conn, callback_id, Arc::downgrade(ctx.client()))?;
    ctx.state().object_callbacks.insert(callback_id, (rid, key));
    Ok(CallbackIdMsg { callback_id })
}

fn deregister(ctx: &Ctx<'_>, a: CallbackIdMsg, family: ObjectFamily) -> CallResult<()> {
    let conn = ctx.conn()?;
    let removed = {
        let mut s = ctx.state();
        match s.object_callbacks.get(&a.callback_id) {
            Some((_, (f, _, _))) if *f == family => s.object_callbacks.remove(&a.callback_id),
            _ => None,
        }
    };
    let Some((rid, _)) = removed else {
        return Err(err(
            1,
            7,
            format!(
                "internal error: {} event callback {} not registered",
                family_name(family),
                a.callback_id
            ),
        ));
    };
    Ok(conn.object_event_deregister_any(rid)?)
}

macro_rules! forward {
    ($client:expr, $cb:expr) => {{
        let client = $client;
        let cb = $cb;
        move |ev: ObjectEvent| {
            if let (Some(c), Some(f)) = (client.upgrade(), event_frame(cb, &ev)) {
                c.queue_frame(&f);
            }
        }
    }};
}

/// CONNECT_NETWORK_EVENT_REGISTER_ANY.
pub(crate) fn network_register(
    ctx: &Ctx<'_>,
    a: EventRegisterArgs<RemoteNonnullNetwork>,
) -> CallResult<CallbackIdMsg> {
    let key = (
        ObjectFamily::Network,
        a.event_id,
        a.obj
            .as_ref()
            .map(|n| rvirt_core::Uuid::from_bytes(n.uuid).to_string()),
    );
    register(ctx, key, 1, |conn, cb, client| {
        let filter = a.obj.map(|w| Network::from_ref(conn.clone(), w.into()));
        let send = forward!(client, cb);
        let id = NetworkEventId::from_raw(a.event_id).unwrap_or(NetworkEventId::Lifecycle);
        conn.network_event_register_any(filter.as_ref(), id, move |n, e| {
            send(ObjectEvent::Network(n.object_ref().clone(), *e))
        })
    })
}

/// CONNECT_NETWORK_EVENT_DEREGISTER_ANY.
pub(crate) fn network_deregister(ctx: &Ctx<'_>, a: CallbackIdMsg) -> CallResult<()> {
    deregister(ctx, a, ObjectFamily::Network)
}

/// CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY.
pub(crate) fn pool_register(
    ctx: &Ctx<'_>,
    a: EventRegisterArgs<RemoteNonnullStoragePool>,
) -> CallResult<CallbackIdMsg> {
    let key = (
        ObjectFamily::StoragePool,
        a.event_id,
        a.obj
            .as_ref()
            .map(|p| rvirt_core::Uuid::from_bytes(p.uuid).to_string()),
    );
    register(ctx, key, 2, |conn, cb, client| {
        let filter = a.obj.map(|w| StoragePool::from_ref(conn.clone(), w.into()));
        let send = forward!(client, cb);
        let id = StoragePoolEventId::from_raw(a.event_id).unwrap_or(StoragePoolEventId::Lifecycle);
        conn.storage_pool_event_register_any(filter.as_ref(), id, move |p, e| {
            send(ObjectEvent::StoragePool(p.object_ref().clone(), *e))
        })
    })
}

/// CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY.
pub(crate) fn pool_deregister(ctx: &Ctx<'_>, a: CallbackIdMsg) -> CallResult<()> {
    deregister(ctx, a, ObjectFamily::StoragePool)
}

/// CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY.
pub(crate) fn node_device_register(
    ctx: &Ctx<'_>,
    a: EventRegisterArgs<RemoteNonnullNodeDevice>,
) -> CallResult<CallbackIdMsg> {
    let key = (
        ObjectFamily::NodeDevice,
        a.event_id,
        a.obj.as_ref().map(|d| d.name.clone()),
    );
    register(ctx, key, 2, |conn, cb, client| {
        let filter = a
            .obj
            .map(|w| NodeDevice::from_ref(conn.clone(), NodeDeviceRef { name: w.name }));
        let send = forward!(client, cb);
        let id = NodeDeviceEventId::from_raw(a.event_id).unwrap_or(NodeDeviceEventId::Lifecycle);
        conn.node_device_event_register_any(filter.as_ref(), id, move |d, e| {
            send(ObjectEvent::NodeDevice(d.object_ref().clone(), *e))
        })
    })
}

/// CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY.
pub(crate) fn node_device_deregister(ctx: &Ctx<'_>, a: CallbackIdMsg) -> CallResult<()> {
    deregister(ctx, a, ObjectFamily::NodeDevice)
}

/// CONNECT_SECRET_EVENT_REGISTER_ANY.
pub(crate) fn secret_register(
    ctx: &Ctx<'_>,
    a: EventRegisterArgs<RemoteNonnullSecret>,
) -> CallResult<CallbackIdMsg> {
    let key = (
        ObjectFamily::Secret,
        a.event_id,
        a.obj
            .as_ref()
            .map(|s| rvirt_core::Uuid::from_bytes(s.uuid).to_string()),
    );
    register(ctx, key, 2, |conn, cb, client| {
        let filter = a.obj.map(|w| Secret::from_ref(conn.clone(), w.into()));
        let send = forward!(client, cb);
        let id = SecretEventId::from_raw(a.event_id).unwrap_or(SecretEventId::Lifecycle);
        conn.secret_event_register_any(filter.as_ref(), id, move |s, e| {
            send(ObjectEvent::Secret(s.object_ref().clone(), *e))
        })
    })
}

/// CONNECT_SECRET_EVENT_DEREGISTER_ANY.
pub(crate) fn secret_deregister(ctx: &Ctx<'_>, a: CallbackIdMsg) -> CallResult<()> {
    deregister(ctx, a, ObjectFamily::Secret)
}

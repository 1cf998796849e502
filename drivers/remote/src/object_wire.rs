//! Sans-io decoding of the network, storage pool, node device and secret event
//! MESSAGEs a daemon sends (315, 370, 373, 376, 377, 382, 383).

use rvirt_core::api::{
    NetworkEvent, NetworkLifecycle, NodeDeviceEvent, NodeDeviceLifecycle, ObjectEvent, SecretEvent,
    SecretLifecycle, StoragePoolEvent, StoragePoolLifecycle,
};
use rvirt_rpc::types::*;
use rvirt_rpc::{Message, procs};

/// The object event `msg` carries, if it is one rvirt knows.
pub(crate) fn event(msg: &Message) -> Option<ObjectEvent> {
    Some(match msg.header.proc_ {
        procs::NETWORK_EVENT_LIFECYCLE => {
            let m: LifecycleMsg<RemoteNonnullNetwork> = msg.decode_payload().ok()?;
            let l = NetworkLifecycle::from_raw(m.event)?;
            ObjectEvent::Network(m.obj.into(), NetworkEvent::Lifecycle(l))
        }
        procs::STORAGE_POOL_EVENT_LIFECYCLE => {
            let m: LifecycleMsg<RemoteNonnullStoragePool> = msg.decode_payload().ok()?;
            let l = StoragePoolLifecycle::from_raw(m.event)?;
            ObjectEvent::StoragePool(m.obj.into(), StoragePoolEvent::Lifecycle(l))
        }
        procs::STORAGE_POOL_EVENT_REFRESH => {
            let m: ObjEventMsg<RemoteNonnullStoragePool> = msg.decode_payload().ok()?;
            ObjectEvent::StoragePool(m.obj.into(), StoragePoolEvent::Refresh)
        }
        procs::NODE_DEVICE_EVENT_LIFECYCLE => {
            let m: LifecycleMsg<RemoteNonnullNodeDevice> = msg.decode_payload().ok()?;
            let l = NodeDeviceLifecycle::from_raw(m.event)?;
            ObjectEvent::NodeDevice(m.obj.into(), NodeDeviceEvent::Lifecycle(l))
        }
        procs::NODE_DEVICE_EVENT_UPDATE => {
            let m: ObjEventMsg<RemoteNonnullNodeDevice> = msg.decode_payload().ok()?;
            ObjectEvent::NodeDevice(m.obj.into(), NodeDeviceEvent::Update)
        }
        procs::SECRET_EVENT_LIFECYCLE => {
            let m: LifecycleMsg<RemoteNonnullSecret> = msg.decode_payload().ok()?;
            let l = SecretLifecycle::from_raw(m.event)?;
            ObjectEvent::Secret(m.obj.into(), SecretEvent::Lifecycle(l))
        }
        procs::SECRET_EVENT_VALUE_CHANGED => {
            let m: ObjEventMsg<RemoteNonnullSecret> = msg.decode_payload().ok()?;
            ObjectEvent::Secret(m.obj.into(), SecretEvent::ValueChanged)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_rpc::{Header, MessageType, REMOTE_PROGRAM};

    #[test]
    fn pool_refresh_and_network_lifecycle_decode() {
        let header = |p| Header {
            msg_type: MessageType::MESSAGE,
            ..Header::call(REMOTE_PROGRAM, 1, p, 1)
        };
        let pool = RemoteNonnullStoragePool {
            name: "p".into(),
            uuid: [1; 16],
        };
        let msg = Message::with_body(
            header(procs::STORAGE_POOL_EVENT_REFRESH),
            &ObjEventMsg {
                callback_id: 3,
                obj: pool,
            },
        )
        .unwrap();
        assert!(matches!(
            event(&msg),
            Some(ObjectEvent::StoragePool(r, StoragePoolEvent::Refresh)) if r.name == "p"
        ));
        let net = RemoteNonnullNetwork {
            name: "n".into(),
            uuid: [2; 16],
        };
        let msg = Message::with_body(
            header(procs::NETWORK_EVENT_LIFECYCLE),
            &LifecycleMsg {
                callback_id: 0,
                obj: net.clone(),
                event: 3,
                detail: 0,
            },
        )
        .unwrap();
        assert!(matches!(
            event(&msg),
            Some(ObjectEvent::Network(
                _,
                NetworkEvent::Lifecycle(NetworkLifecycle::Stopped)
            ))
        ));
        let bad = Message::with_body(
            header(procs::NETWORK_EVENT_LIFECYCLE),
            &LifecycleMsg {
                callback_id: 0,
                obj: net,
                event: 9,
                detail: 0,
            },
        )
        .unwrap();
        assert!(event(&bad).is_none());
    }
}

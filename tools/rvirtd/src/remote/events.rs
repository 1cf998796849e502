//! Domain event MESSAGE packets pushed to clients.
//!
//! libvirtd 9.0 sends events as type MESSAGE, status OK, serial 1; the callback variant
//! (DOMAIN_EVENT_CALLBACK_LIFECYCLE, 318) carries the client's callbackID, the legacy
//! one (DOMAIN_EVENT_LIFECYCLE, 107) does not.

use rvirt_core::{Domain, Lifecycle};
use rvirt_rpc::types::{DomainEventCallbackLifecycleMsg, DomainEventLifecycleMsg};
use rvirt_rpc::{
    Header, MessageStatus, MessageType, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
    RemoteNonnullDomain, encode_message_with, procs,
};

/// The wire reference of a domain handle (id -1 when inactive).
pub(crate) fn remote_domain(dom: &Domain) -> RemoteNonnullDomain {
    RemoteNonnullDomain {
        name: dom.name().to_string(),
        uuid: *dom.uuid().as_bytes(),
        id: dom.id().map_or(-1, |id| id as i32),
    }
}

/// Header of an event MESSAGE for procedure `proc_`.
fn event_header(proc_: i32) -> Header {
    Header {
        prog: REMOTE_PROGRAM,
        vers: REMOTE_PROTOCOL_VERSION,
        proc_,
        msg_type: MessageType::MESSAGE,
        serial: 1,
        status: MessageStatus::OK,
    }
}

fn lifecycle_msg(dom: &Domain, event: Lifecycle) -> DomainEventLifecycleMsg {
    DomainEventLifecycleMsg {
        dom: remote_domain(dom),
        event: event.event_raw(),
        detail: event.detail_raw(),
    }
}

/// DOMAIN_EVENT_CALLBACK_LIFECYCLE for registration `callback_id`.
pub(crate) fn callback_lifecycle(
    callback_id: i32,
    dom: &Domain,
    event: Lifecycle,
) -> Option<Vec<u8>> {
    let msg = DomainEventCallbackLifecycleMsg {
        callback_id,
        msg: lifecycle_msg(dom, event),
    };
    encode_message_with(&event_header(procs::DOMAIN_EVENT_CALLBACK_LIFECYCLE), &msg).ok()
}

/// Legacy DOMAIN_EVENT_LIFECYCLE.
pub(crate) fn legacy_lifecycle(dom: &Domain, event: Lifecycle) -> Option<Vec<u8>> {
    encode_message_with(
        &event_header(procs::DOMAIN_EVENT_LIFECYCLE),
        &lifecycle_msg(dom, event),
    )
    .ok()
}

//! Domain event MESSAGE packets pushed to clients.
//!
//! libvirtd 9.0 sends events as type MESSAGE, status OK, serial 1, in the callback form
//! (with the client's callbackID) or, for registrations made with the legacy API, the
//! legacy form; [`rvirt_rpc::domain_events`] lays out both.

use rvirt_core::{Domain, DomainEvent};
use rvirt_rpc::domain_events::{self, EventForm};
use rvirt_rpc::{
    Header, Message, MessageStatus, MessageType, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
    RemoteNonnullDomain,
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

/// The encoded MESSAGE for `event` about `dom` in `form`; `None` when the form has no
/// message for it (the legacy form of ids 16 and up, as in libvirtd).
pub(crate) fn frame(form: EventForm, dom: &Domain, event: &DomainEvent) -> Option<Vec<u8>> {
    let (proc_, payload) = domain_events::encode(form, &remote_domain(dom), event)?;
    Message {
        header: event_header(proc_),
        payload,
    }
    .encode()
    .ok()
}

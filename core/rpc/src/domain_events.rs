//! Domain events on the wire: every [`DomainEvent`] as the MESSAGE libvirtd sends for
//! it, both ways.
//!
//! libvirt has two forms. The *callback* form (one procedure per event id, 318–333 and
//! the newer 339…438) starts with the client's `callbackID`; the *legacy* form (107,
//! 169…311) is the same body without it and exists only for ids 0–15. Ids 16 and up
//! have no legacy form: libvirtd relays nothing to a legacy registration of them. All
//! bodies are `dom` followed by the event's fields; the callback form of the three
//! power-management events puts an `int reason` between `callbackID` and `dom`.
//!
//! ```
//! use rvirt_core::api::{DomainEvent, TrayChangeReason};
//! use rvirt_rpc::RemoteNonnullDomain;
//! use rvirt_rpc::domain_events::{EventForm, decode, encode};
//!
//! let dom = RemoteNonnullDomain { name: "vm".into(), uuid: [1; 16], id: 3 };
//! let ev = DomainEvent::TrayChange { dev_alias: "ide0-1-0".into(), reason: TrayChangeReason::Open };
//! let (proc_, payload) = encode(EventForm::Callback(7), &dom, &ev).unwrap();
//! assert_eq!(proc_, 328); // DOMAIN_EVENT_CALLBACK_TRAY_CHANGE
//! let got = decode(proc_, &payload).unwrap();
//! assert_eq!((got.callback_id, got.dom, got.event), (Some(7), dom, ev));
//! ```

use rvirt_core::DomainEvent;
use rvirt_core::api::{DomainEventId, TypedParam as ApiParam};
use serde::{Deserialize, Serialize};

use crate::types::RemoteNonnullDomain;

mod fields;

/// Which of the two message forms to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventForm {
    /// The callback form, for the registration with this `callbackID`.
    Callback(i32),
    /// The legacy form (registrations made with CONNECT_DOMAIN_EVENT_REGISTER_ANY).
    Legacy,
}

/// A decoded event MESSAGE.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedEvent {
    /// The registration it is for; `None` for the legacy form.
    pub callback_id: Option<i32>,
    /// The domain, with its id when the event was raised.
    pub dom: RemoteNonnullDomain,
    /// The event.
    pub event: DomainEvent,
}

/// Callback-form procedure numbers, indexed by event id.
const CALLBACK_PROCS: [i32; 27] = [
    318, 319, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 339, 346, 348,
    354, 359, 363, 367, 379, 385, 423, 438,
];

/// Legacy-form procedure numbers, indexed by event id (ids 0–15 only).
const LEGACY_PROCS: [i32; 16] = [
    107, 169, 170, 171, 172, 173, 195, 224, 241, 248, 268, 269, 270, 276, 292, 311,
];

/// The procedure that carries events of `id` in `form`; `None` for the legacy form
/// of ids 16 and up.
pub fn procedure(id: DomainEventId, legacy: bool) -> Option<i32> {
    let i = usize::try_from(id.as_raw()).ok()?;
    if legacy {
        LEGACY_PROCS.get(i).copied()
    } else {
        CALLBACK_PROCS.get(i).copied()
    }
}

/// The event id and form a procedure number carries, if it is a domain event.
pub fn event_of_procedure(proc_: i32) -> Option<(DomainEventId, bool)> {
    let find = |table: &[i32]| table.iter().position(|&p| p == proc_);
    let (i, legacy) = match find(&CALLBACK_PROCS) {
        Some(i) => (i, false),
        None => (find(&LEGACY_PROCS)?, true),
    };
    Some((DomainEventId::from_raw(i32::try_from(i).ok()?)?, legacy))
}

fn is_power_management(id: DomainEventId) -> bool {
    matches!(
        id,
        DomainEventId::PmWakeup | DomainEventId::PmSuspend | DomainEventId::PmSuspendDisk
    )
}

/// Encodes `event` about `dom` as the procedure number and payload of its MESSAGE;
/// `None` when the form has no message for the event (legacy form, id ≥ 16) or the
/// payload breaks libvirt's limits.
pub fn encode(
    form: EventForm,
    dom: &RemoteNonnullDomain,
    event: &DomainEvent,
) -> Option<(i32, Vec<u8>)> {
    let id = event.id();
    let proc_ = procedure(id, form == EventForm::Legacy)?;
    let mut out = Vec::new();
    if let EventForm::Callback(cb) = form {
        rvirt_xdr::serialize_into(&mut out, &cb).ok()?;
        if is_power_management(id) {
            rvirt_xdr::serialize_into(&mut out, &fields::pm_reason(event)).ok()?;
        }
    }
    rvirt_xdr::serialize_into(&mut out, dom).ok()?;
    fields::encode(event, &mut out)?;
    Some((proc_, out))
}

/// Decodes the payload of event MESSAGE `proc_`; `None` for procedures that are not
/// domain events and for payloads that do not decode (unknown enum numbers included).
pub fn decode(proc_: i32, payload: &[u8]) -> Option<DecodedEvent> {
    let (id, legacy) = event_of_procedure(proc_)?;
    let mut rest = payload;
    let mut callback_id = None;
    let mut pm_reason = 0;
    if !legacy {
        callback_id = Some(fields::take::<i32>(&mut rest)?);
        if is_power_management(id) {
            pm_reason = fields::take::<i32>(&mut rest)?;
        }
    }
    let dom = fields::take::<RemoteNonnullDomain>(&mut rest)?;
    let event = fields::decode(id, pm_reason, &mut rest)?;
    if !rest.is_empty() {
        return None;
    }
    Some(DecodedEvent {
        callback_id,
        dom,
        event,
    })
}

/// A typed parameter as the wire carries it.
fn to_wire_param(p: &ApiParam) -> crate::typed_param::TypedParam {
    p.clone().into()
}

/// Serde shape of `remote_domain_event_graphics_address`.
#[derive(Serialize, Deserialize)]
struct WireAddress {
    family: i32,
    node: String,
    service: String,
}

/// Serde shape of `remote_domain_event_graphics_identity`.
#[derive(Serialize, Deserialize)]
struct WireIdentity {
    kind: String,
    name: String,
}

#[cfg(test)]
mod tests;

//! Sans-io helpers: domain references both ways, reply decoding, and sorting what the
//! server sends into replies, keepalive and events.

use rvirt_core::driver::DomainRef;
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Result, Uuid};
use rvirt_rpc::domain_events;
use rvirt_rpc::{
    KEEPALIVE_PROGRAM, Message, MessageStatus, MessageType, REMOTE_PROGRAM, RemoteError,
    RemoteNonnullDomain, procs,
};
use serde::de::DeserializeOwned;

/// A wire domain reference as the public API's [`DomainRef`] (id -1 = inactive).
pub fn to_ref(d: RemoteNonnullDomain) -> DomainRef {
    DomainRef {
        name: d.name,
        uuid: Uuid::from_bytes(d.uuid),
        id: u32::try_from(d.id).ok(),
    }
}

/// A [`DomainRef`] as a wire domain reference.
pub fn to_wire(d: &DomainRef) -> RemoteNonnullDomain {
    RemoteNonnullDomain {
        name: d.name.clone(),
        uuid: *d.uuid.as_bytes(),
        id: d.id.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1),
    }
}

/// Turns the REPLY to call `proc_` into its return value or the server's error.
pub fn decode_reply<R: DeserializeOwned>(proc_: i32, msg: &Message) -> Result<R> {
    if msg.header.proc_ != proc_ {
        return Err(rpc_error(format!(
            "Unexpected message proc {} != {proc_}",
            msg.header.proc_
        )));
    }
    match msg.header.status {
        // The descriptors' count comes before the return value.
        MessageStatus::OK if msg.header.msg_type == MessageType::REPLY_WITH_FDS => {
            let body = Message {
                header: msg.header,
                payload: msg.payload.get(4..).unwrap_or_default().to_vec(),
            };
            Ok(body.decode_payload()?)
        }
        MessageStatus::OK => Ok(msg.decode_payload()?),
        MessageStatus::ERROR => {
            let e: RemoteError = msg.decode_payload()?;
            Err(e.to_error())
        }
        s => Err(rpc_error(format!("Unexpected message status {}", s.0))),
    }
}

/// A protocol-level failure (`VIR_ERR_RPC` from `VIR_FROM_RPC`).
pub fn rpc_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::Rpc, ErrorDomain::Rpc, msg)
}

/// How many descriptors `msg` (a REPLY_WITH_FDS) announces; 0 for any other message.
pub fn passed_fd_count(msg: &Message) -> usize {
    if msg.header.msg_type != MessageType::REPLY_WITH_FDS {
        return 0;
    }
    msg.payload
        .get(..4)
        .map_or(0, |w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]) as usize)
}

/// What one message from the server means to the client.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// The reply to the call with this serial.
    Reply(u32, Message),
    /// A STREAM or STREAM_HOLE packet of the stream with its serial.
    Stream(Message),
    /// A keepalive PING: answer with PONG.
    Ping,
    /// A domain event for the connection's callbacks.
    Event(DomainRef, DomainEvent),
    /// A network, storage pool, node device or secret event.
    Object(rvirt_core::api::ObjectEvent),
    /// Anything else (PONG, events rvirt does not decode, stray types): ignored.
    Ignored,
}

/// Sorts a message received from the server.
pub fn classify(msg: Message) -> Incoming {
    let h = msg.header;
    if h.prog == KEEPALIVE_PROGRAM {
        return if h.msg_type == MessageType::MESSAGE && h.proc_ == procs::keepalive::PING {
            Incoming::Ping
        } else {
            Incoming::Ignored
        };
    }
    // Replies to LIBVIRT_QEMU calls share the connection's serials.
    if h.prog == rvirt_rpc::qemu::QEMU_PROGRAM && h.msg_type == MessageType::REPLY {
        return Incoming::Reply(h.serial, msg);
    }
    if h.prog != REMOTE_PROGRAM {
        return Incoming::Ignored;
    }
    match h.msg_type {
        MessageType::REPLY | MessageType::REPLY_WITH_FDS => Incoming::Reply(h.serial, msg),
        MessageType::STREAM | MessageType::STREAM_HOLE => Incoming::Stream(msg),
        MessageType::MESSAGE if h.status == MessageStatus::OK => {
            match crate::object_wire::event(&msg) {
                Some(ev) => Incoming::Object(ev),
                None => domain_event(&msg),
            }
        }
        _ => Incoming::Ignored,
    }
}

/// A domain event MESSAGE of either form; anything that does not decode is ignored.
fn domain_event(msg: &Message) -> Incoming {
    match domain_events::decode(msg.header.proc_, &msg.payload) {
        Some(d) => Incoming::Event(to_ref(d.dom), d.event),
        None => Incoming::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::api::{DefinedDetail, Lifecycle, StartedDetail, TrayChangeReason};
    use rvirt_rpc::types::DomainEventLifecycleMsg;
    use rvirt_rpc::{FrameDecoder, Header, encode_message, keepalive_header};
    use rvirt_testkit::bytes::hex;

    fn decode(bytes: &[u8]) -> Message {
        let mut d = FrameDecoder::new();
        d.feed(bytes).unwrap();
        d.next_message().unwrap()
    }

    #[test]
    fn traced_defined_event_is_decoded() {
        // The "Defined Added" frame from reference/traces (proc 318, serial 1).
        let frame = hex(
            "00000044 20008086 00000001 0000013e 00000002 00000001 00000000 00000000
             00000004 64656d6f 123456789abcdef0123456789abcdef0 ffffffff 00000000 00000000",
        );
        let Incoming::Event(dom, ev) = classify(decode(&frame)) else {
            panic!("not an event")
        };
        assert_eq!(dom.name, "demo");
        assert_eq!(dom.id, None);
        assert_eq!(
            dom.uuid.hyphenated().to_string(),
            "12345678-9abc-def0-1234-56789abcdef0"
        );
        assert_eq!(
            ev,
            DomainEvent::Lifecycle(Lifecycle::Defined(DefinedDetail::Added))
        );
    }

    #[test]
    fn non_lifecycle_events_are_decoded() {
        let dom = RemoteNonnullDomain {
            name: "t".into(),
            uuid: [7; 16],
            id: 2,
        };
        let ev = DomainEvent::TrayChange {
            dev_alias: "ide0-1-0".into(),
            reason: TrayChangeReason::Close,
        };
        let (proc_, payload) =
            domain_events::encode(domain_events::EventForm::Callback(3), &dom, &ev).unwrap();
        let msg = Message {
            header: Header {
                msg_type: MessageType::MESSAGE,
                ..Header::call(REMOTE_PROGRAM, 1, proc_, 1)
            },
            payload,
        };
        assert_eq!(classify(msg), Incoming::Event(to_ref(dom), ev));
    }

    #[test]
    fn legacy_event_ping_and_reply() {
        let msg = Message::with_body(
            Header {
                msg_type: MessageType::MESSAGE,
                ..Header::call(REMOTE_PROGRAM, 1, procs::DOMAIN_EVENT_LIFECYCLE, 0)
            },
            &DomainEventLifecycleMsg {
                dom: RemoteNonnullDomain {
                    name: "t".into(),
                    uuid: [7; 16],
                    id: 3,
                },
                event: 2,
                detail: 0,
            },
        )
        .unwrap();
        match classify(msg) {
            Incoming::Event(d, DomainEvent::Lifecycle(l)) => {
                assert_eq!(d.id, Some(3));
                assert_eq!(l, Lifecycle::Started(StartedDetail::Booted));
            }
            other => panic!("{other:?}"),
        }
        let ping = encode_message(&keepalive_header(procs::keepalive::PING), &[]).unwrap();
        assert_eq!(classify(decode(&ping)), Incoming::Ping);
        let pong = encode_message(&keepalive_header(procs::keepalive::PONG), &[]).unwrap();
        assert_eq!(classify(decode(&pong)), Incoming::Ignored);
        let reply = Message {
            header: Header::call(REMOTE_PROGRAM, 1, 66, 9).reply(MessageStatus::OK),
            payload: vec![],
        };
        assert!(matches!(classify(reply), Incoming::Reply(9, _)));
        // An event number libvirt 9 does not define is dropped, not mis-delivered.
        let mut bad = decode(&hex(
            "00000044 20008086 00000001 0000013e 00000002 00000001 00000000 00000000
             00000004 64656d6f 123456789abcdef0123456789abcdef0 ffffffff 00000063 00000000",
        ));
        assert_eq!(classify(bad.clone()), Incoming::Ignored);
        bad.header.proc_ = 999;
        assert_eq!(classify(bad), Incoming::Ignored);
    }

    #[test]
    fn replies_decode_values_and_errors() {
        // libvirtd's traced reply to looking up a missing domain in the test driver.
        let err = Message {
            header: Header::call(REMOTE_PROGRAM, 1, 23, 6).reply(MessageStatus::ERROR),
            payload: hex(
                "0000002a 0000000c 00000001 00000010 446f6d61696e206e6f7420666f756e64
                 00000002 00000000 00000001 00000010 446f6d61696e206e6f7420666f756e64
                 00000000 00000000 ffffffff ffffffff 00000000",
            ),
        };
        let e = decode_reply::<()>(23, &err).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoDomain);
        assert_eq!(e.domain(), ErrorDomain::Test);
        // Unknown procedures become NO_SUPPORT, as in libvirt's client.
        let unknown = Message::with_body(
            Header::call(REMOTE_PROGRAM, 1, 231, 2).reply(MessageStatus::ERROR),
            &RemoteError::unknown_procedure(231),
        )
        .unwrap();
        assert_eq!(
            decode_reply::<()>(231, &unknown).unwrap_err().code(),
            ErrorCode::NoSupport
        );
        // A reply for another procedure is a protocol error.
        assert_eq!(
            decode_reply::<()>(24, &unknown).unwrap_err().code(),
            ErrorCode::Rpc
        );
        let ok = Message {
            header: Header::call(REMOTE_PROGRAM, 1, 150, 3).reply(MessageStatus::OK),
            payload: hex("00000001"),
        };
        let r: rvirt_rpc::types::DomainIsActiveRet = decode_reply(150, &ok).unwrap();
        assert_eq!(r.active, 1);
        assert!(decode_reply::<()>(150, &ok).is_err(), "trailing bytes");
    }

    #[test]
    fn domain_refs_round_trip() {
        let r = DomainRef {
            name: "x".into(),
            uuid: Uuid::from_bytes([1; 16]),
            id: None,
        };
        assert_eq!(to_wire(&r).id, -1);
        assert_eq!(to_ref(to_wire(&r)), r);
        let r = DomainRef { id: Some(4), ..r };
        assert_eq!(to_ref(to_wire(&r)), r);
    }
}

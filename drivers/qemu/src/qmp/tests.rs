//! Codec unit tests.

use serde_json::{Value, json};

use super::*;

fn drain(codec: &mut QmpCodec) -> Vec<Result<Message, QmpError>> {
    std::iter::from_fn(|| codec.next_message()).collect()
}

const GREETING: &[u8] = br#"{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}"#;

#[test]
fn greeting_decodes() {
    let mut c = QmpCodec::new();
    c.feed(GREETING);
    c.feed(b"\r\n");
    let msgs = drain(&mut c);
    assert_eq!(
        msgs,
        vec![Ok(Message::Greeting {
            version: QemuVersion {
                major: 7,
                minor: 2,
                micro: 22
            },
            package: "Debian 1:7.2+dfsg-7+deb12u18+b3".into(),
            capabilities: vec!["oob".into()],
        })]
    );
    assert_eq!(c.buffered(), 0);
}

#[test]
fn return_error_event_in_one_feed() {
    let mut c = QmpCodec::new();
    c.feed(
        b"{\"return\": {}, \"id\": \"rvirt-1\"}\r\n\
          {\"id\": \"rvirt-2\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command foo has not been found\"}}\r\n\
          {\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 123456}, \"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}\r\n\
          {\"return\": [], \"id\": 7}\n",
    );
    let msgs: Vec<Message> = drain(&mut c).into_iter().map(Result::unwrap).collect();
    assert_eq!(msgs.len(), 4);
    assert_eq!(
        msgs[0],
        Message::Return {
            id: Some("rvirt-1".into()),
            value: json!({})
        }
    );
    assert_eq!(
        msgs[1],
        Message::Error {
            id: Some("rvirt-2".into()),
            class: "CommandNotFound".into(),
            desc: "The command foo has not been found".into()
        }
    );
    match &msgs[2] {
        Message::Event {
            name,
            data,
            timestamp,
            event,
        } => {
            assert_eq!(name, "SHUTDOWN");
            assert_eq!(data["reason"], "guest-shutdown");
            assert_eq!(
                *timestamp,
                Timestamp {
                    seconds: 1_700_000_000,
                    microseconds: 123_456
                }
            );
            assert_eq!(
                *event,
                QmpEvent::Shutdown {
                    guest: Some(true),
                    reason: Some("guest-shutdown".into())
                }
            );
        }
        other => panic!("{other:?}"),
    }
    // Non-string ids are kept as their JSON text.
    assert_eq!(
        msgs[3],
        Message::Return {
            id: Some("7".into()),
            value: json!([])
        }
    );
}

#[test]
fn partial_lines_across_feeds_byte_by_byte() {
    let input = b"{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n{\"event\": \"RESUME\"}\r\n";
    let mut c = QmpCodec::new();
    let mut got = Vec::new();
    for b in input.iter() {
        c.feed(std::slice::from_ref(b));
        got.extend(drain(&mut c));
    }
    let names: Vec<_> = got
        .into_iter()
        .map(|m| match m.unwrap() {
            Message::Event { event, .. } => event,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names, vec![QmpEvent::Stop, QmpEvent::Resume]);
}

#[test]
fn unknown_event_is_other_not_error() {
    let mut c = QmpCodec::new();
    c.feed(b"{\"event\": \"SOME_FUTURE_EVENT\", \"data\": {\"a\": [1, 2]}, \"timestamp\": {\"seconds\": 0, \"microseconds\": 0}}\r\n");
    match c.next_message() {
        Some(Ok(Message::Event { event, .. })) => assert_eq!(
            event,
            QmpEvent::Other {
                name: "SOME_FUTURE_EVENT".into(),
                data: json!({"a": [1, 2]})
            }
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_is_an_error_and_decoding_continues() {
    let mut c = QmpCodec::new();
    c.feed(b"this is not json\r\n[1,2]\r\n{\"foo\": 1}\r\n{\"event\": 5}\r\n{\"error\": {}}\r\n\r\n{\"return\": 1, \"id\": \"rvirt-9\"}\r\n");
    let msgs = drain(&mut c);
    assert_eq!(msgs.len(), 6, "{msgs:?}");
    assert!(
        matches!(&msgs[0], Err(QmpError::InvalidJson { line, .. }) if line == "this is not json")
    );
    assert_eq!(
        msgs[1],
        Err(QmpError::NotAnObject {
            line: "[1,2]".into()
        })
    );
    assert!(matches!(msgs[2], Err(QmpError::UnknownReply { .. })));
    assert!(matches!(msgs[3], Err(QmpError::UnknownReply { .. })));
    assert!(matches!(msgs[4], Err(QmpError::UnknownReply { .. })));
    assert_eq!(
        msgs[5],
        Ok(Message::Return {
            id: Some("rvirt-9".into()),
            value: json!(1)
        })
    );
    // Errors map to libvirt's VIR_ERR_INTERNAL_ERROR in the QEMU domain.
    let err: rvirt_core::Error = msgs[1].clone().unwrap_err().into();
    assert_eq!(err.code(), rvirt_core::ErrorCode::InternalError);
    assert_eq!(err.domain(), rvirt_core::ErrorDomain::Qemu);
    assert!(err.message().contains("isn't an object"), "{err}");
}

#[test]
fn invalid_utf8_is_an_error() {
    let mut c = QmpCodec::new();
    c.feed(b"{\"return\": \"\xff\xfe\"}\r\n{\"return\": 2}\r\n");
    let msgs = drain(&mut c);
    assert!(matches!(msgs[0], Err(QmpError::InvalidJson { .. })));
    assert!(matches!(msgs[1], Ok(Message::Return { .. })));
}

#[test]
fn oversized_line_is_an_error_then_recovers() {
    let mut c = QmpCodec::with_max_line(64);
    // Arrives in pieces without a newline: discarded as it grows.
    let big = vec![b'x'; 50];
    c.feed(&big);
    assert!(c.next_message().is_none());
    c.feed(&big);
    assert_eq!(
        c.next_message(),
        Some(Err(QmpError::LineTooLong { limit: 64 }))
    );
    assert_eq!(c.buffered(), 0);
    c.feed(&big); // still the same line
    assert!(c.next_message().is_none());
    assert_eq!(c.buffered(), 0);
    c.feed(b"xxx\r\n{\"return\": {}}\r\n");
    assert_eq!(
        drain(&mut c),
        vec![Ok(Message::Return {
            id: None,
            value: json!({})
        })]
    );

    // An oversized line that arrives complete in one feed.
    let mut line = vec![b' '; 100];
    line.extend_from_slice(b"{}\r\n{\"return\": 3}\r\n");
    c.feed(&line);
    let msgs = drain(&mut c);
    assert_eq!(msgs[0], Err(QmpError::LineTooLong { limit: 64 }));
    assert!(matches!(msgs[1], Ok(Message::Return { .. })));
    let err: rvirt_core::Error = QmpError::LineTooLong { limit: 64 }.into();
    assert_eq!(err.code(), rvirt_core::ErrorCode::InternalError);
}

#[test]
fn default_limit_is_16_mib() {
    assert_eq!(DEFAULT_MAX_LINE, 16 << 20);
}

#[test]
fn commands_encode_with_counter_ids_and_crlf() {
    let mut c = QmpCodec::new();
    let (id1, b1) = c.encode_command("qmp_capabilities", None);
    let (id2, b2) = c.encode_command("device_del", Some(json!({"id": "net0"})));
    assert_eq!(id1, "rvirt-1");
    assert_eq!(id2, "rvirt-2");
    assert!(b1.ends_with(b"\r\n") && b2.ends_with(b"\r\n"));
    assert_eq!(b1.iter().filter(|&&b| b == b'\n').count(), 1);
    let v1: Value = serde_json::from_slice(&b1).unwrap();
    assert_eq!(v1, json!({"execute": "qmp_capabilities", "id": "rvirt-1"}));
    let v2: Value = serde_json::from_slice(&b2).unwrap();
    assert_eq!(
        v2,
        json!({"execute": "device_del", "arguments": {"id": "net0"}, "id": "rvirt-2"})
    );
    // String escaping keeps one command per line.
    let (_, b3) = c.encode_command(
        "human-monitor-command",
        Some(json!({"command-line": "a\nb"})),
    );
    assert_eq!(b3.iter().filter(|&&b| b == b'\n').count(), 1);
}

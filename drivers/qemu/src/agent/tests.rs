use serde_json::json;

use super::{AgentCodec, AgentError, AgentOutput};

/// Begins `guest-ping` with id 7 and completes the handshake.
fn synced() -> AgentCodec {
    let mut c = AgentCodec::new();
    c.begin(7, "guest-ping", None);
    c.feed(b"\xff{\"return\": 7}\n");
    assert!(matches!(c.next_output(), Some(AgentOutput::Synced(_))));
    c
}

#[test]
fn handshake_is_delimited_and_carries_the_id() {
    let mut c = AgentCodec::new();
    let out = c.begin(123456789, "guest-info", Some(json!({"a": 1})));
    assert_eq!(out[0], 0xFF);
    let line: serde_json::Value = serde_json::from_slice(&out[1..]).unwrap();
    assert_eq!(
        line,
        json!({"execute": "guest-sync-delimited", "arguments": {"id": 123456789}})
    );
    assert!(out.ends_with(b"\n"));
    assert!(c.next_output().is_none(), "nothing before the reply");
    c.feed(b"\xff{\"return\": 123456789}\n");
    match c.next_output() {
        Some(AgentOutput::Synced(cmd)) => {
            let v: serde_json::Value = serde_json::from_slice(&cmd).unwrap();
            assert_eq!(v, json!({"execute": "guest-info", "arguments": {"a": 1}}));
        }
        other => panic!("{other:?}"),
    }
    assert!(c.is_synced());
}

#[test]
fn garbage_before_the_delimiter_is_dropped() {
    let mut c = AgentCodec::new();
    c.begin(5, "guest-ping", None);
    // A stale reply of an abandoned command, then half-written junk, then the sync.
    c.feed(b"{\"return\": {\"stale\": true}}\n{\"ret");
    assert!(c.next_output().is_none());
    c.feed(b"urn\x00\x01 garbage \xff{\"return\"");
    assert!(c.next_output().is_none());
    c.feed(b": 5}\n");
    assert!(matches!(c.next_output(), Some(AgentOutput::Synced(_))));
    c.feed(b"{\"return\": {}}\n");
    assert_eq!(c.next_output(), Some(AgentOutput::Return(json!({}))));
    assert!(c.is_idle());
}

#[test]
fn a_stale_sync_reply_is_skipped_even_in_one_read() {
    let mut c = AgentCodec::new();
    c.begin(2, "guest-ping", None);
    c.feed(b"\xff{\"return\": 1}\n");
    c.feed(b"\xff{\"return\": 2}\n");
    assert!(matches!(c.next_output(), Some(AgentOutput::Synced(_))));
}

#[test]
fn a_refused_sync_is_unsynced() {
    let mut c = AgentCodec::new();
    c.begin(9, "guest-ping", None);
    c.feed(b"\xff{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no sync\"}}\n");
    match c.next_output() {
        Some(AgentOutput::Failed(AgentError::Unsynced(why))) => assert!(why.contains("no sync")),
        other => panic!("{other:?}"),
    }
    assert!(c.is_idle());
}

#[test]
fn error_replies_keep_class_and_desc() {
    let mut c = synced();
    c.feed(b"{\"error\": {\"class\": \"GenericError\", \"desc\": \"nope\"}}\r\n");
    assert_eq!(
        c.next_output(),
        Some(AgentOutput::Error {
            class: "GenericError".into(),
            desc: "nope".into()
        })
    );
}

#[test]
fn replies_split_across_reads() {
    let mut c = synced();
    for chunk in [
        &b"{\"return\""[..],
        b": {\"host-name\"",
        b": \"g\"}}",
        b"\n",
    ] {
        assert!(c.next_output().is_none());
        c.feed(chunk);
    }
    assert_eq!(
        c.next_output(),
        Some(AgentOutput::Return(json!({"host-name": "g"})))
    );
}

#[test]
fn oversized_replies_fail_and_are_not_buffered() {
    let mut c = AgentCodec::with_max_reply(64);
    c.begin(1, "guest-get-fsinfo", None);
    c.feed(b"\xff{\"return\": 1}\n");
    assert!(matches!(c.next_output(), Some(AgentOutput::Synced(_))));
    // Megabytes without a newline: refused at the limit, memory stays bounded.
    for _ in 0..64 {
        c.feed(&[b'x'; 16 * 1024]);
    }
    assert_eq!(
        c.next_output(),
        Some(AgentOutput::Failed(AgentError::TooLarge { limit: 64 }))
    );
    assert!(c.is_idle());
    // What follows belongs to nobody until the next command.
    c.feed(b"xxxx\n{\"return\": {}}\n");
    assert!(c.next_output().is_none());
    c.begin(2, "guest-ping", None);
    c.feed(b"\xff{\"return\": 2}\n{\"return\": {}}\n");
    assert!(matches!(c.next_output(), Some(AgentOutput::Synced(_))));
    assert_eq!(c.next_output(), Some(AgentOutput::Return(json!({}))));
}

#[test]
fn an_oversized_line_with_its_newline_fails_too() {
    let mut c = AgentCodec::with_max_reply(32);
    c.begin(1, "guest-ping", None);
    c.feed(b"\xff{\"return\": 1}\n");
    c.next_output();
    let mut long = vec![b' '; 40];
    long.extend_from_slice(b"{\"return\": {}}\n");
    c.feed(&long);
    assert_eq!(
        c.next_output(),
        Some(AgentOutput::Failed(AgentError::TooLarge { limit: 32 }))
    );
}

#[test]
fn invalid_json_and_non_objects_fail_the_command() {
    let mut c = synced();
    c.feed(b"{not json\n");
    assert!(matches!(
        c.next_output(),
        Some(AgentOutput::Failed(AgentError::Invalid(_)))
    ));
    let mut c = synced();
    c.feed(b"[1, 2]\n");
    assert!(matches!(
        c.next_output(),
        Some(AgentOutput::Failed(AgentError::Invalid(_)))
    ));
}

#[test]
fn a_cancelled_command_drops_its_late_reply() {
    let mut c = synced();
    c.cancel();
    c.feed(b"{\"return\": {\"late\": 1}}\n");
    assert!(c.next_output().is_none());
    c.begin(8, "guest-ping", None);
    c.feed(b"\xff{\"return\": 8}\n{\"return\": {}}\n");
    assert!(matches!(c.next_output(), Some(AgentOutput::Synced(_))));
    assert_eq!(c.next_output(), Some(AgentOutput::Return(json!({}))));
}

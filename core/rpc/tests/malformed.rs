//! Hostile and broken input for the framing layer and payload decoding.

use rvirt_rpc::types::{ConnectListAllDomainsRet, DomainLookupByNameArgs};
use rvirt_rpc::{
    FrameDecoder, FrameError, Header, MAX_PACKET_LEN, Message, MessageStatus, MessageType,
    REMOTE_PROGRAM, RemoteError, encode_message, procs,
};

fn call(proc_: i32, payload: &[u8]) -> Vec<u8> {
    encode_message(&Header::call(REMOTE_PROGRAM, 1, proc_, 9), payload).unwrap()
}

#[test]
fn several_frames_in_one_feed_and_a_partial_tail() {
    let a = call(procs::AUTH_LIST, &[]);
    let b = call(procs::CONNECT_SUPPORTS_FEATURE, &[0, 0, 0, 10]);
    let mut wire = [a.clone(), b.clone(), a.clone()].concat();
    wire.truncate(wire.len() - 5);
    let mut dec = FrameDecoder::new();
    dec.feed(&wire).unwrap();
    let got: Vec<Message> = (&mut dec).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].payload, [0, 0, 0, 10]);
    assert_eq!(dec.buffered(), a.len() - 5);
    dec.feed(&a[a.len() - 5..]).unwrap();
    assert_eq!(dec.next_message().unwrap().header.proc_, procs::AUTH_LIST);
    assert_eq!(dec.buffered(), 0);
}

#[test]
fn oversize_length_is_rejected_before_buffering() {
    // The length word libvirtd 9.0 refused in the experiment: 33554437.
    let mut dec = FrameDecoder::new();
    let mut wire = 33_554_437u32.to_be_bytes().to_vec();
    wire.extend_from_slice(&[0u8; 4096]);
    assert_eq!(dec.feed(&wire), Err(FrameError::TooLarge(33_554_437)));
    assert!(dec.buffered() <= 4);
    assert!(dec.is_poisoned());
    assert_eq!(dec.feed(&[0]), Err(FrameError::Poisoned));
    assert_eq!(
        FrameDecoder::new().feed(&u32::MAX.to_be_bytes()),
        Err(FrameError::TooLarge(u64::from(u32::MAX)))
    );
    // The largest legal length is accepted (and only what arrived is buffered).
    let mut dec = FrameDecoder::new();
    dec.feed(&(MAX_PACKET_LEN as u32).to_be_bytes()).unwrap();
    dec.feed(&[0; 100]).unwrap();
    assert_eq!(dec.buffered(), 104);
    assert!(dec.next_message().is_none());
    // A tighter per-decoder limit.
    let mut dec = FrameDecoder::with_max_packet(64);
    assert_eq!(
        dec.feed(&65u32.to_be_bytes()),
        Err(FrameError::TooLarge(65))
    );
}

#[test]
fn length_below_header_size_is_rejected() {
    for len in [0u32, 3, 4, 27] {
        let mut dec = FrameDecoder::new();
        assert_eq!(dec.feed(&len.to_be_bytes()), Err(FrameError::TooShort(len)));
    }
    // Length word split across feeds.
    let mut dec = FrameDecoder::new();
    dec.feed(&[0, 0]).unwrap();
    assert_eq!(dec.feed(&[0, 20, 1, 2]), Err(FrameError::TooShort(20)));
    // Messages completed before the error stay available.
    let mut dec = FrameDecoder::new();
    let mut wire = call(procs::CONNECT_CLOSE, &[]);
    wire.extend_from_slice(&5u32.to_be_bytes());
    assert_eq!(dec.feed(&wire), Err(FrameError::TooShort(5)));
    assert_eq!(
        dec.next_message().unwrap().header.proc_,
        procs::CONNECT_CLOSE
    );
}

#[test]
fn truncated_frames_never_complete() {
    let wire = call(procs::DOMAIN_LOOKUP_BY_NAME, &[0, 0, 0, 1, b'x', 0, 0, 0]);
    for cut in 0..wire.len() {
        let mut dec = FrameDecoder::new();
        dec.feed(&wire[..cut]).unwrap();
        assert!(dec.next_message().is_none(), "cut {cut}");
        assert_eq!(dec.buffered(), cut);
    }
}

#[test]
fn unknown_type_and_status_are_preserved() {
    let h = Header {
        prog: 0x1234,
        vers: 7,
        proc_: -5,
        msg_type: MessageType(99),
        serial: u32::MAX,
        status: MessageStatus(-1),
    };
    let wire = encode_message(&h, &[]).unwrap();
    let mut dec = FrameDecoder::new();
    dec.feed(&wire).unwrap();
    let m = dec.next_message().unwrap();
    assert_eq!(m.header, h);
    assert_eq!(format!("{:?}", m.header.msg_type), "MessageType(99)");
    assert_eq!(
        format!("{:?}", MessageType::REPLY_WITH_FDS),
        "REPLY_WITH_FDS"
    );
}

fn decode_payload<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, FrameError> {
    let wire = call(procs::CONNECT_LIST_ALL_DOMAINS, payload);
    let mut dec = FrameDecoder::new();
    dec.feed(&wire).unwrap();
    dec.next_message().unwrap().decode_payload()
}

#[test]
fn truncated_payloads() {
    let full = rvirt_xdr::to_bytes(&ConnectListAllDomainsRet {
        domains: vec![rvirt_rpc::RemoteNonnullDomain {
            name: "test".into(),
            uuid: [7; 16],
            id: 1,
        }],
        ret: 1,
    })
    .unwrap();
    for cut in 0..full.len() {
        assert!(
            matches!(
                decode_payload::<ConnectListAllDomainsRet>(&full[..cut]),
                Err(FrameError::Xdr(rvirt_xdr::Error::UnexpectedEof { .. }))
            ),
            "cut {cut}"
        );
    }
    // Trailing garbage in a payload is an error too.
    let mut long = full.clone();
    long.extend_from_slice(&[0; 4]);
    assert_eq!(
        decode_payload::<ConnectListAllDomainsRet>(&long),
        Err(FrameError::Xdr(rvirt_xdr::Error::TrailingBytes(4)))
    );
}

#[test]
fn huge_array_count_in_payload() {
    // "4 billion domains" in a 12-byte payload: rejected up front, no allocation.
    let err = decode_payload::<ConnectListAllDomainsRet>(&[
        0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 1, 2, 3, 4,
    ])
    .unwrap_err();
    assert!(
        matches!(err, FrameError::Xdr(rvirt_xdr::Error::ArrayTooLong { .. })),
        "{err:?}"
    );
    let err = decode_payload::<ConnectListAllDomainsRet>(&[0, 0x10, 0, 0, 0, 0, 0, 4]).unwrap_err();
    assert!(
        matches!(err, FrameError::Xdr(rvirt_xdr::Error::UnexpectedEof { .. })),
        "{err:?}"
    );
}

#[test]
fn string_longer_than_remote_string_max() {
    let mut payload = (rvirt_rpc::REMOTE_STRING_MAX as u32 + 1)
        .to_be_bytes()
        .to_vec();
    payload.extend_from_slice(b"abcd");
    assert_eq!(
        decode_payload::<DomainLookupByNameArgs>(&payload),
        Err(FrameError::Xdr(rvirt_xdr::Error::StringTooLong {
            len: 4_194_305,
            max: 4_194_304
        }))
    );
    // The encoder refuses to produce one either.
    let args = DomainLookupByNameArgs {
        name: "x".repeat(rvirt_rpc::REMOTE_STRING_MAX + 1),
    };
    assert!(matches!(
        Message::with_body(Header::call(REMOTE_PROGRAM, 1, 23, 0), &args),
        Err(FrameError::Xdr(rvirt_xdr::Error::StringTooLong { .. }))
    ));
}

#[test]
fn bad_optional_flag_in_remote_error() {
    let mut payload = rvirt_xdr::to_bytes(&RemoteError::new(1, 7, "x")).unwrap();
    // `message` presence flag is the third word.
    payload[11] = 2;
    assert_eq!(
        decode_payload::<RemoteError>(&payload),
        Err(FrameError::Xdr(rvirt_xdr::Error::InvalidBool(2)))
    );
}

#[test]
fn oversize_payload_is_not_encoded() {
    let payload = vec![0u8; rvirt_rpc::PAYLOAD_MAX + 1];
    assert!(matches!(
        encode_message(&Header::call(REMOTE_PROGRAM, 1, 1, 0), &payload),
        Err(FrameError::TooLarge(_))
    ));
    assert!(encode_message(&Header::call(REMOTE_PROGRAM, 1, 1, 0), &payload[1..]).is_ok());
}

#[test]
fn frame_errors_map_to_rpc_errors() {
    let e: rvirt_core::Error = FrameError::TooShort(3).into();
    assert_eq!(e.code(), rvirt_core::ErrorCode::Rpc);
    assert_eq!(e.domain(), rvirt_core::ErrorDomain::Rpc);
    let e: rvirt_core::Error = FrameError::Xdr(rvirt_xdr::Error::InvalidBool(2)).into();
    assert!(e.message().starts_with("Unable to decode message payload"));
}

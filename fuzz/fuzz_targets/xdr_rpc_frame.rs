//! The RPC framing layer and the XDR payload decoder on hostile bytes.
//!
//! Input: one control byte, then the byte stream a peer would send. The stream is fed
//! to a [`FrameDecoder`] twice — in one piece, and in chunks whose sizes come from
//! the control byte — and both runs must produce the same messages, the same error
//! and the same buffered tail (chunking must never change the result). Every message
//! payload is then decoded as many of the typed argument/return structs, and as a
//! few generic XDR shapes; whatever decodes must survive encode → decode unchanged.

#![no_main]

use std::collections::BTreeMap;
use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use rvirt_rpc::types::*;
use rvirt_rpc::{FrameDecoder, FrameError, Message, RemoteError, procs};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Generic XDR shapes the typed structs do not cover: narrow integers, floats, chars,
/// opaque data, a padded fixed opaque, nested optionals/arrays and a map.
#[derive(Debug, Serialize, Deserialize)]
struct Shapes {
    small: (i8, u8, i16, u16, bool, char),
    float: f64,
    #[serde(with = "rvirt_xdr::opaque")]
    blob: Vec<u8>,
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    odd: [u8; 3],
    nested: Option<Vec<Option<String>>>,
    map: BTreeMap<String, i64>,
    chars: Vec<u8>,
}

#[derive(Debug, PartialEq)]
struct Outcome {
    messages: Vec<Message>,
    error: Option<FrameError>,
    buffered: usize,
    poisoned: bool,
}

fn run(stream: &[u8], chunks: impl Iterator<Item = usize>) -> Outcome {
    let mut dec = FrameDecoder::new();
    let mut rest = stream;
    let mut messages = Vec::new();
    let mut error = None;
    for size in chunks {
        if rest.is_empty() {
            break;
        }
        let (now, later) = rest.split_at(size.clamp(1, rest.len()));
        rest = later;
        let r = dec.feed(now);
        messages.extend(&mut dec);
        if let Err(e) = r {
            // A poisoned decoder must keep refusing input.
            assert_eq!(dec.feed(b"more"), Err(FrameError::Poisoned));
            error = Some(e);
            break;
        }
    }
    if error.is_none() {
        assert!(rest.is_empty(), "every byte was fed");
        assert!(dec.buffered() < rvirt_rpc::MAX_PACKET_LEN);
    }
    Outcome {
        messages,
        error,
        buffered: dec.buffered(),
        poisoned: dec.is_poisoned(),
    }
}

/// Decodes the payload as `T`; if that works, encoding and decoding again must give
/// the same value (bytes may differ: padding and sign-extended chars are normalised,
/// duplicate map keys collapse), and encoding is then a fixed point.
fn typed<T: Serialize + DeserializeOwned + PartialEq + Debug>(msg: &Message) {
    if let Some((v, back)) = typed_bytes::<T>(msg) {
        assert_eq!(back, v);
    }
}

/// The byte-level half of [`typed`], for types whose `PartialEq` is not reflexive
/// (NaN floats). Returns the decoded value and its re-decoded copy.
fn typed_bytes<T: Serialize + DeserializeOwned + Debug>(msg: &Message) -> Option<(T, T)> {
    let v = msg.decode_payload::<T>().ok()?;
    let again = Message::with_body(msg.header, &v).expect("a decoded value re-encodes");
    assert!(again.payload.len() <= msg.payload.len());
    let back: T = again.decode_payload().expect("a re-encoded value decodes");
    let third = Message::with_body(msg.header, &back).expect("a decoded value re-encodes");
    assert_eq!(
        third.payload, again.payload,
        "encoding is not a fixed point: {v:?}"
    );
    Some((v, back))
}

fn payloads(msg: &Message) {
    typed::<()>(msg);
    typed::<RemoteError>(msg);
    typed::<AuthListRet>(msg);
    typed::<ConnectSupportsFeatureArgs>(msg);
    typed::<ConnectOpenArgs>(msg);
    typed::<ConnectGetTypeRet>(msg);
    typed::<DomainLookupByIdArgs>(msg);
    typed::<DomainLookupByNameArgs>(msg);
    typed::<DomainLookupByUuidArgs>(msg);
    typed::<DomainRet>(msg);
    typed::<DomainFlagsArgs>(msg);
    typed::<ConnectListAllDomainsArgs>(msg);
    typed::<ConnectListAllDomainsRet>(msg);
    typed::<DomainGetInfoRet>(msg);
    typed::<DomainGetStateRet>(msg);
    typed::<DomainDefineXmlFlagsArgs>(msg);
    typed::<ConnectDomainEventCallbackRegisterAnyArgs>(msg);
    typed::<DomainEventLifecycleMsg>(msg);
    typed::<DomainEventCallbackLifecycleMsg>(msg);
    let _ = typed_bytes::<Shapes>(msg);
    typed::<Vec<Vec<String>>>(msg);

    if let Ok(err) = msg.decode_payload::<RemoteError>() {
        let e = err.to_error();
        let _ = e.to_string();
        let _ = RemoteError::from(&e);
    }
    let _ = procs::name(msg.header.proc_);
    let _ = format!("{:?}", msg.header);
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    let whole = run(stream, std::iter::once(stream.len()));
    // Chunk sizes from a tiny LCG seeded by the control byte: 1..=max bytes each.
    let max = usize::from(ctl % 37) + 1;
    let mut state = u32::from(ctl) | 1;
    let sizes = std::iter::repeat_with(move || {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) as usize % max + 1
    });
    let chunked = run(stream, sizes);
    assert_eq!(whole, chunked, "chunking changed the decoder's result");

    if let Some(e) = &whole.error {
        let _ = e.to_string();
        let _ = rvirt_core::Error::from(e.clone());
    }
    for msg in &whole.messages {
        payloads(msg);
    }
});

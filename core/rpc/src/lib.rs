//! Sans-io building blocks of libvirt's remote RPC protocol.
//!
//! * [`FrameDecoder`] / [`encode_message`]: packets = 4-byte big-endian total length
//!   (including itself) + 24-byte [`Header`] + XDR payload, at most
//!   [`MAX_PACKET_LEN`] (libvirt 9: 32 MiB + 4).
//! * [`RemoteError`]: the payload of ERROR replies, convertible to and from
//!   [`rvirt_core::Error`] with libvirt's numbers.
//! * [`procs`]: REMOTE procedure numbers; [`types`]: their argument, return and
//!   event structs for [`rvirt_xdr`].
//! * [`qemu`]: the LIBVIRT_QEMU program (`virsh qemu-monitor-command`).
//! * [`admin`]: the ADMIN program (daemon administration, `virt-admin`) on the same
//!   framing; [`typed_param`]: typed parameters, shared by both programs.
//!
//! No I/O happens here: callers feed received bytes in and write encoded bytes out.
//!
//! ```
//! use rvirt_rpc::{FrameDecoder, Header, MessageStatus, Message, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, procs};
//! use rvirt_rpc::types::{ConnectSupportsFeatureArgs, ConnectSupportsFeatureRet};
//!
//! // A client asks whether keepalive (feature 10) is supported.
//! let call = Message::with_body(
//!     Header::call(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, procs::CONNECT_SUPPORTS_FEATURE, 1),
//!     &ConnectSupportsFeatureArgs { feature: 10 },
//! ).unwrap();
//! let wire = call.encode().unwrap();
//!
//! // The server decodes it and answers "no".
//! let mut dec = FrameDecoder::new();
//! dec.feed(&wire).unwrap();
//! let msg = dec.next_message().unwrap();
//! let args: ConnectSupportsFeatureArgs = msg.decode_payload().unwrap();
//! assert_eq!(args.feature, 10);
//! let reply = Message::with_body(msg.header.reply(MessageStatus::OK),
//!                                &ConnectSupportsFeatureRet { supported: 0 }).unwrap();
//! assert_eq!(reply.encode().unwrap().len(), 32);
//! ```

pub mod admin;
pub mod checkpoints;
pub mod configuration;
pub mod console;
pub mod control;
pub mod domain_events;
mod error;
mod frame;
pub mod migration;
pub mod monitoring;
mod objects;
pub mod procs;
pub mod qemu;
pub mod save;
pub mod snapshots;
pub mod stream_hole;
pub mod tuning;
pub mod typed_param;
pub mod types;

pub use error::RemoteError;
pub use frame::{
    FrameDecoder, FrameError, HEADER_SIZE, Header, LEN_WORD_SIZE, MAX_PACKET_LEN, MAX_PASSED_FDS,
    MESSAGE_MAX, MIN_PACKET_LEN, Message, MessageStatus, MessageType, PAYLOAD_MAX, encode_message,
    encode_message_with,
};
pub use types::{RemoteNonnullDomain, RemoteNonnullNetwork};

/// The REMOTE program number (`REMOTE_PROGRAM`).
pub const REMOTE_PROGRAM: u32 = 0x2000_8086;
/// The REMOTE program version (`REMOTE_PROTOCOL_VERSION`).
pub const REMOTE_PROTOCOL_VERSION: u32 = 1;
/// The KEEPALIVE program number: ASCII "keep".
pub const KEEPALIVE_PROGRAM: u32 = 0x6b65_6570;
/// The KEEPALIVE program version.
pub const KEEPALIVE_PROTOCOL_VERSION: u32 = 1;
/// Longest string libvirt accepts (`REMOTE_STRING_MAX`).
pub const REMOTE_STRING_MAX: usize = rvirt_xdr::REMOTE_STRING_MAX;

/// Header of a keepalive PING or PONG (`proc_` = [`procs::keepalive::PING`] or
/// [`PONG`](procs::keepalive::PONG)): MESSAGE, serial 0, status OK, empty payload.
pub fn keepalive_header(proc_: i32) -> Header {
    Header {
        prog: KEEPALIVE_PROGRAM,
        vers: KEEPALIVE_PROTOCOL_VERSION,
        proc_,
        msg_type: MessageType::MESSAGE,
        serial: 0,
        status: MessageStatus::OK,
    }
}

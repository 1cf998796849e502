//! Packet framing: the length word, the 24-byte header and an incremental decoder.

use std::collections::VecDeque;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Size of the length word that starts every packet (`VIR_NET_MESSAGE_LEN_MAX`).
pub const LEN_WORD_SIZE: usize = 4;
/// Size of the fixed header after the length word (`VIR_NET_MESSAGE_HEADER_MAX`).
pub const HEADER_SIZE: usize = 24;
/// Smallest legal value of the length word: a header with an empty payload.
pub const MIN_PACKET_LEN: usize = LEN_WORD_SIZE + HEADER_SIZE;
/// libvirt 9's `VIR_NET_MESSAGE_MAX`: header + payload, length word excluded (32 MiB).
pub const MESSAGE_MAX: usize = rvirt_xdr::MESSAGE_MAX;
/// Largest legal value of the length word (`MESSAGE_MAX` + the word itself).
pub const MAX_PACKET_LEN: usize = LEN_WORD_SIZE + MESSAGE_MAX;
/// Largest payload (`VIR_NET_MESSAGE_PAYLOAD_MAX`).
pub const PAYLOAD_MAX: usize = MESSAGE_MAX - HEADER_SIZE;

/// Buffer size kept between packets (`VIR_NET_MESSAGE_INITIAL`).
const INITIAL_BUFFER: usize = 65536;

/// The `type` field of the header (`virNetMessageType`).
///
/// An open set: unknown values survive decoding so that the caller can decide how to
/// react (libvirtd itself decodes any value and ignores what it does not expect).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageType(pub i32);

impl MessageType {
    /// A client's call; the payload is the procedure's arguments.
    pub const CALL: MessageType = MessageType(0);
    /// The server's answer; payload is the return value (OK) or a `remote_error` (ERROR).
    pub const REPLY: MessageType = MessageType(1);
    /// An asynchronous message: events and keepalive.
    pub const MESSAGE: MessageType = MessageType(2);
    /// Stream data.
    pub const STREAM: MessageType = MessageType(3);
    /// A call carrying file descriptors (payload starts with their count).
    pub const CALL_WITH_FDS: MessageType = MessageType(4);
    /// A reply carrying file descriptors (payload starts with their count).
    pub const REPLY_WITH_FDS: MessageType = MessageType(5);
    /// A hole in a sparse stream.
    pub const STREAM_HOLE: MessageType = MessageType(6);

    /// libvirt's name for the value, if it is known.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "CALL",
            1 => "REPLY",
            2 => "MESSAGE",
            3 => "STREAM",
            4 => "CALL_WITH_FDS",
            5 => "REPLY_WITH_FDS",
            6 => "STREAM_HOLE",
            _ => return None,
        })
    }
}

impl fmt::Debug for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "MessageType({})", self.0),
        }
    }
}

/// The `status` field of the header (`virNetMessageStatus`); an open set like
/// [`MessageType`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageStatus(pub i32);

impl MessageStatus {
    /// Success (always used for CALL and MESSAGE; end of stream for STREAM).
    pub const OK: MessageStatus = MessageStatus(0);
    /// The payload is a `remote_error`.
    pub const ERROR: MessageStatus = MessageStatus(1);
    /// Stream data; more follows.
    pub const CONTINUE: MessageStatus = MessageStatus(2);

    /// libvirt's name for the value, if it is known.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "OK",
            1 => "ERROR",
            2 => "CONTINUE",
            _ => return None,
        })
    }
}

impl fmt::Debug for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "MessageStatus({})", self.0),
        }
    }
}

/// The 24-byte packet header (`virNetMessageHeader`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Program number, e.g. [`REMOTE_PROGRAM`](crate::REMOTE_PROGRAM).
    pub prog: u32,
    /// Program version (1 for every libvirt program).
    pub vers: u32,
    /// Procedure number within the program.
    pub proc_: i32,
    /// Message type.
    pub msg_type: MessageType,
    /// Serial number: chosen by the caller, echoed by the reply.
    pub serial: u32,
    /// Status.
    pub status: MessageStatus,
}

impl Header {
    /// A CALL header with status OK.
    pub fn call(prog: u32, vers: u32, proc_: i32, serial: u32) -> Self {
        Header {
            prog,
            vers,
            proc_,
            msg_type: MessageType::CALL,
            serial,
            status: MessageStatus::OK,
        }
    }

    /// The REPLY header answering this (call) header: same prog/vers/proc/serial.
    pub fn reply(&self, status: MessageStatus) -> Self {
        Header {
            msg_type: MessageType::REPLY,
            status,
            ..*self
        }
    }

    /// Encodes the header (24 bytes, without the length word).
    pub fn to_bytes(&self) -> [u8; HEADER_SIZE] {
        let mut b = [0u8; HEADER_SIZE];
        b[0..4].copy_from_slice(&self.prog.to_be_bytes());
        b[4..8].copy_from_slice(&self.vers.to_be_bytes());
        b[8..12].copy_from_slice(&self.proc_.to_be_bytes());
        b[12..16].copy_from_slice(&self.msg_type.0.to_be_bytes());
        b[16..20].copy_from_slice(&self.serial.to_be_bytes());
        b[20..24].copy_from_slice(&self.status.0.to_be_bytes());
        b
    }

    /// Decodes a header from exactly 24 bytes.
    pub fn from_bytes(b: &[u8; HEADER_SIZE]) -> Self {
        let word = |i: usize| [b[i], b[i + 1], b[i + 2], b[i + 3]];
        Header {
            prog: u32::from_be_bytes(word(0)),
            vers: u32::from_be_bytes(word(4)),
            proc_: i32::from_be_bytes(word(8)),
            msg_type: MessageType(i32::from_be_bytes(word(12))),
            serial: u32::from_be_bytes(word(16)),
            status: MessageStatus(i32::from_be_bytes(word(20))),
        }
    }
}

/// A complete packet: header plus raw (still XDR-encoded) payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The header.
    pub header: Header,
    /// The payload bytes after the header.
    pub payload: Vec<u8>,
}

impl Message {
    /// A message whose payload is the XDR encoding of `body`.
    pub fn with_body<T: ?Sized + Serialize>(header: Header, body: &T) -> Result<Self, FrameError> {
        let limits = rvirt_xdr::Limits {
            max_message: PAYLOAD_MAX,
            ..rvirt_xdr::Limits::default()
        };
        let payload = rvirt_xdr::to_bytes_with_limits(body, limits).map_err(FrameError::Xdr)?;
        Ok(Message { header, payload })
    }

    /// Decodes the payload as a `T`, which must consume all of it.
    pub fn decode_payload<T: DeserializeOwned>(&self) -> Result<T, FrameError> {
        rvirt_xdr::from_bytes_exact(&self.payload).map_err(FrameError::Xdr)
    }

    /// Encodes the whole packet, length word included.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        encode_message(&self.header, &self.payload)
    }
}

/// Encodes a packet: length word, header, payload.
///
/// Fails with [`FrameError::TooLarge`] if the payload exceeds [`PAYLOAD_MAX`].
pub fn encode_message(header: &Header, payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    let total = MIN_PACKET_LEN + payload.len();
    if payload.len() > PAYLOAD_MAX {
        return Err(FrameError::TooLarge(total as u64));
    }
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(payload);
    Ok(out)
}

/// Encodes a packet whose payload is the XDR encoding of `body`, in one buffer.
pub fn encode_message_with<T: ?Sized + Serialize>(
    header: &Header,
    body: &T,
) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::with_capacity(MIN_PACKET_LEN + 64);
    out.extend_from_slice(&[0; LEN_WORD_SIZE]);
    out.extend_from_slice(&header.to_bytes());
    let limits = rvirt_xdr::Limits {
        max_message: PAYLOAD_MAX,
        ..rvirt_xdr::Limits::default()
    };
    rvirt_xdr::serialize_into_with_limits(&mut out, body, limits).map_err(FrameError::Xdr)?;
    let total = out.len() as u32;
    out[..LEN_WORD_SIZE].copy_from_slice(&total.to_be_bytes());
    Ok(out)
}

/// Framing and payload errors.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The length word is below [`MIN_PACKET_LEN`] (28).
    TooShort(u32),
    /// The length word (or a packet being encoded) exceeds [`MAX_PACKET_LEN`].
    TooLarge(u64),
    /// A previous error left the byte stream unsynchronised; the decoder refuses
    /// further input. The connection should be closed.
    Poisoned,
    /// The payload could not be encoded or decoded.
    Xdr(rvirt_xdr::Error),
    /// A REPLY_WITH_FDS names more descriptors than a message may pass
    /// ([`MAX_PASSED_FDS`]), or has no count.
    BadFdCount(u32),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooShort(n) => {
                write!(
                    f,
                    "packet length {n} is below the minimum of {MIN_PACKET_LEN}"
                )
            }
            FrameError::TooLarge(n) => write!(
                f,
                "packet length {n} exceeds the maximum of {MAX_PACKET_LEN}"
            ),
            FrameError::Poisoned => f.write_str("RPC stream is unusable after an earlier error"),
            FrameError::Xdr(e) => write!(f, "Unable to decode message payload: {e}"),
            FrameError::BadFdCount(n) => {
                write!(f, "Too many FDs to receive: {n} (at most {MAX_PASSED_FDS})")
            }
        }
    }
}

impl std::error::Error for FrameError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FrameError::Xdr(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rvirt_xdr::Error> for FrameError {
    fn from(e: rvirt_xdr::Error) -> Self {
        FrameError::Xdr(e)
    }
}

impl From<FrameError> for rvirt_core::Error {
    /// Protocol-level failures are `VIR_ERR_RPC` in `VIR_FROM_RPC`, as in libvirt.
    fn from(e: FrameError) -> Self {
        rvirt_core::Error::new(
            rvirt_core::ErrorCode::Rpc,
            rvirt_core::ErrorDomain::Rpc,
            e.to_string(),
        )
    }
}

/// Incremental, sans-io packet decoder.
///
/// Feed it whatever bytes arrive ([`feed`](Self::feed)), then take complete
/// messages ([`next_message`](Self::next_message)). Partial packets are kept until
/// the rest arrives; one feed may complete several packets. The length word is
/// validated as soon as its 4 bytes are known, so an oversize (or undersize) packet
/// is rejected before any of its body is buffered, and the buffer never holds more
/// than one packet.
///
/// ```
/// use rvirt_rpc::{FrameDecoder, encode_message, keepalive_header, procs};
///
/// let ping = encode_message(&keepalive_header(procs::keepalive::PING), &[]).unwrap();
/// let mut dec = FrameDecoder::new();
/// dec.feed(&ping[..10]).unwrap();
/// assert!(dec.next_message().is_none());
/// dec.feed(&ping[10..]).unwrap();
/// assert_eq!(dec.next_message().unwrap().header.proc_, 1);
/// ```
#[derive(Debug)]
pub struct FrameDecoder {
    /// Bytes of the current, incomplete packet (length word included).
    buf: Vec<u8>,
    /// Length word of the current packet once known.
    want: Option<usize>,
    max_packet: usize,
    ready: VecDeque<Message>,
    poisoned: bool,
    /// A REPLY_WITH_FDS is followed by one byte per descriptor (see
    /// [`FrameDecoder::with_passed_fds`]).
    passed_fds: bool,
    /// A REPLY_WITH_FDS held back until its descriptor bytes went by, and how many
    /// of them are still to come.
    held: Option<(Message, usize)>,
}

/// The most descriptors one message passes (libvirt's `VIR_NET_MESSAGE_NUM_FDS_MAX`).
pub const MAX_PASSED_FDS: u32 = 32;

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    /// A decoder accepting packets up to [`MAX_PACKET_LEN`].
    pub fn new() -> Self {
        Self::with_max_packet(MAX_PACKET_LEN)
    }

    /// A decoder accepting packets whose length word is at most `max_packet`
    /// (clamped to `MIN_PACKET_LEN..=MAX_PACKET_LEN`).
    pub fn with_max_packet(max_packet: usize) -> Self {
        FrameDecoder {
            buf: Vec::new(),
            want: None,
            max_packet: max_packet.clamp(MIN_PACKET_LEN, MAX_PACKET_LEN),
            ready: VecDeque::new(),
            poisoned: false,
            passed_fds: false,
            held: None,
        }
    }

    /// A client's decoder: after a REPLY_WITH_FDS whose payload starts with `n`, the
    /// stream carries `n` bytes that are not packets — each came with one descriptor
    /// (`SCM_RIGHTS`), as libvirt's daemon sends them. They are skipped, and the
    /// reply is only handed out once they went by, so that its descriptors have
    /// arrived by then.
    ///
    /// ```
    /// use rvirt_rpc::{FrameDecoder, Header, MessageType, REMOTE_PROGRAM, encode_message};
    ///
    /// let mut h = Header::call(REMOTE_PROGRAM, 1, 319, 7);
    /// h.msg_type = MessageType::REPLY_WITH_FDS;
    /// let reply = encode_message(&h, &1u32.to_be_bytes()).unwrap();
    /// let mut dec = FrameDecoder::with_passed_fds();
    /// dec.feed(&reply).unwrap();
    /// assert!(dec.next_message().is_none(), "its descriptor byte is still to come");
    /// dec.feed(&[0]).unwrap();
    /// assert_eq!(dec.next_message().unwrap().header.serial, 7);
    /// ```
    pub fn with_passed_fds() -> Self {
        FrameDecoder {
            passed_fds: true,
            ..Self::new()
        }
    }

    /// Queues a complete message, or holds a REPLY_WITH_FDS back for its descriptor
    /// bytes.
    fn complete(&mut self, msg: Message) -> Result<(), FrameError> {
        if !self.passed_fds || msg.header.msg_type != MessageType::REPLY_WITH_FDS {
            self.ready.push_back(msg);
            return Ok(());
        }
        let Some(word) = msg.payload.get(..4) else {
            self.poisoned = true;
            return Err(FrameError::BadFdCount(0));
        };
        let n = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        if n > MAX_PASSED_FDS {
            self.poisoned = true;
            return Err(FrameError::BadFdCount(n));
        }
        if n == 0 {
            self.ready.push_back(msg);
        } else {
            self.held = Some((msg, n as usize));
        }
        Ok(())
    }

    /// Consumes `data`. Completed messages are queued for
    /// [`next_message`](Self::next_message); messages completed before an error stay
    /// queued. After an error the decoder is poisoned.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<(), FrameError> {
        if self.poisoned {
            return Err(FrameError::Poisoned);
        }
        while !data.is_empty() {
            if let Some((_, left)) = self.held.as_mut() {
                let n = (*left).min(data.len());
                *left -= n;
                data = &data[n..];
                if *left == 0
                    && let Some((msg, _)) = self.held.take()
                {
                    self.ready.push_back(msg);
                }
                continue;
            }
            let want = match self.want {
                Some(w) => w,
                None => {
                    let n = (LEN_WORD_SIZE - self.buf.len()).min(data.len());
                    self.buf.extend_from_slice(&data[..n]);
                    data = &data[n..];
                    if self.buf.len() < LEN_WORD_SIZE {
                        break;
                    }
                    let len =
                        u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
                    if (len as usize) < MIN_PACKET_LEN {
                        self.poisoned = true;
                        return Err(FrameError::TooShort(len));
                    }
                    if len as usize > self.max_packet {
                        self.poisoned = true;
                        return Err(FrameError::TooLarge(u64::from(len)));
                    }
                    self.want = Some(len as usize);
                    // Reserve what is actually in hand, not what was claimed.
                    self.buf
                        .reserve((len as usize - LEN_WORD_SIZE).min(data.len()));
                    len as usize
                }
            };
            let n = (want - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.buf.len() == want {
                let mut header = [0u8; HEADER_SIZE];
                header.copy_from_slice(&self.buf[LEN_WORD_SIZE..MIN_PACKET_LEN]);
                let payload = self.buf.split_off(MIN_PACKET_LEN);
                self.buf.clear();
                if self.buf.capacity() > INITIAL_BUFFER {
                    // Do not keep a huge packet's allocation around.
                    self.buf = Vec::new();
                }
                self.want = None;
                self.complete(Message {
                    header: Header::from_bytes(&header),
                    payload,
                })?;
            }
        }
        Ok(())
    }

    /// The next complete message, if any.
    pub fn next_message(&mut self) -> Option<Message> {
        self.ready.pop_front()
    }

    /// Bytes of an incomplete packet currently buffered.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether an earlier error made the decoder refuse input.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }
}

impl Iterator for FrameDecoder {
    type Item = Message;

    fn next(&mut self) -> Option<Message> {
        self.next_message()
    }
}

#[cfg(test)]
mod passed_fd_tests {
    use super::*;
    use crate::REMOTE_PROGRAM;

    fn reply(serial: u32, kind: MessageType, payload: &[u8]) -> Vec<u8> {
        let mut h = Header::call(REMOTE_PROGRAM, 1, 319, serial);
        h.msg_type = kind;
        encode_message(&h, payload).unwrap()
    }

    /// The descriptor bytes between two packets are skipped, in any split.
    #[test]
    fn descriptor_bytes_are_skipped_whatever_the_split() {
        let mut stream = reply(1, MessageType::REPLY_WITH_FDS, &2u32.to_be_bytes());
        stream.extend([0, 0]);
        stream.extend(reply(2, MessageType::REPLY, &[]));
        for split in 0..stream.len() {
            let mut dec = FrameDecoder::with_passed_fds();
            dec.feed(&stream[..split]).unwrap();
            dec.feed(&stream[split..]).unwrap();
            let serials: Vec<u32> = dec.map(|m| m.header.serial).collect();
            assert_eq!(serials, [1, 2], "split at {split}");
        }
    }

    /// A count above libvirt's limit, or none, poisons the stream; a server's
    /// decoder never skips bytes.
    #[test]
    fn bad_counts_poison_and_servers_do_not_skip() {
        let mut dec = FrameDecoder::with_passed_fds();
        let e = dec
            .feed(&reply(1, MessageType::REPLY_WITH_FDS, &33u32.to_be_bytes()))
            .unwrap_err();
        assert_eq!(e, FrameError::BadFdCount(33));
        assert!(dec.is_poisoned());
        let mut dec = FrameDecoder::with_passed_fds();
        assert!(
            dec.feed(&reply(1, MessageType::REPLY_WITH_FDS, &[]))
                .is_err()
        );
        let mut dec = FrameDecoder::new();
        dec.feed(&reply(1, MessageType::REPLY_WITH_FDS, &1u32.to_be_bytes()))
            .unwrap();
        assert_eq!(dec.next_message().unwrap().header.serial, 1);
    }
}

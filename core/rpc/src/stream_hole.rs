//! The payload of a STREAM_HOLE packet (`virNetStreamHole`, sparse streams): a run of
//! `length` zero bytes the receiver skips instead of data.

use serde::{Deserialize, Serialize};

/// `struct virNetStreamHole { hyper length; unsigned int flags; }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamHole {
    /// Bytes of the hole.
    pub length: i64,
    /// None defined.
    pub flags: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Header, Message, MessageStatus, MessageType, encode_message_with};

    #[test]
    fn hole_packet_layout() {
        let h = Header {
            prog: crate::REMOTE_PROGRAM,
            vers: 1,
            proc_: 209,
            msg_type: MessageType::STREAM_HOLE,
            serial: 7,
            status: MessageStatus::CONTINUE,
        };
        let frame = encode_message_with(
            &h,
            &StreamHole {
                length: 1 << 32,
                flags: 0,
            },
        )
        .unwrap();
        assert_eq!(frame.len(), 4 + 24 + 12);
        assert_eq!(&frame[28..], &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let mut d = crate::FrameDecoder::new();
        d.feed(&frame).unwrap();
        let m: Message = d.next_message().unwrap();
        let back: StreamHole = m.decode_payload().unwrap();
        assert_eq!(back.length, 1 << 32);
    }
}

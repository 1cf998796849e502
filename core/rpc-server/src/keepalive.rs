//! The KEEPALIVE program: PING is answered with PONG, PONG needs no answer. The server
//! also PINGs idle clients that asked for keepalive (libvirt's feature 10,
//! [`Client::enable_keepalive`](crate::Client::enable_keepalive)), see
//! [`Registry::start_keepalive`](crate::Registry::start_keepalive).

use rvirt_rpc::{Message, MessageType, encode_message, keepalive_header, procs};

/// The packet answering a KEEPALIVE-program message, if it needs one.
pub fn answer(msg: &Message) -> Option<Vec<u8>> {
    if msg.header.msg_type == MessageType::MESSAGE && msg.header.proc_ == procs::keepalive::PING {
        encode_message(&keepalive_header(procs::keepalive::PONG), &[]).ok()
    } else {
        None
    }
}

/// A PING packet.
pub fn ping() -> Vec<u8> {
    // 28 bytes, far below any limit: encoding cannot fail.
    encode_message(&keepalive_header(procs::keepalive::PING), &[]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_rpc::FrameDecoder;

    #[test]
    fn ping_gets_pong() {
        let mut dec = FrameDecoder::new();
        dec.feed(&ping()).unwrap();
        let msg = dec.next_message().unwrap();
        let pong = answer(&msg).unwrap();
        assert_eq!(
            pong,
            [
                0, 0, 0, 0x1c, 0x6b, 0x65, 0x65, 0x70, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0,
                0, 0, 0, 0, 0
            ]
        );
        dec.feed(&pong).unwrap();
        assert!(answer(&dec.next_message().unwrap()).is_none());
    }
}

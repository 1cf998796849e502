//! A raw client of libvirt's wire protocol on a unix socket.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use rvirt_rpc::{
    FrameDecoder, Header, Message, MessageStatus, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
    RemoteError,
};

/// A raw protocol client on a unix socket.
#[derive(Debug)]
pub struct Raw {
    /// The connection (10 s read timeout).
    pub stream: UnixStream,
    dec: FrameDecoder,
    /// The serial of the next call.
    pub serial: u32,
}

/// The error a reply carries, asserting the reply is an ERROR.
pub fn error_of(m: &Message) -> RemoteError {
    assert_eq!(m.header.status, MessageStatus::ERROR, "{m:?}");
    m.decode_payload().unwrap()
}

impl Raw {
    /// Connects to the unix socket `path`.
    pub fn connect(path: &Path) -> Raw {
        let stream = UnixStream::connect(path).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Raw {
            stream,
            dec: FrameDecoder::new(),
            serial: 0,
        }
    }

    /// Writes `bytes` as they are (whole packets, parts of one, garbage).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Sends a REMOTE CALL with an already encoded payload; returns its serial.
    pub fn call_raw(&mut self, proc_: i32, payload: &[u8]) -> u32 {
        self.call_raw_in(REMOTE_PROGRAM, proc_, payload)
    }

    /// Sends a CALL of program `prog` (version 1) with an encoded payload; returns its
    /// serial.
    pub fn call_raw_in(&mut self, prog: u32, proc_: i32, payload: &[u8]) -> u32 {
        let serial = self.serial;
        self.serial += 1;
        let h = Header::call(prog, REMOTE_PROTOCOL_VERSION, proc_, serial);
        self.send_raw(&rvirt_rpc::encode_message(&h, payload).unwrap());
        serial
    }

    /// Sends an ADMIN CALL with `args` and returns the reply.
    pub fn admin_call<T: serde::Serialize>(&mut self, proc_: i32, args: &T) -> Message {
        let payload = Message::with_body(Header::call(0, 0, 0, 0), args)
            .unwrap()
            .payload;
        let serial = self.call_raw_in(rvirt_rpc::admin::ADMIN_PROGRAM, proc_, &payload);
        let m = self.read().expect("reply");
        assert_eq!((m.header.proc_, m.header.serial), (proc_, serial));
        m
    }

    /// Sends a REMOTE CALL with `args` and returns the reply.
    pub fn call<T: serde::Serialize>(&mut self, proc_: i32, args: &T) -> Message {
        let payload = Message::with_body(Header::call(0, 0, 0, 0), args)
            .unwrap()
            .payload;
        let serial = self.call_raw(proc_, &payload);
        let m = self.read().expect("reply");
        assert_eq!((m.header.proc_, m.header.serial), (proc_, serial));
        m
    }

    /// The next packet, `Ok(None)` at EOF, or the socket's error (a read timeout
    /// included).
    pub fn try_read(&mut self) -> std::io::Result<Option<Message>> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(m) = self.dec.next_message() {
                return Ok(Some(m));
            }
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.dec.feed(&buf[..n]).unwrap();
        }
    }

    /// The next packet, or None at EOF (panics after the 10 s read timeout).
    pub fn read(&mut self) -> Option<Message> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(m) = self.dec.next_message() {
                return Some(m);
            }
            let n = self.stream.read(&mut buf).expect("read from rvirtd");
            if n == 0 {
                return None;
            }
            self.dec.feed(&buf[..n]).unwrap();
        }
    }

    /// AUTH_LIST + CONNECT_OPEN test:///default, both asserted OK.
    pub fn open(&mut self) {
        let m = self.call(rvirt_rpc::procs::AUTH_LIST, &());
        assert_eq!(m.header.status, MessageStatus::OK);
        let m = self.call(
            rvirt_rpc::procs::CONNECT_OPEN,
            &rvirt_rpc::types::ConnectOpenArgs {
                name: Some("test:///default".into()),
                flags: 0,
            },
        );
        assert_eq!(m.header.status, MessageStatus::OK, "{m:?}");
    }
}

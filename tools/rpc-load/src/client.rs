//! A minimal blocking client of the REMOTE program: one socket, one call at a time,
//! MESSAGE packets (events) kept aside with the time they arrived.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Instant;

use rvirt_rpc::{
    FrameDecoder, Header, Message, MessageStatus, MessageType, REMOTE_PROGRAM,
    REMOTE_PROTOCOL_VERSION, RemoteError, procs, types,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What can go wrong with one call.
#[derive(Debug)]
pub enum CallError {
    /// The socket failed or closed.
    Io(std::io::Error),
    /// A packet could not be framed or decoded.
    Protocol(String),
    /// The server answered with an error.
    Remote(Box<RemoteError>),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Io(e) => write!(f, "i/o: {e}"),
            CallError::Protocol(e) => write!(f, "protocol: {e}"),
            CallError::Remote(e) => write!(
                f,
                "remote error {} (domain {}): {}",
                e.code,
                e.domain,
                e.message.as_deref().unwrap_or("")
            ),
        }
    }
}

impl From<std::io::Error> for CallError {
    fn from(e: std::io::Error) -> Self {
        CallError::Io(e)
    }
}

/// One connection to a daemon's unix socket.
#[derive(Debug)]
pub struct Client {
    stream: UnixStream,
    decoder: FrameDecoder,
    serial: u32,
    /// Event MESSAGEs received so far, with their arrival time.
    pub events: Vec<(Instant, Message)>,
}

impl Client {
    /// Connects and opens `uri` on the daemon (`CONNECT_OPEN`).
    pub fn open(socket: &str, uri: &str) -> Result<Client, CallError> {
        let mut c = Client {
            stream: UnixStream::connect(socket)?,
            decoder: FrameDecoder::new(),
            serial: 0,
            events: Vec::new(),
        };
        let _: types::AuthListRet = c.call(procs::AUTH_LIST, &())?;
        let () = c.call(
            procs::CONNECT_OPEN,
            &types::ConnectOpenArgs {
                name: Some(uri.to_owned()),
                flags: 0,
            },
        )?;
        Ok(c)
    }

    /// Calls `proc_` with `args` and decodes the reply as `R`.
    pub fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        proc_: i32,
        args: &A,
    ) -> Result<R, CallError> {
        self.serial += 1;
        let serial = self.serial;
        let header = Header::call(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc_, serial);
        let bytes = Message::with_body(header, args)
            .and_then(|m| m.encode())
            .map_err(|e| CallError::Protocol(format!("{e:?}")))?;
        self.stream.write_all(&bytes)?;
        loop {
            let msg = self.next_message()?;
            if msg.header.msg_type == MessageType::MESSAGE {
                self.events.push((Instant::now(), msg));
                continue;
            }
            if msg.header.serial != serial || msg.header.msg_type != MessageType::REPLY {
                continue;
            }
            if msg.header.status != MessageStatus::OK {
                let err: RemoteError = msg
                    .decode_payload()
                    .map_err(|e| CallError::Protocol(format!("{e:?}")))?;
                return Err(CallError::Remote(Box::new(err)));
            }
            return msg
                .decode_payload()
                .map_err(|e| CallError::Protocol(format!("{e:?}")));
        }
    }

    /// Blocks until the next event MESSAGE arrives; returns its arrival time.
    pub fn wait_event(&mut self) -> Result<Instant, CallError> {
        loop {
            let msg = self.next_message()?;
            if msg.header.msg_type == MessageType::MESSAGE {
                let at = Instant::now();
                self.events.push((at, msg));
                return Ok(at);
            }
        }
    }

    fn next_message(&mut self) -> Result<Message, CallError> {
        let mut buf = [0u8; 65536];
        loop {
            if let Some(m) = self.decoder.next_message() {
                return Ok(m);
            }
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Err(CallError::Io(std::io::ErrorKind::UnexpectedEof.into()));
            }
            self.decoder
                .feed(&buf[..n])
                .map_err(|e| CallError::Protocol(format!("{e:?}")))?;
        }
    }
}

//! A minimal blocking QMP client over a UNIX stream, built on [`QmpCodec`].
//!
//! The driver proper will drive [`QmpCodec`] from its event loop; this client serves
//! the one-shot capabilities probe and tests.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use super::codec::QmpCodec;
use super::message::{Message, QemuVersion};

/// A connected QMP monitor with blocking, deadline-bounded calls.
///
/// Events that arrive while waiting for a reply are queued and returned by
/// [`next_event`](Self::next_event).
#[derive(Debug)]
pub struct QmpStream {
    stream: UnixStream,
    codec: QmpCodec,
    events: VecDeque<Message>,
    eof: bool,
    timeout: Duration,
}

impl QmpStream {
    /// Wraps a connected stream; `timeout` bounds every later call.
    pub fn new(stream: UnixStream, timeout: Duration) -> QmpStream {
        QmpStream {
            stream,
            codec: QmpCodec::new(),
            events: VecDeque::new(),
            eof: false,
            timeout,
        }
    }

    /// Reads the greeting and negotiates with `qmp_capabilities`. Returns QEMU's
    /// version from the greeting.
    pub fn handshake(&mut self) -> Result<QemuVersion> {
        self.handshake_within(self.timeout)
    }

    /// [`handshake`](Self::handshake) waiting up to `wait` for the greeting (QEMU
    /// greets once its command line is set up: LUKS key derivation takes seconds).
    pub fn handshake_within(&mut self, wait: Duration) -> Result<QemuVersion> {
        let deadline = Instant::now() + wait;
        let version = loop {
            match self.read_message(deadline)? {
                Message::Greeting { version, .. } => break version,
                Message::Event { .. } => continue,
                other => {
                    return Err(internal(format!("expected QMP greeting, got {other:?}")));
                }
            }
        };
        self.execute("qmp_capabilities", None)?;
        Ok(version)
    }

    /// Runs one command and returns its `return` value. A QMP error reply becomes
    /// `VIR_ERR_INTERNAL_ERROR` "unable to execute QEMU command 'NAME': DESC", as in
    /// libvirt.
    pub fn execute(&mut self, name: &str, args: Option<Value>) -> Result<Value> {
        let (id, bytes) = self.codec.encode_command(name, args);
        self.stream.write_all(&bytes)?;
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.read_message(deadline)? {
                msg @ Message::Event { .. } => self.events.push_back(msg),
                Message::Return {
                    id: Some(got),
                    value,
                } if got == id => return Ok(value),
                Message::Error {
                    id: Some(got),
                    class,
                    desc,
                } if got == id => {
                    return Err(internal(format!(
                        "unable to execute QEMU command '{name}': {desc} ({class})"
                    )));
                }
                // Replies to other ids (none are outstanding in this client) and
                // greetings are dropped.
                _ => {}
            }
        }
    }

    /// The next event (queued or newly read), waiting at most `timeout`.
    ///
    /// Returns `Ok(None)` when the monitor reached end-of-file, an
    /// `VIR_ERR_OPERATION_TIMEOUT` error when nothing arrived in time.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Message>> {
        if let Some(ev) = self.events.pop_front() {
            return Ok(Some(ev));
        }
        let deadline = Instant::now() + timeout;
        loop {
            match self.read_message(deadline) {
                Ok(msg @ Message::Event { .. }) => return Ok(Some(msg)),
                Ok(_) => {}
                Err(e) if self.eof && e.code() == ErrorCode::OperationFailed => return Ok(None),
                Err(e) => return Err(e),
            }
        }
    }

    /// True once the peer closed the monitor.
    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// The underlying socket.
    pub fn stream(&self) -> &UnixStream {
        &self.stream
    }

    /// Splits the client into its socket, its codec (which may hold buffered bytes)
    /// and the events queued while waiting for replies, so an event-loop driven reader
    /// can take over where this client stopped.
    pub fn into_parts(self) -> (UnixStream, QmpCodec, VecDeque<Message>) {
        (self.stream, self.codec, self.events)
    }

    fn read_message(&mut self, deadline: Instant) -> Result<Message> {
        loop {
            if let Some(msg) = self.codec.next_message() {
                return Ok(msg?);
            }
            if self.eof {
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Qemu,
                    "End of file from qemu monitor",
                ));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::new(
                    ErrorCode::OperationTimeout,
                    ErrorDomain::Qemu,
                    "timed out waiting for the QEMU monitor",
                ));
            }
            self.stream.set_read_timeout(Some(left))?;
            let mut buf = [0u8; 8192];
            match self.stream.read(&mut buf) {
                Ok(0) => self.eof = true,
                Ok(n) => self.codec.feed(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => self.eof = true,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

fn internal(message: String) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Qemu, message)
}

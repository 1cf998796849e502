//! The event-loop side of a domain's QMP monitor: a non-blocking socket plus a
//! [`QmpCodec`], read whenever the loop reports the fd readable.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use crate::qmp::{Message, QmpCodec};

/// A connected, negotiated monitor in non-blocking mode.
#[derive(Debug)]
pub(crate) struct Monitor {
    stream: UnixStream,
    codec: QmpCodec,
    /// Messages read but not yet handed out.
    pending: VecDeque<Message>,
    eof: bool,
    /// Why the monitor stopped making sense (undecodable data), once it did: libvirt
    /// marks such a monitor broken, fails later commands and raises CONTROL_ERROR.
    broken: Option<String>,
    /// `broken` was set and not yet reported through [`take_new_error`](Self::take_new_error).
    unreported: bool,
}

impl Monitor {
    /// Takes over a stream (switched to non-blocking here) and a codec that may
    /// already hold bytes.
    pub(crate) fn new(
        stream: UnixStream,
        codec: QmpCodec,
        pending: VecDeque<Message>,
    ) -> Result<Monitor> {
        stream.set_nonblocking(true)?;
        Ok(Monitor {
            stream,
            codec,
            pending,
            eof: false,
            broken: None,
            unreported: false,
        })
    }

    /// The socket's fd, for the event loop.
    pub(crate) fn fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }

    /// True once QEMU closed the monitor (or the socket failed).
    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    /// The first decoding failure since the last call, once: the caller raises
    /// CONTROL_ERROR for it.
    pub(crate) fn take_new_error(&mut self) -> Option<String> {
        if std::mem::take(&mut self.unreported) {
            self.broken.clone()
        } else {
            None
        }
    }

    /// Reads whatever is available without blocking and returns every complete
    /// message. An undecodable line marks the monitor broken (see
    /// [`take_new_error`](Self::take_new_error)); decodable messages still come through.
    pub(crate) fn read_available(&mut self) -> Vec<Message> {
        let mut buf = [0u8; 8192];
        while !self.eof {
            match self.stream.read(&mut buf) {
                Ok(0) => self.eof = true,
                Ok(n) => self.codec.feed(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => self.eof = true,
            }
        }
        while let Some(msg) = self.codec.next_message() {
            match msg {
                Ok(msg) => self.pending.push_back(msg),
                Err(e) if self.broken.is_none() => {
                    self.broken = Some(e.to_string());
                    self.unreported = true;
                }
                Err(_) => {}
            }
        }
        self.pending.drain(..).collect()
    }

    /// Sends `name` and waits (bounded by `timeout`) for its reply, reading the
    /// socket directly; events that arrive meanwhile are passed to `on_event` in
    /// order. Used by API calls, which may run on the loop thread itself.
    pub(crate) fn command(
        &mut self,
        name: &str,
        args: Option<Value>,
        timeout: Duration,
        on_event: &mut dyn FnMut(Message),
    ) -> Result<Value> {
        // Hand out what was read before the command first, keeping event order.
        for msg in self.read_available() {
            on_event(msg);
        }
        if self.eof {
            return Err(monitor_error("End of file from qemu monitor"));
        }
        if let Some(why) = &self.broken {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                format!("the QEMU monitor is broken: {why}"),
            ));
        }
        let (id, bytes) = self.codec.encode_command(name, args);
        let deadline = Instant::now() + timeout;
        self.write_all(&bytes, deadline)?;
        loop {
            let mut reply = None;
            for msg in self.read_available() {
                match msg {
                    Message::Return {
                        id: Some(got),
                        value,
                    } if got == id && reply.is_none() => reply = Some(Ok(value)),
                    Message::Error {
                        id: Some(got),
                        class,
                        desc,
                    } if got == id && reply.is_none() => {
                        reply = Some(Err(Error::new(
                            ErrorCode::InternalError,
                            ErrorDomain::Qemu,
                            format!("unable to execute QEMU command '{name}': {desc} ({class})"),
                        )));
                    }
                    // Events read together with the reply (also those after it) go to
                    // the caller too: they are out of the socket, so the loop's watch
                    // would never report them.
                    msg @ Message::Event { .. } => on_event(msg),
                    _ => {}
                }
            }
            if let Some(reply) = reply {
                return reply;
            }
            if self.eof {
                return Err(monitor_error("End of file from qemu monitor"));
            }
            self.wait(libc::POLLIN, deadline)?;
        }
    }

    fn write_all(&mut self, mut bytes: &[u8], deadline: Instant) -> Result<()> {
        while !bytes.is_empty() {
            match self.stream.write(bytes) {
                Ok(0) => return Err(monitor_error("cannot write to the qemu monitor")),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.wait(libc::POLLOUT, deadline)?;
                }
                Err(e) => {
                    self.eof = true;
                    return Err(monitor_error(format!(
                        "cannot write to the qemu monitor: {e}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Polls the socket for `events` until `deadline`.
    fn wait(&self, events: libc::c_short, deadline: Instant) -> Result<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::new(
                ErrorCode::OperationTimeout,
                ErrorDomain::Qemu,
                "timed out waiting for the QEMU monitor",
            ));
        }
        let mut pfd = libc::pollfd {
            fd: self.fd(),
            events,
            revents: 0,
        };
        let ms = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
        // SAFETY: `pfd` is a valid, initialised pollfd and we pass a count of one.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != ErrorKind::Interrupted {
                return Err(e.into());
            }
        }
        Ok(())
    }
}

fn monitor_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

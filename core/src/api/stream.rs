//! [`Stream`]: libvirt's `virStream`, the data channel of a console, a screenshot or
//! a volume upload/download. Sent and received blocking or not, ended by
//! [`finish`](Stream::finish) or [`abort`](Stream::abort), and watched on the
//! connection's event loop with one callback ([`Stream::event_add_callback`]).
//!
//! A stream that is dropped while open is aborted, so a console it held is free again.

use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;

use super::stream_local::LocalBackend;
use crate::driver::{LocalStream, Received, StreamBackend, StreamCallback, StreamEvents};
use crate::event::SharedLoop;
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// Bytes moved per call by [`Stream::send_all`] and [`Stream::recv_all`] (libvirt's
/// 64 KiB).
const CHUNK: usize = 64 * 1024;

enum Repr {
    Local(Arc<LocalBackend>),
    Driver(Arc<dyn StreamBackend>),
}

/// An open stream (`virStreamPtr`).
pub struct Stream {
    repr: Repr,
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Local(l) => f.debug_tuple("Stream::Local").field(l).finish(),
            Repr::Driver(d) => f.debug_tuple("Stream::Driver").field(d).finish(),
        }
    }
}

/// libvirt's error for a stream used after it ended.
pub(crate) fn stream_closed() -> Error {
    Error::new(
        ErrorCode::InvalidStream,
        ErrorDomain::Streams,
        "stream is not open",
    )
}

impl Stream {
    /// A stream served in process from a local driver's `source`; event callbacks run
    /// on `event_loop`.
    pub fn local(source: LocalStream, event_loop: Option<SharedLoop>) -> Stream {
        Stream {
            repr: Repr::Local(Arc::new(LocalBackend::new(source, event_loop))),
        }
    }

    /// A stream carried by a driver's transport.
    pub fn from_backend(backend: Arc<dyn StreamBackend>) -> Stream {
        Stream {
            repr: Repr::Driver(backend),
        }
    }

    /// The local driver's source, for a daemon to stream it to its own client; `None`
    /// for a stream carried by a driver's transport, or one already used.
    pub fn into_local(self) -> Option<LocalStream> {
        match &self.repr {
            Repr::Local(l) => l.take(),
            Repr::Driver(_) => None,
        }
    }

    /// The same stream with its event callbacks on `event_loop` (a local driver's
    /// stream gets the connection's loop here); a transport's stream is unchanged.
    pub fn with_event_loop(self, event_loop: Option<SharedLoop>) -> Stream {
        match &self.repr {
            Repr::Local(l) => match l.take() {
                Some(source) => Stream::local(source, event_loop),
                None => self,
            },
            Repr::Driver(_) => self,
        }
    }

    fn backend(&self) -> &dyn StreamBackend {
        match &self.repr {
            Repr::Local(l) => &**l,
            Repr::Driver(d) => &**d,
        }
    }

    /// Sends `data`, waiting until some is taken (`virStreamSend`); the count taken.
    pub fn send(&self, data: &[u8]) -> Result<usize> {
        loop {
            if let Some(n) = self.backend().send(data, false)? {
                return Ok(n);
            }
        }
    }

    /// Sends without waiting (`virStreamSend` on a `VIR_STREAM_NONBLOCK` stream):
    /// `None` when nothing can be taken now.
    pub fn try_send(&self, data: &[u8]) -> Result<Option<usize>> {
        self.backend().send(data, true)
    }

    /// Receives into `buf`, waiting for data (`virStreamRecv`); 0 at the end of the
    /// stream.
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize> {
        loop {
            if let Some(n) = self.backend().recv(buf, false)? {
                return Ok(n);
            }
        }
    }

    /// Receives without waiting: `None` when no data is there yet.
    pub fn try_recv(&self, buf: &mut [u8]) -> Result<Option<usize>> {
        self.backend().recv(buf, true)
    }

    /// Receives data or a sparse stream's next hole, waiting for either
    /// (`virStreamRecvFlags` with `VIR_STREAM_RECV_STOP_AT_HOLE`, `virStreamRecvHole`).
    pub fn recv_sparse(&self, buf: &mut [u8]) -> Result<Received> {
        loop {
            if let Some(r) = self.backend().recv_sparse(buf, false)? {
                return Ok(r);
            }
        }
    }

    /// Sends a hole of `length` zero bytes on a sparse stream (`virStreamSendHole`).
    pub fn send_hole(&self, length: u64) -> Result<()> {
        self.backend().send_hole(length)
    }

    /// Sends all that `source` gives, then nothing else (`virStreamSendAll` without
    /// the finish): the byte count. Aborts the stream if `source` fails.
    pub fn send_all(&self, mut source: impl Read) -> Result<u64> {
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0u64;
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = self.abort();
                    return Err(io_error("cannot read data to send", &e));
                }
            };
            let mut chunk = &buf[..n];
            while !chunk.is_empty() {
                let sent = self.send(chunk)?;
                chunk = &chunk[sent..];
            }
            total += n as u64;
        }
    }

    /// Receives everything into `sink` until the end of the stream (`virStreamRecvAll`
    /// without the finish): the byte count. Aborts the stream if `sink` fails.
    pub fn recv_all(&self, mut sink: impl Write) -> Result<u64> {
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0u64;
        loop {
            let n = self.recv(&mut buf)?;
            if n == 0 {
                return Ok(total);
            }
            if let Err(e) = sink.write_all(&buf[..n]) {
                let _ = self.abort();
                return Err(io_error("cannot write received data", &e));
            }
            total += n as u64;
        }
    }

    /// Ends the stream and waits for the other side's confirmation (`virStreamFinish`).
    pub fn finish(&self) -> Result<()> {
        self.backend().finish()
    }

    /// Ends the stream early (`virStreamAbort`).
    pub fn abort(&self) -> Result<()> {
        self.backend().abort()
    }

    /// Registers the stream's callback for `events` (`virStreamEventAddCallback`): it
    /// runs on the connection's event loop while any of them is ready (level-triggered,
    /// as libvirt's). One callback per stream.
    pub fn event_add_callback(
        &self,
        events: StreamEvents,
        cb: impl FnMut(StreamEvents) + Send + 'static,
    ) -> Result<()> {
        let cb: StreamCallback = Box::new(cb);
        self.backend().add_callback(events, cb)
    }

    /// Changes the events the callback waits for (`virStreamEventUpdateCallback`).
    pub fn event_update_callback(&self, events: StreamEvents) -> Result<()> {
        self.backend().update_callback(events)
    }

    /// Removes the callback (`virStreamEventRemoveCallback`).
    pub fn event_remove_callback(&self) -> Result<()> {
        self.backend().remove_callback()
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        // An open stream is aborted; an ended one answers "not open", ignored.
        let _ = self.backend().remove_callback();
        let _ = self.backend().abort();
    }
}

fn io_error(what: &str, e: &std::io::Error) -> Error {
    Error::verbatim(
        ErrorCode::SystemError,
        ErrorDomain::Streams,
        format!("{what}: {e}"),
    )
}

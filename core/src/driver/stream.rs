//! The driver side of libvirt's `virStream`: what a driver returns for an operation
//! that streams data (console, screenshot, volume upload and download).
//!
//! A driver that streams over its own transport (the remote driver) implements
//! [`StreamBackend`]. A local driver hands out a [`LocalStream`] instead: the thing the
//! data comes from or goes to (a pty, bytes in memory, a volume's file), which
//! [`Stream`](crate::api::Stream) serves in process and a daemon takes back
//! ([`Stream::into_local`](crate::api::Stream::into_local)) to stream it to its client.

use std::any::Any;
use std::fmt;
use std::fs::File;
use std::ops::BitOr;
use std::os::fd::OwnedFd;

use super::ConsoleLease;
use crate::Result;

/// `virStreamEventType`: what a stream's event callback asks for and is told.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StreamEvents(pub u32);

impl StreamEvents {
    /// Nothing.
    pub const NONE: StreamEvents = StreamEvents(0);
    /// `VIR_STREAM_EVENT_READABLE`: data (or the end of the stream) can be received.
    pub const READABLE: StreamEvents = StreamEvents(1);
    /// `VIR_STREAM_EVENT_WRITABLE`: data can be sent.
    pub const WRITABLE: StreamEvents = StreamEvents(2);
    /// `VIR_STREAM_EVENT_ERROR`: the stream failed.
    pub const ERROR: StreamEvents = StreamEvents(4);
    /// `VIR_STREAM_EVENT_HANGUP`: the other side ended the stream.
    pub const HANGUP: StreamEvents = StreamEvents(8);

    /// True if any bit of `other` is set.
    pub fn intersects(self, other: StreamEvents) -> bool {
        self.0 & other.0 != 0
    }

    /// True if no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for StreamEvents {
    type Output = StreamEvents;
    fn bitor(self, rhs: StreamEvents) -> StreamEvents {
        StreamEvents(self.0 | rhs.0)
    }
}

/// A stream's event callback (`virStreamEventCallback`), run on the event loop the
/// stream's connection registered, with the events that are ready.
pub type StreamCallback = Box<dyn FnMut(StreamEvents) + Send>;

/// A stream carried by a driver's own transport. `Ok(None)` from a non-blocking
/// [`send`](StreamBackend::send) or [`recv`](StreamBackend::recv) means "would block"
/// (libvirt's -2).
pub trait StreamBackend: Send + Sync + fmt::Debug {
    /// Sends `data`; returns how much was taken.
    fn send(&self, data: &[u8], nonblock: bool) -> Result<Option<usize>>;
    /// Receives into `buf`; `Some(0)` at the end of the stream.
    fn recv(&self, buf: &mut [u8], nonblock: bool) -> Result<Option<usize>>;
    /// Receives data or, stopping there, a sparse stream's hole
    /// (`virStreamRecvFlags` with `VIR_STREAM_RECV_STOP_AT_HOLE`, then
    /// `virStreamRecvHole`). Backends without holes receive data only.
    fn recv_sparse(&self, buf: &mut [u8], nonblock: bool) -> Result<Option<Received>> {
        Ok(self.recv(buf, nonblock)?.map(|n| match n {
            0 => Received::End,
            n => Received::Data(n),
        }))
    }
    /// Sends a hole of `length` zero bytes on a sparse stream (`virStreamSendHole`).
    fn send_hole(&self, length: u64) -> Result<()> {
        let _ = length;
        Err(crate::Error::no_support(
            crate::ErrorDomain::Streams,
            "virStreamSendHole",
        ))
    }
    /// Ends the stream successfully and waits for the other side to confirm
    /// (`virStreamFinish`): an error the other side reported comes back here.
    fn finish(&self) -> Result<()>;
    /// Ends the stream early (`virStreamAbort`).
    fn abort(&self) -> Result<()>;
    /// Registers the stream's one event callback (`virStreamEventAddCallback`).
    fn add_callback(&self, events: StreamEvents, cb: StreamCallback) -> Result<()>;
    /// Changes what the callback is asked for (`virStreamEventUpdateCallback`).
    fn update_callback(&self, events: StreamEvents) -> Result<()>;
    /// Removes the callback (`virStreamEventRemoveCallback`).
    fn remove_callback(&self) -> Result<()>;
}

/// What a sparse-aware receive got ([`StreamBackend::recv_sparse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// This many bytes of data in the buffer.
    Data(usize),
    /// A hole of this many zero bytes (`virStreamRecvHole`).
    Hole(u64),
    /// The end of the stream.
    End,
}

/// Runs once a local upload stream is finished successfully (a volume's allocation
/// refreshed); its error is the stream's.
pub type OnFinish = Box<dyn FnOnce() -> Result<()> + Send>;

/// What a local stream reads from or writes to.
pub enum LocalSource {
    /// A non-blocking fd both ways (a console's pty).
    Fd(OwnedFd),
    /// Bytes to receive, then the end (a screenshot).
    Bytes(Vec<u8>),
    /// A file read from its current position, `remaining` bytes, then the end (a
    /// volume download).
    Reader {
        /// Positioned at the first byte to send.
        file: File,
        /// Bytes left to send.
        remaining: u64,
        /// Holes go as holes (`VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM`), not zeroes.
        sparse: bool,
    },
    /// A file written at its current position, at most `remaining` bytes (a volume
    /// upload); [`LocalStream::on_finish`] runs when the sender finishes.
    Writer {
        /// Positioned at the first byte to write.
        file: File,
        /// Bytes the sender may still write.
        remaining: u64,
        /// The sender may send holes (`VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM`).
        sparse: bool,
    },
}

impl fmt::Debug for LocalSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalSource::Fd(fd) => f.debug_tuple("Fd").field(fd).finish(),
            LocalSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            LocalSource::Reader { remaining, .. } => write!(f, "Reader({remaining} left)"),
            LocalSource::Writer { remaining, .. } => write!(f, "Writer({remaining} left)"),
        }
    }
}

/// A local driver's stream: its source, and what must live as long as it.
pub struct LocalStream {
    /// Where the data comes from or goes.
    pub source: LocalSource,
    /// A console's session (dropped, the console is free again).
    pub lease: Option<ConsoleLease>,
    /// Runs at a successful finish of a [`LocalSource::Writer`].
    pub on_finish: Option<OnFinish>,
    /// Anything else kept alive until the stream ends.
    pub keep: Option<Box<dyn Any + Send>>,
}

impl LocalStream {
    /// A stream over `source` alone.
    pub fn new(source: LocalSource) -> LocalStream {
        LocalStream {
            source,
            lease: None,
            on_finish: None,
            keep: None,
        }
    }
}

impl fmt::Debug for LocalStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalStream")
            .field("source", &self.source)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

//! libvirt's stream protocol, the server side: what a procedure hands the library to
//! stream to its client ([`StreamSource`], through [`Ctx::open_stream`](crate::Ctx::open_stream)),
//! and the handle that ends a stream from the server's side ([`StreamHandle`]).
//!
//! A stream lives on the connection of the call that opened it and reuses the call's
//! serial. Once the call's reply is queued, the library sends the source's bytes as
//! STREAM packets with status CONTINUE, and the end of the source as an empty one
//! (libvirt's read EOF; status OK only confirms the client's finish or abort). The client's STREAM/CONTINUE packets are written to the
//! source (a pty: what the user types); its empty STREAM/OK (`virStreamFinish`) is
//! answered with an empty STREAM/OK and ends the stream, its STREAM/ERROR
//! (`virStreamAbort`) ends it too. The connection closing ends every stream of it.
//!
//! Flow control: a source is read only while the client's unread output stays under
//! half its limit (the service's `max_output`), so a client that stops reading stops
//! the reading of its source rather than being disconnected.

use std::any::Any;
use std::fmt;
use std::fs::File;
use std::os::fd::OwnedFd;

use rvirt_core::driver::{LocalSource, LocalStream, OnFinish};
use std::sync::Weak;

use rvirt_rpc::RemoteError;

use crate::client::Client;

/// What a stream carries.
pub(crate) enum Kind {
    /// A non-blocking fd watched on the event loop: read to the client, client data
    /// written to it.
    Fd(OwnedFd),
    /// Bytes sent in order, then the end of the stream.
    Bytes(Vec<u8>),
    /// A regular file read from its position, `remaining` bytes, then the end of the
    /// stream (a volume download); paced by the output window like [`Kind::Bytes`].
    Reader {
        file: File,
        remaining: u64,
        sparse: bool,
    },
    /// A regular file the client's data is written to, at most `remaining` bytes (a
    /// volume upload); the client's finish syncs it and runs `on_finish`, whose error
    /// answers the finish.
    Writer {
        file: File,
        remaining: u64,
        sparse: bool,
        on_finish: Option<OnFinish>,
    },
}

/// The guest side of a stream, given to [`Ctx::open_stream`](crate::Ctx::open_stream).
pub struct StreamSource {
    pub(crate) kind: Kind,
    /// Kept alive as long as the stream (a console lease, a temp file).
    pub(crate) keep: Option<Box<dyn Any + Send>>,
}

impl StreamSource {
    /// A stream over `fd` (a pty, a socket, a pipe), which the library makes
    /// non-blocking and closes when the stream ends.
    pub fn fd(fd: OwnedFd) -> StreamSource {
        StreamSource {
            kind: Kind::Fd(fd),
            keep: None,
        }
    }

    /// A stream sending `bytes`, then its end (a screenshot).
    pub fn bytes(bytes: Vec<u8>) -> StreamSource {
        StreamSource {
            kind: Kind::Bytes(bytes),
            keep: None,
        }
    }

    /// A stream sending `remaining` bytes of `file` from its position, then its end;
    /// `sparse`: its holes as STREAM_HOLE packets.
    pub fn reader(file: File, remaining: u64, sparse: bool) -> StreamSource {
        StreamSource {
            kind: Kind::Reader {
                file,
                remaining,
                sparse,
            },
            keep: None,
        }
    }

    /// A stream writing the client's data to `file` from its position, at most
    /// `remaining` bytes; at the client's finish the file is synced and `on_finish` runs.
    /// `sparse`: the client may send holes (the range zeroed, punched where the file
    /// system can).
    pub fn writer(
        file: File,
        remaining: u64,
        sparse: bool,
        on_finish: Option<OnFinish>,
    ) -> StreamSource {
        StreamSource {
            kind: Kind::Writer {
                file,
                remaining,
                sparse,
                on_finish,
            },
            keep: None,
        }
    }

    /// The source of a local driver's stream ([`rvirt_core::api::Stream::into_local`]),
    /// keeping its console lease and kept values for as long as the stream lasts.
    pub fn from_local(local: LocalStream) -> StreamSource {
        let source = match local.source {
            LocalSource::Fd(fd) => StreamSource::fd(fd),
            LocalSource::Bytes(b) => StreamSource::bytes(b),
            LocalSource::Reader {
                file,
                remaining,
                sparse,
            } => StreamSource::reader(file, remaining, sparse),
            LocalSource::Writer {
                file,
                remaining,
                sparse,
            } => StreamSource::writer(file, remaining, sparse, local.on_finish),
        };
        match (local.lease, local.keep) {
            (None, None) => source,
            (lease, keep) => source.keeping((lease, keep)),
        }
    }

    /// Keeps `value` alive until the stream ends (then drops it).
    pub fn keeping(mut self, value: impl Any + Send) -> StreamSource {
        self.keep = Some(Box::new(value));
        self
    }
}

impl fmt::Debug for StreamSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Fd(fd) => f.debug_tuple("StreamSource::Fd").field(fd).finish(),
            Kind::Bytes(b) => write!(f, "StreamSource::Bytes({} bytes)", b.len()),
            Kind::Reader { remaining, .. } => write!(f, "StreamSource::Reader({remaining})"),
            Kind::Writer { remaining, .. } => write!(f, "StreamSource::Writer({remaining})"),
        }
    }
}

/// Ends a stream from the server's side (a console taken over by a forced open).
#[derive(Clone, Debug)]
pub struct StreamHandle {
    pub(crate) client: Weak<Client>,
    pub(crate) serial: u32,
}

impl StreamHandle {
    /// Stops the source and sends the client the end of the stream (an empty
    /// STREAM/CONTINUE, libvirt's hang-up). Does nothing once the stream has ended.
    pub fn hang_up(&self) {
        if let Some(client) = self.client.upgrade() {
            client.hang_up_stream(self.serial, None);
        }
    }

    /// Stops the source and ends the client's stream with `error` (a STREAM/ERROR, as
    /// libvirtd ends a console session a forced open took over). Does nothing once the
    /// stream has ended.
    pub fn fail(&self, error: RemoteError) {
        if let Some(client) = self.client.upgrade() {
            client.hang_up_stream(self.serial, Some(error));
        }
    }

    /// The serial of the call that opened the stream.
    pub fn serial(&self) -> u32 {
        self.serial
    }
}

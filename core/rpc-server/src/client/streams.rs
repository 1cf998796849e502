//! A client's open streams ([`crate::stream`]): sources watched on the event loop and
//! read while the client's unread output leaves room, the client's STREAM packets
//! written to them, and the end of a stream from either side.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

use rvirt_core::event::{EventLoop, Interest, WatchId};
use rvirt_rpc::stream_hole::StreamHole;
use rvirt_rpc::{
    Header, MIN_PACKET_LEN, Message, MessageStatus, MessageType, RemoteError, encode_message,
    encode_message_with,
};

use super::Client;
use super::io::Io;
use crate::error::{ERR_RPC, FROM_RPC};
use crate::log::log;
use crate::stream::{Kind, StreamSource};

/// Bytes read from a source per packet.
const CHUNK: usize = 64 * 1024;
/// Client data not yet written to a source before the stream is ended as stuck.
const MAX_TO_SOURCE: usize = 4 << 20;

/// Syncs a finished upload's file and runs its completion: the error to answer the
/// client's finish with, if any.
fn complete_upload(
    file: &std::fs::File,
    on_finish: Option<rvirt_core::driver::OnFinish>,
) -> Option<RemoteError> {
    if let Err(e) = file.sync_all() {
        return Some(RemoteError::from(rvirt_core::Error::verbatim(
            rvirt_core::ErrorCode::SystemError,
            rvirt_core::ErrorDomain::Streams,
            format!("unable to sync stream data: {e}"),
        )));
    }
    on_finish.and_then(|f| f().err()).map(RemoteError::from)
}

/// The streams of a client, by the serial of the call that opened each.
pub(super) type Streams = HashMap<u32, Active>;

/// One open stream.
pub(super) struct Active {
    /// The opening call's header, as STREAM/CONTINUE.
    header: Header,
    /// The source; `None` once the server's side has ended.
    kind: Option<Kind>,
    /// Bytes of a [`Kind::Bytes`] source already sent.
    sent: usize,
    keep: Option<Box<dyn Any + Send>>,
    watch: Option<WatchId>,
    interest: Interest,
    /// Client data not yet written to the source.
    to_source: VecDeque<u8>,
    /// Ended by us with an error: the client's finish or abort is not confirmed (the
    /// error answered it; libvirt's client takes a later OK for a protocol error).
    failed: bool,
}

impl fmt::Debug for Active {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Active")
            .field("serial", &self.header.serial)
            .field("open", &self.kind.is_some())
            .field("to_source", &self.to_source.len())
            .finish_non_exhaustive()
    }
}

impl Active {
    fn fd(&self) -> Option<&OwnedFd> {
        match &self.kind {
            Some(Kind::Fd(fd)) => Some(fd),
            _ => None,
        }
    }
}

fn set_nonblocking(fd: &OwnedFd) {
    // SAFETY: fcntl on an fd we own, no pointers.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

fn read_fd(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: buf is valid for buf.len() bytes.
    let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

fn write_fd(fd: &OwnedFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: buf is valid for buf.len() bytes.
    let n = unsafe { libc::write(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

impl Client {
    /// The most unread output under which sources are read: half the client's limit.
    fn stream_window(&self) -> usize {
        self.service.max_output / 2
    }

    /// Starts streaming `source` for the call `call`, whose reply is already queued.
    pub(super) fn start_stream(self: &Arc<Self>, io: &mut Io, call: Header, source: StreamSource) {
        if io.stream.is_none() {
            return;
        }
        let serial = call.serial;
        let mut active = Active {
            header: Header {
                msg_type: MessageType::STREAM,
                status: MessageStatus::CONTINUE,
                ..call
            },
            kind: Some(source.kind),
            sent: 0,
            keep: source.keep,
            watch: None,
            interest: Interest::NONE,
            to_source: VecDeque::new(),
            failed: false,
        };
        if let Some(fd) = active.fd() {
            set_nonblocking(fd);
            let me = Arc::downgrade(self);
            let added = self.event_loop.add_handle(
                fd.as_raw_fd(),
                Interest::NONE,
                Box::new(move |_, _, ready| {
                    if let Some(c) = me.upgrade() {
                        c.on_stream_ready(serial, ready);
                    }
                }),
            );
            match added {
                Ok(w) => active.watch = Some(w),
                Err(e) => log!("client {}: stream {serial}: cannot watch: {e}", self.id),
            }
        }
        if let Some(old) = io.streams.insert(serial, active) {
            self.drop_stream(old);
        }
        self.pump_streams(io);
    }

    /// Routes a client's STREAM (or STREAM_HOLE) packet to its stream; packets of no
    /// open stream are ignored, as by libvirtd.
    pub(super) fn stream_packet(&self, io: &mut Io, msg: Message) {
        let serial = msg.header.serial;
        let Some(s) = io.streams.get_mut(&serial) else {
            return;
        };
        if msg.header.msg_type == MessageType::STREAM_HOLE {
            // Only a sparse upload takes holes (libvirtd's "Unexpected stream hole").
            let hole = match &mut s.kind {
                Some(Kind::Writer {
                    file,
                    remaining,
                    sparse: true,
                    ..
                }) => match msg.decode_payload::<StreamHole>() {
                    Ok(h) if h.length >= 0 => {
                        let len = (h.length as u64).min(*remaining);
                        *remaining -= len;
                        super::sparse::write_hole(file, len).map_err(|e| {
                            log!("client {}: stream {serial}: hole failed: {e}", self.id);
                            RemoteError::new(ERR_RPC, FROM_RPC, "stream had I/O failure")
                        })
                    }
                    _ => Err(RemoteError::new(
                        ERR_RPC,
                        FROM_RPC,
                        "Unexpected stream hole",
                    )),
                },
                Some(_) => Err(RemoteError::new(
                    ERR_RPC,
                    FROM_RPC,
                    "Unexpected stream hole",
                )),
                None => Ok(()),
            };
            if let Err(e) = hole {
                self.end_stream(io, serial, Some(e));
            }
            return self.pump_streams(io);
        }
        match msg.header.status {
            MessageStatus::CONTINUE => {
                if let Some(Kind::Writer { .. }) = &s.kind {
                    self.write_file(io, serial, &msg.payload);
                    return self.pump_streams(io);
                }
                if s.fd().is_none() {
                    return;
                }
                s.to_source.extend(&msg.payload);
                if s.to_source.len() > MAX_TO_SOURCE {
                    log!(
                        "client {}: stream {serial}: source not reading; ending",
                        self.id
                    );
                    let err = RemoteError::new(ERR_RPC, FROM_RPC, "stream had I/O failure");
                    self.end_stream(io, serial, Some(err));
                    return;
                }
                self.write_source(io, serial);
            }
            // virStreamFinish (OK) and virStreamAbort (ERROR): a zero-length confirm,
            // or the error of completing an upload.
            status => {
                if let Some(mut s) = io.streams.remove(&serial) {
                    let failed = match s.kind.take() {
                        Some(Kind::Writer {
                            file, on_finish, ..
                        }) if status == MessageStatus::OK => complete_upload(&file, on_finish),
                        _ => None,
                    };
                    let frame = match failed {
                        // Our error already ended it: nothing more to say.
                        None if s.failed => {
                            self.drop_stream(s);
                            return self.pump_streams(io);
                        }
                        None => encode_message(
                            &Header {
                                status: MessageStatus::OK,
                                ..s.header
                            },
                            &[],
                        ),
                        Some(e) => encode_message_with(
                            &Header {
                                status: MessageStatus::ERROR,
                                ..s.header
                            },
                            &e,
                        ),
                    };
                    self.drop_stream(s);
                    if let Ok(frame) = frame {
                        self.queue_locked(io, &frame);
                    }
                }
            }
        }
        self.pump_streams(io);
    }

    /// Writes what the client sent into an upload's file (a regular file: it takes it
    /// all now); data past the upload's length fails the stream as libvirt's does.
    fn write_file(&self, io: &mut Io, serial: u32, data: &[u8]) {
        let Some(s) = io.streams.get_mut(&serial) else {
            return;
        };
        let Some(Kind::Writer {
            file, remaining, ..
        }) = &mut s.kind
        else {
            return;
        };
        // What fits is written; more than the length fails as a full device.
        let fits = usize::try_from(*remaining).map_or(data.len(), |r| r.min(data.len()));
        let result = {
            use std::io::Write;
            file.write_all(&data[..fits])
        }
        .and_then(|()| {
            if fits < data.len() {
                Err(io::Error::from_raw_os_error(libc::ENOSPC))
            } else {
                Ok(())
            }
        });
        *remaining -= fits as u64;
        match result {
            Ok(()) => {}
            Err(e) => {
                log!(
                    "client {}: stream {serial}: upload write failed: {e}",
                    self.id
                );
                let text = e.to_string();
                let text = text.split(" (os error").next().unwrap_or(&text);
                let err = RemoteError::from(rvirt_core::Error::verbatim(
                    rvirt_core::ErrorCode::SystemError,
                    rvirt_core::ErrorDomain::Streams,
                    format!("cannot write to stream: {text}"),
                ));
                self.end_stream(io, serial, Some(err));
            }
        }
    }

    /// Writes what the client sent to the source, as much as it takes now.
    fn write_source(&self, io: &mut Io, serial: u32) {
        let Some(s) = io.streams.get_mut(&serial) else {
            return;
        };
        let mut failed = None;
        while let Some(fd) = s.fd() {
            let (front, _) = s.to_source.as_slices();
            if front.is_empty() {
                break;
            }
            match write_fd(fd, front) {
                Ok(n) => drop(s.to_source.drain(..n)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failed {
            log!("client {}: stream {serial}: write failed: {e}", self.id);
            let err = RemoteError::new(ERR_RPC, FROM_RPC, "stream had I/O failure");
            self.end_stream(io, serial, Some(err));
        }
    }

    /// Reads a source while the client's output leaves room.
    fn read_source(&self, io: &mut Io, serial: u32) {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let room = self
                .stream_window()
                .saturating_sub(io.out.len() + MIN_PACKET_LEN);
            let Some(s) = io.streams.get_mut(&serial) else {
                return;
            };
            let Some(fd) = s.fd() else {
                return;
            };
            if room == 0 {
                return;
            }
            let want = room.min(CHUNK);
            match read_fd(fd, &mut buf[..want]) {
                // End of file, or a pty whose other side closed (EIO).
                Ok(0) => return self.end_stream(io, serial, None),
                Err(e) if e.raw_os_error() == Some(libc::EIO) => {
                    return self.end_stream(io, serial, None);
                }
                Ok(n) => {
                    if let Ok(frame) = encode_message(&s.header, &buf[..n]) {
                        self.queue_locked(io, &frame);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    log!("client {}: stream {serial}: read failed: {e}", self.id);
                    let err = RemoteError::new(ERR_RPC, FROM_RPC, "stream had I/O failure");
                    return self.end_stream(io, serial, Some(err));
                }
            }
        }
    }

    /// Ends the server's side of a stream: the source is closed and the client is
    /// sent an empty STREAM/CONTINUE (end of stream) or a STREAM/ERROR. The stream stays
    /// known until the client's final packet, which is then confirmed.
    fn end_stream(&self, io: &mut Io, serial: u32, error: Option<RemoteError>) {
        let Some(s) = io.streams.get_mut(&serial) else {
            return;
        };
        if s.kind.is_none() {
            return;
        }
        if let Some(w) = s.watch.take() {
            let _ = self.event_loop.remove_handle(w);
        }
        s.kind = None;
        s.keep = None;
        s.to_source.clear();
        s.failed = error.is_some();
        // libvirt's read EOF is an empty CONTINUE packet: OK only confirms the
        // client's finish or abort (`virNetServerProgramSendStreamData`).
        let frame = match error {
            None => encode_message(&s.header, &[]),
            Some(e) => encode_message_with(
                &Header {
                    status: MessageStatus::ERROR,
                    ..s.header
                },
                &e,
            ),
        };
        if let Ok(frame) = frame {
            self.queue_locked(io, &frame);
        }
    }

    /// Releases a stream's watch, source and kept values.
    fn drop_stream(&self, mut s: Active) {
        if let Some(w) = s.watch.take() {
            let _ = self.event_loop.remove_handle(w);
        }
    }

    /// Ends the stream of `serial` from the server's side ([`crate::stream::StreamHandle::hang_up`]).
    pub(crate) fn hang_up_stream(&self, serial: u32, error: Option<RemoteError>) {
        let mut io = self.lock_io();
        self.end_stream(&mut io, serial, error);
        self.update_interest(&mut io);
    }

    /// Closes every stream (the connection is closing).
    pub(super) fn close_streams(&self, io: &mut Io) {
        for (_, s) in io.streams.drain() {
            self.drop_stream(s);
        }
    }

    /// Sends in-memory sources as far as the output window allows and sets each fd
    /// source's watch: READABLE while the window has room, WRITABLE while client data
    /// waits for it. Called whenever the output shrinks or grows.
    pub(super) fn pump_streams(&self, io: &mut Io) {
        if io.streams.is_empty() {
            return;
        }
        let window = self.stream_window();
        let serials: Vec<u32> = io.streams.keys().copied().collect();
        for serial in serials {
            self.pump_bytes(io, serial, window);
            let room = io.out.len() + MIN_PACKET_LEN < window;
            let Some(s) = io.streams.get_mut(&serial) else {
                continue;
            };
            let Some(w) = s.watch else {
                continue;
            };
            let mut want = Interest::NONE;
            if room {
                want |= Interest::READABLE;
            }
            if !s.to_source.is_empty() {
                want |= Interest::WRITABLE;
            }
            if want != s.interest {
                s.interest = want;
                let _ = self.event_loop.update_handle(w, want);
            }
        }
    }

    /// Sends the next chunks of a [`Kind::Bytes`] source, and its end once all is sent.
    fn pump_bytes(&self, io: &mut Io, serial: u32, window: usize) {
        loop {
            let room = window.saturating_sub(io.out.len() + MIN_PACKET_LEN);
            let Some(s) = io.streams.get_mut(&serial) else {
                return;
            };
            if let Some(Kind::Reader { .. }) = &s.kind {
                if !self.pump_file(io, serial, room) {
                    return;
                }
                continue;
            }
            let Some(Kind::Bytes(bytes)) = &s.kind else {
                return;
            };
            if s.sent >= bytes.len() {
                return self.end_stream(io, serial, None);
            }
            if room == 0 {
                return;
            }
            let end = bytes.len().min(s.sent + room.min(CHUNK));
            let frame = encode_message(&s.header, &bytes[s.sent..end]);
            s.sent = end;
            if let Ok(frame) = frame {
                self.queue_locked(io, &frame);
            }
        }
    }

    /// Sends the next chunk of a [`Kind::Reader`] (at most `room` bytes), or its end:
    /// true while more may follow now.
    fn pump_file(&self, io: &mut Io, serial: u32, room: usize) -> bool {
        let Some(s) = io.streams.get_mut(&serial) else {
            return false;
        };
        let Some(Kind::Reader {
            file,
            remaining,
            sparse,
        }) = &mut s.kind
        else {
            return false;
        };
        if *remaining == 0 {
            self.end_stream(io, serial, None);
            return false;
        }
        if room == 0 {
            return false;
        }
        let mut want = room
            .min(CHUNK)
            .min(usize::try_from(*remaining).unwrap_or(usize::MAX));
        if *sparse {
            // Holes go as STREAM_HOLE packets, data up to the next hole.
            match super::sparse::extent(file) {
                Ok(super::sparse::Extent::Hole(len)) => {
                    let len = len.min(*remaining);
                    *remaining -= len;
                    let h = Header {
                        msg_type: MessageType::STREAM_HOLE,
                        ..s.header
                    };
                    let hole = StreamHole {
                        length: i64::try_from(len).unwrap_or(i64::MAX),
                        flags: 0,
                    };
                    let skipped = std::io::Seek::seek(file, std::io::SeekFrom::Current(len as i64));
                    if let Ok(frame) = encode_message_with(&h, &hole) {
                        self.queue_locked(io, &frame);
                    }
                    return skipped.is_ok();
                }
                Ok(super::sparse::Extent::Data(n)) => {
                    want = want.min(usize::try_from(n).unwrap_or(usize::MAX));
                }
                Ok(super::sparse::Extent::End) | Err(_) => {}
            }
        }
        let mut buf = vec![0u8; want];
        use std::io::Read;
        match file.read(&mut buf) {
            // The file is shorter than promised: the end of the stream.
            Ok(0) => {
                self.end_stream(io, serial, None);
                false
            }
            Ok(n) => {
                *remaining -= n as u64;
                if let Ok(frame) = encode_message(&s.header, &buf[..n]) {
                    self.queue_locked(io, &frame);
                }
                true
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => true,
            Err(e) => {
                log!("client {}: stream {serial}: read failed: {e}", self.id);
                let err = RemoteError::new(ERR_RPC, FROM_RPC, "stream had I/O failure");
                self.end_stream(io, serial, Some(err));
                false
            }
        }
    }

    /// A source's watch fired (loop thread).
    fn on_stream_ready(self: &Arc<Self>, serial: u32, ready: Interest) {
        let mut io = self.lock_io();
        if io.stream.is_none() {
            return;
        }
        if ready.intersects(Interest::WRITABLE) {
            self.write_source(&mut io, serial);
        }
        if ready.intersects(Interest::READABLE | Interest::HANGUP | Interest::ERROR) {
            self.read_source(&mut io, serial);
        }
        self.pump_streams(&mut io);
        self.update_interest(&mut io);
        drop(io);
        self.enforce_output_budget();
    }
}

//! libvirt's stream protocol, the client side: the streams opened by calls on this
//! connection (console, screenshot, volume upload/download), by the serial of the call.
//!
//! What the server sends on a stream (STREAM packets: data with status CONTINUE, the
//! end as an empty CONTINUE, the confirmation of our finish or abort as OK, an error
//! as ERROR with a `remote_error`) is sorted by whoever reads the socket, under the
//! state lock, into the stream's queue. The queue is bounded: past [`WINDOW`] bytes the
//! event-loop watch stops reading the socket (the daemon then stops reading its
//! source), and should a synchronous caller, who must read its reply, push it past
//! [`HARD_LIMIT`] the stream fails rather than grow. Our data goes out as STREAM/CONTINUE
//! packets of at most [`CHUNK`] bytes; `finish` sends an empty STREAM/OK, `abort` an
//! empty STREAM/ERROR, and both wait for the daemon's confirmation.
//!
//! A stream's event callback runs from a timer on the connection's event loop, armed
//! (every iteration) while an event it asks for is ready, as libvirt's remote driver
//! does it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Weak};

use rvirt_core::api::CloseReason;
use rvirt_core::driver::{Received, StreamCallback, StreamEvents};
use rvirt_core::event::{TimerId, TimerInterval};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use rvirt_rpc::stream_hole::StreamHole;
use rvirt_rpc::{
    Header, Message, MessageStatus, MessageType, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION,
    RemoteError, encode_message,
};

use super::{Client, POLL_SLICE, State};
use crate::socket::poll;

/// Unread bytes of one stream above which the event loop stops reading the socket.
pub(crate) const WINDOW: usize = 4 << 20;
/// Unread bytes at which the stream fails (reached only while synchronous callers read).
pub(crate) const HARD_LIMIT: usize = 32 << 20;
/// Bytes per STREAM packet we send (libvirt's legacy payload limit, 256 KiB - 24).
pub(crate) const CHUNK: usize = 262_120;
/// Queued output above which a non-blocking send would block.
const OUT_WINDOW: usize = 1 << 20;

/// What the daemon sent on a stream, in order.
enum Chunk {
    Data(Vec<u8>),
    /// A sparse stream's hole: this many zero bytes.
    Hole(u64),
}

/// One open stream.
pub(super) struct StreamState {
    proc_: i32,
    queue: VecDeque<Chunk>,
    /// Bytes of the queue's first chunk already received.
    head: usize,
    queued: usize,
    /// The daemon ended the stream (its read EOF).
    eof: bool,
    error: Option<Error>,
    /// We sent our finish or abort.
    closing: bool,
    /// The daemon answered it.
    confirmed: bool,
    callback: Option<Watch>,
}

/// A stream's event callback and its timer.
struct Watch {
    timer: TimerId,
    wanted: StreamEvents,
    cb: Arc<Mutex<Option<StreamCallback>>>,
}

impl StreamState {
    pub(super) fn new(proc_: i32) -> StreamState {
        StreamState {
            proc_,
            queue: VecDeque::new(),
            head: 0,
            queued: 0,
            eof: false,
            error: None,
            closing: false,
            confirmed: false,
            callback: None,
        }
    }

    /// The events ready now, among `wanted` (error and hang-up always).
    fn ready(&self, wanted: StreamEvents, out_queued: usize) -> StreamEvents {
        let mut got = StreamEvents::NONE;
        if wanted.intersects(StreamEvents::READABLE)
            && (!self.queue.is_empty() || self.eof || self.error.is_some())
        {
            got = got | StreamEvents::READABLE;
        }
        if wanted.intersects(StreamEvents::WRITABLE)
            && !self.closing
            && self.error.is_none()
            && out_queued < OUT_WINDOW
        {
            got = got | StreamEvents::WRITABLE;
        }
        if self.error.is_some() {
            got = got | StreamEvents::ERROR;
        } else if self.eof && self.queue.is_empty() {
            got = got | StreamEvents::HANGUP;
        }
        got
    }
}

fn stream_closed() -> Error {
    Error::new(
        ErrorCode::InvalidStream,
        ErrorDomain::Streams,
        "stream is not open",
    )
}

fn stream_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::Rpc, ErrorDomain::Rpc, msg)
}

fn header(proc_: i32, serial: u32, status: MessageStatus) -> Header {
    Header {
        prog: REMOTE_PROGRAM,
        vers: REMOTE_PROTOCOL_VERSION,
        proc_,
        msg_type: MessageType::STREAM,
        serial,
        status,
    }
}

impl State {
    /// True while some stream holds more unread data than the window allows.
    pub(super) fn streams_full(&self) -> bool {
        self.streams.values().any(|s| s.queued >= WINDOW)
    }
}

impl Client {
    /// Sorts a STREAM or STREAM_HOLE packet from the daemon into its stream.
    pub(super) fn stream_incoming(&self, st: &mut State, msg: Message) {
        let serial = msg.header.serial;
        let Some(s) = st.streams.get_mut(&serial) else {
            return;
        };
        if msg.header.msg_type == MessageType::STREAM_HOLE {
            match msg.decode_payload::<StreamHole>() {
                Ok(h) if h.length >= 0 => {
                    if h.length > 0 && !s.closing && s.error.is_none() {
                        s.queue.push_back(Chunk::Hole(h.length as u64));
                    }
                }
                _ => s.error = Some(stream_error("Unexpected stream hole")),
            }
        } else {
            match msg.header.status {
                MessageStatus::CONTINUE if msg.payload.is_empty() => s.eof = true,
                MessageStatus::CONTINUE => {
                    if !s.closing && s.error.is_none() {
                        s.queued += msg.payload.len();
                        s.queue.push_back(Chunk::Data(msg.payload));
                    }
                }
                MessageStatus::OK => {
                    if s.closing {
                        s.confirmed = true;
                    } else {
                        s.eof = true;
                    }
                }
                _ => {
                    s.error = Some(match msg.decode_payload::<RemoteError>() {
                        Ok(e) => e.to_error(),
                        Err(_) => stream_error("stream had I/O failure"),
                    });
                    if s.closing {
                        s.confirmed = true;
                    }
                }
            }
        }
        let overflow = s.queued >= HARD_LIMIT && s.error.is_none();
        if overflow {
            s.error = Some(stream_error(
                "stream data not received: too much unread data queued",
            ));
            s.queue.clear();
            s.queued = 0;
            s.head = 0;
            s.closing = true;
            let proc_ = s.proc_;
            self.send_stream_packet(st, proc_, serial, MessageStatus::ERROR);
        }
        self.kick(st, serial);
    }

    /// Queues an empty STREAM packet (finish with OK, abort with ERROR).
    fn send_stream_packet(&self, st: &mut State, proc_: i32, serial: u32, status: MessageStatus) {
        let frame = encode_message(&header(proc_, serial, status), &[])
            .expect("an empty stream frame always encodes");
        if let Err(e) = self.queue(st, &frame) {
            self.kill(st, e, CloseReason::Error);
        }
    }

    /// Arms the stream's callback timer when an event it wants is ready.
    pub(super) fn kick(&self, st: &mut State, serial: u32) {
        let out = st.outq.len();
        let Some(s) = st.streams.get(&serial) else {
            return;
        };
        let Some(w) = &s.callback else {
            return;
        };
        let interval = if s.ready(w.wanted, out).is_empty() {
            TimerInterval::Disabled
        } else {
            TimerInterval::EveryIteration
        };
        if let Some(l) = &self.event_loop {
            let _ = l.update_timeout(w.timer, interval);
        }
    }

    /// Gives every stream the connection's end as its error.
    pub(super) fn fail_streams(&self, st: &mut State, reason: &Error) {
        let serials: Vec<u32> = st.streams.keys().copied().collect();
        for serial in serials {
            if let Some(s) = st.streams.get_mut(&serial)
                && s.error.is_none()
            {
                s.error = Some(reason.clone());
                if s.closing {
                    s.confirmed = true;
                }
            }
            self.kick(st, serial);
        }
    }

    /// Registers stream `serial` for the call about to be sent on it.
    pub(super) fn register_stream(st: &mut State, serial: u32, proc_: i32) {
        st.streams.insert(serial, StreamState::new(proc_));
    }

    /// Forgets stream `serial` and its callback's timer.
    pub(super) fn forget_stream(&self, st: &mut State, serial: u32) {
        if let Some(mut s) = st.streams.remove(&serial)
            && let (Some(w), Some(l)) = (s.callback.take(), &self.event_loop)
        {
            let _ = l.remove_timeout(w.timer);
        }
        self.refresh_watch(st);
    }

    /// Sends `data` on stream `serial` as STREAM/CONTINUE packets: `None` when, not
    /// blocking, the output is too full to take it now.
    pub fn stream_send(&self, serial: u32, data: &[u8], nonblock: bool) -> Result<Option<usize>> {
        let mut st = self.lock();
        if let Some(e) = &st.dead {
            return Err(e.clone());
        }
        let Some(s) = st.streams.get(&serial) else {
            return Err(stream_closed());
        };
        if let Some(e) = &s.error {
            return Err(e.clone());
        }
        if s.closing {
            return Err(stream_closed());
        }
        let proc_ = s.proc_;
        let n = data.len().min(CHUNK);
        let frame = encode_message(&header(proc_, serial, MessageStatus::CONTINUE), &data[..n])?;
        if nonblock {
            if st.outq.len() >= OUT_WINDOW {
                if let Err(e) = self.flush_some(&mut st) {
                    self.kill(&mut st, e.clone(), CloseReason::Error);
                    self.release(st);
                    return Err(e);
                }
                if st.outq.len() >= OUT_WINDOW {
                    return Ok(None);
                }
            }
            if let Err(e) = self.queue(&mut st, &frame) {
                self.kill(&mut st, e.clone(), CloseReason::Error);
                self.release(st);
                return Err(e);
            }
        } else {
            let written = self
                .flush_all(&mut st)
                .and_then(|()| self.stream.write_all(&frame));
            if let Err(e) = written {
                self.kill(&mut st, e.clone(), CloseReason::Error);
                self.release(st);
                return Err(e);
            }
        }
        self.kick(&mut st, serial);
        self.release(st);
        Ok(Some(n))
    }

    /// Sends a hole of `length` bytes on sparse stream `serial` (a STREAM_HOLE packet).
    pub fn stream_send_hole(&self, serial: u32, length: u64) -> Result<()> {
        let mut st = self.lock();
        if let Some(e) = &st.dead {
            return Err(e.clone());
        }
        let Some(s) = st.streams.get(&serial) else {
            return Err(stream_closed());
        };
        if let Some(e) = &s.error {
            return Err(e.clone());
        }
        if s.closing {
            return Err(stream_closed());
        }
        let h = Header {
            msg_type: MessageType::STREAM_HOLE,
            ..header(s.proc_, serial, MessageStatus::CONTINUE)
        };
        let hole = StreamHole {
            length: i64::try_from(length).map_err(|_| {
                Error::invalid_arg(
                    ErrorDomain::Streams,
                    format!("hole of {length} bytes is too long"),
                )
            })?,
            flags: 0,
        };
        let frame = rvirt_rpc::encode_message_with(&h, &hole)?;
        let written = self
            .flush_all(&mut st)
            .and_then(|()| self.stream.write_all(&frame));
        if let Err(e) = written {
            self.kill(&mut st, e.clone(), CloseReason::Error);
            self.release(st);
            return Err(e);
        }
        self.release(st);
        Ok(())
    }

    /// Receives from stream `serial` into `buf`: `Some(0)` at its end, `None` when,
    /// not blocking, nothing is there yet. A sparse stream's holes come as zeroes.
    pub fn stream_recv(
        &self,
        serial: u32,
        buf: &mut [u8],
        nonblock: bool,
    ) -> Result<Option<usize>> {
        Ok(self
            .stream_recv_sparse(serial, buf, nonblock, false)?
            .map(|r| match r {
                Received::Data(n) => n,
                Received::Hole(_) | Received::End => 0,
            }))
    }

    /// [`Client::stream_recv`] that, with `stop_at_hole`, returns a sparse stream's
    /// hole as such instead of zeroes.
    pub fn stream_recv_sparse(
        &self,
        serial: u32,
        buf: &mut [u8],
        nonblock: bool,
        stop_at_hole: bool,
    ) -> Result<Option<Received>> {
        let mut st = self.lock();
        let mut tried = false;
        loop {
            let Some(s) = st.streams.get_mut(&serial) else {
                return Err(stream_closed());
            };
            if !s.queue.is_empty() {
                // Only data bytes count against the window.
                let (got, n) = take(s, buf, stop_at_hole);
                s.queued -= n;
                let was_full = s.queued + n >= WINDOW;
                if was_full {
                    self.refresh_watch(&mut st);
                }
                self.kick(&mut st, serial);
                self.release(st);
                return Ok(Some(got));
            }
            if let Some(e) = &s.error {
                return Err(e.clone());
            }
            if s.eof {
                return Ok(Some(Received::End));
            }
            if s.closing {
                return Err(stream_closed());
            }
            if let Some(e) = &st.dead {
                return Err(e.clone());
            }
            if nonblock {
                // Nobody else may be reading (no loop): look at the socket once.
                if tried || st.reader_busy {
                    return Ok(None);
                }
                tried = true;
                self.pump(&mut st);
                self.cond.notify_all();
                continue;
            }
            st = self.wait_stream(st);
        }
    }

    /// Waits one slice for something to happen on the connection, reading the socket
    /// if nobody else does.
    fn wait_stream<'a>(
        &'a self,
        mut st: std::sync::MutexGuard<'a, State>,
    ) -> std::sync::MutexGuard<'a, State> {
        if st.reader_busy {
            return self
                .cond
                .wait_timeout(st, POLL_SLICE)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        st.reader_busy = true;
        st.stream_readers += 1;
        self.refresh_watch(&mut st);
        // Queued output (our data, a finish, a keepalive PONG) is written here too: the
        // loop that would write it may not be running while we wait.
        let events = if st.outq.is_empty() {
            libc::POLLIN
        } else {
            libc::POLLIN | libc::POLLOUT
        };
        drop(st);
        poll(
            std::os::fd::AsRawFd::as_raw_fd(&self.stream),
            events,
            POLL_SLICE,
        );
        let mut st = self.lock();
        st.reader_busy = false;
        st.stream_readers -= 1;
        if !st.outq.is_empty()
            && st.dead.is_none()
            && let Err(e) = self.flush_some(&mut st)
        {
            self.kill(&mut st, e, CloseReason::Error);
        }
        self.pump(&mut st);
        self.refresh_watch(&mut st);
        self.cond.notify_all();
        if !st.ready.is_empty() {
            self.release(st);
            st = self.lock();
        }
        st
    }

    /// Ends stream `serial`: finish (`abort` false) or abort, and waits for the
    /// daemon's confirmation. A finish returns the error the daemon reported.
    pub fn stream_close(&self, serial: u32, abort: bool) -> Result<()> {
        let mut st = self.lock();
        let Some(s) = st.streams.get_mut(&serial) else {
            return Err(stream_closed());
        };
        let proc_ = s.proc_;
        if let Some(e) = s.error.clone() {
            // Already failed (the daemon's error, or the unread data overflowing, which
            // aborted it already): tell the daemon we are done, once.
            let told = std::mem::replace(&mut s.closing, true);
            if !told && st.dead.is_none() {
                self.send_stream_packet(&mut st, proc_, serial, MessageStatus::ERROR);
            }
            self.forget_stream(&mut st, serial);
            self.release(st);
            return if abort { Ok(()) } else { Err(e) };
        }
        if s.closing {
            return Err(stream_closed());
        }
        s.closing = true;
        s.queue.clear();
        s.queued = 0;
        s.head = 0;
        let status = if abort {
            MessageStatus::ERROR
        } else {
            MessageStatus::OK
        };
        if st.dead.is_none() {
            self.send_stream_packet(&mut st, proc_, serial, status);
        }
        loop {
            let Some(s) = st.streams.get(&serial) else {
                return Err(stream_closed());
            };
            if s.confirmed || st.dead.is_some() {
                break;
            }
            st = self.wait_stream(st);
        }
        let error = st.streams.get(&serial).and_then(|s| s.error.clone());
        let dead = st.dead.clone();
        self.forget_stream(&mut st, serial);
        self.release(st);
        match (error, dead) {
            (Some(e), _) if !abort => Err(e),
            (None, Some(e)) if !abort => Err(e),
            _ => Ok(()),
        }
    }

    /// Registers stream `serial`'s callback for `events`, on the connection's loop.
    pub fn stream_add_callback(
        self: &Arc<Self>,
        serial: u32,
        events: StreamEvents,
        cb: StreamCallback,
    ) -> Result<()> {
        let Some(l) = self.event_loop.clone() else {
            return Err(Error::no_support(
                ErrorDomain::Streams,
                "stream event callbacks need a registered event loop",
            ));
        };
        let mut st = self.lock();
        let Some(s) = st.streams.get(&serial) else {
            return Err(stream_closed());
        };
        if s.callback.is_some() {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Streams,
                "internal error: multiple stream callbacks not supported",
            ));
        }
        let weak: Weak<Client> = Arc::downgrade(self);
        let timer = l.add_timeout(
            TimerInterval::Disabled,
            Box::new(move |_| on_stream_timer(&weak, serial)),
        )?;
        if let Some(s) = st.streams.get_mut(&serial) {
            s.callback = Some(Watch {
                timer,
                wanted: events,
                cb: Arc::new(Mutex::new(Some(cb))),
            });
        }
        self.kick(&mut st, serial);
        Ok(())
    }

    /// Changes what stream `serial`'s callback asks for.
    pub fn stream_update_callback(&self, serial: u32, events: StreamEvents) -> Result<()> {
        let mut st = self.lock();
        let Some(w) = st
            .streams
            .get_mut(&serial)
            .and_then(|s| s.callback.as_mut())
        else {
            return Err(no_callback());
        };
        w.wanted = events;
        self.kick(&mut st, serial);
        Ok(())
    }

    /// Removes stream `serial`'s callback.
    pub fn stream_remove_callback(&self, serial: u32) -> Result<()> {
        let mut st = self.lock();
        let Some(w) = st.streams.get_mut(&serial).and_then(|s| s.callback.take()) else {
            return Err(no_callback());
        };
        if let Some(l) = &self.event_loop {
            let _ = l.remove_timeout(w.timer);
        }
        w.cb.lock().unwrap_or_else(|p| p.into_inner()).take();
        Ok(())
    }
}

/// Takes what comes first from a non-empty queue: data (holes as zeroes unless
/// `stop_at_hole`; then up to the hole), or the hole itself.
/// Also returns how many data bytes (not hole zeroes) left the queue.
fn take(s: &mut StreamState, buf: &mut [u8], stop_at_hole: bool) -> (Received, usize) {
    let mut n = 0;
    let mut data = 0;
    while n < buf.len() {
        let Some(front) = s.queue.front_mut() else {
            break;
        };
        match front {
            Chunk::Data(bytes) => {
                let k = (bytes.len() - s.head).min(buf.len() - n);
                buf[n..n + k].copy_from_slice(&bytes[s.head..s.head + k]);
                n += k;
                data += k;
                s.head += k;
                if s.head == bytes.len() {
                    s.queue.pop_front();
                    s.head = 0;
                }
            }
            Chunk::Hole(len) if stop_at_hole => {
                if n > 0 {
                    break;
                }
                let len = *len;
                s.queue.pop_front();
                return (Received::Hole(len), 0);
            }
            Chunk::Hole(len) => {
                let k = usize::try_from(*len).map_or(buf.len() - n, |l| l.min(buf.len() - n));
                buf[n..n + k].fill(0);
                n += k;
                *len -= k as u64;
                if *len == 0 {
                    s.queue.pop_front();
                }
            }
        }
    }
    (Received::Data(n), data)
}

fn no_callback() -> Error {
    Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Streams,
        "internal error: stream does not have a callback registered",
    )
}

/// A stream's callback timer: runs the callback with what is ready, outside the lock,
/// or disarms itself when nothing is.
fn on_stream_timer(weak: &Weak<Client>, serial: u32) {
    let Some(client) = weak.upgrade() else {
        return;
    };
    let mut st = client.lock();
    let out = st.outq.len();
    let Some(s) = st.streams.get(&serial) else {
        return;
    };
    let Some(w) = &s.callback else {
        return;
    };
    let ready = s.ready(w.wanted, out);
    let cb = w.cb.clone();
    if ready.is_empty() {
        client.kick(&mut st, serial);
        return;
    }
    drop(st);
    // Taken out while it runs, so it may remove itself or use the stream.
    let taken = cb.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(mut f) = taken {
        f(ready);
        let mut slot = cb.lock().unwrap_or_else(|p| p.into_inner());
        let st = client.lock();
        let still = st
            .streams
            .get(&serial)
            .and_then(|s| s.callback.as_ref())
            .is_some_and(|w| Arc::ptr_eq(&w.cb, &cb));
        if still && slot.is_none() {
            *slot = Some(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Endpoint;
    use rvirt_core::driver::{EventSink, ObjectEventSink};
    use rvirt_rpc::{FrameDecoder, procs};
    use std::io::{Read, Write};
    use std::os::unix::net::{UnixListener, UnixStream};

    /// Reads the next message from `sock`.
    fn next(sock: &mut UnixStream, dec: &mut FrameDecoder) -> Message {
        let mut buf = [0u8; 65536];
        loop {
            if let Some(m) = dec.next_message() {
                return m;
            }
            let n = sock.read(&mut buf).unwrap();
            assert!(n > 0, "client went away");
            dec.feed(&buf[..n]).unwrap();
        }
    }

    #[test]
    fn unread_data_pushed_past_the_hard_limit_fails_the_stream() {
        let dir = rvirt_testkit::TempDir::new("client-stream-limit");
        let path = dir.0.join("sock");
        let listener = UnixListener::bind(&path).unwrap();
        let client = Client::connect(
            &Endpoint::Unix(path),
            EventSink::detached(),
            ObjectEventSink::detached(),
            None,
        )
        .unwrap();
        // A daemon that opens a stream, then answers the next call only after sending
        // more stream data than the hard limit; it reports whether the client aborted.
        let server = std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut dec = FrameDecoder::new();
            let open = next(&mut sock, &mut dec);
            let reply = encode_message(&open.header.reply(MessageStatus::OK), &[]).unwrap();
            sock.write_all(&reply).unwrap();
            let call = next(&mut sock, &mut dec);
            let data = header(
                open.header.proc_,
                open.header.serial,
                MessageStatus::CONTINUE,
            );
            let chunk = encode_message(&data, &vec![7u8; CHUNK]).unwrap();
            for _ in 0..(HARD_LIMIT / CHUNK + 8) {
                sock.write_all(&chunk).unwrap();
            }
            let reply = encode_message(&call.header.reply(MessageStatus::OK), &[]).unwrap();
            sock.write_all(&reply).unwrap();
            loop {
                let m = next(&mut sock, &mut dec);
                if m.header.msg_type == MessageType::STREAM {
                    return m.header.status;
                }
            }
        });
        let (serial, ()) = client.call_stream(procs::DOMAIN_OPEN_CONSOLE, &()).unwrap();
        // A synchronous call reads everything to find its reply.
        let () = client.call(procs::CONNECT_GET_TYPE, &()).unwrap();
        {
            let st = client.lock();
            let s = st.streams.get(&serial).unwrap();
            assert!(s.queued < HARD_LIMIT, "{} bytes kept", s.queued);
        }
        let mut buf = [0u8; 16];
        let e = client.stream_recv(serial, &mut buf, true).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Rpc);
        assert!(e.message().contains("too much unread data"), "{e}");
        assert_eq!(
            server.join().unwrap(),
            MessageStatus::ERROR,
            "the client aborted"
        );
        let e = client.stream_close(serial, false).unwrap_err();
        assert!(e.message().contains("too much unread data"), "{e}");
        assert!(client.lock().streams.is_empty());
    }
}

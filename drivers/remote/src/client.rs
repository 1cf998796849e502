//! The RPC client: one socket, calls matched by serial, and the event-loop watch that
//! reads the socket while no synchronous call is in flight.
//!
//! Two kinds of calls share the socket. A synchronous [`Client::call`] writes its frame
//! and waits on its own thread. A [`Client::call_async`] never waits: its frame goes to
//! the socket or, when the socket is full, to an output queue the watch drains when the
//! socket turns writable; its reply handler is kept by serial and run by whoever reads the
//! reply (normally the watch, on the event loop), after the state lock is released.
//!
//! Whoever reads the socket (a calling thread, or the loop's watch callback when the
//! connection is idle) does so under the state lock and sorts every complete message:
//! replies go to the table of waiting calls, PINGs are answered at once, events are queued
//! on the connection's [`EventSink`] before the lock is released, so two readers in turn
//! can never hand events over out of the order the daemon sent them (queuing only appends
//! and arms the sink's timer: no callback runs under the lock). While calls are in flight the
//! watch is paused and one of the calling threads polls the socket, so an idle
//! connection costs nothing and a busy one never has two readers.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use rvirt_core::api::CloseReason;
use rvirt_core::driver::{EventSink, ObjectEventSink};
use rvirt_core::event::{Interest, SharedLoop, TimerId, TimerInterval, WatchId};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use rvirt_rpc::{
    FrameDecoder, Header, Message, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, encode_message,
    encode_message_with, keepalive_header, procs,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

mod streams;

use crate::keepalive::{Keepalive, Tick};
use crate::socket::{Stream, poll};
use crate::target::Endpoint;
use crate::wire::{Incoming, classify, decode_reply, passed_fd_count, rpc_error};

/// What receives the reply to a [`Client::call_async`].
pub trait ReplyHandler: Send {
    /// The REPLY message, or the error that ended the connection first.
    fn reply(self: Box<Self>, reply: Result<Message>);

    /// True once nobody wants the reply any more (the caller's timeout elapsed, or it
    /// dropped the future): the client may then forget the call before its reply comes.
    fn is_abandoned(&self) -> bool {
        false
    }
}

/// Handlers kept before the client first looks for abandoned ones; later, twice the
/// number left by the last look.
const SWEEP_AT: usize = 64;

/// How long a reading caller sleeps in `poll` before looking at the state again.
const POLL_SLICE: Duration = Duration::from_millis(500);

/// An open RPC connection to a daemon.
pub struct Client {
    stream: Stream,
    state: Mutex<State>,
    cond: Condvar,
    events: EventSink,
    object_events: ObjectEventSink,
    event_loop: Option<SharedLoop>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Client")
            .field("fd", &self.stream.as_raw_fd())
            .field("in_flight", &st.waiting.len())
            .field("dead", &st.dead)
            .finish()
    }
}

struct State {
    decoder: FrameDecoder,
    /// Descriptors received and not yet claimed by their REPLY_WITH_FDS.
    fds: VecDeque<OwnedFd>,
    /// The descriptors of replies not yet taken, by serial.
    reply_fds: HashMap<u32, Vec<OwnedFd>>,
    next_serial: u32,
    /// Serials of calls waiting for their reply.
    waiting: HashSet<u32>,
    /// Replies read by someone else for a waiting call.
    replies: HashMap<u32, Message>,
    /// A caller is currently polling the socket.
    reader_busy: bool,
    /// Why the connection ended; `None` while it is usable.
    dead: Option<Error>,
    watch: Option<WatchId>,
    /// Client keepalive countdown and its timer, when enabled.
    keepalive: Option<Keepalive>,
    keepalive_timer: Option<TimerId>,
    /// Reply handlers of calls made without waiting, by serial.
    handlers: HashMap<u32, Box<dyn ReplyHandler>>,
    /// Forget abandoned handlers when there are this many.
    sweep_at: usize,
    /// Handlers whose reply (or the connection's end) has come, run once the lock is
    /// released (see [`Client::release`]).
    ready: Vec<(Box<dyn ReplyHandler>, Result<Message>)>,
    /// Bytes the socket has not taken yet; written before anything else.
    outq: Vec<u8>,
    /// What the watch is asked for now.
    interest: Interest,
    /// Open streams, by the serial of the call that opened each.
    streams: HashMap<u32, streams::StreamState>,
    /// Callers waiting in a stream's receive, finish or abort (the watch pauses).
    stream_readers: usize,
}

/// libvirt's error for a call on a connection that is already gone.
pub fn socket_closed() -> Error {
    Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Rpc,
        "client socket is closed",
    )
}

/// libvirt's error for a failed read: "Cannot recv data: Connection reset by peer".
fn recv_failed(e: &io::Error) -> Error {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Rpc,
        format!("Cannot recv data: {text}"),
    )
}

fn end_of_file() -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Rpc,
        "End of file while reading data: Input/output error",
    )
}

impl Client {
    /// Connects to `endpoint`; if `event_loop` is given, the socket is watched on it.
    /// Domain events go to `events`, the other objects' events to `object_events`.
    pub fn connect(
        endpoint: &Endpoint,
        events: EventSink,
        object_events: ObjectEventSink,
        event_loop: Option<SharedLoop>,
    ) -> Result<Arc<Client>> {
        let stream = Stream::connect(endpoint)?;
        let client = Arc::new(Client {
            stream,
            state: Mutex::new(State {
                decoder: FrameDecoder::with_passed_fds(),
                fds: VecDeque::new(),
                reply_fds: HashMap::new(),
                next_serial: 0,
                waiting: HashSet::new(),
                replies: HashMap::new(),
                reader_busy: false,
                dead: None,
                watch: None,
                keepalive: None,
                keepalive_timer: None,
                handlers: HashMap::new(),
                sweep_at: SWEEP_AT,
                ready: Vec::new(),
                outq: Vec::new(),
                interest: Interest::READABLE,
                streams: HashMap::new(),
                stream_readers: 0,
            }),
            cond: Condvar::new(),
            events,
            object_events,
            event_loop,
        });
        if let Some(l) = &client.event_loop {
            let weak = Arc::downgrade(&client);
            let watch = l.add_handle(
                client.stream.as_raw_fd(),
                Interest::READABLE,
                Box::new(move |_, _, events| on_watch(&weak, events)),
            )?;
            client.lock().watch = Some(watch);
        }
        Ok(client)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True once the connection has ended (server closed it, protocol error, or close).
    pub fn is_dead(&self) -> bool {
        self.lock().dead.is_some()
    }

    /// True when the socket is watched on an event loop, which [`Client::call_async`]
    /// needs to read its replies.
    pub fn has_event_loop(&self) -> bool {
        self.event_loop.is_some()
    }

    /// Unlocks `st`, then runs the reply handlers that became ready under it.
    fn release(&self, mut st: MutexGuard<'_, State>) {
        let ready = std::mem::take(&mut st.ready);
        drop(st);
        for (handler, reply) in ready {
            handler.reply(reply);
        }
    }

    /// Calls REMOTE procedure `proc_` with `args` without waiting: `handler` gets the
    /// REPLY message (or the error that ended the connection first) from whichever thread
    /// reads it, normally the event loop's. The frame is written now if the socket takes
    /// it, else queued and written when the socket turns writable; nothing waits.
    /// Calls whose handler [is abandoned](ReplyHandler::is_abandoned) are forgotten from
    /// time to time, so a daemon that stays silent while callers time out does not make
    /// them pile up.
    pub fn call_async<A: Serialize + ?Sized>(
        &self,
        proc_: i32,
        args: &A,
        handler: Box<dyn ReplyHandler>,
    ) {
        let mut st = self.lock();
        if st.dead.is_some() {
            drop(st);
            return handler.reply(Err(socket_closed()));
        }
        // Dropped once the lock is released, as handlers run.
        let mut swept = Vec::new();
        if st.handlers.len() >= st.sweep_at {
            swept.extend(st.handlers.extract_if(|_, h| h.is_abandoned()));
            st.sweep_at = SWEEP_AT.max(2 * st.handlers.len());
        }
        let serial = st.next_serial;
        st.next_serial = st.next_serial.wrapping_add(1);
        let header = Header::call(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc_, serial);
        let frame = match encode_message_with(&header, args) {
            Ok(f) => f,
            Err(e) => {
                drop(st);
                return handler.reply(Err(e.into()));
            }
        };
        st.handlers.insert(serial, handler);
        if let Err(e) = self.queue(&mut st, &frame) {
            self.kill(&mut st, e, CloseReason::Error);
        }
        self.release(st);
        drop(swept);
    }

    /// Sends `frame` without waiting: after what is queued, as much as the socket takes,
    /// the rest queued for the watch.
    fn queue(&self, st: &mut State, frame: &[u8]) -> Result<()> {
        let mut rest = frame;
        if st.outq.is_empty() {
            rest = &frame[self.stream.write_some(frame)?..];
        }
        st.outq.extend_from_slice(rest);
        self.refresh_watch(st);
        Ok(())
    }

    /// Writes what the socket takes of the queue, without waiting.
    fn flush_some(&self, st: &mut State) -> Result<()> {
        let n = self.stream.write_some(&st.outq)?;
        st.outq.drain(..n);
        Ok(())
    }

    /// Writes the whole queue, waiting for the socket (synchronous callers only).
    fn flush_all(&self, st: &mut State) -> Result<()> {
        if !st.outq.is_empty() {
            self.stream.write_all(&st.outq)?;
            st.outq.clear();
        }
        Ok(())
    }

    /// Calls REMOTE procedure `proc_` with `args` and waits for its reply.
    pub fn call<A: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        proc_: i32,
        args: &A,
    ) -> Result<R> {
        self.call_within(proc_, args, None)
    }

    /// [`Client::call`] that gives up after `limit` (`None`: never) with
    /// `VIR_ERR_OPERATION_TIMEOUT`; a reply that comes later is dropped.
    pub fn call_within<A: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        proc_: i32,
        args: &A,
        limit: Option<Duration>,
    ) -> Result<R> {
        self.call_program(
            (REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION),
            proc_,
            args,
            limit,
        )
    }

    /// [`Client::call_within`] for procedure `proc_` of another program on the same
    /// connection (`(number, version)`, e.g. LIBVIRT_QEMU's).
    pub fn call_program<A: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        (program, version): (u32, u32),
        proc_: i32,
        args: &A,
        limit: Option<Duration>,
    ) -> Result<R> {
        self.call_full((program, version), proc_, args, limit, false)
            .map(|(_, r, _)| r)
    }

    /// [`Client::call`] of a procedure whose reply passes descriptors (a
    /// REPLY_WITH_FDS, over a UNIX socket): the reply and its descriptors, in order.
    pub fn call_with_fds<A: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        proc_: i32,
        args: &A,
    ) -> Result<(R, Vec<OwnedFd>)> {
        self.call_full(
            (REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION),
            proc_,
            args,
            None,
            false,
        )
        .map(|(_, r, fds)| (r, fds))
    }

    /// Calls REMOTE procedure `proc_`, which opens a stream on the call's serial: the
    /// stream is known before the call is written, so no data the daemon sends after
    /// its reply is lost. Returns the serial (the stream's id) and the reply; a failed
    /// call leaves no stream.
    pub fn call_stream<A: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        proc_: i32,
        args: &A,
    ) -> Result<(u32, R)> {
        self.call_full(
            (REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION),
            proc_,
            args,
            None,
            true,
        )
        .map(|(serial, r, _)| (serial, r))
    }

    fn call_full<A: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        (program, version): (u32, u32),
        proc_: i32,
        args: &A,
        limit: Option<Duration>,
        stream: bool,
    ) -> Result<(u32, R, Vec<OwnedFd>)> {
        let deadline = limit.map(|l| (Instant::now() + l, l));
        let mut st = self.lock();
        if st.dead.is_some() {
            return Err(socket_closed());
        }
        let serial = st.next_serial;
        st.next_serial = st.next_serial.wrapping_add(1);
        let header = Header::call(program, version, proc_, serial);
        let frame = encode_message_with(&header, args)?;
        if stream {
            Client::register_stream(&mut st, serial, proc_);
        }
        let written = self
            .flush_all(&mut st)
            .and_then(|()| self.stream.write_all(&frame));
        if let Err(e) = written {
            self.kill(&mut st, e.clone(), CloseReason::Error);
            self.forget_stream(&mut st, serial);
            self.release(st);
            return Err(e);
        }
        st.waiting.insert(serial);
        self.refresh_watch(&mut st);
        let (mut st, reply) = self.wait_reply(st, serial, deadline);
        st.waiting.remove(&serial);
        let fds = st.reply_fds.remove(&serial).unwrap_or_default();
        let decoded = reply.and_then(|m| decode_reply(proc_, &m));
        if stream && decoded.is_err() {
            self.forget_stream(&mut st, serial);
        }
        self.refresh_watch(&mut st);
        self.release(st);
        decoded.map(|r| (serial, r, fds))
    }

    fn wait_reply<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        serial: u32,
        deadline: Option<(Instant, Duration)>,
    ) -> (MutexGuard<'a, State>, Result<Message>) {
        loop {
            if let Some(m) = st.replies.remove(&serial) {
                return (st, Ok(m));
            }
            if let Some(e) = &st.dead {
                let e = e.clone();
                return (st, Err(e));
            }
            let mut slice = POLL_SLICE;
            if let Some((at, limit)) = deadline {
                let left = at.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return (st, Err(rvirt_core::api::timeout_error(limit)));
                }
                slice = slice.min(left);
            }
            if st.reader_busy {
                st = self
                    .cond
                    .wait_timeout(st, slice)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
                continue;
            }
            st.reader_busy = true;
            drop(st);
            poll(self.stream.as_raw_fd(), libc::POLLIN, slice);
            st = self.lock();
            st.reader_busy = false;
            self.pump(&mut st);
            self.cond.notify_all();
            if !st.ready.is_empty() {
                self.release(st);
                st = self.lock();
            }
        }
    }

    /// Reads everything available and sorts it; events are queued on the sink in the
    /// order they were read, while `st` is still locked. Stops early while a stream's
    /// unread data fills its window and no synchronous caller needs a reply.
    fn pump(&self, st: &mut State) {
        let mut buf = vec![0u8; 65536];
        while st.dead.is_none() {
            if st.streams_full() && st.waiting.is_empty() {
                break;
            }
            match self.stream.read_with_fds(&mut buf, &mut st.fds) {
                Ok(0) => self.kill(st, end_of_file(), CloseReason::Eof),
                Ok(n) => {
                    if let Some(k) = st.keepalive.as_mut() {
                        k.received(Instant::now());
                    }
                    if let Err(e) = st.decoder.feed(&buf[..n]) {
                        self.kill(st, e.into(), CloseReason::Error);
                    }
                    self.sort(st);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.kill(st, recv_failed(&e), CloseReason::Error),
            }
        }
        self.sort(st);
    }

    /// Sorts the complete messages decoded so far.
    fn sort(&self, st: &mut State) {
        while let Some(msg) = st.decoder.next_message() {
            match classify(msg) {
                Incoming::Reply(serial, m) => {
                    let passed = passed_fd_count(&m);
                    if passed > st.fds.len() {
                        let e = rpc_error("file descriptors announced by the reply are missing");
                        self.kill(st, e, CloseReason::Error);
                        return;
                    }
                    let fds: Vec<OwnedFd> = st.fds.drain(..passed).collect();
                    if st.waiting.contains(&serial) && !fds.is_empty() {
                        st.reply_fds.insert(serial, fds);
                    }
                    if let Some(handler) = st.handlers.remove(&serial) {
                        st.ready.push((handler, Ok(m)));
                    } else if st.waiting.contains(&serial) {
                        st.replies.insert(serial, m);
                    }
                }
                Incoming::Stream(m) => self.stream_incoming(st, m),
                Incoming::Ping => {
                    if st.dead.is_none() {
                        let pong = encode_message(&keepalive_header(procs::keepalive::PONG), &[])
                            .expect("an empty keepalive frame always encodes");
                        if let Err(e) = self.queue(st, &pong) {
                            self.kill(st, e, CloseReason::Error);
                        }
                    }
                }
                Incoming::Event(dom, ev) => {
                    self.events.emit(dom, ev);
                }
                Incoming::Object(ev) => {
                    self.object_events.emit(ev);
                }
                Incoming::Ignored => {}
            }
        }
    }

    /// Asks the watch for what is needed now: reading while no synchronous caller reads,
    /// writing while output is queued.
    fn refresh_watch(&self, st: &mut State) {
        let mut want = Interest::NONE;
        if st.waiting.is_empty() && st.stream_readers == 0 && !st.streams_full() {
            want |= Interest::READABLE;
        }
        if !st.outq.is_empty() {
            want |= Interest::WRITABLE;
        }
        if want == st.interest || st.dead.is_some() {
            return;
        }
        st.interest = want;
        if let (Some(w), Some(l)) = (st.watch, &self.event_loop) {
            let _ = l.update_handle(w, want);
        }
    }

    /// Marks the connection dead (first reason wins), stops watching, shuts the socket and
    /// reports `why` to rvirt-core (which tells the application from its event loop).
    fn kill(&self, st: &mut State, reason: Error, why: CloseReason) {
        if st.dead.is_some() {
            return;
        }
        for (_, handler) in st.handlers.drain() {
            st.ready.push((handler, Err(reason.clone())));
        }
        st.outq.clear();
        self.fail_streams(st, &reason);
        st.dead = Some(reason);
        self.events.liveness().lost(why);
        if let Some(l) = &self.event_loop {
            if let Some(w) = st.watch.take() {
                let _ = l.remove_handle(w);
            }
            if let Some(t) = st.keepalive_timer.take() {
                let _ = l.remove_timeout(t);
            }
        }
        self.stream.shutdown();
        self.cond.notify_all();
    }

    /// Client keepalive on the event loop: PING after `interval` of silence, close the
    /// connection when `count` PINGs went unanswered; `Duration::ZERO` stops it. Replaces
    /// earlier settings. Without an event loop it does nothing.
    pub fn set_keepalive(self: &Arc<Self>, interval: Duration, count: u32) -> Result<()> {
        let Some(l) = &self.event_loop else {
            return Ok(());
        };
        let mut st = self.lock();
        if st.dead.is_some() {
            return Err(socket_closed());
        }
        st.keepalive = None;
        if let Some(t) = st.keepalive_timer.take() {
            let _ = l.remove_timeout(t);
        }
        if interval.is_zero() {
            return Ok(());
        }
        let weak = Arc::downgrade(self);
        let timer = l.add_timeout(
            TimerInterval::Every(interval),
            Box::new(move |_| on_keepalive_tick(&weak)),
        )?;
        st.keepalive = Some(Keepalive::new(interval, count, Instant::now()));
        st.keepalive_timer = Some(timer);
        Ok(())
    }

    /// Ends the connection locally; later calls fail with "client socket is closed".
    pub fn shutdown(&self) {
        let mut st = self.lock();
        self.kill(&mut st, socket_closed(), CloseReason::Client);
        self.release(st);
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The keepalive timer callback.
fn on_keepalive_tick(weak: &Weak<Client>) {
    let Some(client) = weak.upgrade() else {
        return;
    };
    let mut st = client.lock();
    if st.dead.is_some() {
        return;
    }
    let Some(tick) = st.keepalive.as_mut().map(|k| k.tick(Instant::now())) else {
        return;
    };
    match tick {
        Tick::Quiet => {}
        Tick::Ping => {
            let ping = encode_message(&keepalive_header(procs::keepalive::PING), &[])
                .expect("an empty keepalive frame always encodes");
            if let Err(e) = client.queue(&mut st, &ping) {
                client.kill(&mut st, e, CloseReason::Error);
            }
        }
        Tick::Dead => client.kill(
            &mut st,
            Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Rpc,
                "connection closed due to keepalive timeout",
            ),
            CloseReason::Keepalive,
        ),
    }
    client.release(st);
}

/// The watch callback: writes queued output when the socket takes it, and reads the
/// socket while no synchronous caller does (one reader at a time); then runs the reply
/// handlers of what it read, on the loop, with the lock released.
fn on_watch(weak: &Weak<Client>, events: Interest) {
    let Some(client) = weak.upgrade() else {
        return;
    };
    let mut st = client.lock();
    if st.dead.is_some() {
        return;
    }
    if events.contains(Interest::WRITABLE)
        && !st.outq.is_empty()
        && let Err(e) = client.flush_some(&mut st)
    {
        client.kill(&mut st, e, CloseReason::Error);
    }
    let read = Interest::READABLE | Interest::HANGUP | Interest::ERROR;
    if events.intersects(read) && st.waiting.is_empty() && st.stream_readers == 0 && !st.reader_busy
    {
        client.pump(&mut st);
        client.cond.notify_all();
    }
    // Output drained: streams whose callback waits to write may now.
    let serials: Vec<u32> = st.streams.keys().copied().collect();
    for serial in serials {
        client.kick(&mut st, serial);
    }
    client.refresh_watch(&mut st);
    client.release(st);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A handler that is abandoned from the start and counts its replies.
    struct Abandoned(Arc<AtomicUsize>);
    impl ReplyHandler for Abandoned {
        fn reply(self: Box<Self>, _reply: Result<Message>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn is_abandoned(&self) -> bool {
            true
        }
    }

    #[test]
    fn abandoned_calls_to_a_silent_server_do_not_pile_up() {
        let dir = rvirt_testkit::TempDir::new("client-sweep");
        let path = dir.0.join("sock");
        // A server that accepts and never answers.
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let client = Client::connect(
            &Endpoint::Unix(path),
            EventSink::detached(),
            ObjectEventSink::detached(),
            None,
        )
        .unwrap();
        let (_server, _) = listener.accept().unwrap();
        let replies = Arc::new(AtomicUsize::new(0));
        for _ in 0..1000 {
            let h = Box::new(Abandoned(replies.clone()));
            client.call_async(procs::CONNECT_GET_TYPE, &(), h);
        }
        let kept = client.lock().handlers.len();
        assert!(kept <= SWEEP_AT, "{kept} handlers kept");
        // Forgotten handlers get no reply; those still kept get the connection's end.
        client.shutdown();
        assert_eq!(replies.load(Ordering::SeqCst), kept);
    }
}

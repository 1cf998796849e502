//! A client's socket I/O on the loop thread: reading into the frame decoder (through
//! the transport layer), writing the output buffer, the watch's interest, and the
//! output limits (per client, and the process-wide budget).

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::Arc;
use std::time::Instant;

use rvirt_core::event::{EventLoop, Interest, WatchId};
use rvirt_rpc::{FrameDecoder, Message};

use super::{Client, MAX_PENDING_CALLS};
use crate::listener::Stream;
use crate::log::log;
use crate::output::Output;
use crate::transport::{InputError, Wire};

/// Bytes read from a socket per `read(2)`.
const READ_CHUNK: usize = 64 * 1024;

/// A client's I/O state, behind its lock.
#[derive(Debug)]
pub(super) struct Io {
    pub(super) stream: Option<Stream>,
    pub(super) wire: Wire,
    pub(super) watch: Option<WatchId>,
    pub(super) decoder: FrameDecoder,
    pub(super) out: Output,
    pub(super) interest: Interest,
    pub(super) close_after_flush: bool,
    pub(super) pending: VecDeque<Message>,
    pub(super) running: super::calls::Running,
    pub(super) last_rx: Instant,
    pub(super) pings_unanswered: u32,
    pub(super) streams: super::streams::Streams,
}

impl Io {
    pub(super) fn new(stream: Stream, wire: Wire, out: Output) -> Io {
        Io {
            stream: Some(stream),
            wire,
            watch: None,
            decoder: FrameDecoder::new(),
            out,
            interest: Interest::READABLE,
            close_after_flush: false,
            pending: VecDeque::new(),
            running: super::calls::Running::default(),
            last_rx: Instant::now(),
            pings_unanswered: 0,
            streams: Default::default(),
        }
    }
}

impl Client {
    /// Appends an encoded packet (a reply, an event MESSAGE) to the output, writes it
    /// at once when nothing else is waiting, and asks for WRITABLE for whatever the
    /// socket did not take. Does nothing once the client is closed. Callable from any
    /// thread.
    pub fn queue_frame(&self, frame: &[u8]) {
        let mut io = self.lock_io();
        self.queue_locked(&mut io, frame);
        drop(io);
        self.enforce_output_budget();
    }

    /// Queues `frame`; a client that leaves more than its limit unread is cut off.
    /// Callers run [`Client::enforce_output_budget`] once the lock is released.
    pub(super) fn queue_locked(&self, io: &mut Io, frame: &[u8]) {
        self.queue_locked_with_fds(io, frame, Vec::new());
    }

    /// Like [`Client::queue_locked`], passing `fds` once `frame` is written.
    pub(super) fn queue_locked_with_fds(
        &self,
        io: &mut Io,
        frame: &[u8],
        fds: Vec<std::os::fd::OwnedFd>,
    ) {
        if io.stream.is_none() {
            return;
        }
        let max = self.service.max_output;
        if io.out.len() + frame.len() > max {
            log!(
                "client {}: more than {max} bytes of unread output; disconnecting",
                self.id
            );
            self.cut_off(io);
            return;
        }
        let idle = !io.wire.wants_write(&io.out);
        io.out.push_with_fds(frame, fds);
        if idle && !io.close_after_flush && io.streams.is_empty() {
            // Nothing in flight: write now, on this thread, rather than asking the
            // loop for WRITABLE and waiting for its next round (what is left, if the
            // socket is full, the loop writes). An error stays for the loop's own
            // flush, which meets it again and closes the client. A client being
            // closed, or with streams (pumped as their output drains), keeps going
            // through the loop's flush.
            let Io {
                stream, wire, out, ..
            } = io;
            if let Some(stream) = stream.as_mut() {
                let _ = wire.flush(stream, out);
            }
        }
        self.update_interest(io);
    }

    /// Drops the client's output and queued calls and shuts its socket; the loop then
    /// sees end-of-file and closes it.
    fn cut_off(&self, io: &mut Io) {
        if let Some(stream) = io.stream.as_ref() {
            stream.shutdown();
        }
        io.out.clear();
        io.pending.clear();
        io.close_after_flush = true;
        self.update_interest(io);
    }

    /// Bytes queued to this client and not yet written.
    pub fn unread_output(&self) -> usize {
        self.lock_io().out.len()
    }

    /// While all clients together leave more output unread than the process-wide
    /// budget allows, disconnects the one holding the most. Call with no client's I/O
    /// lock held.
    pub(super) fn enforce_output_budget(&self) {
        let budget = &self.service.output_budget;
        if !budget.over() {
            return;
        }
        let Some(registry) = self.registry.upgrade() else {
            return;
        };
        while budget.over() {
            let worst = registry
                .clients()
                .into_iter()
                .map(|c| (c.unread_output(), c))
                .max_by_key(|(n, _)| *n);
            let Some((unread, c)) = worst.filter(|(n, _)| *n > 0) else {
                return;
            };
            log!(
                "client {}: {unread} bytes of unread output while all clients hold more than {} bytes; disconnecting",
                c.id,
                budget.limit()
            );
            let mut io = c.lock_io();
            c.cut_off(&mut io);
        }
    }

    /// True when the client has not finished its TLS handshake or authentication
    /// within the service's `auth_timeout` (it is then disconnected by the caller).
    pub(crate) fn auth_overdue(&self, now: Instant) -> bool {
        let timeout = self.service.auth_timeout;
        if timeout.is_zero() || now.duration_since(self.accepted) < timeout {
            return false;
        }
        self.auth_pending() || !self.lock_io().wire.is_established()
    }

    /// READABLE while the call queue has room, WRITABLE while output is pending.
    pub(super) fn update_interest(&self, io: &mut Io) {
        let mut want = Interest::NONE;
        let writing = io.wire.wants_write(&io.out);
        // A client being closed is watched READABLE once its output is gone, so the
        // loop comes back and finishes the close.
        let reading = if io.close_after_flush {
            !writing
        } else {
            io.pending.len() < MAX_PENDING_CALLS
        };
        if reading {
            want |= Interest::READABLE;
        }
        if writing {
            want |= Interest::WRITABLE;
        }
        if want == io.interest {
            return;
        }
        io.interest = want;
        if let Some(w) = io.watch {
            let _ = self.event_loop.update_handle(w, want);
        }
    }

    /// The watch callback (loop thread).
    pub(super) fn on_ready(self: &Arc<Self>, ready: Interest) {
        if ready.intersects(Interest::WRITABLE) {
            self.flush();
        }
        if ready.intersects(Interest::READABLE | Interest::HANGUP | Interest::ERROR) {
            self.read_input(ready);
        }
    }
    fn read_input(self: &Arc<Self>, ready: Interest) {
        let mut buf = vec![0u8; READ_CHUNK];
        let mut over_budget = false;
        let mut io = self.lock_io();
        loop {
            if io.close_after_flush && !io.wire.wants_write(&io.out) {
                drop(io);
                self.close();
                return;
            }
            if io.pending.len() >= MAX_PENDING_CALLS || io.close_after_flush {
                if ready.intersects(Interest::HANGUP | Interest::ERROR) {
                    // Nobody will read the replies of the queued calls.
                    drop(io);
                    self.close();
                    return;
                }
                break;
            }
            let Some(stream) = io.stream.as_mut() else {
                return;
            };
            match stream.read(&mut buf) {
                Ok(0) => {
                    let partial = io.decoder.buffered();
                    drop(io);
                    if partial > 0 {
                        log!(
                            "client {}: connection closed inside a packet ({partial} bytes buffered)",
                            self.id
                        );
                    }
                    self.close();
                    return;
                }
                Ok(n) => {
                    io.last_rx = Instant::now();
                    io.pings_unanswered = 0;
                    let Io { wire, decoder, .. } = &mut *io;
                    match wire.receive(&buf[..n], decoder) {
                        Ok(true) => {}
                        Ok(false) => {
                            drop(io);
                            self.close();
                            return;
                        }
                        Err(e) => {
                            drop(io);
                            match e {
                                InputError::Frame(e) => {
                                    log!("client {}: malformed packet: {e}; closing", self.id)
                                }
                                #[cfg(feature = "tls")]
                                InputError::Tls(e) => log!("client {}: {e}; closing", self.id),
                            }
                            self.close();
                            return;
                        }
                    }
                    self.take_messages(&mut io);
                    over_budget |= self.service.output_budget.over();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    drop(io);
                    log!("client {}: read failed: {e}; closing", self.id);
                    self.close();
                    return;
                }
            }
        }
        let next = self.next_calls(&mut io);
        self.update_interest(&mut io);
        drop(io);
        if over_budget {
            self.enforce_output_budget();
        }
        self.submit_all(next);
    }

    /// Writes pending output (loop thread).
    fn flush(self: &Arc<Self>) {
        let mut io = self.lock_io();
        let Io {
            stream, wire, out, ..
        } = &mut *io;
        let Some(stream) = stream.as_mut() else {
            return;
        };
        if let Err(e) = wire.flush(stream, out) {
            drop(io);
            log!("client {}: write failed: {e}; closing", self.id);
            self.close();
            return;
        }
        self.pump_streams(&mut io);
        if !io.wire.wants_write(&io.out) && io.close_after_flush && io.running.is_idle() {
            drop(io);
            self.close();
            return;
        }
        self.update_interest(&mut io);
    }
}

//! One connected client: its socket watch, transport layer (plain or TLS), frame
//! decoder, output buffer and call queue, and what the admin procedures report about
//! it (id, server, connection time, transport, peer identity).
//!
//! The socket is watched READABLE on the event loop, plus WRITABLE only while output
//! (or, under TLS, a handshake record) is pending. Complete calls are queued and handed
//! to the worker pool one at a time, so a client's calls run in order; replies (from
//! workers) and events (from the loop) are appended to the output buffer from any
//! thread, and encrypted on the loop thread when the socket is writable.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rvirt_core::event::{EventLoop, Interest, SharedLoop, WatchId};
use rvirt_rpc::{FrameDecoder, KEEPALIVE_PROGRAM, Message};

use crate::auth::AuthMode;
use crate::registry::Registry;
use crate::server::Server;
use crate::service::Service;
use crate::session::Session;
use crate::{dispatch, log};
use rvirt_rpc_server::keepalive;
use rvirt_rpc_server::listener::Stream;
use rvirt_rpc_server::output::Output;
use rvirt_rpc_server::peer::PeerCred;
use rvirt_rpc_server::transport::{InputError, Wire};

/// Bytes read from a socket per `read(2)`.
const READ_CHUNK: usize = 64 * 1024;
/// Calls queued per client before the daemon stops reading its socket (libvirtd's
/// `max_client_requests` is 5).
pub const MAX_PENDING_CALLS: usize = 8;

/// A connected client.
#[derive(Debug)]
pub struct Client {
    id: u64,
    service: Arc<Service>,
    server: Arc<Server>,
    event_loop: SharedLoop,
    registry: Weak<Registry>,
    peer: Option<PeerCred>,
    peer_addr: Option<SocketAddr>,
    connected_at: i64,
    accepted: Instant,
    auth_pending: AtomicBool,
    io: Mutex<Io>,
    session: Mutex<Session>,
    keepalive: AtomicBool,
}

#[derive(Debug)]
struct Io {
    stream: Option<Stream>,
    wire: Wire,
    watch: Option<WatchId>,
    decoder: FrameDecoder,
    out: Output,
    interest: Interest,
    close_after_flush: bool,
    pending: VecDeque<Message>,
    busy: bool,
    last_rx: Instant,
    pings_unanswered: u32,
}

/// What a call's handling produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The encoded reply packet, if any.
    pub frame: Option<Vec<u8>>,
    /// Close the connection once the reply is written (CONNECT_CLOSE).
    pub close: bool,
}

impl Client {
    /// Wraps a stream accepted by `service` of `server` and starts watching it on
    /// `event_loop`. The caller registers it ([`Registry::insert`]).
    pub fn start(
        id: u64,
        stream: Stream,
        service: Arc<Service>,
        server: Arc<Server>,
        event_loop: SharedLoop,
        registry: Weak<Registry>,
    ) -> io::Result<Arc<Client>> {
        let fd = stream.as_raw_fd();
        let peer = stream.peer_cred();
        let peer_addr = stream.peer_addr();
        #[cfg(feature = "tls")]
        let wire = match &service.tls {
            Some(acceptor) => Wire::tls(acceptor)?,
            None => Wire::Plain,
        };
        #[cfg(not(feature = "tls"))]
        let wire = Wire::Plain;
        let out = Output::new(service.output_budget.clone());
        let authenticated = service.auth == AuthMode::None;
        let session = Session {
            authenticated,
            ..Session::default()
        };
        let connected_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let client = Arc::new(Client {
            id,
            service,
            server,
            peer,
            peer_addr,
            connected_at,
            accepted: Instant::now(),
            auth_pending: AtomicBool::new(!authenticated),
            event_loop: event_loop.clone(),
            registry,
            io: Mutex::new(Io {
                stream: Some(stream),
                wire,
                watch: None,
                decoder: FrameDecoder::new(),
                out,
                interest: Interest::READABLE,
                close_after_flush: false,
                pending: VecDeque::new(),
                busy: false,
                last_rx: Instant::now(),
                pings_unanswered: 0,
            }),
            session: Mutex::new(session),
            keepalive: AtomicBool::new(false),
        });
        // The loop holds the only strong reference besides the daemon's registry.
        let me = client.clone();
        let mut io = client.lock_io();
        let watch = event_loop
            .add_handle(
                fd,
                Interest::READABLE,
                Box::new(move |_, _, ready| me.on_ready(ready)),
            )
            .map_err(io::Error::other)?;
        io.watch = Some(watch);
        drop(io);
        Ok(client)
    }

    /// The daemon-wide client number.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The socket (service) this client connected to.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The server this client belongs to.
    pub fn server(&self) -> &Arc<Server> {
        &self.server
    }

    /// The daemon's registry, unless the daemon is gone.
    pub fn registry(&self) -> Option<Arc<Registry>> {
        self.registry.upgrade()
    }

    /// The kernel-verified identity of a unix socket client (`None` on TCP).
    pub fn peer(&self) -> Option<PeerCred> {
        self.peer
    }

    /// The address of a TCP or TLS client.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer_addr
    }

    /// When the client connected, in seconds since the epoch.
    pub fn connected_at(&self) -> i64 {
        self.connected_at
    }

    /// The Distinguished Name of a TLS client's certificate, once accepted.
    pub fn tls_dn(&self) -> Option<String> {
        self.lock_io().wire.peer_dn()
    }

    /// True when writes are refused: a read-only socket, or a connection opened
    /// read-only.
    pub fn is_read_only(&self) -> bool {
        self.service.read_only || self.session().read_only
    }

    /// True while the client still has to authenticate.
    pub fn auth_pending(&self) -> bool {
        self.auth_pending.load(Ordering::Acquire)
    }

    /// Clears the pending-authentication mark; returns whether it was set.
    pub fn take_auth_pending(&self) -> bool {
        self.auth_pending.swap(false, Ordering::AcqRel)
    }

    /// Records that the client authenticated (its server counts one fewer
    /// unauthenticated client). Call with the session unlocked.
    pub fn auth_completed(&self) {
        if self.take_auth_pending() {
            self.server.auth_completed();
        }
    }

    /// This client's session (driver connection, flags, event registrations).
    pub fn session(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_io(&self) -> MutexGuard<'_, Io> {
        self.io.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Turns on keepalive PINGs for this client (it asked for feature 10).
    pub fn enable_keepalive(&self) {
        self.keepalive.store(true, Ordering::Release);
    }

    /// True while the socket is open.
    pub fn is_open(&self) -> bool {
        self.lock_io().stream.is_some()
    }

    /// Appends an encoded packet to the output and asks for WRITABLE. Does nothing
    /// once the client is closed. Callable from any thread.
    pub fn queue_frame(&self, frame: &[u8]) {
        let mut io = self.lock_io();
        self.queue_locked(&mut io, frame);
        drop(io);
        self.enforce_output_budget();
    }

    /// Queues `frame`; a client that leaves more than its limit unread is cut off.
    /// Callers run [`Client::enforce_output_budget`] once the lock is released.
    fn queue_locked(&self, io: &mut Io, frame: &[u8]) {
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
        io.out.push(frame);
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

    /// While all clients together leave more output unread than the daemon-wide
    /// budget allows, disconnects the one holding the most. Call with no client's
    /// I/O lock held.
    pub fn enforce_output_budget(&self) {
        let budget = &self.service.output_budget;
        if !budget.over() {
            return;
        }
        let Some(registry) = self.registry.upgrade() else {
            return;
        };
        while budget.over() {
            let worst = registry
                .snapshot()
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
    pub fn auth_overdue(&self, now: Instant) -> bool {
        let timeout = self.service.auth_timeout;
        if timeout.is_zero() || now.duration_since(self.accepted) < timeout {
            return false;
        }
        self.auth_pending() || !self.lock_io().wire.is_established()
    }

    /// READABLE while the call queue has room, WRITABLE while output is pending.
    fn update_interest(&self, io: &mut Io) {
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
    fn on_ready(self: &Arc<Self>, ready: Interest) {
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
        let next = self.next_call(&mut io);
        self.update_interest(&mut io);
        drop(io);
        if over_budget {
            self.enforce_output_budget();
        }
        if let Some(msg) = next {
            self.submit(msg);
        }
    }

    /// Moves decoded packets into the call queue; keepalive is answered right here.
    fn take_messages(&self, io: &mut Io) {
        while let Some(msg) = io.decoder.next_message() {
            if msg.header.prog == KEEPALIVE_PROGRAM {
                if let Some(frame) = keepalive::answer(&msg) {
                    self.queue_locked(io, &frame);
                }
            } else if !io.close_after_flush {
                io.pending.push_back(msg);
            }
        }
    }

    /// The next call to run if none is running.
    fn next_call(&self, io: &mut Io) -> Option<Message> {
        if io.busy || io.close_after_flush || io.stream.is_none() {
            return None;
        }
        let msg = io.pending.pop_front()?;
        io.busy = true;
        Some(msg)
    }

    fn submit(self: &Arc<Self>, msg: Message) {
        let me = self.clone();
        let ok = self.server.pool().submit(move || {
            let outcome = dispatch::dispatch(&me, &msg);
            me.finish_call(outcome);
        });
        if !ok {
            self.close();
        }
    }

    /// Queues a call's reply and starts the next call (worker thread).
    fn finish_call(self: &Arc<Self>, outcome: Outcome) {
        let mut io = self.lock_io();
        io.busy = false;
        if let Some(frame) = outcome.frame {
            self.queue_locked(&mut io, &frame);
        }
        if outcome.close {
            io.close_after_flush = true;
            io.pending.clear();
        }
        let next = self.next_call(&mut io);
        self.update_interest(&mut io);
        drop(io);
        self.enforce_output_budget();
        if let Some(msg) = next {
            self.submit(msg);
        }
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
        if !io.wire.wants_write(&io.out) && io.close_after_flush && !io.busy {
            drop(io);
            self.close();
            return;
        }
        self.update_interest(&mut io);
    }

    /// Keepalive tick (loop thread): PINGs a client idle for `interval`, and closes it
    /// after `count` unanswered PINGs.
    pub fn keepalive_tick(self: &Arc<Self>, interval: std::time::Duration, count: u32) {
        if !self.keepalive.load(Ordering::Acquire) || interval.is_zero() {
            return;
        }
        let mut io = self.lock_io();
        if io.last_rx.elapsed() < interval {
            return;
        }
        if io.pings_unanswered >= count {
            drop(io);
            log!(
                "client {}: connection closed due to keepalive timeout",
                self.id
            );
            self.close();
            return;
        }
        io.pings_unanswered += 1;
        io.last_rx = Instant::now();
        self.queue_locked(&mut io, &keepalive::ping());
        drop(io);
        self.enforce_output_budget();
    }

    /// Closes the socket, drops queued calls, and releases the driver connection
    /// and its event callbacks. Idempotent; callable from any thread.
    pub fn close(&self) {
        let stream = {
            let mut io = self.lock_io();
            let Some(mut stream) = io.stream.take() else {
                return;
            };
            io.wire.goodbye(&mut stream);
            if let Some(w) = io.watch.take() {
                let _ = self.event_loop.remove_handle(w);
            }
            io.pending.clear();
            io.out.clear();
            stream
        };
        stream.shutdown();
        drop(stream);
        let session = std::mem::take(&mut *self.session());
        session.teardown();
        if let Some(registry) = self.registry.upgrade() {
            registry.remove(self.id);
        }
    }
}

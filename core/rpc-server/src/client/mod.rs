//! One connected client: its socket watch, transport layer (plain or TLS), frame
//! decoder, output buffer and call queue ([`io`](self)), the state of its server's
//! programs, and what admin procedures report about it (id, server, connection time,
//! transport, peer identity, read-only, authenticated).
//!
//! The socket is watched READABLE on the event loop, plus WRITABLE only while output
//! (or, under TLS, a handshake record) is pending. Complete calls are queued and handed
//! to the server's worker pool, several at once up to the server's per-client limit,
//! exclusive ones alone ([`calls`](self)); replies (from workers, as calls finish) and
//! events (from anywhere) are appended to the output buffer from any thread, and
//! encrypted on the loop thread when the socket is writable.

mod calls;
mod io;
mod sparse;
mod streams;

use std::any::Any;
use std::fmt;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rvirt_core::event::{EventLoop, Interest, SharedLoop};

use crate::listener::Stream;
use crate::output::Output;
use crate::peer::PeerCred;
use crate::registry::Registry;
use crate::server::Server;
use crate::service::{AUTH_NONE, Service};
use crate::transport::Wire;

/// Calls queued per client, not yet started, before its socket is no longer read
/// (besides the [`Server::max_client_requests`] running).
pub const MAX_PENDING_CALLS: usize = 8;

/// A connected client.
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
    read_only: AtomicBool,
    keepalive: AtomicBool,
    io: Mutex<io::Io>,
    /// `Mutex<S>` of the server's programs.
    state: Box<dyn Any + Send + Sync>,
}

impl Client {
    /// Wraps a stream accepted by `service` of `server` and starts watching it on
    /// `event_loop`. The caller registers it ([`Registry::insert`]).
    pub(crate) fn start(
        id: u64,
        stream: Stream,
        service: Arc<Service>,
        server: Arc<Server>,
        event_loop: SharedLoop,
        registry: Weak<Registry>,
    ) -> std::io::Result<Arc<Client>> {
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
        let connected_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let state = server.host().new_state(&service);
        let client = Arc::new(Client {
            id,
            peer,
            peer_addr,
            connected_at,
            accepted: Instant::now(),
            auth_pending: AtomicBool::new(service.auth != AUTH_NONE),
            read_only: AtomicBool::new(service.read_only),
            keepalive: AtomicBool::new(false),
            event_loop: event_loop.clone(),
            registry,
            io: Mutex::new(io::Io::new(stream, wire, out)),
            state,
            service,
            server,
        });
        // The loop holds the only strong reference besides the registry.
        let me = client.clone();
        let mut io = client.lock_io();
        let watch = event_loop
            .add_handle(
                fd,
                Interest::READABLE,
                Box::new(move |_, _, ready| me.on_ready(ready)),
            )
            .map_err(std::io::Error::other)?;
        io.watch = Some(watch);
        drop(io);
        Ok(client)
    }

    /// The process-wide client number.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The settings of the socket this client came in on.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The server this client belongs to.
    pub fn server(&self) -> &Arc<Server> {
        &self.server
    }

    /// The registry, unless the process is shutting down.
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

    /// True when the transport is safe from eavesdropping (unix socket, TLS).
    pub fn is_secure(&self) -> bool {
        self.service.transport.is_secure()
    }

    /// True when writes are refused: a read-only socket, or a client made read-only
    /// ([`Client::set_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only.load(Ordering::Acquire)
    }

    /// Makes the client read-only, or read-write again unless its socket is read-only
    /// (libvirt's `virNetServerClientSetReadonly`: a connection opened read-only).
    pub fn set_read_only(&self, read_only: bool) {
        self.read_only
            .store(read_only || self.service.read_only, Ordering::Release);
    }

    /// True once the client needs no (more) authentication.
    pub fn is_authenticated(&self) -> bool {
        !self.auth_pending()
    }

    pub(crate) fn auth_pending(&self) -> bool {
        self.auth_pending.load(Ordering::Acquire)
    }

    /// Clears the pending-authentication mark; returns whether it was set.
    pub(crate) fn take_auth_pending(&self) -> bool {
        self.auth_pending.swap(false, Ordering::AcqRel)
    }

    /// Records that the client authenticated: its server counts one unauthenticated
    /// client fewer, and the authentication deadline no longer applies.
    pub fn auth_completed(&self) {
        if self.take_auth_pending() {
            self.server.auth_completed();
        }
    }

    /// Turns on keepalive PINGs for this client (it asked for them), unless its
    /// service has them off.
    pub fn enable_keepalive(&self) {
        if !self.service.keepalive_interval.is_zero() {
            self.keepalive.store(true, Ordering::Release);
        }
    }

    /// The client's state of its server's programs, if they keep an `S`.
    pub fn state<S: 'static>(&self) -> Option<MutexGuard<'_, S>> {
        self.state
            .downcast_ref::<Mutex<S>>()
            .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub(crate) fn state_any(&self) -> &(dyn Any + Send + Sync) {
        &*self.state
    }

    fn lock_io(&self) -> MutexGuard<'_, io::Io> {
        self.io.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True while the socket is open.
    pub fn is_open(&self) -> bool {
        self.lock_io().stream.is_some()
    }

    /// Closes the socket, drops queued calls and output, lets the programs release the
    /// client's state ([`ClientState::disconnected`](crate::ClientState::disconnected))
    /// and forgets the client. Idempotent; callable from any thread.
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
            self.close_streams(&mut io);
            stream
        };
        stream.shutdown();
        drop(stream);
        self.server.host().disconnected(self);
        if let Some(registry) = self.registry.upgrade() {
            registry.remove(self.id);
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("server", &self.server.name())
            .field("service", &self.service.name)
            .finish_non_exhaustive()
    }
}

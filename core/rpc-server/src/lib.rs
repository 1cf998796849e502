//! The server side of libvirt's remote protocol: everything a daemon needs to serve
//! RPC programs, and nothing about what the programs do.
//!
//! * **Servers** ([`Server`], libvirt's `virNetServer`): the [`Programs`] they host, a
//!   worker pool ([`workers::Pool`]) and client limits ([`ClientLimits`]: at the limit
//!   a server stops accepting until a slot frees).
//! * **Listeners** ([`listener::Listener`]: unix sockets with a mode, TCP) served by a
//!   server with the settings of a [`Service`]: transport (unix, TCP, TLS with
//!   [`tls::Acceptor`]), read-only, authentication scheme, owner-only, keepalive,
//!   output limits, handshake/authentication deadline.
//! * **Clients** ([`Client`]): a socket watched on the registered event loop
//!   ([`rvirt_core::event`]), a frame decoder, an output buffer bounded per client and
//!   process-wide ([`output::OutputBudget`]), a bounded call queue whose calls run on
//!   the server's pool, up to [`Server::max_client_requests`] at once, each reply sent
//!   as its call finishes (the client matches them by serial), the program's
//!   [exclusive](Program::exclusive) procedures alone and in order; keepalive PINGs
//!   answered on the loop thread; peer credentials ([`peer::PeerCred`]).
//! * **Streams** ([`stream`]): libvirt's STREAM packets both ways on a call's serial
//!   (a console's pty, a screenshot), read only while the client's output has room.
//! * **The registry** ([`Registry`], libvirt's `virNetDaemon`): the servers and every
//!   client by a process-wide id, the keepalive and authentication-deadline timers, and
//!   what admin procedures need to list, inspect, limit and disconnect.
//!
//! # Programs as data
//!
//! A [`Program`] is a value: number, version, a `static` table of [`Procedure`]s
//! (number → access rule → handler) and the check applying the access rules. Handlers
//! are typed, `fn(&Ctx<'_, S>, Args) -> CallResult<Ret>` (`()` for void arguments or
//! results); [`procedure!`] turns one into a table row that decodes the arguments
//! (libvirtd's "Unable to decode message payload", 39 / 7, when they do not) and
//! encodes the result. Access rules are whatever type the program picks: the library
//! only hands each procedure's rule to the program's check before the handler runs.
//!
//! A server hosts [`Programs<S>`](Programs): one or more programs over one per-client
//! state type `S` ([`ClientState`], libvirt's client private data), so programs of the
//! same server share it. The library answers what no program decides, as libvirtd
//! does: a program it does not host ("Cannot find program N version V"), a procedure
//! not in the table ("unknown procedure: N"), a bad status, file descriptors; all 39 /
//! 7. A handler may ask for the connection to be closed after its reply
//! ([`Ctx::close_after_reply`], libvirt's CONNECT_CLOSE).
//!
//! # Hosting a program
//!
//! A program with one procedure, counting calls per client, served on a unix socket:
//!
//! ```
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//!
//! use rvirt_core::event;
//! use rvirt_rpc::{FrameDecoder, Header, Message, MessageStatus};
//! use rvirt_rpc_server::listener::Listener;
//! use rvirt_rpc_server::output::OutputBudget;
//! use rvirt_rpc_server::workers::Pool;
//! use rvirt_rpc_server::{
//!     CallResult, ClientState, Ctx, Procedure, Program, Programs, Registry, Server, Service,
//!     Transport, allow_all, procedure,
//! };
//!
//! /// What each client of the server keeps.
//! #[derive(Default)]
//! struct Calls(u32);
//! impl ClientState for Calls {}
//!
//! /// Procedure 1: adds its argument to the client's total and returns it.
//! fn add(ctx: &Ctx<'_, Calls>, n: u32) -> CallResult<u32> {
//!     let mut total = ctx.state();
//!     total.0 += n;
//!     Ok(total.0)
//! }
//!
//! static COUNTER: Program<Calls> = Program {
//!     name: "COUNTER",
//!     number: 0x2000_1234,
//!     version: 1,
//!     procedures: &[procedure!(1, add)],
//!     check: allow_all,
//!     exclusive: &[],
//! };
//!
//! let event_loop = event::register_default().unwrap();
//! let shared = event::require().unwrap();
//! let programs = Programs::new(|_| Calls::default()).with(COUNTER);
//! let server = Server::new("counter", programs, Pool::new("counter", 1, 1).unwrap(), shared.clone(), 10, 0);
//! let registry = Registry::new(shared, vec![server.clone()]);
//!
//! let path = std::env::temp_dir().join(format!("rpc-server-doc-{}", std::process::id()));
//! let listener = Arc::new(Listener::bind_unix(&path, 0o600).unwrap());
//! let service = Service::new("counter", Transport::Unix, OutputBudget::new(1 << 20));
//! registry.listen(&server, listener.clone(), service).unwrap();
//! let running = std::thread::spawn({
//!     let event_loop = event_loop.clone();
//!     move || event_loop.run()
//! });
//!
//! // A client calls procedure 1 twice.
//! let mut sock = std::os::unix::net::UnixStream::connect(&path).unwrap();
//! let mut decoder = FrameDecoder::new();
//! for (serial, n) in [(1, 5u32), (2, 7)] {
//!     let call = Message::with_body(Header::call(0x2000_1234, 1, 1, serial), &n).unwrap();
//!     sock.write_all(&call.encode().unwrap()).unwrap();
//! }
//! let mut replies = Vec::new();
//! let mut buf = [0u8; 256];
//! while replies.len() < 2 {
//!     let n = sock.read(&mut buf).unwrap();
//!     decoder.feed(&buf[..n]).unwrap();
//!     replies.extend(decoder.by_ref());
//! }
//! assert_eq!(replies[1].header.status, MessageStatus::OK);
//! assert_eq!(replies[1].decode_payload::<u32>().unwrap(), 12);
//!
//! event_loop.quit();
//! running.join().unwrap().unwrap();
//! registry.shutdown();
//! listener.remove_path();
//! ```

mod accept;
mod client;
mod ctx;
pub mod error;
mod fdpass;
mod host;
mod keepalive;
pub mod listener;
pub mod log;
pub mod output;
pub mod peer;
pub mod pki;
pub mod program;
mod registry;
mod server;
mod service;
pub mod stream;
mod timers;
#[cfg(feature = "tls")]
pub mod tls;
mod transport;
pub mod workers;

pub use client::{Client, MAX_PENDING_CALLS};
pub use ctx::Ctx;
pub use error::{CallError, CallResult};
pub use host::{ClientState, Programs};
pub use program::{Procedure, Program, allow_all};
pub use registry::Registry;
pub use server::{ClientLimits, DEFAULT_MAX_CLIENT_REQUESTS, LimitsError, Server};
pub use service::{AUTH_NONE, Service, Transport};
pub use stream::{StreamHandle, StreamSource};

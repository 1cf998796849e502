//! rvirtd: the rvirt daemon, serving libvirt's remote protocol on unix and TCP sockets.
//!
//! Unmodified libvirt clients (`virsh`, python3-libvirt) talk to it with URIs such as
//! `test+unix:///default?socket=DIR/libvirt-sock`, and Debian's `virt-admin` manages
//! it through `libvirtd:///system?socket=DIR/libvirt-admin-sock`. The daemon is one
//! process with two servers in libvirt's sense, assembled from the RPC server library
//! [`rvirt_rpc_server`] (listeners, clients, transports, workers, keepalive, limits),
//! which hosts the programs defined here:
//!
//! * **"libvirtd"** speaks the REMOTE program on several sockets: the
//!   read-write `DIR/libvirt-sock` (mode 0600), the read-only `DIR/libvirt-sock-ro`
//!   (0666), optional TLS with client certificates and optional plain TCP (loopback
//!   only and only with an explicit `--auth-tcp none`). The unix sockets may require
//!   libvirt's polkit authentication, decided here by the peer's uid; until a client is
//!   authenticated every procedure but AUTH_LIST and AUTH_POLKIT is refused
//!   (`src/remote/`).
//! * **"admin"** speaks the ADMIN program on `DIR/libvirt-admin-sock` (0600, peers of
//!   the daemon's own uid only; `src/admin/`): servers, their worker pools and client
//!   limits, the clients themselves (list, identity, disconnect), and the
//!   auto-shutdown timeout.
//!
//! Everything runs on rvirt's registered event loop ([`rvirt_core::event::DefaultLoop`]):
//! listening and client sockets are non-blocking fd watches; each client has its own
//! [`FrameDecoder`](rvirt_rpc::FrameDecoder) and an output buffer that asks for
//! WRITABLE only while bytes are pending. Calls run on their server's worker pool, up
//! to `--max-client-requests` (5) of one client at once, so a slow driver call (a QEMU
//! start) never stalls the loop nor the client's other calls; each reply is queued to
//! the client's output as its call finishes (clients match them by serial), and so are
//! domain events. Connection setup, authentication and event registration run alone
//! on their client, in order (`src/remote/exclusive.rs`). Keepalive PINGs are answered on the loop thread. Clients get daemon-wide ids
//! that are never reused.

mod admin;
mod auth;
mod config;
mod daemon;
mod pki;
mod remote;
mod servers;
mod shutdown;
mod signals;

use config::Config;
use daemon::Daemon;

/// Most event callbacks one client may hold (callback API and legacy API together).
pub use remote::session::MAX_CALLBACKS_PER_CLIENT;

/// The libvirt API version rvirtd speaks (libvirt 9.0.0), reported by both programs.
const LIB_VERSION: u64 = 9_000_000;

/// Parses `args` (without the program name), runs the daemon until it is told to
/// stop, and returns the process exit status.
pub fn main_with_args(args: Vec<String>) -> i32 {
    let config = match Config::parse(args) {
        Ok(config::Parsed::Run(c)) => *c,
        Ok(config::Parsed::Help) => {
            println!("{}", config::USAGE);
            return 0;
        }
        Err(e) => {
            eprintln!("rvirtd: {e}\n{}", config::USAGE);
            return 2;
        }
    };
    match Daemon::start(config).and_then(|d| d.run()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("rvirtd: {e}");
            1
        }
    }
}

/// Writes a log line to stderr, prefixed with the daemon's name.
macro_rules! log {
    ($($arg:tt)*) => {
        eprintln!("rvirtd: {}", format_args!($($arg)*))
    };
}
pub(crate) use log;

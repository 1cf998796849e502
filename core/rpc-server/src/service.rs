//! A listening socket's settings — libvirt's "service": how its clients are connected,
//! whether they are read-only, how they authenticate, and the limits they live under.
//! A [`Server`](crate::Server) has one service per socket (libvirtd's "libvirtd"
//! server: read-write, read-only, TCP, TLS; its "admin" server: the admin socket).

use std::sync::Arc;
use std::time::Duration;

use crate::output::OutputBudget;

/// The authentication scheme number meaning "none": clients start authenticated
/// (libvirt's `REMOTE_AUTH_NONE`).
pub const AUTH_NONE: i32 = 0;

/// How a client is connected: libvirt's `virClientTransport`, whose numbers the admin
/// procedures report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A unix socket (0).
    Unix,
    /// Plain TCP (1).
    Tcp,
    /// TLS over TCP (2).
    Tls,
}

impl Transport {
    /// The `virClientTransport` number.
    pub fn number(self) -> u32 {
        match self {
            Transport::Unix => rvirt_rpc::admin::transport::UNIX,
            Transport::Tcp => rvirt_rpc::admin::transport::TCP,
            Transport::Tls => rvirt_rpc::admin::transport::TLS,
        }
    }

    /// True when the transport is safe from eavesdropping: a unix socket or TLS (libvirt's
    /// `virNetServerClientIsSecure`).
    pub fn is_secure(self) -> bool {
        self != Transport::Tcp
    }
}

/// What a listening socket's clients are, decided by the socket they came in on.
#[derive(Clone, Debug)]
pub struct Service {
    /// Service name, for logs ("libvirtd", "libvirtd-ro", "admin", …).
    pub name: &'static str,
    /// How its clients are connected.
    pub transport: Transport,
    /// Every client of this service is read-only.
    pub read_only: bool,
    /// The authentication scheme its clients must pass (a program's number, e.g.
    /// libvirt's `remote_auth_type`): anything but [`AUTH_NONE`] makes them start
    /// unauthenticated, counted in their server's `nclients_unauth` until a procedure
    /// calls [`Client::auth_completed`](crate::Client::auth_completed).
    pub auth: i32,
    /// Only peers running as the process's own effective uid may connect; others are
    /// disconnected at once, with a log line (libvirtd's admin socket).
    pub owner_only: bool,
    /// The TLS configuration of a TLS listener.
    #[cfg(feature = "tls")]
    pub tls: Option<Arc<crate::tls::Acceptor>>,
    /// Idle time before keepalive PINGs; zero disables them.
    pub keepalive_interval: Duration,
    /// Unread output after which a client is disconnected.
    pub max_output: usize,
    /// Unread output of all clients together (shared by every service).
    pub output_budget: Arc<OutputBudget>,
    /// How long a client may take to finish its TLS handshake and to authenticate
    /// before it is disconnected (zero: forever).
    pub auth_timeout: Duration,
}

impl Service {
    /// A read-write service without authentication, counted in `output_budget`, with
    /// libvirtd's defaults: keepalive after 5 s idle, two maximal packets of unread
    /// output per client, 10 s for the TLS handshake and authentication.
    pub fn new(name: &'static str, transport: Transport, output_budget: Arc<OutputBudget>) -> Self {
        Service {
            name,
            transport,
            read_only: false,
            auth: AUTH_NONE,
            owner_only: false,
            #[cfg(feature = "tls")]
            tls: None,
            keepalive_interval: Duration::from_secs(5),
            max_output: 2 * rvirt_rpc::MAX_PACKET_LEN,
            output_budget,
            auth_timeout: Duration::from_secs(10),
        }
    }
}

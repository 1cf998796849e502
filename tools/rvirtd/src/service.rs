//! A listening socket's settings — libvirt's "service": how its clients are connected,
//! whether they are read-only, how they authenticate. A [`Server`](crate::server::Server)
//! has one service per socket (the "libvirtd" server: read-write, read-only, TCP,
//! TLS; the "admin" server: the admin socket).

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{AuthMode, Policy};
use crate::served::ServedUris;
use rvirt_rpc_server::output::OutputBudget;

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
}

/// What a client's calls may do, decided by the socket it came in on.
#[derive(Clone, Debug)]
pub struct Service {
    /// Service name, for logs ("libvirtd", "libvirtd-ro", "libvirtd-tcp",
    /// "libvirtd-tls", "admin").
    pub name: &'static str,
    /// How its clients are connected.
    pub transport: Transport,
    /// Every connection of this service is read-only.
    pub read_only: bool,
    /// The transport is safe from eavesdropping (unix socket, TLS): CONNECT_IS_SECURE.
    pub secure: bool,
    /// What a client must do before calling procedures other than AUTH_LIST and
    /// AUTH_POLKIT.
    pub auth: AuthMode,
    /// Who passes AUTH_POLKIT.
    pub policy: Policy,
    /// Only peers running as the daemon's own effective uid may connect; others are
    /// disconnected at once (the admin socket, as libvirtd's `remoteAdmClientNew`
    /// refuses them).
    pub owner_only: bool,
    /// The TLS configuration of a TLS listener.
    #[cfg(feature = "tls")]
    pub tls: Option<Arc<rvirt_rpc_server::tls::Acceptor>>,
    /// URI opened when the client sends an empty one.
    pub default_uri: String,
    /// What else clients may open.
    pub served: Arc<ServedUris>,
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

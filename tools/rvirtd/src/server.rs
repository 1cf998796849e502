//! The daemon's servers, in libvirt's sense (`virNetServer`): "libvirtd", whose
//! sockets (read-write, read-only, TCP, TLS) speak the REMOTE program, and "admin",
//! whose socket speaks the ADMIN program. Each server has its own worker pool, its
//! own client limits and its own listening sockets.
//!
//! Client limits work as in libvirt (`virNetServerCheckLimits`): while a server has
//! `nclients_max` clients, or `nclients_unauth_max` (if not 0) clients that have not
//! authenticated yet, it stops accepting connections — its listening sockets are no
//! longer watched, so a new client waits in the kernel's listen backlog, unanswered,
//! until a slot frees; then it is accepted and served. Clients already connected are
//! never dropped by a lower limit.

use std::sync::{Arc, Mutex, MutexGuard};

use rvirt_core::event::{EventLoop, Interest, SharedLoop, WatchId};
use rvirt_rpc::admin::{ADMIN_PROGRAM, ADMIN_PROTOCOL_VERSION};
use rvirt_rpc::{REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION};

use crate::log;
use rvirt_rpc_server::workers::Pool;

/// The name of the main server, as libvirtd reports it.
pub const MAIN_SERVER: &str = "libvirtd";
/// The name of the admin server.
pub const ADMIN_SERVER: &str = "admin";

/// libvirtd's default `max_clients`.
pub const DEFAULT_MAX_CLIENTS: usize = 5000;
/// libvirtd's default `max_anonymous_clients` (main server; the admin server has
/// none, 0 meaning no limit).
pub const DEFAULT_MAX_ANONYMOUS_CLIENTS: usize = 20;

/// The RPC program a server's clients speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    /// REMOTE (0x20008086): the hypervisor API.
    Remote,
    /// ADMIN (0x06900690): daemon administration.
    Admin,
}

impl Program {
    /// Program number and version.
    pub fn id(self) -> (u32, u32) {
        match self {
            Program::Remote => (REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION),
            Program::Admin => (ADMIN_PROGRAM, ADMIN_PROTOCOL_VERSION),
        }
    }
}

/// A server's client counts and limits (SERVER_GET_CLIENT_LIMITS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimits {
    /// `nclients_max`.
    pub max: usize,
    /// `nclients`.
    pub current: usize,
    /// `nclients_unauth_max` (0: no limit).
    pub unauth_max: usize,
    /// `nclients_unauth`.
    pub unauth: usize,
}

/// Why new limits were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitsError {
    /// `nclients_max` would be below `nclients_unauth_max`.
    UnauthAboveMax,
}

/// One server.
#[derive(Debug)]
pub struct Server {
    name: &'static str,
    program: Program,
    pool: Arc<Pool>,
    event_loop: SharedLoop,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    limits: ClientLimits,
    watches: Vec<WatchId>,
    accepting: bool,
}

impl Server {
    /// A server without sockets yet ([`Server::add_watch`]).
    pub fn new(
        name: &'static str,
        program: Program,
        pool: Arc<Pool>,
        event_loop: SharedLoop,
        max_clients: usize,
        max_unauth: usize,
    ) -> Arc<Server> {
        Arc::new(Server {
            name,
            program,
            pool,
            event_loop,
            state: Mutex::new(State {
                limits: ClientLimits {
                    max: max_clients,
                    current: 0,
                    unauth_max: max_unauth,
                    unauth: 0,
                },
                watches: Vec::new(),
                accepting: true,
            }),
        })
    }

    /// The server's name ("libvirtd", "admin").
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The program its clients speak.
    pub fn program(&self) -> Program {
        self.program
    }

    /// Its worker pool.
    pub fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers the watch of one of its listening sockets, suspended or resumed with
    /// the others.
    pub fn add_watch(&self, watch: WatchId) {
        let mut st = self.lock();
        st.watches.push(watch);
        if !st.accepting {
            let _ = self.event_loop.update_handle(watch, Interest::NONE);
        }
    }

    /// True while the server accepts new connections.
    pub fn accepting(&self) -> bool {
        self.lock().accepting
    }

    /// Counts a new client (`pending_auth`: it must still authenticate).
    pub fn client_added(&self, pending_auth: bool) {
        let mut st = self.lock();
        st.limits.current += 1;
        if pending_auth {
            st.limits.unauth += 1;
        }
        self.check(&mut st);
    }

    /// Forgets a client (`pending_auth`: it had not authenticated).
    pub fn client_removed(&self, pending_auth: bool) {
        let mut st = self.lock();
        st.limits.current = st.limits.current.saturating_sub(1);
        if pending_auth {
            st.limits.unauth = st.limits.unauth.saturating_sub(1);
        }
        self.check(&mut st);
    }

    /// A client finished authenticating.
    pub fn auth_completed(&self) {
        let mut st = self.lock();
        st.limits.unauth = st.limits.unauth.saturating_sub(1);
        self.check(&mut st);
    }

    /// Counts and limits.
    pub fn limits(&self) -> ClientLimits {
        self.lock().limits
    }

    /// Changes the limits (`None` keeps one); `nclients_max` may not go below
    /// `nclients_unauth_max`.
    pub fn set_limits(
        &self,
        max: Option<usize>,
        unauth_max: Option<usize>,
    ) -> Result<(), LimitsError> {
        let mut st = self.lock();
        let new_max = max.unwrap_or(st.limits.max);
        let new_unauth_max = unauth_max.unwrap_or(st.limits.unauth_max);
        if new_max < new_unauth_max {
            return Err(LimitsError::UnauthAboveMax);
        }
        st.limits.max = new_max;
        st.limits.unauth_max = new_unauth_max;
        self.check(&mut st);
        Ok(())
    }

    /// Suspends or resumes accepting after a change of counts or limits.
    fn check(&self, st: &mut State) {
        let l = st.limits;
        let room = l.current < l.max && (l.unauth_max == 0 || l.unauth < l.unauth_max);
        if room == st.accepting {
            return;
        }
        st.accepting = room;
        let interest = if room {
            Interest::READABLE
        } else {
            Interest::NONE
        };
        for w in &st.watches {
            let _ = self.event_loop.update_handle(*w, interest);
        }
        log!(
            "server {}: {} new clients ({} of {} clients, {} of {} unauthenticated)",
            self.name,
            if room { "accepting" } else { "not accepting" },
            l.current,
            l.max,
            l.unauth,
            l.unauth_max
        );
    }
}

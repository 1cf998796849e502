//! A server, in libvirt's sense (`virNetServer`): programs hosted on a set of listening
//! sockets, with its own worker pool and its own client limits. libvirtd has two:
//! "libvirtd" (the REMOTE program on the read-write, read-only, TCP and TLS sockets)
//! and "admin" (the ADMIN program on the admin socket).
//!
//! Client limits work as in libvirt (`virNetServerCheckLimits`): while a server has
//! `nclients_max` clients, or `nclients_unauth_max` (if not 0) clients that have not
//! authenticated yet, it stops accepting connections — its listening sockets are no
//! longer watched, so a new client waits in the kernel's listen backlog, unanswered,
//! until a slot frees; then it is accepted and served. Clients already connected are
//! never dropped by a lower limit.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rvirt_core::event::{EventLoop, Interest, SharedLoop, WatchId};

use crate::host::{ClientState, Host, Programs};
use crate::log::log;
use crate::workers::Pool;

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

/// Calls of one client a server runs at once unless told otherwise (libvirtd's
/// `max_client_requests`).
pub const DEFAULT_MAX_CLIENT_REQUESTS: usize = 5;

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
    host: Box<dyn Host>,
    pool: Arc<Pool>,
    event_loop: SharedLoop,
    state: Mutex<State>,
    max_client_requests: AtomicUsize,
}

#[derive(Debug)]
struct State {
    limits: ClientLimits,
    watches: Vec<WatchId>,
    accepting: bool,
}

impl Server {
    /// A server hosting `programs`, running their calls on `pool`, accepting at most
    /// `max_clients` clients and `max_unauth` unauthenticated ones (0: no limit). It has
    /// no socket yet ([`Registry::listen`](crate::Registry::listen)).
    pub fn new<S: ClientState>(
        name: &'static str,
        programs: Programs<S>,
        pool: Arc<Pool>,
        event_loop: SharedLoop,
        max_clients: usize,
        max_unauth: usize,
    ) -> Arc<Server> {
        Arc::new(Server {
            name,
            host: Box::new(programs),
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
            max_client_requests: AtomicUsize::new(DEFAULT_MAX_CLIENT_REQUESTS),
        })
    }

    /// The server's name ("libvirtd", "admin").
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its programs.
    pub(crate) fn host(&self) -> &dyn Host {
        &*self.host
    }

    /// Its worker pool.
    pub fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    /// Most calls of one client running at once (libvirtd's `max_client_requests`,
    /// [`DEFAULT_MAX_CLIENT_REQUESTS`] unless set): its further calls wait in its queue.
    pub fn max_client_requests(&self) -> usize {
        self.max_client_requests.load(Ordering::Acquire)
    }

    /// Sets [`Server::max_client_requests`] (at least 1); clients' calls already
    /// running go on, new ones start under the new limit.
    pub fn set_max_client_requests(&self, n: usize) {
        self.max_client_requests.store(n.max(1), Ordering::Release);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers the watch of one of its listening sockets, suspended or resumed with
    /// the others.
    pub(crate) fn add_watch(&self, watch: WatchId) {
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
    pub(crate) fn client_added(&self, pending_auth: bool) {
        let mut st = self.lock();
        st.limits.current += 1;
        if pending_auth {
            st.limits.unauth += 1;
        }
        self.check(&mut st);
    }

    /// Forgets a client (`pending_auth`: it had not authenticated).
    pub(crate) fn client_removed(&self, pending_auth: bool) {
        let mut st = self.lock();
        st.limits.current = st.limits.current.saturating_sub(1);
        if pending_auth {
            st.limits.unauth = st.limits.unauth.saturating_sub(1);
        }
        self.check(&mut st);
    }

    /// A client finished authenticating.
    pub(crate) fn auth_completed(&self) {
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

//! What a process's servers share (libvirt's `virNetDaemon`): the servers themselves,
//! every connected client (by a process-wide id, never reused), and how long the
//! process has been without clients. Admin procedures reach everything through it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rvirt_core::event::SharedLoop;

use crate::client::Client;
use crate::server::Server;

/// The servers and their clients.
#[derive(Debug)]
pub struct Registry {
    servers: Vec<Arc<Server>>,
    clients: Mutex<BTreeMap<u64, Arc<Client>>>,
    idle_since: Mutex<Option<Instant>>,
    next_id: AtomicU64,
    event_loop: SharedLoop,
}

impl Registry {
    /// A registry of `servers` (in the order admin clients list them) whose clients
    /// are watched on `event_loop`; no client yet.
    pub fn new(event_loop: SharedLoop, servers: Vec<Arc<Server>>) -> Arc<Registry> {
        Arc::new(Registry {
            servers,
            clients: Mutex::new(BTreeMap::new()),
            idle_since: Mutex::new(Some(Instant::now())),
            next_id: AtomicU64::new(1),
            event_loop,
        })
    }

    /// The servers.
    pub fn servers(&self) -> &[Arc<Server>] {
        &self.servers
    }

    /// The server called `name`.
    pub fn server(&self, name: &str) -> Option<&Arc<Server>> {
        self.servers.iter().find(|s| s.name() == name)
    }

    /// The loop the clients are watched on.
    pub(crate) fn event_loop(&self) -> &SharedLoop {
        &self.event_loop
    }

    /// A new client id: process-wide, starting at 1, never reused.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn map(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<Client>>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_idle(&self, since: Option<Instant>) {
        *self.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = since;
    }

    /// Registers a connected client and counts it on its server.
    pub(crate) fn insert(&self, client: Arc<Client>) {
        let server = client.server().clone();
        let pending = client.auth_pending();
        self.map().insert(client.id(), client);
        self.set_idle(None);
        server.client_added(pending);
    }

    /// Forgets a closed client (and uncounts it on its server).
    pub(crate) fn remove(&self, id: u64) {
        let removed = {
            let mut map = self.map();
            let removed = map.remove(&id);
            if map.is_empty() {
                self.set_idle(Some(Instant::now()));
            }
            removed
        };
        if let Some(c) = removed {
            c.server().client_removed(c.take_auth_pending());
        }
    }

    /// The connected clients, by id.
    pub fn clients(&self) -> Vec<Arc<Client>> {
        self.map().values().cloned().collect()
    }

    /// The clients of `server`, by id.
    pub fn clients_of(&self, server: &Server) -> Vec<Arc<Client>> {
        self.map()
            .values()
            .filter(|c| std::ptr::eq(c.server().as_ref(), server))
            .cloned()
            .collect()
    }

    /// The client `id` of `server`.
    pub fn client_of(&self, server: &Server, id: u64) -> Option<Arc<Client>> {
        self.map()
            .get(&id)
            .filter(|c| std::ptr::eq(c.server().as_ref(), server))
            .cloned()
    }

    /// How long the process has had no client, if it has none.
    pub fn idle_for(&self) -> Option<Duration> {
        self.idle_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|t| t.elapsed())
    }

    /// Closes every client and stops every server's worker pool (waiting for the calls
    /// they run): the end of a daemon's life.
    pub fn shutdown(&self) {
        for c in self.clients() {
            c.close();
        }
        for s in &self.servers {
            s.pool().shutdown();
        }
    }
}

//! What the daemon's servers share: the servers themselves, every connected client
//! (by a daemon-wide id, never reused), how long the daemon has been without clients,
//! and the auto-shutdown timeout. Admin procedures reach everything through it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::server::Server;
use crate::shutdown::AutoShutdown;

/// The daemon's servers and clients.
#[derive(Debug)]
pub struct Registry {
    servers: Vec<Arc<Server>>,
    clients: Mutex<BTreeMap<u64, Arc<Client>>>,
    idle_since: Mutex<Option<Instant>>,
    next_id: AtomicU64,
    shutdown: Arc<AutoShutdown>,
}

impl Registry {
    /// A registry of `servers` (in the order CONNECT_LIST_SERVERS reports them) and no
    /// client yet.
    pub fn new(servers: Vec<Arc<Server>>, shutdown: Arc<AutoShutdown>) -> Arc<Registry> {
        Arc::new(Registry {
            servers,
            clients: Mutex::new(BTreeMap::new()),
            idle_since: Mutex::new(Some(Instant::now())),
            next_id: AtomicU64::new(1),
            shutdown,
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

    /// The auto-shutdown timeout.
    pub fn shutdown(&self) -> &Arc<AutoShutdown> {
        &self.shutdown
    }

    /// A new client id: daemon-wide, starting at 1, never reused.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn map(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<Client>>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_idle(&self, since: Option<Instant>) {
        *self.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = since;
    }

    /// Registers a connected client and counts it on its server.
    pub fn insert(&self, client: Arc<Client>) {
        let server = client.server().clone();
        let pending = client.auth_pending();
        self.map().insert(client.id(), client);
        self.set_idle(None);
        server.client_added(pending);
    }

    /// Forgets a closed client (and uncounts it on its server).
    pub fn remove(&self, id: u64) {
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
    pub fn snapshot(&self) -> Vec<Arc<Client>> {
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

    /// How long the daemon has had no client, if it has none.
    pub fn idle_for(&self) -> Option<Duration> {
        self.idle_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|t| t.elapsed())
    }
}

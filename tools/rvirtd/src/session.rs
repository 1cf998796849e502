//! Per-client protocol state: whether the client is authenticated, the driver
//! connection opened by CONNECT_OPEN, the read-only flag and the domain event
//! registrations.

use std::collections::{BTreeMap, HashSet};

use rvirt_core::{CallbackId, Connect, Uuid};

/// Most event callbacks one client may hold (callback API and legacy API together).
/// libvirtd has no such limit; without one a client could make every event cost the
/// daemon millions of callback runs.
pub const MAX_CALLBACKS_PER_CLIENT: usize = 4096;

/// What a client subscribed to: an event id, for one domain or for all.
pub type EventKey = (i32, Option<Uuid>);

/// State a client builds up through its calls.
#[derive(Debug, Default)]
pub struct Session {
    /// The client may call procedures beyond AUTH_LIST and AUTH_POLKIT (its server
    /// needs no authentication, or it passed it).
    pub authenticated: bool,
    /// The driver connection, once CONNECT_OPEN succeeded.
    pub conn: Option<Connect>,
    /// Writes are refused (read-only socket, or `VIR_CONNECT_RO` at open).
    pub read_only: bool,
    /// Event registrations by the callbackID given to the client
    /// (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY), with what they subscribe to.
    pub callbacks: BTreeMap<i32, (CallbackId, EventKey)>,
    /// What the callback registrations subscribe to: each at most once, as libvirtd
    /// refuses a second registration of the same event and domain ("event callback
    /// already tracked").
    pub subscribed: HashSet<EventKey>,
    /// Next callbackID to hand out.
    pub next_callback: i32,
    /// Legacy registrations (CONNECT_DOMAIN_EVENT_REGISTER_ANY) by event id.
    pub legacy: BTreeMap<i32, CallbackId>,
    /// The client registered a close callback.
    pub close_callback: bool,
}

impl Session {
    /// Event callbacks held, both APIs.
    pub fn callback_count(&self) -> usize {
        self.callbacks.len() + self.legacy.len()
    }

    /// Closes the driver connection, which drops every event callback at once.
    pub fn teardown(self) {
        if let Some(conn) = self.conn {
            let _ = conn.close();
        }
    }
}

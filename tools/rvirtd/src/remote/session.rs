//! Per-client REMOTE state: the driver connection opened by CONNECT_OPEN and the
//! domain event registrations. Whether the client is authenticated or read-only is
//! the server library's ([`rvirt_rpc_server::Client`]).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rvirt_core::{CallbackId, Connect, Uuid};
use rvirt_rpc_server::ClientState;

use super::RemoteConfig;

/// Most event callbacks one client may hold (callback API and legacy API together).
/// libvirtd has no such limit; without one a client could make every event cost the
/// daemon millions of callback runs.
pub const MAX_CALLBACKS_PER_CLIENT: usize = 4096;

/// What a client subscribed to: an event id, for one domain or for all.
pub(crate) type EventKey = (i32, Option<Uuid>);

/// State a client builds up through its calls.
#[derive(Debug)]
pub(crate) struct Session {
    /// The daemon's settings.
    pub config: Arc<RemoteConfig>,
    /// The driver connection, once CONNECT_OPEN succeeded.
    pub conn: Option<Connect>,
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
    /// Network, storage pool, node device and secret event registrations by the
    /// callbackID given to the client, with what they subscribe to.
    pub object_callbacks: BTreeMap<i32, (CallbackId, ObjectKey)>,
    /// Next callbackID of those.
    pub next_object_callback: i32,
}

/// What an object event registration subscribes to: family, event id, and one
/// object's key or all.
pub(crate) type ObjectKey = (rvirt_core::api::ObjectFamily, i32, Option<String>);

impl Session {
    /// A new client's session: no connection, no registration.
    pub(crate) fn new(config: Arc<RemoteConfig>) -> Session {
        Session {
            config,
            conn: None,
            callbacks: BTreeMap::new(),
            subscribed: HashSet::new(),
            next_callback: 0,
            legacy: BTreeMap::new(),
            close_callback: false,
            object_callbacks: BTreeMap::new(),
            next_object_callback: 0,
        }
    }

    /// Event callbacks held, both APIs.
    pub(crate) fn callback_count(&self) -> usize {
        self.callbacks.len() + self.legacy.len() + self.object_callbacks.len()
    }
}

impl ClientState for Session {
    /// Closes the driver connection, which drops every event callback at once.
    fn disconnected(&mut self) {
        self.callbacks.clear();
        self.subscribed.clear();
        self.legacy.clear();
        self.object_callbacks.clear();
        self.close_callback = false;
        if let Some(conn) = self.conn.take() {
            let _ = conn.close();
        }
    }
}

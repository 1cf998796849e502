//! Per-client protocol state: whether the client is authenticated, the driver
//! connection opened by CONNECT_OPEN, the read-only flag and the domain event
//! registrations.

use std::collections::BTreeMap;

use rvirt_core::{CallbackId, Connect};

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
    /// (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY).
    pub callbacks: BTreeMap<i32, CallbackId>,
    /// Next callbackID to hand out.
    pub next_callback: i32,
    /// Legacy registrations (CONNECT_DOMAIN_EVENT_REGISTER_ANY) by event id.
    pub legacy: BTreeMap<i32, CallbackId>,
    /// The client registered a close callback.
    pub close_callback: bool,
}

impl Session {
    /// Removes every event callback and closes the driver connection.
    pub fn teardown(self) {
        if let Some(conn) = self.conn {
            for id in self.callbacks.values().chain(self.legacy.values()) {
                let _ = conn.domain_event_deregister_any(*id);
            }
            let _ = conn.close();
        }
    }
}

//! Accepting clients: a listening socket is watched on the event loop while its server
//! has room for more clients ([`Server`]'s limits); every connection becomes a
//! [`Client`] of that server, except on an owner-only socket, whose peers of another
//! uid are disconnected at once (libvirtd's admin socket).

use std::os::fd::AsRawFd;
use std::sync::Arc;

use rvirt_core::event::{EventError, EventLoop, Interest};

use crate::client::Client;
use crate::listener::{Listener, Stream};
use crate::log::log;
use crate::peer::own_uid;
use crate::registry::Registry;
use crate::server::Server;
use crate::service::Service;

impl Registry {
    /// Serves `server` on `listener`, whose clients get the settings of `service`.
    /// The listener is watched until the loop ends; it stays open while the caller
    /// or the watch holds it.
    pub fn listen(
        self: &Arc<Self>,
        server: &Arc<Server>,
        listener: Arc<Listener>,
        service: Service,
    ) -> Result<(), EventError> {
        let fd = listener.as_raw_fd();
        let service = Arc::new(service);
        let registry = self.clone();
        let srv = server.clone();
        let watch = self.event_loop().add_handle(
            fd,
            Interest::READABLE,
            Box::new(move |_, _, _| {
                // Level-triggered: whatever a suspended server leaves in the backlog is
                // accepted once it resumes.
                while srv.accepting() {
                    match listener.accept() {
                        Ok(Some(stream)) => registry.accept(stream, &service, &srv),
                        Ok(None) => return,
                        Err(e) => {
                            log!("accept on {}: {e}", listener.describe());
                            return;
                        }
                    }
                }
            }),
        )?;
        server.add_watch(watch);
        Ok(())
    }

    fn accept(self: &Arc<Self>, stream: Stream, service: &Arc<Service>, server: &Arc<Server>) {
        let id = self.next_id();
        if service.owner_only && !owned_by_us(&stream) {
            log_refused(id, &stream, service.name);
            return;
        }
        match Client::start(
            id,
            stream,
            service.clone(),
            server.clone(),
            self.event_loop().clone(),
            Arc::downgrade(self),
        ) {
            Ok(c) => self.insert(c),
            Err(e) => log!("client {id}: cannot watch socket: {e}"),
        }
    }
}

/// True if the peer runs as the process's effective uid.
fn owned_by_us(stream: &Stream) -> bool {
    let me = own_uid();
    stream.peer_cred().is_some_and(|p| p.uid == me)
}

fn log_refused(id: u64, stream: &Stream, service: &str) {
    match stream.peer_cred() {
        Some(p) => log!(
            "client {id}: disallowing {service} client pid {} with uid {}",
            p.pid,
            p.uid
        ),
        None => log!("client {id}: disallowing {service} client with unknown uid"),
    }
}

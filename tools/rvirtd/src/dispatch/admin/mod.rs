//! The ADMIN program (`virt-admin`), served on the admin socket: number → handler in
//! one table; numbers not in it (the logging procedures, SERVER_UPDATE_TLS_FILES, and
//! anything unknown) get "unknown procedure: N" (39 / 7), exactly as on the REMOTE
//! side, which virt-admin reports as "this function is not supported".
//!
//! Admin procedures need no CONNECT_OPEN first (libvirtd's do not either) and no
//! authentication: the admin socket only serves peers running as the daemon's own uid.
//! Each handler checks what libvirtd checks, in the same order (server, client,
//! flags, parameters), with libvirtd's errors ([`errors`]).

mod clients;
mod daemon;
pub mod errors;
mod info;
mod limits;
pub mod params;
mod threadpool;

use std::sync::Arc;

use rvirt_rpc::admin::procs as p;
use rvirt_rpc::admin::types::AdminNonnullClient;

use super::{CallResult, Ctx, unknown};
use crate::client::Client;
use crate::registry::Registry;
use crate::server::Server;
use errors::Wording;

/// An ADMIN procedure handler.
pub type Handler = fn(&Ctx<'_>) -> CallResult;

/// Every ADMIN procedure rvirtd answers, sorted by number.
pub static TABLE: &[(i32, Handler)] = &[
    (p::CONNECT_OPEN, daemon::open),
    (p::CONNECT_CLOSE, daemon::close),
    (p::CONNECT_GET_LIB_VERSION, daemon::get_lib_version),
    (p::CONNECT_LIST_SERVERS, daemon::list_servers),
    (p::CONNECT_LOOKUP_SERVER, daemon::lookup_server),
    (p::SERVER_GET_THREADPOOL_PARAMETERS, threadpool::get),
    (p::SERVER_SET_THREADPOOL_PARAMETERS, threadpool::set),
    (p::SERVER_LIST_CLIENTS, clients::list),
    (p::SERVER_LOOKUP_CLIENT, clients::lookup),
    (p::CLIENT_GET_INFO, info::get),
    (p::CLIENT_CLOSE, clients::close),
    (p::SERVER_GET_CLIENT_LIMITS, limits::get),
    (p::SERVER_SET_CLIENT_LIMITS, limits::set),
    (p::CONNECT_SET_DAEMON_TIMEOUT, daemon::set_timeout),
];

/// Looks a procedure up.
pub fn find(proc_: i32) -> Option<Handler> {
    TABLE
        .binary_search_by_key(&proc_, |&(n, _)| n)
        .ok()
        .map(|i| TABLE[i].1)
}

/// Runs an ADMIN call.
pub fn run(ctx: &Ctx<'_>) -> CallResult {
    let proc_ = ctx.msg.header.proc_;
    match find(proc_) {
        Some(handler) => handler(ctx),
        None => Err(unknown(proc_)),
    }
}

/// The daemon's registry (gone only while the daemon shuts down).
fn registry(ctx: &Ctx<'_>) -> CallResult<Arc<Registry>> {
    ctx.client
        .registry()
        .ok_or_else(|| errors::internal(errors::FROM_ADMIN, "the daemon is shutting down".into()))
}

/// The server called `name`, or libvirt's "Server not found" in `wording`.
fn server(registry: &Registry, name: &str, wording: Wording) -> CallResult<Arc<Server>> {
    registry
        .server(name)
        .cloned()
        .ok_or_else(|| errors::no_server(name, wording))
}

/// Client `id` of `server`, or libvirt's "Client not found" in `wording`.
fn client(
    registry: &Registry,
    server: &Server,
    id: u64,
    wording: Wording,
) -> CallResult<Arc<Client>> {
    registry
        .client_of(server, id)
        .ok_or_else(|| errors::no_client(id, wording))
}

/// The wire reference of a client (`admin_nonnull_client`).
fn client_ref(c: &Client) -> AdminNonnullClient {
    AdminNonnullClient {
        srv: rvirt_rpc::admin::types::AdminNonnullServer {
            name: c.server().name().to_string(),
        },
        id: c.id(),
        timestamp: c.connected_at(),
        transport: c.service().transport.number(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_named() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        for &(n, _) in TABLE {
            assert!(p::name(n).is_some(), "admin proc {n} has no name");
        }
        for missing in [
            p::CONNECT_GET_LOGGING_OUTPUTS,
            p::CONNECT_SET_LOGGING_FILTERS,
            p::SERVER_UPDATE_TLS_FILES,
            0,
            20,
        ] {
            assert!(find(missing).is_none(), "{missing}");
        }
    }
}

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
mod errors;
mod info;
mod limits;
mod params;
mod threadpool;
mod users;

use std::sync::Arc;

use rvirt_rpc::admin::procs as p;
use rvirt_rpc::admin::types::AdminNonnullClient;
use rvirt_rpc::admin::{ADMIN_PROGRAM, ADMIN_PROTOCOL_VERSION};
use rvirt_rpc_server::{
    CallResult, Client, ClientState, Procedure, Program, Programs, Registry, Server, allow_all,
    procedure,
};

use crate::shutdown::AutoShutdown;
use errors::Wording;

/// Per-client ADMIN state: what the daemon-wide procedures change.
#[derive(Debug)]
pub(crate) struct AdminState {
    /// The auto-shutdown timeout (CONNECT_SET_DAEMON_TIMEOUT).
    shutdown: Arc<AutoShutdown>,
}

impl ClientState for AdminState {}

/// What an ADMIN handler sees.
type Ctx<'a> = rvirt_rpc_server::Ctx<'a, AdminState>;

/// Every ADMIN procedure rvirtd answers, sorted by number.
static TABLE: &[Procedure<AdminState>] = &[
    procedure!(p::CONNECT_OPEN, daemon::open),
    procedure!(p::CONNECT_CLOSE, daemon::close),
    procedure!(p::CONNECT_GET_LIB_VERSION, daemon::get_lib_version),
    procedure!(p::CONNECT_LIST_SERVERS, daemon::list_servers),
    procedure!(p::CONNECT_LOOKUP_SERVER, daemon::lookup_server),
    procedure!(p::SERVER_GET_THREADPOOL_PARAMETERS, threadpool::get),
    procedure!(p::SERVER_SET_THREADPOOL_PARAMETERS, threadpool::set),
    procedure!(p::SERVER_LIST_CLIENTS, clients::list),
    procedure!(p::SERVER_LOOKUP_CLIENT, clients::lookup),
    procedure!(p::CLIENT_GET_INFO, info::get),
    procedure!(p::CLIENT_CLOSE, clients::close),
    procedure!(p::SERVER_GET_CLIENT_LIMITS, limits::get),
    procedure!(p::SERVER_SET_CLIENT_LIMITS, limits::set),
    procedure!(p::CONNECT_SET_DAEMON_TIMEOUT, daemon::set_timeout),
];

/// The ADMIN program: no access rules (the admin socket serves only the daemon's own
/// uid, and needs no CONNECT_OPEN first).
static PROGRAM: Program<AdminState> = Program {
    name: "ADMIN",
    number: ADMIN_PROGRAM,
    version: ADMIN_PROTOCOL_VERSION,
    procedures: TABLE,
    check: allow_all,
    // The connection's own setup and teardown keep their order; the rest may overlap.
    exclusive: &[p::CONNECT_OPEN, p::CONNECT_CLOSE],
};

/// The programs of the "admin" server: ADMIN.
pub(crate) fn programs(shutdown: Arc<AutoShutdown>) -> Programs<AdminState> {
    Programs::new(move |_| AdminState {
        shutdown: shutdown.clone(),
    })
    .with(PROGRAM)
}

/// The daemon's registry (gone only while the daemon shuts down).
fn registry(ctx: &Ctx<'_>) -> CallResult<Arc<Registry>> {
    ctx.client()
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
        assert!(PROGRAM.is_sorted());
        for row in TABLE {
            assert!(
                p::name(row.number).is_some(),
                "admin proc {} has no name",
                row.number
            );
        }
        for missing in [
            p::CONNECT_GET_LOGGING_OUTPUTS,
            p::CONNECT_SET_LOGGING_FILTERS,
            p::SERVER_UPDATE_TLS_FILES,
            0,
            20,
        ] {
            assert!(PROGRAM.find(missing).is_none(), "{missing}");
        }
    }
}

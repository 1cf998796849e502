//! A server's clients: SERVER_LIST_CLIENTS, SERVER_LOOKUP_CLIENT and CLIENT_CLOSE
//! (which disconnects the client for real: its socket is shut down, its queued calls
//! dropped and its driver connection closed, exactly as when it hangs up).

use rvirt_rpc::admin::CLIENT_LIST_MAX;
use rvirt_rpc::admin::types::{
    ClientArgs, ServerListClientsArgs, ServerListClientsRet, ServerLookupClientArgs,
    ServerLookupClientRet,
};

use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::err;

use super::errors::{Wording, check_flags};
use super::{Ctx, client, client_ref, registry, server};
use crate::log;

/// SERVER_LIST_CLIENTS: the server's clients by id.
pub(crate) fn list(ctx: &Ctx<'_>, args: ServerListClientsArgs) -> CallResult<ServerListClientsRet> {
    let registry = registry(ctx)?;
    let srv = server(&registry, &args.srv.name, Wording::Rpc)?;
    check_flags(args.flags, "adminServerListClients")?;
    let all = registry.clients_of(&srv);
    if all.len() > CLIENT_LIST_MAX {
        return Err(err(
            39,
            7,
            format!(
                "Too many clients '{}' for limit '{CLIENT_LIST_MAX}'",
                all.len()
            ),
        ));
    }
    let clients = if args.need_results != 0 {
        all.iter().map(|c| client_ref(c)).collect()
    } else {
        Vec::new()
    };
    Ok(ServerListClientsRet {
        clients,
        ret: all.len() as u32,
    })
}

/// SERVER_LOOKUP_CLIENT.
pub(crate) fn lookup(
    ctx: &Ctx<'_>,
    args: ServerLookupClientArgs,
) -> CallResult<ServerLookupClientRet> {
    let registry = registry(ctx)?;
    let srv = server(&registry, &args.srv.name, Wording::Rpc)?;
    check_flags(args.flags, "adminServerLookupClient")?;
    let c = client(&registry, &srv, args.id, Wording::Rpc)?;
    Ok(ServerLookupClientRet {
        clnt: client_ref(&c),
    })
}

/// CLIENT_CLOSE: disconnects the client.
pub(crate) fn close(ctx: &Ctx<'_>, args: ClientArgs) -> CallResult<()> {
    let registry = registry(ctx)?;
    let srv = server(&registry, &args.clnt.srv.name, Wording::Rpc)?;
    let c = client(&registry, &srv, args.clnt.id, Wording::Rpc)?;
    check_flags(args.flags, "adminClientClose")?;
    log!(
        "admin client {}: disconnecting client {} of server {}",
        ctx.client().id(),
        c.id(),
        srv.name()
    );
    c.close();
    Ok(())
}

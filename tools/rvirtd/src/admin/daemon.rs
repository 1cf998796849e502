//! Connection-level and daemon-wide admin procedures: CONNECT_OPEN/CLOSE, the library
//! version, the servers (list, lookup), and the auto-shutdown timeout.

use rvirt_rpc::admin::types::{
    AdminNonnullServer, ConnectGetLibVersionRet, ConnectListServersArgs, ConnectListServersRet,
    ConnectLookupServerArgs, ConnectLookupServerRet, ConnectOpenArgs, ConnectSetDaemonTimeoutArgs,
};

use rvirt_rpc_server::CallResult;

use super::errors::{Wording, check_flags};
use super::{Ctx, registry, server};
use crate::{LIB_VERSION, log};

fn server_ref(name: &str) -> AdminNonnullServer {
    AdminNonnullServer {
        name: name.to_string(),
    }
}

/// CONNECT_OPEN: flags must be 0; nothing else to set up (the admin socket's peers
/// were vetted at accept time).
pub(crate) fn open(_: &Ctx<'_>, args: ConnectOpenArgs) -> CallResult<()> {
    check_flags(args.flags, "adminDispatchConnectOpen")?;
    Ok(())
}

/// CONNECT_CLOSE: the reply is sent, then the socket is closed.
pub(crate) fn close(ctx: &Ctx<'_>, (): ()) -> CallResult<()> {
    ctx.close_after_reply();
    Ok(())
}

/// CONNECT_GET_LIB_VERSION: the libvirt version whose protocols rvirtd speaks, the
/// same number the REMOTE side reports.
pub(crate) fn get_lib_version(_: &Ctx<'_>, (): ()) -> CallResult<ConnectGetLibVersionRet> {
    Ok(ConnectGetLibVersionRet {
        lib_ver: LIB_VERSION,
    })
}

/// CONNECT_LIST_SERVERS: "libvirtd", then "admin".
pub(crate) fn list_servers(
    ctx: &Ctx<'_>,
    args: ConnectListServersArgs,
) -> CallResult<ConnectListServersRet> {
    check_flags(args.flags, "adminConnectListServers")?;
    let registry = registry(ctx)?;
    let names: Vec<&str> = registry.servers().iter().map(|s| s.name()).collect();
    let servers = if args.need_results != 0 {
        names.iter().map(|n| server_ref(n)).collect()
    } else {
        Vec::new()
    };
    Ok(ConnectListServersRet {
        servers,
        ret: names.len() as u32,
    })
}

/// CONNECT_LOOKUP_SERVER (libvirt 9.0 ignores its flags).
pub(crate) fn lookup_server(
    ctx: &Ctx<'_>,
    args: ConnectLookupServerArgs,
) -> CallResult<ConnectLookupServerRet> {
    let srv = server(&*registry(ctx)?, &args.name, Wording::Rpc)?;
    Ok(ConnectLookupServerRet {
        srv: server_ref(srv.name()),
    })
}

/// CONNECT_SET_DAEMON_TIMEOUT: seconds without clients before the daemon exits, 0 for
/// never (the same setting as `--timeout`).
pub(crate) fn set_timeout(ctx: &Ctx<'_>, args: ConnectSetDaemonTimeoutArgs) -> CallResult<()> {
    check_flags(args.flags, "adminConnectSetDaemonTimeout")?;
    ctx.state().shutdown.set(args.timeout);
    log!(
        "admin client {}: auto-shutdown timeout set to {}",
        ctx.client().id(),
        match args.timeout {
            0 => "never".to_string(),
            s => format!("{s}s"),
        }
    );
    Ok(())
}

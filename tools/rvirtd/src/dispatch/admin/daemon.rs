//! Connection-level and daemon-wide admin procedures: CONNECT_OPEN/CLOSE, the library
//! version, the servers (list, lookup), and the auto-shutdown timeout.

use rvirt_rpc::admin::types::{
    AdminNonnullServer, ConnectGetLibVersionRet, ConnectListServersArgs, ConnectListServersRet,
    ConnectLookupServerArgs, ConnectLookupServerRet, ConnectOpenArgs, ConnectSetDaemonTimeoutArgs,
};

use super::errors::{Wording, check_flags};
use super::{registry, server};
use crate::dispatch::connect::LIB_VERSION;
use crate::dispatch::{CallResult, Ctx, ret, void};
use crate::log;

fn server_ref(name: &str) -> AdminNonnullServer {
    AdminNonnullServer {
        name: name.to_string(),
    }
}

/// CONNECT_OPEN: flags must be 0; nothing else to set up (the admin socket's peers
/// were vetted at accept time).
pub fn open(ctx: &Ctx<'_>) -> CallResult {
    let args: ConnectOpenArgs = ctx.args()?;
    check_flags(args.flags, "adminDispatchConnectOpen")?;
    void()
}

/// CONNECT_CLOSE: the reply is sent, then the socket is closed.
pub fn close(_: &Ctx<'_>) -> CallResult {
    void()
}

/// CONNECT_GET_LIB_VERSION: the libvirt version whose protocols rvirtd speaks, the
/// same number the REMOTE side reports.
pub fn get_lib_version(_: &Ctx<'_>) -> CallResult {
    ret(&ConnectGetLibVersionRet {
        lib_ver: LIB_VERSION,
    })
}

/// CONNECT_LIST_SERVERS: "libvirtd", then "admin".
pub fn list_servers(ctx: &Ctx<'_>) -> CallResult {
    let args: ConnectListServersArgs = ctx.args()?;
    check_flags(args.flags, "adminConnectListServers")?;
    let registry = registry(ctx)?;
    let names: Vec<&str> = registry.servers().iter().map(|s| s.name()).collect();
    let servers = if args.need_results != 0 {
        names.iter().map(|n| server_ref(n)).collect()
    } else {
        Vec::new()
    };
    ret(&ConnectListServersRet {
        servers,
        ret: names.len() as u32,
    })
}

/// CONNECT_LOOKUP_SERVER (libvirt 9.0 ignores its flags).
pub fn lookup_server(ctx: &Ctx<'_>) -> CallResult {
    let args: ConnectLookupServerArgs = ctx.args()?;
    let srv = server(&*registry(ctx)?, &args.name, Wording::Rpc)?;
    ret(&ConnectLookupServerRet {
        srv: server_ref(srv.name()),
    })
}

/// CONNECT_SET_DAEMON_TIMEOUT: seconds without clients before the daemon exits, 0 for
/// never (the same setting as `--timeout`).
pub fn set_timeout(ctx: &Ctx<'_>) -> CallResult {
    let args: ConnectSetDaemonTimeoutArgs = ctx.args()?;
    check_flags(args.flags, "adminConnectSetDaemonTimeout")?;
    registry(ctx)?.shutdown().set(args.timeout);
    log!(
        "admin client {}: auto-shutdown timeout set to {}",
        ctx.client.id(),
        match args.timeout {
            0 => "never".to_string(),
            s => format!("{s}s"),
        }
    );
    void()
}

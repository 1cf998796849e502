//! Arguments and return values of the ADMIN procedures, as serde types for
//! [`rvirt_xdr`]. Names follow libvirt's `admin_*` structs in CamelCase. Array bounds
//! (`<N>` in the `.x` file) are the constants of [`super`]; decoding does not enforce
//! them, callers do.

use serde::{Deserialize, Serialize};

use crate::typed_param::TypedParam;

/// A server reference (`admin_nonnull_server`): servers are known by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AdminNonnullServer {
    /// The server's name, e.g. `"libvirtd"` or `"admin"`.
    pub name: String,
}

/// A client reference (`admin_nonnull_client`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AdminNonnullClient {
    /// The server the client is connected to.
    pub srv: AdminNonnullServer,
    /// The client's id; servers look clients up by this alone.
    pub id: u64,
    /// Connection time, seconds since the epoch.
    pub timestamp: i64,
    /// How it is connected ([`transport`](super::transport)).
    pub transport: u32,
}

/// `admin_connect_open_args` (CONNECT_OPEN; void return).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectOpenArgs {
    /// Must be 0.
    pub flags: u32,
}

/// `admin_connect_get_lib_version_ret`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectGetLibVersionRet {
    /// `major * 1_000_000 + minor * 1000 + release`.
    pub lib_ver: u64,
}

/// `admin_connect_list_servers_args`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectListServersArgs {
    /// Non-zero: return the servers, not only their number.
    pub need_results: u32,
    /// Must be 0.
    pub flags: u32,
}

/// `admin_connect_list_servers_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectListServersRet {
    /// The servers (empty unless `need_results`).
    pub servers: Vec<AdminNonnullServer>,
    /// How many servers there are.
    pub ret: u32,
}

/// `admin_connect_lookup_server_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectLookupServerArgs {
    /// The server's name.
    pub name: String,
    /// Flags (libvirt 9.0 accepts any).
    pub flags: u32,
}

/// `admin_connect_lookup_server_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectLookupServerRet {
    /// The server found.
    pub srv: AdminNonnullServer,
}

/// Arguments naming a server and flags: `admin_server_get_threadpool_parameters_args`,
/// `admin_server_get_client_limits_args`, `admin_server_update_tls_files_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerArgs {
    /// The server.
    pub srv: AdminNonnullServer,
    /// Must be 0.
    pub flags: u32,
}

/// A return value that is a list of typed parameters:
/// `admin_server_get_threadpool_parameters_ret`, `admin_client_get_info_ret`,
/// `admin_server_get_client_limits_ret`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypedParamsRet {
    /// The parameters.
    pub params: Vec<TypedParam>,
}

/// Arguments setting typed parameters on a server:
/// `admin_server_set_threadpool_parameters_args`,
/// `admin_server_set_client_limits_args`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerSetParamsArgs {
    /// The server.
    pub srv: AdminNonnullServer,
    /// The parameters to change.
    pub params: Vec<TypedParam>,
    /// Must be 0.
    pub flags: u32,
}

/// `admin_server_list_clients_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerListClientsArgs {
    /// The server.
    pub srv: AdminNonnullServer,
    /// Non-zero: return the clients, not only their number.
    pub need_results: u32,
    /// Must be 0.
    pub flags: u32,
}

/// `admin_server_list_clients_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerListClientsRet {
    /// The clients (empty unless `need_results`).
    pub clients: Vec<AdminNonnullClient>,
    /// How many clients there are.
    pub ret: u32,
}

/// `admin_server_lookup_client_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerLookupClientArgs {
    /// The server.
    pub srv: AdminNonnullServer,
    /// The client's id.
    pub id: u64,
    /// Must be 0.
    pub flags: u32,
}

/// `admin_server_lookup_client_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerLookupClientRet {
    /// The client found.
    pub clnt: AdminNonnullClient,
}

/// Arguments naming a client and flags: `admin_client_get_info_args`,
/// `admin_client_close_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientArgs {
    /// The client (servers use its server name and id).
    pub clnt: AdminNonnullClient,
    /// Must be 0.
    pub flags: u32,
}

/// `admin_connect_set_daemon_timeout_args`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectSetDaemonTimeoutArgs {
    /// Seconds without clients before the daemon exits; 0 turns that off.
    pub timeout: u32,
    /// Must be 0.
    pub flags: u32,
}

/// SERVER_GET_THREADPOOL_PARAMETERS arguments.
pub type ServerGetThreadpoolParametersArgs = ServerArgs;
/// SERVER_GET_THREADPOOL_PARAMETERS return value.
pub type ServerGetThreadpoolParametersRet = TypedParamsRet;
/// SERVER_SET_THREADPOOL_PARAMETERS arguments.
pub type ServerSetThreadpoolParametersArgs = ServerSetParamsArgs;
/// SERVER_GET_CLIENT_LIMITS arguments.
pub type ServerGetClientLimitsArgs = ServerArgs;
/// SERVER_GET_CLIENT_LIMITS return value.
pub type ServerGetClientLimitsRet = TypedParamsRet;
/// SERVER_SET_CLIENT_LIMITS arguments.
pub type ServerSetClientLimitsArgs = ServerSetParamsArgs;
/// CLIENT_GET_INFO arguments.
pub type ClientGetInfoArgs = ClientArgs;
/// CLIENT_GET_INFO return value.
pub type ClientGetInfoRet = TypedParamsRet;
/// CLIENT_CLOSE arguments.
pub type ClientCloseArgs = ClientArgs;
/// SERVER_UPDATE_TLS_FILES arguments.
pub type ServerUpdateTlsFilesArgs = ServerArgs;

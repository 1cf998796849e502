//! The ADMIN program (`admin_protocol.x`): what libvirt's daemons speak on their
//! admin socket (`libvirt-admin-sock`) and `virt-admin` calls. Same framing, header
//! and `remote_error` as the REMOTE program; only the program number, the procedure
//! numbers and the argument/return types differ.
//!
//! An admin client (`virt-admin`) never sends AUTH_LIST or asks for keepalive: it
//! opens with [`procs::CONNECT_OPEN`] (flags 0), makes its calls and ends with
//! [`procs::CONNECT_CLOSE`].
//!
//! ```
//! use rvirt_rpc::admin::{self, types::ConnectListServersArgs};
//! use rvirt_rpc::{Header, Message};
//!
//! let call = Message::with_body(
//!     Header::call(admin::ADMIN_PROGRAM, admin::ADMIN_PROTOCOL_VERSION,
//!                  admin::procs::CONNECT_LIST_SERVERS, 1),
//!     &ConnectListServersArgs { need_results: 1, flags: 0 },
//! ).unwrap();
//! assert_eq!(call.encode().unwrap().len(), 36);
//! assert_eq!(admin::procs::name(4), Some("CONNECT_LIST_SERVERS"));
//! ```

pub mod procs;
pub mod types;

/// The ADMIN program number (`ADMIN_PROGRAM`).
pub const ADMIN_PROGRAM: u32 = 0x0690_0690;
/// The ADMIN program version (`ADMIN_PROTOCOL_VERSION`).
pub const ADMIN_PROTOCOL_VERSION: u32 = 1;

/// Most servers in a CONNECT_LIST_SERVERS reply (`ADMIN_SERVER_LIST_MAX`).
pub const SERVER_LIST_MAX: usize = 16384;
/// Most thread-pool parameters in a call or reply
/// (`ADMIN_SERVER_THREADPOOL_PARAMETERS_MAX`).
pub const SERVER_THREADPOOL_PARAMETERS_MAX: usize = 32;
/// Most clients in a SERVER_LIST_CLIENTS reply (`ADMIN_CLIENT_LIST_MAX`).
pub const CLIENT_LIST_MAX: usize = 16384;
/// Most parameters in a CLIENT_GET_INFO reply (`ADMIN_CLIENT_INFO_PARAMETERS_MAX`).
pub const CLIENT_INFO_PARAMETERS_MAX: usize = 64;
/// Most client-limit parameters in a call or reply (`ADMIN_SERVER_CLIENT_LIMITS_MAX`).
pub const SERVER_CLIENT_LIMITS_MAX: usize = 32;

/// Typed-parameter names the admin procedures use (`libvirt-admin.h`).
pub mod param {
    /// Thread pool: lower bound on workers.
    pub const THREADPOOL_WORKERS_MIN: &str = "minWorkers";
    /// Thread pool: upper bound on workers.
    pub const THREADPOOL_WORKERS_MAX: &str = "maxWorkers";
    /// Thread pool: priority workers.
    pub const THREADPOOL_WORKERS_PRIORITY: &str = "prioWorkers";
    /// Thread pool: idle workers (read only).
    pub const THREADPOOL_WORKERS_FREE: &str = "freeWorkers";
    /// Thread pool: current workers (read only).
    pub const THREADPOOL_WORKERS_CURRENT: &str = "nWorkers";
    /// Thread pool: jobs waiting for a worker (read only).
    pub const THREADPOOL_JOB_QUEUE_DEPTH: &str = "jobQueueDepth";

    /// Client info: the connection is read-only (boolean).
    pub const CLIENT_INFO_READONLY: &str = "readonly";
    /// Client info: the peer's address, `host:port` (string; TCP and TLS only).
    pub const CLIENT_INFO_SOCKET_ADDR: &str = "sock_addr";
    /// Client info: SASL user name (string).
    pub const CLIENT_INFO_SASL_USER_NAME: &str = "sasl_user_name";
    /// Client info: Distinguished Name of the TLS client certificate (string).
    pub const CLIENT_INFO_X509_DISTINGUISHED_NAME: &str = "tls_x509_dname";
    /// Client info: peer uid (int; unix sockets only).
    pub const CLIENT_INFO_UNIX_USER_ID: &str = "unix_user_id";
    /// Client info: peer user name (string).
    pub const CLIENT_INFO_UNIX_USER_NAME: &str = "unix_user_name";
    /// Client info: peer gid (int).
    pub const CLIENT_INFO_UNIX_GROUP_ID: &str = "unix_group_id";
    /// Client info: peer group name (string).
    pub const CLIENT_INFO_UNIX_GROUP_NAME: &str = "unix_group_name";
    /// Client info: peer process id (int).
    pub const CLIENT_INFO_UNIX_PROCESS_ID: &str = "unix_process_id";
    /// Client info: SELinux context of the peer (string).
    pub const CLIENT_INFO_SELINUX_CONTEXT: &str = "selinux_context";

    /// Client limits: most clients (uint).
    pub const SERVER_CLIENTS_MAX: &str = "nclients_max";
    /// Client limits: connected clients (uint, read only).
    pub const SERVER_CLIENTS_CURRENT: &str = "nclients";
    /// Client limits: most clients still authenticating (uint; 0: no limit).
    pub const SERVER_CLIENTS_UNAUTH_MAX: &str = "nclients_unauth_max";
    /// Client limits: clients still authenticating (uint, read only).
    pub const SERVER_CLIENTS_UNAUTH_CURRENT: &str = "nclients_unauth";
}

/// `virClientTransport`: how a client is connected.
pub mod transport {
    /// A unix socket.
    pub const UNIX: u32 = 0;
    /// Plain TCP.
    pub const TCP: u32 = 1;
    /// TLS over TCP.
    pub const TLS: u32 = 2;
}

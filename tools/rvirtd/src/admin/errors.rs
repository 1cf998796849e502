//! The errors admin procedures answer with, worded as libvirtd 9.0 words them (each
//! checked against a running libvirtd 9.0 through `virt-admin` and raw calls).
//!
//! libvirtd reports a missing server or client in two ways depending on the
//! procedure: from its RPC layer (domain RPC, "No server named 'x'") or from its admin
//! dispatcher (domain ADMIN, "no server with matching name 'x' found"); [`Wording`]
//! picks one. Non-zero flags are refused the way libvirt's `virCheckFlags` does.

use rvirt_rpc::RemoteError;

use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{CallError, detailed};

/// `VIR_FROM_NONE`: utility code (typed parameters, thread pools).
pub const FROM_NONE: i32 = 0;
/// `VIR_FROM_RPC`.
pub const FROM_RPC: i32 = 7;
/// `VIR_FROM_ADMIN`.
pub const FROM_ADMIN: i32 = 62;

/// `VIR_ERR_INTERNAL_ERROR`.
const INTERNAL_ERROR: i32 = 1;
/// `VIR_ERR_INVALID_ARG`.
const INVALID_ARG: i32 = 8;
/// `VIR_ERR_SYSTEM_ERROR`.
const SYSTEM_ERROR: i32 = 38;
/// `VIR_ERR_ARGUMENT_UNSUPPORTED`.
const ARGUMENT_UNSUPPORTED: i32 = 74;
/// `VIR_ERR_NO_SERVER`.
const NO_SERVER: i32 = 95;
/// `VIR_ERR_NO_CLIENT`.
const NO_CLIENT: i32 = 96;

/// Which of libvirtd's two phrasings a procedure uses for a missing server or client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wording {
    /// The RPC layer's (domain RPC): lookups, lists, thread-pool and limit queries,
    /// CLIENT_CLOSE.
    Rpc,
    /// The admin dispatcher's (domain ADMIN): SET procedures and CLIENT_GET_INFO.
    Admin,
}

/// 95 NO_SERVER.
pub fn no_server(name: &str, wording: Wording) -> CallError {
    match wording {
        Wording::Rpc => detailed(
            NO_SERVER,
            FROM_RPC,
            "Server not found",
            format!("No server named '{name}'"),
        ),
        Wording::Admin => detailed(
            NO_SERVER,
            FROM_ADMIN,
            "Server not found",
            format!("no server with matching name '{name}' found"),
        ),
    }
}

/// 96 NO_CLIENT.
pub fn no_client(id: u64, wording: Wording) -> CallError {
    match wording {
        Wording::Rpc => detailed(
            NO_CLIENT,
            FROM_RPC,
            "Client not found",
            format!("No client with matching ID '{id}'"),
        ),
        Wording::Admin => detailed(
            NO_CLIENT,
            FROM_ADMIN,
            "Client not found",
            format!("no client with matching id '{id}' found"),
        ),
    }
}

/// Refuses non-zero `flags` (no admin procedure defines any): 8 INVALID_ARG in
/// domain ADMIN, "unsupported flags (0xN) in function F", naming libvirt's function.
pub fn check_flags(flags: u32, function: &str) -> CallResult<()> {
    if flags == 0 {
        return Ok(());
    }
    let mut e = RemoteError::new(
        INVALID_ARG,
        FROM_ADMIN,
        format!("unsupported flags (0x{flags:x}) in function {function}"),
    );
    e.str1 = Some(function.into());
    e.str2 = Some("flags".into());
    e.int1 = 0;
    e.int2 = 0;
    Err(e.into())
}

/// 8 INVALID_ARG, "invalid argument: DETAIL".
pub fn invalid_arg(domain: i32, detail: String) -> CallError {
    detailed(INVALID_ARG, domain, "invalid argument", detail)
}

/// 74 ARGUMENT_UNSUPPORTED, "argument unsupported: DETAIL".
pub fn unsupported_arg(domain: i32, detail: String) -> CallError {
    detailed(ARGUMENT_UNSUPPORTED, domain, "argument unsupported", detail)
}

/// 1 INTERNAL_ERROR, "internal error: DETAIL".
pub fn internal(domain: i32, detail: String) -> CallError {
    detailed(INTERNAL_ERROR, domain, "internal error", detail)
}

/// 38 SYSTEM_ERROR, "WHAT: OS ERROR".
pub fn system(what: &str, e: &std::io::Error) -> CallError {
    let mut r = RemoteError::new(SYSTEM_ERROR, FROM_NONE, format!("{what}: {e}"));
    r.str2 = Some(e.to_string());
    r.into()
}

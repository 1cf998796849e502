//! Who may call a REMOTE procedure, as libvirtd decides it: before anything else, a
//! client that has not authenticated yet may call only AUTH_LIST and AUTH_POLKIT
//! ("authentication required", 39 / 7, before its arguments are even decoded); then a
//! procedure may need an open connection ("hypervisor connection not open") and a
//! writable one (29 / 20 "operation forbidden: read only access prevents API").

use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{CallError, detailed, err};

use super::{Ctx, CtxExt, auth};

/// Who may call a procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Before authentication too (AUTH_LIST, AUTH_POLKIT).
    Unauthenticated,
    /// Once authenticated, before CONNECT_OPEN too (the handler checks the rest
    /// itself).
    Always,
    /// Needs an open connection.
    Open,
    /// Needs an open, writable connection; the string is the API name libvirtd's
    /// refusal message names.
    Write(&'static str),
    /// As [`Access::Write`], for an API of another error domain (networks 19,
    /// storage 18, node devices 22, interfaces 26, secrets 30, network filters 33).
    WriteIn(&'static str, i32),
}

/// The REMOTE program's access check.
pub(crate) fn check(ctx: &Ctx<'_>, access: &Access) -> CallResult<()> {
    if *access != Access::Unauthenticated && !ctx.client().is_authenticated() {
        return Err(auth::required());
    }
    match access {
        Access::Unauthenticated | Access::Always => {}
        Access::Open => {
            ctx.conn()?;
        }
        Access::Write(api) => {
            ctx.conn()?;
            if ctx.client().is_read_only() {
                return Err(read_only_denied(api, 20));
            }
        }
        Access::WriteIn(api, domain) => {
            ctx.conn()?;
            if ctx.client().is_read_only() {
                return Err(read_only_denied(api, *domain));
            }
        }
    }
    Ok(())
}

/// "internal error: hypervisor connection not open" (1 / 7), as libvirtd.
pub(crate) fn not_open() -> CallError {
    err(1, 7, "internal error: hypervisor connection not open")
}

/// libvirtd's refusal of a write on a read-only connection (29 / the API's domain).
fn read_only_denied(api: &str, domain: i32) -> CallError {
    detailed(
        29,
        domain,
        "operation forbidden",
        format!("read only access prevents {api}"),
    )
}

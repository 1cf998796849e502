//! The authentication procedures: AUTH_LIST and AUTH_POLKIT, the only two a client
//! may call before it is authenticated (every other one is answered 39 / 7
//! "authentication required" by [`super::access::check`], as by libvirtd).
//!
//! On a polkit socket (`--auth-unix-rw polkit`), AUTH_LIST answers `[POLKIT]` and the
//! client calls AUTH_POLKIT, which passes when the peer's kernel-verified uid is on the
//! allow-list ([`crate::auth::Policy`]). A root peer is waved through at AUTH_LIST with
//! `[NONE]`, as libvirtd does ("Bypass polkit auth for privileged client" in
//! `remote_daemon_dispatch.c`). A denial is worded as libvirtd's when polkit says no
//! (`virPolkitCheckAuth` in `src/util/virpolkit.c`): VIR_ERR_AUTH_FAILED (45) in
//! VIR_FROM_POLKIT (60), "authentication failed: access denied by policy".

use rvirt_rpc::RemoteError;
use rvirt_rpc::types::{AuthListRet, AuthPolkitRet, auth_type};
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{CallError, err};

use super::Ctx;
use crate::log;

/// `VIR_ERR_AUTH_FAILED`.
const AUTH_FAILED: i32 = 45;
/// `VIR_FROM_RPC`.
const FROM_RPC: i32 = 7;
/// `VIR_FROM_POLKIT`.
const FROM_POLKIT: i32 = 60;

/// 39 / 7 "authentication required": any procedure but AUTH_LIST and AUTH_POLKIT
/// before authentication.
pub(crate) fn required() -> CallError {
    err(39, FROM_RPC, "authentication required")
}

/// libvirtd's answer when polkit denies the client.
fn denied_by_policy() -> CallError {
    let detail = "access denied by policy";
    let mut e = RemoteError::new(
        AUTH_FAILED,
        FROM_POLKIT,
        format!("authentication failed: {detail}"),
    );
    e.str1 = Some("authentication failed: %s".into());
    e.str2 = Some(detail.into());
    e.into()
}

/// AUTH_LIST: `[NONE]` once authenticated (or on a socket without authentication),
/// `[POLKIT]` on a polkit socket — except for root, authenticated right here.
pub(crate) fn auth_list(ctx: &Ctx<'_>, (): ()) -> CallResult<AuthListRet> {
    let client = ctx.client();
    let mut kind = auth_type::NONE;
    if !client.is_authenticated() && client.service().auth == auth_type::POLKIT {
        match client.peer() {
            Some(peer) if peer.uid == 0 => {
                log!(
                    "client {}: polkit bypassed for privileged client pid {} uid 0",
                    client.id(),
                    peer.pid
                );
                client.auth_completed();
            }
            _ => kind = auth_type::POLKIT,
        }
    }
    Ok(AuthListRet { types: vec![kind] })
}

/// AUTH_POLKIT: authenticates a unix socket peer whose uid the policy allows.
pub(crate) fn auth_polkit(ctx: &Ctx<'_>, (): ()) -> CallResult<AuthPolkitRet> {
    let client = ctx.client();
    let peer = match client.peer() {
        Some(peer) if client.service().auth == auth_type::POLKIT && !client.is_authenticated() => {
            peer
        }
        // Not a polkit socket, already authenticated, or no peer credentials.
        _ => {
            log!("client {}: invalid AUTH_POLKIT request", client.id());
            return Err(err(AUTH_FAILED, FROM_RPC, "authentication failed"));
        }
    };
    let action = if client.service().read_only {
        "org.libvirt.unix.monitor"
    } else {
        "org.libvirt.unix.manage"
    };
    let config = ctx.state().config.clone();
    let policy = &config.policy;
    if !policy.allows(peer.uid) {
        log!(
            "client {}: policy denied action {action} to pid {} uid {} (allowed uids: {:?})",
            client.id(),
            peer.pid,
            peer.uid,
            policy.uids()
        );
        return Err(denied_by_policy());
    }
    log!(
        "client {}: policy allowed action {action} to pid {} uid {}",
        client.id(),
        peer.pid,
        peer.uid
    );
    client.auth_completed();
    Ok(AuthPolkitRet { complete: 1 })
}

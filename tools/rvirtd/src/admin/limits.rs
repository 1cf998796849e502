//! SERVER_GET/SET_CLIENT_LIMITS: `nclients_max` and `nclients_unauth_max` (0: no
//! limit), enforced by the server as libvirt enforces them
//! ([`rvirt_rpc_server::Server`]: at the limit it stops accepting; waiting clients are
//! accepted when a slot frees); `nclients` and `nclients_unauth` are read only.

use rvirt_rpc::admin::SERVER_CLIENT_LIMITS_MAX;
use rvirt_rpc::admin::param::{
    SERVER_CLIENTS_CURRENT as CURRENT, SERVER_CLIENTS_MAX as MAX,
    SERVER_CLIENTS_UNAUTH_CURRENT as UNAUTH, SERVER_CLIENTS_UNAUTH_MAX as UNAUTH_MAX,
};
use rvirt_rpc::admin::types::{ServerArgs, ServerSetParamsArgs, TypedParamsRet};

use rvirt_rpc_server::CallResult;

use super::errors::{FROM_RPC, Wording, check_flags, invalid_arg};
use super::params::{bounded, check_names, uint, uint_param, validate_uints};
use super::{Ctx, registry, server};
use crate::log;

/// SERVER_GET_CLIENT_LIMITS: nclients_max, nclients, nclients_unauth_max,
/// nclients_unauth (all `uint`, libvirt's order).
pub(crate) fn get(ctx: &Ctx<'_>, args: ServerArgs) -> CallResult<TypedParamsRet> {
    let srv = server(&*registry(ctx)?, &args.srv.name, Wording::Rpc)?;
    check_flags(args.flags, "adminServerGetClientLimits")?;
    let l = srv.limits();
    Ok(TypedParamsRet {
        params: vec![
            uint_param(MAX, l.max),
            uint_param(CURRENT, l.current),
            uint_param(UNAUTH_MAX, l.unauth_max),
            uint_param(UNAUTH, l.unauth),
        ],
    })
}

/// SERVER_SET_CLIENT_LIMITS: nclients_max and/or nclients_unauth_max; the first may
/// not end up below the second (8 / 7, as libvirtd).
pub(crate) fn set(ctx: &Ctx<'_>, args: ServerSetParamsArgs) -> CallResult<()> {
    bounded(&args.params, SERVER_CLIENT_LIMITS_MAX)?;
    let srv = server(&*registry(ctx)?, &args.srv.name, Wording::Admin)?;
    check_names(&args.params)?;
    check_flags(args.flags, "adminServerSetClientLimits")?;
    validate_uints(&args.params, &[MAX, UNAUTH_MAX])?;
    let max = uint(&args.params, MAX).map(|n| n as usize);
    let unauth_max = uint(&args.params, UNAUTH_MAX).map(|n| n as usize);
    srv.set_limits(max, unauth_max).map_err(|_| {
        invalid_arg(
            FROM_RPC,
            "The overall maximum number of clients must not be less than the number of \
             clients waiting for authentication"
                .into(),
        )
    })?;
    let l = srv.limits();
    log!(
        "admin client {}: server {} limits now {} clients, {} unauthenticated",
        ctx.client().id(),
        srv.name(),
        l.max,
        l.unauth_max
    );
    Ok(())
}

//! Tuning procedures: the scheduler's parameters (`virsh schedinfo`), both with and
//! without flags, bounded by libvirt's `REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX`.

use rvirt_core::api::TypedParam;
use rvirt_rpc::tuning::*;
use rvirt_rpc::typed_param::TypedParam as WireParam;
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{CallError, err};

use super::{Ctx, CtxExt};

/// libvirtd's own argument checks: `VIR_ERR_INTERNAL_ERROR` from `VIR_FROM_RPC`.
fn rpc_error(what: &str) -> CallError {
    err(1, 7, format!("internal error: {what}"))
}

/// `VIR_ERR_INVALID_ARG` as libvirt's public API reports a count that is not positive.
fn not_positive(api: &str) -> CallError {
    err(
        8,
        10,
        format!("invalid argument: nparams in {api} must be greater than zero"),
    )
}

fn get(
    ctx: &Ctx<'_>,
    args_dom: &rvirt_rpc::types::RemoteNonnullDomain,
    nparams: i32,
    flags: u32,
    api: &str,
) -> CallResult<DomainGetSchedulerParametersRet> {
    if nparams > SCHEDULER_PARAMETERS_MAX as i32 {
        return Err(rpc_error("nparams too large"));
    }
    if nparams <= 0 {
        return Err(not_positive(api));
    }
    let params = ctx.domain(args_dom)?.scheduler_parameters(flags)?;
    Ok(DomainGetSchedulerParametersRet {
        params: params
            .into_iter()
            .take(nparams as usize)
            .map(WireParam::from)
            .collect(),
    })
}

fn set(
    ctx: &Ctx<'_>,
    args_dom: &rvirt_rpc::types::RemoteNonnullDomain,
    params: Vec<WireParam>,
    flags: u32,
) -> CallResult<()> {
    if params.len() > SCHEDULER_PARAMETERS_MAX {
        return Err(rpc_error("too many parameters"));
    }
    let params: Vec<TypedParam> = params.into_iter().map(Into::into).collect();
    ctx.domain(args_dom)?
        .set_scheduler_parameters(&params, flags)?;
    Ok(())
}

/// DOMAIN_GET_SCHEDULER_PARAMETERS.
pub(crate) fn get_scheduler_parameters(
    ctx: &Ctx<'_>,
    a: DomainGetSchedulerParametersArgs,
) -> CallResult<DomainGetSchedulerParametersRet> {
    get(ctx, &a.dom, a.nparams, 0, "virDomainGetSchedulerParameters")
}

/// DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS.
pub(crate) fn get_scheduler_parameters_flags(
    ctx: &Ctx<'_>,
    a: DomainGetSchedulerParametersFlagsArgs,
) -> CallResult<DomainGetSchedulerParametersRet> {
    get(
        ctx,
        &a.dom,
        a.nparams,
        a.flags,
        "virDomainGetSchedulerParametersFlags",
    )
}

/// DOMAIN_SET_SCHEDULER_PARAMETERS.
pub(crate) fn set_scheduler_parameters(
    ctx: &Ctx<'_>,
    a: DomainSetSchedulerParametersArgs,
) -> CallResult<()> {
    set(ctx, &a.dom, a.params, 0)
}

/// DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS.
pub(crate) fn set_scheduler_parameters_flags(
    ctx: &Ctx<'_>,
    a: DomainSetSchedulerParametersFlagsArgs,
) -> CallResult<()> {
    set(ctx, &a.dom, a.params, a.flags)
}

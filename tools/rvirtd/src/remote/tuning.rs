//! Tuning procedures: the scheduler's parameters (`virsh schedinfo`), both with and
//! without flags, bounded by libvirt's `REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX`; the
//! memory and blkio parameters (`virsh memtune`, `blkiotune`), whose count clients
//! ask first.

use rvirt_core::api::{Tunable, TypedParam};
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

/// The memory, blkio and NUMA parameters: their count when `nparams` is 0 (as
/// libvirtd answers the clients' first call), else at most `nparams` of them.
fn get_tuning(
    ctx: &Ctx<'_>,
    a: DomainGetTuningParametersArgs,
    what: Tunable,
) -> CallResult<DomainGetTuningParametersRet> {
    get_counted(ctx, &a.dom, a.nparams, a.flags, what, TUNING_PARAMETERS_MAX)
}

/// A get that first answers the count (`nparams` 0), then at most `nparams` values.
fn get_counted(
    ctx: &Ctx<'_>,
    dom: &rvirt_rpc::types::RemoteNonnullDomain,
    nparams: i32,
    flags: u32,
    what: Tunable,
    max: usize,
) -> CallResult<DomainGetTuningParametersRet> {
    if nparams > max as i32 {
        return Err(rpc_error("nparams too large"));
    }
    if nparams < 0 {
        return Err(err(
            8,
            20,
            format!(
                "invalid argument: *nparams in {} must be non-negative",
                what.get_api()
            ),
        ));
    }
    let params = ctx.domain(dom)?.tuning_parameters(&what, flags)?;
    if nparams == 0 {
        return Ok(DomainGetTuningParametersRet {
            params: Vec::new(),
            nparams: params.len() as i32,
        });
    }
    let params: Vec<WireParam> = params
        .into_iter()
        .take(nparams as usize)
        .map(WireParam::from)
        .collect();
    Ok(DomainGetTuningParametersRet {
        nparams: params.len() as i32,
        params,
    })
}

fn set_tuning(ctx: &Ctx<'_>, a: DomainSetTuningParametersArgs, what: Tunable) -> CallResult<()> {
    set_limited(ctx, &a.dom, a.params, a.flags, what, TUNING_PARAMETERS_MAX)
}

fn set_limited(
    ctx: &Ctx<'_>,
    dom: &rvirt_rpc::types::RemoteNonnullDomain,
    params: Vec<WireParam>,
    flags: u32,
    what: Tunable,
    max: usize,
) -> CallResult<()> {
    if params.len() > max {
        return Err(rpc_error("too many parameters"));
    }
    let params: Vec<TypedParam> = params.into_iter().map(Into::into).collect();
    ctx.domain(dom)?
        .set_tuning_parameters(&what, &params, flags)?;
    Ok(())
}

pub(crate) fn get_memory_parameters(
    ctx: &Ctx<'_>,
    a: DomainGetTuningParametersArgs,
) -> CallResult<DomainGetTuningParametersRet> {
    get_tuning(ctx, a, Tunable::Memory)
}

/// DOMAIN_SET_MEMORY_PARAMETERS.
pub(crate) fn set_memory_parameters(
    ctx: &Ctx<'_>,
    a: DomainSetTuningParametersArgs,
) -> CallResult<()> {
    set_tuning(ctx, a, Tunable::Memory)
}

/// DOMAIN_GET_BLKIO_PARAMETERS.
pub(crate) fn get_blkio_parameters(
    ctx: &Ctx<'_>,
    a: DomainGetTuningParametersArgs,
) -> CallResult<DomainGetTuningParametersRet> {
    get_tuning(ctx, a, Tunable::Blkio)
}

/// DOMAIN_SET_BLKIO_PARAMETERS.
pub(crate) fn set_blkio_parameters(
    ctx: &Ctx<'_>,
    a: DomainSetTuningParametersArgs,
) -> CallResult<()> {
    set_tuning(ctx, a, Tunable::Blkio)
}

pub(crate) fn get_numa_parameters(
    ctx: &Ctx<'_>,
    a: DomainGetTuningParametersArgs,
) -> CallResult<DomainGetTuningParametersRet> {
    get_tuning(ctx, a, Tunable::Numa)
}

pub(crate) fn set_numa_parameters(
    ctx: &Ctx<'_>,
    a: DomainSetTuningParametersArgs,
) -> CallResult<()> {
    set_tuning(ctx, a, Tunable::Numa)
}

pub(crate) fn get_block_io_tune(
    ctx: &Ctx<'_>,
    a: DomainGetBlockIoTuneArgs,
) -> CallResult<DomainGetTuningParametersRet> {
    if a.nparams == 0 {
        // The count, asked without a disk (virsh does): libvirt's drivers answer 20
        // before looking at the disk.
        ctx.domain(&a.dom)?;
        return Ok(DomainGetTuningParametersRet {
            params: Vec::new(),
            nparams: rvirt_core::objects::iotune_param_types().len() as i32,
        });
    }
    let Some(disk) = a.disk else {
        return Err(err(
            8,
            10,
            "invalid argument: disk in virDomainGetBlockIoTune must not be NULL".to_string(),
        ));
    };
    get_counted(
        ctx,
        &a.dom,
        a.nparams,
        a.flags,
        Tunable::BlockIo(disk),
        BLOCK_IO_TUNE_PARAMETERS_MAX,
    )
}

pub(crate) fn set_block_io_tune(ctx: &Ctx<'_>, a: DomainSetDeviceTuningArgs) -> CallResult<()> {
    set_limited(
        ctx,
        &a.dom,
        a.params,
        a.flags,
        Tunable::BlockIo(a.device),
        BLOCK_IO_TUNE_PARAMETERS_MAX,
    )
}

pub(crate) fn get_interface_parameters(
    ctx: &Ctx<'_>,
    a: DomainGetInterfaceParametersArgs,
) -> CallResult<DomainGetTuningParametersRet> {
    get_counted(
        ctx,
        &a.dom,
        a.nparams,
        a.flags,
        Tunable::Interface(a.device),
        INTERFACE_PARAMETERS_MAX,
    )
}

pub(crate) fn set_interface_parameters(
    ctx: &Ctx<'_>,
    a: DomainSetDeviceTuningArgs,
) -> CallResult<()> {
    set_limited(
        ctx,
        &a.dom,
        a.params,
        a.flags,
        Tunable::Interface(a.device),
        INTERFACE_PARAMETERS_MAX,
    )
}

pub(crate) fn get_perf_events(
    ctx: &Ctx<'_>,
    a: DomainGetPerfEventsArgs,
) -> CallResult<DomainGetPerfEventsRet> {
    let params = ctx
        .domain(&a.dom)?
        .tuning_parameters(&Tunable::Perf, a.flags)?;
    if params.len() > PERF_EVENTS_MAX {
        return Err(rpc_error("too many perf events"));
    }
    Ok(DomainGetPerfEventsRet {
        params: params.into_iter().map(WireParam::from).collect(),
    })
}

pub(crate) fn set_perf_events(ctx: &Ctx<'_>, a: DomainSetTuningParametersArgs) -> CallResult<()> {
    set_limited(
        ctx,
        &a.dom,
        a.params,
        a.flags,
        Tunable::Perf,
        PERF_EVENTS_MAX,
    )
}

//! Handlers of a domain's background job beyond its info (DOMAIN_GET_JOB_STATS,
//! DOMAIN_ABORT_JOB_FLAGS), its migration tunables (DOMAIN_MIGRATE_GET_MAX_SPEED,
//! DOMAIN_MIGRATE_SET_MAX_SPEED, DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
//! DOMAIN_MIGRATE_SET_MAX_DOWNTIME, DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
//! DOMAIN_MIGRATE_SET_COMPRESSION_CACHE), its disks' block jobs and
//! counters and bytes (DOMAIN_GET_BLOCK_JOB_INFO, DOMAIN_BLOCK_COMMIT, DOMAIN_BLOCK_PULL,
//! DOMAIN_BLOCK_REBASE, DOMAIN_BLOCK_COPY, DOMAIN_SET_BLOCK_THRESHOLD,
//! DOMAIN_BLOCK_JOB_ABORT, DOMAIN_BLOCK_JOB_SET_SPEED, DOMAIN_BLOCK_STATS_FLAGS,
//! DOMAIN_BLOCK_PEEK), a dirty-rate
//! measurement (DOMAIN_START_DIRTY_RATE_CALC), its labels of every security driver
//! (DOMAIN_GET_SECURITY_LABEL_LIST), its managed save image's XML
//! (DOMAIN_MANAGED_SAVE_GET_XML_DESC) and the host's memory tunables, free pages and
//! SEV facts (NODE_GET_MEMORY_PARAMETERS, NODE_GET_FREE_PAGES, NODE_GET_SEV_INFO; the
//! typed-parameter lists asked first for their count as libvirt's clients do).

use rvirt_core::{Error, ErrorDomain};
use rvirt_rpc::monitoring::{
    DomainGetJobStatsArgs, DomainGetJobStatsRet, DomainGetSecurityLabelListRet,
    DomainMigrateGetMaxDowntimeRet, DomainMigrateGetMaxSpeedArgs, DomainMigrateGetMaxSpeedRet,
    DomainMigrateSetMaxDowntimeArgs, DomainMigrateSetMaxSpeedArgs, JOB_STATS_MAX,
    NODE_MEMORY_PARAMETERS_MAX, NODE_SEV_INFO_MAX, NodeGetMemoryParametersArgs, NodeGetSevInfoArgs,
    NodeParamsRet, SECURITY_LABEL_LIST_MAX,
};
use rvirt_rpc::save::DomainManagedSaveGetXmlDescRet;
use rvirt_rpc::types::{DomainArgs, DomainFlagsArgs, DomainGetSecurityLabelRet};
use rvirt_rpc_server::CallResult;

use super::{Ctx, CtxExt};

/// libvirtd's own check of a reply's size: `VIR_ERR_INTERNAL_ERROR` from RPC.
fn too_many(what: &str) -> rvirt_rpc_server::error::CallError {
    Error::internal(ErrorDomain::Rpc, format!("too many {what}")).into()
}

/// DOMAIN_GET_JOB_STATS.
pub(crate) fn get_job_stats(
    ctx: &Ctx<'_>,
    args: DomainGetJobStatsArgs,
) -> CallResult<DomainGetJobStatsRet> {
    let (type_, params) = ctx.domain(&args.dom)?.job_stats(args.flags)?;
    if params.len() > JOB_STATS_MAX {
        return Err(too_many("job statistics"));
    }
    Ok(DomainGetJobStatsRet {
        type_,
        params: params.into_iter().map(Into::into).collect(),
    })
}

/// DOMAIN_ABORT_JOB_FLAGS.
pub(crate) fn abort_job_flags(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.abort_job_flags(args.flags)?)
}

/// DOMAIN_MIGRATE_GET_MAX_SPEED.
pub(crate) fn migrate_get_max_speed(
    ctx: &Ctx<'_>,
    args: DomainMigrateGetMaxSpeedArgs,
) -> CallResult<DomainMigrateGetMaxSpeedRet> {
    let bandwidth = ctx.domain(&args.dom)?.migrate_max_speed(args.flags)?;
    Ok(DomainMigrateGetMaxSpeedRet { bandwidth })
}

/// DOMAIN_MIGRATE_SET_MAX_SPEED.
pub(crate) fn migrate_set_max_speed(
    ctx: &Ctx<'_>,
    args: DomainMigrateSetMaxSpeedArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .migrate_set_max_speed(args.bandwidth, args.flags)?)
}

/// DOMAIN_MIGRATE_GET_MAX_DOWNTIME.
pub(crate) fn migrate_get_max_downtime(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainMigrateGetMaxDowntimeRet> {
    let downtime = ctx.domain(&args.dom)?.migrate_max_downtime(args.flags)?;
    Ok(DomainMigrateGetMaxDowntimeRet { downtime })
}

/// DOMAIN_MIGRATE_SET_MAX_DOWNTIME.
pub(crate) fn migrate_set_max_downtime(
    ctx: &Ctx<'_>,
    args: DomainMigrateSetMaxDowntimeArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .migrate_set_max_downtime(args.downtime, args.flags)?)
}

/// DOMAIN_MIGRATE_GET_COMPRESSION_CACHE.
pub(crate) fn migrate_get_compression_cache(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<rvirt_rpc::monitoring::DomainMigrateGetCompressionCacheRet> {
    let cache_size = ctx
        .domain(&args.dom)?
        .migrate_compression_cache(args.flags)?;
    Ok(rvirt_rpc::monitoring::DomainMigrateGetCompressionCacheRet { cache_size })
}

/// DOMAIN_MIGRATE_SET_COMPRESSION_CACHE.
pub(crate) fn migrate_set_compression_cache(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainMigrateSetCompressionCacheArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .migrate_set_compression_cache(args.cache_size, args.flags)?)
}

/// DOMAIN_SET_BLOCK_THRESHOLD.
pub(crate) fn set_block_threshold(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainSetBlockThresholdArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .set_block_threshold(&args.dev, args.threshold, args.flags)?)
}

/// DOMAIN_BLOCK_COMMIT.
pub(crate) fn block_commit(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockCommitArgs,
) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.block_commit(
        &args.disk,
        args.base.as_deref(),
        args.top.as_deref(),
        args.bandwidth,
        args.flags,
    )?)
}

/// DOMAIN_BLOCK_PULL.
pub(crate) fn block_pull(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockPullArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .block_pull(&args.path, args.bandwidth, args.flags)?)
}

/// DOMAIN_BLOCK_REBASE.
pub(crate) fn block_rebase(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockRebaseArgs,
) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.block_rebase(
        &args.path,
        args.base.as_deref(),
        args.bandwidth,
        args.flags,
    )?)
}

/// DOMAIN_BLOCK_COPY.
pub(crate) fn block_copy(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockCopyArgs,
) -> CallResult<()> {
    if args.params.len() > rvirt_rpc::monitoring::BLOCK_COPY_PARAMETERS_MAX {
        return Err(too_many("block copy parameters"));
    }
    let params: Vec<rvirt_core::api::TypedParam> =
        args.params.into_iter().map(Into::into).collect();
    Ok(ctx
        .domain(&args.dom)?
        .block_copy(&args.path, &args.destxml, &params, args.flags)?)
}

/// DOMAIN_BLOCK_JOB_ABORT.
pub(crate) fn block_job_abort(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockJobAbortArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .block_job_abort(&args.path, args.flags)?)
}

/// DOMAIN_BLOCK_JOB_SET_SPEED.
pub(crate) fn block_job_set_speed(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockJobSetSpeedArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .block_job_set_speed(&args.path, args.bandwidth, args.flags)?)
}

/// DOMAIN_GET_SECURITY_LABEL_LIST.
pub(crate) fn get_security_label_list(
    ctx: &Ctx<'_>,
    args: DomainArgs,
) -> CallResult<DomainGetSecurityLabelListRet> {
    let labels = ctx.domain(&args.dom)?.security_label_list()?;
    if labels.len() > SECURITY_LABEL_LIST_MAX {
        return Err(too_many("security labels"));
    }
    Ok(DomainGetSecurityLabelListRet {
        ret: i32::try_from(labels.len()).unwrap_or(i32::MAX),
        labels: labels
            .into_iter()
            .map(|l| DomainGetSecurityLabelRet {
                label: nul_terminated(&l.label),
                enforcing: i32::from(l.enforcing),
            })
            .collect(),
    })
}

/// A label as libvirt's `char label<>` carries it: with its NUL, nothing when empty.
fn nul_terminated(s: &str) -> Vec<u8> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// DOMAIN_MANAGED_SAVE_GET_XML_DESC.
pub(crate) fn managed_save_get_xml_desc(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainManagedSaveGetXmlDescRet> {
    let xml = ctx.domain(&args.dom)?.managed_save_xml_desc(args.flags)?;
    Ok(DomainManagedSaveGetXmlDescRet { xml })
}

/// NODE_GET_MEMORY_PARAMETERS: with `nparams` 0 the count alone, else at most
/// `nparams` of them (libvirt's two-step).
pub(crate) fn node_get_memory_parameters(
    ctx: &Ctx<'_>,
    args: NodeGetMemoryParametersArgs,
) -> CallResult<NodeParamsRet> {
    let params = ctx.conn()?.node_memory_parameters(args.flags)?;
    two_step(params, args.nparams, NODE_MEMORY_PARAMETERS_MAX)
}

/// NODE_GET_SEV_INFO.
pub(crate) fn node_get_sev_info(
    ctx: &Ctx<'_>,
    args: NodeGetSevInfoArgs,
) -> CallResult<NodeParamsRet> {
    let params = ctx.conn()?.sev_info(args.flags)?;
    if params.len() > NODE_SEV_INFO_MAX {
        return Err(too_many("SEV parameters"));
    }
    Ok(NodeParamsRet {
        nparams: i32::try_from(params.len()).unwrap_or(i32::MAX),
        params: params.into_iter().map(Into::into).collect(),
    })
}

/// The reply of a two-step typed-parameter call: the count alone when `asked` is 0,
/// else at most `asked` of `params`.
fn two_step(
    mut params: Vec<rvirt_core::api::TypedParam>,
    asked: i32,
    max: i32,
) -> CallResult<NodeParamsRet> {
    if asked > max {
        return Err(Error::internal(ErrorDomain::Rpc, "nparams too large").into());
    }
    let count = i32::try_from(params.len()).unwrap_or(i32::MAX);
    if asked == 0 {
        return Ok(NodeParamsRet {
            params: Vec::new(),
            nparams: count,
        });
    }
    params.truncate(usize::try_from(asked).unwrap_or(0));
    Ok(NodeParamsRet {
        nparams: i32::try_from(params.len()).unwrap_or(i32::MAX),
        params: params.into_iter().map(Into::into).collect(),
    })
}

/// DOMAIN_BLOCK_STATS_FLAGS.
pub(crate) fn block_stats_flags(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockStatsFlagsArgs,
) -> CallResult<NodeParamsRet> {
    if args.nparams > rvirt_rpc::monitoring::BLOCK_STATS_PARAMETERS_MAX {
        return Err(Error::internal(ErrorDomain::Rpc, "nparams too large").into());
    }
    let params = ctx
        .domain(&args.dom)?
        .block_stats_flags(&args.path, args.flags)?;
    two_step(
        params,
        args.nparams,
        rvirt_rpc::monitoring::BLOCK_STATS_PARAMETERS_MAX,
    )
}

/// DOMAIN_GET_BLOCK_JOB_INFO.
pub(crate) fn get_block_job_info(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainGetBlockJobInfoArgs,
) -> CallResult<rvirt_rpc::monitoring::DomainGetBlockJobInfoRet> {
    let job = ctx
        .domain(&args.dom)?
        .block_job_info(&args.path, args.flags)?;
    let j = job.unwrap_or_default();
    Ok(rvirt_rpc::monitoring::DomainGetBlockJobInfoRet {
        found: i32::from(job.is_some()),
        type_: j.job_type,
        bandwidth: j.bandwidth,
        cur: j.cur,
        end: j.end,
    })
}

/// DOMAIN_START_DIRTY_RATE_CALC.
pub(crate) fn start_dirty_rate_calc(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainStartDirtyRateCalcArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .start_dirty_rate_calc(args.seconds, args.flags)?)
}

/// NODE_GET_FREE_PAGES.
pub(crate) fn node_get_free_pages(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::NodeGetFreePagesArgs,
) -> CallResult<rvirt_rpc::monitoring::NodeGetFreePagesRet> {
    let too_many = args.pages.len().saturating_mul(args.cell_count as usize);
    if too_many > rvirt_rpc::monitoring::NODE_MAX_CELLS as usize {
        return Err(Error::internal(ErrorDomain::Rpc, "the result won't fit").into());
    }
    let counts =
        ctx.conn()?
            .free_pages(&args.pages, args.start_cell, args.cell_count, args.flags)?;
    Ok(rvirt_rpc::monitoring::NodeGetFreePagesRet { counts })
}

/// DOMAIN_BLOCK_PEEK.
pub(crate) fn block_peek(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainBlockPeekArgs,
) -> CallResult<rvirt_rpc::monitoring::DomainBlockPeekRet> {
    if args.size > rvirt_rpc::monitoring::BLOCK_PEEK_BUFFER_MAX {
        return Err(Error::invalid_arg(ErrorDomain::Rpc, "size > maximum buffer size").into());
    }
    let buffer =
        ctx.domain(&args.dom)?
            .block_peek(&args.path, args.offset, args.size, args.flags)?;
    Ok(rvirt_rpc::monitoring::DomainBlockPeekRet { buffer })
}

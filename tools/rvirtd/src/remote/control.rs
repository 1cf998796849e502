//! Handlers that act on a running guest beside its lifecycle (DOMAIN_RESET,
//! DOMAIN_INJECT_NMI, DOMAIN_SEND_KEY, DOMAIN_BLOCK_RESIZE, DOMAIN_GET_JOB_INFO,
//! DOMAIN_ABORT_JOB, DOMAIN_SET_TIME, DOMAIN_FSFREEZE, DOMAIN_FSTHAW, DOMAIN_FSTRIM,
//! DOMAIN_SEND_PROCESS_SIGNAL, DOMAIN_AGENT_SET_RESPONSE_TIMEOUT) and the node's
//! counters (NODE_GET_CPU_STATS, NODE_GET_MEMORY_STATS, each asked first for its
//! count as libvirt's clients do).

use rvirt_core::api::NodeStat;
use rvirt_rpc::control::{
    DomainAgentSetResponseTimeoutArgs, DomainAgentSetResponseTimeoutRet, DomainBlockResizeArgs,
    DomainFsfreezeArgs, DomainFsfreezeRet, DomainGetGuestInfoArgs, DomainGetGuestInfoRet,
    DomainGetJobInfoRet, DomainSendKeyArgs, DomainSetTimeArgs, DomainSetUserPasswordArgs,
    FSFREEZE_MOUNTPOINTS_MAX, GUEST_INFO_PARAMS_MAX, NODE_CPU_STATS_MAX, NODE_MEMORY_STATS_MAX,
    NodeGetCpuStatsArgs, NodeGetMemoryStatsArgs, NodeStat as WireStat, NodeStatsRet,
};
use rvirt_rpc::types::{DomainArgs, DomainFlagsArgs};
use rvirt_rpc_server::CallResult;

use super::{Ctx, CtxExt};

/// DOMAIN_RESET.
pub(crate) fn reset(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.reset(args.flags)?)
}

/// DOMAIN_INJECT_NMI.
pub(crate) fn inject_nmi(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.inject_nmi(args.flags)?)
}

/// DOMAIN_SEND_KEY.
pub(crate) fn send_key(ctx: &Ctx<'_>, args: DomainSendKeyArgs) -> CallResult<()> {
    if args.keycodes.len() > rvirt_rpc::control::SEND_KEY_MAX {
        return Err(rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::Rpc,
            "keycodes length greater than maximum",
        )
        .into());
    }
    Ok(ctx
        .domain(&args.dom)?
        .send_key(args.codeset, args.holdtime, &args.keycodes, args.flags)?)
}

/// DOMAIN_BLOCK_RESIZE.
pub(crate) fn block_resize(ctx: &Ctx<'_>, args: DomainBlockResizeArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .block_resize(&args.disk, args.size, args.flags)?)
}

/// DOMAIN_GET_JOB_INFO.
pub(crate) fn get_job_info(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<DomainGetJobInfoRet> {
    let j = ctx.domain(&args.dom)?.job_info()?;
    Ok(DomainGetJobInfoRet {
        job_type: j.job_type,
        time_elapsed: j.time_elapsed,
        time_remaining: j.time_remaining,
        data_total: j.data[0],
        data_processed: j.data[1],
        data_remaining: j.data[2],
        mem_total: j.mem[0],
        mem_processed: j.mem[1],
        mem_remaining: j.mem[2],
        file_total: j.file[0],
        file_processed: j.file[1],
        file_remaining: j.file[2],
    })
}

/// DOMAIN_ABORT_JOB.
pub(crate) fn abort_job(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.abort_job()?)
}

/// The reply to a two-step counter query: the count alone when `asked` is 0, the
/// counters when `asked` is their count, libvirt's error otherwise.
fn stats_reply(stats: Vec<NodeStat>, asked: i32, max: i32, api: &str) -> CallResult<NodeStatsRet> {
    let count = i32::try_from(stats.len()).unwrap_or(i32::MAX);
    if asked > max {
        return Err(
            rvirt_core::Error::internal(rvirt_core::ErrorDomain::Rpc, "nparams too large").into(),
        );
    }
    if asked == 0 {
        return Ok(NodeStatsRet {
            params: Vec::new(),
            nparams: count,
        });
    }
    if asked != count {
        return Err(rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::None,
            format!("nparams in {api} must be {count}"),
        )
        .into());
    }
    Ok(NodeStatsRet {
        params: stats
            .into_iter()
            .map(|s| WireStat {
                field: s.field,
                value: s.value,
            })
            .collect(),
        nparams: count,
    })
}

/// NODE_GET_CPU_STATS.
pub(crate) fn node_get_cpu_stats(
    ctx: &Ctx<'_>,
    args: NodeGetCpuStatsArgs,
) -> CallResult<NodeStatsRet> {
    let stats = ctx.conn()?.node_cpu_stats(args.cpu_num, args.flags)?;
    stats_reply(
        stats,
        args.nparams,
        NODE_CPU_STATS_MAX,
        "virNodeGetCPUStats",
    )
}

/// NODE_GET_MEMORY_STATS.
pub(crate) fn node_get_memory_stats(
    ctx: &Ctx<'_>,
    args: NodeGetMemoryStatsArgs,
) -> CallResult<NodeStatsRet> {
    let stats = ctx.conn()?.node_memory_stats(args.cell_num, args.flags)?;
    stats_reply(
        stats,
        args.nparams,
        NODE_MEMORY_STATS_MAX,
        "virNodeGetMemoryStats",
    )
}

/// DOMAIN_SET_TIME.
pub(crate) fn set_time(ctx: &Ctx<'_>, args: DomainSetTimeArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .set_time(args.seconds, args.nseconds, args.flags)?)
}

/// The mount points of DOMAIN_FSFREEZE/DOMAIN_FSTHAW, bounded as libvirt's protocol.
fn mountpoints(args: &DomainFsfreezeArgs) -> CallResult<()> {
    if args.mountpoints.len() > FSFREEZE_MOUNTPOINTS_MAX {
        return Err(rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::Rpc,
            "mountpoints length greater than maximum",
        )
        .into());
    }
    Ok(())
}

fn count(n: u32) -> DomainFsfreezeRet {
    DomainFsfreezeRet {
        filesystems: i32::try_from(n).unwrap_or(i32::MAX),
    }
}

/// DOMAIN_FSFREEZE.
pub(crate) fn fs_freeze(ctx: &Ctx<'_>, args: DomainFsfreezeArgs) -> CallResult<DomainFsfreezeRet> {
    mountpoints(&args)?;
    let dom = ctx.domain(&args.dom)?;
    Ok(count(dom.fs_freeze(&args.mountpoints, args.flags)?))
}

/// DOMAIN_FSTHAW.
pub(crate) fn fs_thaw(ctx: &Ctx<'_>, args: DomainFsfreezeArgs) -> CallResult<DomainFsfreezeRet> {
    mountpoints(&args)?;
    let dom = ctx.domain(&args.dom)?;
    Ok(count(dom.fs_thaw(&args.mountpoints, args.flags)?))
}

/// DOMAIN_GET_GUEST_INFO.
pub(crate) fn get_guest_info(
    ctx: &Ctx<'_>,
    args: DomainGetGuestInfoArgs,
) -> CallResult<DomainGetGuestInfoRet> {
    let params = ctx.domain(&args.dom)?.guest_info(args.types, args.flags)?;
    if params.len() > GUEST_INFO_PARAMS_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "returned number of parameters exceeds limit",
        )
        .into());
    }
    Ok(DomainGetGuestInfoRet {
        params: params.into_iter().map(Into::into).collect(),
    })
}

/// DOMAIN_AGENT_SET_RESPONSE_TIMEOUT.
pub(crate) fn agent_set_response_timeout(
    ctx: &Ctx<'_>,
    args: DomainAgentSetResponseTimeoutArgs,
) -> CallResult<DomainAgentSetResponseTimeoutRet> {
    ctx.domain(&args.dom)?
        .agent_set_response_timeout(args.timeout, args.flags)?;
    Ok(DomainAgentSetResponseTimeoutRet { result: 0 })
}

/// DOMAIN_GET_GUEST_VCPUS.
pub(crate) fn get_guest_vcpus(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<rvirt_rpc::control::DomainGetGuestVcpusRet> {
    let params = ctx.domain(&args.dom)?.guest_vcpus(args.flags)?;
    if params.len() > rvirt_rpc::control::GUEST_VCPU_PARAMS_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "too many guest vcpu parameters",
        )
        .into());
    }
    Ok(rvirt_rpc::control::DomainGetGuestVcpusRet {
        params: params.into_iter().map(Into::into).collect(),
    })
}

/// DOMAIN_SET_GUEST_VCPUS.
pub(crate) fn set_guest_vcpus(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::control::DomainSetGuestVcpusArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .set_guest_vcpus(&args.cpumap, args.state, args.flags)?)
}

/// DOMAIN_PM_SUSPEND_FOR_DURATION.
pub(crate) fn pm_suspend_for_duration(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::control::DomainPmSuspendForDurationArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .pm_suspend_for_duration(args.target, args.duration, args.flags)?)
}

/// DOMAIN_AUTHORIZED_SSH_KEYS_GET.
pub(crate) fn authorized_ssh_keys_get(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::control::DomainAuthorizedSshKeysGetArgs,
) -> CallResult<rvirt_rpc::control::DomainAuthorizedSshKeysGetRet> {
    let keys = ctx
        .domain(&args.dom)?
        .authorized_ssh_keys(&args.user, args.flags)?;
    if keys.len() > rvirt_rpc::control::AUTHORIZED_SSH_KEYS_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "too many authorized keys",
        )
        .into());
    }
    Ok(rvirt_rpc::control::DomainAuthorizedSshKeysGetRet { keys })
}

/// DOMAIN_AUTHORIZED_SSH_KEYS_SET.
pub(crate) fn authorized_ssh_keys_set(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::control::DomainAuthorizedSshKeysSetArgs,
) -> CallResult<()> {
    if args.keys.len() > rvirt_rpc::control::AUTHORIZED_SSH_KEYS_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "too many authorized keys",
        )
        .into());
    }
    Ok(ctx
        .domain(&args.dom)?
        .set_authorized_ssh_keys(&args.user, &args.keys, args.flags)?)
}

/// DOMAIN_SET_USER_PASSWORD.
pub(crate) fn set_user_password(ctx: &Ctx<'_>, args: DomainSetUserPasswordArgs) -> CallResult<()> {
    let missing = |what: &str| {
        rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::Rpc,
            format!("{what} must not be NULL"),
        )
    };
    let user = args.user.ok_or_else(|| missing("user"))?;
    let password = args.password.ok_or_else(|| missing("password"))?;
    Ok(ctx
        .domain(&args.dom)?
        .set_user_password(&user, &password, args.flags)?)
}

/// DOMAIN_FSTRIM.
pub(crate) fn fstrim(ctx: &Ctx<'_>, args: rvirt_rpc::control::DomainFstrimArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .fs_trim(args.mount_point.as_deref(), args.minimum, args.flags)?)
}

/// DOMAIN_SEND_PROCESS_SIGNAL.
pub(crate) fn send_process_signal(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::control::DomainSendProcessSignalArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .send_process_signal(args.pid_value, args.signum, args.flags)?)
}

//! Monitoring procedures: domain statistics and info, guest facts, metadata, node CPU,
//! memory and security facts.

use rvirt_core::api::SecurityModel;
use rvirt_core::api::{MetadataType, StatsGroups};
use rvirt_core::conf::DomainDef;
use rvirt_core::{Domain, ErrorCode};
use rvirt_rpc::monitoring::*;
use rvirt_rpc::types::{
    DomainArgs, DomainFlagsArgs, DomainGetOsTypeRet, DomainGetSecurityLabelRet,
    NodeGetSecurityModelRet,
};
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{CallError, err};

use super::events::remote_domain;
use super::{Ctx, CtxExt};

/// libvirtd's own argument checks: `VIR_ERR_INTERNAL_ERROR` from `VIR_FROM_RPC`.
fn too_large(what: &str) -> CallError {
    err(1, 7, format!("internal error: {what}"))
}

fn metadata_type(raw: i32) -> CallResult<MetadataType> {
    MetadataType::from_raw(raw).ok_or_else(|| {
        err(
            8,
            10,
            format!("invalid argument: unknown metadata type '{raw}'"),
        )
    })
}

/// A C string as rpcgen's `char x<>`: its bytes and the NUL, or nothing when empty.
fn c_chars(s: &str) -> Vec<u8> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// CONNECT_GET_ALL_DOMAIN_STATS.
pub(crate) fn get_all_domain_stats(
    ctx: &Ctx<'_>,
    args: ConnectGetAllDomainStatsArgs,
) -> CallResult<ConnectGetAllDomainStatsRet> {
    if args.doms.len() > DOMAIN_LIST_MAX {
        return Err(too_large("too many domains"));
    }
    let conn = ctx.conn()?;
    let groups = StatsGroups(args.stats);
    let recs = if args.doms.is_empty() {
        conn.all_domain_stats(groups, args.flags)?
    } else {
        let doms = args
            .doms
            .iter()
            .map(|d| ctx.domain(d))
            .collect::<CallResult<Vec<Domain>>>()?;
        conn.domain_list_stats(&doms, groups, args.flags)?
    };
    if recs.len() > DOMAIN_LIST_MAX {
        return Err(too_large("Too many records in domain stats"));
    }
    Ok(ConnectGetAllDomainStatsRet {
        ret_stats: recs
            .into_iter()
            .map(|r| DomainStatsRecord {
                dom: remote_domain(&r.domain),
                params: r.params.into_iter().map(Into::into).collect(),
            })
            .collect(),
    })
}

/// DOMAIN_MEMORY_STATS.
pub(crate) fn memory_stats(
    ctx: &Ctx<'_>,
    args: DomainMemoryStatsArgs,
) -> CallResult<DomainMemoryStatsRet> {
    if args.max_stats > MEMORY_STATS_MAX {
        return Err(too_large("maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX"));
    }
    let stats = ctx
        .domain(&args.dom)?
        .memory_stats(args.max_stats, args.flags)?;
    Ok(DomainMemoryStatsRet {
        stats: stats
            .into_iter()
            .take(args.max_stats as usize)
            .map(|s| DomainMemoryStat {
                tag: s.tag.as_raw(),
                val: s.value,
            })
            .collect(),
    })
}

/// DOMAIN_GET_CONTROL_INFO.
pub(crate) fn get_control_info(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainGetControlInfoRet> {
    let i = ctx.domain(&args.dom)?.control_info(args.flags)?;
    Ok(DomainGetControlInfoRet {
        state: i.state,
        details: i.details,
        state_time: i.state_time_ms,
    })
}

/// DOMAIN_GET_BLOCK_INFO.
pub(crate) fn get_block_info(
    ctx: &Ctx<'_>,
    args: DomainGetBlockInfoArgs,
) -> CallResult<DomainGetBlockInfoRet> {
    let i = ctx.domain(&args.dom)?.block_info(&args.path, args.flags)?;
    Ok(DomainGetBlockInfoRet {
        allocation: i.allocation,
        capacity: i.capacity,
        physical: i.physical,
    })
}

/// DOMAIN_BLOCK_STATS.
pub(crate) fn block_stats(ctx: &Ctx<'_>, args: DomainPathArgs) -> CallResult<DomainBlockStatsRet> {
    let s = ctx.domain(&args.dom)?.block_stats(&args.path)?;
    Ok(DomainBlockStatsRet {
        rd_req: s.rd_req,
        rd_bytes: s.rd_bytes,
        wr_req: s.wr_req,
        wr_bytes: s.wr_bytes,
        errs: s.errs,
    })
}

/// DOMAIN_INTERFACE_STATS.
pub(crate) fn interface_stats(
    ctx: &Ctx<'_>,
    args: DomainPathArgs,
) -> CallResult<DomainInterfaceStatsRet> {
    let s = ctx.domain(&args.dom)?.interface_stats(&args.path)?;
    Ok(DomainInterfaceStatsRet {
        rx_bytes: s.rx_bytes,
        rx_packets: s.rx_packets,
        rx_errs: s.rx_errs,
        rx_drop: s.rx_drop,
        tx_bytes: s.tx_bytes,
        tx_packets: s.tx_packets,
        tx_errs: s.tx_errs,
        tx_drop: s.tx_drop,
    })
}

/// Checks a (count, bytes per map) request against libvirtd's limits.
fn map_request(
    count: i32,
    maplen: i32,
    count_max: usize,
    what: &str,
) -> CallResult<(usize, usize)> {
    let count = usize::try_from(count).map_err(|_| too_large(&format!("{what} < 0")))?;
    let maplen = usize::try_from(maplen).map_err(|_| too_large("maplen < 0"))?;
    if count > count_max {
        return Err(too_large(&format!("{what} > REMOTE_VCPUINFO_MAX")));
    }
    if count.saturating_mul(maplen) > CPUMAPS_MAX {
        return Err(too_large(&format!("{what} * maplen > REMOTE_CPUMAPS_MAX")));
    }
    Ok((count, maplen))
}

/// DOMAIN_GET_VCPUS.
pub(crate) fn get_vcpus(ctx: &Ctx<'_>, args: DomainGetVcpusArgs) -> CallResult<DomainGetVcpusRet> {
    let (max, maplen) = map_request(args.maxinfo, args.maplen, VCPUINFO_MAX, "maxinfo")?;
    let vcpus = ctx.domain(&args.dom)?.vcpus()?;
    let mut ret = DomainGetVcpusRet {
        info: Vec::new(),
        cpumaps: Vec::new(),
    };
    for (info, map) in vcpus.into_iter().take(max) {
        ret.info.push(VcpuInfo {
            number: info.number,
            state: info.state,
            cpu_time: info.cpu_time,
            cpu: info.cpu,
        });
        ret.cpumaps.extend(map.to_len(maplen));
    }
    Ok(ret)
}

/// DOMAIN_GET_VCPU_PIN_INFO.
pub(crate) fn get_vcpu_pin_info(
    ctx: &Ctx<'_>,
    args: DomainGetVcpuPinInfoArgs,
) -> CallResult<DomainGetVcpuPinInfoRet> {
    let (max, maplen) = map_request(args.ncpumaps, args.maplen, VCPUINFO_MAX, "ncpumaps")?;
    let maps = ctx.domain(&args.dom)?.vcpu_pin_info(args.flags)?;
    let num = i32::try_from(maps.len().min(max)).unwrap_or(i32::MAX);
    Ok(DomainGetVcpuPinInfoRet {
        cpumaps: maps
            .iter()
            .take(max)
            .flat_map(|m| m.to_len(maplen))
            .collect(),
        num,
    })
}

/// DOMAIN_GET_EMULATOR_PIN_INFO.
pub(crate) fn get_emulator_pin_info(
    ctx: &Ctx<'_>,
    args: DomainGetEmulatorPinInfoArgs,
) -> CallResult<DomainGetEmulatorPinInfoRet> {
    let (_, maplen) = map_request(1, args.maplen, 1, "ncpumaps")?;
    let map = ctx.domain(&args.dom)?.emulator_pin_info(args.flags)?;
    Ok(DomainGetEmulatorPinInfoRet {
        cpumaps: map.to_len(maplen),
        ret: 1,
    })
}

/// DOMAIN_GET_IOTHREAD_INFO.
pub(crate) fn get_iothread_info(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainGetIothreadInfoRet> {
    let info = ctx.domain(&args.dom)?.iothread_info(args.flags)?;
    Ok(DomainGetIothreadInfoRet {
        ret: u32::try_from(info.len()).unwrap_or(u32::MAX),
        info: info
            .into_iter()
            .map(|t| IoThreadInfo {
                iothread_id: t.id,
                cpumap: t.cpumap.0,
            })
            .collect(),
    })
}

/// DOMAIN_GET_CPU_STATS: with `nparams` 0 only counts (host CPUs when `ncpus` is 0
/// too, else parameters per CPU); otherwise `nparams` parameters per CPU, CPU after
/// CPU, as libvirt's client unpacks them.
pub(crate) fn get_cpu_stats(
    ctx: &Ctx<'_>,
    args: DomainGetCpuStatsArgs,
) -> CallResult<DomainGetCpuStatsRet> {
    if args.nparams as usize > CPU_STATS_MAX {
        return Err(too_large("nparams too large"));
    }
    if args.ncpus > CPU_STATS_NCPUS_MAX {
        return Err(too_large("ncpus too large"));
    }
    let dom = ctx.domain(&args.dom)?;
    if args.nparams == 0 {
        let n = if args.ncpus == 0 && args.start_cpu != -1 {
            dom.cpu_stats(0, u32::MAX, args.flags)?.len()
        } else {
            dom.cpu_stats(args.start_cpu, args.ncpus.max(1), args.flags)?
                .first()
                .map_or(0, Vec::len)
        };
        return Ok(DomainGetCpuStatsRet {
            params: Vec::new(),
            nparams: i32::try_from(n).unwrap_or(i32::MAX),
        });
    }
    let rows = dom.cpu_stats(args.start_cpu, args.ncpus, args.flags)?;
    let stride = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .min(args.nparams as usize);
    if rows.len() * stride > CPU_STATS_MAX {
        return Err(too_large("Too many params in cpu stats"));
    }
    let mut params = Vec::with_capacity(rows.len() * stride);
    for row in rows {
        let mut row: Vec<_> = row.into_iter().take(stride).map(Into::into).collect();
        // Every CPU fills a whole stride: libvirt's client unpacks by it.
        while row.len() < stride {
            row.push(rvirt_rpc::typed_param::TypedParam::new(
                "",
                rvirt_rpc::typed_param::TypedParamValue::ULLong(0),
            ));
        }
        params.extend(row);
    }
    Ok(DomainGetCpuStatsRet {
        params,
        nparams: i32::try_from(stride).unwrap_or(i32::MAX),
    })
}

/// DOMAIN_GET_HOSTNAME.
pub(crate) fn get_hostname(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainGetHostnameRet> {
    Ok(DomainGetHostnameRet {
        hostname: ctx.domain(&args.dom)?.guest_hostname(args.flags)?,
    })
}

/// DOMAIN_INTERFACE_ADDRESSES.
pub(crate) fn interface_addresses(
    ctx: &Ctx<'_>,
    args: DomainInterfaceAddressesArgs,
) -> CallResult<DomainInterfaceAddressesRet> {
    let ifaces = ctx
        .domain(&args.dom)?
        .interface_addresses(args.source, args.flags)?;
    Ok(DomainInterfaceAddressesRet {
        ifaces: ifaces
            .into_iter()
            .map(|i| DomainInterface {
                name: i.name,
                hwaddr: i.hwaddr,
                addrs: i
                    .addrs
                    .into_iter()
                    .map(|a| DomainIpAddr {
                        type_: a.kind,
                        addr: a.addr,
                        prefix: a.prefix,
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// DOMAIN_GET_FSINFO.
pub(crate) fn get_fsinfo(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<DomainGetFsinfoRet> {
    let info = ctx.domain(&args.dom)?.fs_info(args.flags)?;
    Ok(DomainGetFsinfoRet {
        ret: u32::try_from(info.len()).unwrap_or(u32::MAX),
        info: info
            .into_iter()
            .map(|f| DomainFsInfo {
                mountpoint: f.mountpoint,
                name: f.name,
                fstype: f.fstype,
                dev_aliases: f.dev_aliases,
            })
            .collect(),
    })
}

/// DOMAIN_GET_TIME.
pub(crate) fn get_time(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<DomainGetTimeRet> {
    let (seconds, nseconds) = ctx.domain(&args.dom)?.guest_time(args.flags)?;
    Ok(DomainGetTimeRet { seconds, nseconds })
}

/// DOMAIN_GET_DISK_ERRORS.
pub(crate) fn get_disk_errors(
    ctx: &Ctx<'_>,
    args: DomainGetDiskErrorsArgs,
) -> CallResult<DomainGetDiskErrorsRet> {
    if args.maxerrors > DISK_ERRORS_MAX {
        return Err(too_large("maxerrors too large"));
    }
    let errors = ctx.domain(&args.dom)?.disk_errors(args.flags)?;
    let nerrors = i32::try_from(errors.len()).unwrap_or(i32::MAX);
    Ok(DomainGetDiskErrorsRet {
        errors: errors
            .into_iter()
            .take(args.maxerrors as usize)
            .map(|(disk, error)| DomainDiskError { disk, error })
            .collect(),
        nerrors: if args.maxerrors == 0 {
            nerrors
        } else {
            nerrors.min(i32::try_from(args.maxerrors).unwrap_or(i32::MAX))
        },
    })
}

/// DOMAIN_GET_SCHEDULER_TYPE.
pub(crate) fn get_scheduler_type(
    ctx: &Ctx<'_>,
    args: DomainArgs,
) -> CallResult<DomainGetSchedulerTypeRet> {
    let (type_, nparams) = ctx.domain(&args.dom)?.scheduler_type()?;
    Ok(DomainGetSchedulerTypeRet { type_, nparams })
}

/// DOMAIN_GET_VCPUS_FLAGS.
pub(crate) fn get_vcpus_flags(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<NumRet> {
    let n = ctx.domain(&args.dom)?.vcpus_flags(args.flags)?;
    Ok(NumRet {
        num: i32::try_from(n).unwrap_or(i32::MAX),
    })
}

/// DOMAIN_GET_MAX_VCPUS.
pub(crate) fn get_max_vcpus(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<NumRet> {
    let n = ctx.domain(&args.dom)?.max_vcpus()?;
    Ok(NumRet {
        num: i32::try_from(n).unwrap_or(i32::MAX),
    })
}

/// DOMAIN_GET_MAX_MEMORY.
pub(crate) fn get_max_memory(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<DomainGetMaxMemoryRet> {
    Ok(DomainGetMaxMemoryRet {
        memory: ctx.domain(&args.dom)?.max_memory()?,
    })
}

/// DOMAIN_GET_OS_TYPE: the driver's answer, or for a driver without one the
/// `<os><type>` of the domain's XML.
pub(crate) fn get_os_type(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<DomainGetOsTypeRet> {
    let dom = ctx.domain(&args.dom)?;
    let type_ = match dom.os_type() {
        Err(e) if e.code() == ErrorCode::NoSupport => {
            let def = DomainDef::from_xml(&dom.xml_desc(0)?).map_err(rvirt_core::Error::from)?;
            def.os.os_type.value.as_str().to_string()
        }
        other => other?,
    };
    Ok(DomainGetOsTypeRet { type_ })
}

/// DOMAIN_GET_SECURITY_LABEL.
pub(crate) fn get_security_label(
    ctx: &Ctx<'_>,
    args: DomainArgs,
) -> CallResult<DomainGetSecurityLabelRet> {
    let l = ctx.domain(&args.dom)?.security_label()?;
    Ok(DomainGetSecurityLabelRet {
        label: c_chars(&l.label),
        enforcing: i32::from(l.enforcing),
    })
}

/// DOMAIN_GET_METADATA.
pub(crate) fn get_metadata(
    ctx: &Ctx<'_>,
    args: DomainGetMetadataArgs,
) -> CallResult<DomainGetMetadataRet> {
    let kind = metadata_type(args.type_)?;
    Ok(DomainGetMetadataRet {
        metadata: ctx
            .domain(&args.dom)?
            .metadata(kind, args.uri.as_deref(), args.flags)?,
    })
}

/// DOMAIN_SET_METADATA.
pub(crate) fn set_metadata(ctx: &Ctx<'_>, args: DomainSetMetadataArgs) -> CallResult<()> {
    let kind = metadata_type(args.type_)?;
    Ok(ctx.domain(&args.dom)?.set_metadata(
        kind,
        args.metadata.as_deref(),
        args.key.as_deref(),
        args.uri.as_deref(),
        args.flags,
    )?)
}

/// NODE_GET_FREE_MEMORY.
pub(crate) fn node_get_free_memory(ctx: &Ctx<'_>, (): ()) -> CallResult<NodeGetFreeMemoryRet> {
    Ok(NodeGetFreeMemoryRet {
        free_mem: ctx.conn()?.node_free_memory()?,
    })
}

/// NODE_GET_CELLS_FREE_MEMORY.
pub(crate) fn node_get_cells_free_memory(
    ctx: &Ctx<'_>,
    args: NodeGetCellsFreeMemoryArgs,
) -> CallResult<NodeGetCellsFreeMemoryRet> {
    if args.maxcells > NODE_MAX_CELLS {
        return Err(too_large("maxCells > REMOTE_NODE_MAX_CELLS"));
    }
    Ok(NodeGetCellsFreeMemoryRet {
        cells: ctx
            .conn()?
            .cells_free_memory(args.start_cell, args.maxcells)?,
    })
}

/// NODE_GET_CPU_MAP.
pub(crate) fn node_get_cpu_map(
    ctx: &Ctx<'_>,
    args: NodeGetCpuMapArgs,
) -> CallResult<NodeGetCpuMapRet> {
    let m = ctx.conn()?.node_cpu_map(args.flags)?;
    let online = (0..m.cpus).filter(|&c| m.online.is_set(c)).count();
    Ok(NodeGetCpuMapRet {
        cpumap: if args.need_map != 0 {
            m.online.to_len(m.cpus.div_ceil(8) as usize)
        } else {
            Vec::new()
        },
        online: if args.need_online != 0 {
            u32::try_from(online).unwrap_or(u32::MAX)
        } else {
            0
        },
        ret: i32::try_from(m.cpus).unwrap_or(i32::MAX),
    })
}

/// NODE_GET_SECURITY_MODEL (`char x<>` arrays, NUL counted; empty for no model).
pub(crate) fn node_get_security_model(
    ctx: &Ctx<'_>,
    (): (),
) -> CallResult<NodeGetSecurityModelRet> {
    // A driver without a security driver has the empty model (libvirt's "none").
    let m = match ctx.conn()?.security_model() {
        Err(e) if e.code() == ErrorCode::NoSupport => SecurityModel::default(),
        other => other?,
    };
    Ok(NodeGetSecurityModelRet {
        model: c_chars(&m.model),
        doi: c_chars(&m.doi),
    })
}

/// DOMAIN_MEMORY_PEEK.
pub(crate) fn memory_peek(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainMemoryPeekArgs,
) -> CallResult<rvirt_rpc::monitoring::DomainMemoryPeekRet> {
    if args.size > rvirt_rpc::monitoring::MEMORY_PEEK_BUFFER_MAX {
        return Err(rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::Rpc,
            "size > maximum buffer size",
        )
        .into());
    }
    let buffer = ctx
        .domain(&args.dom)?
        .memory_peek(args.offset, args.size, args.flags)?;
    Ok(rvirt_rpc::monitoring::DomainMemoryPeekRet { buffer })
}

/// DOMAIN_GET_LAUNCH_SECURITY_INFO.
pub(crate) fn get_launch_security_info(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::monitoring::DomainGetLaunchSecurityInfoArgs,
) -> CallResult<rvirt_rpc::monitoring::DomainGetLaunchSecurityInfoRet> {
    let params = ctx.domain(&args.dom)?.launch_security_info(args.flags)?;
    if params.len() > rvirt_rpc::monitoring::LAUNCH_SECURITY_INFO_PARAMS_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "too many launch security parameters",
        )
        .into());
    }
    Ok(rvirt_rpc::monitoring::DomainGetLaunchSecurityInfoRet {
        params: params.into_iter().map(Into::into).collect(),
    })
}

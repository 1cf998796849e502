//! Configuration procedures: memory, vCPUs, device attach/detach/update, rename.

use rvirt_core::{Error, ErrorCode, ErrorDomain};
use rvirt_rpc::configuration::*;
use rvirt_rpc_server::CallResult;

use super::{Ctx, CtxExt};

/// DOMAIN_SET_MAX_MEMORY.
pub(crate) fn set_max_memory(ctx: &Ctx<'_>, args: DomainSetMemoryArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.set_max_memory(args.memory)?)
}

/// DOMAIN_SET_MEMORY.
pub(crate) fn set_memory(ctx: &Ctx<'_>, args: DomainSetMemoryArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.set_memory(args.memory)?)
}

/// DOMAIN_SET_MEMORY_FLAGS.
pub(crate) fn set_memory_flags(ctx: &Ctx<'_>, args: DomainSetMemoryFlagsArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .set_memory_flags(args.memory, args.flags)?)
}

/// DOMAIN_SET_VCPUS.
pub(crate) fn set_vcpus(ctx: &Ctx<'_>, args: DomainSetVcpusArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.set_vcpus(args.nvcpus)?)
}

/// DOMAIN_SET_VCPUS_FLAGS.
pub(crate) fn set_vcpus_flags(ctx: &Ctx<'_>, args: DomainSetVcpusFlagsArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .set_vcpus_flags(args.nvcpus, args.flags)?)
}

/// DOMAIN_ATTACH_DEVICE.
pub(crate) fn attach_device(ctx: &Ctx<'_>, args: DomainDeviceArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.attach_device(&args.xml)?)
}

/// DOMAIN_DETACH_DEVICE.
pub(crate) fn detach_device(ctx: &Ctx<'_>, args: DomainDeviceArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.detach_device(&args.xml)?)
}

/// DOMAIN_ATTACH_DEVICE_FLAGS.
pub(crate) fn attach_device_flags(ctx: &Ctx<'_>, args: DomainDeviceFlagsArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .attach_device_flags(&args.xml, args.flags)?)
}

/// DOMAIN_DETACH_DEVICE_FLAGS.
pub(crate) fn detach_device_flags(ctx: &Ctx<'_>, args: DomainDeviceFlagsArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .detach_device_flags(&args.xml, args.flags)?)
}

/// DOMAIN_DETACH_DEVICE_ALIAS.
pub(crate) fn detach_device_alias(
    ctx: &Ctx<'_>,
    args: DomainDetachDeviceAliasArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .detach_device_alias(&args.alias, args.flags)?)
}

/// CONNECT_DOMAIN_XML_TO_NATIVE.
pub(crate) fn domain_xml_to_native(
    ctx: &Ctx<'_>,
    args: ConnectDomainXmlToNativeArgs,
) -> CallResult<ConnectDomainXmlToNativeRet> {
    let native_config =
        ctx.conn()?
            .domain_xml_to_native(&args.native_format, &args.domain_xml, args.flags)?;
    Ok(ConnectDomainXmlToNativeRet { native_config })
}

/// DOMAIN_UPDATE_DEVICE_FLAGS.
pub(crate) fn update_device_flags(ctx: &Ctx<'_>, args: DomainDeviceFlagsArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .update_device_flags(&args.xml, args.flags)?)
}

/// DOMAIN_RENAME.
pub(crate) fn rename(ctx: &Ctx<'_>, args: DomainRenameArgs) -> CallResult<DomainRenameRet> {
    let new_name = args.new_name.ok_or_else(|| {
        Error::verbatim(
            ErrorCode::InvalidArg,
            ErrorDomain::Domain,
            "new_name in virDomainRename must not be NULL",
        )
    })?;
    ctx.domain(&args.dom)?.rename(&new_name, args.flags)?;
    Ok(DomainRenameRet { retcode: 0 })
}

/// DOMAIN_SET_MEMORY_STATS_PERIOD.
pub(crate) fn set_memory_stats_period(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainSetMemoryStatsPeriodArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .set_memory_stats_period(args.period, args.flags)?)
}

/// A client's CPU map, bounded as libvirt bounds it.
fn cpumap(bytes: Vec<u8>) -> CallResult<rvirt_core::api::CpuMap> {
    if bytes.len() > rvirt_rpc::configuration::CPUMAP_MAX {
        return Err(rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::Rpc,
            "cpumap length greater than maximum",
        )
        .into());
    }
    Ok(rvirt_core::api::CpuMap(bytes))
}

/// DOMAIN_PIN_VCPU.
pub(crate) fn pin_vcpu(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainPinVcpuArgs,
) -> CallResult<()> {
    let map = cpumap(args.cpumap)?;
    Ok(ctx.domain(&args.dom)?.pin_vcpu(args.vcpu, &map)?)
}

/// DOMAIN_PIN_VCPU_FLAGS.
pub(crate) fn pin_vcpu_flags(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainPinVcpuFlagsArgs,
) -> CallResult<()> {
    let map = cpumap(args.cpumap)?;
    Ok(ctx
        .domain(&args.dom)?
        .pin_vcpu_flags(args.vcpu, &map, args.flags)?)
}

/// DOMAIN_PIN_EMULATOR.
pub(crate) fn pin_emulator(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainPinEmulatorArgs,
) -> CallResult<()> {
    let map = cpumap(args.cpumap)?;
    Ok(ctx.domain(&args.dom)?.pin_emulator(&map, args.flags)?)
}

pub(crate) fn set_lifecycle_action(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainSetLifecycleActionArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .set_lifecycle_action(args.kind, args.action, args.flags)?)
}

/// DOMAIN_ADD_IOTHREAD.
pub(crate) fn add_iothread(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainIothreadArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .add_iothread(args.iothread_id, args.flags)?)
}

/// DOMAIN_DEL_IOTHREAD.
pub(crate) fn del_iothread(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainIothreadArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .del_iothread(args.iothread_id, args.flags)?)
}

/// DOMAIN_SET_IOTHREAD_PARAMS.
pub(crate) fn set_iothread_params(
    ctx: &Ctx<'_>,
    args: DomainSetIothreadParamsArgs,
) -> CallResult<()> {
    if args.params.len() > IOTHREAD_PARAMS_MAX {
        return Err(Error::internal(ErrorDomain::Rpc, "too many iothread parameters").into());
    }
    let params: Vec<rvirt_core::api::TypedParam> =
        args.params.into_iter().map(Into::into).collect();
    Ok(ctx
        .domain(&args.dom)?
        .set_iothread_params(args.iothread_id, &params, args.flags)?)
}

/// DOMAIN_PIN_IOTHREAD.
pub(crate) fn pin_iothread(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::configuration::DomainPinIothreadArgs,
) -> CallResult<()> {
    let map = cpumap(args.cpumap)?;
    Ok(ctx
        .domain(&args.dom)?
        .pin_iothread(args.iothreads_id, &map, args.flags)?)
}

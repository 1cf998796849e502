//! Domain procedures: lookups, listings, information and lifecycle.

use rvirt_core::api::ListFlags;
use rvirt_core::{Domain, Uuid};
use rvirt_rpc::types::*;
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::err;

use super::events::remote_domain;
use super::{Ctx, CtxExt};

/// `VIR_DOMAIN_DEFINE_VALIDATE`, the only define flag rvirtd accepts.
const DEFINE_VALIDATE: u32 = 1;

fn dom_ret(dom: &Domain) -> DomainRet {
    DomainRet {
        dom: remote_domain(dom),
    }
}

/// DOMAIN_LOOKUP_BY_ID.
pub(crate) fn lookup_by_id(ctx: &Ctx<'_>, args: DomainLookupByIdArgs) -> CallResult<DomainRet> {
    // A negative id matches no active domain; the driver reports it as not found.
    let id = u32::try_from(args.id).unwrap_or(u32::MAX);
    Ok(dom_ret(&ctx.conn()?.lookup_domain_by_id(id)?))
}

/// DOMAIN_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(ctx: &Ctx<'_>, args: DomainLookupByNameArgs) -> CallResult<DomainRet> {
    Ok(dom_ret(&ctx.conn()?.lookup_domain_by_name(&args.name)?))
}

/// DOMAIN_LOOKUP_BY_UUID.
pub(crate) fn lookup_by_uuid(ctx: &Ctx<'_>, args: DomainLookupByUuidArgs) -> CallResult<DomainRet> {
    let uuid = Uuid::from_bytes(args.uuid);
    Ok(dom_ret(&ctx.conn()?.lookup_domain_by_uuid(&uuid)?))
}

/// CONNECT_LIST_ALL_DOMAINS.
pub(crate) fn list_all_domains(
    ctx: &Ctx<'_>,
    args: ConnectListAllDomainsArgs,
) -> CallResult<ConnectListAllDomainsRet> {
    let doms = ctx.conn()?.list_all_domains(ListFlags(args.flags))?;
    if doms.len() > DOMAIN_LIST_MAX {
        return Err(err(
            1,
            7,
            format!(
                "internal error: too many domains '{}' for limit '{DOMAIN_LIST_MAX}'",
                doms.len()
            ),
        ));
    }
    let count = doms.len() as u32;
    let domains = if args.need_results != 0 {
        doms.iter().map(remote_domain).collect()
    } else {
        Vec::new()
    };
    Ok(ConnectListAllDomainsRet {
        domains,
        ret: count,
    })
}

fn count(ctx: &Ctx<'_>, flags: ListFlags) -> CallResult<ConnectNumOfDomainsRet> {
    let n = ctx.conn()?.list_all_domains(flags)?.len();
    Ok(ConnectNumOfDomainsRet {
        num: i32::try_from(n).unwrap_or(i32::MAX),
    })
}

/// CONNECT_NUM_OF_DOMAINS (old listing API).
pub(crate) fn num_of_domains(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectNumOfDomainsRet> {
    count(ctx, ListFlags::ACTIVE)
}

/// CONNECT_NUM_OF_DEFINED_DOMAINS (old listing API).
pub(crate) fn num_of_defined_domains(ctx: &Ctx<'_>, (): ()) -> CallResult<ConnectNumOfDomainsRet> {
    count(ctx, ListFlags::INACTIVE)
}

/// The length limit of an old-style listing call, checked as libvirtd checks it: a
/// negative one or one above `REMOTE_DOMAIN_LIST_MAX` is refused (39 / 7), never cut.
fn list_max(max: i32, what: &str) -> CallResult<usize> {
    let n = usize::try_from(max).map_err(|_| err(39, 7, format!("{what} must be non-negative")))?;
    if n > DOMAIN_LIST_MAX {
        return Err(err(39, 7, format!("{what} > REMOTE_DOMAIN_LIST_MAX")));
    }
    Ok(n)
}

/// CONNECT_LIST_DOMAINS (old listing API): ids of active domains.
pub(crate) fn list_domains(
    ctx: &Ctx<'_>,
    args: ConnectListDomainsArgs,
) -> CallResult<ConnectListDomainsRet> {
    let conn = ctx.conn()?;
    let max = list_max(args.maxids, "maxids")?;
    let ids = conn
        .list_all_domains(ListFlags::ACTIVE)?
        .iter()
        .filter_map(|d| d.id().map(|i| i as i32))
        .take(max)
        .collect();
    Ok(ConnectListDomainsRet { ids })
}

/// CONNECT_LIST_DEFINED_DOMAINS (old listing API): names of inactive domains.
pub(crate) fn list_defined_domains(
    ctx: &Ctx<'_>,
    args: ConnectListDefinedDomainsArgs,
) -> CallResult<ConnectListDefinedDomainsRet> {
    let conn = ctx.conn()?;
    let max = list_max(args.maxnames, "maxnames")?;
    let names = conn
        .list_all_domains(ListFlags::INACTIVE)?
        .iter()
        .map(|d| d.name().to_string())
        .take(max)
        .collect();
    Ok(ConnectListDefinedDomainsRet { names })
}

/// DOMAIN_GET_INFO.
pub(crate) fn get_info(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<DomainGetInfoRet> {
    let info = ctx.domain(&args.dom)?.info()?;
    Ok(DomainGetInfoRet {
        state: info.state.as_raw() as u8,
        max_mem: info.max_mem_kib,
        memory: info.memory_kib,
        nr_virt_cpu: u16::try_from(info.nr_virt_cpu).unwrap_or(u16::MAX),
        cpu_time: info.cpu_time_ns,
    })
}

/// DOMAIN_GET_STATE.
pub(crate) fn get_state(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<DomainGetStateRet> {
    let st = ctx.domain(&args.dom)?.state()?;
    Ok(DomainGetStateRet {
        state: st.state().as_raw(),
        reason: st.reason_raw(),
    })
}

/// DOMAIN_GET_XML_DESC (core refuses the SECURE flag on read-only connections).
pub(crate) fn get_xml_desc(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainGetXmlDescRet> {
    Ok(DomainGetXmlDescRet {
        xml: ctx.domain(&args.dom)?.xml_desc(args.flags)?,
    })
}

/// DOMAIN_DEFINE_XML.
pub(crate) fn define_xml(ctx: &Ctx<'_>, args: DomainDefineXmlArgs) -> CallResult<DomainRet> {
    Ok(dom_ret(&ctx.conn()?.define_xml(&args.xml)?))
}

/// DOMAIN_DEFINE_XML_FLAGS (only `VIR_DOMAIN_DEFINE_VALIDATE`; definitions are
/// always checked against rvirt's model).
pub(crate) fn define_xml_flags(
    ctx: &Ctx<'_>,
    args: DomainDefineXmlFlagsArgs,
) -> CallResult<DomainRet> {
    check_flags(args.flags, DEFINE_VALIDATE, "virDomainDefineXMLFlags")?;
    Ok(dom_ret(&ctx.conn()?.define_xml(&args.xml)?))
}

fn check_flags(flags: u32, allowed: u32, api: &str) -> CallResult<()> {
    if flags & !allowed != 0 {
        return Err(err(
            8,
            20,
            format!(
                "invalid argument: unsupported flags (0x{:x}) in function {api}",
                flags & !allowed
            ),
        ));
    }
    Ok(())
}

/// DOMAIN_CREATE_XML: starts a transient domain (`virDomainCreateXML`).
pub(crate) fn create_xml(ctx: &Ctx<'_>, args: DomainCreateXmlArgs) -> CallResult<DomainRet> {
    Ok(dom_ret(
        &ctx.conn()?.create_xml(&args.xml_desc, args.flags)?,
    ))
}

/// DOMAIN_REBOOT.
pub(crate) fn reboot(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.reboot(args.flags)?)
}

/// DOMAIN_CREATE.
pub(crate) fn create(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.create()?)
}

/// DOMAIN_CREATE_WITH_FLAGS: returns the domain with its new id.
pub(crate) fn create_with_flags(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<DomainRet> {
    let mut dom = ctx.domain(&args.dom)?;
    dom.create_with_flags(args.flags)?;
    Ok(dom_ret(&dom))
}

/// DOMAIN_DESTROY.
pub(crate) fn destroy(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.destroy()?)
}

/// DOMAIN_DESTROY_FLAGS.
pub(crate) fn destroy_flags(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.destroy_with_flags(args.flags)?)
}

/// DOMAIN_SHUTDOWN.
pub(crate) fn shutdown(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.shutdown()?)
}

/// DOMAIN_SHUTDOWN_FLAGS.
pub(crate) fn shutdown_flags(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.shutdown_with_flags(args.flags)?)
}

/// DOMAIN_SUSPEND.
pub(crate) fn suspend(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.suspend()?)
}

/// DOMAIN_PM_WAKEUP.
pub(crate) fn pm_wakeup(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.pm_wakeup(args.flags)?)
}

/// DOMAIN_RESUME.
pub(crate) fn resume(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.resume()?)
}

/// DOMAIN_UNDEFINE.
pub(crate) fn undefine(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.undefine()?)
}

/// DOMAIN_UNDEFINE_FLAGS.
pub(crate) fn undefine_flags(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.undefine_with_flags(args.flags)?)
}

/// DOMAIN_IS_ACTIVE.
pub(crate) fn is_active(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<DomainIsActiveRet> {
    Ok(DomainIsActiveRet {
        active: ctx.domain(&args.dom)?.is_active()? as i32,
    })
}

/// DOMAIN_IS_PERSISTENT.
pub(crate) fn is_persistent(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<DomainIsPersistentRet> {
    Ok(DomainIsPersistentRet {
        persistent: ctx.domain(&args.dom)?.is_persistent()? as i32,
    })
}

/// DOMAIN_IS_UPDATED.
pub(crate) fn is_updated(
    ctx: &Ctx<'_>,
    args: DomainArgs,
) -> CallResult<rvirt_rpc::types::DomainIsUpdatedRet> {
    Ok(rvirt_rpc::types::DomainIsUpdatedRet {
        updated: i32::from(ctx.domain(&args.dom)?.is_updated()?),
    })
}

/// DOMAIN_SET_AUTOSTART.
pub(crate) fn set_autostart(ctx: &Ctx<'_>, args: DomainSetAutostartArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.set_autostart(args.autostart != 0)?)
}

/// DOMAIN_GET_AUTOSTART.
pub(crate) fn get_autostart(ctx: &Ctx<'_>, args: DomainArgs) -> CallResult<DomainGetAutostartRet> {
    Ok(DomainGetAutostartRet {
        autostart: ctx.domain(&args.dom)?.autostart()? as i32,
    })
}

/// DOMAIN_GET_MESSAGES: rvirt records no taint/deprecation messages.
pub(crate) fn get_messages(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainGetMessagesRet> {
    ctx.domain(&args.dom)?;
    Ok(DomainGetMessagesRet { msgs: Vec::new() })
}

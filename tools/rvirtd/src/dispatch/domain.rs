//! Domain procedures: lookups, listings, information and lifecycle.

use rvirt_core::api::ListFlags;
use rvirt_core::conf::DomainDef;
use rvirt_core::{Domain, Uuid};
use rvirt_rpc::types::*;

use super::{CallResult, Ctx, err, ret, void};
use crate::events::remote_domain;

/// `VIR_DOMAIN_DEFINE_VALIDATE`, the only define flag rvirtd accepts.
const DEFINE_VALIDATE: u32 = 1;

fn dom_ret(dom: &Domain) -> CallResult {
    ret(&DomainRet {
        dom: remote_domain(dom),
    })
}

fn with_dom(ctx: &Ctx<'_>) -> CallResult<Domain> {
    let args: DomainArgs = ctx.args()?;
    ctx.domain(&args.dom)
}

fn with_dom_flags(ctx: &Ctx<'_>) -> CallResult<(Domain, u32)> {
    let args: DomainFlagsArgs = ctx.args()?;
    Ok((ctx.domain(&args.dom)?, args.flags))
}

/// DOMAIN_LOOKUP_BY_ID.
pub fn lookup_by_id(ctx: &Ctx<'_>) -> CallResult {
    let args: DomainLookupByIdArgs = ctx.args()?;
    // A negative id matches no active domain; the driver reports it as not found.
    let id = u32::try_from(args.id).unwrap_or(u32::MAX);
    dom_ret(&ctx.conn()?.lookup_domain_by_id(id)?)
}

/// DOMAIN_LOOKUP_BY_NAME.
pub fn lookup_by_name(ctx: &Ctx<'_>) -> CallResult {
    let args: DomainLookupByNameArgs = ctx.args()?;
    dom_ret(&ctx.conn()?.lookup_domain_by_name(&args.name)?)
}

/// DOMAIN_LOOKUP_BY_UUID.
pub fn lookup_by_uuid(ctx: &Ctx<'_>) -> CallResult {
    let args: DomainLookupByUuidArgs = ctx.args()?;
    dom_ret(
        &ctx.conn()?
            .lookup_domain_by_uuid(&Uuid::from_bytes(args.uuid))?,
    )
}

/// CONNECT_LIST_ALL_DOMAINS.
pub fn list_all_domains(ctx: &Ctx<'_>) -> CallResult {
    let args: ConnectListAllDomainsArgs = ctx.args()?;
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
    ret(&ConnectListAllDomainsRet {
        domains,
        ret: count,
    })
}

fn count(ctx: &Ctx<'_>, flags: ListFlags) -> CallResult {
    let n = ctx.conn()?.list_all_domains(flags)?.len();
    ret(&ConnectNumOfDomainsRet {
        num: i32::try_from(n).unwrap_or(i32::MAX),
    })
}

/// CONNECT_NUM_OF_DOMAINS (old listing API).
pub fn num_of_domains(ctx: &Ctx<'_>) -> CallResult {
    count(ctx, ListFlags::ACTIVE)
}

/// CONNECT_NUM_OF_DEFINED_DOMAINS (old listing API).
pub fn num_of_defined_domains(ctx: &Ctx<'_>) -> CallResult {
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
pub fn list_domains(ctx: &Ctx<'_>) -> CallResult {
    let args: ConnectListDomainsArgs = ctx.args()?;
    let conn = ctx.conn()?;
    let max = list_max(args.maxids, "maxids")?;
    let ids = conn
        .list_all_domains(ListFlags::ACTIVE)?
        .iter()
        .filter_map(|d| d.id().map(|i| i as i32))
        .take(max)
        .collect();
    ret(&ConnectListDomainsRet { ids })
}

/// CONNECT_LIST_DEFINED_DOMAINS (old listing API): names of inactive domains.
pub fn list_defined_domains(ctx: &Ctx<'_>) -> CallResult {
    let args: ConnectListDefinedDomainsArgs = ctx.args()?;
    let conn = ctx.conn()?;
    let max = list_max(args.maxnames, "maxnames")?;
    let names = conn
        .list_all_domains(ListFlags::INACTIVE)?
        .iter()
        .map(|d| d.name().to_string())
        .take(max)
        .collect();
    ret(&ConnectListDefinedDomainsRet { names })
}

/// DOMAIN_GET_INFO.
pub fn get_info(ctx: &Ctx<'_>) -> CallResult {
    let info = with_dom(ctx)?.info()?;
    ret(&DomainGetInfoRet {
        state: info.state.as_raw() as u8,
        max_mem: info.max_mem_kib,
        memory: info.memory_kib,
        nr_virt_cpu: u16::try_from(info.nr_virt_cpu).unwrap_or(u16::MAX),
        cpu_time: info.cpu_time_ns,
    })
}

/// DOMAIN_GET_STATE.
pub fn get_state(ctx: &Ctx<'_>) -> CallResult {
    let (dom, _flags) = with_dom_flags(ctx)?;
    let st = dom.state()?;
    ret(&DomainGetStateRet {
        state: st.state().as_raw(),
        reason: st.reason_raw(),
    })
}

/// DOMAIN_GET_XML_DESC (core refuses the SECURE flag on read-only connections).
pub fn get_xml_desc(ctx: &Ctx<'_>) -> CallResult {
    let (dom, flags) = with_dom_flags(ctx)?;
    ret(&DomainGetXmlDescRet {
        xml: dom.xml_desc(flags)?,
    })
}

/// DOMAIN_GET_OS_TYPE, read from the domain's XML.
pub fn get_os_type(ctx: &Ctx<'_>) -> CallResult {
    let xml = with_dom(ctx)?.xml_desc(0)?;
    let def = DomainDef::from_xml(&xml).map_err(rvirt_core::Error::from)?;
    ret(&DomainGetOsTypeRet {
        type_: def.os.os_type.value.as_str().to_string(),
    })
}

/// DOMAIN_DEFINE_XML.
pub fn define_xml(ctx: &Ctx<'_>) -> CallResult {
    let args: DomainDefineXmlArgs = ctx.args()?;
    dom_ret(&ctx.conn()?.define_xml(&args.xml)?)
}

/// DOMAIN_DEFINE_XML_FLAGS (only `VIR_DOMAIN_DEFINE_VALIDATE`; definitions are
/// always checked against rvirt's model).
pub fn define_xml_flags(ctx: &Ctx<'_>) -> CallResult {
    let args: DomainDefineXmlFlagsArgs = ctx.args()?;
    check_flags(args.flags, DEFINE_VALIDATE, "virDomainDefineXMLFlags")?;
    dom_ret(&ctx.conn()?.define_xml(&args.xml)?)
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
pub fn create_xml(ctx: &Ctx<'_>) -> CallResult {
    let args: DomainCreateXmlArgs = ctx.args()?;
    dom_ret(&ctx.conn()?.create_xml(&args.xml_desc, args.flags)?)
}

/// DOMAIN_REBOOT.
pub fn reboot(ctx: &Ctx<'_>) -> CallResult {
    let (dom, flags) = with_dom_flags(ctx)?;
    dom.reboot(flags)?;
    void()
}

/// DOMAIN_CREATE.
pub fn create(ctx: &Ctx<'_>) -> CallResult {
    with_dom(ctx)?.create()?;
    void()
}

/// DOMAIN_CREATE_WITH_FLAGS: returns the domain with its new id.
pub fn create_with_flags(ctx: &Ctx<'_>) -> CallResult {
    let (mut dom, flags) = with_dom_flags(ctx)?;
    dom.create_with_flags(flags)?;
    dom_ret(&dom)
}

/// DOMAIN_DESTROY.
pub fn destroy(ctx: &Ctx<'_>) -> CallResult {
    with_dom(ctx)?.destroy()?;
    void()
}

/// DOMAIN_DESTROY_FLAGS.
pub fn destroy_flags(ctx: &Ctx<'_>) -> CallResult {
    let (dom, flags) = with_dom_flags(ctx)?;
    dom.destroy_with_flags(flags)?;
    void()
}

/// DOMAIN_SHUTDOWN.
pub fn shutdown(ctx: &Ctx<'_>) -> CallResult {
    with_dom(ctx)?.shutdown()?;
    void()
}

/// DOMAIN_SHUTDOWN_FLAGS.
pub fn shutdown_flags(ctx: &Ctx<'_>) -> CallResult {
    let (dom, flags) = with_dom_flags(ctx)?;
    dom.shutdown_with_flags(flags)?;
    void()
}

/// DOMAIN_SUSPEND.
pub fn suspend(ctx: &Ctx<'_>) -> CallResult {
    with_dom(ctx)?.suspend()?;
    void()
}

/// DOMAIN_RESUME.
pub fn resume(ctx: &Ctx<'_>) -> CallResult {
    with_dom(ctx)?.resume()?;
    void()
}

/// DOMAIN_UNDEFINE.
pub fn undefine(ctx: &Ctx<'_>) -> CallResult {
    with_dom(ctx)?.undefine()?;
    void()
}

/// DOMAIN_UNDEFINE_FLAGS.
pub fn undefine_flags(ctx: &Ctx<'_>) -> CallResult {
    let (dom, flags) = with_dom_flags(ctx)?;
    dom.undefine_with_flags(flags)?;
    void()
}

/// DOMAIN_IS_ACTIVE.
pub fn is_active(ctx: &Ctx<'_>) -> CallResult {
    ret(&DomainIsActiveRet {
        active: with_dom(ctx)?.is_active()? as i32,
    })
}

/// DOMAIN_IS_PERSISTENT.
pub fn is_persistent(ctx: &Ctx<'_>) -> CallResult {
    ret(&DomainIsPersistentRet {
        persistent: with_dom(ctx)?.is_persistent()? as i32,
    })
}

/// DOMAIN_GET_AUTOSTART.
pub fn get_autostart(ctx: &Ctx<'_>) -> CallResult {
    ret(&DomainGetAutostartRet {
        autostart: with_dom(ctx)?.autostart()? as i32,
    })
}

/// DOMAIN_HAS_MANAGED_SAVE_IMAGE: rvirt drivers have no managed save, so never.
pub fn has_managed_save_image(ctx: &Ctx<'_>) -> CallResult {
    with_dom_flags(ctx)?;
    ret(&DomainHasManagedSaveImageRet { result: 0 })
}

/// DOMAIN_SNAPSHOT_NUM: rvirt drivers have no snapshots.
pub fn snapshot_num(ctx: &Ctx<'_>) -> CallResult {
    with_dom_flags(ctx)?;
    ret(&DomainSnapshotNumRet { num: 0 })
}

/// DOMAIN_GET_MESSAGES: rvirt records no taint/deprecation messages.
pub fn get_messages(ctx: &Ctx<'_>) -> CallResult {
    with_dom_flags(ctx)?;
    ret(&DomainGetMessagesRet { msgs: Vec::new() })
}

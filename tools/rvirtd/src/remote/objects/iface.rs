//! Host interface procedures.

use rvirt_core::Connect;
use rvirt_core::api::Interface;
use rvirt_rpc::types::*;
use rvirt_rpc_server::CallResult;

use super::{as_api, list_all, max_names, num, yes};
use crate::remote::{Ctx, CtxExt};

fn iface(conn: Connect, w: RemoteNonnullInterface) -> Interface {
    Interface::from_ref(conn, w.into())
}

fn iface_ret(i: &Interface) -> IfaceRet {
    ObjRet {
        obj: i.object_ref().into(),
    }
}

/// CONNECT_LIST_ALL_INTERFACES.
pub(crate) fn list_all_interfaces(
    ctx: &Ctx<'_>,
    a: ListAllArgs,
) -> CallResult<ListAllRet<RemoteNonnullInterface>> {
    let ifaces = ctx.conn()?.list_all_interfaces(a.flags)?;
    list_all(
        &ifaces,
        a.need_results,
        INTERFACE_LIST_MAX,
        "interfaces",
        |i| i.object_ref().into(),
    )
}

fn names(ctx: &Ctx<'_>, flags: u32, maxnames: i32, api: &str) -> CallResult<NamesRet> {
    let max = max_names(maxnames, INTERFACE_LIST_MAX, "REMOTE_INTERFACE_LIST_MAX")?;
    let ifaces = as_api(ctx.conn()?.list_all_interfaces(flags), api)?;
    Ok(NamesRet {
        names: ifaces
            .iter()
            .take(max)
            .map(|i| i.name().to_string())
            .collect(),
    })
}

/// CONNECT_NUM_OF_INTERFACES (active).
pub(crate) fn num_of_interfaces(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let ifaces = as_api(
        ctx.conn()?.list_all_interfaces(2),
        "virConnectNumOfInterfaces",
    )?;
    Ok(num(ifaces.len()))
}

/// CONNECT_NUM_OF_DEFINED_INTERFACES (inactive).
pub(crate) fn num_of_defined_interfaces(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let ifaces = as_api(
        ctx.conn()?.list_all_interfaces(1),
        "virConnectNumOfDefinedInterfaces",
    )?;
    Ok(num(ifaces.len()))
}

/// CONNECT_LIST_INTERFACES (active).
pub(crate) fn list_interfaces(ctx: &Ctx<'_>, a: MaxNamesArgs) -> CallResult<NamesRet> {
    names(ctx, 2, a.maxnames, "virConnectListInterfaces")
}

/// CONNECT_LIST_DEFINED_INTERFACES (inactive).
pub(crate) fn list_defined_interfaces(ctx: &Ctx<'_>, a: MaxNamesArgs) -> CallResult<NamesRet> {
    names(ctx, 1, a.maxnames, "virConnectListDefinedInterfaces")
}

/// INTERFACE_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<IfaceRet> {
    Ok(iface_ret(&ctx.conn()?.lookup_interface_by_name(&a.name)?))
}

/// INTERFACE_LOOKUP_BY_MAC_STRING.
pub(crate) fn lookup_by_mac(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<IfaceRet> {
    Ok(iface_ret(&ctx.conn()?.lookup_interface_by_mac(&a.name)?))
}

/// INTERFACE_GET_XML_DESC.
pub(crate) fn get_xml_desc(ctx: &Ctx<'_>, a: IfaceFlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: iface(ctx.conn()?, a.obj).xml_desc(a.flags)?,
    })
}

/// INTERFACE_DEFINE_XML.
pub(crate) fn define_xml(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<IfaceRet> {
    Ok(iface_ret(
        &ctx.conn()?.interface_define_xml(&a.xml, a.flags)?,
    ))
}

/// INTERFACE_UNDEFINE.
pub(crate) fn undefine(ctx: &Ctx<'_>, a: IfaceArgs) -> CallResult<()> {
    Ok(iface(ctx.conn()?, a.obj).undefine()?)
}

/// INTERFACE_CREATE.
pub(crate) fn create(ctx: &Ctx<'_>, a: IfaceFlagsArgs) -> CallResult<()> {
    Ok(iface(ctx.conn()?, a.obj).create(a.flags)?)
}

/// INTERFACE_DESTROY.
pub(crate) fn destroy(ctx: &Ctx<'_>, a: IfaceFlagsArgs) -> CallResult<()> {
    Ok(iface(ctx.conn()?, a.obj).destroy(a.flags)?)
}

/// INTERFACE_IS_ACTIVE.
pub(crate) fn is_active(ctx: &Ctx<'_>, a: IfaceArgs) -> CallResult<IntRet> {
    Ok(yes(iface(ctx.conn()?, a.obj).is_active()?))
}

/// INTERFACE_CHANGE_BEGIN.
pub(crate) fn change_begin(ctx: &Ctx<'_>, a: FlagsArgs) -> CallResult<()> {
    Ok(ctx.conn()?.interface_change_begin(a.flags)?)
}

/// INTERFACE_CHANGE_COMMIT.
pub(crate) fn change_commit(ctx: &Ctx<'_>, a: FlagsArgs) -> CallResult<()> {
    Ok(ctx.conn()?.interface_change_commit(a.flags)?)
}

/// INTERFACE_CHANGE_ROLLBACK.
pub(crate) fn change_rollback(ctx: &Ctx<'_>, a: FlagsArgs) -> CallResult<()> {
    Ok(ctx.conn()?.interface_change_rollback(a.flags)?)
}

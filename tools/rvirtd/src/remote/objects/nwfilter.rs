//! Network filter and binding procedures.

use rvirt_core::api::{NwFilter, NwFilterBinding};
use rvirt_core::{Connect, Uuid};
use rvirt_rpc::types::*;
use rvirt_rpc_server::CallResult;

use super::{as_api, list_all, max_names, num};
use crate::remote::{Ctx, CtxExt};

fn filter(conn: Connect, w: RemoteNonnullNwfilter) -> NwFilter {
    NwFilter::from_ref(conn, w.into())
}

fn filter_ret(f: &NwFilter) -> NwfilterRet {
    ObjRet {
        obj: f.object_ref().into(),
    }
}

fn binding_ret(b: &NwFilterBinding) -> BindingRet {
    ObjRet {
        obj: b.object_ref().into(),
    }
}

/// CONNECT_LIST_ALL_NWFILTERS.
pub(crate) fn list_all_filters(
    ctx: &Ctx<'_>,
    a: ListAllArgs,
) -> CallResult<ListAllRet<RemoteNonnullNwfilter>> {
    let filters = ctx.conn()?.list_all_nwfilters(a.flags)?;
    list_all(
        &filters,
        a.need_results,
        NWFILTER_LIST_MAX,
        "nwfilters",
        |f| f.object_ref().into(),
    )
}

/// CONNECT_NUM_OF_NWFILTERS.
pub(crate) fn num_of_filters(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let filters = as_api(
        ctx.conn()?.list_all_nwfilters(0),
        "virConnectNumOfNWFilters",
    )?;
    Ok(num(filters.len()))
}

/// CONNECT_LIST_NWFILTERS.
pub(crate) fn list_filters(ctx: &Ctx<'_>, a: MaxNamesArgs) -> CallResult<NamesRet> {
    let max = max_names(a.maxnames, NWFILTER_LIST_MAX, "REMOTE_NWFILTER_LIST_MAX")?;
    let filters = as_api(ctx.conn()?.list_all_nwfilters(0), "virConnectListNWFilters")?;
    Ok(NamesRet {
        names: filters
            .iter()
            .take(max)
            .map(|f| f.name().to_string())
            .collect(),
    })
}

/// NWFILTER_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<NwfilterRet> {
    Ok(filter_ret(&ctx.conn()?.lookup_nwfilter_by_name(&a.name)?))
}

/// NWFILTER_LOOKUP_BY_UUID.
pub(crate) fn lookup_by_uuid(ctx: &Ctx<'_>, a: UuidArgs) -> CallResult<NwfilterRet> {
    Ok(filter_ret(
        &ctx.conn()?
            .lookup_nwfilter_by_uuid(&Uuid::from_bytes(a.uuid))?,
    ))
}

/// NWFILTER_DEFINE_XML.
pub(crate) fn define_xml(ctx: &Ctx<'_>, a: XmlArgs) -> CallResult<NwfilterRet> {
    Ok(filter_ret(&ctx.conn()?.nwfilter_define_xml(&a.xml, 0)?))
}

/// NWFILTER_DEFINE_XML_FLAGS.
pub(crate) fn define_xml_flags(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<NwfilterRet> {
    Ok(filter_ret(
        &ctx.conn()?.nwfilter_define_xml(&a.xml, a.flags)?,
    ))
}

/// NWFILTER_UNDEFINE.
pub(crate) fn undefine(ctx: &Ctx<'_>, a: NwfilterArgs) -> CallResult<()> {
    Ok(filter(ctx.conn()?, a.obj).undefine()?)
}

/// NWFILTER_GET_XML_DESC.
pub(crate) fn get_xml_desc(ctx: &Ctx<'_>, a: NwfilterFlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: filter(ctx.conn()?, a.obj).xml_desc(a.flags)?,
    })
}

/// CONNECT_LIST_ALL_NWFILTER_BINDINGS.
pub(crate) fn list_all_bindings(
    ctx: &Ctx<'_>,
    a: ListAllArgs,
) -> CallResult<ListAllRet<RemoteNonnullNwfilterBinding>> {
    let bindings = ctx.conn()?.list_all_nwfilter_bindings(a.flags)?;
    list_all(
        &bindings,
        a.need_results,
        NWFILTER_LIST_MAX,
        "nwfilter bindings",
        |b| b.object_ref().into(),
    )
}

/// NWFILTER_BINDING_LOOKUP_BY_PORT_DEV.
pub(crate) fn binding_lookup(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<BindingRet> {
    Ok(binding_ret(
        &ctx.conn()?.lookup_nwfilter_binding_by_port_dev(&a.name)?,
    ))
}

/// NWFILTER_BINDING_CREATE_XML.
pub(crate) fn binding_create_xml(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<BindingRet> {
    Ok(binding_ret(
        &ctx.conn()?.nwfilter_binding_create_xml(&a.xml, a.flags)?,
    ))
}

/// NWFILTER_BINDING_GET_XML_DESC.
pub(crate) fn binding_get_xml_desc(ctx: &Ctx<'_>, a: BindingFlagsArgs) -> CallResult<XmlRet> {
    let b = NwFilterBinding::from_ref(ctx.conn()?, a.obj.into());
    Ok(XmlRet {
        xml: b.xml_desc(a.flags)?,
    })
}

/// NWFILTER_BINDING_DELETE.
pub(crate) fn binding_delete(ctx: &Ctx<'_>, a: BindingArgs) -> CallResult<()> {
    Ok(NwFilterBinding::from_ref(ctx.conn()?, a.obj.into()).delete()?)
}

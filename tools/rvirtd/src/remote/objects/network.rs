//! Network and network port procedures.

use rvirt_core::api::{Network, NetworkPort};
use rvirt_core::{Connect, Uuid};
use rvirt_rpc::types::*;
use rvirt_rpc_server::CallResult;

use super::{as_api, list_all, max_names, num, yes};
use crate::remote::{Ctx, CtxExt};

fn net(conn: Connect, w: RemoteNonnullNetwork) -> Network {
    Network::from_ref(conn, w.into())
}

fn net_ret(n: &Network) -> NetRet {
    ObjRet {
        obj: n.object_ref().into(),
    }
}

fn port_ret(p: &NetworkPort) -> PortRet {
    ObjRet {
        obj: p.object_ref().into(),
    }
}

/// CONNECT_LIST_ALL_NETWORKS.
pub(crate) fn list_all_networks(
    ctx: &Ctx<'_>,
    a: ListAllArgs,
) -> CallResult<ListAllRet<RemoteNonnullNetwork>> {
    let nets = ctx.conn()?.list_all_networks(a.flags)?;
    list_all(&nets, a.need_results, NETWORK_LIST_MAX, "networks", |n| {
        n.object_ref().into()
    })
}

fn names(ctx: &Ctx<'_>, flags: u32, maxnames: i32, api: &str) -> CallResult<NamesRet> {
    let max = max_names(maxnames, NETWORK_LIST_MAX, "REMOTE_NETWORK_LIST_MAX")?;
    let nets = as_api(ctx.conn()?.list_all_networks(flags), api)?;
    Ok(NamesRet {
        names: nets
            .iter()
            .take(max)
            .map(|n| n.name().to_string())
            .collect(),
    })
}

/// CONNECT_NUM_OF_NETWORKS (active).
pub(crate) fn num_of_networks(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let nets = as_api(ctx.conn()?.list_all_networks(2), "virConnectNumOfNetworks")?;
    Ok(num(nets.len()))
}

/// CONNECT_NUM_OF_DEFINED_NETWORKS (inactive).
pub(crate) fn num_of_defined_networks(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let nets = as_api(
        ctx.conn()?.list_all_networks(1),
        "virConnectNumOfDefinedNetworks",
    )?;
    Ok(num(nets.len()))
}

/// CONNECT_LIST_NETWORKS (active).
pub(crate) fn list_networks(ctx: &Ctx<'_>, a: MaxNamesArgs) -> CallResult<NamesRet> {
    names(ctx, 2, a.maxnames, "virConnectListNetworks")
}

/// CONNECT_LIST_DEFINED_NETWORKS (inactive).
pub(crate) fn list_defined_networks(ctx: &Ctx<'_>, a: MaxNamesArgs) -> CallResult<NamesRet> {
    names(ctx, 1, a.maxnames, "virConnectListDefinedNetworks")
}

/// NETWORK_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<NetRet> {
    Ok(net_ret(&ctx.conn()?.lookup_network_by_name(&a.name)?))
}

/// NETWORK_LOOKUP_BY_UUID.
pub(crate) fn lookup_by_uuid(ctx: &Ctx<'_>, a: UuidArgs) -> CallResult<NetRet> {
    Ok(net_ret(
        &ctx.conn()?
            .lookup_network_by_uuid(&Uuid::from_bytes(a.uuid))?,
    ))
}

/// NETWORK_DEFINE_XML.
pub(crate) fn define_xml(ctx: &Ctx<'_>, a: XmlArgs) -> CallResult<NetRet> {
    Ok(net_ret(&ctx.conn()?.network_define_xml(&a.xml, 0)?))
}

/// NETWORK_DEFINE_XML_FLAGS.
pub(crate) fn define_xml_flags(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<NetRet> {
    Ok(net_ret(&ctx.conn()?.network_define_xml(&a.xml, a.flags)?))
}

/// NETWORK_CREATE_XML.
pub(crate) fn create_xml(ctx: &Ctx<'_>, a: XmlArgs) -> CallResult<NetRet> {
    Ok(net_ret(&ctx.conn()?.network_create_xml(&a.xml, 0)?))
}

/// NETWORK_CREATE_XML_FLAGS.
pub(crate) fn create_xml_flags(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<NetRet> {
    Ok(net_ret(&ctx.conn()?.network_create_xml(&a.xml, a.flags)?))
}

/// NETWORK_UNDEFINE.
pub(crate) fn undefine(ctx: &Ctx<'_>, a: NetArgs) -> CallResult<()> {
    Ok(net(ctx.conn()?, a.obj).undefine()?)
}

/// NETWORK_CREATE.
pub(crate) fn create(ctx: &Ctx<'_>, a: NetArgs) -> CallResult<()> {
    Ok(net(ctx.conn()?, a.obj).create()?)
}

/// NETWORK_DESTROY.
pub(crate) fn destroy(ctx: &Ctx<'_>, a: NetArgs) -> CallResult<()> {
    Ok(net(ctx.conn()?, a.obj).destroy()?)
}

/// NETWORK_GET_XML_DESC.
pub(crate) fn get_xml_desc(ctx: &Ctx<'_>, a: NetFlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: net(ctx.conn()?, a.obj).xml_desc(a.flags)?,
    })
}

/// NETWORK_GET_BRIDGE_NAME.
pub(crate) fn get_bridge_name(ctx: &Ctx<'_>, a: NetArgs) -> CallResult<NameRet> {
    Ok(NameRet {
        name: net(ctx.conn()?, a.obj).bridge_name()?,
    })
}

/// NETWORK_GET_AUTOSTART.
pub(crate) fn get_autostart(ctx: &Ctx<'_>, a: NetArgs) -> CallResult<IntRet> {
    Ok(yes(net(ctx.conn()?, a.obj).autostart()?))
}

/// NETWORK_SET_AUTOSTART.
pub(crate) fn set_autostart(ctx: &Ctx<'_>, a: ObjIntArgs<RemoteNonnullNetwork>) -> CallResult<()> {
    Ok(net(ctx.conn()?, a.obj).set_autostart(a.value != 0)?)
}

/// NETWORK_IS_ACTIVE.
pub(crate) fn is_active(ctx: &Ctx<'_>, a: NetArgs) -> CallResult<IntRet> {
    Ok(yes(net(ctx.conn()?, a.obj).is_active()?))
}

/// NETWORK_IS_PERSISTENT.
pub(crate) fn is_persistent(ctx: &Ctx<'_>, a: NetArgs) -> CallResult<IntRet> {
    Ok(yes(net(ctx.conn()?, a.obj).is_persistent()?))
}

/// NETWORK_UPDATE. rvirtd announces `NETWORK_UPDATE_HAS_CORRECT_ORDER` (feature 16), so
/// clients send the command first and the section second.
pub(crate) fn update(ctx: &Ctx<'_>, a: NetworkUpdateArgs) -> CallResult<()> {
    Ok(net(ctx.conn()?, a.net).update(a.command, a.section, a.parent_index, &a.xml, a.flags)?)
}

/// NETWORK_GET_DHCP_LEASES.
pub(crate) fn get_dhcp_leases(
    ctx: &Ctx<'_>,
    a: NetworkGetDhcpLeasesArgs,
) -> CallResult<NetworkGetDhcpLeasesRet> {
    let leases = net(ctx.conn()?, a.net).dhcp_leases(a.mac.as_deref(), a.flags)?;
    let wire = list_all(
        &leases,
        a.need_results,
        NETWORK_DHCP_LEASES_MAX,
        "leases",
        |l| NetworkDhcpLease {
            iface: l.iface.clone(),
            expirytime: l.expiry_time,
            type_: l.ip_type,
            mac: l.mac.clone(),
            iaid: l.iaid.clone(),
            ipaddr: l.ip.clone(),
            prefix: l.prefix,
            hostname: l.hostname.clone(),
            clientid: l.client_id.clone(),
        },
    )?;
    Ok(NetworkGetDhcpLeasesRet {
        leases: wire.items,
        ret: wire.ret,
    })
}

/// NETWORK_LIST_ALL_PORTS.
pub(crate) fn list_all_ports(
    ctx: &Ctx<'_>,
    a: ObjListAllArgs<RemoteNonnullNetwork>,
) -> CallResult<ListAllRet<RemoteNonnullNetworkPort>> {
    let ports = net(ctx.conn()?, a.obj).list_all_ports(a.flags)?;
    list_all(&ports, a.need_results, NETWORK_LIST_MAX, "ports", |p| {
        p.object_ref().into()
    })
}

/// NETWORK_PORT_LOOKUP_BY_UUID.
pub(crate) fn port_lookup_by_uuid(
    ctx: &Ctx<'_>,
    a: ObjUuidArgs<RemoteNonnullNetwork>,
) -> CallResult<PortRet> {
    Ok(port_ret(
        &net(ctx.conn()?, a.obj).port_lookup_by_uuid(&Uuid::from_bytes(a.uuid))?,
    ))
}

/// NETWORK_PORT_CREATE_XML.
pub(crate) fn port_create_xml(
    ctx: &Ctx<'_>,
    a: ObjXmlFlagsArgs<RemoteNonnullNetwork>,
) -> CallResult<PortRet> {
    Ok(port_ret(
        &net(ctx.conn()?, a.obj).port_create_xml(&a.xml, a.flags)?,
    ))
}

/// NETWORK_PORT_GET_XML_DESC.
pub(crate) fn port_get_xml_desc(ctx: &Ctx<'_>, a: PortFlagsArgs) -> CallResult<XmlRet> {
    let port = NetworkPort::from_ref(ctx.conn()?, a.obj.into());
    Ok(XmlRet {
        xml: port.xml_desc(a.flags)?,
    })
}

/// NETWORK_PORT_DELETE.
pub(crate) fn port_delete(ctx: &Ctx<'_>, a: PortFlagsArgs) -> CallResult<()> {
    Ok(NetworkPort::from_ref(ctx.conn()?, a.obj.into()).delete(a.flags)?)
}

/// NETWORK_PORT_GET_PARAMETERS.
pub(crate) fn port_get_parameters(
    ctx: &Ctx<'_>,
    a: NetworkPortGetParametersArgs,
) -> CallResult<NetworkPortGetParametersRet> {
    let params = NetworkPort::from_ref(ctx.conn()?, a.port.into()).get_parameters(a.flags)?;
    let params: Vec<rvirt_rpc::typed_param::TypedParam> = params
        .into_iter()
        .take(NETWORK_PORT_PARAMETERS_MAX)
        .map(Into::into)
        .collect();
    Ok(NetworkPortGetParametersRet {
        nparams: i32::try_from(params.len()).unwrap_or(i32::MAX),
        params,
    })
}

/// NETWORK_PORT_SET_PARAMETERS.
pub(crate) fn port_set_parameters(
    ctx: &Ctx<'_>,
    a: NetworkPortSetParametersArgs,
) -> CallResult<()> {
    if a.params.len() > NETWORK_PORT_PARAMETERS_MAX {
        return Err(rvirt_rpc_server::error::err(
            39,
            7,
            format!(
                "too many parameters '{}' for limit '{NETWORK_PORT_PARAMETERS_MAX}'",
                a.params.len()
            ),
        ));
    }
    let params: Vec<rvirt_core::api::TypedParam> = a.params.into_iter().map(Into::into).collect();
    Ok(NetworkPort::from_ref(ctx.conn()?, a.port.into()).set_parameters(&params, a.flags)?)
}

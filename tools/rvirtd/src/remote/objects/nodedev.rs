//! Node device procedures.

use rvirt_core::api::NodeDevice;
use rvirt_core::driver::NodeDeviceRef;
use rvirt_rpc::types::*;
use rvirt_rpc_server::CallResult;

use super::{as_api, list_all, max_names, num, yes};
use crate::remote::{Ctx, CtxExt};

fn dev(ctx: &Ctx<'_>, name: String) -> CallResult<NodeDevice> {
    Ok(NodeDevice::from_ref(ctx.conn()?, NodeDeviceRef { name }))
}

fn dev_ret(d: &NodeDevice) -> DevRet {
    ObjRet {
        obj: d.object_ref().into(),
    }
}

/// CONNECT_LIST_ALL_NODE_DEVICES.
pub(crate) fn list_all_devices(
    ctx: &Ctx<'_>,
    a: ListAllArgs,
) -> CallResult<ListAllRet<RemoteNonnullNodeDevice>> {
    let devs = ctx.conn()?.list_all_node_devices(a.flags)?;
    list_all(
        &devs,
        a.need_results,
        NODE_DEVICE_LIST_MAX,
        "node devices",
        |d| d.object_ref().into(),
    )
}

/// NODE_NUM_OF_DEVICES.
pub(crate) fn num_of_devices(ctx: &Ctx<'_>, a: NodeNumOfDevicesArgs) -> CallResult<NumRet> {
    let names = as_api(
        ctx.conn()?.node_list_devices(a.cap.as_deref(), a.flags),
        "virNodeNumOfDevices",
    )?;
    Ok(num(names.len()))
}

/// NODE_LIST_DEVICES.
pub(crate) fn list_devices(ctx: &Ctx<'_>, a: NodeListDevicesArgs) -> CallResult<NamesRet> {
    let max = max_names(
        a.maxnames,
        NODE_DEVICE_LIST_MAX,
        "REMOTE_NODE_DEVICE_LIST_MAX",
    )?;
    let mut names = ctx.conn()?.node_list_devices(a.cap.as_deref(), a.flags)?;
    names.truncate(max);
    Ok(NamesRet { names })
}

/// NODE_DEVICE_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<DevRet> {
    Ok(dev_ret(&ctx.conn()?.lookup_node_device_by_name(&a.name)?))
}

/// NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN.
pub(crate) fn lookup_scsi_host_by_wwn(
    ctx: &Ctx<'_>,
    a: NodeDeviceLookupScsiHostByWwnArgs,
) -> CallResult<DevRet> {
    Ok(dev_ret(
        &ctx.conn()?
            .lookup_scsi_host_by_wwn(&a.wwnn, &a.wwpn, a.flags)?,
    ))
}

/// NODE_DEVICE_GET_XML_DESC.
pub(crate) fn get_xml_desc(ctx: &Ctx<'_>, a: NameFlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: dev(ctx, a.name)?.xml_desc(a.flags)?,
    })
}

/// NODE_DEVICE_GET_PARENT.
pub(crate) fn get_parent(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<NodeDeviceGetParentRet> {
    Ok(NodeDeviceGetParentRet {
        parent_name: dev(ctx, a.name)?.parent()?,
    })
}

/// NODE_DEVICE_NUM_OF_CAPS.
pub(crate) fn num_of_caps(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<NumRet> {
    let caps = as_api(dev(ctx, a.name)?.list_caps(), "virNodeDeviceNumOfCaps")?;
    Ok(num(caps.len()))
}

/// NODE_DEVICE_LIST_CAPS.
pub(crate) fn list_caps(ctx: &Ctx<'_>, a: NodeDeviceListCapsArgs) -> CallResult<NamesRet> {
    let max = max_names(
        a.maxnames,
        NODE_DEVICE_CAPS_LIST_MAX,
        "REMOTE_NODE_DEVICE_CAPS_LIST_MAX",
    )?;
    let mut names = dev(ctx, a.name)?.list_caps()?;
    names.truncate(max);
    Ok(NamesRet { names })
}

/// NODE_DEVICE_DETTACH.
pub(crate) fn dettach(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.detach(None, 0)?)
}

/// NODE_DEVICE_DETACH_FLAGS.
pub(crate) fn detach_flags(ctx: &Ctx<'_>, a: NodeDeviceDetachFlagsArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.detach(a.driver_name.as_deref(), a.flags)?)
}

/// NODE_DEVICE_RE_ATTACH.
pub(crate) fn reattach(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.reattach()?)
}

/// NODE_DEVICE_RESET.
pub(crate) fn reset(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.reset()?)
}

/// NODE_DEVICE_CREATE_XML.
pub(crate) fn create_xml(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<DevRet> {
    Ok(dev_ret(
        &ctx.conn()?.node_device_create_xml(&a.xml, a.flags)?,
    ))
}

/// NODE_DEVICE_DEFINE_XML.
pub(crate) fn define_xml(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<DevRet> {
    Ok(dev_ret(
        &ctx.conn()?.node_device_define_xml(&a.xml, a.flags)?,
    ))
}

/// NODE_DEVICE_DESTROY.
pub(crate) fn destroy(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.destroy()?)
}

/// NODE_DEVICE_UNDEFINE.
pub(crate) fn undefine(ctx: &Ctx<'_>, a: NameFlagsArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.undefine(a.flags)?)
}

/// NODE_DEVICE_CREATE.
pub(crate) fn create(ctx: &Ctx<'_>, a: NameFlagsArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.create(a.flags)?)
}

/// NODE_DEVICE_GET_AUTOSTART.
pub(crate) fn get_autostart(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<IntRet> {
    Ok(yes(dev(ctx, a.name)?.autostart()?))
}

/// NODE_DEVICE_SET_AUTOSTART.
pub(crate) fn set_autostart(ctx: &Ctx<'_>, a: NameIntArgs) -> CallResult<()> {
    Ok(dev(ctx, a.name)?.set_autostart(a.value != 0)?)
}

/// NODE_DEVICE_IS_PERSISTENT.
pub(crate) fn is_persistent(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<IntRet> {
    Ok(yes(dev(ctx, a.name)?.is_persistent()?))
}

/// NODE_DEVICE_IS_ACTIVE.
pub(crate) fn is_active(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<IntRet> {
    Ok(yes(dev(ctx, a.name)?.is_active()?))
}

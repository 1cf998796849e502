//! Storage pool procedures.

use rvirt_core::api::StoragePool;
use rvirt_core::{Connect, Uuid};
use rvirt_rpc::types::*;
use rvirt_rpc_server::CallResult;

use super::{as_api, list_all, max_names, num, yes};
use crate::remote::{Ctx, CtxExt};

pub(crate) fn pool(conn: Connect, w: RemoteNonnullStoragePool) -> StoragePool {
    StoragePool::from_ref(conn, w.into())
}

pub(crate) fn pool_ret(p: &StoragePool) -> PoolRet {
    ObjRet {
        obj: p.object_ref().into(),
    }
}

/// CONNECT_LIST_ALL_STORAGE_POOLS.
pub(crate) fn list_all_pools(
    ctx: &Ctx<'_>,
    a: ListAllArgs,
) -> CallResult<ListAllRet<RemoteNonnullStoragePool>> {
    let pools = ctx.conn()?.list_all_storage_pools(a.flags)?;
    list_all(
        &pools,
        a.need_results,
        STORAGE_POOL_LIST_MAX,
        "storage pools",
        |p| p.object_ref().into(),
    )
}

fn names(ctx: &Ctx<'_>, flags: u32, maxnames: i32, api: &str) -> CallResult<NamesRet> {
    let max = max_names(
        maxnames,
        STORAGE_POOL_LIST_MAX,
        "REMOTE_STORAGE_POOL_LIST_MAX",
    )?;
    let pools = as_api(ctx.conn()?.list_all_storage_pools(flags), api)?;
    Ok(NamesRet {
        names: pools
            .iter()
            .take(max)
            .map(|p| p.name().to_string())
            .collect(),
    })
}

/// CONNECT_NUM_OF_STORAGE_POOLS (active).
pub(crate) fn num_of_pools(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let pools = as_api(
        ctx.conn()?.list_all_storage_pools(2),
        "virConnectNumOfStoragePools",
    )?;
    Ok(num(pools.len()))
}

/// CONNECT_NUM_OF_DEFINED_STORAGE_POOLS (inactive).
pub(crate) fn num_of_defined_pools(ctx: &Ctx<'_>, (): ()) -> CallResult<NumRet> {
    let pools = as_api(
        ctx.conn()?.list_all_storage_pools(1),
        "virConnectNumOfDefinedStoragePools",
    )?;
    Ok(num(pools.len()))
}

/// CONNECT_LIST_STORAGE_POOLS (active).
pub(crate) fn list_pools(ctx: &Ctx<'_>, a: MaxNamesArgs) -> CallResult<NamesRet> {
    names(ctx, 2, a.maxnames, "virConnectListStoragePools")
}

/// CONNECT_LIST_DEFINED_STORAGE_POOLS (inactive).
pub(crate) fn list_defined_pools(ctx: &Ctx<'_>, a: MaxNamesArgs) -> CallResult<NamesRet> {
    names(ctx, 1, a.maxnames, "virConnectListDefinedStoragePools")
}

/// CONNECT_FIND_STORAGE_POOL_SOURCES.
pub(crate) fn find_sources(
    ctx: &Ctx<'_>,
    a: ConnectFindStoragePoolSourcesArgs,
) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: ctx
            .conn()?
            .find_storage_pool_sources(&a.type_, a.src_spec.as_deref(), a.flags)?,
    })
}

/// CONNECT_GET_STORAGE_POOL_CAPABILITIES.
pub(crate) fn capabilities(ctx: &Ctx<'_>, a: FlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: ctx.conn()?.storage_pool_capabilities(a.flags)?,
    })
}

/// STORAGE_POOL_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<PoolRet> {
    Ok(pool_ret(&ctx.conn()?.lookup_storage_pool_by_name(&a.name)?))
}

/// STORAGE_POOL_LOOKUP_BY_UUID.
pub(crate) fn lookup_by_uuid(ctx: &Ctx<'_>, a: UuidArgs) -> CallResult<PoolRet> {
    Ok(pool_ret(
        &ctx.conn()?
            .lookup_storage_pool_by_uuid(&Uuid::from_bytes(a.uuid))?,
    ))
}

/// STORAGE_POOL_LOOKUP_BY_TARGET_PATH.
pub(crate) fn lookup_by_target_path(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<PoolRet> {
    Ok(pool_ret(
        &ctx.conn()?.lookup_storage_pool_by_target_path(&a.name)?,
    ))
}

/// STORAGE_POOL_DEFINE_XML.
pub(crate) fn define_xml(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<PoolRet> {
    Ok(pool_ret(
        &ctx.conn()?.storage_pool_define_xml(&a.xml, a.flags)?,
    ))
}

/// STORAGE_POOL_CREATE_XML.
pub(crate) fn create_xml(ctx: &Ctx<'_>, a: XmlFlagsArgs) -> CallResult<PoolRet> {
    Ok(pool_ret(
        &ctx.conn()?.storage_pool_create_xml(&a.xml, a.flags)?,
    ))
}

/// STORAGE_POOL_CREATE.
pub(crate) fn create(ctx: &Ctx<'_>, a: PoolFlagsArgs) -> CallResult<()> {
    Ok(pool(ctx.conn()?, a.obj).create(a.flags)?)
}

/// STORAGE_POOL_BUILD.
pub(crate) fn build(ctx: &Ctx<'_>, a: PoolFlagsArgs) -> CallResult<()> {
    Ok(pool(ctx.conn()?, a.obj).build(a.flags)?)
}

/// STORAGE_POOL_DESTROY.
pub(crate) fn destroy(ctx: &Ctx<'_>, a: PoolArgs) -> CallResult<()> {
    Ok(pool(ctx.conn()?, a.obj).destroy()?)
}

/// STORAGE_POOL_DELETE.
pub(crate) fn delete(ctx: &Ctx<'_>, a: PoolFlagsArgs) -> CallResult<()> {
    Ok(pool(ctx.conn()?, a.obj).delete(a.flags)?)
}

/// STORAGE_POOL_UNDEFINE.
pub(crate) fn undefine(ctx: &Ctx<'_>, a: PoolArgs) -> CallResult<()> {
    Ok(pool(ctx.conn()?, a.obj).undefine()?)
}

/// STORAGE_POOL_REFRESH.
pub(crate) fn refresh(ctx: &Ctx<'_>, a: PoolFlagsArgs) -> CallResult<()> {
    Ok(pool(ctx.conn()?, a.obj).refresh(a.flags)?)
}

/// STORAGE_POOL_GET_INFO.
pub(crate) fn get_info(ctx: &Ctx<'_>, a: PoolArgs) -> CallResult<StoragePoolGetInfoRet> {
    let i = pool(ctx.conn()?, a.obj).info()?;
    Ok(StoragePoolGetInfoRet {
        state: u8::try_from(i.state).unwrap_or(0),
        capacity: i.capacity,
        allocation: i.allocation,
        available: i.available,
    })
}

/// STORAGE_POOL_GET_XML_DESC.
pub(crate) fn get_xml_desc(ctx: &Ctx<'_>, a: PoolFlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: pool(ctx.conn()?, a.obj).xml_desc(a.flags)?,
    })
}

/// STORAGE_POOL_GET_AUTOSTART.
pub(crate) fn get_autostart(ctx: &Ctx<'_>, a: PoolArgs) -> CallResult<IntRet> {
    Ok(yes(pool(ctx.conn()?, a.obj).autostart()?))
}

/// STORAGE_POOL_SET_AUTOSTART.
pub(crate) fn set_autostart(
    ctx: &Ctx<'_>,
    a: ObjIntArgs<RemoteNonnullStoragePool>,
) -> CallResult<()> {
    Ok(pool(ctx.conn()?, a.obj).set_autostart(a.value != 0)?)
}

/// STORAGE_POOL_IS_ACTIVE.
pub(crate) fn is_active(ctx: &Ctx<'_>, a: PoolArgs) -> CallResult<IntRet> {
    Ok(yes(pool(ctx.conn()?, a.obj).is_active()?))
}

/// STORAGE_POOL_IS_PERSISTENT.
pub(crate) fn is_persistent(ctx: &Ctx<'_>, a: PoolArgs) -> CallResult<IntRet> {
    Ok(yes(pool(ctx.conn()?, a.obj).is_persistent()?))
}

/// STORAGE_POOL_NUM_OF_VOLUMES.
pub(crate) fn num_of_volumes(ctx: &Ctx<'_>, a: PoolArgs) -> CallResult<NumRet> {
    let names = as_api(
        pool(ctx.conn()?, a.obj).list_volume_names(),
        "virStoragePoolNumOfVolumes",
    )?;
    Ok(num(names.len()))
}

/// STORAGE_POOL_LIST_VOLUMES.
pub(crate) fn list_volumes(ctx: &Ctx<'_>, a: StoragePoolListVolumesArgs) -> CallResult<NamesRet> {
    let max = max_names(
        a.maxnames,
        STORAGE_VOL_LIST_MAX,
        "REMOTE_STORAGE_VOL_LIST_MAX",
    )?;
    let mut names = pool(ctx.conn()?, a.pool).list_volume_names()?;
    names.truncate(max);
    Ok(NamesRet { names })
}

/// STORAGE_POOL_LIST_ALL_VOLUMES.
pub(crate) fn list_all_volumes(
    ctx: &Ctx<'_>,
    a: ObjListAllArgs<RemoteNonnullStoragePool>,
) -> CallResult<ListAllRet<RemoteNonnullStorageVol>> {
    let vols = pool(ctx.conn()?, a.obj).list_all_volumes(a.flags)?;
    list_all(
        &vols,
        a.need_results,
        STORAGE_VOL_LIST_MAX,
        "storage volumes",
        |v| v.object_ref().into(),
    )
}

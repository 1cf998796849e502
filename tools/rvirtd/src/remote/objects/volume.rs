//! Storage volume procedures.

use rvirt_core::Connect;
use rvirt_core::api::StorageVol;
use rvirt_rpc::types::*;
use rvirt_rpc_server::{CallResult, StreamSource};

use super::pool::{pool, pool_ret};
use crate::remote::{Ctx, CtxExt};

fn vol(conn: Connect, w: RemoteNonnullStorageVol) -> StorageVol {
    StorageVol::from_ref(conn, w.into())
}

fn vol_ret(v: &StorageVol) -> VolRet {
    ObjRet {
        obj: v.object_ref().into(),
    }
}

/// STORAGE_POOL_LOOKUP_BY_VOLUME.
pub(crate) fn pool_by_volume(ctx: &Ctx<'_>, a: VolArgs) -> CallResult<PoolRet> {
    Ok(pool_ret(&vol(ctx.conn()?, a.obj).pool()?))
}

/// STORAGE_VOL_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(ctx: &Ctx<'_>, a: StorageVolLookupByNameArgs) -> CallResult<VolRet> {
    Ok(vol_ret(
        &pool(ctx.conn()?, a.pool).lookup_volume_by_name(&a.name)?,
    ))
}

/// STORAGE_VOL_LOOKUP_BY_KEY.
pub(crate) fn lookup_by_key(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<VolRet> {
    Ok(vol_ret(&ctx.conn()?.lookup_storage_vol_by_key(&a.name)?))
}

/// STORAGE_VOL_LOOKUP_BY_PATH.
pub(crate) fn lookup_by_path(ctx: &Ctx<'_>, a: NameArgs) -> CallResult<VolRet> {
    Ok(vol_ret(&ctx.conn()?.lookup_storage_vol_by_path(&a.name)?))
}

/// STORAGE_VOL_CREATE_XML.
pub(crate) fn create_xml(ctx: &Ctx<'_>, a: StorageVolCreateXmlArgs) -> CallResult<VolRet> {
    Ok(vol_ret(
        &pool(ctx.conn()?, a.pool).create_volume_xml(&a.xml, a.flags)?,
    ))
}

/// STORAGE_VOL_CREATE_XML_FROM.
pub(crate) fn create_xml_from(ctx: &Ctx<'_>, a: StorageVolCreateXmlFromArgs) -> CallResult<VolRet> {
    let conn = ctx.conn()?;
    let clone = vol(conn.clone(), a.clonevol);
    Ok(vol_ret(
        &pool(conn, a.pool).create_volume_xml_from(&a.xml, &clone, a.flags)?,
    ))
}

/// STORAGE_VOL_DELETE.
pub(crate) fn delete(ctx: &Ctx<'_>, a: VolFlagsArgs) -> CallResult<()> {
    Ok(vol(ctx.conn()?, a.obj).delete(a.flags)?)
}

/// STORAGE_VOL_WIPE.
pub(crate) fn wipe(ctx: &Ctx<'_>, a: VolFlagsArgs) -> CallResult<()> {
    Ok(vol(ctx.conn()?, a.obj).wipe(a.flags)?)
}

/// STORAGE_VOL_WIPE_PATTERN.
pub(crate) fn wipe_pattern(ctx: &Ctx<'_>, a: StorageVolWipePatternArgs) -> CallResult<()> {
    Ok(vol(ctx.conn()?, a.vol).wipe_pattern(a.algorithm, a.flags)?)
}

fn info_ret(i: rvirt_core::driver::StorageVolInfo) -> StorageVolGetInfoRet {
    StorageVolGetInfoRet {
        type_: i8::try_from(i.vol_type).unwrap_or(0),
        capacity: i.capacity,
        allocation: i.allocation,
    }
}

/// STORAGE_VOL_GET_INFO.
pub(crate) fn get_info(ctx: &Ctx<'_>, a: VolArgs) -> CallResult<StorageVolGetInfoRet> {
    Ok(info_ret(vol(ctx.conn()?, a.obj).info()?))
}

/// STORAGE_VOL_GET_INFO_FLAGS.
pub(crate) fn get_info_flags(ctx: &Ctx<'_>, a: VolFlagsArgs) -> CallResult<StorageVolGetInfoRet> {
    Ok(info_ret(vol(ctx.conn()?, a.obj).info_flags(a.flags)?))
}

/// STORAGE_VOL_GET_XML_DESC.
pub(crate) fn get_xml_desc(ctx: &Ctx<'_>, a: VolFlagsArgs) -> CallResult<XmlRet> {
    Ok(XmlRet {
        xml: vol(ctx.conn()?, a.obj).xml_desc(a.flags)?,
    })
}

/// STORAGE_VOL_GET_PATH.
pub(crate) fn get_path(ctx: &Ctx<'_>, a: VolArgs) -> CallResult<NameRet> {
    Ok(NameRet {
        name: vol(ctx.conn()?, a.obj).path()?,
    })
}

/// STORAGE_VOL_RESIZE.
pub(crate) fn resize(ctx: &Ctx<'_>, a: StorageVolResizeArgs) -> CallResult<()> {
    Ok(vol(ctx.conn()?, a.vol).resize(a.capacity, a.flags)?)
}

/// STORAGE_VOL_UPLOAD: the client's STREAM packets are written into the volume's file
/// (never a path the client names), synced at its finish, then the volume refreshed.
pub(crate) fn upload(ctx: &Ctx<'_>, a: StorageVolTransferArgs) -> CallResult<()> {
    let stream = vol(ctx.conn()?, a.vol).upload(a.offset, a.length, a.flags)?;
    ctx.open_stream(StreamSource::from_local(crate::remote::console::local(
        stream,
    )?));
    Ok(())
}

/// STORAGE_VOL_DOWNLOAD: the volume's bytes as STREAM packets, paced by the client's
/// output window.
pub(crate) fn download(ctx: &Ctx<'_>, a: StorageVolTransferArgs) -> CallResult<()> {
    let stream = vol(ctx.conn()?, a.vol).download(a.offset, a.length, a.flags)?;
    ctx.open_stream(StreamSource::from_local(crate::remote::console::local(
        stream,
    )?));
    Ok(())
}

//! Save, restore and managed save procedures. The paths are the client's; the driver
//! opens them through `rvirt_core::driver::save_file`, which refuses symlinks,
//! non-regular files and the daemon's own directories.

use rvirt_rpc::save::*;
use rvirt_rpc::types::{DomainFlagsArgs, DomainHasManagedSaveImageRet};
use rvirt_rpc_server::CallResult;

use super::{Ctx, CtxExt};

/// DOMAIN_SAVE.
pub(crate) fn save(ctx: &Ctx<'_>, args: DomainSaveArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.save(&args.to)?)
}

/// DOMAIN_SAVE_FLAGS.
pub(crate) fn save_flags(ctx: &Ctx<'_>, args: DomainSaveFlagsArgs) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .save_flags(&args.to, args.dxml.as_deref(), args.flags)?)
}

/// DOMAIN_RESTORE.
pub(crate) fn restore(ctx: &Ctx<'_>, args: DomainRestoreArgs) -> CallResult<()> {
    Ok(ctx.conn()?.restore(&args.from)?)
}

/// DOMAIN_RESTORE_FLAGS.
pub(crate) fn restore_flags(ctx: &Ctx<'_>, args: DomainRestoreFlagsArgs) -> CallResult<()> {
    Ok(ctx
        .conn()?
        .restore_flags(&args.from, args.dxml.as_deref(), args.flags)?)
}

/// DOMAIN_SAVE_IMAGE_GET_XML_DESC.
pub(crate) fn save_image_get_xml_desc(
    ctx: &Ctx<'_>,
    args: DomainSaveImageGetXmlDescArgs,
) -> CallResult<DomainSaveImageGetXmlDescRet> {
    let xml = ctx.conn()?.save_image_xml_desc(&args.file, args.flags)?;
    Ok(DomainSaveImageGetXmlDescRet { xml })
}

/// DOMAIN_SAVE_IMAGE_DEFINE_XML.
pub(crate) fn save_image_define_xml(
    ctx: &Ctx<'_>,
    args: DomainSaveImageDefineXmlArgs,
) -> CallResult<()> {
    Ok(ctx
        .conn()?
        .save_image_define_xml(&args.file, &args.dxml, args.flags)?)
}

/// DOMAIN_MANAGED_SAVE.
pub(crate) fn managed_save(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.managed_save(args.flags)?)
}

/// DOMAIN_HAS_MANAGED_SAVE_IMAGE.
pub(crate) fn has_managed_save_image(
    ctx: &Ctx<'_>,
    args: DomainFlagsArgs,
) -> CallResult<DomainHasManagedSaveImageRet> {
    let has = ctx.domain(&args.dom)?.has_managed_save_image(args.flags)?;
    Ok(DomainHasManagedSaveImageRet { result: has as i32 })
}

/// DOMAIN_MANAGED_SAVE_REMOVE.
pub(crate) fn managed_save_remove(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.managed_save_remove(args.flags)?)
}

/// DOMAIN_MANAGED_SAVE_DEFINE_XML.
pub(crate) fn managed_save_define_xml(
    ctx: &Ctx<'_>,
    args: DomainManagedSaveDefineXmlArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .managed_save_define_xml(args.dxml.as_deref(), args.flags)?)
}

/// `params` of a save or a restore, bounded as libvirt's wire bounds them.
fn save_params(
    params: Vec<rvirt_rpc::typed_param::TypedParam>,
) -> CallResult<Vec<rvirt_core::api::TypedParam>> {
    if params.len() > SAVE_PARAMS_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "too many save parameters",
        )
        .into());
    }
    Ok(params.into_iter().map(Into::into).collect())
}

/// DOMAIN_SAVE_PARAMS.
pub(crate) fn save_params_call(ctx: &Ctx<'_>, args: DomainSaveParamsArgs) -> CallResult<()> {
    let params = save_params(args.params)?;
    Ok(ctx.domain(&args.dom)?.save_params(&params, args.flags)?)
}

/// DOMAIN_RESTORE_PARAMS.
pub(crate) fn restore_params(ctx: &Ctx<'_>, args: DomainRestoreParamsArgs) -> CallResult<()> {
    let params = save_params(args.params)?;
    Ok(ctx.conn()?.restore_params(&params, args.flags)?)
}

/// DOMAIN_CORE_DUMP.
pub(crate) fn core_dump(ctx: &Ctx<'_>, args: DomainCoreDumpArgs) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.core_dump(&args.to, args.flags)?)
}

/// DOMAIN_CORE_DUMP_WITH_FORMAT.
pub(crate) fn core_dump_with_format(
    ctx: &Ctx<'_>,
    args: DomainCoreDumpWithFormatArgs,
) -> CallResult<()> {
    Ok(ctx
        .domain(&args.dom)?
        .core_dump_with_format(&args.to, args.dumpformat, args.flags)?)
}

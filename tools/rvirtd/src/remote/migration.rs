//! Migration protocol version 3: the procedures with typed parameters (302-307) and the
//! fixed-argument ones `virDomainMigrate` uses (213-218), whose arguments become the
//! same typed parameters (`dname` → `destination_name`, `uri` → `migrate_uri`,
//! `xmlin`/`dom_xml` → `destination_xml`, `resource` → `bandwidth`). Each step blocks
//! its worker for as long as the driver's step takes (a perform, the whole transfer).

use rvirt_core::api::{TypedParam, TypedValue};
use rvirt_rpc::migration::*;
use rvirt_rpc_server::CallResult;

use super::events::remote_domain;
use super::{Ctx, CtxExt};

/// Typed parameters from the wire, bounded as libvirt's wire bounds them.
fn params(params: Vec<rvirt_rpc::typed_param::TypedParam>) -> CallResult<Vec<TypedParam>> {
    if params.len() > MIGRATE_PARAM_LIST_MAX {
        return Err(rvirt_core::Error::internal(
            rvirt_core::ErrorDomain::Rpc,
            "too many migration parameters",
        )
        .into());
    }
    Ok(params.into_iter().map(Into::into).collect())
}

/// The fixed arguments of the older procedures as typed parameters.
fn legacy_params(
    dname: Option<String>,
    uri: Option<String>,
    xml: Option<String>,
    resource: u64,
) -> Vec<TypedParam> {
    let string = |field: &str, v: String| TypedParam {
        field: field.to_string(),
        value: TypedValue::String(v),
    };
    let mut p = Vec::new();
    p.extend(uri.map(|v| string("migrate_uri", v)));
    p.extend(dname.map(|v| string("destination_name", v)));
    p.extend(xml.map(|v| string("destination_xml", v)));
    if resource > 0 {
        p.push(TypedParam {
            field: "bandwidth".to_string(),
            value: TypedValue::ULLong(resource),
        });
    }
    p
}

/// The flags of the older procedures (`unsigned hyper`); bits above 32 are unknown.
fn legacy_flags(flags: u64) -> CallResult<u32> {
    u32::try_from(flags).map_err(|_| {
        rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::Domain,
            format!("unsupported flags (0x{flags:x}) in function virDomainMigrate"),
        )
        .into()
    })
}

/// DOMAIN_MIGRATE_BEGIN3_PARAMS.
pub(crate) fn begin3_params(
    ctx: &Ctx<'_>,
    args: DomainMigrateBegin3ParamsArgs,
) -> CallResult<DomainMigrateBegin3Ret> {
    let params = params(args.params)?;
    let begun = ctx.domain(&args.dom)?.migrate_begin3(&params, args.flags)?;
    Ok(DomainMigrateBegin3Ret {
        cookie_out: begun.cookie,
        xml: begun.xml,
    })
}

/// DOMAIN_MIGRATE_PREPARE3_PARAMS.
pub(crate) fn prepare3_params(
    ctx: &Ctx<'_>,
    args: DomainMigratePrepare3ParamsArgs,
) -> CallResult<DomainMigratePrepare3Ret> {
    let params = params(args.params)?;
    let prepared = ctx
        .conn()?
        .migrate_prepare3(&params, &args.cookie_in, args.flags)?;
    Ok(DomainMigratePrepare3Ret {
        cookie_out: prepared.cookie,
        uri_out: prepared.uri,
    })
}

/// DOMAIN_MIGRATE_PERFORM3_PARAMS.
pub(crate) fn perform3_params(
    ctx: &Ctx<'_>,
    args: DomainMigratePerform3ParamsArgs,
) -> CallResult<DomainMigratePerform3Ret> {
    let params = params(args.params)?;
    let cookie_out = ctx.domain(&args.dom)?.migrate_perform3(
        args.dconnuri.as_deref(),
        &params,
        &args.cookie_in,
        args.flags,
    )?;
    Ok(DomainMigratePerform3Ret { cookie_out })
}

/// DOMAIN_MIGRATE_FINISH3_PARAMS.
pub(crate) fn finish3_params(
    ctx: &Ctx<'_>,
    args: DomainMigrateFinish3ParamsArgs,
) -> CallResult<DomainMigrateFinish3Ret> {
    let params = params(args.params)?;
    let (dom, cookie_out) =
        ctx.conn()?
            .migrate_finish3(&params, &args.cookie_in, args.flags, args.cancelled != 0)?;
    Ok(DomainMigrateFinish3Ret {
        dom: remote_domain(&dom),
        cookie_out,
    })
}

/// DOMAIN_MIGRATE_CONFIRM3_PARAMS.
pub(crate) fn confirm3_params(
    ctx: &Ctx<'_>,
    args: DomainMigrateConfirm3ParamsArgs,
) -> CallResult<()> {
    let params = params(args.params)?;
    Ok(ctx.domain(&args.dom)?.migrate_confirm3(
        &params,
        &args.cookie_in,
        args.flags,
        args.cancelled != 0,
    )?)
}

/// DOMAIN_MIGRATE_START_POST_COPY.
pub(crate) fn start_post_copy(
    ctx: &Ctx<'_>,
    args: rvirt_rpc::types::DomainFlagsArgs,
) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.migrate_start_post_copy(args.flags)?)
}

/// DOMAIN_MIGRATE_BEGIN3.
pub(crate) fn begin3(
    ctx: &Ctx<'_>,
    args: DomainMigrateBegin3Args,
) -> CallResult<DomainMigrateBegin3Ret> {
    let params = legacy_params(args.dname, None, args.xmlin, args.resource);
    let begun = ctx
        .domain(&args.dom)?
        .migrate_begin3(&params, legacy_flags(args.flags)?)?;
    Ok(DomainMigrateBegin3Ret {
        cookie_out: begun.cookie,
        xml: begun.xml,
    })
}

/// DOMAIN_MIGRATE_PREPARE3.
pub(crate) fn prepare3(
    ctx: &Ctx<'_>,
    args: DomainMigratePrepare3Args,
) -> CallResult<DomainMigratePrepare3Ret> {
    let params = legacy_params(args.dname, args.uri_in, Some(args.dom_xml), args.resource);
    let prepared =
        ctx.conn()?
            .migrate_prepare3(&params, &args.cookie_in, legacy_flags(args.flags)?)?;
    Ok(DomainMigratePrepare3Ret {
        cookie_out: prepared.cookie,
        uri_out: prepared.uri,
    })
}

/// DOMAIN_MIGRATE_PERFORM3.
pub(crate) fn perform3(
    ctx: &Ctx<'_>,
    args: DomainMigratePerform3Args,
) -> CallResult<DomainMigratePerform3Ret> {
    let params = legacy_params(args.dname, args.uri, args.xmlin, args.resource);
    let cookie_out = ctx.domain(&args.dom)?.migrate_perform3(
        args.dconnuri.as_deref(),
        &params,
        &args.cookie_in,
        legacy_flags(args.flags)?,
    )?;
    Ok(DomainMigratePerform3Ret { cookie_out })
}

/// DOMAIN_MIGRATE_FINISH3.
pub(crate) fn finish3(
    ctx: &Ctx<'_>,
    args: DomainMigrateFinish3Args,
) -> CallResult<DomainMigrateFinish3Ret> {
    let params = legacy_params(Some(args.dname), args.uri, None, 0);
    let (dom, cookie_out) = ctx.conn()?.migrate_finish3(
        &params,
        &args.cookie_in,
        legacy_flags(args.flags)?,
        args.cancelled != 0,
    )?;
    Ok(DomainMigrateFinish3Ret {
        dom: remote_domain(&dom),
        cookie_out,
    })
}

/// DOMAIN_MIGRATE_CONFIRM3.
pub(crate) fn confirm3(ctx: &Ctx<'_>, args: DomainMigrateConfirm3Args) -> CallResult<()> {
    Ok(ctx.domain(&args.dom)?.migrate_confirm3(
        &[],
        &args.cookie_in,
        legacy_flags(args.flags)?,
        args.cancelled != 0,
    )?)
}

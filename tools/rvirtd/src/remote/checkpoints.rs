//! Checkpoint procedures: create, list, look up, walk the tree, delete.

use rvirt_core::api::DomainCheckpoint;
use rvirt_rpc::checkpoints::*;
use rvirt_rpc::types::DomainGetXmlDescRet;
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::err;

use super::events::remote_domain;
use super::{Ctx, CtxExt};

fn wire(c: &DomainCheckpoint) -> RemoteNonnullDomainCheckpoint {
    RemoteNonnullDomainCheckpoint {
        name: c.name().to_string(),
        dom: remote_domain(c.domain()),
    }
}

fn checkpoint(ctx: &Ctx<'_>, c: &RemoteNonnullDomainCheckpoint) -> CallResult<DomainCheckpoint> {
    Ok(DomainCheckpoint::new(ctx.domain(&c.dom)?, c.name.clone()))
}

fn list_ret(list: Vec<DomainCheckpoint>, need_results: i32) -> CallResult<CheckpointListRet> {
    if list.len() > CHECKPOINT_LIST_MAX {
        return Err(err(1, 7, "internal error: Too many domain checkpoints"));
    }
    Ok(CheckpointListRet {
        ret: i32::try_from(list.len()).unwrap_or(i32::MAX),
        checkpoints: if need_results != 0 {
            list.iter().map(wire).collect()
        } else {
            Vec::new()
        },
    })
}

/// DOMAIN_CHECKPOINT_CREATE_XML.
pub(crate) fn create_xml(
    ctx: &Ctx<'_>,
    args: DomainCheckpointCreateXmlArgs,
) -> CallResult<CheckpointRet> {
    let c = ctx
        .domain(&args.dom)?
        .checkpoint_create_xml(&args.xml_desc, args.flags)?;
    Ok(CheckpointRet {
        checkpoint: wire(&c),
    })
}

/// DOMAIN_CHECKPOINT_GET_XML_DESC.
pub(crate) fn get_xml_desc(
    ctx: &Ctx<'_>,
    args: CheckpointFlagsArgs,
) -> CallResult<DomainGetXmlDescRet> {
    Ok(DomainGetXmlDescRet {
        xml: checkpoint(ctx, &args.checkpoint)?.xml_desc(args.flags)?,
    })
}

/// DOMAIN_LIST_ALL_CHECKPOINTS.
pub(crate) fn list_all(
    ctx: &Ctx<'_>,
    args: DomainListAllCheckpointsArgs,
) -> CallResult<CheckpointListRet> {
    let list = ctx.domain(&args.dom)?.list_all_checkpoints(args.flags)?;
    list_ret(list, args.need_results)
}

/// DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN.
pub(crate) fn list_all_children(
    ctx: &Ctx<'_>,
    args: CheckpointListAllChildrenArgs,
) -> CallResult<CheckpointListRet> {
    let list = checkpoint(ctx, &args.checkpoint)?.list_all_children(args.flags)?;
    list_ret(list, args.need_results)
}

/// DOMAIN_CHECKPOINT_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(
    ctx: &Ctx<'_>,
    args: DomainCheckpointLookupByNameArgs,
) -> CallResult<CheckpointRet> {
    let c = ctx
        .domain(&args.dom)?
        .checkpoint_lookup_by_name(&args.name, args.flags)?;
    Ok(CheckpointRet {
        checkpoint: wire(&c),
    })
}

/// DOMAIN_CHECKPOINT_GET_PARENT.
pub(crate) fn get_parent(ctx: &Ctx<'_>, args: CheckpointFlagsArgs) -> CallResult<CheckpointRet> {
    let p = checkpoint(ctx, &args.checkpoint)?.parent(args.flags)?;
    Ok(CheckpointRet {
        checkpoint: wire(&p),
    })
}

/// DOMAIN_CHECKPOINT_DELETE.
pub(crate) fn delete(ctx: &Ctx<'_>, args: CheckpointFlagsArgs) -> CallResult<()> {
    Ok(checkpoint(ctx, &args.checkpoint)?.delete(args.flags)?)
}

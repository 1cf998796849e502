//! Snapshot procedures: create, list, look up, walk the tree, revert, delete.

use rvirt_core::api::DomainSnapshot;
use rvirt_rpc::snapshots::*;
use rvirt_rpc::types::DomainFlagsArgs;
use rvirt_rpc_server::CallResult;
use rvirt_rpc_server::error::{CallError, err};

use super::events::remote_domain;
use super::{Ctx, CtxExt};

fn wire(s: &DomainSnapshot) -> RemoteNonnullDomainSnapshot {
    RemoteNonnullDomainSnapshot {
        name: s.name().to_string(),
        dom: remote_domain(s.domain()),
    }
}

fn snapshot(ctx: &Ctx<'_>, s: &RemoteNonnullDomainSnapshot) -> CallResult<DomainSnapshot> {
    Ok(DomainSnapshot::new(ctx.domain(&s.dom)?, s.name.clone()))
}

fn too_many(what: &str) -> CallError {
    err(1, 7, format!("internal error: {what}"))
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Names limited as libvirtd limits them (`maxnames` < 0 or above the protocol's
/// maximum is refused; the list is cut at `maxnames`).
fn limited(names: Vec<String>, maxnames: i32) -> CallResult<NamesRet> {
    let max = usize::try_from(maxnames)
        .map_err(|_| err(8, 7, "invalid argument: maxnames must be non-negative"))?;
    if max > SNAPSHOT_LIST_MAX {
        return Err(too_many("maxnames > REMOTE_DOMAIN_SNAPSHOT_LIST_MAX"));
    }
    Ok(NamesRet {
        names: names.into_iter().take(max).collect(),
    })
}

fn list_ret(snaps: Vec<DomainSnapshot>, need_results: i32) -> CallResult<SnapshotListRet> {
    if snaps.len() > SNAPSHOT_LIST_MAX {
        return Err(too_many("Too many domain snapshots"));
    }
    Ok(SnapshotListRet {
        ret: count(snaps.len()),
        snapshots: if need_results != 0 {
            snaps.iter().map(wire).collect()
        } else {
            Vec::new()
        },
    })
}

/// DOMAIN_SNAPSHOT_CREATE_XML.
pub(crate) fn create_xml(
    ctx: &Ctx<'_>,
    args: DomainSnapshotCreateXmlArgs,
) -> CallResult<SnapshotRet> {
    let s = ctx
        .domain(&args.dom)?
        .snapshot_create_xml(&args.xml_desc, args.flags)?;
    Ok(SnapshotRet { snap: wire(&s) })
}

/// DOMAIN_SNAPSHOT_GET_XML_DESC.
pub(crate) fn get_xml_desc(
    ctx: &Ctx<'_>,
    args: SnapshotFlagsArgs,
) -> CallResult<rvirt_rpc::types::DomainGetXmlDescRet> {
    Ok(rvirt_rpc::types::DomainGetXmlDescRet {
        xml: snapshot(ctx, &args.snap)?.xml_desc(args.flags)?,
    })
}

/// DOMAIN_SNAPSHOT_NUM.
pub(crate) fn num(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<IntRet> {
    let n = ctx.domain(&args.dom)?.list_all_snapshots(args.flags)?.len();
    Ok(IntRet { value: count(n) })
}

/// DOMAIN_SNAPSHOT_LIST_NAMES.
pub(crate) fn list_names(ctx: &Ctx<'_>, args: DomainSnapshotListNamesArgs) -> CallResult<NamesRet> {
    let names = ctx
        .domain(&args.dom)?
        .list_all_snapshots(args.flags)?
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    limited(names, args.maxnames)
}

/// DOMAIN_SNAPSHOT_LOOKUP_BY_NAME.
pub(crate) fn lookup_by_name(
    ctx: &Ctx<'_>,
    args: DomainSnapshotLookupByNameArgs,
) -> CallResult<SnapshotRet> {
    let s = ctx
        .domain(&args.dom)?
        .snapshot_lookup_by_name(&args.name, args.flags)?;
    Ok(SnapshotRet { snap: wire(&s) })
}

/// DOMAIN_HAS_CURRENT_SNAPSHOT.
pub(crate) fn has_current(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<IntRet> {
    Ok(IntRet {
        value: i32::from(ctx.domain(&args.dom)?.has_current_snapshot(args.flags)?),
    })
}

/// DOMAIN_SNAPSHOT_CURRENT.
pub(crate) fn current(ctx: &Ctx<'_>, args: DomainFlagsArgs) -> CallResult<SnapshotRet> {
    let s = ctx.domain(&args.dom)?.snapshot_current(args.flags)?;
    Ok(SnapshotRet { snap: wire(&s) })
}

/// DOMAIN_REVERT_TO_SNAPSHOT.
pub(crate) fn revert(ctx: &Ctx<'_>, args: SnapshotFlagsArgs) -> CallResult<()> {
    let s = snapshot(ctx, &args.snap)?;
    Ok(s.domain().revert_to_snapshot(&s, args.flags)?)
}

/// DOMAIN_SNAPSHOT_DELETE.
pub(crate) fn delete(ctx: &Ctx<'_>, args: SnapshotFlagsArgs) -> CallResult<()> {
    Ok(snapshot(ctx, &args.snap)?.delete(args.flags)?)
}

/// DOMAIN_SNAPSHOT_GET_PARENT.
pub(crate) fn get_parent(ctx: &Ctx<'_>, args: SnapshotFlagsArgs) -> CallResult<SnapshotRet> {
    let p = snapshot(ctx, &args.snap)?.parent(args.flags)?;
    Ok(SnapshotRet { snap: wire(&p) })
}

/// DOMAIN_SNAPSHOT_NUM_CHILDREN.
pub(crate) fn num_children(ctx: &Ctx<'_>, args: SnapshotFlagsArgs) -> CallResult<IntRet> {
    let n = snapshot(ctx, &args.snap)?
        .list_all_children(args.flags)?
        .len();
    Ok(IntRet { value: count(n) })
}

/// DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES.
pub(crate) fn list_children_names(
    ctx: &Ctx<'_>,
    args: SnapshotListChildrenNamesArgs,
) -> CallResult<NamesRet> {
    let names = snapshot(ctx, &args.snap)?
        .list_all_children(args.flags)?
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    limited(names, args.maxnames)
}

/// DOMAIN_SNAPSHOT_IS_CURRENT.
pub(crate) fn is_current(ctx: &Ctx<'_>, args: SnapshotFlagsArgs) -> CallResult<IntRet> {
    Ok(IntRet {
        value: i32::from(snapshot(ctx, &args.snap)?.is_current(args.flags)?),
    })
}

/// DOMAIN_SNAPSHOT_HAS_METADATA.
pub(crate) fn has_metadata(ctx: &Ctx<'_>, args: SnapshotFlagsArgs) -> CallResult<IntRet> {
    Ok(IntRet {
        value: i32::from(snapshot(ctx, &args.snap)?.has_metadata(args.flags)?),
    })
}

/// DOMAIN_LIST_ALL_SNAPSHOTS.
pub(crate) fn list_all(
    ctx: &Ctx<'_>,
    args: DomainListAllSnapshotsArgs,
) -> CallResult<SnapshotListRet> {
    let snaps = ctx.domain(&args.dom)?.list_all_snapshots(args.flags)?;
    list_ret(snaps, args.need_results)
}

/// DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN.
pub(crate) fn list_all_children(
    ctx: &Ctx<'_>,
    args: SnapshotListAllChildrenArgs,
) -> CallResult<SnapshotListRet> {
    let snaps = snapshot(ctx, &args.snapshot)?.list_all_children(args.flags)?;
    list_ret(snaps, args.need_results)
}

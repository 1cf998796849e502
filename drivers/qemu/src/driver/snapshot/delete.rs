//! `virDomainSnapshotDelete` (libvirt's `qemuSnapshotDelete`): the snapshot, or with
//! `CHILDREN` it and its descendants, or with `CHILDREN_ONLY` only those, go from the
//! images (QEMU's `snapshot-delete` job while the domain runs, `qemu-img snapshot -d`
//! while it is shut off) and from the metadata; with `METADATA_ONLY` only from the
//! metadata. Children left behind move up to the deleted snapshot's parent; a deleted
//! current snapshot passes the role to its parent. External snapshots are refused as
//! libvirt 9.0 refuses them (except `METADATA_ONLY`).

use std::sync::Arc;

use rvirt_core::driver::DomainRef;
use rvirt_core::objects::delete_flags::{CHILDREN, CHILDREN_ONLY, METADATA_ONLY};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::disks::domain_disks;
use super::jobs::{self, Kind};
use super::live::{JOB_CALL_TIMEOUT, live_disks};
use super::missing;
use super::qemu_img::{self, Op};
use crate::driver::connection::check_flags;
use crate::driver::instance::Shared;

/// The snapshots a delete of `name` with `flags` removes, descendants first.
fn doomed(tree: &rvirt_core::objects::SnapshotTree, name: &str, flags: u32) -> Vec<String> {
    let mut out = Vec::new();
    if flags & (CHILDREN | CHILDREN_ONLY) != 0 {
        out = tree.children(name, rvirt_core::objects::list_flags::ROOTS_OR_DESCENDANTS);
        out.reverse();
    }
    if flags & CHILDREN_ONLY == 0 {
        out.push(name.to_string());
    }
    out
}

/// `virDomainSnapshotDelete` on the QEMU driver.
pub(crate) fn delete(shared: &Arc<Shared>, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
    check_flags(
        flags,
        CHILDREN | METADATA_ONLY | CHILDREN_ONLY,
        "qemuDomainSnapshotDelete",
    )?;
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainSnapshotDelete")?;
    let (gone, mon, def) = {
        let vm = job.lock();
        vm.snapshots.get(name).ok_or_else(|| missing(name))?;
        let gone = doomed(&vm.snapshots, name, flags);
        if flags & METADATA_ONLY == 0 {
            let external = gone
                .iter()
                .filter_map(|n| vm.snapshots.get(n))
                .filter(|s| {
                    s.memory.as_deref() == Some("external")
                        || s.disks.iter().any(|d| d.snapshot == "external")
                })
                .count();
            if external > 0 {
                return Err(Error::new(
                    ErrorCode::ConfigUnsupported,
                    ErrorDomain::Qemu,
                    format!("deletion of {external} external disk snapshots not supported yet"),
                ));
            }
        }
        (gone, vm.run.as_ref().map(|r| r.mon.clone()), vm.def.clone())
    };
    if flags & METADATA_ONLY == 0 {
        match &mon {
            Some(mon) => {
                let nodes: Vec<String> = live_disks(mon, &def)?
                    .into_iter()
                    .filter(|l| {
                        domain_disks(&def)
                            .iter()
                            .any(|d| d.target == l.target && !d.readonly)
                    })
                    .map(|l| l.node)
                    .collect();
                for n in &gone {
                    jobs::run(
                        |c, a| mon.call(c, a, JOB_CALL_TIMEOUT),
                        Kind::Delete,
                        n,
                        &nodes,
                    )?;
                }
            }
            None => {
                for n in &gone {
                    for d in domain_disks(&def) {
                        if d.readonly || d.format != "qcow2" {
                            continue;
                        }
                        if let Some(image) = &d.path {
                            qemu_img::snapshot(Op::Delete, n, image)?;
                        }
                    }
                }
            }
        }
    }
    let mut vm = job.lock();
    vm.snapshots
        .remove(name, flags & CHILDREN != 0, flags & CHILDREN_ONLY != 0);
    shared.save_snapshots(&vm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::conf::DomainSnapshotDef;
    use rvirt_core::objects::SnapshotTree;

    fn snap(name: &str, parent: Option<&str>) -> DomainSnapshotDef {
        DomainSnapshotDef {
            name: Some(name.into()),
            parent: parent.map(Into::into),
            ..DomainSnapshotDef::default()
        }
    }

    #[test]
    fn descendants_go_before_their_ancestors() {
        let mut t = SnapshotTree::default();
        t.insert(snap("a", None), true);
        t.insert(snap("b", Some("a")), true);
        t.insert(snap("c", Some("b")), true);
        assert_eq!(doomed(&t, "a", CHILDREN), ["c", "b", "a"]);
        assert_eq!(doomed(&t, "a", CHILDREN_ONLY), ["c", "b"]);
        assert_eq!(doomed(&t, "b", 0), ["b"]);
    }
}

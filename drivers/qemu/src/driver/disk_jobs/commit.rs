//! Active block commit (`virsh blockcommit DOM DISK --active [--pivot] [--shallow]
//! [--delete]`): the overlays external snapshots put on a running disk are merged back
//! into an image beneath them, the disk is switched to that image, and the overlays leave
//! QEMU (and, with `--delete`, the host).
//!
//! QEMU's `block-commit` of the disk's active layer is a mirror job: it copies the
//! overlays' data into the base, then stays "ready", mirroring the guest's writes, until
//! it is completed (pivot: `block-job-complete`, the disk then reads the base) or
//! cancelled (the disk keeps its overlay). At a pivot the disk's new top (`query-block`)
//! tells which image it reads now and which ones above it leave, so a pivot after a
//! daemon restart is bookkept as well; only `--delete` is kept by the driver
//! (`block_commits`) until the job ends. Committing an image beneath the active layer
//! (`--top`) is not done here; neither is an asynchronous pivot (the call returns once
//! the disk switched).

use rvirt_core::driver::DomainRef;
use rvirt_core::objects::Job;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::chain::{Link, chain_of, storage_node_of};
use super::{JobKind, RunningDisk, bandwidth_bytes, invalid, job_id};

use crate::driver::connection::check_flags;
use crate::driver::instance::Shared;
use crate::driver::monitor::Monitor;
use crate::driver::running::Running;
use crate::driver::snapshot::external::point_disk_at;
use crate::driver::start::MONITOR_TIMEOUT;

/// `virDomainBlockCommitFlags`.
const COMMIT_SHALLOW: u32 = 1;
const COMMIT_DELETE: u32 = 2;
const COMMIT_ACTIVE: u32 = 4;
const COMMIT_RELATIVE: u32 = 8;
const COMMIT_BANDWIDTH_BYTES: u32 = 16;

/// What a commit was asked to do beyond QEMU's job, kept until its pivot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommitOptions {
    /// `--delete`: the committed images' files go once the disk switched.
    delete: bool,
}

/// Removes the images a pivoted commit left behind from QEMU (format node, then the node
/// of its file) and, with `delete`, from the host. Failures leave an unused node or file,
/// nothing the disk reads.
fn drop_committed(mon: &Monitor, removed: &[Link], delete: bool) {
    for link in removed {
        let nodes = std::iter::once(link.node.clone()).chain(storage_node_of(&link.node));
        for node in nodes {
            let _ = mon.call(
                "blockdev-del",
                Some(json!({ "node-name": node })),
                MONITOR_TIMEOUT,
            );
        }
        if delete {
            let _ = std::fs::remove_file(&link.file);
        }
    }
}

/// The index in `chain` of the image to commit into: `base` (a file beneath the top), the
/// one right beneath the top with `shallow`, else the bottom.
fn base_index(chain: &[Link], base: Option<&str>, shallow: bool, target: &str) -> Result<usize> {
    let Some(b) = base else {
        return Ok(if shallow { 1 } else { chain.len() - 1 });
    };
    let at = chain
        .iter()
        .skip(1)
        .position(|l| l.file == b)
        .map(|i| i + 1)
        .ok_or_else(|| {
            invalid(format!(
                "could not find image '{b}' beneath '{}' in chain for '{target}'",
                chain[0].file
            ))
        })?;
    if shallow && at != 1 {
        return Err(invalid(format!(
            "base '{b}' is not immediately below '{}' in chain for '{target}'",
            chain[0].file
        )));
    }
    Ok(at)
}

impl Shared {
    /// `virDomainBlockCommit` of the active layer: starts QEMU's commit job.
    pub(crate) fn block_commit(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        top: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            COMMIT_SHALLOW
                | COMMIT_DELETE
                | COMMIT_ACTIVE
                | COMMIT_RELATIVE
                | COMMIT_BANDWIDTH_BYTES,
            "qemuDomainBlockCommit",
        )?;
        let speed = bandwidth_bytes(bandwidth, flags & COMMIT_BANDWIDTH_BYTES != 0)?;
        let entry = self.domains.list.get(dom)?;
        let _job = entry.begin_job("virDomainBlockCommit")?;
        let d = self.running_disk(dom, disk)?;
        if d.job()?.is_some() {
            return Err(Error::new(
                ErrorCode::BlockCopyActive,
                ErrorDomain::Qemu,
                format!("disk '{}' already in active block job", d.target),
            ));
        }
        let nodes = d
            .mon
            .call("query-named-block-nodes", None, MONITOR_TIMEOUT)?;
        let chain = chain_of(&nodes, &d.node);
        if chain.len() < 2 {
            return Err(invalid(format!(
                "could not find base image in chain for '{}'",
                d.target
            )));
        }
        if let Some(top) = top
            && top != d.target
            && top != chain[0].file
        {
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Qemu,
                format!(
                    "committing '{top}' beneath the active layer of '{}' is not supported",
                    d.target
                ),
            ));
        }
        if flags & COMMIT_ACTIVE == 0 {
            return Err(invalid(format!(
                "commit of '{}' active layer requires active flag",
                d.target
            )));
        }
        let base_at = base_index(&chain, base, flags & COMMIT_SHALLOW != 0, &d.target)?;
        let id = job_id(JobKind::ActiveCommit, &d.alias);
        let mut args = json!({
            "job-id": id,
            "device": d.node,
            "base-node": chain[base_at].node,
            "auto-finalize": true,
            "auto-dismiss": true,
        });
        if speed > 0 {
            args["speed"] = json!(speed);
        }
        d.mon.call("block-commit", Some(args), MONITOR_TIMEOUT)?;
        self.block_commits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                (d.uuid, id),
                CommitOptions {
                    delete: flags & COMMIT_DELETE != 0,
                },
            );
        Ok(())
    }

    /// Forgets the options of commit `id` of `d` (cancelled or pivoted).
    pub(super) fn forget_commit(&self, d: &RunningDisk, id: &str) -> Option<CommitOptions> {
        self.block_commits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(d.uuid, id.to_string()))
    }

    /// Completes the ready commit `id` of `d` and switches the disk to its base.
    pub(super) fn pivot_commit(
        &self,
        job: &Job<'_, Running>,
        d: &RunningDisk,
        id: &str,
    ) -> Result<()> {
        let chain = d.chain()?;
        d.complete(id)?;
        let delete = self.forget_commit(d, id).is_some_and(|o| o.delete);
        self.switch_to_base(job, d, &chain, delete)
    }

    /// After a pivot: the definitions and the run's names follow the image the disk reads
    /// now, and the images above it leave QEMU (and the host, with `delete`).
    fn switch_to_base(
        &self,
        job: &Job<'_, Running>,
        d: &RunningDisk,
        chain: &[Link],
        delete: bool,
    ) -> Result<()> {
        let def = job.lock().def.clone();
        let top = d.current_top(&def)?;
        let Some(at) = chain.iter().position(|l| l.node == top) else {
            return Err(Error::internal(
                ErrorDomain::Qemu,
                format!(
                    "disk '{}' reads no image of its chain after the pivot",
                    d.target
                ),
            ));
        };
        let (removed, base) = (&chain[..at], &chain[at]);
        if !removed.is_empty() {
            self.follow_pivot(job, d, &base.node, &base.file, |def| {
                point_disk_at(def, &d.target, &base.file, &base.format)
            })?;
        }
        drop_committed(&d.mon, removed, delete);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(file: &str) -> Link {
        Link {
            node: format!("{file}-format"),
            file: file.into(),
            format: "qcow2".into(),
        }
    }

    #[test]
    fn the_base_is_the_bottom_the_next_one_or_the_one_named() {
        let chain = [link("/i/ov2"), link("/i/ov1"), link("/i/base")];
        assert_eq!(base_index(&chain, None, false, "vda").unwrap(), 2);
        assert_eq!(base_index(&chain, None, true, "vda").unwrap(), 1);
        assert_eq!(base_index(&chain, Some("/i/ov1"), false, "vda").unwrap(), 1);
        let e = base_index(&chain, Some("/i/ov2"), false, "vda").unwrap_err();
        assert!(
            e.message()
                .contains("could not find image '/i/ov2' beneath"),
            "{e}"
        );
        let e = base_index(&chain, Some("/i/base"), true, "vda").unwrap_err();
        assert!(e.message().contains("is not immediately below"), "{e}");
    }
}

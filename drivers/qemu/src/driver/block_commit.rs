//! Active block commit (`virsh blockcommit DOM DISK --active [--pivot] [--shallow]
//! [--delete]`, `virsh blockjob --pivot|--abort|--bandwidth`): the overlays an external
//! snapshot put on a running disk are merged back into an image beneath them, the disk is
//! switched to that image, and the overlays leave QEMU (and, with `--delete`, the host).
//!
//! QEMU's `block-commit` of the disk's active layer is a mirror job: it copies the
//! overlays' data into the base, then stays "ready", mirroring the guest's writes, until
//! it is completed (pivot: `block-job-complete`, the disk then reads the base) or
//! cancelled (the disk keeps its overlay). Its job id is [`job_id`] of the disk's alias,
//! which names the disk and the job type in QEMU's events and `query-block-jobs`.
//!
//! The chain under the disk is read from QEMU (`query-named-block-nodes`): each format
//! node names its backing file, and the node reading that file is the next link. At a
//! pivot the disk's new top (`query-block`) tells which image it reads now and which
//! ones above it leave, so a pivot after a daemon restart is bookkept as well; only
//! `--delete` is kept by the driver (`block_commits`) until the job ends. Committing an image beneath the active layer into another (`--top`) is not done
//! here; neither is an asynchronous pivot (the call returns once the disk switched).

use std::time::{Duration, Instant};

use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::configuration::{save_config, touch_status};
use super::connection::check_flags;
use super::instance::{Shared, not_running};
use super::monitor::Monitor;
use super::snapshot::external::{image_of, point_disk_at};
use super::start::MONITOR_TIMEOUT;

/// `virDomainBlockCommitFlags`.
const COMMIT_SHALLOW: u32 = 1;
const COMMIT_DELETE: u32 = 2;
const COMMIT_ACTIVE: u32 = 4;
const COMMIT_RELATIVE: u32 = 8;
const COMMIT_BANDWIDTH_BYTES: u32 = 16;
/// `virDomainBlockJobAbortFlags`.
const ABORT_ASYNC: u32 = 1;
const ABORT_PIVOT: u32 = 2;
/// `VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES`.
const SPEED_BYTES: u32 = 1;
/// How long a pivot or a cancel may take to end the job.
const JOB_END_TIMEOUT: Duration = Duration::from_secs(30);

/// The prefix of the QEMU job id of a disk's active commit.
const JOB_PREFIX: &str = "active-commit-";

/// The QEMU job id of the active commit of the disk with device alias `alias`.
pub(crate) fn job_id(alias: &str) -> String {
    format!("{JOB_PREFIX}{alias}")
}

/// The device alias of the disk whose active commit QEMU job `id` is.
pub(crate) fn alias_of_job(id: &str) -> Option<&str> {
    id.strip_prefix(JOB_PREFIX)
}

/// One image of a disk's chain in QEMU: its format node, file and format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub node: String,
    pub file: String,
    pub format: String,
}

/// What a commit was asked to do beyond QEMU's job, kept until its pivot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommitOptions {
    /// `--delete`: the committed images' files go once the disk switched.
    delete: bool,
}

/// Protocol drivers: their nodes read a file for a format node above them.
const PROTOCOL_DRIVERS: &[&str] = &["file", "host_device", "host_cdrom", "nbd", "iscsi"];

/// The chain under format node `top` (`top` first), from `query-named-block-nodes`.
pub(crate) fn chain_of(nodes: &Value, top: &str) -> Vec<Link> {
    let nodes = nodes.as_array().map(Vec::as_slice).unwrap_or_default();
    let field = |n: &Value, k: &str| n.get(k).and_then(Value::as_str).map(str::to_owned);
    let link = |n: &Value| -> Option<Link> {
        Some(Link {
            node: field(n, "node-name")?,
            file: field(n, "file")?,
            format: field(n, "drv")?,
        })
    };
    let mut out = Vec::new();
    let mut current = nodes
        .iter()
        .find(|n| field(n, "node-name").as_deref() == Some(top));
    while let Some(n) = current {
        let Some(l) = link(n) else { break };
        out.push(l);
        let Some(backing) = field(n, "backing_file") else {
            break;
        };
        current = nodes.iter().find(|m| {
            field(m, "file").as_deref() == Some(backing.as_str())
                && field(m, "drv").is_some_and(|d| !PROTOCOL_DRIVERS.contains(&d.as_str()))
                && out
                    .iter()
                    .all(|l| Some(&l.node) != field(m, "node-name").as_ref())
        });
    }
    out
}

/// The node under format node `node` holding its file: libvirt's `libvirt-N-storage`
/// beside `libvirt-N-format`.
fn storage_node_of(node: &str) -> Option<String> {
    node.strip_suffix("-format").map(|n| format!("{n}-storage"))
}

fn invalid(message: String) -> Error {
    Error::invalid_arg(ErrorDomain::Qemu, message)
}

/// libvirt's "numerical overflow: bandwidth must be less than N" (bytes/s fit an i64).
fn bandwidth_bytes(bandwidth: u64, bytes: bool) -> Result<u64> {
    let max_mib = (i64::MAX as u64) >> 20;
    if bytes {
        return if bandwidth > i64::MAX as u64 {
            Err(Error::new(
                ErrorCode::Overflow,
                ErrorDomain::Qemu,
                format!("bandwidth must be less than {}", i64::MAX),
            ))
        } else {
            Ok(bandwidth)
        };
    }
    if bandwidth > max_mib {
        return Err(Error::new(
            ErrorCode::Overflow,
            ErrorDomain::Qemu,
            format!("bandwidth must be less than {}", max_mib + 1),
        ));
    }
    Ok(bandwidth << 20)
}

/// A running disk: its target, device alias, format node and the QEMU monitor.
struct RunningDisk {
    uuid: rvirt_core::Uuid,
    target: String,
    alias: String,
    node: String,
    mon: Monitor,
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

impl Shared {
    /// Disk `disk` (target or source path) of the running `dom`.
    fn running_disk(&self, dom: &DomainRef, disk: &str) -> Result<RunningDisk> {
        self.domains.read(dom, |vm| {
            let not_found = || invalid(format!("disk '{disk}' not found in domain"));
            let Some(run) = vm.run.as_ref() else {
                let known = super::snapshot::disks::domain_disks(&vm.def)
                    .into_iter()
                    .any(|d| d.target == disk || d.path.as_deref() == Some(disk.as_ref()));
                return Err(if known { not_running() } else { not_found() });
            };
            let names = run
                .devices
                .disks
                .iter()
                .find(|n| n.target == disk || n.path.as_deref() == Some(disk))
                .ok_or_else(not_found)?;
            let node = names
                .node
                .clone()
                .ok_or_else(|| invalid(format!("disk '{disk}' has no source")))?;
            Ok(RunningDisk {
                uuid: vm.def.uuid.unwrap_or_default(),
                target: names.target.clone(),
                alias: names.alias.clone(),
                node,
                mon: run.mon.clone(),
            })
        })
    }

    /// QEMU's job of `disk`'s active commit, if it runs.
    fn commit_job(disk: &RunningDisk) -> Result<Option<Value>> {
        let id = job_id(&disk.alias);
        let jobs = disk.mon.call("query-block-jobs", None, MONITOR_TIMEOUT)?;
        Ok(jobs
            .as_array()
            .into_iter()
            .flatten()
            .find(|j| j.get("device").and_then(Value::as_str) == Some(id.as_str()))
            .cloned())
    }

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
        if Self::commit_job(&d)?.is_some() {
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
        let base_at = match (base, flags & COMMIT_SHALLOW != 0) {
            (None, true) => 1,
            (None, false) => chain.len() - 1,
            (Some(b), shallow) => {
                let at = chain
                    .iter()
                    .skip(1)
                    .position(|l| l.file == b)
                    .map(|i| i + 1)
                    .ok_or_else(|| {
                        invalid(format!(
                            "could not find image '{b}' beneath '{}' in chain for '{}'",
                            chain[0].file, d.target
                        ))
                    })?;
                if shallow && at != 1 {
                    return Err(invalid(format!(
                        "base '{b}' is not immediately below '{}' in chain for '{}'",
                        chain[0].file, d.target
                    )));
                }
                at
            }
        };
        let mut args = json!({
            "job-id": job_id(&d.alias),
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
                (d.uuid, job_id(&d.alias)),
                CommitOptions {
                    delete: flags & COMMIT_DELETE != 0,
                },
            );
        Ok(())
    }

    /// `virDomainBlockJobAbort`: cancels `disk`'s commit (the disk keeps its overlay), or
    /// with `ABORT_PIVOT` completes it, switching the disk to the base; returns once the
    /// job ended either way.
    pub(crate) fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        check_flags(flags, ABORT_ASYNC | ABORT_PIVOT, "qemuDomainBlockJobAbort")?;
        let entry = self.domains.list.get(dom)?;
        let job = entry.begin_job("virDomainBlockJobAbort")?;
        let d = self.running_disk(dom, disk)?;
        let id = job_id(&d.alias);
        let Some(running) = Self::commit_job(&d)? else {
            return Err(invalid(format!(
                "disk {} does not have an active block job",
                d.target
            )));
        };
        let pivot = flags & ABORT_PIVOT != 0;
        if pivot && running.get("ready").and_then(Value::as_bool) != Some(true) {
            return Err(Error::new(
                ErrorCode::BlockCopyActive,
                ErrorDomain::Qemu,
                format!("block job '{id}' not ready for pivot yet"),
            ));
        }
        let chain = if pivot {
            let nodes = d
                .mon
                .call("query-named-block-nodes", None, MONITOR_TIMEOUT)?;
            chain_of(&nodes, &d.node)
        } else {
            Vec::new()
        };
        let command = if pivot {
            "block-job-complete"
        } else {
            "block-job-cancel"
        };
        d.mon
            .call(command, Some(json!({ "device": id })), MONITOR_TIMEOUT)?;
        self.wait_job_gone(&d)?;
        let options = self
            .block_commits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(d.uuid, id));
        if pivot {
            let delete = options.is_some_and(|o| o.delete);
            self.switch_to_base(&job, &d, &chain, delete)?;
        }
        Ok(())
    }

    /// After a pivot: the definitions and the run's names follow the image the disk reads
    /// now, and the images above it leave QEMU (and the host, with `delete`).
    fn switch_to_base(
        &self,
        job: &rvirt_core::objects::Job<'_, super::running::Running>,
        d: &RunningDisk,
        chain: &[Link],
        delete: bool,
    ) -> Result<()> {
        let def = job.lock().def.clone();
        let top = super::snapshot::live::live_disks(&d.mon, &def)?
            .into_iter()
            .find(|l| l.target == d.target)
            .map(|l| l.node);
        let Some(at) = top.and_then(|n| chain.iter().position(|l| l.node == n)) else {
            return Err(Error::internal(
                ErrorDomain::Qemu,
                format!(
                    "disk '{}' reads no image of its chain after the pivot",
                    d.target
                ),
            ));
        };
        let (removed, base) = (&chain[..at], &chain[at]);
        let mut vm = job.lock();
        let image = removed.first().map(|l| std::path::PathBuf::from(&l.file));
        if image.is_some() && image_of(&vm.def, &d.target) == image {
            point_disk_at(&mut vm.def, &d.target, &base.file, &base.format);
        }
        if let Some(next) = vm.next_def.as_mut()
            && image.is_some()
            && image_of(next, &d.target) == image
        {
            point_disk_at(next, &d.target, &base.file, &base.format);
        }
        if let Some(run) = vm.run.as_mut()
            && let Some(names) = run.devices.disks.iter_mut().find(|n| n.target == d.target)
        {
            names.node = Some(base.node.clone());
            names.path = Some(base.file.clone());
        }
        touch_status(&mut vm);
        let persistent = vm.persistent.then(|| vm.next_def.clone()).flatten();
        drop(vm);
        if let Some(next) = persistent {
            save_config(self, &next)?;
        }
        drop_committed(&d.mon, removed, delete);
        Ok(())
    }

    /// Waits until QEMU no longer lists `disk`'s commit job.
    fn wait_job_gone(&self, disk: &RunningDisk) -> Result<()> {
        let deadline = Instant::now() + JOB_END_TIMEOUT;
        while Self::commit_job(disk)?.is_some() {
            if Instant::now() > deadline {
                return Err(Error::internal(
                    ErrorDomain::Qemu,
                    format!("block job of disk '{}' did not end", disk.target),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    /// `virDomainBlockJobSetSpeed` of `disk`'s commit.
    pub(crate) fn block_job_set_speed(
        &self,
        dom: &DomainRef,
        disk: &str,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, SPEED_BYTES, "qemuDomainBlockJobSetSpeed")?;
        let speed = bandwidth_bytes(bandwidth, flags & SPEED_BYTES != 0)?;
        let d = self.running_disk(dom, disk)?;
        if Self::commit_job(&d)?.is_none() {
            return Err(invalid(format!(
                "disk {} does not have an active block job",
                d.target
            )));
        }
        d.mon.call(
            "block-job-set-speed",
            Some(json!({ "device": job_id(&d.alias), "speed": speed })),
            MONITOR_TIMEOUT,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_follows_backing_files_to_format_nodes() {
        let nodes = json!([
            {"node-name": "libvirt-2-format", "drv": "qcow2", "file": "/i/ov.qcow2",
             "backing_file": "/i/base.raw"},
            {"node-name": "libvirt-2-storage", "drv": "file", "file": "/i/ov.qcow2"},
            {"node-name": "libvirt-1-storage", "drv": "file", "file": "/i/base.raw"},
            {"node-name": "libvirt-1-format", "drv": "raw", "file": "/i/base.raw"},
        ]);
        let chain = chain_of(&nodes, "libvirt-2-format");
        assert_eq!(
            chain
                .iter()
                .map(|l| (l.node.as_str(), l.format.as_str()))
                .collect::<Vec<_>>(),
            [("libvirt-2-format", "qcow2"), ("libvirt-1-format", "raw")]
        );
        assert_eq!(chain_of(&nodes, "libvirt-1-format").len(), 1);
        assert!(chain_of(&nodes, "nosuch").is_empty());
    }

    #[test]
    fn job_ids_name_their_disk() {
        assert_eq!(alias_of_job(&job_id("virtio-disk0")), Some("virtio-disk0"));
        assert_eq!(alias_of_job("virtio-disk0"), None);
        assert_eq!(
            storage_node_of("libvirt-3-format").as_deref(),
            Some("libvirt-3-storage")
        );
    }

    #[test]
    fn bandwidth_in_mib_or_bytes() {
        assert_eq!(bandwidth_bytes(2, false).unwrap(), 2 << 20);
        assert_eq!(bandwidth_bytes(5, true).unwrap(), 5);
        let e = bandwidth_bytes(1 << 43, false).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Overflow);
        assert!(e.message().contains("8796093022208"), "{e}");
    }
}

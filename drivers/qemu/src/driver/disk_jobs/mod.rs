//! Block jobs rvirt starts on a running disk's image chain, as libvirt 9.0's QEMU driver
//! runs them: active commit ([`commit`]: `virsh blockcommit --active`), pull ([`pull`]:
//! `virsh blockpull`) and copy ([`copy`]: `virsh blockcopy`), and what ends or tunes
//! them (`virsh blockjob --pivot|--abort|--bandwidth`).
//!
//! A job's QEMU id is [`job_id`]: its kind and the disk's device alias, which is how
//! QEMU's events and `query-block-jobs` name the disk and the job type again. The chain
//! under a disk is read from QEMU ([`chain`]). One job per disk at a time.

use std::time::{Duration, Instant};

use rvirt_core::driver::DomainRef;
use rvirt_core::objects::Job;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::connection::check_flags;
use super::instance::{Shared, not_running};
use super::migration_params::{BANDWIDTH_MAX, MIB_SHIFT, too_fast};
use super::monitor::Monitor;
use super::running::Running;
use super::start::MONITOR_TIMEOUT;

pub(crate) mod chain;
pub(crate) mod commit;
pub(crate) mod copy;
pub(crate) mod pull;
pub(crate) mod threshold;

/// `virDomainBlockJobAbortFlags`.
const ABORT_ASYNC: u32 = 1;
const ABORT_PIVOT: u32 = 2;
/// `VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES`.
const SPEED_BYTES: u32 = 1;
/// How long a pivot or a cancel may take to end the job.
const JOB_END_TIMEOUT: Duration = Duration::from_secs(30);

/// The kinds of job rvirt starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobKind {
    /// `block-commit` of the active layer.
    ActiveCommit,
    /// `block-stream` into the active layer.
    Pull,
    /// `blockdev-mirror` to a new image.
    Copy,
}

impl JobKind {
    const ALL: [JobKind; 3] = [JobKind::ActiveCommit, JobKind::Pull, JobKind::Copy];

    fn prefix(self) -> &'static str {
        match self {
            JobKind::ActiveCommit => "active-commit-",
            JobKind::Pull => "pull-",
            JobKind::Copy => "copy-",
        }
    }

    /// libvirt's `virDomainBlockJobType`.
    pub(crate) fn block_job_type(self) -> rvirt_core::api::BlockJobType {
        match self {
            JobKind::ActiveCommit => rvirt_core::api::BlockJobType::ActiveCommit,
            JobKind::Pull => rvirt_core::api::BlockJobType::Pull,
            JobKind::Copy => rvirt_core::api::BlockJobType::Copy,
        }
    }
}

/// The QEMU job id of a `kind` job on the disk with device alias `alias`.
pub(crate) fn job_id(kind: JobKind, alias: &str) -> String {
    format!("{}{alias}", kind.prefix())
}

/// The kind and the disk's device alias of rvirt's QEMU job `id`.
pub(crate) fn parse_job_id(id: &str) -> Option<(JobKind, &str)> {
    JobKind::ALL
        .into_iter()
        .find_map(|k| Some((k, id.strip_prefix(k.prefix())?)))
}

pub(crate) fn invalid(message: String) -> Error {
    Error::invalid_arg(ErrorDomain::Qemu, message)
}

/// A cap in bytes/s from libvirt's MiB/s (or bytes/s with `bytes`): libvirt's "numerical
/// overflow: bandwidth must be less than N" beyond what an i64 of bytes/s holds.
pub(crate) fn bandwidth_bytes(bandwidth: u64, bytes: bool) -> Result<u64> {
    if bytes {
        return if bandwidth > i64::MAX as u64 {
            Err(too_fast(i64::MAX as u64 - 1))
        } else {
            Ok(bandwidth)
        };
    }
    if bandwidth > BANDWIDTH_MAX {
        return Err(too_fast(BANDWIDTH_MAX));
    }
    Ok(bandwidth << MIB_SHIFT)
}

/// A disk of a running domain: which domain, its target, device alias, top format node
/// and the QEMU monitor.
pub(crate) struct RunningDisk {
    pub uuid: rvirt_core::Uuid,
    pub target: String,
    pub alias: String,
    pub node: String,
    pub mon: Monitor,
}

impl RunningDisk {
    /// rvirt's job on this disk, if one runs: its kind and QEMU's `query-block-jobs` entry.
    pub(crate) fn job(&self) -> Result<Option<(JobKind, Value)>> {
        let jobs = self.mon.call("query-block-jobs", None, MONITOR_TIMEOUT)?;
        Ok(jobs.as_array().into_iter().flatten().find_map(|j| {
            let (kind, alias) = parse_job_id(j.get("device")?.as_str()?)?;
            (alias == self.alias).then(|| (kind, j.clone()))
        }))
    }

    /// The image chain under format node `top` as QEMU holds it, `top` first.
    pub(crate) fn chain_under(&self, top: &str) -> Result<Vec<chain::Link>> {
        let nodes = self
            .mon
            .call("query-named-block-nodes", None, MONITOR_TIMEOUT)?;
        Ok(chain::chain_of(&nodes, top))
    }

    /// The disk's image chain, its top first.
    pub(crate) fn chain(&self) -> Result<Vec<chain::Link>> {
        self.chain_under(&self.node)
    }

    /// Completes this disk's ready job `id` (a pivot) and waits until it is gone.
    fn complete(&self, id: &str) -> Result<()> {
        self.mon.call(
            "block-job-complete",
            Some(json!({ "device": id })),
            MONITOR_TIMEOUT,
        )?;
        self.wait_job_gone()
    }

    /// The format node the disk reads now, as QEMU's `query-block` says (after a pivot).
    /// Called without the domain's lock: QEMU's answer may wait for its events.
    fn current_top(&self, def: &rvirt_core::conf::DomainDef) -> Result<String> {
        crate::driver::snapshot::live::live_disks(&self.mon, def)?
            .into_iter()
            .find(|l| l.target == self.target)
            .map(|l| l.node)
            .ok_or_else(|| {
                Error::internal(
                    ErrorDomain::Qemu,
                    format!("QEMU does not show disk '{}' after the pivot", self.target),
                )
            })
    }

    /// Waits until QEMU no longer lists a job of this disk.
    fn wait_job_gone(&self) -> Result<()> {
        let deadline = Instant::now() + JOB_END_TIMEOUT;
        while self.job()?.is_some() {
            if Instant::now() > deadline {
                return Err(Error::internal(
                    ErrorDomain::Qemu,
                    format!("block job of disk '{}' did not end", self.target),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

/// libvirt's "disk vda does not have an active block job".
fn no_job(disk: &RunningDisk) -> Error {
    invalid(format!(
        "disk {} does not have an active block job",
        disk.target
    ))
}

impl Shared {
    /// After a pivot of `d` onto format node `node` reading `path`: the live definition
    /// follows (`point`), and so does the persistent one if it named the same image (as
    /// libvirt rewrites it), saved; the run's names too.
    fn follow_pivot(
        &self,
        job: &Job<'_, Running>,
        d: &RunningDisk,
        node: &str,
        path: &str,
        point: impl Fn(&mut rvirt_core::conf::DomainDef),
    ) -> Result<()> {
        use crate::driver::snapshot::external::image_of;
        let mut vm = job.lock();
        let image = image_of(&vm.def, &d.target);
        point(&mut vm.def);
        if let Some(next) = vm.next_def.as_mut()
            && image.is_some()
            && image_of(next, &d.target) == image
        {
            point(next);
        }
        if let Some(run) = vm.run.as_mut()
            && let Some(names) = run.devices.disks.iter_mut().find(|n| n.target == d.target)
        {
            names.node = Some(node.to_string());
            names.path = Some(path.to_string());
        }
        crate::driver::configuration::touch_status(&mut vm);
        let persistent = vm.persistent.then(|| vm.next_def.clone()).flatten();
        drop(vm);
        if let Some(next) = persistent {
            crate::driver::configuration::save_config(self, &next)?;
        }
        Ok(())
    }

    /// Disk `disk` (target or source path) of the running `dom`: "disk 'X' not found in
    /// domain" when the domain has no such disk, "domain is not running" when it is
    /// shut off.
    pub(crate) fn running_disk(&self, dom: &DomainRef, disk: &str) -> Result<RunningDisk> {
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

    /// `virDomainBlockJobAbort`: cancels `disk`'s job (a commit leaves the disk on its
    /// overlay, a pull keeps what it copied), or with `ABORT_PIVOT` completes a ready
    /// active commit, switching the disk to its base. Returns once the job ended.
    pub(crate) fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        check_flags(flags, ABORT_ASYNC | ABORT_PIVOT, "qemuDomainBlockJobAbort")?;
        let entry = self.domains.list.get(dom)?;
        let job = entry.begin_job("virDomainBlockJobAbort")?;
        let d = self.running_disk(dom, disk)?;
        let Some((kind, running)) = d.job()? else {
            return Err(no_job(&d));
        };
        let id = job_id(kind, &d.alias);
        let pivot = flags & ABORT_PIVOT != 0;
        if pivot && kind == JobKind::Pull {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                format!("pivot of disk '{}' requires an active copy job", d.target),
            ));
        }
        if pivot && running.get("ready").and_then(Value::as_bool) != Some(true) {
            return Err(Error::new(
                ErrorCode::BlockCopyActive,
                ErrorDomain::Qemu,
                format!("block job '{id}' not ready for pivot yet"),
            ));
        }
        match (pivot, kind) {
            (true, JobKind::Copy) => self.pivot_copy(&job, &d, &id),
            (true, _) => self.pivot_commit(&job, &d, &id),
            (false, _) => {
                d.mon.call(
                    "block-job-cancel",
                    Some(json!({ "device": id })),
                    MONITOR_TIMEOUT,
                )?;
                d.wait_job_gone()?;
                self.forget_commit(&d, &id);
                if kind == JobKind::Copy {
                    self.forget_copy(&job, &d);
                }
                Ok(())
            }
        }
    }

    /// `virDomainBlockJobSetSpeed` of `disk`'s job.
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
        let Some((kind, _)) = d.job()? else {
            return Err(no_job(&d));
        };
        d.mon.call(
            "block-job-set-speed",
            Some(json!({ "device": job_id(kind, &d.alias), "speed": speed })),
            MONITOR_TIMEOUT,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_name_their_kind_and_disk() {
        for kind in JobKind::ALL {
            let id = job_id(kind, "virtio-disk0");
            assert_eq!(parse_job_id(&id), Some((kind, "virtio-disk0")));
        }
        assert_eq!(parse_job_id("virtio-disk0"), None);
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

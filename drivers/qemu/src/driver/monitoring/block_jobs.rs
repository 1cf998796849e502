//! A disk's block job (`virDomainGetBlockJobInfo`, from QEMU's `query-block-jobs`)
//! and a memory dirty-rate measurement (`virDomainStartDirtyRateCalc`, QEMU's
//! `calc-dirty-rate`, whose result the `dirtyrate` statistics group reads).

use rvirt_core::api::BlockJobInfo;
use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::{Value, json};

use super::super::disk_jobs::{JobKind, parse_job_id};
use super::super::instance::Shared;
use super::super::start::MONITOR_TIMEOUT;
use super::info::snap;
use super::snapshot::find_disk;

/// `VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES`.
const BANDWIDTH_BYTES: u32 = 1;
/// `virDomainDirtyRateCalcFlags`: dirty-bitmap and dirty-ring modes (page sampling
/// is 0).
const MODE_DIRTY_BITMAP: u32 = 1;
const MODE_DIRTY_RING: u32 = 2;
/// The measurement lengths libvirt accepts, seconds.
const DIRTY_RATE_SECONDS: std::ops::RangeInclusive<i32> = 1..=60;

/// libvirt's `virDomainBlockJobType` of QEMU's job `type`.
fn job_type(kind: &str) -> i32 {
    match kind {
        "stream" => 1,
        "mirror" => 2,
        "commit" => 3,
        "backup" => 5,
        _ => 0,
    }
}

/// `virDomainGetBlockJobInfo` of a running domain's disk `disk` (target or path).
pub(super) fn block_job_info(
    shared: &Shared,
    dom: &DomainRef,
    disk: &str,
    flags: u32,
) -> Result<Option<BlockJobInfo>> {
    super::super::connection::check_flags(flags, BANDWIDTH_BYTES, "qemuDomainGetBlockJobInfo")?;
    let (_, snap) = snap(shared, dom)?;
    let run = snap
        .run
        .as_ref()
        .ok_or_else(rvirt_core::objects::not_running)?;
    let d = find_disk(&snap.disks, disk)
        .ok_or_else(|| Error::invalid_arg(ErrorDomain::Qemu, format!("disk '{disk}' not found")))?;
    let jobs = run.mon.call("query-block-jobs", None, MONITOR_TIMEOUT)?;
    let names = [Some(d.names.alias.as_str()), d.names.node.as_deref()];
    // QEMU names a job by its id: the disk's own names, or rvirt's id of a job on it.
    let Some((job, own)) = jobs.as_array().into_iter().flatten().find_map(|j| {
        let device = j.get("device").and_then(Value::as_str)?;
        let own = parse_job_id(device).filter(|(_, alias)| *alias == d.names.alias);
        (own.is_some() || names.contains(&Some(device))).then_some((j, own))
    }) else {
        return Ok(None);
    };
    let active_commit = matches!(own, Some((JobKind::ActiveCommit, _)));
    let u = |k: &str| job.get(k).and_then(Value::as_u64).unwrap_or(0);
    let speed = u("speed");
    let (cur, end) = progress(
        u("offset"),
        u("len"),
        job.get("ready").and_then(Value::as_bool),
    );
    Ok(Some(BlockJobInfo {
        // VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT (QEMU calls it a commit).
        job_type: if active_commit {
            4
        } else {
            job_type(job.get("type").and_then(Value::as_str).unwrap_or_default())
        },
        bandwidth: if flags & BANDWIDTH_BYTES != 0 {
            speed
        } else {
            speed >> 20
        },
        cur,
        end,
    }))
}

/// A job's progress as libvirt reports it, from QEMU's `offset`, `len` and `ready`:
/// `cur == end` tells a client polling for completion that the job can end, so a ready job
/// with nothing to copy shows 1 of 1, one with no figures yet 0 of 1, and one not ready
/// never shows all done.
fn progress(offset: u64, len: u64, ready: Option<bool>) -> (u64, u64) {
    match (offset, len, ready) {
        (0, 0, Some(true)) => (1, 1),
        (0, 0, None) => (0, 1),
        (cur, end, Some(false)) if cur == end && cur > 0 => (cur - 1, end),
        (cur, end, _) => (cur, end),
    }
}

/// `virDomainStartDirtyRateCalc` of a running domain; the reply remembered for the
/// statistics is dropped, the next one is QEMU's.
pub(super) fn start_dirty_rate_calc(
    shared: &Shared,
    dom: &DomainRef,
    seconds: i32,
    flags: u32,
) -> Result<()> {
    super::super::connection::check_flags(
        flags,
        MODE_DIRTY_BITMAP | MODE_DIRTY_RING,
        "qemuDomainStartDirtyRateCalc",
    )?;
    if !DIRTY_RATE_SECONDS.contains(&seconds) {
        return Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!(
                "seconds={seconds} is invalid, please choose value within [{}, {}].",
                DIRTY_RATE_SECONDS.start(),
                DIRTY_RATE_SECONDS.end()
            ),
        ));
    }
    let mode = match flags {
        0 => "page-sampling",
        MODE_DIRTY_BITMAP => "dirty-bitmap",
        MODE_DIRTY_RING => "dirty-ring",
        _ => {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                "dirty-bitmap and dirty-ring modes are mutually exclusive",
            ));
        }
    };
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainStartDirtyRateCalc")?;
    let mon = {
        let mut vm = job.lock();
        let run = vm
            .run
            .as_mut()
            .ok_or_else(rvirt_core::objects::not_running)?;
        run.dirty_rate = None;
        run.mon.clone()
    };
    mon.call(
        "calc-dirty-rate",
        Some(json!({"calc-time": seconds, "mode": mode})),
        MONITOR_TIMEOUT,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_as_libvirt_reports_it() {
        assert_eq!(progress(0, 0, Some(true)), (1, 1));
        assert_eq!(progress(0, 0, Some(false)), (0, 0));
        assert_eq!(progress(0, 0, None), (0, 1));
        assert_eq!(progress(5, 5, Some(false)), (4, 5));
        assert_eq!(progress(5, 5, Some(true)), (5, 5));
        assert_eq!(progress(3, 5, Some(false)), (3, 5));
    }
}

//! `virDomainGetJobInfo` and `virDomainAbortJob`: the background job of a domain is
//! a save (QEMU's migration into the save file) in progress; its progress is QEMU's
//! `query-migrate`, and aborting it is `migrate_cancel`. Other operations that hold
//! the domain's job (start, a hotplug) are not background jobs, as in libvirt.

use rvirt_core::api::JobInfo;
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::Value;

use super::instance::{Entry, Shared};
use super::start::MONITOR_TIMEOUT;

/// The job names of background jobs (what [`Entry::begin_job`] was given).
const BACKGROUND: &[&str] = &["virDomainSave"];

/// `VIR_DOMAIN_JOB_NONE` / `VIR_DOMAIN_JOB_UNBOUNDED`.
const JOB_NONE: i32 = 0;
const JOB_UNBOUNDED: i32 = 2;

fn u(v: &Value, path: &[&str]) -> u64 {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// The job info of a `query-migrate` reply of an active migration.
pub(crate) fn from_query_migrate(v: &Value) -> JobInfo {
    let ram = [
        u(v, &["ram", "total"]),
        u(v, &["ram", "transferred"]),
        u(v, &["ram", "remaining"]),
    ];
    JobInfo {
        job_type: JOB_UNBOUNDED,
        time_elapsed: u(v, &["total-time"]),
        time_remaining: 0,
        data: ram,
        mem: ram,
        file: [0; 3],
    }
}

impl Shared {
    /// The monitor of `entry` if a background job runs on it.
    fn background_job(&self, entry: &Entry) -> Option<super::monitor::Monitor> {
        let vm = entry.lock();
        let job = vm.job()?;
        if !BACKGROUND.contains(&job) {
            return None;
        }
        vm.run.as_ref().map(|r| r.mon.clone())
    }

    /// `virDomainGetJobInfo`: type NONE and zeros without a background job.
    pub(crate) fn job_info(&self, entry: &Entry) -> Result<JobInfo> {
        let Some(mon) = self.background_job(entry) else {
            return Ok(JobInfo {
                job_type: JOB_NONE,
                ..JobInfo::default()
            });
        };
        let v = mon.call("query-migrate", None, MONITOR_TIMEOUT)?;
        Ok(match v.get("status").and_then(Value::as_str) {
            Some("active" | "setup" | "device" | "pre-switchover") => from_query_migrate(&v),
            _ => JobInfo::default(),
        })
    }

    /// `virDomainAbortJob`: cancels a save in progress (it then fails with "operation
    /// aborted" and the guest keeps running).
    ///
    /// Errors: `VIR_ERR_OPERATION_INVALID` "no job is active on the domain".
    pub(crate) fn abort_job(&self, entry: &Entry) -> Result<()> {
        let mon = self.background_job(entry).ok_or_else(|| {
            Error::operation_invalid(ErrorDomain::Qemu, "no job is active on the domain")
        })?;
        mon.call("migrate_cancel", None, MONITOR_TIMEOUT)?;
        Ok(())
    }
}

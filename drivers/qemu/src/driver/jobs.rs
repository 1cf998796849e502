//! `virDomainGetJobInfo`, `virDomainGetJobStats` and `virDomainAbortJob{,Flags}`: the
//! background job of a domain is
//! a save (QEMU's migration into the save file) in progress; its progress is QEMU's
//! `query-migrate`, and aborting it is `migrate_cancel`. Other operations that hold
//! the domain's job (start, a hotplug) are not background jobs, as in libvirt.

use rvirt_core::api::{JobInfo, TypedParam, TypedValue};
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::Value;

use super::instance::{Entry, Shared};
use super::start::MONITOR_TIMEOUT;

/// The job names of background jobs (what [`Entry::begin_job`] was given).
const BACKGROUND: &[&str] = &["virDomainSave", super::migration::PERFORM_JOB];

/// `VIR_DOMAIN_JOB_NONE` / `VIR_DOMAIN_JOB_UNBOUNDED`.
const JOB_NONE: i32 = 0;
const JOB_UNBOUNDED: i32 = 2;
/// `VIR_DOMAIN_JOB_COMPLETED`.
const JOB_COMPLETED: i32 = 3;
/// `VIR_DOMAIN_JOB_OPERATION_SAVE`: what every background job here is.
const OPERATION_SAVE: i32 = 2;
/// `VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT`.
const OPERATION_MIGRATION_OUT: i32 = 5;
/// `VIR_DOMAIN_JOB_STATS_COMPLETED` / `_KEEP_COMPLETED`.
const STATS_COMPLETED: u32 = 1;
const STATS_KEEP_COMPLETED: u32 = 2;
/// `VIR_DOMAIN_ABORT_JOB_POSTCOPY`.
const ABORT_POSTCOPY: u32 = 1;

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

/// libvirt's statistics of a completed outgoing migration (the JOB_COMPLETED event's
/// and `domjobinfo --completed`'s) from QEMU's last `query-migrate` reply.
pub(crate) fn completed_migration(v: &Value) -> Vec<TypedParam> {
    let ull = |name: &str, v: u64| TypedParam::new(name, TypedValue::ULLong(v));
    let ram = |k: &str| u(v, &["ram", k]);
    let total = ram("total");
    let sent = ram("transferred");
    let elapsed = u(v, &["total-time"]);
    let downtime = u(v, &["downtime"]);
    let bps = v
        .pointer("/ram/mbps")
        .and_then(Value::as_f64)
        .map(|m| (m * 1_000_000.0 / 8.0) as u64)
        .unwrap_or(0);
    vec![
        TypedParam::new("operation", TypedValue::Int(OPERATION_MIGRATION_OUT)),
        ull("time_elapsed", elapsed),
        ull("time_elapsed_net", elapsed),
        ull("downtime", downtime),
        ull("downtime_net", downtime),
        ull("setup_time", u(v, &["setup-time"])),
        ull("data_total", total),
        ull("data_processed", sent),
        ull("data_remaining", 0),
        ull("memory_total", total),
        ull("memory_processed", sent),
        ull("memory_remaining", 0),
        ull("memory_bps", bps),
        ull("memory_constant", ram("duplicate")),
        ull("memory_normal", ram("normal")),
        ull("memory_normal_bytes", ram("normal-bytes")),
        ull("memory_dirty_rate", ram("dirty-pages-rate")),
        ull("memory_iteration", ram("dirty-sync-count")),
        ull("memory_postcopy_requests", ram("postcopy-requests")),
        ull("memory_page_size", ram("page-size")),
        ull("disk_total", 0),
        ull("disk_processed", 0),
        ull("disk_remaining", 0),
    ]
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

    /// `virDomainGetJobStats`: the running job as libvirt's typed parameters
    /// (operation, elapsed time, data and memory totals); type NONE and no
    /// parameters without one. Completed jobs are not kept: asked for the last
    /// completed one, the answer is NONE.
    pub(crate) fn job_stats(&self, entry: &Entry, flags: u32) -> Result<(i32, Vec<TypedParam>)> {
        super::connection::check_flags(
            flags,
            STATS_COMPLETED | STATS_KEEP_COMPLETED,
            "qemuDomainGetJobStats",
        )?;
        if flags & STATS_COMPLETED != 0 {
            // The last completed migration's, kept unless the caller is done with them.
            let uuid = entry.uuid();
            let kept = match flags & STATS_KEEP_COMPLETED {
                0 => self.migrations.take_completed(&uuid),
                _ => self.migrations.completed(&uuid),
            };
            return Ok(match kept {
                Some(params) => (JOB_COMPLETED, params),
                None => (JOB_NONE, Vec::new()),
            });
        }
        let operation = match entry.lock().job() {
            Some(super::migration::PERFORM_JOB) => OPERATION_MIGRATION_OUT,
            _ => OPERATION_SAVE,
        };
        let info = self.job_info(entry)?;
        if info.job_type == JOB_NONE {
            return Ok((JOB_NONE, Vec::new()));
        }
        let ull = |name: &str, v: u64| TypedParam::new(name, TypedValue::ULLong(v));
        let mut params = vec![
            TypedParam::new("operation", TypedValue::Int(operation)),
            ull("time_elapsed", info.time_elapsed),
        ];
        for (prefix, figures) in [("data", info.data), ("memory", info.mem)] {
            for (suffix, v) in ["total", "processed", "remaining"].iter().zip(figures) {
                params.push(ull(&format!("{prefix}_{suffix}"), v));
            }
        }
        Ok((info.job_type, params))
    }

    /// `virDomainAbortJobFlags`: [`Self::abort_job`]; `VIR_DOMAIN_ABORT_JOB_POSTCOPY`
    /// is for a migration in post-copy, which no job here is.
    pub(crate) fn abort_job_flags(&self, entry: &Entry, flags: u32) -> Result<()> {
        super::connection::check_flags(flags, ABORT_POSTCOPY, "qemuDomainAbortJobFlags")?;
        if flags & ABORT_POSTCOPY != 0 && self.background_job(entry).is_some() {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "current job is not outgoing migration in post-copy mode",
            ));
        }
        self.abort_job(entry)
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

//! QEMU's internal snapshot jobs (QEMU ≥ 6.0): `snapshot-save`, `snapshot-load` and
//! `snapshot-delete` start a job; the driver polls `query-jobs` until the job has
//! concluded, reads its error, and dismisses it (`job-dismiss`), as libvirt does. The
//! nodes named are the format nodes of the domain's writable disks; the first one also
//! holds the memory state (`vmstate`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rvirt_core::conf::{Device, DiskDevice, DomainDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use crate::qmp::QmpStream;

/// Longest a snapshot job may take (the memory of a small guest takes seconds).
pub(crate) const JOB_LIMIT: Duration = Duration::from_secs(180);

fn failed(message: String) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

/// The QMP job commands of internal snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Save,
    Load,
    Delete,
}

impl Kind {
    fn command(self) -> &'static str {
        match self {
            Kind::Save => "snapshot-save",
            Kind::Load => "snapshot-load",
            Kind::Delete => "snapshot-delete",
        }
    }
}

/// The format node names of `def`'s writable disks with media, in order (the names the
/// command line gives them, `libvirt-N-format`).
pub(crate) fn start_nodes(def: &DomainDef) -> Vec<String> {
    let writable: Vec<bool> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Disk(d) => {
                Some(!d.readonly && d.device.unwrap_or(DiskDevice::Disk) == DiskDevice::Disk)
            }
            _ => None,
        })
        .collect();
    crate::command_line::disk_names(def)
        .into_iter()
        .zip(writable)
        .filter(|(_, w)| *w)
        .filter_map(|(n, _)| n.node)
        .collect()
}

/// A job id no other job of this process has.
fn job_id(kind: Kind) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "rvirt-{}-{}",
        kind.command(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs the `kind` job for snapshot `tag` on `nodes` through `call` (a monitor command
/// and its reply) and waits for its conclusion.
pub(crate) fn run(
    mut call: impl FnMut(&str, Option<Value>) -> Result<Value>,
    kind: Kind,
    tag: &str,
    nodes: &[String],
) -> Result<()> {
    let vmstate = nodes.first().ok_or_else(|| {
        Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Qemu,
            "internal snapshot requires a writable qcow2 disk",
        )
    })?;
    let id = job_id(kind);
    let mut args = json!({"job-id": id, "tag": tag, "devices": nodes});
    if kind != Kind::Delete {
        args["vmstate"] = json!(vmstate);
    }
    call(kind.command(), Some(args))?;
    let deadline = Instant::now() + JOB_LIMIT;
    loop {
        let jobs = call("query-jobs", None)?;
        let job = jobs
            .as_array()
            .and_then(|all| all.iter().find(|j| j["id"] == json!(id)))
            .cloned();
        let Some(job) = job else {
            return Err(failed(format!("QEMU lost job '{id}'")));
        };
        if job["status"] == "concluded" {
            let _ = call("job-dismiss", Some(json!({ "id": id })));
            return match job.get("error").and_then(Value::as_str) {
                Some(e) => Err(failed(format!("{} job failed: {e}", kind.command()))),
                None => Ok(()),
            };
        }
        if Instant::now() > deadline {
            let _ = call("job-cancel", Some(json!({ "id": id })));
            return Err(failed(format!("{} job timed out", kind.command())));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// During a revert's start-up, before `cont`: loads the internal snapshot `tag` into
/// the paused QEMU (`snapshot-load` on every writable disk of `def`).
pub(crate) fn load(qmp: &mut QmpStream, def: &DomainDef, tag: &str) -> Result<()> {
    let nodes = start_nodes(def);
    run(|c, a| qmp.execute(c, a), Kind::Load, tag, &nodes)
}

//! A running domain's side of a snapshot: which block node each disk's guest device
//! reads now (`query-block`: hotplug and external snapshots renamed them since the
//! start), and pausing the guest around an internal snapshot as libvirt does (the
//! guest is paused with reason "creating snapshot" and resumed afterwards, so QEMU's
//! own stop inside the job is no surprise to anyone).

use std::time::Duration;

use rvirt_core::api::{PausedReason, ResumedDetail, RunningReason, StateReason};
use rvirt_core::objects::{Events, Job};
use rvirt_core::{DomainEvent, Lifecycle, Result};
use serde_json::Value;

use crate::command_line::disk_alias;
use crate::driver::instance::{Shared, not_running};
use crate::driver::monitor::Monitor;
use crate::driver::running::{Running, save_status};
use crate::driver::start::MONITOR_TIMEOUT;
use crate::event_map::suspended_detail;

/// Bound of one monitor command while a snapshot job may hold QEMU's main loop.
pub(crate) const JOB_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// One disk of a running domain as QEMU has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveDisk {
    /// Target name (`vda`).
    pub target: String,
    /// The top node of its image chain (`libvirt-1-format`, or an overlay's).
    pub node: String,
    /// The image's virtual size in bytes.
    pub size: u64,
}

/// True if `qdev` (a `query-block` entry's) is the device with id `alias`.
fn is_device(qdev: &str, alias: &str) -> bool {
    qdev == alias || qdev.starts_with(&format!("/machine/peripheral/{alias}/"))
}

/// The disks of `def` with media, matched to `query-block`'s answer.
pub(crate) fn live_disks(
    mon: &Monitor,
    def: &rvirt_core::conf::DomainDef,
) -> Result<Vec<LiveDisk>> {
    let blocks = mon.call("query-block", None, MONITOR_TIMEOUT)?;
    Ok(parse_live(&blocks, def))
}

fn parse_live(blocks: &Value, def: &rvirt_core::conf::DomainDef) -> Vec<LiveDisk> {
    let mut out = Vec::new();
    for d in def.devices().iter().filter_map(|d| match d {
        rvirt_core::conf::Device::Disk(d) => Some(d),
        _ => None,
    }) {
        let Some(alias) = disk_alias(d) else { continue };
        let found = blocks.as_array().and_then(|all| {
            all.iter().find(|b| {
                b.get("qdev")
                    .and_then(Value::as_str)
                    .is_some_and(|q| is_device(q, &alias))
            })
        });
        let Some(inserted) = found.and_then(|b| b.get("inserted")) else {
            continue;
        };
        let Some(node) = inserted.get("node-name").and_then(Value::as_str) else {
            continue;
        };
        out.push(LiveDisk {
            target: d.target.dev.clone(),
            node: node.to_string(),
            size: inserted
                .pointer("/image/virtual-size")
                .and_then(Value::as_u64)
                .unwrap_or(0),
        });
    }
    out
}

impl Shared {
    /// Pauses the running guest of `job` for a snapshot (SUSPENDED, reason "creating
    /// snapshot"); returns whether it was running (and so must be resumed).
    pub(crate) fn pause_for_snapshot(&self, job: &Job<'_, Running>) -> Result<bool> {
        let mon = {
            let mut vm = job.lock();
            if !matches!(vm.state, StateReason::Running(_)) {
                return Ok(false);
            }
            let run = vm.run.as_mut().ok_or_else(not_running)?;
            run.ctx.pause_reason = Some(PausedReason::Snapshot);
            run.mon.clone()
        };
        let result = mon.call("stop", None, MONITOR_TIMEOUT);
        let mut vm = job.lock();
        let mut ev = Events::new();
        if let Some(run) = vm.run.as_mut() {
            run.ctx.pause_reason = None;
        }
        if result.is_ok() && matches!(vm.state, StateReason::Running(_)) {
            vm.state = StateReason::Paused(PausedReason::Snapshot);
            ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Suspended(
                suspended_detail(PausedReason::Snapshot),
            ))));
        }
        save_status(&mut vm);
        self.domains.fanout.queue(ev);
        drop(vm);
        self.domains.fanout.flush();
        result.map(|_| true)
    }

    /// Resumes the guest [`Self::pause_for_snapshot`] paused (RESUMED/UNPAUSED).
    pub(crate) fn resume_after_snapshot(&self, job: &Job<'_, Running>) -> Result<()> {
        let mon = {
            let mut vm = job.lock();
            let run = vm.run.as_mut().ok_or_else(not_running)?;
            run.ctx.resume_reason = Some(RunningReason::Unpaused);
            run.mon.clone()
        };
        let result = mon.call("cont", None, MONITOR_TIMEOUT);
        let mut vm = job.lock();
        let mut ev = Events::new();
        if let Some(run) = vm.run.as_mut() {
            run.ctx.resume_reason = None;
        }
        if result.is_ok() && matches!(vm.state, StateReason::Paused(_)) {
            vm.state = StateReason::Running(RunningReason::Unpaused);
            ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Resumed(
                ResumedDetail::Unpaused,
            ))));
        }
        save_status(&mut vm);
        self.domains.fanout.queue(ev);
        drop(vm);
        self.domains.fanout.flush();
        result.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_block_entries_are_matched_by_device() {
        let def = rvirt_core::conf::DomainDef::from_xml(
            "<domain type='qemu'><name>d</name><memory>1024</memory><os><type>hvm</type></os>\
             <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>\
             <source file='/i/a.qcow2'/><target dev='vda' bus='virtio'/></disk>\
             <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>\
             </devices></domain>",
        )
        .unwrap();
        let blocks = json!([
            {"qdev": "ide0-1-0", "device": ""},
            {"qdev": "/machine/peripheral/virtio-disk0/virtio-backend", "device": "",
             "inserted": {"node-name": "snap-3-format", "image": {"virtual-size": 67108864}}}
        ]);
        assert_eq!(
            parse_live(&blocks, &def),
            [LiveDisk {
                target: "vda".into(),
                node: "snap-3-format".into(),
                size: 64 << 20
            }]
        );
    }
}

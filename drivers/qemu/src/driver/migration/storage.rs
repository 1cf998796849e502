//! Storage migration (`VIR_MIGRATE_NON_SHARED_DISK`, `_INC`: `virsh migrate
//! --copy-storage-all`, `--copy-storage-inc`), as libvirt runs it over NBD: the
//! destination's QEMU, waiting for the guest, exports each copied disk's image on an NBD
//! server (`nbd-server-start`, `block-export-add`, named by the disk's target); before
//! the memory goes, the source mirrors each disk into that export (`blockdev-add` of an
//! NBD client node, `blockdev-mirror`, the whole chain or with `_INC` the top image)
//! until every mirror is ready; the guest's writes keep going to both. Once the memory
//! is there and the guest paused, the mirrors are cancelled (a ready mirror's target is
//! then a consistent copy), and the destination stops its server before the guest
//! runs there. The destination's images must exist (created by the client, as OpenStack
//! Nova does, or an administrator).

use std::time::{Duration, Instant};

use rvirt_core::conf::{Device, DiskType, DomainDef};
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::{Value, json};

use super::super::monitor::Monitor;
use super::super::start::MONITOR_TIMEOUT;

/// How long the mirrors get to be ready.
const READY_WAIT: Duration = Duration::from_secs(300);

/// The export id and name of disk `target` on the destination.
fn export_id(target: &str) -> String {
    format!("migration-{target}")
}

/// The NBD client node of disk `target` on the source.
fn client_node(target: &str) -> String {
    format!("migration-{target}-nbd")
}

/// The block job id of disk `target`'s mirror on the source.
fn mirror_job(target: &str) -> String {
    format!("migration-{target}")
}

/// The disks a storage migration copies: the targets in `asked`, or every writable disk
/// with an image (file or block device). Each asked target must be such a disk.
pub(super) fn disks_to_copy(def: &DomainDef, asked: &[String]) -> Result<Vec<String>> {
    let copyable: Vec<String> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Disk(disk)
                if !disk.readonly
                    && matches!(disk.disk_type, DiskType::File | DiskType::Block)
                    && disk.source_path().is_some() =>
            {
                Some(disk.target.dev.clone())
            }
            _ => None,
        })
        .collect();
    if asked.is_empty() {
        return Ok(copyable);
    }
    for t in asked {
        if !copyable.contains(t) {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("disk target {t} not found"),
            ));
        }
    }
    Ok(asked.to_vec())
}

/// Destination: an NBD server on `listen`:`port` exporting each `(target, node)`
/// writable.
pub(super) fn serve(
    mon: &Monitor,
    listen: &str,
    port: u16,
    exports: &[(String, String)],
) -> Result<()> {
    let host = listen.trim_start_matches('[').trim_end_matches(']');
    mon.call(
        "nbd-server-start",
        Some(json!({ "addr": {
            "type": "inet",
            "data": { "host": host, "port": port.to_string() },
        }})),
        MONITOR_TIMEOUT,
    )?;
    for (target, node) in exports {
        let added = mon.call(
            "block-export-add",
            Some(json!({
                "type": "nbd",
                "id": export_id(target),
                "node-name": node,
                "name": target,
                "writable": true,
            })),
            MONITOR_TIMEOUT,
        );
        if let Err(e) = added {
            stop_serving(mon);
            return Err(e);
        }
    }
    Ok(())
}

/// Destination: the NBD server and its exports go.
pub(super) fn stop_serving(mon: &Monitor) {
    let _ = mon.call("nbd-server-stop", None, MONITOR_TIMEOUT);
}

/// Source: one mirror per `(target, node)` into the destination's export at
/// `host`:`port`, the chain (`top` false) or only its top image; waits until every
/// mirror is ready. On failure what was started is undone.
pub(super) fn mirror(
    mon: &Monitor,
    host: &str,
    port: u16,
    disks: &[(String, String)],
    top: bool,
    speed: u64,
) -> Result<()> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let started = (|| {
        for (target, node) in disks {
            mon.call(
                "blockdev-add",
                Some(json!({
                    "driver": "nbd",
                    "node-name": client_node(target),
                    "server": { "type": "inet", "host": host, "port": port.to_string() },
                    "export": target,
                })),
                MONITOR_TIMEOUT,
            )?;
            let mut args = json!({
                "job-id": mirror_job(target),
                "device": node,
                "target": client_node(target),
                "sync": if top { "top" } else { "full" },
                "auto-finalize": true,
                "auto-dismiss": true,
            });
            if speed > 0 {
                args["speed"] = json!(speed);
            }
            mon.call("blockdev-mirror", Some(args), MONITOR_TIMEOUT)?;
        }
        wait_ready(mon, disks)
    })();
    if started.is_err() {
        end_mirrors(mon, disks, true);
    }
    started
}

/// The mirrors of `disks` QEMU lists, by job id.
fn mirror_jobs(mon: &Monitor, disks: &[(String, String)]) -> Result<Vec<Value>> {
    let jobs = mon.call("query-block-jobs", None, MONITOR_TIMEOUT)?;
    let ids: Vec<String> = disks.iter().map(|(t, _)| mirror_job(t)).collect();
    Ok(jobs
        .as_array()
        .into_iter()
        .flatten()
        .filter(|j| {
            j.get("device")
                .and_then(Value::as_str)
                .is_some_and(|d| ids.iter().any(|i| i == d))
        })
        .cloned()
        .collect())
}

fn wait_ready(mon: &Monitor, disks: &[(String, String)]) -> Result<()> {
    let deadline = Instant::now() + READY_WAIT;
    loop {
        let jobs = mirror_jobs(mon, disks)?;
        if jobs.len() < disks.len() {
            return Err(Error::new(
                rvirt_core::ErrorCode::OperationFailed,
                ErrorDomain::Qemu,
                "migration of disk failed: a mirror ended before it was ready",
            ));
        }
        if jobs
            .iter()
            .all(|j| j.get("ready").and_then(Value::as_bool) == Some(true))
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Error::new(
                rvirt_core::ErrorCode::OperationFailed,
                ErrorDomain::Qemu,
                "migration of disk failed: the mirrors did not get ready",
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Source: cancels the mirrors of `disks` (a ready one leaves a consistent copy once
/// its last writes are in; `force` abandons them at once), waits until QEMU dropped
/// them, and removes the NBD client nodes.
pub(super) fn end_mirrors(mon: &Monitor, disks: &[(String, String)], force: bool) {
    for (target, _) in disks {
        let _ = mon.call(
            "block-job-cancel",
            Some(json!({ "device": mirror_job(target), "force": force })),
            MONITOR_TIMEOUT,
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while mirror_jobs(mon, disks).is_ok_and(|j| !j.is_empty()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    for (target, _) in disks {
        let _ = mon.call(
            "blockdev-del",
            Some(json!({ "node-name": client_node(target) })),
            MONITOR_TIMEOUT,
        );
    }
}

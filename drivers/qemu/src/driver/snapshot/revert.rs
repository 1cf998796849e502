//! `virDomainRevertToSnapshot` (libvirt's `qemuSnapshotRevert`), internal snapshots
//! only, as libvirt 9.0 (an external one is refused with its error):
//!
//! * a running domain is stopped first (STOPPED/FROM_SNAPSHOT);
//! * the snapshot's definition becomes the domain's (DEFINED/FROM_SNAPSHOT for a
//!   persistent one);
//! * a running or paused snapshot: QEMU starts paused, `snapshot-load` brings back
//!   the guest's memory and disks, and the guest runs (STARTED/FROM_SNAPSHOT) or stays
//!   paused (and SUSPENDED/FROM_SNAPSHOT) as the snapshot was or the flags say;
//! * a shut-off snapshot: `qemu-img snapshot -a` on each image; with `REVERT_RUNNING`
//!   or `REVERT_PAUSED` the domain then boots (STARTED/FROM_SNAPSHOT).

use std::sync::Arc;

use rvirt_core::api::DefinedDetail;
use rvirt_core::api::{ShutoffReason, StoppedDetail};
use rvirt_core::driver::DomainRef;
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result};

use super::disks::domain_disks;
use super::missing;
use super::qemu_img::{self, Op};
use crate::driver::configuration::save_config;
use crate::driver::connection::{check_flags, runnable_def};
use crate::driver::instance::Shared;
use crate::driver::start::{Origin, StartFlags};

/// `VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING`.
const RUNNING: u32 = 1;
/// `VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED`.
const PAUSED: u32 = 2;
/// `VIR_DOMAIN_SNAPSHOT_REVERT_FORCE`.
const FORCE: u32 = 4;
/// `VIR_DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM` (no NVRAM here: nothing to reset).
const RESET_NVRAM: u32 = 8;

/// True if the snapshot has an external disk or memory.
fn is_external(s: &rvirt_core::conf::DomainSnapshotDef) -> bool {
    s.memory.as_deref() == Some("external") || s.disks.iter().any(|d| d.snapshot == "external")
}

/// `virDomainRevertToSnapshot` on the QEMU driver.
pub(crate) fn revert(shared: &Arc<Shared>, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
    check_flags(
        flags,
        RUNNING | PAUSED | FORCE | RESET_NVRAM,
        "qemuDomainRevertToSnapshot",
    )?;
    if flags & RUNNING != 0 && flags & PAUSED != 0 {
        return Err(Error::new(
            ErrorCode::InvalidArg,
            ErrorDomain::Qemu,
            "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive",
        ));
    }
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainRevertToSnapshot")?;
    let (snap, persistent) = {
        let vm = job.lock();
        let snap = vm
            .snapshots
            .get(name)
            .cloned()
            .ok_or_else(|| missing(name))?;
        let state = snap.state.clone().unwrap_or_else(|| "shutoff".into());
        let live_target = matches!(state.as_str(), "running" | "paused");
        if !vm.persistent && !live_target && flags & (RUNNING | PAUSED) == 0 {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "transient domain needs to request run or pause to revert to inactive snapshot",
            ));
        }
        if is_external(&snap) {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::Qemu,
                "revert to external snapshot not supported yet",
            ));
        }
        if snap.domain.is_none() {
            return Err(Error::new(
                ErrorCode::SnapshotRevertRisky,
                ErrorDomain::Qemu,
                format!(
                    "snapshot '{name}' lacks domain '{}' rollback info",
                    vm.name()
                ),
            ));
        }
        if flags & FORCE == 0 && vm.managed_save && !live_target {
            return Err(Error::new(
                ErrorCode::SnapshotRevertRisky,
                ErrorDomain::Qemu,
                "snapshot without memory state, removal of existing managed saved state strongly recommended to avoid corruption",
            ));
        }
        match state.as_str() {
            "running" | "paused" | "shutoff" | "shutdown" | "crashed" => {}
            "pmsuspended" => {
                return Err(Error::new(
                    ErrorCode::OperationUnsupported,
                    ErrorDomain::Qemu,
                    "qemu doesn't support reversion of snapshot taken in PMSUSPENDED state",
                ));
            }
            other => {
                return Err(Error::internal(
                    ErrorDomain::Qemu,
                    format!("Invalid target domain state '{other}'. Refusing snapshot reversion"),
                ));
            }
        }
        (snap, vm.persistent)
    };
    // The snapshot's definition, under the domain's own name and UUID, checked and
    // completed like a definition a client defines (a redefined snapshot's is the
    // client's).
    let mut def = snap.domain.clone().expect("checked above");
    def.name = job.lock().name().to_string();
    def.uuid = Some(job.lock().uuid());
    let def = runnable_def(&def.to_xml()?)?;
    if job.lock().is_active() {
        let stopped = (ShutoffReason::FromSnapshot, StoppedDetail::FromSnapshot);
        shared.stop_in_job(&job, stopped, |_| {})?;
        shared.domains.fanout.flush();
    }
    if persistent {
        save_config(shared, &def)?;
    }
    job.lock().def = def.clone();
    let state = snap.state.as_deref().unwrap_or("shutoff");
    let started = match state {
        "running" | "paused" => {
            let paused = flags & RUNNING == 0 && (state == "paused" || flags & PAUSED != 0);
            shared.start_origin(
                &entry,
                &job,
                StartFlags::paused(paused),
                Origin::Snapshot(Some(name.to_string())),
            )
        }
        _ => {
            for d in domain_disks(&def) {
                if d.readonly || d.format != "qcow2" {
                    continue;
                }
                if let Some(image) = &d.path {
                    qemu_img::snapshot(Op::Apply, name, image)?;
                }
            }
            if flags & (RUNNING | PAUSED) != 0 {
                shared.start_origin(
                    &entry,
                    &job,
                    StartFlags::paused(flags & PAUSED != 0),
                    Origin::Snapshot(None),
                )
            } else {
                Ok(())
            }
        }
    };
    let mut vm = job.lock();
    vm.snapshots.set_current(Some(name.to_string()));
    let saved = shared.save_snapshots(&vm);
    if persistent {
        let ev = vm.event(DomainEvent::Lifecycle(Lifecycle::Defined(
            DefinedDetail::FromSnapshot,
        )));
        shared.domains.fanout.queue(vec![ev]);
    }
    drop(vm);
    drop(job);
    shared.domains.fanout.flush();
    started?;
    saved
}

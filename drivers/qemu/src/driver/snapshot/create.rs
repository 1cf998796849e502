//! `virDomainSnapshotCreateXML` (libvirt's `qemuSnapshotCreateXML`): flags and name
//! checked, the definition completed (name, creation time, state, parent = the
//! current snapshot, the domain's definition, every disk's location), then the
//! snapshot taken — internal (QEMU's `snapshot-save` job, or `qemu-img snapshot -c`
//! while shut off) or external disk-only ([`super::external`]) — and recorded as the
//! current one. `REDEFINE` records a snapshot described by the client without taking
//! it; `NO_METADATA` takes one without recording it.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rvirt_core::api::{ShutoffReason, StateReason, StoppedDetail};
use rvirt_core::conf::{ConfError, DomainSnapshotDef};
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::{CREATE_CURRENT, CREATE_REDEFINE, Job};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::disks::{self, Plan};
use super::jobs::{self, Kind};
use super::live::{JOB_CALL_TIMEOUT, live_disks};
use super::qemu_img::{self, Op};
use super::store::check_name;
use crate::driver::connection::check_flags;
use crate::driver::instance::{Shared, not_running};
use crate::driver::running::Running;

/// `VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA`.
pub(crate) const NO_METADATA: u32 = 4;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_HALT`.
pub(crate) const HALT: u32 = 8;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY`.
pub(crate) const DISK_ONLY: u32 = 16;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE`.
const QUIESCE: u32 = 64;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC`.
const ATOMIC: u32 = 128;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_LIVE`.
const LIVE: u32 = 256;
/// `VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE`.
const VALIDATE: u32 = 512;
/// The flags this driver takes (`REUSE_EXT` is not among them).
const FLAGS: u32 = CREATE_REDEFINE
    | CREATE_CURRENT
    | NO_METADATA
    | HALT
    | DISK_ONLY
    | QUIESCE
    | ATOMIC
    | LIVE
    | VALIDATE;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn invalid_arg(message: String) -> Error {
    Error::new(ErrorCode::InvalidArg, ErrorDomain::Qemu, message)
}

fn parse(xml: &str) -> Result<DomainSnapshotDef> {
    DomainSnapshotDef::from_xml(xml).map_err(|e| match e {
        ConfError::WrongRoot { found } => Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Xml,
            format!("expecting root element of 'domainsnapshot', not '{found}'"),
        ),
        e => e.into(),
    })
}

/// The flag combinations libvirt refuses before it looks at the domain.
fn check_combinations(flags: u32) -> Result<()> {
    let pairs = [
        (
            CREATE_CURRENT,
            CREATE_REDEFINE,
            "VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT",
            "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE",
        ),
        (
            QUIESCE,
            DISK_ONLY,
            "VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE",
            "VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY",
        ),
    ];
    for (needs, needed, a, b) in pairs {
        if flags & needs != 0 && flags & needed == 0 {
            return Err(invalid_arg(format!("Flag '{b}' is required by flag '{a}'")));
        }
    }
    let exclusive = [
        (
            CREATE_REDEFINE,
            NO_METADATA,
            "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE",
            "VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA",
        ),
        (
            LIVE,
            CREATE_REDEFINE,
            "VIR_DOMAIN_SNAPSHOT_CREATE_LIVE",
            "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE",
        ),
    ];
    for (x, y, a, b) in exclusive {
        if flags & x != 0 && flags & y != 0 {
            return Err(invalid_arg(format!(
                "Flags '{a}' and '{b}' are mutually exclusive"
            )));
        }
    }
    Ok(())
}

/// Most snapshots (with metadata) one domain may have: the tree is walked
/// recursively, and a client redefining snapshots must not grow it without bound.
pub(crate) const MAX_SNAPSHOTS: usize = 1024;

fn too_many() -> Error {
    Error::new(
        ErrorCode::OperationFailed,
        ErrorDomain::Qemu,
        format!("a domain can have at most {MAX_SNAPSHOTS} snapshots"),
    )
}

/// libvirt's checks of a redefined snapshot's parent: not itself, existing, and not
/// one of its own descendants (a cycle).
fn check_parent(
    tree: &rvirt_core::objects::SnapshotTree,
    name: &str,
    parent: Option<&str>,
) -> Result<()> {
    let Some(parent) = parent else {
        return Ok(());
    };
    if parent == name {
        return Err(invalid_arg(format!(
            "cannot set moment {name} as its own parent"
        )));
    }
    let mut up = tree
        .get(parent)
        .ok_or_else(|| invalid_arg(format!("parent {parent} for moment {name} not found")))?;
    let mut steps = 0;
    while let Some(next) = up.parent.as_deref() {
        if next == name || steps > MAX_SNAPSHOTS {
            return Err(invalid_arg(format!(
                "parent {} would create cycle to {name}",
                up.name.as_deref().unwrap_or_default()
            )));
        }
        steps += 1;
        match tree.get(next) {
            Some(s) => up = s,
            None => break,
        }
    }
    Ok(())
}

/// `virDomainSnapshotCreateXML` on the QEMU driver.
pub(crate) fn create(
    shared: &Arc<Shared>,
    dom: &DomainRef,
    xml: &str,
    flags: u32,
) -> Result<String> {
    check_flags(flags, FLAGS, "qemuDomainSnapshotCreateXML")?;
    check_combinations(flags)?;
    let def = parse(xml)?;
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainSnapshotCreateXML")?;
    if flags & CREATE_REDEFINE != 0 {
        return redefine(shared, &job, def, flags);
    }
    let (name, plan, def) = prepare(&job, def, flags)?;
    take(shared, &job, &def, &plan, flags)?;
    if flags & NO_METADATA == 0 {
        let mut vm = job.lock();
        vm.snapshots.insert(def, true);
        shared.save_snapshots(&vm)?;
    }
    if flags & HALT != 0 && job.lock().is_active() {
        let stopped = (ShutoffReason::FromSnapshot, StoppedDetail::FromSnapshot);
        shared.stop_in_job(&job, stopped, |_| {})?;
        drop(job);
        shared.domains.fanout.flush();
        shared.forget_if_transient(&entry);
    }
    Ok(name)
}

/// `REDEFINE`: the client's description recorded as it is (a name required, a
/// parent that exists), current with `CURRENT`.
fn redefine(
    shared: &Shared,
    job: &Job<'_, Running>,
    mut def: DomainSnapshotDef,
    flags: u32,
) -> Result<String> {
    let mut vm = job.lock();
    let name = def.name.clone().ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArg,
            ErrorDomain::Qemu,
            "a redefined snapshot must have a name",
        )
    })?;
    check_name(&name)?;
    check_parent(&vm.snapshots, &name, def.parent.as_deref())?;
    if vm.snapshots.get(&name).is_none() && vm.snapshots.len() >= MAX_SNAPSHOTS {
        return Err(too_many());
    }
    if let Some(d) = &def.domain
        && d.uuid.is_some_and(|u| u != vm.uuid())
    {
        return Err(invalid_arg(format!(
            "definition for snapshot {name} must use uuid {}",
            vm.uuid().hyphenated()
        )));
    }
    if def.domain.is_none() {
        def.domain = Some(vm.next_def.clone().unwrap_or_else(|| vm.def.clone()));
    }
    let current = flags & CREATE_CURRENT != 0;
    let was_current = vm.snapshots.current() == Some(name.as_str());
    vm.snapshots.insert(def, current || was_current);
    shared.save_snapshots(&vm)?;
    Ok(name)
}

/// The completed definition of a new snapshot and its disk plan.
fn prepare(
    job: &Job<'_, Running>,
    mut def: DomainSnapshotDef,
    flags: u32,
) -> Result<(String, Plan, DomainSnapshotDef)> {
    let vm = job.lock();
    let active = vm.is_active();
    let t = now();
    let name = def.name.clone().unwrap_or_else(|| t.to_string());
    if flags & NO_METADATA == 0 {
        check_name(&name)?;
    }
    if flags & LIVE != 0 {
        return Err(Error::new(
            ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            "live snapshot creation is supported only during full system snapshots",
        ));
    }
    if flags & HALT != 0 && !vm.persistent {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "cannot halt after transient domain snapshot",
        ));
    }
    if matches!(vm.state, StateReason::PmSuspended) {
        return Err(Error::new(
            ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            "qemu doesn't support taking snapshots of PMSUSPENDED guests",
        ));
    }
    if flags & QUIESCE != 0 && active {
        // Freezing needs the guest agent, which this driver does not connect to:
        // libvirt's errors for an agent not configured, or configured but absent.
        let has_agent = vm
            .def
            .to_xml()
            .is_ok_and(|x| x.contains("'org.qemu.guest_agent.0'"));
        return Err(if has_agent {
            Error::new(
                ErrorCode::AgentUnresponsive,
                ErrorDomain::Qemu,
                "QEMU guest agent is not connected",
            )
        } else {
            Error::new(
                ErrorCode::ArgumentUnsupported,
                ErrorDomain::Qemu,
                "QEMU guest agent is not configured",
            )
        });
    }
    if def.memory.as_deref() == Some("external") {
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Qemu,
            "external memory snapshots are not supported",
        ));
    }
    if flags & NO_METADATA == 0 && vm.snapshots.len() >= MAX_SNAPSHOTS {
        return Err(too_many());
    }
    if vm.snapshots.get(&name).is_some() {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Qemu,
            format!("domain moment {name} already exists"),
        ));
    }
    let domain_disks = disks::domain_disks(&vm.def);
    let asked_external = def.disks.iter().any(|d| d.snapshot == "external");
    let disk_only = flags & DISK_ONLY != 0 || (asked_external && !active);
    if !disk_only && active && def.memory.as_deref() == Some("no") {
        return Err(Error::new(
            ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            "internal snapshot of a running VM must include the memory state",
        ));
    }
    if asked_external && !disk_only {
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Qemu,
            "external disk snapshots of a running domain need VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY",
        ));
    }
    let default = if disk_only { "external" } else { "internal" };
    let plan = disks::align(&domain_disks, &def.disks, default, &name)?;
    disks::check(&plan, &domain_disks, disk_only, active)?;
    disks::check_new_overlays(&plan)?;
    def.name = Some(name.clone());
    def.creation_time = Some(t);
    def.state = Some(
        if disk_only && active {
            "disk-snapshot"
        } else {
            rvirt_core::objects::state_name(vm.state)
        }
        .to_string(),
    );
    def.parent = vm.snapshots.current().map(str::to_string);
    def.memory = Some(
        if active && !disk_only {
            "internal"
        } else {
            "no"
        }
        .to_string(),
    );
    def.disks = plan.disks.clone();
    def.domain = Some(vm.next_def.clone().unwrap_or_else(|| vm.def.clone()));
    Ok((name, plan, def))
}

/// Takes the snapshot `def` describes.
fn take(
    shared: &Arc<Shared>,
    job: &Job<'_, Running>,
    def: &DomainSnapshotDef,
    plan: &Plan,
    flags: u32,
) -> Result<()> {
    let name = def.name.as_deref().unwrap_or_default();
    let active = job.lock().is_active();
    if plan.external() {
        return if active {
            shared.external_live(job, plan)
        } else {
            shared.external_offline(job, plan)
        };
    }
    if !active {
        let images = internal_images(plan, &disks::domain_disks(&job.lock().def));
        let mut done: Vec<std::path::PathBuf> = Vec::new();
        for image in &images {
            if let Err(e) = qemu_img::snapshot(Op::Create, name, image) {
                for d in &done {
                    let _ = qemu_img::snapshot(Op::Delete, name, d);
                }
                return Err(e);
            }
            done.push(image.clone());
        }
        return Ok(());
    }
    let (mon, domain) = {
        let vm = job.lock();
        let run = vm.run.as_ref().ok_or_else(not_running)?;
        (run.mon.clone(), vm.def.clone())
    };
    let nodes: Vec<String> = live_disks(&mon, &domain)?
        .into_iter()
        .filter(|l| {
            plan.disks
                .iter()
                .any(|p| p.name == l.target && p.snapshot == "internal")
        })
        .map(|l| l.node)
        .collect();
    let resume = shared.pause_for_snapshot(job)?;
    let saved = jobs::run(
        |c, a| mon.call(c, a, JOB_CALL_TIMEOUT),
        Kind::Save,
        name,
        &nodes,
    );
    if resume && (saved.is_err() || flags & HALT == 0) {
        shared.resume_after_snapshot(job)?;
    }
    saved
}

/// The images an internal snapshot of a shut-off domain goes into.
pub(crate) fn internal_images(
    plan: &Plan,
    domain_disks: &[disks::DomainDisk],
) -> Vec<std::path::PathBuf> {
    plan.disks
        .iter()
        .zip(domain_disks)
        .filter(|(p, _)| p.snapshot == "internal")
        .filter_map(|(_, d)| d.path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::objects::SnapshotTree;

    fn snap(name: &str, parent: Option<&str>) -> DomainSnapshotDef {
        DomainSnapshotDef {
            name: Some(name.into()),
            parent: parent.map(Into::into),
            ..DomainSnapshotDef::default()
        }
    }

    #[test]
    fn redefined_parents_cannot_make_cycles() {
        let mut t = SnapshotTree::default();
        t.insert(snap("a", None), true);
        t.insert(snap("b", Some("a")), true);
        t.insert(snap("c", Some("b")), true);
        check_parent(&t, "d", Some("c")).unwrap();
        check_parent(&t, "a", None).unwrap();
        let e = check_parent(&t, "a", Some("c")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArg);
        assert!(
            e.message().contains("parent b would create cycle to a"),
            "{e}"
        );
        let e = check_parent(&t, "a", Some("a")).unwrap_err();
        assert!(
            e.message()
                .contains("cannot set moment a as its own parent"),
            "{e}"
        );
        let e = check_parent(&t, "x", Some("nope")).unwrap_err();
        assert!(
            e.message().contains("parent nope for moment x not found"),
            "{e}"
        );
    }

    #[test]
    fn flag_combinations_are_refused_like_libvirt() {
        let e = check_combinations(CREATE_CURRENT).unwrap_err();
        assert!(e.message().contains("Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' is required by flag 'VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT'"), "{e}");
        assert!(check_combinations(CREATE_REDEFINE | NO_METADATA).is_err());
        assert!(check_combinations(LIVE | CREATE_REDEFINE).is_err());
        check_combinations(CREATE_REDEFINE | CREATE_CURRENT).unwrap();
        check_combinations(QUIESCE | DISK_ONLY | ATOMIC).unwrap();
    }
}

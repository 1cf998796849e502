//! `virDomainCheckpointCreateXML` on the QEMU driver (libvirt's
//! `qemuCheckpointCreateXML`): the definition parsed and completed (name and creation
//! time, parent = the current checkpoint, the domain's definition embedded, disks
//! aligned and checked), the bitmaps added ([`super::bitmaps`]), then the checkpoint
//! recorded as the current one and written to disk. `REDEFINE` records a checkpoint
//! described by the client without touching the disks (`REDEFINE_VALIDATE`: after
//! checking that its bitmaps are in the running QEMU).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rvirt_core::conf::DomainCheckpointDef;
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::{
    Job, align_error, check_redefined_domain, checkpoint_create_flags as create,
    parse_checkpoint_xml,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::bitmaps;
use super::store::MAX_CHECKPOINTS;
use crate::driver::connection::check_flags;
use crate::driver::instance::{Shared, not_running};
use crate::driver::running::Running;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn too_many() -> Error {
    Error::new(
        ErrorCode::OperationFailed,
        ErrorDomain::Qemu,
        format!("a domain can have at most {MAX_CHECKPOINTS} checkpoints"),
    )
}

/// `virDomainCheckpointCreateXML` on the QEMU driver.
pub(crate) fn create(
    shared: &Arc<Shared>,
    dom: &DomainRef,
    xml: &str,
    flags: u32,
) -> Result<String> {
    check_flags(
        flags,
        create::REDEFINE | create::REDEFINE_VALIDATE,
        "qemuDomainCheckpointCreateXML",
    )?;
    let redefine = flags & create::REDEFINE != 0;
    let def = parse_checkpoint_xml(xml, redefine)?;
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainCheckpointCreateXML")?;
    if redefine {
        return redefine_def(shared, &job, def, flags & create::REDEFINE_VALIDATE != 0);
    }
    let def = prepare(&job, def)?;
    let (mon, dom_def) = {
        let vm = job.lock();
        (vm.run.as_ref().map(|r| r.mon.clone()), vm.def.clone())
    };
    match &mon {
        Some(mon) => bitmaps::live(mon, &dom_def, &def, true)?,
        None => bitmaps::offline(&dom_def, &def, true)?,
    }
    let name = def.name.clone().unwrap_or_default();
    let mut vm = job.lock();
    let previous = vm.checkpoints.clone();
    vm.checkpoints.insert_new(def.clone());
    if let Err(e) = shared.save_checkpoints(&vm) {
        // As libvirt: a checkpoint whose metadata cannot be written is not kept.
        vm.checkpoints = previous;
        let _ = match &mon {
            Some(mon) => bitmaps::live(mon, &dom_def, &def, false),
            None => bitmaps::offline(&dom_def, &def, false),
        };
        return Err(Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Qemu,
            format!("unable to save metadata for checkpoint {name}: {e}"),
        ));
    }
    Ok(name)
}

/// The completed definition of a new checkpoint of `job`'s domain: named, timed,
/// parented to the current checkpoint, the domain embedded, disks aligned and checked.
fn prepare(job: &Job<'_, Running>, mut def: DomainCheckpointDef) -> Result<DomainCheckpointDef> {
    let vm = job.lock();
    let t = now();
    def.name.get_or_insert_with(|| t.to_string());
    def.creation_time = Some(t);
    // The live definition in its inactive form, as libvirt embeds it.
    let mut embedded = vm.def.clone();
    embedded.id = None;
    def.domain = Some(embedded);
    def.align_disks(&vm.def).map_err(align_error)?;
    bitmaps::check(&def, &vm.def)?;
    def.parent = vm.checkpoints.current().map(str::to_string);
    let name = def.name.clone().unwrap_or_default();
    if vm.checkpoints.get(&name).is_some() {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Domain,
            format!("domain moment {name} already exists"),
        ));
    }
    if vm.checkpoints.len() >= MAX_CHECKPOINTS {
        return Err(too_many());
    }
    Ok(def)
}

/// `REDEFINE`: the client's description recorded as it is, after libvirt's checks of
/// its parent and domain.
fn redefine_def(
    shared: &Shared,
    job: &Job<'_, Running>,
    mut def: DomainCheckpointDef,
    validate: bool,
) -> Result<String> {
    let (mon, dom_def) = {
        let vm = job.lock();
        vm.checkpoints.check_redefine(&def)?;
        check_redefined_domain(&def, &vm.uuid())?;
        let name = def.name.clone().unwrap_or_default();
        if vm.checkpoints.get(&name).is_none() && vm.checkpoints.len() >= MAX_CHECKPOINTS {
            return Err(too_many());
        }
        if let Some(d) = def.domain.clone() {
            def.align_disks(&d).map_err(align_error)?;
        }
        (vm.run.as_ref().map(|r| r.mon.clone()), vm.def.clone())
    };
    if validate {
        let mon = mon.ok_or_else(not_running)?;
        bitmaps::validate(&mon, &dom_def, &def)?;
    }
    let name = def.name.clone().unwrap_or_default();
    let mut vm = job.lock();
    vm.checkpoints.redefine(def);
    shared.save_checkpoints(&vm)?;
    Ok(name)
}

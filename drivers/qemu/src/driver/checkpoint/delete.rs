//! `virDomainCheckpointDelete` on the QEMU driver (libvirt's `qemuCheckpointDelete`):
//! the checkpoint, or with `CHILDREN` it and its descendants, or with `CHILDREN_ONLY`
//! only those, lose their bitmaps (descendants first; `block-dirty-bitmap-remove`
//! while the guest runs, `qemu-img bitmap --remove` while it is shut off) and then
//! their metadata; `METADATA_ONLY` leaves the bitmaps alone. Children of a checkpoint
//! deleted alone move up to its parent, and a deleted current checkpoint passes the
//! role on, as the core tree does it.

use std::sync::Arc;

use rvirt_core::driver::DomainRef;
use rvirt_core::objects::checkpoint_delete_flags::{CHILDREN, CHILDREN_ONLY, METADATA_ONLY};
use rvirt_core::objects::checkpoint_not_found;
use rvirt_core::{ErrorDomain, Result};

use super::bitmaps;
use crate::driver::connection::check_flags;
use crate::driver::instance::Shared;

/// `virDomainCheckpointDelete` on the QEMU driver.
pub(crate) fn delete(shared: &Arc<Shared>, dom: &DomainRef, name: &str, flags: u32) -> Result<()> {
    check_flags(
        flags,
        CHILDREN | METADATA_ONLY | CHILDREN_ONLY,
        "qemuDomainCheckpointDelete",
    )?;
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainCheckpointDelete")?;
    let (plan, mon, dom_def) = {
        let vm = job.lock();
        vm.checkpoints
            .get(name)
            .ok_or_else(|| checkpoint_not_found(ErrorDomain::Qemu, name))?;
        (
            vm.checkpoints.delete_plan(name, flags),
            vm.run.as_ref().map(|r| r.mon.clone()),
            vm.def.clone(),
        )
    };
    if flags & METADATA_ONLY == 0 {
        for def in &plan {
            let done = match &mon {
                Some(mon) => bitmaps::live(mon, &dom_def, def, false),
                None => bitmaps::offline(&dom_def, def, false),
            };
            if let Err(e) = done {
                // What is already gone from the disks goes from the metadata too.
                let mut vm = job.lock();
                for gone in plan.iter().take_while(|d| !std::ptr::eq(*d, def)) {
                    let n = gone.name.as_deref().unwrap_or_default();
                    vm.checkpoints.delete(n, 0);
                }
                let _ = shared.save_checkpoints(&vm);
                return Err(e);
            }
        }
    }
    let mut vm = job.lock();
    vm.checkpoints.delete(name, flags);
    shared.save_checkpoints(&vm)
}

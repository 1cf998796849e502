//! `virDomainSetMemoryStatsPeriod` (`virsh dommemstat --period`) in the QEMU driver:
//! how often the guest's balloon driver reports its memory statistics — live through
//! QEMU's `guest-stats-polling-interval` property of the balloon, and/or in the
//! persistent `<memballoon><stats period='N'/>` (0 stops the reports and drops it).

use rvirt_core::conf::{BalloonStats, Device, DomainDef, MemballoonModel};
use rvirt_core::objects::impact;
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::json;

use super::{persistent_mut, save_config, touch_status};
use crate::driver::instance::{Entry, Shared};
use crate::driver::start::MONITOR_TIMEOUT;

/// QEMU's path of the balloon libvirt names `balloon0`.
const BALLOON: &str = "/machine/peripheral/balloon0";

/// Sets the statistics period of `def`'s virtio balloon (none for 0).
///
/// Errors: `VIR_ERR_OPERATION_INVALID` when `def` has no virtio balloon.
fn set_period(def: &mut DomainDef, period: u32) -> Result<()> {
    let balloon = def.devices_mut().iter_mut().find_map(|d| match d {
        Device::Memballoon(b) if b.model == MemballoonModel::Virtio => Some(b),
        _ => None,
    });
    let Some(b) = balloon else {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "No memory balloon device configured, can not set the collection period",
        ));
    };
    b.stats = (period > 0).then(|| BalloonStats {
        period,
        ..Default::default()
    });
    Ok(())
}

impl Shared {
    /// `virDomainSetMemoryStatsPeriod` (flags checked by the caller): live first, so
    /// that QEMU's refusal leaves the definitions as they were.
    pub(crate) fn set_memory_stats_period(
        &self,
        entry: &Entry,
        period: i32,
        flags: u32,
    ) -> Result<()> {
        let period = u32::try_from(period).map_err(|_| {
            Error::invalid_arg(ErrorDomain::Qemu, "invalid value for collection period")
        })?;
        let job = entry.begin_job("virDomainSetMemoryStatsPeriod")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if live {
            // Checked on a copy: events may change the live definition while QEMU is
            // asked, so the change itself is made afterwards.
            set_period(&mut vm.def.clone(), period)?;
            if let Some(run) = vm.run.as_ref() {
                let mon = run.mon.clone();
                drop(vm);
                mon.call(
                    "qom-set",
                    Some(json!({"path": BALLOON,
                                "property": "guest-stats-polling-interval",
                                "value": period})),
                    MONITOR_TIMEOUT,
                )?;
                vm = job.lock();
            }
            set_period(&mut vm.def, period)?;
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            set_period(&mut def, period)?;
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

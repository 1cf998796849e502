//! `virDomainSetVcpusFlags` (`virsh setvcpus`) in the QEMU driver: the vCPUs online
//! of the persistent definition (or, with `VIR_DOMAIN_VCPU_MAXIMUM`, its maximum), and
//! live, vCPU hotplug as libvirt does it — `device_add` of QEMU's CPU type into the
//! first free slots `query-hotpluggable-cpus` lists (named `vcpuN`), `device_del` of
//! the hot-plugged ones last first, which the guest must agree to (ACPI); a guest that
//! does not within [`UNPLUG_WAIT`] leaves the request pending and the call fails.

use rvirt_core::conf::{DomainDef, Vcpu};
use rvirt_core::objects::impact;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::hotplug::{UNPLUG_WAIT, peripheral_ids};
use super::{persistent_mut, save_config, touch_status};
use crate::driver::instance::{Entry, Shared, not_running};
use crate::driver::monitor::Monitor;
use crate::driver::start::MONITOR_TIMEOUT;

/// `VIR_DOMAIN_VCPU_MAXIMUM`.
pub(crate) const VCPU_MAXIMUM: u32 = 4;

/// `<vcpu current>` of `def` set to `count`.
fn set_current(def: &mut DomainDef, count: u32) {
    let v = def.vcpu.get_or_insert_with(|| Vcpu::new(1));
    v.current = (count != v.count).then_some(count);
}

/// `<vcpu>` of `def` set to `count`; the vCPUs online shrink with it.
fn set_max(def: &mut DomainDef, count: u32) {
    let current = def.current_vcpus().min(count);
    let v = def.vcpu.get_or_insert_with(|| Vcpu::new(1));
    v.count = count;
    v.current = (current != count).then_some(current);
}

fn exceeds(count: u32, max: u32) -> Error {
    Error::invalid_arg(
        ErrorDomain::Qemu,
        format!(
            "requested vcpus is greater than max allowable vcpus for the live domain: {count} > {max}"
        ),
    )
}

/// Brings the online vCPUs of the QEMU behind `mon` from `have` to `want`.
fn hotplug(mon: &Monitor, have: u32, want: u32) -> Result<()> {
    let slots = mon.call("query-hotpluggable-cpus", None, MONITOR_TIMEOUT)?;
    let slots = slots.as_array().cloned().unwrap_or_default();
    if want > have {
        // Free slots, lowest topology first (QEMU lists them last first).
        let mut free: Vec<&Value> = slots
            .iter()
            .filter(|s| s.get("qom-path").is_none())
            .collect();
        free.reverse();
        for (n, slot) in (have..want).zip(free) {
            let mut args = slot["props"].clone();
            args["driver"] = slot["type"].clone();
            args["id"] = json!(format!("vcpu{n}"));
            mon.call("device_add", Some(args), MONITOR_TIMEOUT)?;
        }
        return Ok(());
    }
    for n in (want..have).rev() {
        let id = format!("vcpu{n}");
        if !peripheral_ids(mon)?.contains(&id) {
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Qemu,
                format!("vcpu '{n}' can't be unplugged: it was not hot-plugged"),
            ));
        }
        mon.call("device_del", Some(json!({"id": id})), MONITOR_TIMEOUT)?;
        let deadline = std::time::Instant::now() + UNPLUG_WAIT;
        while peripheral_ids(mon)?.contains(&id) {
            if std::time::Instant::now() >= deadline {
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    ErrorDomain::Qemu,
                    "vcpu unplug request timed out. Unplug result must be manually inspected in the domain",
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    Ok(())
}

impl Shared {
    /// `virDomainSetVcpusFlags` (flags checked by the caller).
    pub(crate) fn set_vcpus(&self, entry: &Entry, count: u32, flags: u32) -> Result<()> {
        if count == 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                "argument unsupported: vcpus count must be greater than 0",
            ));
        }
        let job = entry.begin_job("virDomainSetVcpusFlags")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags & !VCPU_MAXIMUM)?;
        if live && flags & VCPU_MAXIMUM != 0 {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "cannot change maximum vCPU count of a running domain",
            ));
        }
        if config {
            let def = persistent_mut(&mut vm);
            if flags & VCPU_MAXIMUM == 0 && count > def.max_vcpus() {
                return Err(exceeds(count, def.max_vcpus()));
            }
        }
        if live {
            if count > vm.def.max_vcpus() {
                return Err(exceeds(count, vm.def.max_vcpus()));
            }
            let have = vm.def.current_vcpus();
            let mon = vm.run.as_ref().ok_or_else(not_running)?.mon.clone();
            drop(vm);
            let plugged = hotplug(&mon, have, count);
            vm = job.lock();
            if let Some(run) = vm.run.as_mut() {
                // QEMU's vCPU threads are asked again.
                run.vcpu_tids = None;
            }
            plugged?;
            set_current(&mut vm.def, count);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            if flags & VCPU_MAXIMUM != 0 {
                set_max(&mut def, count);
            } else {
                set_current(&mut def, count);
            }
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

//! `virDomainSetMemoryFlags` as libvirt's QEMU driver does it: the live balloon target
//! through QMP `balloon` (bytes), the persistent `<currentMemory>`, and the persistent
//! `<memory>` (`VIR_DOMAIN_MEM_MAXIMUM`, refused on the live definition: QEMU cannot
//! change its RAM size).

use rvirt_core::conf::{Device, DomainDef, Memory};
use rvirt_core::objects::{AFFECT_CONFIG, AFFECT_LIVE, impact};
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::json;

use super::{persistent_mut, save_config, touch_status};
use crate::driver::instance::{Shared, not_running};
use crate::driver::running::Vm;
use crate::driver::start::MONITOR_TIMEOUT;

/// `VIR_DOMAIN_MEM_MAXIMUM`.
pub(crate) const MEM_MAXIMUM: u32 = 4;

/// True if `def` has a virtio balloon (the only one the driver drives).
fn has_balloon(def: &DomainDef) -> bool {
    def.devices()
        .iter()
        .any(|d| matches!(d, Device::Memballoon(b) if b.model.as_str().starts_with("virtio")))
}

fn too_high() -> Error {
    Error::invalid_arg(
        ErrorDomain::Qemu,
        "cannot set memory higher than max memory",
    )
}

/// Sets `<currentMemory>` of `def` to `kib`.
fn set_current(def: &mut DomainDef, kib: u64) {
    def.current_memory = Some(Memory::from_kib(kib));
}

/// Sets `<memory>` of `def` to `kib`; `<currentMemory>` shrinks with it.
fn set_max(def: &mut DomainDef, kib: u64) {
    def.memory = Memory::from_kib(kib);
    if def.current_memory_kib() > kib {
        set_current(def, kib);
    }
}

/// QEMU's `BALLOON_CHANGE` (`actual` bytes): the live `<currentMemory>` follows what
/// the guest gave back or took, as libvirt's `qemuProcessHandleBalloonChange` does (a
/// live `setmem` only sets the target; the guest's balloon driver moves `actual`).
pub(crate) fn apply_balloon_change(vm: &mut Vm, actual: u64) {
    set_current(&mut vm.def, actual / 1024);
    touch_status(vm);
}

impl Shared {
    /// `virDomainSetMemoryFlags(dom, kib, flags)` (flags checked by the caller).
    pub(crate) fn set_memory_flags(
        &self,
        entry: &crate::driver::instance::Entry,
        kib: u64,
        flags: u32,
    ) -> Result<()> {
        let job = entry.begin_job("virDomainSetMemoryFlags")?;
        let (config, mon) = {
            let vm = job.lock();
            let (live, config) = impact(&vm, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
            if flags & MEM_MAXIMUM != 0 {
                if live {
                    return Err(Error::operation_invalid(
                        ErrorDomain::Qemu,
                        "cannot resize the maximum memory on an active domain",
                    ));
                }
            } else {
                if live && kib > vm.def.memory_kib() {
                    return Err(too_high());
                }
                if config {
                    let def = if vm.is_active() {
                        vm.next_def.as_ref().unwrap_or(&vm.def)
                    } else {
                        &vm.def
                    };
                    if kib > def.memory_kib() {
                        return Err(too_high());
                    }
                }
                if live && !has_balloon(&vm.def) {
                    return Err(Error::operation_invalid(
                        ErrorDomain::Qemu,
                        "Unable to change memory of active domain without the balloon device and guest OS balloon driver",
                    ));
                }
            }
            let mon = match (live, vm.run.as_ref()) {
                (true, Some(run)) => Some(run.mon.clone()),
                (true, None) => return Err(not_running()),
                (false, _) => None,
            };
            (config, mon)
        };
        if let Some(mon) = mon {
            mon.call(
                "balloon",
                Some(json!({"value": kib.saturating_mul(1024)})),
                MONITOR_TIMEOUT,
            )?;
        }
        let mut vm = job.lock();
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            if flags & MEM_MAXIMUM != 0 {
                set_max(&mut def, kib);
            } else {
                set_current(&mut def, kib);
            }
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_memory_pulls_current_down() {
        let mut def = DomainDef::from_xml(
            "<domain type='qemu'><name>g</name><memory>65536</memory>\
             <currentMemory>65536</currentMemory><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        set_max(&mut def, 32768);
        assert_eq!((def.memory_kib(), def.current_memory_kib()), (32768, 32768));
        set_max(&mut def, 131072);
        assert_eq!(
            (def.memory_kib(), def.current_memory_kib()),
            (131072, 32768)
        );
        assert!(!has_balloon(&def));
        let mut vm = Vm::new(def, true);
        apply_balloon_change(&mut vm, 16 << 20);
        assert_eq!(vm.def.current_memory_kib(), 16384);
    }
}

//! vCPU and emulator pinning (`virDomainPinVcpuFlags`, `virDomainPinEmulator`) as
//! libvirt's QEMU driver does it: live, the threads' affinity set with
//! `sched_setaffinity` and the live definition's `<cputune>` updated; in the persistent
//! definition, `<vcpupin>`/`<emulatorpin>` written to its file and applied at the
//! next start (`super::super::threads`).

use rvirt_core::api::CpuMap;
use rvirt_core::conf::bitmap::CpuSet;
use rvirt_core::conf::xml::Element;
use rvirt_core::conf::{Cputune, DomainDef, VcpuPin};
use rvirt_core::objects::impact;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::{persistent_mut, save_config, touch_status};
use crate::driver::instance::{Entry, Shared};
use crate::driver::monitoring::vcpu_threads_of;
use crate::host::node::host_cpus;
use crate::security::affinity::{pin, threads_of};

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidArg, ErrorDomain::Qemu, message)
}

/// The host CPUs of a client's map (bits beyond the host's CPUs ignored); an empty
/// set is libvirt's "Empty cpu list for pinning".
fn host_set(map: &CpuMap) -> Result<CpuSet> {
    let set = CpuSet(map.cpus().filter(|&c| c < host_cpus()).collect());
    if set.0.is_empty() {
        return Err(invalid("Empty cpu list for pinning".into()));
    }
    Ok(set)
}

/// Pins each of `tids` (threads of QEMU, named `what` in errors) to `set`.
pub(super) fn pin_threads(tids: &[u32], set: &CpuSet, what: &str) -> Result<()> {
    for &tid in tids {
        pin(tid, set).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!("cannot pin {what} (thread {tid}) to host CPUs {set}: {e}"),
            )
        })?;
    }
    Ok(())
}

fn set_vcpupin(def: &mut DomainDef, vcpu: u32, set: &CpuSet) {
    let tune = def.cputune.get_or_insert_with(Cputune::default);
    match tune.vcpupins.iter_mut().find(|p| p.vcpu == vcpu) {
        Some(p) => p.cpuset = set.to_string(),
        None => {
            tune.vcpupins.push(VcpuPin {
                vcpu,
                cpuset: set.to_string(),
                ..Default::default()
            });
            tune.vcpupins.sort_by_key(|p| p.vcpu);
        }
    }
}

fn set_emulatorpin(def: &mut DomainDef, set: &CpuSet) {
    let mut pin = Element::new("emulatorpin");
    pin.set_attr("cpuset", set.to_string());
    def.cputune.get_or_insert_with(Cputune::default).emulatorpin = Some(pin);
}

impl Shared {
    /// `virDomainPinVcpuFlags`.
    pub(crate) fn pin_vcpu(
        &self,
        entry: &Entry,
        vcpu: u32,
        map: &CpuMap,
        flags: u32,
    ) -> Result<()> {
        let set = host_set(map)?;
        let (live, _) = impact(&entry.lock(), flags)?;
        // The vCPU threads, asked of QEMU before the job holds the domain.
        let tids = if live {
            vcpu_threads_of(entry)?
        } else {
            Vec::new()
        };
        let job = entry.begin_job("virDomainPinVcpuFlags")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if live {
            let online = vm.def.current_vcpus();
            let tid = tids
                .get(vcpu as usize)
                .filter(|_| vcpu < online)
                .ok_or_else(|| {
                    invalid(format!(
                        "vcpu {vcpu} is out of range of live cpu count {online}"
                    ))
                })?;
            pin_threads(&[*tid], &set, &format!("vCPU {vcpu}"))?;
            set_vcpupin(&mut vm.def, vcpu, &set);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            let max = def.max_vcpus();
            if vcpu >= max {
                return Err(invalid(format!(
                    "vcpu {vcpu} is out of range of persistent cpu count {max}"
                )));
            }
            set_vcpupin(&mut def, vcpu, &set);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }

    /// `virDomainPinEmulator`: every QEMU thread that is not a vCPU.
    pub(crate) fn pin_emulator(&self, entry: &Entry, map: &CpuMap, flags: u32) -> Result<()> {
        let set = host_set(map)?;
        let (live, _) = impact(&entry.lock(), flags)?;
        let vcpus = if live {
            vcpu_threads_of(entry)?
        } else {
            Vec::new()
        };
        let job = entry.begin_job("virDomainPinEmulator")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if live {
            let pid = vm
                .run
                .as_ref()
                .map(|r| r.pid)
                .ok_or_else(rvirt_core::objects::not_running)?;
            let others: Vec<u32> = threads_of(pid)
                .into_iter()
                .filter(|t| !vcpus.contains(t))
                .collect();
            pin_threads(&others, &set, "an emulator thread")?;
            set_emulatorpin(&mut vm.def, &set);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            set_emulatorpin(&mut def, &set);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

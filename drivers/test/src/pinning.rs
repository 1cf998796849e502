//! vCPU and emulator pinning of test domains, as libvirt's test driver keeps it: in the
//! definition's `<cputune>` (`<vcpupin>`, `<emulatorpin>`), read back by
//! `virDomainGetVcpus`, `virDomainGetVcpuPinInfo` and `virDomainGetEmulatorPinInfo`;
//! unpinned means every host CPU.

use rvirt_core::api::CpuMap;
use rvirt_core::conf::xml::Element;
use rvirt_core::conf::{Cputune, DomainDef, VcpuPin};
use rvirt_core::{Error, ErrorDomain, Result};

/// The host CPUs a pinning map has room for: the test node's
/// nodes × sockets × cores × threads (libvirt's `VIR_NODEINFO_MAXCPUS`).
pub(crate) const HOST_CPUS: u32 = 16;

/// The host CPUs `vcpu` of `def` may run on.
pub(crate) fn vcpu_map(def: &DomainDef, vcpu: u32) -> CpuMap {
    def.cputune
        .as_ref()
        .and_then(|t| t.vcpupins.iter().find(|p| p.vcpu == vcpu))
        .and_then(|p| CpuMap::parse_cpuset(&p.cpuset, HOST_CPUS))
        .unwrap_or_else(|| CpuMap::all(HOST_CPUS))
}

/// The host CPUs `def`'s emulator threads may run on.
pub(crate) fn emulator_map(def: &DomainDef) -> CpuMap {
    def.cputune
        .as_ref()
        .and_then(|t| t.emulatorpin.as_ref())
        .and_then(|e| e.attr("cpuset"))
        .and_then(|s| CpuMap::parse_cpuset(s, HOST_CPUS))
        .unwrap_or_else(|| CpuMap::all(HOST_CPUS))
}

/// The host CPU a vCPU pinned to `map` is said to run on: its last one.
pub(crate) fn last_cpu(map: &CpuMap) -> i32 {
    map.cpus().last().map_or(-1, |c| c as i32)
}

/// Pins `vcpu` of the (live) definition `def` to `map`.
pub(crate) fn pin_vcpu(def: &mut DomainDef, vcpu: u32, map: &CpuMap) -> Result<()> {
    if vcpu >= def.current_vcpus() {
        return Err(Error::invalid_arg(
            ErrorDomain::Test,
            format!("requested vcpu '{vcpu}' is not present in the domain"),
        ));
    }
    let tune = def.cputune.get_or_insert_with(Cputune::default);
    let cpuset = map.to_cpuset();
    match tune.vcpupins.iter_mut().find(|p| p.vcpu == vcpu) {
        Some(p) => p.cpuset = cpuset,
        None => {
            tune.vcpupins.push(VcpuPin {
                vcpu,
                cpuset,
                ..Default::default()
            });
            tune.vcpupins.sort_by_key(|p| p.vcpu);
        }
    }
    Ok(())
}

/// Pins `def`'s emulator threads to `map` (refused when `map` is empty).
pub(crate) fn pin_emulator(def: &mut DomainDef, map: &CpuMap) -> Result<()> {
    if map.is_empty() {
        return Err(Error::invalid_arg(
            ErrorDomain::Test,
            "Empty cpu list for pinning",
        ));
    }
    let tune = def.cputune.get_or_insert_with(Cputune::default);
    let mut pin = Element::new("emulatorpin");
    pin.set_attr("cpuset", map.to_cpuset());
    tune.emulatorpin = Some(pin);
    Ok(())
}

//! The test driver's configuration calls, answered as libvirt 9.0's test driver
//! answers them (observed through python3-libvirt): memory and vCPU counts of the live
//! and the persistent definition chosen by `virDomainModificationImpact` flags, with
//! its errors and their wording; rename of inactive persistent domains with its
//! UNDEFINED/DEFINED (renamed) events. Like libvirt's test driver it has no device
//! hotplug: attach/detach/update keep the trait's `VIR_ERR_NO_SUPPORT` answers.

use rvirt_core::conf::{BalloonStats, Device, DomainDef, MemballoonModel, MemoryUnit, Vcpu};
use rvirt_core::driver::{Configuration, DomainRef};
use rvirt_core::objects::{AFFECT_CONFIG, AFFECT_LIVE, impact};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::connection::TestConnection;
use crate::errors::check_flags;
use crate::pinning;
use crate::state::Obj;
use rvirt_core::api::CpuMap;

/// `VIR_DOMAIN_MEM_MAXIMUM`.
const MEM_MAXIMUM: u32 = 4;
/// `VIR_DOMAIN_VCPU_MAXIMUM`.
const VCPU_MAXIMUM: u32 = 4;
/// The test driver's most vCPUs (`testConnectGetMaxVcpus`).
pub(crate) const MAX_VCPUS: u32 = 32;

fn invalid(message: String) -> Error {
    Error::invalid_arg(ErrorDomain::Test, message)
}

/// libvirt's `virDomainObjGetOneDef` check: at most one of LIVE and CONFIG.
fn one_def(flags: u32) -> Result<()> {
    if flags & (AFFECT_LIVE | AFFECT_CONFIG) == AFFECT_LIVE | AFFECT_CONFIG {
        return Err(Error::verbatim(
            ErrorCode::InvalidArg,
            ErrorDomain::Domain,
            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive",
        ));
    }
    Ok(())
}

/// The persistent definition of `o` for editing: while it runs, a copy of the live
/// one if it has none of its own yet, so that live changes stay live.
fn persistent_mut(o: &mut Obj) -> &mut DomainDef {
    if o.is_active() {
        if o.next_def.is_none() {
            o.next_def = Some(o.def.clone());
        }
        o.next_def.as_mut().unwrap_or(&mut o.def)
    } else {
        &mut o.def
    }
}

fn persistent(o: &Obj) -> &DomainDef {
    if o.is_active() {
        o.next_def.as_ref().unwrap_or(&o.def)
    } else {
        &o.def
    }
}

/// The one definition `flags` select for a change (libvirt's
/// `virDomainObjGetOneDef`): the live one of a running domain unless CONFIG, the
/// persistent one otherwise; LIVE and CONFIG together are refused.
pub(crate) fn one_def_mut(o: &mut Obj, flags: u32) -> Result<&mut DomainDef> {
    one_def(flags)?;
    let (live, _) = impact(o, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
    if live {
        split_live(o);
        Ok(&mut o.def)
    } else {
        Ok(persistent_mut(o))
    }
}

/// The one definition `flags` select for reading (see [`one_def_mut`]).
pub(crate) fn one_def_ref(o: &Obj, flags: u32) -> Result<&DomainDef> {
    one_def(flags)?;
    let (live, _) = impact(o, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
    Ok(if live { &o.def } else { persistent(o) })
}

/// The definitions `flags` select, the live one first; the persistent definition of
/// a running domain kept apart from the live one first.
pub(crate) fn defs_mut(o: &mut Obj, flags: u32) -> Result<Vec<&mut DomainDef>> {
    let (live, config) = impact(o, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
    if o.is_active() && (config || o.persistent) && o.next_def.is_none() {
        o.next_def = Some(o.def.clone());
    }
    let mut out = Vec::new();
    let active = o.is_active();
    let (def, next) = (&mut o.def, &mut o.next_def);
    if live {
        out.push(def);
        if config && let Some(n) = next.as_mut() {
            out.push(n);
        }
    } else if config {
        match next.as_mut() {
            Some(n) if active => out.push(n),
            _ => out.push(def),
        }
    }
    Ok(out)
}

/// Before a live change of a running persistent domain: keep its persistent
/// definition apart.
fn split_live(o: &mut Obj) {
    if o.is_active() && o.persistent && o.next_def.is_none() {
        o.next_def = Some(o.def.clone());
    }
}

fn set_kib(m: &mut rvirt_core::conf::Memory, kib: u64) {
    m.value = kib;
    m.unit = MemoryUnit::KiB;
}

/// `virDomainDefSetVcpus`: the vCPUs online (at most the maximum, checked before).
fn set_current_vcpus(def: &mut DomainDef, count: u32) {
    let v = def.vcpu.get_or_insert_with(|| Vcpu::new(1));
    v.current = (count != v.count).then_some(count);
}

/// `virDomainDefSetVcpusMax`: the maximum; the vCPUs online shrink with it.
fn set_max_vcpus(def: &mut DomainDef, count: u32) {
    let current = def.current_vcpus().min(count);
    let v = def.vcpu.get_or_insert_with(|| Vcpu::new(1));
    v.count = count;
    v.current = (current != count).then_some(current);
}

/// The statistics period of `def`'s virtio balloon (none: no `<stats>`), or libvirt's
/// error for a definition without one.
fn set_stats_period(def: &mut DomainDef, stats: Option<BalloonStats>) -> Result<()> {
    let balloon = def.devices_mut().iter_mut().find_map(|d| match d {
        Device::Memballoon(b) if b.model == MemballoonModel::Virtio => Some(b),
        _ => None,
    });
    match balloon {
        Some(b) => {
            b.stats = stats;
            Ok(())
        }
        None => Err(Error::internal(
            ErrorDomain::Test,
            "No memory balloon device configured, can not set the collection period",
        )),
    }
}

impl TestConnection {
    fn edit<T>(&self, dom: &DomainRef, f: impl FnOnce(&mut Obj) -> Result<T>) -> Result<T> {
        self.world().domains.change_ref(dom, |o, _| f(o))
    }
}

impl Configuration for TestConnection {
    fn set_memory_flags(&self, dom: &DomainRef, kib: u64, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG | MEM_MAXIMUM,
            "testDomainSetMemoryFlags",
        )?;
        self.edit(dom, |o| {
            one_def(flags)?;
            let (live, _) = impact(o, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
            if live {
                split_live(o);
            }
            let def = if live { &mut o.def } else { persistent_mut(o) };
            if flags & MEM_MAXIMUM != 0 {
                if live {
                    return Err(Error::operation_invalid(
                        ErrorDomain::Test,
                        "cannot resize the maximum memory on an active domain",
                    ));
                }
                set_kib(&mut def.memory, kib);
                if def.current_memory_kib() > kib {
                    let cur = def.current_memory.get_or_insert_with(Default::default);
                    set_kib(cur, kib);
                }
            } else {
                if kib > def.memory_kib() {
                    return Err(invalid("cannot set memory higher than max memory".into()));
                }
                let cur = def.current_memory.get_or_insert_with(Default::default);
                set_kib(cur, kib);
            }
            Ok(())
        })
    }

    fn set_memory_stats_period(&self, dom: &DomainRef, period: i32, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "testDomainSetMemoryStatsPeriod",
        )?;
        self.edit(dom, |o| {
            let stats = u32::try_from(period)
                .ok()
                .filter(|&p| p > 0)
                .map(|period| BalloonStats {
                    period,
                    ..Default::default()
                });
            set_stats_period(one_def_mut(o, flags)?, stats)
        })
    }

    fn pin_vcpu_flags(
        &self,
        dom: &DomainRef,
        vcpu: u32,
        cpumap: &CpuMap,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "testDomainPinVcpuFlags")?;
        self.edit(dom, |o| {
            if !o.is_active() {
                return Err(Error::operation_invalid(
                    ErrorDomain::Test,
                    "cannot pin vcpus on an inactive domain",
                ));
            }
            split_live(o);
            pinning::pin_vcpu(&mut o.def, vcpu, cpumap)
        })
    }

    fn pin_vcpu(&self, dom: &DomainRef, vcpu: u32, cpumap: &CpuMap) -> Result<()> {
        // libvirt's test driver pins with no flags, its only accepted value.
        self.pin_vcpu_flags(dom, vcpu, cpumap, 0)
    }

    fn pin_emulator(&self, dom: &DomainRef, cpumap: &CpuMap, flags: u32) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "testDomainPinEmulator")?;
        self.edit(dom, |o| {
            pinning::pin_emulator(one_def_mut(o, flags)?, cpumap)
        })
    }

    fn set_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        self.set_memory_flags(dom, kib, AFFECT_LIVE)
    }

    fn set_max_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        self.set_memory_flags(dom, kib, MEM_MAXIMUM)
    }

    fn set_vcpus_flags(&self, dom: &DomainRef, count: u32, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM,
            "testDomainSetVcpusFlags",
        )?;
        if count > MAX_VCPUS {
            return Err(invalid(format!(
                "requested cpu amount exceeds maximum supported amount ({count} > {MAX_VCPUS})"
            )));
        }
        self.edit(dom, |o| {
            let (live, config) = impact(o, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
            let exceeds = |max: u32| {
                invalid(format!(
                    "requested cpu amount exceeds maximum ({count} > {max})"
                ))
            };
            if live && o.def.max_vcpus() < count {
                return Err(exceeds(o.def.max_vcpus()));
            }
            if config && flags & VCPU_MAXIMUM == 0 && persistent(o).max_vcpus() < count {
                return Err(exceeds(persistent(o).max_vcpus()));
            }
            if live {
                split_live(o);
                set_current_vcpus(&mut o.def, count);
            }
            if config {
                let def = persistent_mut(o);
                if flags & VCPU_MAXIMUM != 0 {
                    set_max_vcpus(def, count);
                } else {
                    set_current_vcpus(def, count);
                }
            }
            Ok(())
        })
    }

    fn set_vcpus(&self, dom: &DomainRef, count: u32) -> Result<()> {
        self.set_vcpus_flags(dom, count, AFFECT_LIVE)
    }

    fn rename(&self, dom: &DomainRef, new_name: &str, flags: u32) -> Result<()> {
        check_flags(flags, 0, "testDomainRename")?;
        self.world().domains.rename(dom, new_name, |o| {
            if o.is_active() {
                return Err(Error::operation_invalid(
                    ErrorDomain::Test,
                    "cannot rename active domain",
                ));
            }
            if !o.persistent {
                return Err(Error::operation_invalid(
                    ErrorDomain::Test,
                    "cannot rename a transient domain",
                ));
            }
            Ok(())
        })?;
        Ok(())
    }

    fn set_scheduler_parameters(
        &self,
        dom: &DomainRef,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "testDomainSetSchedulerParametersFlags")?;
        rvirt_core::api::validate_params(
            params,
            &[(crate::monitoring::SCHEDULER_WEIGHT, "uint")],
            rvirt_core::ErrorDomain::Test,
        )?;
        // Accepted and not kept, as libvirt's test driver does: its weight stays 50.
        self.edit(dom, |_| Ok(()))
    }

    fn set_tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &rvirt_core::api::Tunable,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        use rvirt_core::api::Tunable;
        match what {
            Tunable::Memory => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "testDomainSetMemoryParameters",
                )?;
                let change =
                    rvirt_core::objects::MemtuneChange::from_params(params, ErrorDomain::Test)?;
                self.edit(dom, |o| {
                    one_def(flags)?;
                    impact(o, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
                    change.check_against(&o.def, ErrorDomain::Test)?;
                    change.apply(one_def_mut(o, flags)?);
                    Ok(())
                })
            }
            Tunable::Blkio => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "testDomainSetBlkioParameters",
                )?;
                rvirt_core::objects::validate_blkio(params, ErrorDomain::Test)?;
                self.edit(dom, |o| {
                    rvirt_core::objects::apply_blkio_to_def(one_def_mut(o, flags)?, params)
                })
            }
            Tunable::BlockIo(path) => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "testDomainSetBlockIoTune",
                )?;
                crate::device_tuning::check_iotune_types(params)?;
                self.edit(dom, |o| {
                    crate::device_tuning::set_block_io_tune(o, path, params, flags)
                })
            }
            Tunable::Interface(device) => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "testDomainSetInterfaceParameters",
                )?;
                self.edit(dom, |o| {
                    crate::device_tuning::set_interface_parameters(o, device, params, flags)
                })
            }
            Tunable::Numa => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "testDomainSetNumaParameters",
                )?;
                self.edit(dom, |o| {
                    crate::device_tuning::set_numa_parameters(o, params, flags)
                })
            }
            Tunable::Perf => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "testDomainSetPerfEvents",
                )?;
                self.edit(dom, |o| {
                    crate::device_tuning::set_perf_events(o, params, flags)
                })
            }
        }
    }

    fn add_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "testDomainAddIOThread")?;
        self.edit(dom, |o| crate::iothreads::add(o, id, flags))
    }

    fn del_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "testDomainDelIOThread")?;
        self.edit(dom, |o| crate::iothreads::del(o, id, flags))
    }

    fn pin_iothread(&self, dom: &DomainRef, id: u32, cpumap: &CpuMap, flags: u32) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "testDomainPinIOThread")?;
        self.edit(dom, |o| crate::iothreads::pin(o, id, cpumap, flags))
    }

    fn set_lifecycle_action(
        &self,
        dom: &DomainRef,
        kind: u32,
        action: u32,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "testDomainSetLifecycleAction",
        )?;
        self.edit(dom, |o| {
            crate::device_tuning::set_lifecycle(o, kind, action, flags)
        })
    }
}

//! I/O threads of QEMU guests (`virDomain{Add,Del,Pin}IOThread`,
//! `virDomainGetIOThreadInfo`) as libvirt's QEMU driver handles them: live, QEMU's
//! `iothreadN` objects (`object-add`/`object-del`, their thread ids from
//! `query-iothreads`, pinned with `sched_setaffinity`) and the live definition; in the
//! persistent definition, `<iothreadids>` and `<cputune><iothreadpin>` written to its
//! file, pins applied at the next start (`super::super::threads`).

use rvirt_core::api::{CpuMap, IoThreadInfo};
use rvirt_core::conf::bitmap::CpuSet;
use rvirt_core::conf::{Device, DomainDef};
use rvirt_core::objects::{impact, iothread_ids, iothread_pin, set_iothread_ids, set_iothread_pin};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::pinning::pin_threads;
use super::{persistent_mut, save_config, touch_status};
use crate::driver::instance::{Entry, Shared};
use crate::driver::monitor::Monitor;
use crate::driver::start::MONITOR_TIMEOUT;
use crate::host::affinity::affinity;
use crate::host::node::host_cpus;

fn invalid(domain: ErrorDomain, message: String) -> Error {
    Error::new(ErrorCode::InvalidArg, domain, message)
}

/// QEMU's I/O threads: `(id, thread id)` from `query-iothreads` (`iothreadN` ids).
pub(crate) fn live_iothreads(mon: &Monitor) -> Result<Vec<(u32, u32)>> {
    let v = mon.call("query-iothreads", None, MONITOR_TIMEOUT)?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let id = t
                .get("id")?
                .as_str()?
                .strip_prefix("iothread")?
                .parse()
                .ok()?;
            let tid = u32::try_from(t.get("thread-id")?.as_u64()?).ok()?;
            Some((id, tid))
        })
        .collect())
}

fn monitor_of(entry: &Entry) -> Result<Monitor> {
    crate::driver::running::running_monitor(&entry.lock())
}

/// The persistent definition's threads: pinned ones on their pin, the others on every
/// host CPU.
fn config_info(def: &DomainDef) -> Vec<IoThreadInfo> {
    let all = CpuMap::all(host_cpus());
    iothread_ids(def)
        .into_iter()
        .map(|id| IoThreadInfo {
            id,
            cpumap: iothread_pin(def, id)
                .and_then(|s| CpuMap::parse_cpuset(s, host_cpus()))
                .unwrap_or_else(|| all.clone()),
        })
        .collect()
}

/// The disk using thread `id`, if one does.
fn user_of(def: &DomainDef, id: u32) -> Option<String> {
    def.devices().iter().find_map(|d| match d {
        Device::Disk(disk) if disk.driver.as_ref().and_then(|x| x.iothread) == Some(id) => {
            Some(disk.target.dev.clone())
        }
        _ => None,
    })
}

impl Shared {
    /// `virDomainGetIOThreadInfo`: QEMU's threads with their affinity, or the
    /// persistent definition's.
    pub(crate) fn iothread_info(&self, entry: &Entry, flags: u32) -> Result<Vec<IoThreadInfo>> {
        let (live, _) = impact(&entry.lock(), flags)?;
        if !live {
            let vm = entry.lock();
            let def = vm.next_def.as_ref().unwrap_or(&vm.def);
            return Ok(config_info(def));
        }
        let mon = monitor_of(entry)?;
        let mut out = Vec::new();
        for (id, tid) in live_iothreads(&mon)? {
            let cpumap = affinity(tid).ok_or_else(|| {
                Error::new(
                    ErrorCode::SystemError,
                    ErrorDomain::Qemu,
                    format!("cannot get affinity of thread {tid}: the thread is gone"),
                )
            })?;
            out.push(IoThreadInfo { id, cpumap });
        }
        out.sort_by_key(|t| t.id);
        Ok(out)
    }

    /// `virDomainAddIOThread`.
    pub(crate) fn add_iothread(&self, entry: &Entry, id: u32, flags: u32) -> Result<()> {
        if id == 0 {
            return Err(invalid(
                ErrorDomain::Qemu,
                "invalid value of 0 for iothread_id".into(),
            ));
        }
        let exists = |def: &DomainDef| {
            if iothread_ids(def).contains(&id) {
                return Err(invalid(
                    ErrorDomain::Domain,
                    format!("an IOThread is already using iothread_id '{id}'"),
                ));
            }
            Ok(())
        };
        let job = entry.begin_job("virDomainAddIOThread")?;
        let (live, config) = {
            let mut vm = job.lock();
            let (live, config) = impact(&vm, flags)?;
            if live {
                exists(&vm.def)?;
            }
            if config {
                exists(persistent_mut(&mut vm))?;
            }
            (live, config)
        };
        if live {
            // QEMU answers while the domain is unlocked (its events need the lock).
            let args = json!({"qom-type": "iothread", "id": format!("iothread{id}")});
            monitor_of(entry)?.call("object-add", Some(args), MONITOR_TIMEOUT)?;
        }
        let mut vm = job.lock();
        if live {
            let mut ids = iothread_ids(&vm.def);
            ids.push(id);
            set_iothread_ids(&mut vm.def, ids);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            let mut ids = iothread_ids(&def);
            ids.push(id);
            set_iothread_ids(&mut def, ids);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }

    /// `virDomainDelIOThread`: refused while a disk uses the thread.
    pub(crate) fn del_iothread(&self, entry: &Entry, id: u32, flags: u32) -> Result<()> {
        let check = |def: &DomainDef| {
            if !iothread_ids(def).contains(&id) {
                return Err(invalid(
                    ErrorDomain::Domain,
                    format!("cannot find IOThread '{id}' in iothreadids list"),
                ));
            }
            if let Some(disk) = user_of(def, id) {
                return Err(invalid(
                    ErrorDomain::Domain,
                    format!("cannot remove IOThread {id} since it is being used by disk '{disk}'"),
                ));
            }
            Ok(())
        };
        let drop_id = |def: &mut DomainDef| {
            let ids = iothread_ids(def).into_iter().filter(|x| *x != id).collect();
            set_iothread_ids(def, ids);
        };
        let job = entry.begin_job("virDomainDelIOThread")?;
        let (live, config) = {
            let mut vm = job.lock();
            let (live, config) = impact(&vm, flags)?;
            if live {
                check(&vm.def)?;
            }
            if config {
                check(persistent_mut(&mut vm))?;
            }
            (live, config)
        };
        if live {
            // QEMU answers while the domain is unlocked (its events need the lock).
            let args = json!({"id": format!("iothread{id}")});
            monitor_of(entry)?.call("object-del", Some(args), MONITOR_TIMEOUT)?;
        }
        let mut vm = job.lock();
        if live {
            drop_id(&mut vm.def);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            drop_id(&mut def);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }

    /// `virDomainPinIOThread`.
    pub(crate) fn pin_iothread(
        &self,
        entry: &Entry,
        id: u32,
        map: &CpuMap,
        flags: u32,
    ) -> Result<()> {
        let set = CpuSet(map.cpus().filter(|&c| c < host_cpus()).collect());
        if set.0.is_empty() {
            return Err(invalid(
                ErrorDomain::Qemu,
                "Empty iothread cpumap list for pinning".into(),
            ));
        }
        let missing = || invalid(ErrorDomain::Qemu, format!("iothreadid {id} not found"));
        let (live, _) = impact(&entry.lock(), flags)?;
        // QEMU's threads, asked before the job holds the domain.
        let threads = if live {
            live_iothreads(&monitor_of(entry)?)?
        } else {
            Vec::new()
        };
        let job = entry.begin_job("virDomainPinIOThread")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if live {
            let tid = threads
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, tid)| *tid)
                .ok_or_else(missing)?;
            pin_threads(&[tid], &set, &format!("I/O thread {id}"))?;
            set_iothread_pin(&mut vm.def, id, &set.to_string());
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            if !iothread_ids(&def).contains(&id) {
                return Err(missing());
            }
            set_iothread_pin(&mut def, id, &set.to_string());
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

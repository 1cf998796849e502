//! I/O threads of test domains as libvirt 9.0's test driver keeps them: `<iothreads>`
//! and `<iothreadids>` (core's [`iothread_ids`]), pins in `<cputune><iothreadpin>`, an
//! unpinned thread on the domain's `<vcpu cpuset>` or every one of its vCPUs' numbers;
//! added, removed and pinned in the definitions the flags select.

use rvirt_core::api::{CpuMap, IoThreadInfo};
use rvirt_core::conf::DomainDef;
use rvirt_core::objects::{iothread_ids, iothread_pin, set_iothread_ids, set_iothread_pin};
use rvirt_core::{Error, ErrorDomain, Result};

use crate::configuration::defs_mut;
use crate::pinning::HOST_CPUS;
use crate::state::Obj;

/// `virDomainGetIOThreadInfo` of one definition.
pub(crate) fn info(def: &DomainDef) -> Vec<IoThreadInfo> {
    let default = def
        .vcpu
        .as_ref()
        .and_then(|v| v.cpuset.as_deref())
        .and_then(|s| CpuMap::parse_cpuset(s, HOST_CPUS))
        .unwrap_or_else(|| CpuMap::all(def.max_vcpus()));
    iothread_ids(def)
        .into_iter()
        .map(|id| IoThreadInfo {
            id,
            cpumap: iothread_pin(def, id)
                .and_then(|s| CpuMap::parse_cpuset(s, HOST_CPUS))
                .unwrap_or_else(|| default.clone()),
        })
        .collect()
}

/// `virDomainAddIOThread`.
pub(crate) fn add(o: &mut Obj, id: u32, flags: u32) -> Result<()> {
    if id == 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Test,
            "invalid value of 0 for iothread_id",
        ));
    }
    for def in defs_mut(o, flags)? {
        let mut all = iothread_ids(def);
        if all.contains(&id) {
            return Err(Error::invalid_arg(
                ErrorDomain::Domain,
                format!("an IOThread is already using iothread_id '{id}'"),
            ));
        }
        all.push(id);
        set_iothread_ids(def, all);
    }
    Ok(())
}

/// `virDomainDelIOThread` (its pin goes too).
pub(crate) fn del(o: &mut Obj, id: u32, flags: u32) -> Result<()> {
    for def in defs_mut(o, flags)? {
        let mut all = iothread_ids(def);
        let Some(i) = all.iter().position(|x| *x == id) else {
            return Err(Error::invalid_arg(
                ErrorDomain::Domain,
                format!("cannot find IOThread '{id}' in iothreadids list"),
            ));
        };
        all.remove(i);
        set_iothread_ids(def, all);
    }
    Ok(())
}

/// `virDomainPinIOThread`.
pub(crate) fn pin(o: &mut Obj, id: u32, map: &CpuMap, flags: u32) -> Result<()> {
    if map.is_empty() {
        return Err(Error::invalid_arg(
            ErrorDomain::Test,
            "Empty iothread cpumap list for pinning",
        ));
    }
    for def in defs_mut(o, flags)? {
        if !iothread_ids(def).contains(&id) {
            return Err(Error::invalid_arg(
                ErrorDomain::Test,
                format!("iothreadid {id} not found"),
            ));
        }
        set_iothread_pin(def, id, &map.to_cpuset());
    }
    Ok(())
}

//! I/O threads of test domains as libvirt 9.0's test driver keeps them: `<iothreads>`
//! and `<iothreadids>` (ids 1..=N implied by the count alone), pins in `<cputune>`
//! (`<iothreadpin>`), an unpinned thread on the domain's `<vcpu cpuset>` or every one
//! of its vCPUs' numbers; added, removed and pinned in the definitions the flags select.

use rvirt_core::api::{CpuMap, IoThreadInfo};
use rvirt_core::conf::xml::Element;
use rvirt_core::conf::{Cputune, DomainDef, Iothread, Iothreadids};
use rvirt_core::objects::{AFFECT_CONFIG, AFFECT_LIVE, impact};
use rvirt_core::{Error, ErrorDomain, Result};

use crate::pinning::HOST_CPUS;
use crate::state::Obj;

/// The ids of `def`'s I/O threads.
fn ids(def: &DomainDef) -> Vec<u32> {
    match &def.iothreadids {
        Some(ids) if !ids.iothreads.is_empty() => ids.iothreads.iter().map(|t| t.id).collect(),
        _ => (1..=def.iothreads.unwrap_or(0)).collect(),
    }
}

/// The pin of thread `id`, if any.
fn pin_of(def: &DomainDef, id: u32) -> Option<&Element> {
    let id = id.to_string();
    def.cputune
        .as_ref()?
        .iothreadpins
        .iter()
        .find(|p| p.attr("iothread") == Some(id.as_str()))
}

/// `virDomainGetIOThreadInfo` of one definition.
pub(crate) fn info(def: &DomainDef) -> Vec<IoThreadInfo> {
    let default = def
        .vcpu
        .as_ref()
        .and_then(|v| v.cpuset.as_deref())
        .and_then(|s| CpuMap::parse_cpuset(s, HOST_CPUS))
        .unwrap_or_else(|| CpuMap::all(def.max_vcpus()));
    ids(def)
        .into_iter()
        .map(|id| IoThreadInfo {
            id,
            cpumap: pin_of(def, id)
                .and_then(|p| p.attr("cpuset"))
                .and_then(|s| CpuMap::parse_cpuset(s, HOST_CPUS))
                .unwrap_or_else(|| default.clone()),
        })
        .collect()
}

/// Writes `ids` back as `<iothreadids>` and the count.
fn store(def: &mut DomainDef, ids: Vec<u32>) {
    def.iothreads = (!ids.is_empty()).then_some(ids.len() as u32);
    def.iothreadids = (!ids.is_empty()).then(|| Iothreadids {
        iothreads: ids
            .into_iter()
            .map(|id| Iothread {
                id,
                ..Default::default()
            })
            .collect(),
        extra: Default::default(),
    });
}

/// The definitions `flags` select, live first: (live, persistent) as booleans, the
/// persistent one kept apart from the live one first.
fn targets(o: &mut Obj, flags: u32) -> Result<Vec<&mut DomainDef>> {
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

/// `virDomainAddIOThread`.
pub(crate) fn add(o: &mut Obj, id: u32, flags: u32) -> Result<()> {
    if id == 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Test,
            "invalid value of 0 for iothread_id",
        ));
    }
    for def in targets(o, flags)? {
        let mut all = ids(def);
        if all.contains(&id) {
            return Err(Error::invalid_arg(
                ErrorDomain::Domain,
                format!("an IOThread is already using iothread_id '{id}'"),
            ));
        }
        all.push(id);
        store(def, all);
    }
    Ok(())
}

/// `virDomainDelIOThread` (its pin goes too).
pub(crate) fn del(o: &mut Obj, id: u32, flags: u32) -> Result<()> {
    for def in targets(o, flags)? {
        let mut all = ids(def);
        let Some(i) = all.iter().position(|x| *x == id) else {
            return Err(Error::invalid_arg(
                ErrorDomain::Domain,
                format!("cannot find IOThread '{id}' in iothreadids list"),
            ));
        };
        all.remove(i);
        store(def, all);
        let id = id.to_string();
        if let Some(t) = def.cputune.as_mut() {
            t.iothreadpins
                .retain(|p| p.attr("iothread") != Some(id.as_str()));
        }
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
    for def in targets(o, flags)? {
        if !ids(def).contains(&id) {
            return Err(Error::invalid_arg(
                ErrorDomain::Test,
                format!("iothreadid {id} not found"),
            ));
        }
        let tune = def.cputune.get_or_insert_with(Cputune::default);
        let key = id.to_string();
        let cpuset = map.to_cpuset();
        match tune
            .iothreadpins
            .iter_mut()
            .find(|p| p.attr("iothread") == Some(key.as_str()))
        {
            Some(p) => p.set_attr("cpuset", cpuset),
            None => {
                let mut p = Element::new("iothreadpin");
                p.set_attr("iothread", key);
                p.set_attr("cpuset", cpuset);
                tune.iothreadpins.push(p);
            }
        }
    }
    Ok(())
}

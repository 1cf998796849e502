//! `virConnectGetAllDomainStats` / `virDomainListGetStats` for QEMU domains.
//!
//! Three passes, none waiting for QEMU with a domain locked: copy what each target
//! domain's statistics need ([`Snap`]); send every running domain's monitor queries
//! (all domains' at once, so QEMUs answer in parallel); then take each domain's
//! replies and read `/proc` for its groups. Unlike libvirt, no job is taken: the
//! monitor multiplexes, and queries do not change the domain. With
//! `VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT` a domain whose job another operation
//! holds is not asked over its monitor (libvirt's "what can be had without waiting").

use std::time::Instant;

use rvirt_core::api::{DomainStatsRecord, StatsGroups, stats_flags};
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::resolve_groups;
use rvirt_core::{ErrorDomain, Result};

use super::super::instance::{Entry, Shared};
use super::super::start::MONITOR_TIMEOUT;
use super::groups::{SUPPORTED, domain_params, queries_for};
use super::queries::{Batch, Query};
use super::snapshot::Snap;
use crate::qmp::stats::vcpu_threads;
use serde_json::Value;

/// Statistics of `doms` (or of all domains `flags` select) in `groups`.
pub(crate) fn all_domain_stats(
    shared: &Shared,
    doms: Option<&[DomainRef]>,
    groups: StatsGroups,
    flags: u32,
) -> Result<Vec<DomainStatsRecord<DomainRef>>> {
    let groups = resolve_groups(groups, SUPPORTED, flags, ErrorDomain::Qemu)?;
    let nowait = flags & stats_flags::NOWAIT != 0;
    let targets: Vec<(Entry, Snap)> = shared
        .domains
        .stats_targets(doms, flags)
        .into_iter()
        .map(|e| {
            let snap = Snap::of(&e.lock());
            (e, snap)
        })
        .collect();
    let batches: Vec<Option<Batch>> = targets
        .iter()
        .map(|(_, snap)| {
            let run = snap.run.as_ref().filter(|r| !(nowait && r.busy))?;
            Some(Batch::send(&run.mon, &queries_for(snap, groups)))
        })
        .collect();
    let deadline = Instant::now() + MONITOR_TIMEOUT;
    Ok(targets
        .into_iter()
        .zip(batches)
        .map(|((entry, snap), batch)| {
            let replies = batch.map(|b| b.wait(deadline)).unwrap_or_default();
            let tids = vcpu_tids(&entry, &snap, replies.get(Query::Cpus));
            DomainStatsRecord {
                params: domain_params(&snap, groups, &replies, tids.as_deref()),
                domain: snap.dom,
            }
        })
        .collect())
}

/// The vCPU threads of `snap`'s QEMU: known already, or from `query-cpus-fast`'s
/// `reply` (then remembered in the domain's run, if it is still the same QEMU).
pub(super) fn vcpu_tids(entry: &Entry, snap: &Snap, reply: Option<&Value>) -> Option<Vec<u32>> {
    let run = snap.run.as_ref()?;
    if let Some(tids) = &run.vcpu_tids {
        return Some(tids.clone());
    }
    let tids = vcpu_threads(reply?);
    if tids.is_empty() {
        return None;
    }
    if let Some(r) = entry.lock().run.as_mut().filter(|r| r.pid == run.pid) {
        r.vcpu_tids = Some(tids.clone());
    }
    Some(tids)
}

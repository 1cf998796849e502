//! `virConnectGetAllDomainStats` / `virDomainListGetStats` for QEMU domains.
//!
//! Three passes, none waiting for QEMU with a domain locked: copy what each target
//! domain's statistics need ([`Snap`], with its disk images' sizes read on the host);
//! send every running domain's monitor queries (all domains' at once, so QEMUs
//! answer in parallel); then take each domain's replies and read `/proc` for its
//! groups. Under load the time goes to QEMUs answering, and each command costs a
//! CPU-starved QEMU several thread hand-offs, so a domain is asked only what nothing
//! else tells: image sizes come from the host, a settled dirty-rate reply is kept,
//! vCPU threads are asked once — with the `block` group that leaves one command
//! (`query-blockstats`) per domain and call. Unlike libvirt, no job is taken: the
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
use crate::qmp::stats::{self as qs, vcpu_threads};
use serde_json::Value;

/// `VIR_DOMAIN_DIRTYRATE_MEASURING`.
const DIRTY_RATE_MEASURING: i32 = 1;

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
            let mut snap = Snap::of(&e.lock());
            if groups.contains(StatsGroups::BLOCK) {
                snap.read_host_sizes();
            }
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
            remember_dirty_rate(&entry, &snap, replies.get(Query::DirtyRate));
            DomainStatsRecord {
                params: domain_params(&snap, groups, &replies, tids.as_deref()),
                domain: snap.dom,
            }
        })
        .collect())
}

/// Keeps a `query-dirty-rate` reply that no longer changes by itself (no measurement
/// under way) in the domain's run, with the passthrough count from before it was
/// asked: a later passthrough command (the only way a measurement starts here)
/// makes it stale.
fn remember_dirty_rate(entry: &Entry, snap: &Snap, reply: Option<&Value>) {
    let (Some(run), Some(reply)) = (snap.run.as_ref(), reply) else {
        return;
    };
    if qs::dirty_rate(reply).status == DIRTY_RATE_MEASURING {
        return;
    }
    if let Some(r) = entry.lock().run.as_mut().filter(|r| r.pid == run.pid) {
        r.dirty_rate = Some((run.passthrough, reply.clone()));
    }
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

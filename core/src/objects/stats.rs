//! The driver-independent part of `virConnectGetAllDomainStats`: which groups to
//! collect, which domains, and the `state.*` group every driver has.

use std::sync::Arc;

use crate::api::{
    DomainStatsRecord, ListFlags, StateReason, StatsGroups, TypedParam, TypedValue, stats_flags,
};
use crate::driver::DomainRef;
use crate::{Error, ErrorCode, ErrorDomain, Result};

use super::{DomainEntry, DomainObj, Domains};

/// The groups to collect when `requested` are asked of a driver that has `supported`:
/// none requested means all supported; unsupported ones are dropped, or refused with
/// `VIR_ERR_ARGUMENT_UNSUPPORTED` under `ENFORCE_STATS` (libvirt's wording).
pub fn resolve_groups(
    requested: StatsGroups,
    supported: StatsGroups,
    flags: u32,
    domain: ErrorDomain,
) -> Result<StatsGroups> {
    if requested.0 == 0 {
        return Ok(supported);
    }
    let unsupported = requested.0 & !supported.0;
    if unsupported != 0 && flags & stats_flags::ENFORCE_STATS != 0 {
        return Err(Error::new(
            ErrorCode::ArgumentUnsupported,
            domain,
            format!("Stats types bits 0x{unsupported:x} are not supported by this daemon"),
        ));
    }
    Ok(StatsGroups(requested.0 & supported.0))
}

/// The `state` group: `state.state` and `state.reason`.
pub fn state_params(state: StateReason) -> Vec<TypedParam> {
    vec![
        TypedParam::new("state.state", TypedValue::Int(state.state().as_raw())),
        TypedParam::new("state.reason", TypedValue::Int(state.reason_raw())),
    ]
}

impl<R> Domains<R> {
    /// The domains a stats call covers: those of `doms` (in the caller's order, missing
    /// ones skipped as libvirt skips them) or of all domains (in name order) that the
    /// filter bits of `flags` accept.
    pub fn stats_targets(
        &self,
        doms: Option<&[DomainRef]>,
        flags: u32,
    ) -> Vec<Arc<DomainEntry<R>>> {
        let candidates = match doms {
            Some(doms) => doms
                .iter()
                .filter_map(|d| self.list.find_by_uuid(&d.uuid))
                .collect(),
            None => self.list.entries(),
        };
        let filter = ListFlags(flags & stats_flags::FILTERS);
        candidates
            .into_iter()
            .filter(|e| filter.accepts(&e.lock().listed_facts()))
            .collect()
    }

    /// Runs `collect` on each target domain (locked) and pairs its statistics with the
    /// domain's identity.
    pub fn collect_stats(
        &self,
        doms: Option<&[DomainRef]>,
        flags: u32,
        mut collect: impl FnMut(&DomainObj<R>) -> Vec<TypedParam>,
    ) -> Vec<DomainStatsRecord<DomainRef>> {
        self.stats_targets(doms, flags)
            .iter()
            .map(|e| {
                let o = e.lock();
                DomainStatsRecord {
                    domain: o.to_ref(),
                    params: collect(&o),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_libvirts_rule() {
        let supported = StatsGroups::STATE | StatsGroups::IOTHREAD;
        let r = |req, flags| resolve_groups(StatsGroups(req), supported, flags, ErrorDomain::Test);
        assert_eq!(r(0, 0).unwrap(), supported);
        assert_eq!(r(1 | 2, 0).unwrap(), StatsGroups::STATE);
        let e = r(1 | 2 | 4, stats_flags::ENFORCE_STATS).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
        assert_eq!(
            e.to_string(),
            "argument unsupported: Stats types bits 0x6 are not supported by this daemon"
        );
        assert_eq!(
            r(128, stats_flags::ENFORCE_STATS).unwrap(),
            StatsGroups::IOTHREAD
        );
    }
}

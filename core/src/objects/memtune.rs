//! `<memtune>` as memory parameters (`virDomain{Get,Set}MemoryParameters`), shared by
//! the drivers: the three limits libvirt's QEMU and test drivers report, in KiB, with
//! `VIR_DOMAIN_MEMORY_PARAM_UNLIMITED` where a limit is not set, and libvirt's checks
//! of a set.

use crate::api::{
    MEMORY_HARD_LIMIT, MEMORY_PARAM_UNLIMITED, MEMORY_SOFT_LIMIT, MEMORY_SWAP_HARD_LIMIT,
    TypedParam, TypedValue, validate_params,
};
use crate::conf::{DomainDef, Memory, Memtune};
use crate::{Error, ErrorDomain, Result};

/// The names a set may carry, and their type (libvirt's `virTypedParamsValidate` list).
pub const MEMTUNE_PARAMS: [(&str, &str); 3] = [
    (MEMORY_HARD_LIMIT, "ullong"),
    (MEMORY_SOFT_LIMIT, "ullong"),
    (MEMORY_SWAP_HARD_LIMIT, "ullong"),
];

/// A limit's KiB, `VIR_DOMAIN_MEMORY_PARAM_UNLIMITED` when unset.
pub fn limit_kib(m: Option<&Memory>) -> u64 {
    m.map_or(MEMORY_PARAM_UNLIMITED, Memory::kib)
}

/// The limits of `def` in libvirt's order: hard, soft, swap hard.
pub fn memtune_params(def: &DomainDef) -> Vec<TypedParam> {
    let t = def.memtune.clone().unwrap_or_default();
    [
        (MEMORY_HARD_LIMIT, t.hard_limit.as_ref()),
        (MEMORY_SOFT_LIMIT, t.soft_limit.as_ref()),
        (MEMORY_SWAP_HARD_LIMIT, t.swap_hard_limit.as_ref()),
    ]
    .into_iter()
    .map(|(name, m)| TypedParam::new(name, TypedValue::ULLong(limit_kib(m))))
    .collect()
}

/// The limits a set changes, in KiB (`None`: left alone).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemtuneChange {
    /// `hard_limit`.
    pub hard: Option<u64>,
    /// `soft_limit`.
    pub soft: Option<u64>,
    /// `swap_hard_limit`.
    pub swap: Option<u64>,
}

impl MemtuneChange {
    /// Reads a set's parameters, checked as libvirt does (names, types, repeats) in
    /// error domain `domain`.
    pub fn from_params(params: &[TypedParam], domain: ErrorDomain) -> Result<MemtuneChange> {
        validate_params(params, &MEMTUNE_PARAMS, domain)?;
        let mut c = MemtuneChange::default();
        for p in params {
            let TypedValue::ULLong(v) = p.value else {
                continue;
            };
            match p.field.as_str() {
                MEMORY_HARD_LIMIT => c.hard = Some(v),
                MEMORY_SOFT_LIMIT => c.soft = Some(v),
                _ => c.swap = Some(v),
            }
        }
        Ok(c)
    }

    /// libvirt's check against the running (or only) definition `def`: the hard limit
    /// may not exceed the swap hard limit, either as set or as it stays (raised in
    /// `domain`).
    pub fn check_against(&self, def: &DomainDef, domain: ErrorDomain) -> Result<()> {
        if self.hard.is_none() && self.swap.is_none() {
            return Ok(());
        }
        let t = def.memtune.as_ref();
        let hard = self
            .hard
            .unwrap_or_else(|| limit_kib(t.and_then(|t| t.hard_limit.as_ref())));
        let swap = self
            .swap
            .unwrap_or_else(|| limit_kib(t.and_then(|t| t.swap_hard_limit.as_ref())));
        if hard > swap {
            return Err(Error::invalid_arg(
                domain,
                "memory hard_limit tunable value must be lower than or equal to swap_hard_limit",
            ));
        }
        Ok(())
    }

    /// Writes the change into `def`'s `<memtune>` (unlimited values unset a limit).
    pub fn apply(&self, def: &mut DomainDef) {
        let t = def.memtune.get_or_insert_with(Memtune::default);
        let put = |slot: &mut Option<Memory>, v: Option<u64>| {
            if let Some(v) = v {
                *slot = (v < MEMORY_PARAM_UNLIMITED).then(|| Memory::from_kib(v));
            }
        };
        put(&mut t.hard_limit, self.hard);
        put(&mut t.soft_limit, self.soft);
        put(&mut t.swap_hard_limit, self.swap);
        if t.hard_limit.is_none()
            && t.soft_limit.is_none()
            && t.swap_hard_limit.is_none()
            && t.min_guarantee.is_none()
        {
            def.memtune = None;
        }
    }
}

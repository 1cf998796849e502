//! `<numatune><memory>` as NUMA parameters (`virDomain{Get,Set}NumaParameters`,
//! `virsh numatune`), shared by the drivers: the mode as libvirt's
//! `virDomainNumatuneMemMode` number and the host nodeset.

use crate::api::{TypedParam, TypedValue};
use crate::conf::bitmap::CpuSet;
use crate::conf::{DomainDef, Numatune, NumatuneMemory};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// `VIR_DOMAIN_NUMA_MODE`.
pub const NUMA_MODE: &str = "numa_mode";
/// `VIR_DOMAIN_NUMA_NODESET`.
pub const NUMA_NODESET: &str = "numa_nodeset";

/// The names a set may carry and their type.
pub const NUMA_PARAMS: [(&str, &str); 2] = [(NUMA_MODE, "int"), (NUMA_NODESET, "string")];

/// `virDomainNumatuneMemMode` in number order.
const MODES: [&str; 4] = ["strict", "preferred", "interleave", "restrictive"];

/// The mode of `def`'s `<numatune><memory>` as a number (strict, 0, when unset).
pub fn numa_mode(def: &DomainDef) -> Option<i32> {
    let mode = def.numatune.as_ref()?.memory.as_ref()?.mode.as_deref();
    Some(mode.map_or(0, |m| {
        MODES.iter().position(|x| *x == m).unwrap_or(0) as i32
    }))
}

/// The mode and nodeset of `def` (strict and empty where unset).
pub fn numa_params(def: &DomainDef) -> Vec<TypedParam> {
    let nodeset = def
        .numatune
        .as_ref()
        .and_then(|n| n.memory.as_ref())
        .and_then(|m| m.nodeset.clone())
        .unwrap_or_default();
    vec![
        TypedParam::new(NUMA_MODE, TypedValue::Int(numa_mode(def).unwrap_or(0))),
        TypedParam::new(NUMA_NODESET, TypedValue::String(nodeset)),
    ]
}

/// A validated set: the mode (if any) and the nodeset (if any, in libvirt's form).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NumaChange {
    /// The new mode's number.
    pub mode: Option<i32>,
    /// The new nodeset, formatted as libvirt prints it.
    pub nodeset: Option<String>,
}

impl NumaChange {
    /// Reads a (type-checked) set with libvirt's refusals, raised in `domain`: a mode
    /// outside 0..4, a nodeset that does not parse or selects nothing.
    pub fn from_params(params: &[TypedParam], domain: ErrorDomain) -> Result<NumaChange> {
        let mut c = NumaChange::default();
        for p in params {
            match (&p.value, p.field.as_str()) {
                (TypedValue::Int(m), NUMA_MODE) => {
                    if !(0..MODES.len() as i32).contains(m) {
                        return Err(Error::invalid_arg(
                            domain,
                            format!("unsupported numatune mode: '{m}'"),
                        ));
                    }
                    c.mode = Some(*m);
                }
                (TypedValue::String(s), NUMA_NODESET) => {
                    let set = CpuSet::parse(s)
                        .filter(|_| !s.trim().is_empty())
                        .ok_or_else(|| {
                            Error::invalid_arg(
                                ErrorDomain::None,
                                format!("Failed to parse bitmap '{s}'"),
                            )
                        })?;
                    if set.is_empty() {
                        return Err(Error::new(
                            ErrorCode::OperationInvalid,
                            domain,
                            format!("Invalid nodeset of 'numatune': {s}"),
                        ));
                    }
                    c.nodeset = Some(set.to_string());
                }
                _ => {}
            }
        }
        Ok(c)
    }

    /// Writes the change into `def`'s `<numatune><memory>`.
    pub fn apply(&self, def: &mut DomainDef) {
        if self.mode.is_none() && self.nodeset.is_none() {
            return;
        }
        let tune = def.numatune.get_or_insert_with(|| Numatune {
            memory: None,
            memnodes: Vec::new(),
            extra: Default::default(),
        });
        let mem = tune.memory.get_or_insert_with(NumatuneMemory::default);
        if let Some(m) = self.mode {
            mem.mode = Some(MODES[m as usize].to_string());
        }
        if let Some(n) = &self.nodeset {
            mem.nodeset = Some(n.clone());
        }
    }
}

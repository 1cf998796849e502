//! `<perf>` as perf events (`virDomain{Get,Set}PerfEvents`, `virsh perf`), shared by
//! the drivers: libvirt's events in its order, each a boolean, and the `<event>`
//! elements a set leaves (enabled and explicitly disabled ones, in libvirt's order).

use crate::api::{TypedParam, TypedValue};
use crate::conf::{DomainDef, Perf, PerfEvent, YesNo};

/// libvirt's perf events (`virPerfEventType`), in its order.
pub const PERF_EVENTS: [&str; 22] = [
    "cmt",
    "mbmt",
    "mbml",
    "cpu_cycles",
    "instructions",
    "cache_references",
    "cache_misses",
    "branch_instructions",
    "branch_misses",
    "bus_cycles",
    "stalled_cycles_frontend",
    "stalled_cycles_backend",
    "ref_cpu_cycles",
    "cpu_clock",
    "task_clock",
    "page_faults",
    "context_switches",
    "cpu_migrations",
    "page_faults_min",
    "page_faults_maj",
    "alignment_faults",
    "emulation_faults",
];

/// The names a set may carry, each a boolean.
pub fn perf_param_types() -> Vec<(&'static str, &'static str)> {
    PERF_EVENTS.iter().map(|n| (*n, "boolean")).collect()
}

/// What `def` says of event `name`: `Some(true)` enabled, `Some(false)` disabled,
/// `None` not mentioned.
fn state(def: &DomainDef, name: &str) -> Option<bool> {
    def.perf
        .as_ref()?
        .events
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.enabled == YesNo::Yes)
}

/// Every event of `def` with whether it is enabled.
pub fn perf_params(def: &DomainDef) -> Vec<TypedParam> {
    PERF_EVENTS
        .iter()
        .map(|n| TypedParam::new(*n, TypedValue::Boolean(state(def, n) == Some(true))))
        .collect()
}

/// The names of `def`'s enabled events.
pub fn enabled_perf_events(def: &DomainDef) -> Vec<&'static str> {
    PERF_EVENTS
        .iter()
        .copied()
        .filter(|n| state(def, n) == Some(true))
        .collect()
}

/// Applies a (validated) set: each named event enabled or disabled; `<perf>` lists
/// the mentioned events in libvirt's order.
pub fn apply_perf(def: &mut DomainDef, params: &[TypedParam]) {
    let mut states: Vec<Option<bool>> = PERF_EVENTS.iter().map(|n| state(def, n)).collect();
    for p in params {
        if let (Some(i), TypedValue::Boolean(on)) =
            (PERF_EVENTS.iter().position(|n| *n == p.field), &p.value)
        {
            states[i] = Some(*on);
        }
    }
    let events: Vec<PerfEvent> = PERF_EVENTS
        .iter()
        .zip(states)
        .filter_map(|(n, s)| {
            s.map(|on| PerfEvent {
                name: (*n).to_string(),
                enabled: if on { YesNo::Yes } else { YesNo::No },
                extra: Default::default(),
            })
        })
        .collect();
    if events.is_empty() {
        def.perf = None;
    } else {
        let mut perf = def.perf.take().unwrap_or_else(|| Perf {
            events: Vec::new(),
            extra: Default::default(),
        });
        perf.events = events;
        def.perf = Some(perf);
    }
}

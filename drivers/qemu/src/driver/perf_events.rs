//! Perf events of QEMU domains (`<perf>`, `virsh perf`, `virDomain{Get,Set}PerfEvents`,
//! the `perf` statistics group) as libvirt's QEMU driver keeps them: a host counter on
//! QEMU's pid per enabled event, opened at start (a start fails when the host cannot
//! count an enabled event) and when a running domain's event is enabled, closed when
//! it is disabled; the definitions say which events are enabled.

use std::os::fd::OwnedFd;

use rvirt_core::Result;
use rvirt_core::api::{TypedParam, TypedValue, validate_params};
use rvirt_core::conf::DomainDef;
use rvirt_core::objects::{
    PERF_EVENTS, apply_perf, enabled_perf_events, impact, perf_param_types, perf_params,
};
use rvirt_core::{ErrorDomain, api::TypedValue::Boolean};

use super::configuration::{persistent_mut, save_config, selected_def, touch_status};
use super::instance::{Entry, Shared};
use super::running::Running;
use crate::host::perf;

/// The open counters of a running domain, by event name.
pub(crate) type PerfCounters = Vec<(&'static str, OwnedFd)>;

/// Counters for every event `def` enables, on process `pid`.
///
/// Errors: the first event the host cannot count (`VIR_ERR_SYSTEM_ERROR` naming it).
pub(crate) fn open_enabled(def: &DomainDef, pid: u32) -> Result<PerfCounters> {
    enabled_perf_events(def)
        .into_iter()
        .map(|name| Ok((name, perf::open(name, pid)?)))
        .collect()
}

/// The counters of a QEMU found running, opened again (libvirt's reconnect does the
/// same); an event the host no longer counts is logged and left closed.
pub(crate) fn reopen(def: &DomainDef, pid: u32) -> PerfCounters {
    enabled_perf_events(def)
        .into_iter()
        .filter_map(|name| match perf::open(name, pid) {
            Ok(fd) => Some((name, fd)),
            Err(e) => {
                rvirt_core::log::warning(
                    ErrorDomain::Qemu,
                    format_args!("domain '{}': perf event {name} not reopened: {e}", def.name),
                );
                None
            }
        })
        .collect()
}

/// `perf.<event>` of each open counter, in libvirt's event order.
pub(crate) fn stats(counters: &PerfCounters) -> Vec<TypedParam> {
    PERF_EVENTS
        .iter()
        .filter_map(|name| {
            let (_, fd) = counters.iter().find(|(n, _)| n == name)?;
            Some(TypedParam::new(
                format!("perf.{name}"),
                TypedValue::ULLong(perf::read(fd)),
            ))
        })
        .collect()
}

/// Opens or closes `run`'s counters as `params` say (all opened before any is kept,
/// so a refusal changes nothing).
fn apply_live(run: &mut Running, params: &[TypedParam]) -> Result<()> {
    let mut opened = Vec::new();
    for p in params {
        if let (Boolean(true), Some(name)) = (&p.value, event_name(&p.field))
            && !run.perf.iter().any(|(n, _)| *n == name)
            && !opened.iter().any(|(n, _): &(&str, OwnedFd)| *n == name)
        {
            opened.push((name, perf::open(name, run.pid)?));
        }
    }
    run.perf.retain(|(name, _)| {
        !params
            .iter()
            .any(|p| p.field == *name && p.value == Boolean(false))
    });
    run.perf.extend(opened);
    Ok(())
}

/// libvirt's static name of event `field`.
fn event_name(field: &str) -> Option<&'static str> {
    PERF_EVENTS.iter().copied().find(|n| *n == field)
}

impl Shared {
    /// `virDomainGetPerfEvents` of the live or the persistent definition.
    pub(crate) fn perf_events(&self, entry: &Entry, flags: u32) -> Result<Vec<TypedParam>> {
        let vm = entry.lock();
        let def = selected_def(&vm, flags)?;
        Ok(perf_params(def))
    }

    /// `virDomainSetPerfEvents`: live, the counters change first (a host that cannot
    /// count an event refuses and changes nothing); then the definitions.
    pub(crate) fn set_perf_events(
        &self,
        entry: &Entry,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        validate_params(params, &perf_param_types(), ErrorDomain::Qemu)?;
        let job = entry.begin_job("virDomainSetPerfEvents")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if live {
            if let Some(run) = vm.run.as_mut() {
                apply_live(run, params)?;
            }
            apply_perf(&mut vm.def, params);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            apply_perf(&mut def, params);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

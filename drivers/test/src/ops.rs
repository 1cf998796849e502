//! Domain operations of the test driver: state transitions, their lifecycle events and
//! the errors libvirt's test driver raises for illegal ones, on rvirt-core's shared
//! domain objects.

use rvirt_core::api::{
    PausedReason, ResumedDetail, RunningReason, ShutoffReason, StateReason, StoppedDetail,
    SuspendedDetail,
};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::{Events, not_running};
use rvirt_core::{DomainEvent, Lifecycle, Result};

use crate::errors;
use crate::state::{Obj, World};

fn lifecycle(l: Lifecycle) -> DomainEvent {
    DomainEvent::Lifecycle(l)
}

/// Stops an active domain: releases its id, applies a waiting definition; emits
/// STOPPED/`detail`. A transient domain is removed by the caller afterwards.
pub(crate) fn stop(
    w: &World,
    obj: &mut Obj,
    reason: ShutoffReason,
    detail: StoppedDetail,
    ev: &mut Events,
) {
    w.domains.list.release_id(obj);
    obj.run = None;
    obj.apply_stop(StateReason::Shutoff(reason));
    ev.push(obj.event(lifecycle(Lifecycle::Stopped(detail))));
}

/// `virDomainCreateXML`: starts a transient domain, or boots an inactive persistent one
/// with this definition for one run.
pub(crate) fn create_xml(w: &World, def: DomainDef) -> Result<DomainRef> {
    w.domains.create_xml(def, |entry| {
        w.domains.change(entry, |obj, ev| {
            w.boot(obj, ev);
            Ok(())
        })
    })
}

/// `virDomainCreate`: boots an inactive domain.
pub(crate) fn start(w: &World, dom: &DomainRef) -> Result<DomainRef> {
    w.domains.change_ref(dom, |obj, ev| {
        if obj.is_active() {
            return Err(errors::internal(format!(
                "Domain '{}' is already running",
                obj.name()
            )));
        }
        w.boot(obj, ev);
        Ok(obj.to_ref())
    })
}

/// `virDomainDestroy`.
pub(crate) fn destroy(w: &World, dom: &DomainRef) -> Result<()> {
    w.domains.change_ref(dom, |obj, ev| {
        if !obj.is_active() {
            return Err(not_running());
        }
        stop(
            w,
            obj,
            ShutoffReason::Destroyed,
            StoppedDetail::Destroyed,
            ev,
        );
        Ok(())
    })?;
    w.domains.list.remove_if_transient(&dom.uuid);
    Ok(())
}

/// `virDomainShutdown`: the test guest powers off at once.
pub(crate) fn shutdown(w: &World, dom: &DomainRef) -> Result<()> {
    w.domains.change_ref(dom, |obj, ev| {
        if !obj.is_active() {
            return Err(errors::internal(format!(
                "domain '{}' not running",
                obj.name()
            )));
        }
        stop(w, obj, ShutoffReason::Shutdown, StoppedDetail::Shutdown, ev);
        Ok(())
    })?;
    w.domains.list.remove_if_transient(&dom.uuid);
    Ok(())
}

/// `virDomainReboot`: the domain ends up running (also when it was paused). Like libvirt's
/// test driver no lifecycle event is emitted; a REBOOT event (id 1) is.
pub(crate) fn reboot(w: &World, dom: &DomainRef) -> Result<()> {
    w.domains.change_ref(dom, |obj, ev| {
        if !obj.is_active() {
            return Err(not_running());
        }
        obj.state = StateReason::Running(RunningReason::Booted);
        ev.push(obj.event(DomainEvent::Reboot));
        Ok(())
    })
}

/// `virDomainSuspend`: only a running domain can be paused.
pub(crate) fn suspend(w: &World, dom: &DomainRef) -> Result<()> {
    w.domains.change_ref(dom, |obj, ev| {
        if !matches!(obj.state, StateReason::Running(_)) {
            return Err(errors::internal(format!(
                "domain '{}' not running",
                obj.name()
            )));
        }
        obj.state = StateReason::Paused(PausedReason::User);
        ev.push(obj.event(lifecycle(Lifecycle::Suspended(SuspendedDetail::Paused))));
        Ok(())
    })
}

/// `virDomainResume`: only a paused domain can be resumed.
pub(crate) fn resume(w: &World, dom: &DomainRef) -> Result<()> {
    w.domains.change_ref(dom, |obj, ev| {
        if !matches!(obj.state, StateReason::Paused(_)) {
            return Err(errors::internal(format!(
                "domain '{}' not paused",
                obj.name()
            )));
        }
        obj.state = StateReason::Running(RunningReason::Unpaused);
        ev.push(obj.event(lifecycle(Lifecycle::Resumed(ResumedDetail::Unpaused))));
        Ok(())
    })
}

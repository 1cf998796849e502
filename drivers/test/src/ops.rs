//! Domain operations of the test driver: state transitions, their lifecycle events and
//! the errors libvirt's test driver raises for illegal ones, on rvirt-core's shared
//! domain objects.

use rvirt_core::api::{
    DefinedDetail, PausedReason, ResumedDetail, RunningReason, ShutoffReason, StateReason,
    StoppedDetail, SuspendedDetail, UndefinedDetail,
};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::{Add, Added, Events, already_active, not_running};
use rvirt_core::{DomainEvent, Lifecycle, Result};

use crate::errors;
use crate::state::{Obj, World};

fn lifecycle(l: Lifecycle) -> DomainEvent {
    DomainEvent::Lifecycle(l)
}

/// Stops an active domain: releases its id, applies a waiting definition; emits
/// STOPPED/`detail`. A transient domain is removed by the caller afterwards.
fn stop(w: &World, obj: &mut Obj, reason: ShutoffReason, detail: StoppedDetail, ev: &mut Events) {
    w.domains.release_id(obj);
    obj.run = None;
    obj.apply_stop(StateReason::Shutoff(reason));
    ev.push(obj.event(lifecycle(Lifecycle::Stopped(detail))));
}

/// `virDomainDefineXML`: adds a persistent domain or updates one with the same name and
/// UUID (a running domain keeps its live definition until it stops).
pub(crate) fn define(w: &World, def: DomainDef) -> Result<DomainRef> {
    let (entry, def) = match w.domains.add(def, Add::Define)? {
        Added::New(entry) => (entry, None),
        Added::Existing(entry, def) => (entry, Some(*def)),
    };
    let r = {
        let mut obj = entry.lock();
        let detail = match def {
            Some(def) => obj.redefine(def),
            None => DefinedDetail::Added,
        };
        w.fanout
            .queue(vec![obj.event(lifecycle(Lifecycle::Defined(detail)))]);
        obj.to_ref()
    };
    w.fanout.flush();
    Ok(r)
}

/// `virDomainCreateXML`: starts a transient domain, or boots an inactive persistent one
/// with this definition for one run.
pub(crate) fn create_xml(w: &World, def: DomainDef) -> Result<DomainRef> {
    let (entry, live) = match w.domains.add(def, Add::Live)? {
        Added::New(entry) => (entry, None),
        Added::Existing(entry, def) => (entry, Some(*def)),
    };
    let r = {
        let mut obj = entry.lock();
        if obj.is_active() {
            return Err(already_active(obj.name()));
        }
        if let Some(live) = live {
            obj.use_for_this_run(live);
        }
        let mut ev = Events::new();
        w.boot(&mut obj, &mut ev);
        w.fanout.queue(ev);
        obj.to_ref()
    };
    w.fanout.flush();
    Ok(r)
}

/// `virDomainUndefine`: an inactive domain is removed, an active one becomes transient.
pub(crate) fn undefine(w: &World, dom: &DomainRef) -> Result<()> {
    let inactive = w.change(dom, |obj, ev| {
        obj.make_transient();
        ev.push(obj.event(lifecycle(Lifecycle::Undefined(UndefinedDetail::Removed))));
        Ok(!obj.is_active())
    })?;
    if inactive {
        w.domains.remove(&dom.uuid);
    }
    Ok(())
}

/// `virDomainCreate`: boots an inactive domain.
pub(crate) fn start(w: &World, dom: &DomainRef) -> Result<DomainRef> {
    w.change(dom, |obj, ev| {
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
    w.change(dom, |obj, ev| {
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
    w.domains.remove_if_transient(&dom.uuid);
    Ok(())
}

/// `virDomainShutdown`: the test guest powers off at once.
pub(crate) fn shutdown(w: &World, dom: &DomainRef) -> Result<()> {
    w.change(dom, |obj, ev| {
        if !obj.is_active() {
            return Err(errors::internal(format!(
                "domain '{}' not running",
                obj.name()
            )));
        }
        stop(w, obj, ShutoffReason::Shutdown, StoppedDetail::Shutdown, ev);
        Ok(())
    })?;
    w.domains.remove_if_transient(&dom.uuid);
    Ok(())
}

/// `virDomainReboot`: the domain ends up running (also when it was paused). Like libvirt's
/// test driver no lifecycle event is emitted; a REBOOT event (id 1) is.
pub(crate) fn reboot(w: &World, dom: &DomainRef) -> Result<()> {
    w.change(dom, |obj, ev| {
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
    w.change(dom, |obj, ev| {
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
    w.change(dom, |obj, ev| {
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

/// `virDomainSetAutostart` (libvirt's test driver allows it on transient domains too).
pub(crate) fn set_autostart(w: &World, dom: &DomainRef, autostart: bool) -> Result<()> {
    w.change(dom, |obj, _| {
        obj.autostart = autostart;
        Ok(())
    })
}

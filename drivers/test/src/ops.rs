//! Domain operations on a [`World`]: state transitions, their lifecycle events and the
//! errors libvirt's test driver raises for illegal ones. Callers hold the world lock;
//! events go into `ev` and are delivered after it is released.

use rvirt_core::api::PausedReason;
use rvirt_core::api::{
    DefinedDetail, ResumedDetail, RunningReason, ShutoffReason, StartedDetail, StateReason,
    StoppedDetail, SuspendedDetail, UndefinedDetail,
};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::DomainRef;
use rvirt_core::{DomainEvent, Lifecycle, Result, Uuid};

use crate::errors;
use crate::events::Emitted;
use crate::state::{DomainObj, World};

fn lifecycle(ev: &mut Emitted, r: DomainRef, l: Lifecycle) {
    ev.push((r, DomainEvent::Lifecycle(l)));
}

/// Checks that `def` does not clash with a different domain; returns the UUID of the
/// domain with the same name and UUID, if there is one.
fn check_clash(w: &World, def: &DomainDef) -> Result<Option<Uuid>> {
    let uuid = def.uuid.unwrap_or_default();
    if let Some(existing) = w.uuid_of_name(&def.name) {
        if existing != uuid {
            return Err(errors::clash(format!(
                "domain '{}' already exists with uuid {}",
                def.name,
                existing.hyphenated()
            )));
        }
        return Ok(Some(existing));
    }
    if let Some(other) = w.get(&uuid) {
        return Err(errors::clash(format!(
            "domain '{}' is already defined with uuid {}",
            other.def.name,
            uuid.hyphenated()
        )));
    }
    Ok(None)
}

/// Gives a domain an id and makes it running; emits STARTED/BOOTED.
fn start_obj(w: &mut World, uuid: &Uuid, ev: &mut Emitted) -> DomainRef {
    w.assign_id(uuid);
    let obj = w.get_mut(uuid).expect("caller checked the domain exists");
    obj.state = StateReason::Running(RunningReason::Booted);
    let r = obj.to_ref();
    lifecycle(ev, r.clone(), Lifecycle::Started(StartedDetail::Booted));
    r
}

/// Stops an active domain; transient domains disappear. Emits STOPPED/`detail`.
fn stop_obj(
    w: &mut World,
    uuid: &Uuid,
    reason: ShutoffReason,
    detail: StoppedDetail,
    ev: &mut Emitted,
) {
    w.release_id(uuid);
    let obj = w.get_mut(uuid).expect("caller checked the domain exists");
    obj.state = StateReason::Shutoff(reason);
    if let Some(next) = obj.next_def.take() {
        obj.def = next;
    }
    let persistent = obj.persistent;
    lifecycle(ev, obj.to_ref(), Lifecycle::Stopped(detail));
    if !persistent {
        w.remove(uuid);
    }
}

/// `virDomainDefineXML`: adds a persistent domain or updates one with the same name and
/// UUID (a running domain keeps its live definition until it stops).
pub(crate) fn define(w: &mut World, ev: &mut Emitted, def: DomainDef) -> Result<DomainRef> {
    match check_clash(w, &def)? {
        Some(uuid) => {
            let obj = w.get_mut(&uuid).expect("found by name");
            if obj.is_active() {
                obj.next_def = Some(def);
            } else {
                obj.def = def;
            }
            obj.persistent = true;
            let r = obj.to_ref();
            lifecycle(ev, r.clone(), Lifecycle::Defined(DefinedDetail::Updated));
            Ok(r)
        }
        None => {
            let obj = DomainObj::new(def, StateReason::Shutoff(ShutoffReason::Unknown), true);
            let r = obj.to_ref();
            w.insert(obj);
            lifecycle(ev, r.clone(), Lifecycle::Defined(DefinedDetail::Added));
            Ok(r)
        }
    }
}

/// `virDomainCreateXML`: starts a transient domain, or boots an inactive persistent one
/// with this definition for one run.
pub(crate) fn create_xml(w: &mut World, ev: &mut Emitted, def: DomainDef) -> Result<DomainRef> {
    let uuid = match check_clash(w, &def)? {
        Some(uuid) => {
            let obj = w.get_mut(&uuid).expect("found by name");
            if obj.is_active() {
                return Err(errors::already_active(&obj.def.name));
            }
            let persistent_def = std::mem::replace(&mut obj.def, def);
            obj.next_def = Some(persistent_def);
            uuid
        }
        None => w.insert(DomainObj::new(
            def,
            StateReason::Shutoff(ShutoffReason::Unknown),
            false,
        )),
    };
    Ok(start_obj(w, &uuid, ev))
}

/// `virDomainUndefine`: an inactive domain is removed, an active one becomes transient.
pub(crate) fn undefine(w: &mut World, ev: &mut Emitted, dom: &DomainRef) -> Result<()> {
    let obj = w.by_ref(dom)?;
    let uuid = obj.uuid();
    if obj.is_active() {
        let obj = w.get_mut(&uuid).expect("found");
        obj.persistent = false;
        obj.autostart = false;
        obj.next_def = None;
        lifecycle(
            ev,
            obj.to_ref(),
            Lifecycle::Undefined(UndefinedDetail::Removed),
        );
    } else {
        let obj = w.remove(&uuid).expect("found");
        lifecycle(
            ev,
            obj.to_ref(),
            Lifecycle::Undefined(UndefinedDetail::Removed),
        );
    }
    Ok(())
}

/// `virDomainCreate`: boots an inactive domain.
pub(crate) fn start(w: &mut World, ev: &mut Emitted, dom: &DomainRef) -> Result<DomainRef> {
    let obj = w.by_ref(dom)?;
    if obj.is_active() {
        return Err(errors::internal(format!(
            "Domain '{}' is already running",
            obj.def.name
        )));
    }
    let uuid = obj.uuid();
    Ok(start_obj(w, &uuid, ev))
}

/// `virDomainDestroy`.
pub(crate) fn destroy(w: &mut World, ev: &mut Emitted, dom: &DomainRef) -> Result<()> {
    let obj = w.by_ref(dom)?;
    if !obj.is_active() {
        return Err(errors::not_running());
    }
    let uuid = obj.uuid();
    stop_obj(
        w,
        &uuid,
        ShutoffReason::Destroyed,
        StoppedDetail::Destroyed,
        ev,
    );
    Ok(())
}

/// `virDomainShutdown`: the test guest powers off at once.
pub(crate) fn shutdown(w: &mut World, ev: &mut Emitted, dom: &DomainRef) -> Result<()> {
    let obj = w.by_ref(dom)?;
    if !obj.is_active() {
        return Err(errors::internal(format!(
            "domain '{}' not running",
            obj.def.name
        )));
    }
    let uuid = obj.uuid();
    stop_obj(
        w,
        &uuid,
        ShutoffReason::Shutdown,
        StoppedDetail::Shutdown,
        ev,
    );
    Ok(())
}

/// `virDomainReboot`: the domain ends up running (also when it was paused). Like libvirt's
/// test driver no lifecycle event is emitted; a REBOOT event (id 1) is.
pub(crate) fn reboot(w: &mut World, ev: &mut Emitted, dom: &DomainRef) -> Result<()> {
    let obj = w.by_ref(dom)?;
    if !obj.is_active() {
        return Err(errors::not_running());
    }
    let uuid = obj.uuid();
    let obj = w.get_mut(&uuid).expect("found");
    obj.state = StateReason::Running(RunningReason::Booted);
    ev.push((obj.to_ref(), DomainEvent::Reboot));
    Ok(())
}

/// `virDomainSuspend`: only a running domain can be paused.
pub(crate) fn suspend(w: &mut World, ev: &mut Emitted, dom: &DomainRef) -> Result<()> {
    let obj = w.by_ref(dom)?;
    if !matches!(obj.state, StateReason::Running(_)) {
        return Err(errors::internal(format!(
            "domain '{}' not running",
            obj.def.name
        )));
    }
    let uuid = obj.uuid();
    let obj = w.get_mut(&uuid).expect("found");
    obj.state = StateReason::Paused(PausedReason::User);
    lifecycle(
        ev,
        obj.to_ref(),
        Lifecycle::Suspended(SuspendedDetail::Paused),
    );
    Ok(())
}

/// `virDomainResume`: only a paused domain can be resumed.
pub(crate) fn resume(w: &mut World, ev: &mut Emitted, dom: &DomainRef) -> Result<()> {
    let obj = w.by_ref(dom)?;
    if !matches!(obj.state, StateReason::Paused(_)) {
        return Err(errors::internal(format!(
            "domain '{}' not paused",
            obj.def.name
        )));
    }
    let uuid = obj.uuid();
    let obj = w.get_mut(&uuid).expect("found");
    obj.state = StateReason::Running(RunningReason::Unpaused);
    lifecycle(
        ev,
        obj.to_ref(),
        Lifecycle::Resumed(ResumedDetail::Unpaused),
    );
    Ok(())
}

/// `virDomainSetAutostart` (libvirt's test driver allows it on transient domains too).
pub(crate) fn set_autostart(w: &mut World, dom: &DomainRef, autostart: bool) -> Result<()> {
    let uuid = w.by_ref(dom)?.uuid();
    w.get_mut(&uuid).expect("found").autostart = autostart;
    Ok(())
}

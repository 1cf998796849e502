//! [`Domains`]: a driver's domain list, its connections' event fan-out and where its
//! persistent definitions live, with the operations every driver does the same way:
//! define, create-from-XML, undefine, autostart, lookups, listing, locked reads and
//! changes.

use std::sync::Arc;

use uuid::Uuid;

use super::{
    Add, Added, ConfigDir, DomainEntry, DomainObj, DomainObjList, EventFanout, Events,
    already_active,
};
use crate::api::{DefinedDetail, ListFlags, UndefinedDetail};
use crate::conf::DomainDef;
use crate::driver::DomainRef;
use crate::{DomainEvent, Error, ErrorDomain, Lifecycle, Result, log};

/// Where persistent definitions live.
#[derive(Clone, Debug)]
pub enum Persistence {
    /// In files (QEMU, LXC): `virDomainUndefine` and autostart refuse transient domains
    /// ("cannot undefine transient domain"), as libvirt's stateful drivers do.
    OnDisk(ConfigDir),
    /// In memory only (the test driver): transient domains may be undefined and marked
    /// autostart, as libvirt's test driver allows.
    InMemory,
}

/// One driver instance's domains and connections.
#[derive(Debug)]
pub struct Domains<R> {
    /// The domains.
    pub list: DomainObjList<R>,
    /// The connections' event sinks.
    pub fanout: EventFanout,
    persistence: Persistence,
}

impl<R> Domains<R> {
    /// No domain yet; errors in `domain`.
    pub fn new(domain: ErrorDomain, persistence: Persistence) -> Domains<R> {
        Domains {
            list: DomainObjList::new(domain),
            fanout: EventFanout::new(),
            persistence,
        }
    }

    /// The persistent definitions' directory, if on disk.
    pub fn configs(&self) -> Option<&ConfigDir> {
        match &self.persistence {
            Persistence::OnDisk(c) => Some(c),
            Persistence::InMemory => None,
        }
    }

    /// Loads the persistent definitions from disk (parsed and checked by `parse`),
    /// with their autostart marks; every file skipped is logged.
    pub fn load_configs(&self, domain: ErrorDomain, parse: impl Fn(&str) -> Result<DomainDef>) {
        let Some(configs) = self.configs() else {
            return;
        };
        for def in configs.load_all(parse) {
            let name = def.name.clone();
            let mut obj = DomainObj::new(def, true);
            obj.autostart = configs.autostart(&name);
            if let Err(e) = self.list.insert(obj) {
                log::warning(
                    domain,
                    format_args!(
                        "skipping domain config '{}': {e}",
                        configs.path(&name).display()
                    ),
                );
            }
        }
    }

    /// Runs `f` on `entry` under its lock; the events it records are queued in order
    /// and delivered once the lock is released.
    pub fn change<T>(
        &self,
        entry: &DomainEntry<R>,
        f: impl FnOnce(&mut DomainObj<R>, &mut Events) -> Result<T>,
    ) -> Result<T> {
        let result = {
            let mut obj = entry.lock();
            let mut ev = Events::new();
            let r = f(&mut obj, &mut ev);
            self.fanout.queue(ev);
            r
        };
        self.fanout.flush();
        result
    }

    /// [`Domains::change`] on the domain a handle names.
    pub fn change_ref<T>(
        &self,
        dom: &DomainRef,
        f: impl FnOnce(&mut DomainObj<R>, &mut Events) -> Result<T>,
    ) -> Result<T> {
        let entry = self.list.get(dom)?;
        self.change(&entry, f)
    }

    /// Runs `f` on the domain a handle names, under its lock, for a query.
    pub fn read<T>(
        &self,
        dom: &DomainRef,
        f: impl FnOnce(&DomainObj<R>) -> Result<T>,
    ) -> Result<T> {
        f(&self.list.get(dom)?.lock())
    }

    /// `virDomainDefineXML`: a new persistent domain, or a new definition for the one
    /// with the same name and UUID (a running domain keeps its live definition until
    /// it stops). On disk the file is written before anything changes in memory.
    pub fn define(&self, def: DomainDef) -> Result<DomainRef> {
        let (entry, def) = match self.list.add(def, Add::Define)? {
            Added::New(entry) => {
                if let Some(configs) = self.configs() {
                    // The domain's lock is released before a failed save removes it.
                    let saved = configs.save(&entry.lock().def);
                    if let Err(e) = saved {
                        self.list.remove(&entry.uuid());
                        return Err(e);
                    }
                }
                (entry, None)
            }
            Added::Existing(entry, def) => {
                if let Some(configs) = self.configs() {
                    configs.save(&def)?;
                }
                (entry, Some(*def))
            }
        };
        self.change(&entry, |obj, ev| {
            let detail = match def {
                Some(def) => obj.redefine(def),
                None => DefinedDetail::Added,
            };
            ev.push(obj.event(DomainEvent::Lifecycle(Lifecycle::Defined(detail))));
            Ok(obj.to_ref())
        })
    }

    /// `virDomainCreateXML`: a new transient domain, or a run of the inactive domain
    /// with the same name and UUID with this definition (its persistent definition
    /// returns when it stops), started by `start`. A domain that did not start is
    /// forgotten if transient, or keeps its persistent definition.
    pub fn create_xml(
        &self,
        def: DomainDef,
        start: impl FnOnce(&Arc<DomainEntry<R>>) -> Result<()>,
    ) -> Result<DomainRef> {
        let entry = match self.list.add(def, Add::Live)? {
            Added::New(entry) => entry,
            Added::Existing(entry, live) => {
                let mut obj = entry.lock();
                if obj.is_active() {
                    return Err(already_active(obj.name()));
                }
                obj.use_for_this_run(*live);
                drop(obj);
                entry
            }
        };
        let result = start(&entry);
        let r = {
            let mut obj = entry.lock();
            if result.is_err()
                && !obj.is_active()
                && let Some(persistent) = obj.next_def.take()
            {
                obj.def = persistent;
            }
            obj.to_ref()
        };
        self.list.remove_if_transient(&entry.uuid());
        result.map(|()| r)
    }

    /// `virDomainUndefine`: the persistent definition goes (its file too); an inactive
    /// domain is removed, an active one becomes transient.
    pub fn undefine(&self, dom: &DomainRef) -> Result<()> {
        self.undefine_as(dom, true)
    }

    /// [`Self::undefine`] without the UNDEFINED event: what libvirt's migration does to
    /// the source's definition with `VIR_MIGRATE_UNDEFINE_SOURCE` (its clients see
    /// STOPPED/MIGRATED, then the domain is gone).
    pub fn undefine_migrated(&self, dom: &DomainRef) -> Result<()> {
        self.undefine_as(dom, false)
    }

    fn undefine_as(&self, dom: &DomainRef, emit: bool) -> Result<()> {
        let inactive = self.change_ref(dom, |obj, ev| {
            if let Some(configs) = self.configs() {
                if !obj.persistent {
                    return Err(Error::operation_invalid(
                        ErrorDomain::Domain,
                        "cannot undefine transient domain",
                    ));
                }
                configs.delete(obj.name())?;
            }
            obj.make_transient();
            if emit {
                ev.push(obj.event(DomainEvent::Lifecycle(Lifecycle::Undefined(
                    UndefinedDetail::Removed,
                ))));
            }
            Ok(!obj.is_active())
        })?;
        if inactive {
            self.list.remove(&dom.uuid);
        }
        Ok(())
    }

    /// `virDomainRename` of an inactive persistent domain `check` accepts: UNDEFINED
    /// (renamed) under the old name, DEFINED (renamed) under the new one, as libvirt
    /// emits them; on disk the definition moves to the new name's file.
    pub fn rename(
        &self,
        dom: &DomainRef,
        new_name: &str,
        check: impl FnOnce(&DomainObj<R>) -> Result<()>,
    ) -> Result<DomainRef> {
        let mut old_ref = None;
        let entry = self.list.rename(dom, new_name, |obj| {
            check(obj)?;
            old_ref = Some(obj.to_ref());
            Ok(())
        })?;
        let mut events = Events::new();
        let new_ref = {
            let obj = entry.lock();
            if let Some(configs) = self.configs() {
                if let Err(e) = configs.save(&obj.def) {
                    log::warning(
                        ErrorDomain::Domain,
                        format_args!("cannot save renamed domain '{new_name}': {e}"),
                    );
                }
                if let Some(old) = &old_ref
                    && let Err(e) = configs.delete(&old.name)
                {
                    log::warning(
                        ErrorDomain::Domain,
                        format_args!("cannot delete config of '{}': {e}", old.name),
                    );
                }
            }
            if let Some(old) = old_ref {
                events.push((
                    old,
                    DomainEvent::Lifecycle(Lifecycle::Undefined(UndefinedDetail::Renamed)),
                ));
            }
            events.push(obj.event(DomainEvent::Lifecycle(Lifecycle::Defined(
                DefinedDetail::Renamed,
            ))));
            obj.to_ref()
        };
        self.fanout.queue(events);
        self.fanout.flush();
        Ok(new_ref)
    }

    /// `virDomainSetAutostart`; on disk the mark is a file next to the definition.
    pub fn set_autostart(&self, dom: &DomainRef, autostart: bool) -> Result<()> {
        self.change_ref(dom, |obj, _| {
            if let Some(configs) = self.configs() {
                if !obj.persistent {
                    return Err(Error::operation_invalid(
                        ErrorDomain::Domain,
                        "cannot set autostart for transient domain",
                    ));
                }
                configs.set_autostart(obj.name(), autostart)?;
            }
            obj.autostart = autostart;
            Ok(())
        })
    }

    /// `virConnectListAllDomains`.
    pub fn list(&self, flags: ListFlags) -> Vec<DomainRef> {
        self.list.list(flags)
    }

    /// `virDomainLookupByID`.
    pub fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.list.lookup_by_id(id)
    }

    /// `virDomainLookupByName`.
    pub fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.list.lookup_by_name(name)
    }

    /// `virDomainLookupByUUID`.
    pub fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.list.lookup_by_uuid(uuid)
    }
}

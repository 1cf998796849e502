//! [`DomainObjList`]: a driver's domains, indexed by name, UUID and id (libvirt's
//! `virDomainObjList`).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use uuid::Uuid;

use super::errors::{already_active, clash, domain_gone, no_domain};
use super::{DomainEntry, DomainObj};
use crate::api::ListFlags;
use crate::conf::DomainDef;
use crate::driver::DomainRef;
use crate::{Error, ErrorDomain, Result};

/// How [`DomainObjList::add`] treats a definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Add {
    /// `virDomainDefineXML`: a new persistent domain, or a new definition for the
    /// domain with the same name and UUID.
    Define,
    /// `virDomainCreateXML`: a new transient domain about to start, or a run of the
    /// inactive domain with the same name and UUID with this definition; refused while
    /// that domain is active.
    Live,
}

/// What [`DomainObjList::add`] did.
#[derive(Debug)]
pub enum Added<R> {
    /// A new domain was inserted with the definition.
    New(Arc<DomainEntry<R>>),
    /// The domain with the same name and UUID exists; the definition was not applied
    /// and comes back for the caller to apply under the domain's lock
    /// ([`DomainObj::redefine`], [`DomainObj::use_for_this_run`]).
    Existing(Arc<DomainEntry<R>>, Box<DomainDef>),
}

impl<R> Added<R> {
    /// True for a new domain.
    pub fn is_new(&self) -> bool {
        matches!(self, Added::New(_))
    }

    /// The domain either way.
    pub fn entry(&self) -> &Arc<DomainEntry<R>> {
        match self {
            Added::New(e) | Added::Existing(e, _) => e,
        }
    }
}

#[derive(Debug)]
struct Index<R> {
    by_uuid: HashMap<Uuid, Arc<DomainEntry<R>>>,
    by_name: BTreeMap<String, Uuid>,
}

/// Every domain of one driver instance.
///
/// Lookups clone an entry's `Arc` under the index lock and lock the domain after
/// releasing it; [`DomainObjList::add`] and removals take the index first and a domain
/// second, as libvirt does. The id index is a leaf lock, taken with a domain locked.
#[derive(Debug)]
pub struct DomainObjList<R> {
    domain: ErrorDomain,
    index: RwLock<Index<R>>,
    ids: Mutex<HashMap<u32, Uuid>>,
    next_id: AtomicU32,
}

impl<R> DomainObjList<R> {
    /// An empty list whose "no domain" errors are in `domain` (the driver's own).
    pub fn new(domain: ErrorDomain) -> DomainObjList<R> {
        DomainObjList {
            domain,
            index: RwLock::new(Index {
                by_uuid: HashMap::new(),
                by_name: BTreeMap::new(),
            }),
            ids: Mutex::new(HashMap::new()),
            next_id: AtomicU32::new(1),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Index<R>> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Index<R>> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    fn ids(&self) -> MutexGuard<'_, HashMap<u32, Uuid>> {
        self.ids.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `def` (with its UUID set) following libvirt's rules.
    ///
    /// Errors (`VIR_ERR_OPERATION_FAILED`): another domain has the name ("domain 'N'
    /// already exists with uuid U") or the UUID ("domain 'N' is already defined with
    /// uuid U"); with [`Add::Live`], `VIR_ERR_OPERATION_INVALID` "domain 'N' is already
    /// active".
    pub fn add(&self, def: DomainDef, how: Add) -> Result<Added<R>> {
        let uuid = def.uuid.unwrap_or_default();
        let mut index = self.write();
        if let Some(existing) = index.by_name.get(&def.name) {
            if *existing != uuid {
                return Err(clash(format!(
                    "domain '{}' already exists with uuid {}",
                    def.name,
                    existing.hyphenated()
                )));
            }
            let entry = index.by_uuid[existing].clone();
            drop(index);
            if how == Add::Live && entry.lock().is_active() {
                return Err(already_active(&def.name));
            }
            return Ok(Added::Existing(entry, Box::new(def)));
        }
        if let Some(other) = index.by_uuid.get(&uuid) {
            return Err(clash(format!(
                "domain '{}' is already defined with uuid {}",
                other.name(),
                uuid.hyphenated()
            )));
        }
        let entry = Arc::new(DomainEntry::new(DomainObj::new(def, how == Add::Define)));
        index.by_name.insert(entry.name().to_string(), uuid);
        index.by_uuid.insert(uuid, entry.clone());
        Ok(Added::New(entry))
    }

    /// Inserts a domain object built by the driver (loading configs, reconnecting):
    /// refused like [`add`](Self::add) if the name or UUID is taken.
    pub fn insert(&self, obj: DomainObj<R>) -> Result<Arc<DomainEntry<R>>> {
        let mut index = self.write();
        if let Some(u) = index.by_name.get(&obj.def.name) {
            return Err(clash(format!(
                "domain '{}' already exists with uuid {}",
                obj.def.name,
                u.hyphenated()
            )));
        }
        if let Some(other) = index.by_uuid.get(&obj.uuid) {
            return Err(clash(format!(
                "domain '{}' is already defined with uuid {}",
                other.name(),
                obj.uuid.hyphenated()
            )));
        }
        let id = obj.id;
        let entry = Arc::new(DomainEntry::new(obj));
        index.by_name.insert(entry.name().to_string(), entry.uuid());
        index.by_uuid.insert(entry.uuid(), entry.clone());
        if let Some(id) = id {
            self.ids().insert(id, entry.uuid());
        }
        Ok(entry)
    }

    /// The domain with `def`'s UUID, or a new transient one with `def`: reconnecting to
    /// a guest whose definition only its status file knows.
    pub fn find_or_insert_transient(&self, def: &DomainDef) -> Result<Arc<DomainEntry<R>>> {
        match self.find_by_uuid(&def.uuid.unwrap_or_default()) {
            Some(e) => Ok(e),
            None => self.insert(DomainObj::new(def.clone(), false)),
        }
    }

    /// Removes the domain `uuid` if it is transient and inactive (a transient domain
    /// exists only while it runs); returns whether it was removed. Call with the domain
    /// unlocked.
    pub fn remove_if_transient(&self, uuid: &Uuid) -> bool {
        let mut index = self.write();
        let Some(entry) = index.by_uuid.get(uuid).cloned() else {
            return false;
        };
        let mut obj = entry.lock();
        if obj.persistent || obj.is_active() {
            return false;
        }
        obj.removed = true;
        index.by_uuid.remove(uuid);
        index.by_name.remove(entry.name());
        true
    }

    /// Removes the domain `uuid` whatever its state (an undefined inactive domain).
    /// Call with the domain unlocked.
    pub fn remove(&self, uuid: &Uuid) -> Option<Arc<DomainEntry<R>>> {
        let mut index = self.write();
        let entry = index.by_uuid.remove(uuid)?;
        index.by_name.remove(entry.name());
        let mut obj = entry.lock();
        obj.removed = true;
        if let Some(id) = obj.id.take() {
            self.ids().remove(&id);
        }
        drop(obj);
        Some(entry)
    }

    /// `virDomainObjListRename`: the domain a handle names takes the name `new_name`
    /// once `check` accepts it (called with the domain locked). Its object moves to a
    /// new entry under the new name; the old entry is marked removed, so that handles
    /// resolve to the new one. Returns the new entry.
    ///
    /// Errors (`VIR_ERR_OPERATION_INVALID`, `VIR_FROM_DOMAIN`): the name is its own
    /// ("Can't rename domain to itself") or another domain's ("domain with name 'N'
    /// already exists").
    pub fn rename(
        &self,
        dom: &DomainRef,
        new_name: &str,
        check: impl FnOnce(&DomainObj<R>) -> Result<()>,
    ) -> Result<Arc<DomainEntry<R>>> {
        let mut index = self.write();
        let old = index
            .by_uuid
            .get(&dom.uuid)
            .cloned()
            .ok_or_else(|| domain_gone(self.domain, &dom.uuid, &dom.name))?;
        let mut obj = old.lock();
        check(&obj)?;
        if obj.def.name == new_name {
            return Err(Error::operation_invalid(
                ErrorDomain::Domain,
                "Can't rename domain to itself",
            ));
        }
        if index.by_name.contains_key(new_name) {
            return Err(Error::operation_invalid(
                ErrorDomain::Domain,
                format!("domain with name '{new_name}' already exists"),
            ));
        }
        let placeholder = DomainObj::new(obj.def.clone(), false);
        let mut moved = std::mem::replace(&mut *obj, placeholder);
        obj.removed = true;
        drop(obj);
        moved.def.name = new_name.to_string();
        if let Some(next) = moved.next_def.as_mut() {
            next.name = new_name.to_string();
        }
        let entry = Arc::new(DomainEntry::new(moved));
        index.by_name.remove(old.name());
        index.by_name.insert(new_name.to_string(), entry.uuid());
        index.by_uuid.insert(entry.uuid(), entry.clone());
        Ok(entry)
    }

    /// The domain with UUID `uuid`.
    pub fn find_by_uuid(&self, uuid: &Uuid) -> Option<Arc<DomainEntry<R>>> {
        self.read().by_uuid.get(uuid).cloned()
    }

    /// The domain called `name`.
    pub fn find_by_name(&self, name: &str) -> Option<Arc<DomainEntry<R>>> {
        let index = self.read();
        index
            .by_name
            .get(name)
            .and_then(|u| index.by_uuid.get(u))
            .cloned()
    }

    /// The active domain with id `id`.
    pub fn find_by_id(&self, id: u32) -> Option<Arc<DomainEntry<R>>> {
        let uuid = *self.ids().get(&id)?;
        self.find_by_uuid(&uuid)
    }

    /// The domain a public-API handle names (by UUID, as libvirt resolves handles), or
    /// `VIR_ERR_NO_DOMAIN` "no domain with matching uuid 'U' (NAME)".
    pub fn get(&self, dom: &DomainRef) -> Result<Arc<DomainEntry<R>>> {
        self.find_by_uuid(&dom.uuid)
            .ok_or_else(|| domain_gone(self.domain, &dom.uuid, &dom.name))
    }

    /// `virDomainLookupByName`.
    pub fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        self.find_by_name(name)
            .map(|e| e.lock().to_ref())
            .ok_or_else(|| no_domain(self.domain, format_args!("name '{name}'")))
    }

    /// `virDomainLookupByUUID`.
    pub fn lookup_by_uuid(&self, uuid: &Uuid) -> Result<DomainRef> {
        self.find_by_uuid(uuid)
            .map(|e| e.lock().to_ref())
            .ok_or_else(|| no_domain(self.domain, format_args!("uuid '{}'", uuid.hyphenated())))
    }

    /// `virDomainLookupByID`.
    pub fn lookup_by_id(&self, id: u32) -> Result<DomainRef> {
        self.find_by_id(id)
            .map(|e| e.lock().to_ref())
            .filter(|r| r.id == Some(id))
            .ok_or_else(|| no_domain(self.domain, format_args!("id {id}")))
    }

    /// Every domain, in name order.
    pub fn entries(&self) -> Vec<Arc<DomainEntry<R>>> {
        let index = self.read();
        index
            .by_name
            .values()
            .filter_map(|u| index.by_uuid.get(u))
            .cloned()
            .collect()
    }

    /// `virConnectListAllDomains`: the domains `flags` accepts, in name order.
    pub fn list(&self, flags: ListFlags) -> Vec<DomainRef> {
        self.entries()
            .iter()
            .filter_map(|e| {
                let obj = e.lock();
                flags.accepts(&obj.listed_facts()).then(|| obj.to_ref())
            })
            .collect()
    }

    /// How many domains there are.
    pub fn len(&self) -> usize {
        self.read().by_uuid.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Gives `obj` (locked by the caller) the next free id and records it.
    pub fn assign_id(&self, obj: &mut DomainObj<R>) -> u32 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.set_id(obj, Some(id));
        id
    }

    /// Sets `obj`'s id to one the driver chose (an LXC controller's pid, an id read
    /// back from a status file), or clears it (`None`).
    pub fn set_id(&self, obj: &mut DomainObj<R>, id: Option<u32>) {
        let mut ids = self.ids();
        if let Some(old) = obj.id.take() {
            ids.remove(&old);
        }
        if let Some(id) = id {
            ids.insert(id, obj.uuid);
            self.next_id
                .fetch_max(id.saturating_add(1), Ordering::Relaxed);
        }
        obj.id = id;
    }

    /// Clears `obj`'s id (it stopped).
    pub fn release_id(&self, obj: &mut DomainObj<R>) {
        self.set_id(obj, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::api::StateReason;

    fn def(name: &str, uuid: u8) -> DomainDef {
        let mut d = DomainDef::from_xml(&format!(
            "<domain type='test'><name>{name}</name><uuid>{}</uuid><memory>1024</memory>\
             <os><type>hvm</type></os></domain>",
            Uuid::from_bytes([uuid; 16]).hyphenated()
        ))
        .unwrap();
        d.fill_defaults();
        d
    }

    #[test]
    fn define_and_create_follow_libvirts_rules() {
        let list: DomainObjList<()> = DomainObjList::new(ErrorDomain::Test);
        let a = list.add(def("a", 1), Add::Define).unwrap();
        assert!(a.is_new() && a.entry().lock().persistent);
        // Same name and UUID: the existing domain comes back with the definition.
        assert!(matches!(
            list.add(def("a", 1), Add::Define).unwrap(),
            Added::Existing(..)
        ));
        let e = list.add(def("a", 2), Add::Define).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationFailed);
        assert!(e.message().contains("already exists with uuid"), "{e}");
        let e = list.add(def("b", 1), Add::Live).unwrap_err();
        assert!(e.message().contains("is already defined with uuid"), "{e}");
        // A live run of the inactive persistent domain, refused once it runs.
        let entry = list.add(def("a", 1), Add::Live).unwrap().entry().clone();
        list.assign_id(&mut entry.lock());
        let e = list.add(def("a", 1), Add::Live).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationInvalid);
        let t = list.add(def("t", 3), Add::Live).unwrap();
        assert!(!t.entry().lock().persistent);
    }

    #[test]
    fn lookups_by_name_uuid_and_id_and_removal() {
        let list: DomainObjList<()> = DomainObjList::new(ErrorDomain::Qemu);
        let e = list.add(def("b", 2), Add::Live).unwrap().entry().clone();
        list.add(def("a", 1), Add::Define).unwrap();
        let id = {
            let mut obj = e.lock();
            obj.state = StateReason::Running(crate::api::RunningReason::Booted);
            list.assign_id(&mut obj)
        };
        assert_eq!(list.lookup_by_id(id).unwrap().name, "b");
        assert_eq!(list.lookup_by_name("a").unwrap().id, None);
        let names: Vec<String> = list
            .list(ListFlags::ALL)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(list.list(ListFlags::ACTIVE).len(), 1);
        // An active transient domain stays; once stopped it goes.
        assert!(!list.remove_if_transient(&e.uuid()));
        {
            let mut obj = e.lock();
            list.release_id(&mut obj);
            obj.apply_stop(StateReason::Shutoff(crate::api::ShutoffReason::Destroyed));
        }
        assert!(list.remove_if_transient(&e.uuid()));
        let err = list.lookup_by_name("b").unwrap_err();
        assert_eq!(
            (err.code(), err.domain(), err.message()),
            (
                ErrorCode::NoDomain,
                ErrorDomain::Qemu,
                "no domain with matching name 'b'"
            )
        );
        assert!(list.lookup_by_id(id).is_err());
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn a_job_is_exclusive_and_ends_when_dropped() {
        let list: DomainObjList<()> = DomainObjList::new(ErrorDomain::Test);
        let e = list.add(def("a", 1), Add::Define).unwrap().entry().clone();
        let job = e.begin_job("first").unwrap();
        assert_eq!(job.lock().job(), Some("first"));
        let e2 = e.clone();
        let waiter = std::thread::spawn(move || {
            let t = std::time::Instant::now();
            let j = e2.begin_job("second").unwrap();
            assert_eq!(j.lock().job(), Some("second"));
            t.elapsed()
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        // Queries go on while the job is held.
        assert_eq!(e.lock().name(), "a");
        drop(job);
        assert!(waiter.join().unwrap() >= std::time::Duration::from_millis(90));
        assert_eq!(e.lock().job(), None);
    }
}

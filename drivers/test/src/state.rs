//! The in-memory world of one test driver instance: domains, ids, node facts, inventory.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use rvirt_core::Uuid;
use rvirt_core::api::{NodeInfo, StateReason};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::{DomainRef, EventSink};

use crate::errors;
use crate::inventory::Inventory;

/// One domain.
#[derive(Debug)]
pub(crate) struct DomainObj {
    /// The live definition while active, the persistent one while inactive.
    pub def: DomainDef,
    /// A persistent definition waiting for the domain to stop (redefined while active, or
    /// the definition shadowed by `create_xml` on an inactive persistent domain).
    pub next_def: Option<DomainDef>,
    /// State and reason.
    pub state: StateReason,
    /// Hypervisor id while active.
    pub id: Option<u32>,
    /// Has a persistent definition.
    pub persistent: bool,
    /// Starts with the "host".
    pub autostart: bool,
    /// When it last started (for CPU time).
    pub started: Option<Instant>,
}

impl DomainObj {
    pub(crate) fn new(def: DomainDef, state: StateReason, persistent: bool) -> DomainObj {
        DomainObj {
            def,
            next_def: None,
            state,
            id: None,
            persistent,
            autostart: false,
            started: None,
        }
    }

    pub(crate) fn uuid(&self) -> Uuid {
        self.def.uuid.unwrap_or_default()
    }

    pub(crate) fn is_active(&self) -> bool {
        self.state.state().is_active()
    }

    pub(crate) fn to_ref(&self) -> DomainRef {
        DomainRef {
            name: self.def.name.clone(),
            uuid: self.uuid(),
            id: self.id,
        }
    }
}

/// All state of one test world. Guarded by one mutex in [`crate::shared::Shared`].
#[derive(Debug)]
pub(crate) struct World {
    domains: HashMap<Uuid, DomainObj>,
    /// Name → UUID, sorted so listings are stable.
    names: BTreeMap<String, Uuid>,
    /// Active id → UUID.
    ids: HashMap<u32, Uuid>,
    /// The id the next started domain gets.
    pub next_id: u32,
    /// What `node_info` reports.
    pub node: NodeInfo,
    /// Networks, pools, interfaces.
    pub inventory: Inventory,
    /// Event sinks of the open connections (copy-on-write so batches can snapshot it).
    pub sinks: Arc<Vec<EventSink>>,
}

impl World {
    pub(crate) fn new(node: NodeInfo, inventory: Inventory) -> World {
        World {
            domains: HashMap::new(),
            names: BTreeMap::new(),
            ids: HashMap::new(),
            next_id: 1,
            node,
            inventory,
            sinks: Arc::new(Vec::new()),
        }
    }

    /// Adds a new domain (name and UUID must be free) and returns its UUID.
    pub(crate) fn insert(&mut self, obj: DomainObj) -> Uuid {
        let uuid = obj.uuid();
        self.names.insert(obj.def.name.clone(), uuid);
        if let Some(id) = obj.id {
            self.ids.insert(id, uuid);
        }
        self.domains.insert(uuid, obj);
        uuid
    }

    /// Removes a domain.
    pub(crate) fn remove(&mut self, uuid: &Uuid) -> Option<DomainObj> {
        let obj = self.domains.remove(uuid)?;
        self.names.remove(&obj.def.name);
        if let Some(id) = obj.id {
            self.ids.remove(&id);
        }
        Some(obj)
    }

    pub(crate) fn get(&self, uuid: &Uuid) -> Option<&DomainObj> {
        self.domains.get(uuid)
    }

    pub(crate) fn get_mut(&mut self, uuid: &Uuid) -> Option<&mut DomainObj> {
        self.domains.get_mut(uuid)
    }

    /// The domain a handle refers to (by UUID, as libvirt does), or `VIR_ERR_NO_DOMAIN`.
    pub(crate) fn by_ref(&self, dom: &DomainRef) -> rvirt_core::Result<&DomainObj> {
        self.domains
            .get(&dom.uuid)
            .ok_or_else(|| errors::domain_gone(dom))
    }

    pub(crate) fn uuid_of_name(&self, name: &str) -> Option<Uuid> {
        self.names.get(name).copied()
    }

    pub(crate) fn uuid_of_id(&self, id: u32) -> Option<Uuid> {
        self.ids.get(&id).copied()
    }

    /// Domains in name order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &DomainObj> {
        self.names.values().filter_map(|u| self.domains.get(u))
    }

    /// Gives an inactive domain the next id and records it.
    pub(crate) fn assign_id(&mut self, uuid: &Uuid) -> Option<u32> {
        let id = self.next_id;
        let obj = self.domains.get_mut(uuid)?;
        self.next_id += 1;
        obj.id = Some(id);
        obj.started = Some(Instant::now());
        self.ids.insert(id, *uuid);
        Some(id)
    }

    /// Forgets an active domain's id.
    pub(crate) fn release_id(&mut self, uuid: &Uuid) {
        if let Some(obj) = self.domains.get_mut(uuid)
            && let Some(id) = obj.id.take()
        {
            obj.started = None;
            self.ids.remove(&id);
        }
    }
}

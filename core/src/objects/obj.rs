//! [`DomainObj`]: one domain as a driver keeps it (libvirt's `virDomainObj`).

use uuid::Uuid;

use crate::Result;
use crate::api::{DefinedDetail, DomainEvent, DomainInfo, ShutoffReason, StateReason};
use crate::conf::DomainDef;
use crate::driver::{DomainRef, format_domain_xml};

/// One domain: definitions, state, id and flags, plus the driver's data `R` while it
/// runs. Lives behind its [`DomainEntry`](super::DomainEntry)'s lock; ids are given and
/// taken through the [`DomainObjList`](super::DomainObjList) so that lookups by id
/// find it.
#[derive(Debug)]
pub struct DomainObj<R> {
    /// The live definition while active, the persistent one while inactive.
    pub def: DomainDef,
    /// The persistent definition to apply when the domain stops: redefined while it
    /// ran, or shadowed by the definition a create-from-XML started it with.
    pub next_def: Option<DomainDef>,
    /// State and reason.
    pub state: StateReason,
    /// Has a persistent definition.
    pub persistent: bool,
    /// Starts when the driver's state starts.
    pub autostart: bool,
    /// The driver's data while the domain runs (process, monitor, start time, …).
    pub run: Option<R>,
    /// Its snapshots' metadata.
    pub snapshots: super::SnapshotTree,
    /// Its checkpoints' metadata.
    pub checkpoints: super::CheckpointTree,
    /// Has a managed save image (libvirt's `hasManagedSave`).
    pub managed_save: bool,
    pub(super) id: Option<u32>,
    pub(super) uuid: Uuid,
    pub(super) job: Option<&'static str>,
    pub(super) removed: bool,
}

impl<R> DomainObj<R> {
    /// An inactive domain (shut off, reason unknown) with definition `def`, whose UUID
    /// must be set ([`DomainDef::fill_defaults`] sets one).
    pub fn new(def: DomainDef, persistent: bool) -> DomainObj<R> {
        DomainObj {
            uuid: def.uuid.unwrap_or_default(),
            def,
            next_def: None,
            state: StateReason::Shutoff(ShutoffReason::Unknown),
            persistent,
            autostart: false,
            run: None,
            snapshots: super::SnapshotTree::default(),
            checkpoints: super::CheckpointTree::default(),
            managed_save: false,
            id: None,
            job: None,
            removed: false,
        }
    }

    /// What `virConnectListAllDomains`'s filter flags look at.
    pub fn listed_facts(&self) -> crate::api::ListedFacts {
        crate::api::ListedFacts {
            state: self.state.state(),
            persistent: self.persistent,
            autostart: self.autostart,
            managed_save: self.managed_save,
            has_snapshot: !self.snapshots.is_empty(),
            has_checkpoint: !self.checkpoints.is_empty(),
        }
    }

    /// The UUID (fixed for the object's life).
    pub fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The hypervisor id while active.
    pub fn id(&self) -> Option<u32> {
        self.id
    }

    /// True while the domain has an id (it runs, is paused, is shutting down, …).
    pub fn is_active(&self) -> bool {
        self.id.is_some()
    }

    /// How the public API names it right now.
    pub fn to_ref(&self) -> DomainRef {
        DomainRef {
            name: self.def.name.clone(),
            uuid: self.uuid,
            id: self.id,
        }
    }

    /// `event` about this domain, as the fan-out takes it.
    pub fn event(&self, event: DomainEvent) -> (DomainRef, DomainEvent) {
        (self.to_ref(), event)
    }

    /// Takes a new persistent definition (`virDomainDefineXML` on an existing domain):
    /// a running domain keeps its live definition until it stops. Returns the DEFINED
    /// detail: `Updated` if it was persistent, `Added` if it was transient.
    pub fn redefine(&mut self, def: DomainDef) -> DefinedDetail {
        let detail = if self.persistent {
            DefinedDetail::Updated
        } else {
            DefinedDetail::Added
        };
        if self.is_active() {
            self.next_def = Some(def);
        } else {
            self.def = def;
        }
        self.persistent = true;
        detail
    }

    /// Makes `live` the definition of the run about to start (create from XML on an
    /// inactive persistent domain); the persistent one returns when it stops.
    pub fn use_for_this_run(&mut self, live: DomainDef) {
        let persistent = std::mem::replace(&mut self.def, live);
        self.next_def = Some(persistent);
    }

    /// Drops the persistent definition (`virDomainUndefine`): the domain becomes
    /// transient (and goes once inactive).
    pub fn make_transient(&mut self) {
        self.persistent = false;
        self.autostart = false;
        self.next_def = None;
    }

    /// The state after a stop: `state`, and the definition waiting for the stop becomes
    /// the current one. The id is released by
    /// [`DomainObjList::release_id`](super::DomainObjList::release_id).
    pub fn apply_stop(&mut self, state: StateReason) {
        self.state = state;
        if let Some(next) = self.next_def.take() {
            self.def = next;
        }
    }

    /// `virDomainGetXMLDesc`.
    pub fn xml(&self, flags: u32) -> Result<String> {
        format_domain_xml(&self.def, self.next_def.as_ref(), self.id, flags)
    }

    /// `virDomainGetInfo` with the CPU time the driver measured.
    pub fn info(&self, cpu_time_ns: u64) -> DomainInfo {
        DomainInfo {
            state: self.state.state(),
            max_mem_kib: self.def.memory_kib(),
            memory_kib: self.def.current_memory_kib(),
            nr_virt_cpu: self.def.current_vcpus(),
            cpu_time_ns,
        }
    }

    /// The operation holding the domain's job, if any.
    pub fn job(&self) -> Option<&'static str> {
        self.job
    }
}

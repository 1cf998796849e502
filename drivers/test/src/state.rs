//! The state of one test world: its domains (rvirt-core's shared domain objects), node
//! facts, networks, pools, node devices and interfaces, and the connections its events go
//! to.

use std::time::Instant;

use rvirt_core::api::{NodeInfo, RunningReason, StateReason};
use rvirt_core::conf::DomainDef;
use std::sync::Mutex;

use rvirt_core::driver::{EventSink, ObjectEventFanout, ObjectEventSink};
use rvirt_core::objects::{DomainObj, Domains, Events, Persistence};
use rvirt_core::{ErrorDomain, Result};

use crate::guest_control::Guests;
use crate::objects::HostObjects;

/// What a test domain carries while active: when it started (its CPU time).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub started: Instant,
}

/// One test domain.
pub(crate) type Obj = DomainObj<Run>;

/// Everything of one test world, shared by the connections that opened it.
#[derive(Debug)]
pub(crate) struct World {
    pub domains: Domains<Run>,
    pub node: NodeInfo,
    /// Networks, pools, node devices, interfaces.
    pub objects: Mutex<HostObjects>,
    /// The connections their events go to.
    pub object_events: ObjectEventFanout,
    /// What each domain's guest "does": frozen file systems, its clock.
    pub guests: Guests,
}

impl World {
    pub(crate) fn new(node: NodeInfo, objects: HostObjects) -> World {
        World {
            domains: Domains::new(ErrorDomain::Test, Persistence::InMemory),
            node,
            objects: Mutex::new(objects),
            object_events: ObjectEventFanout::new(),
            guests: Guests::default(),
        }
    }

    /// Adds a domain the world starts with, in `state`; an active one gets an id.
    pub(crate) fn preload(
        &self,
        def: DomainDef,
        state: StateReason,
        persistent: bool,
        managed_save: bool,
    ) -> Result<()> {
        let mut obj = Obj::new(def, persistent);
        obj.state = state;
        obj.managed_save = managed_save;
        let active = state.state().is_active();
        let entry = self.domains.list.insert(obj)?;
        if active {
            let mut obj = entry.lock();
            self.start_run(&mut obj);
        }
        Ok(())
    }

    /// Gives `obj` an id and a start time; a managed save image is used up.
    pub(crate) fn start_run(&self, obj: &mut Obj) {
        obj.managed_save = false;
        self.domains.list.assign_id(obj);
        obj.run = Some(Run {
            started: Instant::now(),
        });
    }

    /// Marks `obj` running (booted) and records STARTED/BOOTED.
    pub(crate) fn boot(&self, obj: &mut Obj, ev: &mut Events) {
        self.start_run(obj);
        obj.state = StateReason::Running(RunningReason::Booted);
        ev.push(obj.event(rvirt_core::DomainEvent::Lifecycle(
            rvirt_core::Lifecycle::Started(rvirt_core::api::StartedDetail::Booted),
        )));
    }

    /// Adds a connection.
    pub(crate) fn add_sink(&self, sink: EventSink, objects: ObjectEventSink) {
        self.domains.fanout.add(sink);
        self.object_events.add(objects);
    }
}

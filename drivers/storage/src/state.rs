//! The storage driver's host state: every pool (definition, whether it runs, its
//! volumes as last scanned), the definitions under `ROOT/etc/storage` (with autostart
//! marks) and the active pools' status under `ROOT/run/storage`, so a restarted daemon
//! knows which pools were running; the connections pool events go to.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rvirt_core::api::{ObjectEvent, StoragePoolEvent, StoragePoolLifecycle};
use rvirt_core::driver::files::RootLock;
use rvirt_core::driver::{ObjectEventFanout, StoragePoolRef};
use rvirt_core::objconf::{PoolDef, VolDef};
use rvirt_core::objects::XmlStore;
use rvirt_core::{ErrorDomain, Result, log};

use crate::backend;

/// One pool.
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    /// Definition; capacity, allocation and available as of the last refresh.
    pub def: PoolDef,
    pub active: bool,
    pub persistent: bool,
    pub autostart: bool,
    /// Volumes as of the last refresh (or change).
    pub volumes: Vec<VolDef>,
}

impl Pool {
    pub(crate) fn reference(&self) -> StoragePoolRef {
        StoragePoolRef {
            name: self.def.name.clone(),
            uuid: self.def.uuid,
        }
    }
}

/// The storage driver's state for one root.
#[derive(Debug)]
pub(crate) struct State {
    root: PathBuf,
    config: XmlStore,
    status: XmlStore,
    pools: Mutex<Vec<Pool>>,
    /// Connections receiving pool events.
    pub events: ObjectEventFanout,
    _lock: RootLock,
}

const D: ErrorDomain = ErrorDomain::Storage;

impl State {
    /// Takes `root`, loads the pools, refreshes those that were running and starts
    /// the autostart ones.
    pub(crate) fn start(root: &Path) -> Result<State> {
        let lock = RootLock::acquire_root(
            root,
            &["etc/storage", "run/storage"],
            "run/storage/driver.pid",
            Duration::from_secs(5),
            D,
            "storage",
        )?;
        let state = State {
            root: root.to_path_buf(),
            config: XmlStore::open(root.join("etc/storage"), D)?,
            status: XmlStore::open(root.join("run/storage"), D)?,
            pools: Mutex::new(Vec::new()),
            events: ObjectEventFanout::new(),
            _lock: lock,
        };
        let running: Vec<String> = state
            .status
            .load_all()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let mut pools = Vec::new();
        for (name, text) in state.config.load_all() {
            match PoolDef::from_xml(&text) {
                Ok(def) if def.name == name => pools.push(Pool {
                    autostart: state.config.autostart(&name),
                    def,
                    active: false,
                    persistent: true,
                    volumes: Vec::new(),
                }),
                Ok(_) => log::warning(
                    D,
                    format_args!("skipping pool file '{name}.xml': its name differs"),
                ),
                Err(e) => log::warning(
                    D,
                    format_args!("skipping pool file '{name}.xml': {}", e.message),
                ),
            }
        }
        for p in &mut pools {
            let was = running.contains(&p.def.name);
            if was || p.autostart {
                let started = if was { Ok(()) } else { backend::start(&p.def) };
                match started.and_then(|_| backend::refresh(p)) {
                    Ok(()) => p.active = true,
                    Err(e) => log::warning(
                        D,
                        format_args!("pool '{}' not started: {}", p.def.name, e.message()),
                    ),
                }
            }
            if p.active {
                let _ = state.status.save(&p.def.name, &p.def.to_xml(), false);
            } else {
                let _ = state.status.delete(&p.def.name);
            }
        }
        *state.lock() = pools;
        Ok(state)
    }

    /// The root directory.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Vec<Pool>> {
        self.pools.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the persistent definition of `p` (and its autostart mark).
    pub(crate) fn save_config(&self, p: &Pool) -> Result<()> {
        self.config.save(&p.def.name, &p.def.to_xml(), true)?;
        self.config.set_autostart(&p.def.name, p.autostart)
    }

    /// Removes the persistent definition of `name`.
    pub(crate) fn delete_config(&self, name: &str) -> Result<()> {
        self.config.delete(name)
    }

    /// Records whether `p` runs.
    pub(crate) fn save_status(&self, p: &Pool) -> Result<()> {
        if p.active {
            self.status.save(&p.def.name, &p.def.to_xml(), false)
        } else {
            self.status.delete(&p.def.name)
        }
    }

    /// Hands a pool event to every connection.
    pub(crate) fn emit(&self, pool: StoragePoolRef, ev: StoragePoolEvent) {
        self.events.emit(ObjectEvent::StoragePool(pool, ev));
    }

    /// A lifecycle event.
    pub(crate) fn lifecycle(&self, pool: StoragePoolRef, l: StoragePoolLifecycle) {
        self.emit(pool, StoragePoolEvent::Lifecycle(l));
    }
}

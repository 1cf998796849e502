//! Domain objects, written once for every driver (libvirt's `conf/virdomainobjlist.c`,
//! `virDomainObj` and `conf/object_event.c`).
//!
//! * [`DomainObj`]: one domain — its live and next definitions, state, id, persistence,
//!   autostart, and the driver's own data while it runs (`R`: a QEMU process and
//!   monitor, an LXC controller, a start time).
//! * [`DomainEntry`]: a domain object behind its lock, with its **job**: one modifying
//!   operation at a time ([`DomainEntry::begin_job`]), queries alongside, so a driver
//!   can release the lock while it waits for a hypervisor without letting a second
//!   change in.
//! * [`DomainObjList`]: every domain of a driver, indexed by name, UUID and id, with
//!   libvirt's define/create rules ([`DomainObjList::add`]) and the listing filter.
//! * [`Domains`]: the list, the fan-out and where definitions live, with the
//!   operations every driver does the same way (define, create from XML, undefine,
//!   autostart, lookups, locked reads and changes).
//! * [`ConfigDir`]: persistent definitions and autostart marks on disk, written
//!   atomically and read back with every skipped file logged.
//! * [`EventFanout`]: hands domain events to every open connection, in the order the
//!   state changed, never while a driver lock is held.
//! * [`XmlStore`]: the persistent definitions and autostart marks of a secondary
//!   driver's objects (networks, pools, secrets, filters), one `NAME.xml` each.
//!
//! Lock order, as in libvirt: the list's index before a domain's lock; a domain's
//! lock is never held while the index is taken (the id index is a leaf lock).
//!
//! ```
//! use rvirt_core::conf::DomainDef;
//! use rvirt_core::objects::{Add, DomainObjList};
//! use rvirt_core::ErrorDomain;
//!
//! let list: DomainObjList<()> = DomainObjList::new(ErrorDomain::Test);
//! let mut def = DomainDef::from_xml(
//!     "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>",
//! )?;
//! def.fill_defaults();
//! let added = list.add(def, Add::Define)?;
//! assert!(added.is_new());
//! assert_eq!(list.find_by_name("a").unwrap().uuid(), added.entry().uuid());
//! # Ok::<(), rvirt_core::Error>(())
//! ```

mod blkiotune;
mod checkpoints;
mod config_dir;
mod cpu_models;
mod domains;
mod entry;
mod errors;
mod fanout;
mod iothreads;
mod iotune;
mod lifecycle;
mod list;
mod memtune;
mod metadata;
mod nic_bandwidth;
mod numa_params;
mod obj;
mod perf;
mod snapshots;
mod stats;
mod xml_store;

pub use blkiotune::{
    BLKIO_DEVICE_PARAMS, BLKIO_PARAMS, BLKIO_WEIGHT, BlkioDevice, apply_blkio_to_def,
    blkio_devices, blkio_params, blkio_weight, kind_of as blkio_kind_of, merge_devices,
    parse_device_str, store_blkiotune, validate_blkio,
};
pub use checkpoints::{
    CheckpointTree, align_error, check_redefined_domain, checkpoint_create_flags,
    checkpoint_delete_flags, checkpoint_list_flags, checkpoint_not_found, checkpoint_xml_flags,
    no_checkpoint, parse_checkpoint_xml,
};
pub use config_dir::ConfigDir;
pub use cpu_models::cpu_model_names;
pub use domains::{Domains, Persistence};
pub use entry::{DomainEntry, JOB_WAIT, Job};
pub use errors::{already_active, no_domain, not_running};
pub use fanout::{EventFanout, Events};
pub use iothreads::{iothread_ids, iothread_pin, set_iothread_ids, set_iothread_pin};
pub use iotune::{
    IOTUNE_GROUP_NAME, apply_iotune, disk_by_name, disk_by_name_mut, iotune_field, iotune_is_empty,
    iotune_param_types, iotune_params, iotune_value,
};
pub use lifecycle::{lifecycle_action_allowed, set_lifecycle_action};
pub use list::{Add, Added, DomainObjList};
pub use memtune::{MEMTUNE_PARAMS, MemtuneChange, limit_kib, memtune_params};
pub use metadata::{AFFECT_CONFIG, AFFECT_LIVE, impact};
pub use nic_bandwidth::{
    INTERFACE_PARAMS, apply_interface_params, interface_params, nic, nic_index, nic_mut,
};
pub use numa_params::{NUMA_MODE, NUMA_NODESET, NUMA_PARAMS, NumaChange, numa_mode, numa_params};
pub use obj::DomainObj;
pub use perf::{PERF_EVENTS, apply_perf, enabled_perf_events, perf_param_types, perf_params};
pub use snapshots::{
    CREATE_CURRENT, CREATE_REDEFINE, SnapshotTree, delete_flags, list_flags, no_snapshot,
    state_name,
};
pub use stats::{resolve_groups, state_params};
pub use xml_store::XmlStore;

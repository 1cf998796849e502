//! What statistics need of a domain, copied under its lock so that nothing waits for
//! QEMU while the domain is locked.

use std::path::PathBuf;

use rvirt_core::api::{BlockInfo, StateReason};
use rvirt_core::conf::{Device, DiskType, DomainDef};
use rvirt_core::driver::DomainRef;

use super::super::monitor::Monitor;
use super::super::running::Vm;
use crate::command_line::{DiskNames, disk_names};

/// One disk: its names on the command line and where its image is.
#[derive(Debug, Clone)]
pub(super) struct DiskFacts {
    /// Target, alias, format node and path.
    pub names: DiskNames,
    /// The source is a host block device (not a file).
    pub block_device: bool,
    /// Image format (`raw`, `qcow2`).
    pub format: String,
    /// The top image's sizes read on the host (a running domain's file-backed disk,
    /// see [`Snap::read_host_sizes`]), `None` when not read or unreadable.
    pub host_sizes: Option<BlockInfo>,
}

impl DiskFacts {
    /// The source path, if the disk has media.
    pub fn path(&self) -> Option<PathBuf> {
        self.names.path.as_ref().map(PathBuf::from)
    }

    /// libvirt's index of the disk's top image (`backingIndex`): the N of the
    /// `libvirt-N-format` node the command line gave it.
    pub fn backing_index(&self) -> Option<u32> {
        self.names
            .node
            .as_deref()?
            .strip_prefix("libvirt-")?
            .strip_suffix("-format")?
            .parse()
            .ok()
    }
}

/// The disks of `def` in definition order.
pub(super) fn disks_of(def: &DomainDef) -> Vec<DiskFacts> {
    let names = disk_names(def);
    def.devices()
        .iter()
        .filter_map(|d| match d {
            Device::Disk(d) => Some(d),
            _ => None,
        })
        .filter_map(|disk| {
            let names = names.iter().find(|n| n.target == disk.target.dev)?.clone();
            Some(DiskFacts {
                names,
                block_device: disk.disk_type == DiskType::Block,
                format: disk
                    .driver
                    .as_ref()
                    .and_then(|d| d.format.clone())
                    .unwrap_or_else(|| "raw".into()),
                host_sizes: None,
            })
        })
        .collect()
}

/// The disk named `name` by target or source path.
pub(super) fn find_disk<'a>(disks: &'a [DiskFacts], name: &str) -> Option<&'a DiskFacts> {
    disks
        .iter()
        .find(|d| d.names.target == name || d.names.path.as_deref() == Some(name))
}

/// True if `def` has a balloon QEMU can report on.
pub(super) fn has_balloon(def: &DomainDef) -> bool {
    def.devices().iter().any(|d| match d {
        Device::Memballoon(b) => b.model.as_str().starts_with("virtio"),
        _ => false,
    })
}

/// A running domain's QEMU.
#[derive(Debug, Clone)]
pub(super) struct RunFacts {
    pub pid: u32,
    pub mon: Monitor,
    /// vCPU thread ids, if known already.
    pub vcpu_tids: Option<Vec<u32>>,
    /// Another operation holds the domain's job.
    pub busy: bool,
    /// The monitor's passthrough count when this was copied.
    pub passthrough: u64,
    /// The last `query-dirty-rate` reply, while it still holds (see
    /// [`super::super::running::Running::dirty_rate`]).
    pub dirty_rate: Option<serde_json::Value>,
    /// `perf.*` of the open perf counters, read when this was copied.
    pub perf: Vec<rvirt_core::api::TypedParam>,
}

/// A domain as statistics see it.
#[derive(Debug, Clone)]
pub(super) struct Snap {
    pub dom: DomainRef,
    pub state: StateReason,
    pub memory_kib: u64,
    pub current_memory_kib: u64,
    pub max_vcpus: u32,
    pub current_vcpus: u32,
    pub balloon: bool,
    pub disks: Vec<DiskFacts>,
    /// The host tap device of each NIC that has one (network and bridge NICs of a
    /// running domain), in definition order.
    pub taps: Vec<String>,
    /// The definition has I/O threads (QEMU is asked about them).
    pub iothreads: bool,
    /// Set while QEMU runs (not while it starts or stops).
    pub run: Option<RunFacts>,
}

impl Snap {
    /// Copies what statistics need of `vm` (locked).
    pub fn of(vm: &Vm) -> Snap {
        let def = &vm.def;
        Snap {
            dom: vm.to_ref(),
            state: vm.state,
            memory_kib: def.memory_kib(),
            current_memory_kib: def.current_memory_kib(),
            max_vcpus: def.max_vcpus(),
            current_vcpus: def.current_vcpus(),
            balloon: has_balloon(def),
            disks: disks_of(def),
            taps: def
                .devices()
                .iter()
                .filter_map(|d| match d {
                    rvirt_core::conf::Device::Interface(n) => Some(n.target.as_ref()?.dev.clone()),
                    _ => None,
                })
                .collect(),
            iothreads: !rvirt_core::objects::iothread_ids(def).is_empty(),
            run: vm.run.as_ref().map(|r| RunFacts {
                pid: r.pid,
                mon: r.mon.clone(),
                vcpu_tids: r.vcpu_tids.clone(),
                busy: vm.job().is_some(),
                passthrough: r.mon.passthrough_count(),
                dirty_rate: r
                    .dirty_rate
                    .as_ref()
                    .filter(|(passthrough, _)| *passthrough == r.mon.passthrough_count())
                    .map(|(_, v)| v.clone()),
                perf: super::super::perf_events::stats(&r.perf),
            }),
        }
    }

    /// Reads the sizes of a running domain's file-backed disk images on the host,
    /// (capacity from the image's header, physical from its allocated blocks), with
    /// the domain unlocked. QEMU reports the same figures (`query-named-block-nodes`'
    /// `virtual-size` and `actual-size` of the format node come from the same file),
    /// but each monitor command costs a busy QEMU several thread hand-offs: only the
    /// disks read here in vain (and host block devices) are asked of QEMU.
    pub fn read_host_sizes(&mut self) {
        if self.run.is_none() {
            return;
        }
        for disk in self.disks.iter_mut().filter(|d| !d.block_device) {
            disk.host_sizes = disk
                .path()
                .and_then(|p| crate::host::image::image_sizes(&p, &disk.format));
        }
    }

    /// True while the domain has an id (running, paused, starting, stopping).
    pub fn active(&self) -> bool {
        self.dom.id.is_some()
    }
}

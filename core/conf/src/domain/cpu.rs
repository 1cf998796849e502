//! `<vcpu>`, `<vcpus>` and `<cpu>`: vCPU count and placement, CPU mode, model,
//! topology, features, cache and guest NUMA.

use crate::xml::{Element, Extra};
use crate::{MemoryUnit, OnOff, YesNo};

string_enum! {
    /// `<vcpu placement=…>` (and `<numatune><memory placement=…>`).
    pub enum VcpuPlacement ("vcpu placement") {
        /// Pinned per `cpuset` (or all host CPUs).
        Static = "static",
        /// Placed by numad.
        Auto = "auto",
    }
}

xml_struct! {
    /// `<vcpu>`.
    pub struct Vcpu {
        /// `placement`.
        attr placement: VcpuPlacement = "placement",
        /// `cpuset`: host CPUs the vCPUs may run on.
        attr cpuset: String = "cpuset",
        /// `current`: vCPUs online at boot (defaults to the maximum).
        attr current: u32 = "current",
        /// Maximum vCPU count.
        text_req count: u32 = "",
    }
}

impl Vcpu {
    /// `<vcpu>count</vcpu>`.
    pub fn new(count: u32) -> Vcpu {
        Vcpu {
            placement: None,
            cpuset: None,
            current: None,
            count,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<vcpus>`: per-vCPU state for hotplug.
    #[derive(Default)]
    pub struct Vcpus {
        /// `<vcpu>` entries.
        children vcpus: VcpuEntry = "vcpu",
    }
}

xml_struct! {
    /// `<vcpus><vcpu id=… enabled=… hotpluggable=… order=…/>`.
    #[derive(Default)]
    pub struct VcpuEntry {
        /// `id`.
        attr_req id: u32 = "id",
        /// `enabled`.
        attr enabled: YesNo = "enabled",
        /// `hotpluggable`.
        attr hotpluggable: YesNo = "hotpluggable",
        /// `order`.
        attr order: u32 = "order",
    }
}

string_enum! {
    /// `<cpu mode=…>`.
    pub enum CpuMode (
        "cpu mode",
        unknown = (crate::codes::CONFIG_UNSUPPORTED, crate::domains::CPU, "Invalid mode attribute '{}'")
    ) {
        /// A named model with features.
        Custom = "custom",
        /// The closest model to the host CPU.
        HostModel = "host-model",
        /// The host CPU as is.
        HostPassthrough = "host-passthrough",
        /// The most capable CPU the hypervisor offers.
        Maximum = "maximum",
    }
}

xml_struct! {
    /// `<cpu>`.
    #[derive(Default)]
    pub struct Cpu {
        /// `mode`.
        attr mode: CpuMode = "mode",
        /// `match` (`minimum`, `exact`, `strict`).
        attr match_mode: String = "match",
        /// `check` (`none`, `partial`, `full`).
        attr check: String = "check",
        /// `migratable`.
        attr migratable: OnOff = "migratable",
        /// `<model>`.
        child model: CpuModel = "model",
        /// `<vendor>`.
        text_child vendor: String = "vendor",
        /// `<topology>`.
        child topology: CpuTopology = "topology",
        /// `<cache>`.
        child cache: Element = "cache",
        /// `<maxphysaddr>`.
        child maxphysaddr: Element = "maxphysaddr",
        /// `<feature>` elements.
        children features: CpuFeature = "feature",
        /// `<numa>`: the guest NUMA topology.
        child numa: CpuNuma = "numa",
    }
}

xml_struct! {
    /// `<cpu><model>`: the model name is optional (`<model fallback='allow'/>`).
    #[derive(Default)]
    pub struct CpuModel {
        /// `fallback` (`allow`/`forbid`).
        attr fallback: String = "fallback",
        /// `vendor_id`.
        attr vendor_id: String = "vendor_id",
        /// Model name.
        text name: String = "",
    }
}

xml_struct! {
    /// `<cpu><topology/>`.
    #[derive(Default)]
    pub struct CpuTopology {
        /// `sockets`.
        attr_req sockets: u32 = "sockets",
        /// `dies`.
        attr dies: u32 = "dies",
        /// `clusters`.
        attr clusters: u32 = "clusters",
        /// `cores`.
        attr_req cores: u32 = "cores",
        /// `threads`.
        attr_req threads: u32 = "threads",
    }
}

xml_struct! {
    /// `<cpu><feature policy=… name=…/>`.
    #[derive(Default)]
    pub struct CpuFeature {
        /// `policy` (`force`, `require`, `optional`, `disable`, `forbid`).
        attr policy: String = "policy",
        /// `name`.
        attr_req name: String = "name",
    }
}

xml_struct! {
    /// `<cpu><numa>`: guest NUMA cells.
    #[derive(Default)]
    pub struct CpuNuma {
        /// `<cell>` elements.
        children cells: NumaCell = "cell",
        /// `<interconnects>`.
        child interconnects: Element = "interconnects",
    }
}

xml_struct! {
    /// `<cpu><numa><cell>`.
    #[derive(Default)]
    pub struct NumaCell {
        /// `id`.
        attr id: u32 = "id",
        /// `cpus`: the vCPUs of the cell.
        attr cpus: String = "cpus",
        /// `memory`, in `unit`s.
        attr_req memory: u64 = "memory",
        /// `unit` of `memory` (KiB when absent).
        attr unit: MemoryUnit = "unit",
        /// `discard`.
        attr discard: YesNo = "discard",
        /// `memAccess` (`shared`/`private`).
        attr mem_access: String = "memAccess",
        /// `<distances>`.
        child distances: Element = "distances",
        /// `<cache>` elements.
        children caches: Element = "cache",
    }
}

impl NumaCell {
    /// The cell's memory in KiB (rounded up).
    pub fn memory_kib(&self) -> u64 {
        crate::Memory::new(self.memory, self.unit.unwrap_or_default()).kib()
    }
}

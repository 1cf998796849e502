//! Memory configuration around `<memory>`: `<maxMemory>`, `<memoryBacking>`,
//! `<memtune>` and `<blkiotune>`.

use crate::xml::Element;
use crate::{Memory, MemoryUnit};

xml_struct! {
    /// `<maxMemory slots=… unit=…>`: the hotplug ceiling.
    #[derive(Default)]
    pub struct MaxMemory {
        /// `slots`: DIMM slots.
        attr slots: u32 = "slots",
        /// `unit` (KiB when absent).
        attr unit: MemoryUnit = "unit",
        /// The size, in `unit`s.
        text_req value: u64 = "",
    }
}

impl MaxMemory {
    /// The size in KiB (rounded up).
    pub fn kib(&self) -> u64 {
        Memory::new(self.value, self.unit.unwrap_or_default()).kib()
    }
}

xml_struct! {
    /// `<memoryBacking>`: how guest RAM is backed on the host.
    #[derive(Default)]
    pub struct MemoryBacking {
        /// `<hugepages>`.
        child hugepages: Hugepages = "hugepages",
        /// `<nosharepages/>`.
        flag nosharepages: bool = "nosharepages",
        /// `<locked/>`.
        flag locked: bool = "locked",
        /// `<source type=…/>` (`file`, `anonymous`, `memfd`).
        child source: Element = "source",
        /// `<access mode=…/>` (`shared`, `private`).
        child access: Element = "access",
        /// `<allocation mode=… threads=…/>`.
        child allocation: Element = "allocation",
        /// `<discard/>`.
        flag discard: bool = "discard",
    }
}

xml_struct! {
    /// `<memoryBacking><hugepages>`.
    #[derive(Default)]
    pub struct Hugepages {
        /// `<page>` elements (none: the default huge page size).
        children pages: HugePage = "page",
    }
}

xml_struct! {
    /// `<hugepages><page size=… unit=… nodeset=…/>`.
    #[derive(Default)]
    pub struct HugePage {
        /// `size`, in `unit`s.
        attr_req size: u64 = "size",
        /// `unit` (KiB when absent).
        attr unit: MemoryUnit = "unit",
        /// `nodeset`: the guest NUMA nodes it applies to.
        attr nodeset: String = "nodeset",
    }
}

xml_struct! {
    /// `<memtune>`: memory limits of the domain's cgroup (in libvirt's order).
    #[derive(Default)]
    pub struct Memtune {
        /// `<hard_limit>`.
        child hard_limit: Memory = "hard_limit",
        /// `<soft_limit>`.
        child soft_limit: Memory = "soft_limit",
        /// `<min_guarantee>`.
        child min_guarantee: Memory = "min_guarantee",
        /// `<swap_hard_limit>`.
        child swap_hard_limit: Memory = "swap_hard_limit",
    }
}

xml_struct! {
    /// `<blkiotune>`: block I/O weights and limits of the domain's cgroup.
    #[derive(Default)]
    pub struct Blkiotune {
        /// `<weight>`.
        text_child weight: u32 = "weight",
        /// `<device>` elements (per-device weight and limits).
        children devices: Element = "device",
    }
}

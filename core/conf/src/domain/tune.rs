//! Tuning: `<cputune>`, `<numatune>`, `<iothreadids>` and `<defaultiothread>`.

use crate::xml::Element;

use super::VcpuPlacement;

xml_struct! {
    /// `<cputune>`: CPU shares, bandwidth, pinning and scheduling.
    #[derive(Default)]
    pub struct Cputune {
        /// `<shares>`.
        text_child shares: u64 = "shares",
        /// `<period>`.
        text_child period: u64 = "period",
        /// `<quota>`.
        text_child quota: i64 = "quota",
        /// `<global_period>`.
        text_child global_period: u64 = "global_period",
        /// `<global_quota>`.
        text_child global_quota: i64 = "global_quota",
        /// `<emulator_period>`.
        text_child emulator_period: u64 = "emulator_period",
        /// `<emulator_quota>`.
        text_child emulator_quota: i64 = "emulator_quota",
        /// `<iothread_period>`.
        text_child iothread_period: u64 = "iothread_period",
        /// `<iothread_quota>`.
        text_child iothread_quota: i64 = "iothread_quota",
        /// `<vcpupin>` elements.
        children vcpupins: VcpuPin = "vcpupin",
        /// `<emulatorpin cpuset=…/>`.
        child emulatorpin: Element = "emulatorpin",
        /// `<iothreadpin>` elements.
        children iothreadpins: Element = "iothreadpin",
        /// `<vcpusched>` elements.
        children vcpuscheds: Element = "vcpusched",
        /// `<iothreadsched>` elements.
        children iothreadscheds: Element = "iothreadsched",
        /// `<emulatorsched>`.
        child emulatorsched: Element = "emulatorsched",
        /// `<cachetune>` elements.
        children cachetunes: Element = "cachetune",
        /// `<memorytune>` elements.
        children memorytunes: Element = "memorytune",
    }
}

xml_struct! {
    /// `<cputune><vcpupin vcpu=… cpuset=…/>`.
    #[derive(Default)]
    pub struct VcpuPin {
        /// `vcpu`.
        attr_req vcpu: u32 = "vcpu",
        /// `cpuset`: host CPUs.
        attr_req cpuset: String = "cpuset",
    }
}

xml_struct! {
    /// `<numatune>`: host NUMA policy for guest memory.
    #[derive(Default)]
    pub struct Numatune {
        /// `<memory>`.
        child memory: NumatuneMemory = "memory",
        /// `<memnode>` elements (per guest cell).
        children memnodes: Memnode = "memnode",
    }
}

xml_struct! {
    /// `<numatune><memory mode=… placement=… nodeset=…/>`.
    #[derive(Default)]
    pub struct NumatuneMemory {
        /// `mode` (`strict`, `preferred`, `interleave`, `restrictive`).
        attr mode: String = "mode",
        /// `placement`.
        attr placement: VcpuPlacement = "placement",
        /// `nodeset`: host NUMA nodes.
        attr nodeset: String = "nodeset",
    }
}

xml_struct! {
    /// `<numatune><memnode cellid=… mode=… nodeset=…/>`.
    #[derive(Default)]
    pub struct Memnode {
        /// `cellid`.
        attr_req cellid: u32 = "cellid",
        /// `mode`.
        attr mode: String = "mode",
        /// `nodeset`.
        attr nodeset: String = "nodeset",
    }
}

xml_struct! {
    /// `<iothreadids>`: the I/O threads by id.
    #[derive(Default)]
    pub struct Iothreadids {
        /// `<iothread>` elements.
        children iothreads: Iothread = "iothread",
    }
}

xml_struct! {
    /// `<iothreadids><iothread id=…/>`.
    #[derive(Default)]
    pub struct Iothread {
        /// `id`.
        attr_req id: u32 = "id",
        /// `thread_pool_min`.
        attr thread_pool_min: i32 = "thread_pool_min",
        /// `thread_pool_max`.
        attr thread_pool_max: i32 = "thread_pool_max",
    }
}

//! `<features>`: hypervisor features (ACPI, APIC, Hyper-V enlightenments, KVM, SMM, …).

use crate::OnOff;
use crate::xml::Element;

xml_struct! {
    /// A feature element with an optional `state='on|off'` attribute.
    #[derive(Default)]
    pub struct FeatureState {
        /// `state`; absent means on.
        attr state: OnOff = "state",
    }
}

impl FeatureState {
    /// `<… state='on|off'/>`.
    pub fn new(on: bool) -> FeatureState {
        FeatureState {
            state: Some(if on { OnOff::On } else { OnOff::Off }),
            extra: Default::default(),
        }
    }

    /// True unless `state='off'`.
    pub fn is_on(&self) -> bool {
        self.state != Some(OnOff::Off)
    }
}

xml_struct! {
    /// `<features><apic/>`.
    #[derive(Default)]
    pub struct Apic {
        /// `eoi`.
        attr eoi: OnOff = "eoi",
    }
}

xml_struct! {
    /// `<features><gic version=…/>`.
    #[derive(Default)]
    pub struct Gic {
        /// `version` (`2`, `3`, `host`).
        attr version: String = "version",
    }
}

xml_struct! {
    /// `<features><ioapic driver=…/>`.
    #[derive(Default)]
    pub struct Ioapic {
        /// `driver` (`kvm`/`qemu`).
        attr driver: String = "driver",
    }
}

xml_struct! {
    /// `<features><smm>`: System Management Mode.
    #[derive(Default)]
    pub struct Smm {
        /// `state`.
        attr state: OnOff = "state",
        /// `<tseg unit=…>`: the TSEG size.
        child tseg: Element = "tseg",
    }
}

xml_struct! {
    /// `<features><hyperv>`: Hyper-V enlightenments.
    #[derive(Default)]
    pub struct Hyperv {
        /// `mode` (`custom`, `passthrough`).
        attr mode: String = "mode",
        /// `<relaxed>`.
        child relaxed: FeatureState = "relaxed",
        /// `<vapic>`.
        child vapic: FeatureState = "vapic",
        /// `<spinlocks state=… retries=…>`.
        child spinlocks: Element = "spinlocks",
        /// `<vpindex>`.
        child vpindex: FeatureState = "vpindex",
        /// `<runtime>`.
        child runtime: FeatureState = "runtime",
        /// `<synic>`.
        child synic: FeatureState = "synic",
        /// `<stimer>` (with optional `<direct>`).
        child stimer: Element = "stimer",
        /// `<reset>`.
        child reset: FeatureState = "reset",
        /// `<vendor_id state=… value=…>`.
        child vendor_id: Element = "vendor_id",
        /// `<frequencies>`.
        child frequencies: FeatureState = "frequencies",
        /// `<reenlightenment>`.
        child reenlightenment: FeatureState = "reenlightenment",
        /// `<tlbflush>`.
        child tlbflush: FeatureState = "tlbflush",
        /// `<ipi>`.
        child ipi: FeatureState = "ipi",
        /// `<evmcs>`.
        child evmcs: FeatureState = "evmcs",
        /// `<avic>`.
        child avic: FeatureState = "avic",
    }
}

xml_struct! {
    /// `<features><kvm>`: KVM paravirtual features.
    #[derive(Default)]
    pub struct KvmFeatures {
        /// `<hidden>`: hide the KVM signature.
        child hidden: FeatureState = "hidden",
        /// `<hint-dedicated>`.
        child hint_dedicated: FeatureState = "hint-dedicated",
        /// `<poll-control>`.
        child poll_control: FeatureState = "poll-control",
        /// `<pv-ipi>`.
        child pv_ipi: FeatureState = "pv-ipi",
        /// `<dirty-ring state=… size=…>`.
        child dirty_ring: Element = "dirty-ring",
    }
}

xml_struct! {
    /// `<features>`: a present element requests the feature.
    #[derive(Default)]
    pub struct Features {
        /// `<pae/>`.
        flag pae: bool = "pae",
        /// `<acpi/>`.
        flag acpi: bool = "acpi",
        /// `<apic/>`.
        child apic: Apic = "apic",
        /// `<hap/>`.
        child hap: FeatureState = "hap",
        /// `<viridian/>`.
        flag viridian: bool = "viridian",
        /// `<privnet/>`: private network namespace (LXC).
        flag privnet: bool = "privnet",
        /// `<hyperv>`.
        child hyperv: Hyperv = "hyperv",
        /// `<kvm>`.
        child kvm: KvmFeatures = "kvm",
        /// `<xen>`.
        child xen: Element = "xen",
        /// `<pvspinlock/>`.
        child pvspinlock: FeatureState = "pvspinlock",
        /// `<capabilities>` (LXC).
        child capabilities: Element = "capabilities",
        /// `<pmu/>`.
        child pmu: FeatureState = "pmu",
        /// `<vmport/>`.
        child vmport: FeatureState = "vmport",
        /// `<gic/>`.
        child gic: Gic = "gic",
        /// `<smm>`.
        child smm: Smm = "smm",
        /// `<ioapic/>`.
        child ioapic: Ioapic = "ioapic",
        /// `<hpt>`.
        child hpt: Element = "hpt",
        /// `<vmcoreinfo/>`.
        child vmcoreinfo: FeatureState = "vmcoreinfo",
        /// `<htm/>`.
        child htm: FeatureState = "htm",
        /// `<nested-hv/>`.
        child nested_hv: FeatureState = "nested-hv",
        /// `<msrs unknown=…/>`.
        child msrs: Element = "msrs",
        /// `<ccf-assist/>`.
        child ccf_assist: FeatureState = "ccf-assist",
        /// `<cfpc value=…/>`.
        child cfpc: Element = "cfpc",
        /// `<sbbc value=…/>`.
        child sbbc: Element = "sbbc",
        /// `<ibs value=…/>`.
        child ibs: Element = "ibs",
        /// `<tcg>`.
        child tcg: Element = "tcg",
        /// `<async-teardown enabled=…/>`.
        child async_teardown: Element = "async-teardown",
    }
}

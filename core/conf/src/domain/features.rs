//! `<features>`: hypervisor features (ACPI, APIC, GIC, SMM, …) as presence flags.

use serde::{Deserialize, Serialize};

use crate::{Empty, OnOff};

/// A feature element with an optional `state='on|off'` attribute.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeatureState {
    /// `state`; absent means on.
    #[serde(rename = "@state", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<OnOff>,
}

/// `<features><apic/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Apic {
    /// `eoi`.
    #[serde(rename = "@eoi", default, skip_serializing_if = "Option::is_none")]
    pub eoi: Option<OnOff>,
}

/// `<features><gic version=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Gic {
    /// `version` (`2`, `3`, `host`).
    #[serde(rename = "@version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `<features><ioapic driver=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ioapic {
    /// `driver` (`kvm`/`qemu`).
    #[serde(rename = "@driver", default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
}

/// `<features>`: presence flags (a present element means the feature is requested).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Features {
    /// `<pae/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pae: Option<Empty>,
    /// `<acpi/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acpi: Option<Empty>,
    /// `<apic/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apic: Option<Apic>,
    /// `<hap/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hap: Option<FeatureState>,
    /// `<viridian/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viridian: Option<Empty>,
    /// `<privnet/>`: private network namespace (LXC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privnet: Option<Empty>,
    /// `<pvspinlock/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvspinlock: Option<FeatureState>,
    /// `<pmu/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmu: Option<FeatureState>,
    /// `<vmport/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vmport: Option<FeatureState>,
    /// `<gic/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gic: Option<Gic>,
    /// `<smm/>` (without `<tseg>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smm: Option<FeatureState>,
    /// `<ioapic/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ioapic: Option<Ioapic>,
    /// `<vmcoreinfo/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vmcoreinfo: Option<FeatureState>,
}

//! The `<domain>` root and its non-device children, one file per part: the
//! element types by section, and the [`DomainDef`] methods by job (parse,
//! write, validate, fill defaults).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::devices::{Device, Devices};
use crate::{Empty, Memory};

mod clock;
mod cpu;
mod defaults;
mod features;
mod lifecycle;
mod os;
mod parse;
mod validate;
mod write;

pub use clock::{Clock, ClockOffset, Timer};
pub use cpu::{Cpu, CpuFeature, CpuModel, CpuTopology, Vcpu, VcpuPlacement};
pub use features::{Apic, FeatureState, Features, Gic, Ioapic};
pub use lifecycle::LifecycleAction;
pub use os::{Boot, BootDevice, BootMenu, Loader, Nvram, Os, OsType, OsTypeElement, Smbios};

string_enum! {
    /// `<domain type=…>`: the hypervisor (the values of libvirt's schema).
    pub enum DomainType ("domain type") {
        /// QEMU with TCG.
        Qemu = "qemu",
        /// Legacy kqemu accelerator.
        Kqemu = "kqemu",
        /// QEMU with KVM.
        Kvm = "kvm",
        /// Xen.
        Xen = "xen",
        /// Linux containers.
        Lxc = "lxc",
        /// User-mode Linux (no longer used).
        Uml = "uml",
        /// OpenVZ.
        Openvz = "openvz",
        /// libvirt's mock test driver.
        Test = "test",
        /// VMware.
        Vmware = "vmware",
        /// Hyper-V.
        Hyperv = "hyperv",
        /// VirtualBox.
        Vbox = "vbox",
        /// IBM PowerHypervisor (no longer used).
        Phyp = "phyp",
        /// Virtuozzo.
        Vz = "vz",
        /// bhyve.
        Bhyve = "bhyve",
        /// macOS Hypervisor.framework.
        Hvf = "hvf",
    }
}

/// Root element `<domain>`.
///
/// Field order is the element order written by [`DomainDef::to_xml`]. See the crate
/// documentation for what happens to XML the model does not represent.
///
/// The serde impls are the wire mapping only: deserialising with quick-xml directly
/// skips the libvirt error codes, the unsupported-node check and `<metadata>`
/// capture, so use [`DomainDef::from_xml`] / [`DomainDef::to_xml`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "domain")]
pub struct DomainDef {
    /// `type`: the hypervisor.
    #[serde(rename = "@type")]
    pub domain_type: DomainType,
    /// `id`: present in the XML of running domains.
    #[serde(rename = "@id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// `<name>`.
    pub name: String,
    /// `<uuid>`; [`DomainDef::fill_defaults`] generates one when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_uuid",
        deserialize_with = "de_uuid"
    )]
    pub uuid: Option<Uuid>,
    /// `<genid>` (VM generation id; empty text asks the driver to generate one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genid: Option<String>,
    /// `<title>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `<description>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Inner XML of `<metadata>`, kept byte for byte and written back verbatim.
    /// Namespace prefixes used inside must be declared inside (libvirt's rule too).
    #[serde(
        default,
        skip_deserializing,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_metadata_placeholder"
    )]
    pub metadata: Option<String>,
    /// `<memory>`: maximum memory at boot.
    pub memory: Memory,
    /// `<currentMemory>`: the balloon target; defaults to `memory`.
    #[serde(
        rename = "currentMemory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub current_memory: Option<Memory>,
    /// `<vcpu>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpu: Option<Vcpu>,
    /// `<os>`.
    pub os: Os,
    /// `<features>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Features>,
    /// `<cpu>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// `<clock>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    /// `<on_poweroff>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_poweroff: Option<LifecycleAction>,
    /// `<on_reboot>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_reboot: Option<LifecycleAction>,
    /// `<on_crash>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_crash: Option<LifecycleAction>,
    /// `<devices>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Devices>,
}

fn ser_uuid<S: Serializer>(uuid: &Option<Uuid>, s: S) -> Result<S::Ok, S::Error> {
    match uuid {
        Some(u) => s.serialize_str(&u.hyphenated().to_string()),
        None => s.serialize_none(),
    }
}

fn de_uuid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Uuid>, D::Error> {
    let text = String::deserialize(d)?;
    Uuid::parse_str(text.trim())
        .map(Some)
        .map_err(|_| serde::de::Error::custom("malformed uuid element"))
}

fn ser_metadata_placeholder<S: Serializer>(_: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    Empty {}.serialize(s)
}

impl DomainDef {
    /// `<memory>` in KiB (rounded up).
    pub fn memory_kib(&self) -> u64 {
        self.memory.kib()
    }

    /// `<currentMemory>` in KiB (rounded up), or [`DomainDef::memory_kib`] if absent.
    pub fn current_memory_kib(&self) -> u64 {
        self.current_memory
            .as_ref()
            .map_or_else(|| self.memory_kib(), Memory::kib)
    }

    /// Maximum vCPU count (1 if `<vcpu>` is absent, as libvirt defaults).
    pub fn max_vcpus(&self) -> u32 {
        self.vcpu.as_ref().map_or(1, |v| v.count)
    }

    /// vCPUs online at boot (`current`, else the maximum).
    pub fn current_vcpus(&self) -> u32 {
        self.vcpu
            .as_ref()
            .map_or(1, |v| v.current.unwrap_or(v.count))
    }

    /// The devices, in document order (empty if there is no `<devices>`).
    pub fn devices(&self) -> &[Device] {
        self.devices.as_ref().map_or(&[], |d| d.items.as_slice())
    }
}

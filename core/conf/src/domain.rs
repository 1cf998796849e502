//! The `<domain>` root and its non-device children.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::bitmap::CpuSet;
use crate::devices::{DEVICE_ELEMENTS, Device, Devices};
use crate::dom::{self, Node};
use crate::{ConfError, Empty, Memory, MemoryUnit, OnOff, YesNo};

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

string_enum! {
    /// Lifecycle action for `<on_poweroff>`, `<on_reboot>` and `<on_crash>`.
    pub enum LifecycleAction ("lifecycle action") {
        /// Tear the domain down.
        Destroy = "destroy",
        /// Start it again with the same configuration.
        Restart = "restart",
        /// Keep the stopped domain around for inspection.
        Preserve = "preserve",
        /// Rename the old domain and start a new one.
        RenameRestart = "rename-restart",
        /// Dump core, then destroy (`on_crash` only).
        CoredumpDestroy = "coredump-destroy",
        /// Dump core, then restart (`on_crash` only).
        CoredumpRestart = "coredump-restart",
    }
}

string_enum! {
    /// `<os><type>`: the guest ABI.
    pub enum OsType ("os type") {
        /// Full virtualisation.
        Hvm = "hvm",
        /// Container / process (LXC).
        Exe = "exe",
        /// Xen paravirtualisation.
        Xen = "xen",
        /// Xen paravirtualisation (old name).
        Linux = "linux",
        /// Xen PVH.
        Xenpvh = "xenpvh",
    }
}

string_enum! {
    /// `<boot dev=…/>`.
    pub enum BootDevice ("boot device") {
        /// Hard disk.
        Hd = "hd",
        /// Floppy.
        Fd = "fd",
        /// CD-ROM.
        Cdrom = "cdrom",
        /// Network (PXE).
        Network = "network",
    }
}

string_enum! {
    /// `<clock offset=…>`.
    pub enum ClockOffset ("clock offset") {
        /// RTC in UTC.
        Utc = "utc",
        /// RTC in host local time.
        Localtime = "localtime",
        /// RTC in a named time zone.
        Timezone = "timezone",
        /// RTC at an adjustment from UTC or local time that the guest may change.
        Variable = "variable",
        /// RTC starting at a fixed epoch time.
        Absolute = "absolute",
    }
}

string_enum! {
    /// `<vcpu placement=…>`.
    pub enum VcpuPlacement ("vcpu placement") {
        /// Pinned per `cpuset` (or all host CPUs).
        Static = "static",
        /// Placed by numad.
        Auto = "auto",
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

/// `<vcpu>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vcpu {
    /// `placement`.
    #[serde(
        rename = "@placement",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub placement: Option<VcpuPlacement>,
    /// `cpuset`: host CPUs the vCPUs may run on.
    #[serde(rename = "@cpuset", default, skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    /// `current`: vCPUs online at boot (defaults to the maximum).
    #[serde(rename = "@current", default, skip_serializing_if = "Option::is_none")]
    pub current: Option<u32>,
    /// Maximum vCPU count.
    #[serde(rename = "$text")]
    pub count: u32,
}

/// `<os>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Os {
    /// `firmware` (`bios`/`efi`) for firmware auto-selection.
    #[serde(rename = "@firmware", default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// `<type>`.
    #[serde(rename = "type")]
    pub os_type: OsTypeElement,
    /// `<loader>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loader: Option<Loader>,
    /// `<nvram>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nvram: Option<Nvram>,
    /// `<kernel>`: direct kernel boot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// `<initrd>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initrd: Option<String>,
    /// `<cmdline>`: kernel command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmdline: Option<String>,
    /// `<dtb>`: device tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtb: Option<String>,
    /// `<init>`: container init binary (`exe` guests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<String>,
    /// `<initarg>` elements: arguments of `init`.
    #[serde(rename = "initarg", default, skip_serializing_if = "Vec::is_empty")]
    pub init_args: Vec<String>,
    /// `<initdir>`: working directory of `init`.
    #[serde(rename = "initdir", default, skip_serializing_if = "Option::is_none")]
    pub init_dir: Option<String>,
    /// `<boot dev=…/>` elements, in boot order.
    #[serde(rename = "boot", default, skip_serializing_if = "Vec::is_empty")]
    pub boot: Vec<Boot>,
    /// `<bootmenu>`.
    #[serde(rename = "bootmenu", default, skip_serializing_if = "Option::is_none")]
    pub boot_menu: Option<BootMenu>,
    /// `<smbios mode=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smbios: Option<Smbios>,
}

/// `<os><type arch=… machine=…>hvm</type>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsTypeElement {
    /// `arch` (`x86_64`, `i686`, `aarch64`, …).
    #[serde(rename = "@arch", default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// `machine` (`pc`, `q35`, `pc-i440fx-8.2`, …).
    #[serde(rename = "@machine", default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// The OS type.
    #[serde(rename = "$text")]
    pub value: OsType,
}

/// `<os><loader>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Loader {
    /// `readonly`.
    #[serde(rename = "@readonly", default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<YesNo>,
    /// `secure`.
    #[serde(rename = "@secure", default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<YesNo>,
    /// `type` (`rom`/`pflash`).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub loader_type: Option<String>,
    /// Firmware path.
    #[serde(rename = "$text", default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `<os><nvram>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Nvram {
    /// `template`.
    #[serde(rename = "@template", default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// NVRAM file path.
    #[serde(rename = "$text", default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `<os><boot dev=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boot {
    /// `dev`.
    #[serde(rename = "@dev")]
    pub dev: BootDevice,
}

/// `<os><bootmenu enable=… timeout=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootMenu {
    /// `enable`.
    #[serde(rename = "@enable")]
    pub enable: YesNo,
    /// `timeout` in milliseconds.
    #[serde(rename = "@timeout", default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
}

/// `<os><smbios mode=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Smbios {
    /// `mode` (`emulate`, `host`, `sysinfo`).
    #[serde(rename = "@mode")]
    pub mode: String,
}

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

/// `<cpu>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cpu {
    /// `mode` (`custom`, `host-model`, `host-passthrough`, `maximum`).
    #[serde(rename = "@mode", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `match` (`minimum`, `exact`, `strict`).
    #[serde(rename = "@match", default, skip_serializing_if = "Option::is_none")]
    pub match_mode: Option<String>,
    /// `check` (`none`, `partial`, `full`).
    #[serde(rename = "@check", default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// `migratable`.
    #[serde(
        rename = "@migratable",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub migratable: Option<OnOff>,
    /// `<model>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<CpuModel>,
    /// `<vendor>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `<topology>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<CpuTopology>,
    /// `<feature>` elements.
    #[serde(rename = "feature", default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<CpuFeature>,
}

/// `<cpu><model>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuModel {
    /// `fallback` (`allow`/`forbid`).
    #[serde(rename = "@fallback", default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Model name.
    #[serde(rename = "$text")]
    pub name: String,
}

/// `<cpu><topology/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuTopology {
    /// `sockets`.
    #[serde(rename = "@sockets")]
    pub sockets: u32,
    /// `dies`.
    #[serde(rename = "@dies", default, skip_serializing_if = "Option::is_none")]
    pub dies: Option<u32>,
    /// `clusters`.
    #[serde(rename = "@clusters", default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<u32>,
    /// `cores`.
    #[serde(rename = "@cores")]
    pub cores: u32,
    /// `threads`.
    #[serde(rename = "@threads")]
    pub threads: u32,
}

/// `<cpu><feature policy=… name=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuFeature {
    /// `policy` (`force`, `require`, `optional`, `disable`, `forbid`).
    #[serde(rename = "@policy", default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `name`.
    #[serde(rename = "@name")]
    pub name: String,
}

/// `<clock>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// `offset`.
    #[serde(rename = "@offset")]
    pub offset: ClockOffset,
    /// `timezone` (offset `timezone`).
    #[serde(rename = "@timezone", default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `adjustment` (offset `variable`).
    #[serde(
        rename = "@adjustment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub adjustment: Option<String>,
    /// `basis` (offset `variable`).
    #[serde(rename = "@basis", default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// `start` (offset `absolute`).
    #[serde(rename = "@start", default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// `<timer>` elements.
    #[serde(rename = "timer", default, skip_serializing_if = "Vec::is_empty")]
    pub timers: Vec<Timer>,
}

/// `<clock><timer/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Timer {
    /// `name` (`rtc`, `pit`, `hpet`, `kvmclock`, `tsc`, …).
    #[serde(rename = "@name")]
    pub name: String,
    /// `track`.
    #[serde(rename = "@track", default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// `tickpolicy`.
    #[serde(
        rename = "@tickpolicy",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tickpolicy: Option<String>,
    /// `frequency`.
    #[serde(
        rename = "@frequency",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub frequency: Option<u64>,
    /// `mode`.
    #[serde(rename = "@mode", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `present`.
    #[serde(rename = "@present", default, skip_serializing_if = "Option::is_none")]
    pub present: Option<YesNo>,
}

impl DomainDef {
    /// Parses domain XML and checks it (see [`DomainDef::validate`]).
    ///
    /// Errors carry libvirt's error codes (see [`ConfError::libvirt_code`]). Input that
    /// the model cannot represent is rejected with [`ConfError::Unsupported`] rather
    /// than dropped; `<metadata>` is kept verbatim.
    ///
    /// ```
    /// use rvirt_conf::{DomainDef, DomainType};
    ///
    /// let def = DomainDef::from_xml(
    ///     "<domain type='kvm'>
    ///        <name>guest</name>
    ///        <memory unit='MiB'>512</memory>
    ///        <os><type>hvm</type></os>
    ///      </domain>",
    /// )?;
    /// assert_eq!(def.domain_type, DomainType::Kvm);
    /// assert_eq!(def.memory_kib(), 512 * 1024);
    ///
    /// let err = DomainDef::from_xml("<domain type='kvm'><name>g</name></domain>").unwrap_err();
    /// assert_eq!(err.libvirt_code(), 27);
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn from_xml(xml: &str) -> Result<DomainDef, ConfError> {
        let tree = dom::parse(xml, true)?;
        precheck(&tree)?;
        let mut def: DomainDef = quick_xml::de::from_str(xml).map_err(|e| ConfError::Xml {
            message: e.to_string(),
        })?;
        def.metadata = tree
            .children
            .iter()
            .find(|c| c.name == "metadata")
            .and_then(|c| c.raw.clone());
        // Anything in the input that does not survive a trip through the model is an
        // element/attribute we do not support: report it instead of losing it.
        let out = def.to_xml()?;
        let out_tree = dom::parse(&out, true)?;
        dom::find_unrepresented(&tree, &out_tree, "domain")?;
        def.validate()?;
        Ok(def)
    }

    /// Writes the definition as indented XML (2 spaces, double-quoted attributes,
    /// trailing newline). `<metadata>` content is inserted verbatim.
    pub fn to_xml(&self) -> Result<String, ConfError> {
        let mut out = String::new();
        let mut ser = quick_xml::se::Serializer::new(&mut out);
        ser.indent(' ', 2);
        self.serialize(ser).map_err(|e| ConfError::Serialize {
            message: e.to_string(),
        })?;
        if let Some(raw) = &self.metadata {
            // The only element the model writes under that name is the placeholder.
            const PLACEHOLDER: &str = "<metadata/>";
            let at = out.find(PLACEHOLDER).ok_or_else(|| ConfError::Serialize {
                message: "metadata placeholder missing from output".into(),
            })?;
            out.replace_range(
                at..at + PLACEHOLDER.len(),
                &format!("<metadata>{raw}</metadata>"),
            );
        }
        out.push('\n');
        Ok(out)
    }

    /// Removes what libvirt prints only for `VIR_DOMAIN_XML_SECURE` on a read-write
    /// connection: graphics passwords.
    ///
    /// ```
    /// use rvirt_conf::DomainDef;
    /// let mut def = DomainDef::from_xml("<domain type='qemu'><name>g</name>
    ///   <memory>1024</memory><os><type>hvm</type></os>
    ///   <devices><graphics type='vnc' passwd='s3cret'/></devices></domain>")?;
    /// def.hide_secrets();
    /// assert!(!def.to_xml()?.contains("s3cret"));
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn hide_secrets(&mut self) {
        for device in self.devices.iter_mut().flat_map(|d| &mut d.items) {
            if let Device::Graphics(g) = device {
                g.passwd = None;
            }
        }
    }

    /// Semantic checks libvirt applies when parsing: non-empty name, memory that fits
    /// in 64 bits, lifecycle actions allowed for their event.
    pub fn validate(&self) -> Result<(), ConfError> {
        if self.name.trim().is_empty() {
            return Err(ConfError::MissingName);
        }
        if self.name.contains('/') {
            return Err(ConfError::NameWithSlash {
                name: self.name.clone(),
            });
        }
        if let Some(cpuset) = self.vcpu.as_ref().and_then(|v| v.cpuset.as_deref()) {
            let set = CpuSet::parse(cpuset).ok_or_else(|| ConfError::InvalidBitmap {
                value: cpuset.to_string(),
            })?;
            if set.is_empty() {
                return Err(ConfError::EmptyCpuset {
                    value: cpuset.to_string(),
                });
            }
        }
        self.memory.check_overflow()?;
        if let Some(cur) = &self.current_memory {
            cur.check_overflow()?;
        }
        for (event, action) in [("poweroff", self.on_poweroff), ("reboot", self.on_reboot)] {
            if let Some(
                action @ (LifecycleAction::CoredumpDestroy | LifecycleAction::CoredumpRestart),
            ) = action
            {
                return Err(ConfError::UnsupportedLifecycleAction {
                    event: event.into(),
                    action: action.as_str().into(),
                });
            }
        }
        Ok(())
    }

    /// Fills in what libvirt fills in on define:
    ///
    /// * a random (v4) `uuid` if none;
    /// * `memory` and `currentMemory` normalised to KiB (rounded up), `currentMemory`
    ///   set to `memory` if absent and clamped to it if larger;
    /// * `<vcpu placement='static'>1</vcpu>` if absent, `placement='static'` if unset;
    /// * `<boot dev='hd'/>` for `hvm` guests with no `<boot>` and no per-device
    ///   `<boot order>`;
    /// * `<clock offset='utc'/>` if absent;
    /// * `on_poweroff` destroy, `on_reboot` restart, `on_crash` destroy if absent;
    /// * an empty `<devices>` if absent.
    pub fn fill_defaults(&mut self) {
        if self.uuid.is_none() {
            self.uuid = Some(Uuid::new_v4());
        }
        self.memory = self.memory.normalized_kib();
        let max = self.memory.value;
        let mut current = self
            .current_memory
            .as_ref()
            .map_or_else(|| self.memory.clone(), Memory::normalized_kib);
        current.dump_core = None;
        current.value = current.value.min(max);
        self.current_memory = Some(current);
        let vcpu = self.vcpu.get_or_insert(Vcpu {
            placement: None,
            cpuset: None,
            current: None,
            count: 1,
        });
        vcpu.placement.get_or_insert(VcpuPlacement::Static);
        // libvirt keeps CPU sets in its canonical form (`0-3,^2` is written `0-1,3`).
        if let Some(set) = vcpu.cpuset.as_deref().and_then(CpuSet::parse) {
            vcpu.cpuset = Some(set.to_string());
        }
        let device_boot = self.devices.iter().flat_map(|d| &d.items).any(|d| match d {
            Device::Disk(d) => d.boot.is_some(),
            Device::Interface(i) => i.boot.is_some(),
            _ => false,
        });
        if self.os.os_type.value == OsType::Hvm && self.os.boot.is_empty() && !device_boot {
            self.os.boot.push(Boot {
                dev: BootDevice::Hd,
            });
        }
        self.clock.get_or_insert(Clock {
            offset: ClockOffset::Utc,
            timezone: None,
            adjustment: None,
            basis: None,
            start: None,
            timers: Vec::new(),
        });
        self.on_poweroff.get_or_insert(LifecycleAction::Destroy);
        self.on_reboot.get_or_insert(LifecycleAction::Restart);
        self.on_crash.get_or_insert(LifecycleAction::Destroy);
        self.devices.get_or_insert_with(Devices::default);
    }

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

/// Checks on the raw tree that produce libvirt's specific error codes before serde
/// gets to report a generic one.
fn precheck(root: &Node) -> Result<(), ConfError> {
    if root.name != "domain" {
        return Err(ConfError::WrongRoot {
            found: root.name.clone(),
        });
    }
    match root.attr("type") {
        None => return Err(ConfError::MissingDomainType),
        Some(t) if t.parse::<DomainType>().is_err() => {
            return Err(ConfError::InvalidDomainType { value: t.into() });
        }
        Some(_) => {}
    }
    match root.child("name") {
        Some(n) if !n.text.trim().is_empty() => {}
        _ => return Err(ConfError::MissingName),
    }
    if let Some(u) = root.child("uuid")
        && Uuid::parse_str(u.text.trim()).is_err()
    {
        return Err(ConfError::MalformedUuid {
            value: u.text.clone(),
        });
    }
    let Some(memory) = root.child("memory") else {
        return Err(ConfError::MissingMemory);
    };
    check_memory(memory)?;
    if let Some(cur) = root.child("currentMemory") {
        check_memory(cur)?;
    }
    if let Some(vcpu) = root.child("vcpu")
        && vcpu.text.trim().parse::<u32>().is_err()
    {
        return Err(ConfError::Xml {
            message: "maximum vcpus count must be an integer".into(),
        });
    }
    for event in ["on_poweroff", "on_reboot", "on_crash"] {
        if let Some(n) = root.child(event)
            && n.text.parse::<LifecycleAction>().is_err()
        {
            return Err(ConfError::UnknownLifecycleAction {
                event: event.into(),
                value: n.text.clone(),
            });
        }
    }
    if root.child("os").and_then(|os| os.child("type")).is_none() {
        return Err(ConfError::Xml {
            message: "an os <type> must be specified".into(),
        });
    }
    if let Some(devices) = root.child("devices") {
        for (i, dev) in devices.children.iter().enumerate() {
            if !DEVICE_ELEMENTS.contains(&dev.name.as_str()) {
                let same = devices.children.iter().filter(|c| c.name == dev.name);
                let path = if same.clone().count() > 1 {
                    let k = devices.children[..i]
                        .iter()
                        .filter(|c| c.name == dev.name)
                        .count();
                    format!("domain/devices/{}[{}]", dev.name, k + 1)
                } else {
                    format!("domain/devices/{}", dev.name)
                };
                return Err(ConfError::Unsupported {
                    path,
                    kind: crate::error::UnsupportedKind::Element,
                });
            }
        }
    }
    Ok(())
}

fn check_memory(node: &Node) -> Result<(), ConfError> {
    let text = node.text.trim();
    let value: u64 = text.parse().map_err(|_| ConfError::InvalidValue {
        xpath: format!("./{}[1]", node.name),
        value: node.text.clone(),
    })?;
    let unit_text = node.attr("unit");
    let unit = match unit_text {
        Some(u) => u.parse::<MemoryUnit>()?,
        None => MemoryUnit::KiB,
    };
    if value.checked_mul(unit.bytes_per_unit()).is_none() {
        return Err(ConfError::MemoryOverflow {
            value,
            unit: unit_text.unwrap_or("KiB").into(),
        });
    }
    Ok(())
}

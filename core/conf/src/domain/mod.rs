//! The `<domain>` root and its non-device children, one file per part: the element
//! types by section, and the [`DomainDef`] methods by job (parse, write, validate,
//! fill defaults).

use uuid::Uuid;

use crate::devices::{Controller, Device, Devices, Disk, Graphics, Hostdev, Interface, Video};
use crate::model::{self, XmlElement};
use crate::xml::{Element, Extra};
use crate::{ConfError, Memory};

mod builder;
mod checks;
mod clock;
mod cpu;
mod defaults;
mod features;
mod lifecycle;
mod memory;
mod misc;
mod os;
mod parse;
mod rules;
mod support;
mod tune;
mod validate;
mod write;

pub use builder::DomainBuilder;
pub use clock::{Clock, ClockOffset, Timer, TimerName};
pub use cpu::{
    Cpu, CpuFeature, CpuMode, CpuModel, CpuNuma, CpuTopology, NumaCell, Vcpu, VcpuEntry,
    VcpuPlacement, Vcpus,
};
pub use defaults::Defaults;
pub use features::{Apic, FeatureState, Features, Gic, Hyperv, Ioapic, KvmFeatures, Smm};
pub use lifecycle::LifecycleAction;
pub use memory::{Blkiotune, HugePage, Hugepages, MaxMemory, MemoryBacking, Memtune};
pub use misc::{
    IdRange, Idmap, Keywrap, LaunchSecurity, Perf, PerfEvent, Pm, PmState, Resource, Seclabel,
    Sysinfo,
};
pub use os::{
    Boot, BootDevice, BootMenu, Firmware, Loader, Nvram, Os, OsType, OsTypeElement, Smbios,
};
pub use support::Support;
pub use tune::{Cputune, Iothread, Iothreadids, Memnode, Numatune, NumatuneMemory, VcpuPin};

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

/// Root element `<domain>`: a complete domain definition.
///
/// The parts drivers and applications act on are typed fields; anything else the
/// input held is kept in the `extra` of the element it appeared in and written back
/// (see the crate documentation). Build one with [`DomainDef::builder`], parse one
/// with [`DomainDef::from_xml`], print it with [`DomainDef::to_xml`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DomainDef {
    /// `type`: the hypervisor.
    pub domain_type: DomainType,
    /// `id`: present in the XML of running domains.
    pub id: Option<u32>,
    /// `<name>`.
    pub name: String,
    /// `<uuid>`; [`DomainDef::fill_defaults`] generates one when absent.
    pub uuid: Option<Uuid>,
    /// `<genid>` (VM generation id; empty text asks the driver to generate one).
    pub genid: Option<String>,
    /// `<title>`.
    pub title: Option<String>,
    /// `<description>`.
    pub description: Option<String>,
    /// `<metadata>`: applications' own elements, each in its own namespace.
    pub metadata: Option<Element>,
    /// `<maxMemory>`.
    pub max_memory: Option<MaxMemory>,
    /// `<memory>`: maximum memory at boot.
    pub memory: Memory,
    /// `<currentMemory>`: the balloon target; defaults to `memory`.
    pub current_memory: Option<Memory>,
    /// `<blkiotune>`.
    pub blkiotune: Option<Blkiotune>,
    /// `<memtune>`.
    pub memtune: Option<Memtune>,
    /// `<memoryBacking>`.
    pub memory_backing: Option<MemoryBacking>,
    /// `<vcpu>`.
    pub vcpu: Option<Vcpu>,
    /// `<vcpus>`.
    pub vcpus: Option<Vcpus>,
    /// `<iothreads>`: the number of I/O threads.
    pub iothreads: Option<u32>,
    /// `<iothreadids>`.
    pub iothreadids: Option<Iothreadids>,
    /// `<cputune>`.
    pub cputune: Option<Cputune>,
    /// `<numatune>`.
    pub numatune: Option<Numatune>,
    /// `<resource>`.
    pub resource: Option<Resource>,
    /// `<sysinfo>` elements.
    pub sysinfo: Vec<Sysinfo>,
    /// `<bootloader>` (Xen).
    pub bootloader: Option<String>,
    /// `<bootloader_args>` (Xen).
    pub bootloader_args: Option<String>,
    /// `<os>`.
    pub os: Os,
    /// `<idmap>` (LXC).
    pub idmap: Option<Idmap>,
    /// `<features>`.
    pub features: Option<Features>,
    /// `<cpu>`.
    pub cpu: Option<Cpu>,
    /// `<clock>`.
    pub clock: Option<Clock>,
    /// `<on_poweroff>`.
    pub on_poweroff: Option<LifecycleAction>,
    /// `<on_reboot>`.
    pub on_reboot: Option<LifecycleAction>,
    /// `<on_crash>`.
    pub on_crash: Option<LifecycleAction>,
    /// `<on_lockfailure>` (`poweroff`, `restart`, `pause`, `ignore`).
    pub on_lockfailure: Option<String>,
    /// `<pm>`.
    pub pm: Option<Pm>,
    /// `<perf>`.
    pub perf: Option<Perf>,
    /// `<devices>`.
    pub devices: Option<Devices>,
    /// `<seclabel>` elements.
    pub seclabels: Vec<Seclabel>,
    /// `<keywrap>`.
    pub keywrap: Option<Keywrap>,
    /// `<launchSecurity>`.
    pub launch_security: Option<LaunchSecurity>,
    /// Everything else `<domain>` held: other attributes (namespace declarations),
    /// driver namespace elements such as `<qemu:commandline>`, and elements libvirt's
    /// schema does not have. Kept and written back.
    pub extra: Extra,
}

impl Default for DomainType {
    /// `qemu`.
    fn default() -> Self {
        DomainType::Qemu
    }
}

impl XmlElement for DomainDef {
    fn from_element(mut el: Element) -> Result<Self, ConfError> {
        use model::{attr, attr_req, child, children, text_child};
        let domain_type = attr_req(&mut el, "type")?;
        let id: Option<i64> = attr(&mut el, "id")?;
        let def = DomainDef {
            domain_type,
            id: id.and_then(|i| u32::try_from(i).ok()),
            name: text_child(&mut el, "name")?.unwrap_or_default(),
            uuid: text_child(&mut el, "uuid")?,
            genid: text_child(&mut el, "genid")?,
            title: text_child(&mut el, "title")?,
            description: text_child(&mut el, "description")?,
            metadata: el.take_child("metadata"),
            max_memory: child(&mut el, "maxMemory")?,
            memory: child(&mut el, "memory")?.unwrap_or_default(),
            current_memory: child(&mut el, "currentMemory")?,
            blkiotune: child(&mut el, "blkiotune")?,
            memtune: child(&mut el, "memtune")?,
            memory_backing: child(&mut el, "memoryBacking")?,
            vcpu: child(&mut el, "vcpu")?,
            vcpus: child(&mut el, "vcpus")?,
            iothreads: text_child(&mut el, "iothreads")?,
            iothreadids: child(&mut el, "iothreadids")?,
            cputune: child(&mut el, "cputune")?,
            numatune: child(&mut el, "numatune")?,
            resource: child(&mut el, "resource")?,
            sysinfo: children(&mut el, "sysinfo")?,
            bootloader: text_child(&mut el, "bootloader")?,
            bootloader_args: text_child(&mut el, "bootloader_args")?,
            os: child(&mut el, "os")?.unwrap_or_default(),
            idmap: child(&mut el, "idmap")?,
            features: child(&mut el, "features")?,
            cpu: child(&mut el, "cpu")?,
            clock: child(&mut el, "clock")?,
            on_poweroff: text_child(&mut el, "on_poweroff")?,
            on_reboot: text_child(&mut el, "on_reboot")?,
            on_crash: text_child(&mut el, "on_crash")?,
            on_lockfailure: text_child(&mut el, "on_lockfailure")?,
            pm: child(&mut el, "pm")?,
            perf: child(&mut el, "perf")?,
            devices: child(&mut el, "devices")?,
            seclabels: children(&mut el, "seclabel")?,
            keywrap: child(&mut el, "keywrap")?,
            launch_security: child(&mut el, "launchSecurity")?,
            extra: Extra::default(),
        };
        Ok(DomainDef {
            extra: Extra::rest(el),
            ..def
        })
    }

    fn to_element(&self, name: &str) -> Element {
        use model::{put_attr, put_child, put_text_child};
        let mut el = Element::new(name);
        put_attr(&mut el, "type", Some(&self.domain_type));
        put_attr(&mut el, "id", self.id.as_ref());
        put_text_child(&mut el, "name", Some(&self.name));
        put_text_child(&mut el, "uuid", self.uuid.as_ref());
        put_text_child(&mut el, "genid", self.genid.as_ref());
        put_text_child(&mut el, "title", self.title.as_ref());
        put_text_child(&mut el, "description", self.description.as_ref());
        if let Some(m) = &self.metadata {
            el.push(m.clone());
        }
        put_child(&mut el, "maxMemory", self.max_memory.as_ref());
        put_child(&mut el, "memory", Some(&self.memory));
        put_child(&mut el, "currentMemory", self.current_memory.as_ref());
        put_child(&mut el, "blkiotune", self.blkiotune.as_ref());
        put_child(&mut el, "memtune", self.memtune.as_ref());
        put_child(&mut el, "memoryBacking", self.memory_backing.as_ref());
        put_child(&mut el, "vcpu", self.vcpu.as_ref());
        put_child(&mut el, "vcpus", self.vcpus.as_ref());
        put_text_child(&mut el, "iothreads", self.iothreads.as_ref());
        put_child(&mut el, "iothreadids", self.iothreadids.as_ref());
        put_child(&mut el, "cputune", self.cputune.as_ref());
        put_child(&mut el, "numatune", self.numatune.as_ref());
        put_child(&mut el, "resource", self.resource.as_ref());
        for s in &self.sysinfo {
            put_child(&mut el, "sysinfo", Some(s));
        }
        put_text_child(&mut el, "bootloader", self.bootloader.as_ref());
        put_text_child(&mut el, "bootloader_args", self.bootloader_args.as_ref());
        put_child(&mut el, "os", Some(&self.os));
        put_child(&mut el, "idmap", self.idmap.as_ref());
        put_child(&mut el, "features", self.features.as_ref());
        put_child(&mut el, "cpu", self.cpu.as_ref());
        put_child(&mut el, "clock", self.clock.as_ref());
        put_text_child(&mut el, "on_poweroff", self.on_poweroff.as_ref());
        put_text_child(&mut el, "on_reboot", self.on_reboot.as_ref());
        put_text_child(&mut el, "on_crash", self.on_crash.as_ref());
        put_text_child(&mut el, "on_lockfailure", self.on_lockfailure.as_ref());
        put_child(&mut el, "pm", self.pm.as_ref());
        put_child(&mut el, "perf", self.perf.as_ref());
        put_child(&mut el, "devices", self.devices.as_ref());
        for s in &self.seclabels {
            put_child(&mut el, "seclabel", Some(s));
        }
        put_child(&mut el, "keywrap", self.keywrap.as_ref());
        put_child(&mut el, "launchSecurity", self.launch_security.as_ref());
        self.extra.write_into(&mut el);
        el
    }
}

impl DomainDef {
    /// A builder for a new definition (see [`DomainBuilder`]).
    pub fn builder(domain_type: DomainType, name: impl Into<String>) -> DomainBuilder {
        DomainBuilder::new(domain_type, name)
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

    /// The device list, created empty if absent.
    pub fn devices_mut(&mut self) -> &mut Vec<Device> {
        &mut self.devices.get_or_insert_with(Devices::default).items
    }

    /// Appends a device.
    pub fn add_device(&mut self, device: Device) {
        self.devices_mut().push(device);
    }

    /// Orders the devices the way libvirt keeps them (one list per kind, in the
    /// schema's order; stable within a kind), as after a device was added.
    pub fn sort_devices(&mut self) {
        self.devices_mut()
            .sort_by_key(|d| crate::xml::order::child_rank("domain/devices", d.element_name()));
    }

    /// The `<emulator>` path, if any.
    pub fn emulator(&self) -> Option<&str> {
        self.devices().iter().find_map(|d| match d {
            Device::Emulator(p) => Some(p.as_str()),
            _ => None,
        })
    }
}

macro_rules! device_iter {
    ($( $(#[$m:meta])* $fn:ident -> $variant:ident($ty:ty) ),* $(,)?) => {
        impl DomainDef {
            $(
                $(#[$m])*
                pub fn $fn(&self) -> impl Iterator<Item = &$ty> {
                    self.devices().iter().filter_map(|d| match d {
                        Device::$variant(x) => Some(x),
                        _ => None,
                    })
                }
            )*
        }
    };
}

device_iter! {
    /// The `<disk>` devices, in order.
    disks -> Disk(Disk),
    /// The `<controller>` devices, in order.
    controllers -> Controller(Controller),
    /// The `<interface>` devices, in order.
    interfaces -> Interface(Interface),
    /// The `<graphics>` devices, in order.
    graphics -> Graphics(Graphics),
    /// The `<video>` devices, in order.
    videos -> Video(Video),
    /// The `<hostdev>` devices, in order.
    hostdevs -> Hostdev(Hostdev),
}

//! [`DomainBuilder`]: building a [`DomainDef`] in code.

use uuid::Uuid;

use super::{DomainDef, DomainType, Os, OsType, Vcpu};
use crate::Memory;
use crate::devices::Device;

/// Builds a [`DomainDef`] step by step; every part not set keeps libvirt's default.
///
/// ```
/// use rvirt_conf::{Device, Disk, DiskSource, DiskType, DomainDef, DomainType};
///
/// let mut disk = Disk::new(DiskType::File, "vda");
/// disk.source = Some(DiskSource::file("/var/lib/images/web.qcow2"));
/// let def = DomainDef::builder(DomainType::Kvm, "web")
///     .memory_mib(2048)
///     .vcpus(2)
///     .arch("x86_64")
///     .machine("q35")
///     .device(Device::Disk(disk))
///     .build();
/// assert_eq!(def.memory_kib(), 2 * 1024 * 1024);
/// assert!(def.to_xml()?.contains("<source file='/var/lib/images/web.qcow2'/>"));
/// # Ok::<(), rvirt_conf::ConfError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DomainBuilder {
    def: DomainDef,
}

impl DomainBuilder {
    /// A domain of `domain_type` named `name`: an `hvm` guest with 1 vCPU and 128 MiB,
    /// or an `exe` container for [`DomainType::Lxc`].
    pub fn new(domain_type: DomainType, name: impl Into<String>) -> DomainBuilder {
        let os_type = if domain_type == DomainType::Lxc {
            OsType::Exe
        } else {
            OsType::Hvm
        };
        DomainBuilder {
            def: DomainDef {
                domain_type,
                name: name.into(),
                memory: Memory::from_kib(128 * 1024),
                vcpu: Some(Vcpu::new(1)),
                os: Os::new(os_type),
                ..DomainDef::default()
            },
        }
    }

    /// Sets the UUID.
    pub fn uuid(mut self, uuid: Uuid) -> Self {
        self.def.uuid = Some(uuid);
        self
    }

    /// Sets `<memory>` in MiB.
    pub fn memory_mib(mut self, mib: u64) -> Self {
        self.def.memory = Memory::from_kib(mib.saturating_mul(1024));
        self
    }

    /// Sets `<memory>` in KiB.
    pub fn memory_kib(mut self, kib: u64) -> Self {
        self.def.memory = Memory::from_kib(kib);
        self
    }

    /// Sets the vCPU count.
    pub fn vcpus(mut self, count: u32) -> Self {
        self.def.vcpu = Some(Vcpu::new(count));
        self
    }

    /// Sets `<os><type arch=…>`.
    pub fn arch(mut self, arch: impl Into<String>) -> Self {
        self.def.os.os_type.arch = Some(arch.into());
        self
    }

    /// Sets `<os><type machine=…>`.
    pub fn machine(mut self, machine: impl Into<String>) -> Self {
        self.def.os.os_type.machine = Some(machine.into());
        self
    }

    /// Sets `<os><type>`.
    pub fn os_type(mut self, os_type: OsType) -> Self {
        self.def.os.os_type.value = os_type;
        self
    }

    /// Sets `<title>`.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.def.title = Some(title.into());
        self
    }

    /// Appends a device.
    pub fn device(mut self, device: Device) -> Self {
        self.def.add_device(device);
        self
    }

    /// Sets the emulator binary.
    pub fn emulator(mut self, path: impl Into<String>) -> Self {
        self.def.add_device(Device::Emulator(path.into()));
        self
    }

    /// The definition.
    pub fn build(self) -> DomainDef {
        self.def
    }
}

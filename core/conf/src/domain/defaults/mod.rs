//! What libvirt does to a definition after parsing it (its "post-parse"): defaults,
//! implicit devices, addresses, and the checks that need the whole definition.
//!
//! [`DomainDef::post_parse`] is the whole of it, for a driver described by
//! [`Defaults`]; [`DomainDef::fill_defaults`] only the defaults, with no driver.

mod devices;
mod graphics;
mod implicit;
mod inactive;
mod normalize;

use uuid::Uuid;

use super::{
    Boot, BootDevice, Clock, ClockOffset, DomainDef, LifecycleAction, OsType, Vcpu, VcpuPlacement,
};
use crate::bitmap::CpuSet;
use crate::devices::{Device, Devices, VideoModelType};
use crate::{ConfError, Memory, codes, domains};

/// What a driver adds to libvirt's generic post-parse (libvirt's per-driver parser
/// configuration and callbacks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Defaults {
    /// Architecture set on `<os><type>` when the definition names none.
    pub default_arch: Option<String>,
    /// Video model for a `<video>` without one.
    pub default_video: Option<VideoModelType>,
    /// Names given to interfaces without `<target dev>`: `PREFIX0`, `PREFIX1`, …
    /// (libvirt's test driver uses `testnet`).
    pub interface_prefix: Option<String>,
    /// Whether user aliases (`ua-…`) are kept in persistent definitions.
    pub user_aliases: bool,
    /// Whether an `exe` guest may leave out `<init>` (the driver has a default).
    pub default_init: bool,
    /// Whether SCSI buses have 16 units (7 otherwise).
    pub wide_scsi: bool,
    /// Whether define may update the guest ABI (libvirt's
    /// `VIR_DOMAIN_DEF_PARSE_ABI_UPDATE`, which the QEMU driver's define passes): the
    /// memory size becomes the sum of the NUMA cells and memory devices.
    pub abi_update: bool,
}

impl Defaults {
    /// libvirt's test driver: `i686`, Cirrus video, `testnetN` interfaces, user
    /// aliases.
    ///
    /// ```
    /// use rvirt_conf::{Defaults, DomainDef};
    /// let mut def = DomainDef::from_xml(
    ///     "<domain type='test'><name>t</name><memory>1024</memory>\
    ///      <os><type>hvm</type></os></domain>",
    /// )?;
    /// def.post_parse(&Defaults::test_driver())?;
    /// assert_eq!(def.os.os_type.arch.as_deref(), Some("i686"));
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn test_driver() -> Defaults {
        Defaults {
            default_arch: Some("i686".into()),
            default_video: Some(VideoModelType::Cirrus),
            interface_prefix: Some("testnet".into()),
            user_aliases: true,
            default_init: false,
            wide_scsi: false,
            abi_update: false,
        }
    }

    /// The LXC driver: containers without `<init>` run `/sbin/init`.
    pub fn lxc() -> Defaults {
        Defaults {
            default_init: true,
            ..Defaults::default()
        }
    }

    /// The QEMU driver's generic part (the machine-dependent defaults are the
    /// driver's): `x86_64`, user aliases, wide SCSI buses.
    pub fn qemu() -> Defaults {
        Defaults {
            default_arch: Some("x86_64".into()),
            user_aliases: true,
            wide_scsi: true,
            abi_update: true,
            ..Defaults::default()
        }
    }
}

pub(super) fn xml_error(message: impl Into<String>) -> ConfError {
    ConfError::Invalid {
        code: codes::XML_ERROR,
        domain: domains::DOMAIN,
        message: message.into(),
    }
}

pub(super) fn unsupported(message: impl Into<String>) -> ConfError {
    ConfError::Invalid {
        code: codes::CONFIG_UNSUPPORTED,
        domain: domains::DOMAIN,
        message: message.into(),
    }
}

impl DomainDef {
    /// libvirt's post-parse for the driver described by `defaults`: fills in defaults,
    /// implicit controllers, consoles and videos, disk addresses and console ports,
    /// and makes the checks that need the whole definition (boot order, duplicate
    /// controllers, timers, memory sizes, …), with libvirt's errors.
    pub fn post_parse(&mut self, defaults: &Defaults) -> Result<(), ConfError> {
        self.post_parse_as(defaults, false, true)
    }

    fn post_parse_as(
        &mut self,
        defaults: &Defaults,
        inactive: bool,
        validate: bool,
    ) -> Result<(), ConfError> {
        for d in self.devices_mut() {
            if let Device::Graphics(g) = d {
                graphics::normalize(g, inactive);
            }
        }
        normalize::normalize(self, inactive);
        if self.os.os_type.value == OsType::Exe && self.os.init.is_none() && !defaults.default_init
        {
            return Err(xml_error("init binary must be specified"));
        }
        if self.os.os_type.arch.is_none()
            && let Some(arch) = &defaults.default_arch
        {
            self.os.os_type.arch = Some(arch.clone());
        }
        if defaults.abi_update {
            self.memory_from_numa();
        }
        self.post_parse_memory()?;
        if validate {
            self.memory_device_nodes()?;
        }
        implicit::assign_controller_indexes(self);
        devices::isa_serial_ports(self)?;
        devices::each_device(self, defaults)?;
        self.check_duplicates()?;
        if validate {
            self.drive_addresses()?;
            self.scsi_hostdev_addresses()?;
        }
        self.boot_order()?;
        implicit::add_implicit_devices(self, defaults)?;
        devices::primary_video(self, defaults);
        devices::first_serial(self);
        implicit::mirror_serial_consoles(self);
        self.fill_defaults();
        // Devices added above sit where libvirt keeps them (one list per kind), so
        // what define stores reads back the same after printing.
        self.sort_devices();
        if let Some(prefix) = &defaults.interface_prefix {
            // libvirt's test driver: each NIC without a host name gets the first
            // PREFIXn no NIC has yet.
            let nics = self
                .devices()
                .iter()
                .filter(|d| matches!(d, Device::Interface(_)));
            for i in 0..nics.count() {
                let taken = |name: &str| {
                    self.devices().iter().any(|d| {
                        matches!(d, Device::Interface(x) if x.target.as_ref().is_some_and(|t| t.dev == name))
                    })
                };
                let Some(Device::Interface(nic)) = self
                    .devices()
                    .iter()
                    .filter(|d| matches!(d, Device::Interface(_)))
                    .nth(i)
                else {
                    continue;
                };
                if nic.target.is_some() {
                    continue;
                }
                let Some(name) = (0..).map(|k| format!("{prefix}{k}")).find(|n| !taken(n)) else {
                    continue;
                };
                if let Some(Device::Interface(nic)) = self
                    .devices_mut()
                    .iter_mut()
                    .filter(|d| matches!(d, Device::Interface(_)))
                    .nth(i)
                {
                    nic.target = Some(crate::devices::InterfaceTarget {
                        dev: name,
                        ..Default::default()
                    });
                }
            }
        }
        Ok(())
    }

    /// Fills in what libvirt fills in on define, for no driver in particular:
    ///
    /// * a random (v4) `uuid` if none, and a `genid` where `<genid/>` asks for one;
    /// * `memory` and `currentMemory` in KiB (rounded up), `currentMemory` set to
    ///   `memory` if absent and clamped to it if larger;
    /// * `<vcpu placement='static'>1</vcpu>` if absent, `placement='static'` if unset,
    ///   the CPU set in canonical form;
    /// * `<boot dev='hd'/>` for `hvm` guests with no `<boot>` and no per-device
    ///   `<boot order>`;
    /// * `<clock offset='utc'/>` if absent;
    /// * `on_poweroff` destroy, `on_reboot` restart, `on_crash` destroy if absent;
    /// * an empty `<devices>` if absent.
    pub fn fill_defaults(&mut self) {
        if self.uuid.is_none() {
            self.uuid = Some(Uuid::new_v4());
        }
        // An empty <genid/> asks for a generation id.
        if self.genid.as_deref().is_some_and(|g| g.trim().is_empty()) {
            self.genid = Some(Uuid::new_v4().hyphenated().to_string());
        }
        self.memory = self.memory.normalized_kib();
        let max = self.memory.value;
        let mut current = self
            .current_memory
            .as_ref()
            .map_or_else(|| self.memory.clone(), Memory::normalized_kib);
        current.dump_core = None;
        if current.value == 0 || current.value > max {
            current.value = max;
        }
        self.current_memory = Some(current);
        let vcpu = self.vcpu.get_or_insert(Vcpu::new(1));
        vcpu.placement.get_or_insert(VcpuPlacement::Static);
        // libvirt keeps CPU sets in its canonical form (`0-3,^2` is written `0-1,3`).
        if let Some(set) = vcpu.cpuset.as_deref().and_then(CpuSet::parse) {
            vcpu.cpuset = Some(set.to_string());
        }
        if vcpu.current == Some(vcpu.count) {
            vcpu.current = None;
        }
        if self.os.os_type.value == OsType::Hvm
            && self.os.boot.is_empty()
            && !self.device_boot()
            && self.bootloader.is_none()
        {
            self.os.boot.push(Boot::new(BootDevice::Hd));
        }
        self.clock.get_or_insert(Clock::new(ClockOffset::Utc));
        self.on_poweroff.get_or_insert(LifecycleAction::Destroy);
        self.on_reboot.get_or_insert(LifecycleAction::Restart);
        self.on_crash.get_or_insert(LifecycleAction::Destroy);
        self.devices.get_or_insert_with(Devices::default);
    }

    /// [`DomainDef::post_parse`], then the state only running domains have removed
    /// ([`DomainDef::make_inactive`]): what `virDomainDefineXML` stores.
    pub fn prepare_define(&mut self, defaults: &Defaults) -> Result<(), ConfError> {
        self.make_inactive(defaults);
        self.post_parse_as(defaults, true, true)
    }

    /// [`DomainDef::prepare_define`] for a definition the driver stored itself (read
    /// with [`DomainDef::from_stored_xml`]): without the checks libvirt skips there.
    pub fn prepare_stored(&mut self, defaults: &Defaults) -> Result<(), ConfError> {
        self.make_inactive(defaults);
        self.post_parse_as(defaults, true, false)
    }

    fn device_boot(&self) -> bool {
        self.devices()
            .iter()
            .any(|d| devices::boot_order(d).is_some())
    }

    /// The size of the memory devices (DIMMs, NVDIMMs, …) in KiB.
    fn memory_devices_kib(&self) -> u64 {
        self.devices()
            .iter()
            .filter_map(|d| match d {
                Device::Memory(m) => devices::memory_device_kib(m),
                _ => None,
            })
            .sum()
    }

    /// libvirt's virDomainDefPostParseMemory with an ABI update: the NUMA cells and the
    /// memory devices make up the memory size.
    fn memory_from_numa(&mut self) {
        let numa_kib: u64 = self
            .cpu
            .as_ref()
            .and_then(|c| c.numa.as_ref())
            .map_or(0, |n| n.cells.iter().map(|c| c.memory_kib()).sum());
        if numa_kib == 0 {
            return;
        }
        let hotplug = self.memory_devices_kib();
        self.memory = Memory::from_kib(numa_kib + hotplug);
    }

    /// libvirt's virDomainMemoryDefValidate: a memory device's node must exist.
    fn memory_device_nodes(&self) -> Result<(), ConfError> {
        let cells = self
            .cpu
            .as_ref()
            .and_then(|c| c.numa.as_ref())
            .map_or(0, |n| n.cells.len());
        for d in self.devices() {
            let Device::Memory(m) = d else { continue };
            let node = m
                .target
                .as_ref()
                .and_then(|t| t.child("node"))
                .and_then(|n| n.text().trim().parse::<i64>().ok())
                .filter(|n| *n >= 0);
            let Some(node) = node else { continue };
            let detail = |message: String| ConfError::Invalid {
                code: codes::XML_DETAIL,
                domain: domains::DOMAIN,
                message,
            };
            if cells == 0 {
                return Err(detail(
                    "can't add memory backend as guest has no NUMA nodes configured".into(),
                ));
            }
            if node as usize >= cells {
                return Err(detail(format!(
                    "can't add memory backend for guest node '{node}' as the guest has only '{cells}' NUMA nodes configured"
                )));
            }
        }
        Ok(())
    }

    fn post_parse_memory(&mut self) -> Result<(), ConfError> {
        let hotplug = self.memory_devices_kib();
        if hotplug > self.memory.kib() {
            return Err(xml_error(
                "Total size of memory devices exceeds the total memory size",
            ));
        }
        if self.memory.kib() == 0 {
            return Err(ConfError::MissingMemory);
        }
        if let Some(max) = &self.max_memory {
            if max.slots.is_none() {
                return Err(xml_error(
                    "both maximum memory size and memory slot count must be specified",
                ));
            }
            if max.kib() < self.memory.kib() {
                return Err(xml_error(
                    "maximum memory size must be equal or greater than the actual memory size",
                ));
            }
        }
        Ok(())
    }

    fn boot_order(&self) -> Result<(), ConfError> {
        if self.os.os_type.value != OsType::Hvm {
            return Ok(());
        }
        let mut seen = std::collections::HashSet::new();
        for d in self.devices() {
            if let Some(order) = devices::boot_order(d)
                && !seen.insert(order)
            {
                return Err(unsupported(format!(
                    "boot order '{order}' used for more than one device"
                )));
            }
        }
        if !self.os.boot.is_empty() && !seen.is_empty() {
            return Err(unsupported(
                "per-device boot elements cannot be used together with os/boot elements",
            ));
        }
        Ok(())
    }

    /// libvirt's virDomainDefDuplicateDriveAddressesValidate, once addresses are given.
    fn drive_addresses(&self) -> Result<(), ConfError> {
        // The first disk at each bus and position.
        let mut first = std::collections::HashMap::new();
        for d in self.devices() {
            let Device::Disk(disk) = d else { continue };
            let Some(at) = disk.address.as_ref().and_then(|a| a.drive_position()) else {
                continue;
            };
            if let Some(dev) = first.insert((disk.target.bus, at), &disk.target.dev) {
                return Err(unsupported(format!(
                    "Found duplicate drive address for disk with target name '{dev}' controller='{}' bus='{}' target='{}' unit='{}'",
                    at[0], at[1], at[2], at[3]
                )));
            }
        }
        Ok(())
    }

    /// The drive positions of the SCSI host devices that have one.
    pub(super) fn scsi_hostdev_positions(&self) -> std::collections::HashSet<[u32; 4]> {
        self.scsi_hostdevs().collect()
    }

    fn scsi_hostdevs(&self) -> impl Iterator<Item = [u32; 4]> + '_ {
        self.devices().iter().filter_map(|d| match d {
            Device::Hostdev(h) if h.hostdev_type == "scsi" => {
                h.address.as_ref().and_then(|a| a.drive_position())
            }
            _ => None,
        })
    }

    /// libvirt's SCSI host device addresses: used by no SCSI disk
    /// (virDomainHostdevDefPostParse) and by one host device only (the second half of
    /// virDomainDefDuplicateDriveAddressesValidate).
    fn scsi_hostdev_addresses(&self) -> Result<(), ConfError> {
        let disks: std::collections::HashSet<[u32; 4]> = self
            .devices()
            .iter()
            .filter_map(|d| match d {
                Device::Disk(k) if k.target.bus == Some(crate::DiskBus::Scsi) => {
                    k.address.as_ref().and_then(|a| a.drive_position())
                }
                _ => None,
            })
            .collect();
        // How many host devices at each position are still to come.
        let mut left = std::collections::HashMap::new();
        for at in self.scsi_hostdevs() {
            *left.entry(at).or_insert(0usize) += 1;
        }
        for at in self.scsi_hostdevs() {
            if disks.contains(&at) {
                return Err(xml_error(format!(
                    "SCSI host address controller='{}' bus='{}' target='{}' unit='{}' in use by a SCSI disk",
                    at[0], at[1], at[2], at[3]
                )));
            }
            let later = left.get_mut(&at).expect("counted above");
            *later -= 1;
            if *later > 0 {
                // (libvirt prints the bus as the controller and the controller as the bus.)
                return Err(unsupported(format!(
                    "SCSI host address controller='{}' bus='{}' target='{}' unit='{}' in use by another SCSI host device",
                    at[1], at[0], at[2], at[3]
                )));
            }
        }
        Ok(())
    }

    fn check_duplicates(&self) -> Result<(), ConfError> {
        let mut seen = std::collections::HashSet::new();
        for c in self.controllers() {
            if c.controller_type == crate::ControllerType::Usb {
                continue;
            }
            let idx = c.index.unwrap_or(0);
            if !seen.insert((c.controller_type, idx)) {
                return Err(xml_error(format!(
                    "Multiple '{}' controllers with index '{idx}'",
                    c.controller_type
                )));
            }
        }
        let mut panics = std::collections::HashSet::new();
        for d in self.devices() {
            if let Device::Panic(p) = d
                && !panics.insert(p.model.clone())
            {
                return Err(xml_error(format!(
                    "Multiple panic devices with model '{}'",
                    p.model.as_deref().unwrap_or("default")
                )));
            }
        }
        Ok(())
    }
}

//! [`DomainDef::fill_defaults`]: the defaults libvirt fills in on define.

use uuid::Uuid;

use super::{
    Boot, BootDevice, Clock, ClockOffset, DomainDef, LifecycleAction, OsType, Vcpu, VcpuPlacement,
};
use crate::Memory;
use crate::bitmap::CpuSet;
use crate::devices::{Device, Devices};

impl DomainDef {
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
}

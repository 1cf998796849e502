//! The QEMU driver's configuration calls (`rvirt_core::driver::Configuration`), as
//! libvirt's QEMU driver answers them:
//!
//! * memory: the balloon target live (QMP `balloon`), `<currentMemory>` and
//!   `<memory>` of the persistent definition ([`memory`]); the live `<currentMemory>`
//!   follows QEMU's `BALLOON_CHANGE` ([`apply_balloon_change`]), not the target;
//! * devices: `<disk>` (virtio) and `<interface type='user'>` attached and detached
//!   live through QMP ([`hotplug`]), any `<disk>`/`<interface>` in the persistent
//!   definition ([`device_xml`]); the live definition loses a device when QEMU reports
//!   `DEVICE_DELETED` ([`apply_device_deleted`]);
//! * rename of an inactive persistent domain ([`rename`]);
//! * vCPU and emulator pinning, live (`sched_setaffinity`) and persistent ([`pinning`]);
//! * I/O threads added, removed and pinned, live and persistent ([`iothreads`]);
//! * lifecycle actions, live and persistent ([`lifecycle`]);
//! * the scheduler's parameters (`super::scheduler`), the memory parameters
//!   (`super::memtune`) and the blkio parameters (`super::blkiotune`).
//!
//! Not done (`VIR_ERR_NO_SUPPORT`): vCPU counts and update-device.

mod balloon_period;
mod block_resize;
mod device_xml;
mod hotplug;
mod iothread_params;
mod iothreads;
mod lifecycle;
mod media;
mod memory;
mod pinning;
mod rename;
mod vcpus;

use rvirt_core::Result;
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::{Configuration, DomainRef};
use rvirt_core::objects::{AFFECT_CONFIG, AFFECT_LIVE};

pub(crate) use hotplug::apply_device_deleted;
pub(crate) use memory::apply_balloon_change;

use super::connection::{QemuConnection, check_flags};
use super::instance::Shared;
use super::running::{Vm, save_status};
use memory::MEM_MAXIMUM;

/// The persistent definition of `vm` for editing: `next_def` while it runs (a copy of
/// the live one if it had none), else its only definition.
pub(crate) fn persistent_mut(vm: &mut Vm) -> &mut DomainDef {
    if vm.is_active() {
        if vm.next_def.is_none() {
            vm.next_def = Some(vm.def.clone());
        }
        vm.next_def.as_mut().unwrap_or(&mut vm.def)
    } else {
        &mut vm.def
    }
}

/// The definition a query with `flags` reads: the live one, or the persistent one
/// (kept apart from the live one while the domain runs).
pub(crate) fn selected_def(vm: &Vm, flags: u32) -> Result<&DomainDef> {
    let (live, _) = rvirt_core::objects::impact(vm, flags)?;
    Ok(if live {
        &vm.def
    } else {
        vm.next_def.as_ref().unwrap_or(&vm.def)
    })
}

/// Writes the persistent definition `def` to its file (atomically: temp + rename).
pub(crate) fn save_config(shared: &Shared, def: &DomainDef) -> Result<()> {
    match shared.domains.configs() {
        Some(configs) => configs.save(def),
        None => Ok(()),
    }
}

/// The live definition changed: rewrite the status file (a reconnecting instance
/// finds the change).
pub(crate) fn touch_status(vm: &mut Vm) {
    if let Some(run) = vm.run.as_mut() {
        run.saved = None;
    }
    save_status(vm);
}

impl Configuration for QemuConnection {
    fn set_tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &rvirt_core::api::Tunable,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        use rvirt_core::api::Tunable;
        match what {
            Tunable::Memory => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "qemuDomainSetMemoryParameters",
                )?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().set_memory_parameters(&entry, params, flags)
            }
            Tunable::Blkio => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "qemuDomainSetBlkioParameters",
                )?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().set_blkio_parameters(&entry, params, flags)
            }
            Tunable::Interface(device) => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "qemuDomainSetInterfaceParameters",
                )?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared()
                    .set_interface_parameters(&entry, device, params, flags)
            }
            Tunable::BlockIo(path) => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "qemuDomainSetBlockIoTune",
                )?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().set_block_io_tune(&entry, path, params, flags)
            }
            Tunable::Numa => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "qemuDomainSetNumaParameters",
                )?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().set_numa_parameters(&entry, params, flags)
            }
            Tunable::Perf => {
                check_flags(
                    flags,
                    AFFECT_LIVE | AFFECT_CONFIG,
                    "qemuDomainSetPerfEvents",
                )?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().set_perf_events(&entry, params, flags)
            }
        }
    }

    fn set_scheduler_parameters(
        &self,
        dom: &DomainRef,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainSetSchedulerParametersFlags",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared()
            .set_scheduler_parameters(&entry, params, flags)
    }

    fn pin_vcpu_flags(
        &self,
        dom: &DomainRef,
        vcpu: u32,
        cpumap: &rvirt_core::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemuDomainPinVcpuFlags")?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().pin_vcpu(&entry, vcpu, cpumap, flags)
    }

    fn set_lifecycle_action(
        &self,
        dom: &DomainRef,
        kind: u32,
        action: u32,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainSetLifecycleAction",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared()
            .set_lifecycle_action(&entry, kind, action, flags)
    }

    fn add_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemuDomainAddIOThread")?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().add_iothread(&entry, id, flags)
    }

    fn del_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemuDomainDelIOThread")?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().del_iothread(&entry, id, flags)
    }

    fn set_iothread_params(
        &self,
        dom: &DomainRef,
        id: u32,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainSetIOThreadParams",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().set_iothread_params(&entry, id, params, flags)
    }

    fn pin_iothread(
        &self,
        dom: &DomainRef,
        id: u32,
        cpumap: &rvirt_core::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemuDomainPinIOThread")?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().pin_iothread(&entry, id, cpumap, flags)
    }

    fn pin_emulator(
        &self,
        dom: &DomainRef,
        cpumap: &rvirt_core::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemuDomainPinEmulator")?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().pin_emulator(&entry, cpumap, flags)
    }

    fn set_memory_flags(&self, dom: &DomainRef, kib: u64, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG | MEM_MAXIMUM,
            "qemuDomainSetMemoryFlags",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().set_memory_flags(&entry, kib, flags)
    }

    fn set_memory_stats_period(&self, dom: &DomainRef, period: i32, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainSetMemoryStatsPeriod",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().set_memory_stats_period(&entry, period, flags)
    }

    fn update_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        // VIR_DOMAIN_DEVICE_MODIFY_FORCE (4): the tray is always opened by force.
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG | 4,
            "qemuDomainUpdateDeviceFlags",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared()
            .update_device(&entry, xml, flags & (AFFECT_LIVE | AFFECT_CONFIG))
    }

    fn set_vcpus_flags(&self, dom: &DomainRef, count: u32, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG | vcpus::VCPU_MAXIMUM,
            "qemuDomainSetVcpusFlags",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().set_vcpus(&entry, count, flags)
    }

    fn set_vcpus(&self, dom: &DomainRef, count: u32) -> Result<()> {
        self.set_vcpus_flags(dom, count, AFFECT_LIVE)
    }

    fn set_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        self.set_memory_flags(dom, kib, AFFECT_LIVE)
    }

    fn set_max_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        self.set_memory_flags(dom, kib, MEM_MAXIMUM)
    }

    fn attach_device(&self, dom: &DomainRef, xml: &str) -> Result<()> {
        self.attach_device_flags(dom, xml, AFFECT_LIVE)
    }

    fn attach_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainAttachDeviceFlags",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().attach_device(&entry, xml, flags)
    }

    fn detach_device(&self, dom: &DomainRef, xml: &str) -> Result<()> {
        self.detach_device_flags(dom, xml, AFFECT_LIVE)
    }

    fn detach_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainDetachDeviceFlags",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().detach_device(&entry, xml, flags)
    }

    fn detach_device_alias(&self, dom: &DomainRef, alias: &str, flags: u32) -> Result<()> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainDetachDeviceAlias",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().detach_device_alias(&entry, alias, flags)
    }

    fn block_resize(&self, dom: &DomainRef, disk: &str, size: u64, flags: u32) -> Result<()> {
        check_flags(flags, block_resize::BYTES, "qemuDomainBlockResize")?;
        block_resize::block_resize(self.shared(), dom, disk, size, flags)
    }

    fn rename(&self, dom: &DomainRef, new_name: &str, flags: u32) -> Result<()> {
        check_flags(flags, 0, "qemuDomainRename")?;
        rename::rename(self.shared(), dom, new_name)
    }
}

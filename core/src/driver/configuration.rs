//! [`Configuration`]: the calls that change a domain's definition in place — memory,
//! vCPUs, devices, its name (`virDomainSetMemory*`, `virDomainSetVcpus*`,
//! `virDomain{Attach,Detach,Update}Device*`, `virDomainRename`, scheduler parameters). A driver opts in
//! through [`DriverConnection::configuration`](super::DriverConnection::configuration);
//! every method defaults to `VIR_ERR_NO_SUPPORT` (`VIR_FROM_DOMAIN`) naming the API, as
//! libvirt answers for a driver without it.

use crate::{Error, ErrorDomain, Result};

use super::DomainRef;

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Domain, api.to_string()))
}

/// Configuration-changing operations of one driver connection.
#[allow(unused_variables)]
pub trait Configuration: Send + Sync {
    /// Sets the balloon target, or with `VIR_DOMAIN_MEM_MAXIMUM` the maximum, in KiB,
    /// of the definitions `flags` select (`virDomainSetMemoryFlags`).
    fn set_memory_flags(&self, dom: &DomainRef, kib: u64, flags: u32) -> Result<()> {
        unsupported("virDomainSetMemoryFlags")
    }
    /// Sets the live balloon target in KiB (`virDomainSetMemory`).
    fn set_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        unsupported("virDomainSetMemory")
    }
    /// Sets the maximum memory in KiB (`virDomainSetMaxMemory`).
    fn set_max_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        unsupported("virDomainSetMaxMemory")
    }
    /// Sets the vCPU count, or with `VIR_DOMAIN_VCPU_MAXIMUM` the maximum, of the
    /// definitions `flags` select (`virDomainSetVcpusFlags`).
    fn set_vcpus_flags(&self, dom: &DomainRef, count: u32, flags: u32) -> Result<()> {
        unsupported("virDomainSetVcpusFlags")
    }
    /// Sets the live vCPU count (`virDomainSetVcpus`).
    fn set_vcpus(&self, dom: &DomainRef, count: u32) -> Result<()> {
        unsupported("virDomainSetVcpus")
    }
    /// Pins vCPU `vcpu` to the host CPUs of `cpumap` in the definitions `flags`
    /// (`VIR_DOMAIN_AFFECT_*`) select (`virDomainPinVcpuFlags`).
    fn pin_vcpu_flags(
        &self,
        dom: &DomainRef,
        vcpu: u32,
        cpumap: &crate::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainPinVcpuFlags")
    }
    /// Pins vCPU `vcpu` of the running domain (`virDomainPinVcpu`): by default
    /// [`pin_vcpu_flags`](Configuration::pin_vcpu_flags) with `VIR_DOMAIN_AFFECT_LIVE`.
    fn pin_vcpu(&self, dom: &DomainRef, vcpu: u32, cpumap: &crate::api::CpuMap) -> Result<()> {
        self.pin_vcpu_flags(dom, vcpu, cpumap, 1)
    }
    /// Pins the domain's emulator threads to the host CPUs of `cpumap`
    /// (`virDomainPinEmulator`).
    fn pin_emulator(&self, dom: &DomainRef, cpumap: &crate::api::CpuMap, flags: u32) -> Result<()> {
        unsupported("virDomainPinEmulator")
    }
    /// Sets how often the balloon refreshes its statistics, seconds (0 stops it), in
    /// the definitions `flags` select (`virDomainSetMemoryStatsPeriod`).
    fn set_memory_stats_period(&self, dom: &DomainRef, period: i32, flags: u32) -> Result<()> {
        unsupported("virDomainSetMemoryStatsPeriod")
    }
    /// Sets what the domain does on power-off (`kind` 0), reboot (1) or crash (2):
    /// `action` destroy (0), restart (1), rename-restart (2), preserve (3),
    /// coredump-destroy (4) or coredump-restart (5), in the definitions `flags`
    /// select (`virDomainSetLifecycleAction`; both numbers already checked).
    fn set_lifecycle_action(
        &self,
        dom: &DomainRef,
        kind: u32,
        action: u32,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetLifecycleAction")
    }
    /// Adds I/O thread `id` to the definitions `flags` select (`virDomainAddIOThread`).
    fn add_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        unsupported("virDomainAddIOThread")
    }
    /// Removes I/O thread `id` (`virDomainDelIOThread`).
    fn del_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        unsupported("virDomainDelIOThread")
    }
    /// Pins I/O thread `id` to the host CPUs of `cpumap` (`virDomainPinIOThread`).
    fn pin_iothread(
        &self,
        dom: &DomainRef,
        id: u32,
        cpumap: &crate::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainPinIOThread")
    }
    /// Tunes I/O thread `id` (`virDomainSetIOThreadParams`: `poll_max_ns`, `poll_grow`,
    /// `poll_shrink`, `thread_pool_min`, `thread_pool_max`) in the definitions `flags`
    /// select.
    fn set_iothread_params(
        &self,
        dom: &DomainRef,
        id: u32,
        params: &[crate::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetIOThreadParams")
    }
    /// Adds the device `xml` describes (`virDomainAttachDevice`).
    fn attach_device(&self, dom: &DomainRef, xml: &str) -> Result<()> {
        unsupported("virDomainAttachDevice")
    }
    /// Adds the device `xml` describes to the definitions `flags` select
    /// (`virDomainAttachDeviceFlags`).
    fn attach_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        unsupported("virDomainAttachDeviceFlags")
    }
    /// Removes the device `xml` names (`virDomainDetachDevice`).
    fn detach_device(&self, dom: &DomainRef, xml: &str) -> Result<()> {
        unsupported("virDomainDetachDevice")
    }
    /// Removes the device `xml` names from the definitions `flags` select
    /// (`virDomainDetachDeviceFlags`).
    fn detach_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        unsupported("virDomainDetachDeviceFlags")
    }
    /// Removes the device with alias `alias` from the definitions `flags` select
    /// (`virDomainDetachDeviceAlias`).
    fn detach_device_alias(&self, dom: &DomainRef, alias: &str, flags: u32) -> Result<()> {
        unsupported("virDomainDetachDeviceAlias")
    }
    /// Changes a device in place, e.g. a CD-ROM's medium (`virDomainUpdateDeviceFlags`).
    fn update_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        unsupported("virDomainUpdateDeviceFlags")
    }
    /// `virDomainBlockResize`: grows (or shrinks) the running guest's disk `disk`
    /// (target or source path) to `size` KiB, or bytes with flag 1.
    fn block_resize(&self, dom: &DomainRef, disk: &str, size: u64, flags: u32) -> Result<()> {
        unsupported("virDomainBlockResize")
    }
    /// `virDomainRename`: renames an inactive domain.
    fn rename(&self, dom: &DomainRef, new_name: &str, flags: u32) -> Result<()> {
        unsupported("virDomainRename")
    }
    /// `virDomainSetSchedulerParametersFlags`: sets the named scheduler parameters
    /// (those [`Monitoring::scheduler_parameters`](super::Monitoring::scheduler_parameters)
    /// lists) of the definitions `flags` (`virDomainModificationImpact`) select.
    fn set_scheduler_parameters(
        &self,
        dom: &DomainRef,
        params: &[crate::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetSchedulerParametersFlags")
    }
    /// Sets the named tuning parameters of set `what` in the definitions `flags`
    /// (`virDomainModificationImpact`) select (`virDomainSetMemoryParameters`,
    /// `virDomainSetBlkioParameters`, …).
    fn set_tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &crate::api::Tunable,
        params: &[crate::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        unsupported(what.set_api())
    }
}

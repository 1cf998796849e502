//! [`Domain`]'s configuration calls: memory, vCPUs, devices, rename.

use super::Domain;
use crate::driver::Configuration;
use crate::{Error, ErrorDomain, Result};

impl Domain {
    /// The driver's configuration operations, after the read-only check, or
    /// `VIR_ERR_NO_SUPPORT` naming `api`.
    fn configuration(&self, api: &str) -> Result<&dyn Configuration> {
        self.connect().check_writable(api)?;
        self.connect()
            .driver()?
            .configuration()
            .ok_or_else(|| Error::no_support(ErrorDomain::Domain, api.to_string()))
    }

    /// Sets the balloon target (or with `VIR_DOMAIN_MEM_MAXIMUM` the maximum) in KiB
    /// (`virDomainSetMemoryFlags`).
    pub fn set_memory_flags(&self, kib: u64, flags: u32) -> Result<()> {
        self.configuration("virDomainSetMemoryFlags")?
            .set_memory_flags(self.domain_ref(), kib, flags)
    }

    /// Sets the live balloon target in KiB (`virDomainSetMemory`).
    pub fn set_memory(&self, kib: u64) -> Result<()> {
        self.configuration("virDomainSetMemory")?
            .set_memory(self.domain_ref(), kib)
    }

    /// Sets the maximum memory in KiB (`virDomainSetMaxMemory`).
    pub fn set_max_memory(&self, kib: u64) -> Result<()> {
        self.configuration("virDomainSetMaxMemory")?
            .set_max_memory(self.domain_ref(), kib)
    }

    /// Pins vCPU `vcpu` to the host CPUs set in `cpumap` in the definitions `flags`
    /// (`VIR_DOMAIN_AFFECT_*`) select (`virDomainPinVcpuFlags`).
    pub fn pin_vcpu_flags(&self, vcpu: u32, cpumap: &super::CpuMap, flags: u32) -> Result<()> {
        self.configuration("virDomainPinVcpuFlags")?.pin_vcpu_flags(
            self.domain_ref(),
            vcpu,
            cpumap,
            flags,
        )
    }

    /// Pins vCPU `vcpu` of the running domain to the host CPUs set in `cpumap`
    /// (`virDomainPinVcpu`).
    pub fn pin_vcpu(&self, vcpu: u32, cpumap: &super::CpuMap) -> Result<()> {
        self.configuration("virDomainPinVcpu")?
            .pin_vcpu(self.domain_ref(), vcpu, cpumap)
    }

    /// Pins the domain's emulator threads to the host CPUs set in `cpumap`
    /// (`virDomainPinEmulator`).
    pub fn pin_emulator(&self, cpumap: &super::CpuMap, flags: u32) -> Result<()> {
        self.configuration("virDomainPinEmulator")?
            .pin_emulator(self.domain_ref(), cpumap, flags)
    }

    /// Sets what the domain does on power-off (`kind` 0), reboot (1) or crash (2):
    /// destroy (0), restart (1), rename-restart (2), preserve (3), coredump-destroy (4)
    /// or coredump-restart (5), in the definitions `flags` (`VIR_DOMAIN_AFFECT_*`)
    /// select (`virDomainSetLifecycleAction`). Other numbers are refused as libvirt's
    /// library refuses them.
    pub fn set_lifecycle_action(&self, kind: u32, action: u32, flags: u32) -> Result<()> {
        if kind > 2 {
            return Err(Error::invalid_arg(
                ErrorDomain::Domain,
                format!("invalid lifecycle type '{kind}'"),
            ));
        }
        if action > 5 {
            return Err(Error::invalid_arg(
                ErrorDomain::Domain,
                format!("invalid lifecycle action '{action}'"),
            ));
        }
        self.configuration("virDomainSetLifecycleAction")?
            .set_lifecycle_action(self.domain_ref(), kind, action, flags)
    }

    /// Adds I/O thread `id` (not 0) to the definitions `flags` (`VIR_DOMAIN_AFFECT_*`)
    /// select (`virDomainAddIOThread`).
    pub fn add_iothread(&self, id: u32, flags: u32) -> Result<()> {
        self.configuration("virDomainAddIOThread")?
            .add_iothread(self.domain_ref(), id, flags)
    }

    /// Removes I/O thread `id` (not 0) and its pinning (`virDomainDelIOThread`).
    pub fn del_iothread(&self, id: u32, flags: u32) -> Result<()> {
        let api = "virDomainDelIOThread";
        let conf = self.configuration(api)?;
        if id == 0 {
            return Err(Error::verbatim(
                crate::ErrorCode::InvalidArg,
                ErrorDomain::Domain,
                format!("iothread_id in {api} must not be zero"),
            ));
        }
        conf.del_iothread(self.domain_ref(), id, flags)
    }

    /// Pins I/O thread `id` to the host CPUs of `cpumap` (`virDomainPinIOThread`).
    pub fn pin_iothread(&self, id: u32, cpumap: &super::CpuMap, flags: u32) -> Result<()> {
        self.configuration("virDomainPinIOThread")?.pin_iothread(
            self.domain_ref(),
            id,
            cpumap,
            flags,
        )
    }

    /// Tunes I/O thread `id`'s polling and worker pool (`virDomainSetIOThreadParams`:
    /// `poll_max_ns`, `poll_grow`, `poll_shrink`, `thread_pool_min`, `thread_pool_max`)
    /// in the definitions `flags` (`VIR_DOMAIN_AFFECT_*`) select.
    pub fn set_iothread_params(
        &self,
        id: u32,
        params: &[super::TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.configuration("virDomainSetIOThreadParams")?
            .set_iothread_params(self.domain_ref(), id, params, flags)
    }

    /// Sets how often the balloon refreshes its statistics, in seconds (0 stops it), in
    /// the definitions `flags` (`VIR_DOMAIN_AFFECT_*`) select
    /// (`virDomainSetMemoryStatsPeriod`).
    pub fn set_memory_stats_period(&self, period: i32, flags: u32) -> Result<()> {
        let api = "virDomainSetMemoryStatsPeriod";
        if period < 0 {
            return Err(Error::verbatim(
                crate::ErrorCode::InvalidArg,
                ErrorDomain::Domain,
                format!("period in {api} must be zero or greater"),
            ));
        }
        self.configuration(api)?
            .set_memory_stats_period(self.domain_ref(), period, flags)
    }

    /// Sets the vCPU count (or with `VIR_DOMAIN_VCPU_MAXIMUM` the maximum)
    /// (`virDomainSetVcpusFlags`).
    pub fn set_vcpus_flags(&self, count: u32, flags: u32) -> Result<()> {
        self.configuration("virDomainSetVcpusFlags")?
            .set_vcpus_flags(self.domain_ref(), count, flags)
    }

    /// Sets the live vCPU count (`virDomainSetVcpus`).
    pub fn set_vcpus(&self, count: u32) -> Result<()> {
        self.configuration("virDomainSetVcpus")?
            .set_vcpus(self.domain_ref(), count)
    }

    /// Adds a device (`virDomainAttachDevice`).
    pub fn attach_device(&self, xml: &str) -> Result<()> {
        self.configuration("virDomainAttachDevice")?
            .attach_device(self.domain_ref(), xml)
    }

    /// Adds a device to the definitions `flags` select (`virDomainAttachDeviceFlags`).
    pub fn attach_device_flags(&self, xml: &str, flags: u32) -> Result<()> {
        self.configuration("virDomainAttachDeviceFlags")?
            .attach_device_flags(self.domain_ref(), xml, flags)
    }

    /// Removes a device (`virDomainDetachDevice`).
    pub fn detach_device(&self, xml: &str) -> Result<()> {
        self.configuration("virDomainDetachDevice")?
            .detach_device(self.domain_ref(), xml)
    }

    /// Removes a device from the definitions `flags` select
    /// (`virDomainDetachDeviceFlags`).
    pub fn detach_device_flags(&self, xml: &str, flags: u32) -> Result<()> {
        self.configuration("virDomainDetachDeviceFlags")?
            .detach_device_flags(self.domain_ref(), xml, flags)
    }

    /// Removes the device with alias `alias` from the definitions `flags` select
    /// (`virDomainDetachDeviceAlias`).
    pub fn detach_device_alias(&self, alias: &str, flags: u32) -> Result<()> {
        self.configuration("virDomainDetachDeviceAlias")?
            .detach_device_alias(self.domain_ref(), alias, flags)
    }

    /// Changes a device in place (`virDomainUpdateDeviceFlags`).
    pub fn update_device_flags(&self, xml: &str, flags: u32) -> Result<()> {
        self.configuration("virDomainUpdateDeviceFlags")?
            .update_device_flags(self.domain_ref(), xml, flags)
    }

    /// Resizes the running guest's disk `disk` (target or source path) to `size`
    /// KiB, or bytes with `flags` 1 (`VIR_DOMAIN_BLOCK_RESIZE_BYTES`)
    /// (`virDomainBlockResize`).
    pub fn block_resize(&self, disk: &str, size: u64, flags: u32) -> Result<()> {
        self.configuration("virDomainBlockResize")?.block_resize(
            self.domain_ref(),
            disk,
            size,
            flags,
        )
    }

    /// Renames the (inactive) domain; this handle then carries the new name
    /// (`virDomainRename`).
    pub fn rename(&mut self, new_name: &str, flags: u32) -> Result<()> {
        self.configuration("virDomainRename")?
            .rename(self.domain_ref(), new_name, flags)?;
        self.set_name(new_name);
        Ok(())
    }

    /// Sets scheduler parameters by name (`virDomainSetSchedulerParametersFlags`;
    /// `flags` as for [`Domain::scheduler_parameters`]). Unknown names and wrong types
    /// are refused with `VIR_ERR_INVALID_ARG`.
    pub fn set_scheduler_parameters(
        &self,
        params: &[crate::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.configuration("virDomainSetSchedulerParametersFlags")?
            .set_scheduler_parameters(self.domain_ref(), params, flags)
    }

    /// Sets tuning parameters of set `what` by name (`virDomainSetMemoryParameters`,
    /// `virDomainSetBlkioParameters`, …; `flags` as for [`Domain::tuning_parameters`],
    /// both allowed). Unknown names and wrong types are refused with libvirt's
    /// `virTypedParamsValidate` errors.
    pub fn set_tuning_parameters(
        &self,
        what: &crate::api::Tunable,
        params: &[crate::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        if params.is_empty() {
            return Err(crate::Error::invalid_arg(
                crate::ErrorDomain::Domain,
                format!("nparams in {} must be greater than zero", what.set_api()),
            ));
        }
        self.configuration(what.set_api())?.set_tuning_parameters(
            self.domain_ref(),
            what,
            params,
            flags,
        )
    }

    /// Sets memory limits in KiB (`virDomainSetMemoryParameters`; see
    /// [`Domain::set_tuning_parameters`]).
    pub fn set_memory_parameters(
        &self,
        params: &[crate::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.set_tuning_parameters(&crate::api::Tunable::Memory, params, flags)
    }
}

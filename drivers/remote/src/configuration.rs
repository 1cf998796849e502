//! [`Configuration`] over the wire (the inverse of rvirtd's configuration handlers).

use rvirt_core::Result;
use rvirt_core::driver::{Configuration, DomainRef};
use rvirt_rpc::configuration::*;
use rvirt_rpc::procs;

use crate::connection::RemoteConnection;
use crate::wire::to_wire;

impl RemoteConnection {
    fn device_call(&self, proc: i32, dom: &DomainRef, xml: &str) -> Result<()> {
        let args = DomainDeviceArgs {
            dom: to_wire(dom),
            xml: xml.to_string(),
        };
        self.client().call(proc, &args)
    }

    fn device_flags_call(&self, proc: i32, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        let args = DomainDeviceFlagsArgs {
            dom: to_wire(dom),
            xml: xml.to_string(),
            flags,
        };
        self.client().call(proc, &args)
    }
}

impl Configuration for RemoteConnection {
    fn set_memory_flags(&self, dom: &DomainRef, kib: u64, flags: u32) -> Result<()> {
        let args = DomainSetMemoryFlagsArgs {
            dom: to_wire(dom),
            memory: kib,
            flags,
        };
        self.client().call(procs::DOMAIN_SET_MEMORY_FLAGS, &args)
    }

    fn pin_vcpu_flags(
        &self,
        dom: &DomainRef,
        vcpu: u32,
        cpumap: &rvirt_core::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        let args = DomainPinVcpuFlagsArgs {
            dom: to_wire(dom),
            vcpu,
            cpumap: cpumap.0.clone(),
            flags,
        };
        self.client().call(procs::DOMAIN_PIN_VCPU_FLAGS, &args)
    }

    fn pin_vcpu(&self, dom: &DomainRef, vcpu: u32, cpumap: &rvirt_core::api::CpuMap) -> Result<()> {
        let args = DomainPinVcpuArgs {
            dom: to_wire(dom),
            vcpu,
            cpumap: cpumap.0.clone(),
        };
        self.client().call(procs::DOMAIN_PIN_VCPU, &args)
    }

    fn add_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        let args = rvirt_rpc::configuration::DomainIothreadArgs {
            dom: to_wire(dom),
            iothread_id: id,
            flags,
        };
        self.client().call(procs::DOMAIN_ADD_IOTHREAD, &args)
    }

    fn del_iothread(&self, dom: &DomainRef, id: u32, flags: u32) -> Result<()> {
        let args = rvirt_rpc::configuration::DomainIothreadArgs {
            dom: to_wire(dom),
            iothread_id: id,
            flags,
        };
        self.client().call(procs::DOMAIN_DEL_IOTHREAD, &args)
    }

    fn pin_iothread(
        &self,
        dom: &DomainRef,
        id: u32,
        cpumap: &rvirt_core::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::configuration::DomainPinIothreadArgs {
            dom: to_wire(dom),
            iothreads_id: id,
            cpumap: cpumap.0.clone(),
            flags,
        };
        self.client().call(procs::DOMAIN_PIN_IOTHREAD, &args)
    }

    fn set_iothread_params(
        &self,
        dom: &DomainRef,
        id: u32,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        let args = DomainSetIothreadParamsArgs {
            dom: to_wire(dom),
            iothread_id: id,
            params: params.iter().cloned().map(Into::into).collect(),
            flags,
        };
        self.client().call(procs::DOMAIN_SET_IOTHREAD_PARAMS, &args)
    }

    fn pin_emulator(
        &self,
        dom: &DomainRef,
        cpumap: &rvirt_core::api::CpuMap,
        flags: u32,
    ) -> Result<()> {
        let args = DomainPinEmulatorArgs {
            dom: to_wire(dom),
            cpumap: cpumap.0.clone(),
            flags,
        };
        self.client().call(procs::DOMAIN_PIN_EMULATOR, &args)
    }

    fn set_memory_stats_period(&self, dom: &DomainRef, period: i32, flags: u32) -> Result<()> {
        let args = rvirt_rpc::configuration::DomainSetMemoryStatsPeriodArgs {
            dom: to_wire(dom),
            period,
            flags,
        };
        self.client()
            .call(procs::DOMAIN_SET_MEMORY_STATS_PERIOD, &args)
    }

    fn set_lifecycle_action(
        &self,
        dom: &DomainRef,
        kind: u32,
        action: u32,
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::configuration::DomainSetLifecycleActionArgs {
            dom: to_wire(dom),
            kind,
            action,
            flags,
        };
        self.client()
            .call(procs::DOMAIN_SET_LIFECYCLE_ACTION, &args)
    }

    fn set_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        let args = DomainSetMemoryArgs {
            dom: to_wire(dom),
            memory: kib,
        };
        self.client().call(procs::DOMAIN_SET_MEMORY, &args)
    }

    fn set_max_memory(&self, dom: &DomainRef, kib: u64) -> Result<()> {
        let args = DomainSetMemoryArgs {
            dom: to_wire(dom),
            memory: kib,
        };
        self.client().call(procs::DOMAIN_SET_MAX_MEMORY, &args)
    }

    fn set_vcpus_flags(&self, dom: &DomainRef, count: u32, flags: u32) -> Result<()> {
        let args = DomainSetVcpusFlagsArgs {
            dom: to_wire(dom),
            nvcpus: count,
            flags,
        };
        self.client().call(procs::DOMAIN_SET_VCPUS_FLAGS, &args)
    }

    fn set_vcpus(&self, dom: &DomainRef, count: u32) -> Result<()> {
        let args = DomainSetVcpusArgs {
            dom: to_wire(dom),
            nvcpus: count,
        };
        self.client().call(procs::DOMAIN_SET_VCPUS, &args)
    }

    fn attach_device(&self, dom: &DomainRef, xml: &str) -> Result<()> {
        self.device_call(procs::DOMAIN_ATTACH_DEVICE, dom, xml)
    }

    fn attach_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        self.device_flags_call(procs::DOMAIN_ATTACH_DEVICE_FLAGS, dom, xml, flags)
    }

    fn detach_device(&self, dom: &DomainRef, xml: &str) -> Result<()> {
        self.device_call(procs::DOMAIN_DETACH_DEVICE, dom, xml)
    }

    fn detach_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        self.device_flags_call(procs::DOMAIN_DETACH_DEVICE_FLAGS, dom, xml, flags)
    }

    fn detach_device_alias(&self, dom: &DomainRef, alias: &str, flags: u32) -> Result<()> {
        let args = rvirt_rpc::configuration::DomainDetachDeviceAliasArgs {
            dom: crate::wire::to_wire(dom),
            alias: alias.to_string(),
            flags,
        };
        self.client().call(procs::DOMAIN_DETACH_DEVICE_ALIAS, &args)
    }

    fn update_device_flags(&self, dom: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        self.device_flags_call(procs::DOMAIN_UPDATE_DEVICE_FLAGS, dom, xml, flags)
    }

    fn block_resize(&self, dom: &DomainRef, disk: &str, size: u64, flags: u32) -> Result<()> {
        self.remote_block_resize(dom, disk, size, flags)
    }

    fn rename(&self, dom: &DomainRef, new_name: &str, flags: u32) -> Result<()> {
        let args = DomainRenameArgs {
            dom: to_wire(dom),
            new_name: Some(new_name.to_string()),
            flags,
        };
        let _: DomainRenameRet = self.client().call(procs::DOMAIN_RENAME, &args)?;
        Ok(())
    }

    fn set_scheduler_parameters(
        &self,
        dom: &DomainRef,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::tuning::DomainSetSchedulerParametersFlagsArgs {
            dom: to_wire(dom),
            params: params.iter().cloned().map(Into::into).collect(),
            flags,
        };
        self.client()
            .call::<_, ()>(procs::DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS, &args)
    }

    fn set_tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &rvirt_core::api::Tunable,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.set_tuning(dom, what, params, flags)
    }
}

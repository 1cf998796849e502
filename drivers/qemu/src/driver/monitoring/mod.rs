//! The QEMU driver's monitoring operations (`rvirt_core::driver::Monitoring`), as
//! libvirt's QEMU driver answers them: statistics from `/proc` and from QMP queries
//! ([`collect`], [`info`]), facts from the definition, metadata through the shared
//! domain objects (a live change is rewritten into the status file, so a driver
//! instance reconnecting keeps it), and the node's memory and CPUs from sysfs.
//!
//! Interface addresses come from the networks' DHCP leases or the guest agent
//! ([`addresses`]); host name, file systems and guest time from the guest agent.
//!
//! Not answered (`VIR_ERR_NO_SUPPORT`): the host name from leases and the scheduler. Interface
//! statistics are the host taps' counters (network and bridge NICs; user-mode NICs have
//! no host device).

mod addresses;
mod block_jobs;
mod collect;
mod groups;
mod info;
mod queries;
mod snapshot;

use rvirt_core::api::{
    BlockInfo, BlockStats, ControlInfo, CpuMap, DomainInterface, DomainStatsRecord, InterfaceStats,
    IoThreadInfo, JobInfo, MemoryStat, MetadataType, NodeCpuMap, NodeStat, SecurityLabel,
    SecurityModel, StatsGroups, TypedParam, VcpuInfo,
};
use rvirt_core::driver::{DomainRef, Monitoring};
use rvirt_core::objects::{impact, not_running};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::connection::{QemuConnection, check_flags};
use super::running::save_status;
use crate::host::node;
pub(crate) use info::vcpu_threads_of;
use info::{AFFECT_CONFIG, AFFECT_LIVE, one_of_live_config};

/// `VIR_DOMAIN_GET_HOSTNAME_LEASE`, `_AGENT`.
const HOSTNAME_LEASE: u32 = 1;
const HOSTNAME_AGENT: u32 = 2;
/// `VIR_TYPED_PARAM_STRING_OKAY`.
const TYPED_PARAM_STRING_OKAY: u32 = 4;
/// `VIR_DOMAIN_VCPU_MAXIMUM`, `_GUEST`, `_HOTPLUGGABLE`.
const VCPU_MAXIMUM: u32 = 4;
const VCPU_GUEST: u32 = 8;
const VCPU_HOTPLUGGABLE: u32 = 16;

impl QemuConnection {
    /// Rewrites the status file of `dom` if it runs (its live definition changed).
    fn refresh_status(&self, dom: &DomainRef) -> Result<()> {
        let entry = self.shared().domains.list.get(dom)?;
        let mut vm = entry.lock();
        if let Some(run) = vm.run.as_mut() {
            run.saved = None;
        }
        save_status(&mut vm);
        Ok(())
    }
}

impl Monitoring for QemuConnection {
    fn scheduler_type(&self, dom: &DomainRef) -> Result<(String, i32)> {
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().scheduler_type(&entry)
    }

    fn scheduler_parameters(
        &self,
        dom: &DomainRef,
        flags: u32,
    ) -> Result<Vec<rvirt_core::api::TypedParam>> {
        // libvirt's client library adds VIR_TYPED_PARAM_STRING_OKAY (4).
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG | 4,
            "qemuDomainGetSchedulerParametersFlags",
        )?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared()
            .scheduler_parameters(&entry, flags & (AFFECT_LIVE | AFFECT_CONFIG))
    }

    fn tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &rvirt_core::api::Tunable,
        flags: u32,
    ) -> Result<Vec<rvirt_core::api::TypedParam>> {
        use rvirt_core::api::Tunable;
        let flags_of = |function: &str| -> Result<u32> {
            // libvirt's client library adds VIR_TYPED_PARAM_STRING_OKAY (4).
            check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG | 4, function)?;
            Ok(flags & (AFFECT_LIVE | AFFECT_CONFIG))
        };
        match what {
            Tunable::Memory => {
                let flags = flags_of("qemuDomainGetMemoryParameters")?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().memory_parameters(&entry, flags)
            }
            Tunable::Blkio => {
                let flags = flags_of("qemuDomainGetBlkioParameters")?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().blkio_parameters(&entry, flags)
            }
            Tunable::Interface(device) => {
                let flags = flags_of("qemuDomainGetInterfaceParameters")?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().interface_parameters(&entry, device, flags)
            }
            Tunable::BlockIo(path) => {
                let flags = flags_of("qemuDomainGetBlockIoTune")?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().block_io_tune(&entry, path, flags)
            }
            Tunable::Numa => {
                let flags = flags_of("qemuDomainGetNumaParameters")?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().numa_parameters(&entry, flags)
            }
            Tunable::Perf => {
                let flags = flags_of("qemuDomainGetPerfEvents")?;
                let entry = self.shared().domains.list.get(dom)?;
                self.shared().perf_events(&entry, flags)
            }
        }
    }

    fn all_domain_stats(
        &self,
        doms: Option<&[DomainRef]>,
        groups: StatsGroups,
        flags: u32,
    ) -> Result<Vec<DomainStatsRecord<DomainRef>>> {
        collect::all_domain_stats(self.shared(), doms, groups, flags)
    }

    fn memory_stats(&self, dom: &DomainRef, max: u32, flags: u32) -> Result<Vec<MemoryStat>> {
        check_flags(flags, 0, "qemuDomainMemoryStats")?;
        info::memory_stats(self.shared(), dom, max)
    }

    fn control_info(&self, dom: &DomainRef, flags: u32) -> Result<ControlInfo> {
        check_flags(flags, 0, "qemuDomainGetControlInfo")?;
        info::control_info(self.shared(), dom)
    }

    fn block_info(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<BlockInfo> {
        check_flags(flags, 0, "qemuDomainGetBlockInfo")?;
        info::block_info(self.shared(), dom, disk)
    }

    fn block_stats(&self, dom: &DomainRef, disk: &str) -> Result<BlockStats> {
        info::block_stats(self.shared(), dom, disk)
    }

    fn interface_stats(&self, dom: &DomainRef, iface: &str) -> Result<InterfaceStats> {
        self.shared().domains.read(dom, |vm| {
            if !vm.is_active() {
                return Err(not_running());
            }
            // A NIC by its host device name or its MAC; only tap-backed NICs have
            // host counters (user-mode networking lives inside QEMU).
            let tap = vm.def.devices().iter().find_map(|d| match d {
                rvirt_core::conf::Device::Interface(n) => {
                    let dev = n.target.as_ref().map(|t| t.dev.as_str());
                    let mac = n.mac.as_ref().map(|m| m.address.as_str());
                    (dev == Some(iface) || mac.is_some_and(|m| m.eq_ignore_ascii_case(iface)))
                        .then_some(dev)
                        .flatten()
                }
                _ => None,
            });
            tap.and_then(crate::host::tap_stats::tap_stats)
                .ok_or_else(|| {
                    Error::invalid_arg(
                        ErrorDomain::Domain,
                        format!("'{iface}' is not a known interface"),
                    )
                })
        })
    }

    fn guest_hostname(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(
            flags,
            HOSTNAME_LEASE | HOSTNAME_AGENT,
            "qemuDomainGetHostname",
        )?;
        if flags == HOSTNAME_LEASE | HOSTNAME_AGENT {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                "Flags 'lease' and 'agent' are mutually exclusive",
            ));
        }
        if flags == HOSTNAME_LEASE {
            return addresses::lease_hostname(self.shared(), dom);
        }
        self.shared().agent_hostname(dom)
    }

    fn fs_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<rvirt_core::api::FsInfo>> {
        check_flags(flags, 0, "qemuDomainGetFSInfo")?;
        self.shared().agent_fs_info(dom)
    }

    fn guest_time(&self, dom: &DomainRef, flags: u32) -> Result<(i64, u32)> {
        check_flags(flags, 0, "qemuDomainGetTime")?;
        self.shared().agent_time(dom)
    }

    fn interface_addresses(
        &self,
        dom: &DomainRef,
        source: u32,
        flags: u32,
    ) -> Result<Vec<DomainInterface>> {
        check_flags(flags, 0, "qemuDomainInterfaceAddresses")?;
        addresses::interface_addresses(self.shared(), dom, source)
    }

    fn vcpus(&self, dom: &DomainRef) -> Result<Vec<(VcpuInfo, CpuMap)>> {
        info::vcpus(self.shared(), dom)
    }

    fn vcpu_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<CpuMap>> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainGetVcpuPinInfo",
        )?;
        info::vcpu_pin_info(self.shared(), dom, flags)
    }

    fn emulator_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<CpuMap> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainGetEmulatorPinInfo",
        )?;
        info::emulator_pin_info(self.shared(), dom, flags)
    }

    fn iothread_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<IoThreadInfo>> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG,
            "qemuDomainGetIOThreadInfo",
        )?;
        one_of_live_config(flags)?;
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().iothread_info(&entry, flags)
    }

    fn cpu_stats(
        &self,
        dom: &DomainRef,
        start_cpu: i32,
        _ncpus: u32,
        flags: u32,
    ) -> Result<Vec<Vec<TypedParam>>> {
        check_flags(flags, TYPED_PARAM_STRING_OKAY, "qemuDomainGetCPUStats")?;
        info::cpu_stats(self.shared(), dom, start_cpu)
    }

    fn disk_errors(&self, dom: &DomainRef, flags: u32) -> Result<Vec<(String, i32)>> {
        check_flags(flags, 0, "qemuDomainGetDiskErrors")?;
        info::disk_errors(self.shared(), dom)
    }

    fn vcpus_flags(&self, dom: &DomainRef, flags: u32) -> Result<u32> {
        check_flags(
            flags,
            AFFECT_LIVE | AFFECT_CONFIG | VCPU_MAXIMUM | VCPU_GUEST | VCPU_HOTPLUGGABLE,
            "qemuDomainGetVcpusFlags",
        )?;
        one_of_live_config(flags)?;
        self.shared().domains.read(dom, |vm| {
            let (live, _) = impact(vm, flags)?;
            if flags & VCPU_GUEST != 0 {
                return Err(Error::new(
                    ErrorCode::ArgumentUnsupported,
                    ErrorDomain::Qemu,
                    "QEMU guest agent is not configured",
                ));
            }
            let def = if live {
                &vm.def
            } else {
                vm.next_def.as_ref().unwrap_or(&vm.def)
            };
            Ok(if flags & VCPU_MAXIMUM != 0 {
                def.max_vcpus()
            } else {
                def.current_vcpus()
            })
        })
    }

    fn max_vcpus(&self, dom: &DomainRef) -> Result<u32> {
        self.vcpus_flags(dom, AFFECT_LIVE | VCPU_MAXIMUM)
    }

    fn max_memory(&self, dom: &DomainRef) -> Result<u64> {
        self.shared()
            .domains
            .read(dom, |vm| Ok(vm.def.memory_kib()))
    }

    fn os_type(&self, dom: &DomainRef) -> Result<String> {
        self.shared()
            .domains
            .read(dom, |vm| Ok(vm.def.os.os_type.value.to_string()))
    }

    fn security_label(&self, dom: &DomainRef) -> Result<SecurityLabel> {
        // No security driver: libvirt's "none" model labels nothing.
        self.shared()
            .domains
            .read(dom, |_| Ok(SecurityLabel::default()))
    }

    fn metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemuDomainGetMetadata")?;
        self.shared().domains.metadata(dom, kind, uri, flags)
    }

    fn set_metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        metadata: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, AFFECT_LIVE | AFFECT_CONFIG, "qemuDomainSetMetadata")?;
        self.shared()
            .domains
            .set_metadata(dom, kind, metadata, key, uri, flags)?;
        self.refresh_status(dom)
    }

    fn job_info(&self, dom: &DomainRef) -> Result<JobInfo> {
        self.shared()
            .job_info(&self.shared().domains.list.get(dom)?)
    }

    fn node_cpu_stats(&self, cpu: i32, flags: u32) -> Result<Vec<NodeStat>> {
        check_flags(flags, 0, "virNodeGetCPUStats")?;
        crate::host::node_stats::host_cpu_stats(cpu)
    }

    fn node_memory_stats(&self, cell: i32, flags: u32) -> Result<Vec<NodeStat>> {
        check_flags(flags, 0, "virNodeGetMemoryStats")?;
        crate::host::node_stats::host_memory_stats(cell)
    }

    fn node_free_memory(&self) -> Result<u64> {
        node::free_memory()
    }

    fn cells_free_memory(&self, start: i32, max: i32) -> Result<Vec<u64>> {
        node::cells_free_memory(start, max)
    }

    fn node_cpu_map(&self, flags: u32) -> Result<NodeCpuMap> {
        check_flags(flags, 0, "virHostCPUGetMap")?;
        node::cpu_map()
    }

    fn memory_peek(&self, dom: &DomainRef, start: u64, size: u32, flags: u32) -> Result<Vec<u8>> {
        self.shared().memory_peek(dom, start, size, flags)
    }

    fn block_stats_flags(
        &self,
        dom: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        check_flags(flags, TYPED_PARAM_STRING_OKAY, "qemuDomainBlockStatsFlags")?;
        info::block_stats_flags(self.shared(), dom, disk)
    }

    fn block_job_info(
        &self,
        dom: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<Option<rvirt_core::api::BlockJobInfo>> {
        block_jobs::block_job_info(self.shared(), dom, disk, flags)
    }

    fn block_peek(
        &self,
        dom: &DomainRef,
        disk: &str,
        offset: u64,
        size: u32,
        flags: u32,
    ) -> Result<Vec<u8>> {
        check_flags(flags, 0, "qemuDomainBlockPeek")?;
        info::block_peek(self.shared(), dom, disk, offset, size)
    }

    fn start_dirty_rate_calc(&self, dom: &DomainRef, seconds: i32, flags: u32) -> Result<()> {
        block_jobs::start_dirty_rate_calc(self.shared(), dom, seconds, flags)
    }

    fn free_pages(&self, pages: &[u32], start: i32, count: u32, flags: u32) -> Result<Vec<u64>> {
        check_flags(flags, 0, "virHostMemGetFreePages")?;
        rvirt_core::host::free_pages::free_pages(pages, start, count, ErrorDomain::Qemu)
    }

    fn node_memory_parameters(&self, flags: u32) -> Result<Vec<TypedParam>> {
        check_flags(flags, TYPED_PARAM_STRING_OKAY, "virHostMemGetParameters")?;
        rvirt_core::host::memory_params::memory_parameters(ErrorDomain::Qemu)
    }

    fn sev_info(&self, flags: u32) -> Result<Vec<TypedParam>> {
        check_flags(flags, TYPED_PARAM_STRING_OKAY, "qemuNodeGetSEVInfo")?;
        Err(rvirt_core::Error::new(
            rvirt_core::ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            "QEMU does not support SEV guest",
        ))
    }

    fn job_stats(&self, dom: &DomainRef, flags: u32) -> Result<(i32, Vec<TypedParam>)> {
        let entry = self.shared().domains.list.get(dom)?;
        self.shared().job_stats(&entry, flags)
    }

    fn block_commit(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        top: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.shared()
            .block_commit(dom, disk, base, top, bandwidth, flags)
    }

    fn block_pull(&self, dom: &DomainRef, disk: &str, bandwidth: u64, flags: u32) -> Result<()> {
        self.shared().block_pull(dom, disk, bandwidth, flags)
    }

    fn block_rebase(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.shared()
            .block_rebase(dom, disk, base, bandwidth, flags)
    }

    fn block_copy(
        &self,
        dom: &DomainRef,
        disk: &str,
        destxml: &str,
        params: &[rvirt_core::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.shared().block_copy(dom, disk, destxml, params, flags)
    }

    fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        self.shared().block_job_abort(dom, disk, flags)
    }

    fn block_job_set_speed(
        &self,
        dom: &DomainRef,
        disk: &str,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.shared()
            .block_job_set_speed(dom, disk, bandwidth, flags)
    }

    fn migrate_max_speed(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        self.shared().migrate_max_speed(dom, flags)
    }

    fn migrate_set_max_speed(&self, dom: &DomainRef, bandwidth: u64, flags: u32) -> Result<()> {
        self.shared().migrate_set_max_speed(dom, bandwidth, flags)
    }

    fn migrate_max_downtime(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        self.shared().migrate_max_downtime(dom, flags)
    }

    fn migrate_compression_cache(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        self.shared().migrate_compression_cache(dom, flags)
    }

    fn migrate_set_compression_cache(&self, dom: &DomainRef, size: u64, flags: u32) -> Result<()> {
        self.shared()
            .migrate_set_compression_cache(dom, size, flags)
    }

    fn set_block_threshold(
        &self,
        dom: &DomainRef,
        dev: &str,
        threshold: u64,
        flags: u32,
    ) -> Result<()> {
        self.shared()
            .set_block_threshold(dom, dev, threshold, flags)
    }

    fn migrate_set_max_downtime(&self, dom: &DomainRef, downtime: u64, flags: u32) -> Result<()> {
        self.shared().migrate_set_max_downtime(dom, downtime, flags)
    }

    fn security_label_list(&self, dom: &DomainRef) -> Result<Vec<SecurityLabel>> {
        // The "none" model's empty label, then DAC's: QEMU's process ids.
        self.shared().domains.read(dom, |vm| {
            let Some(run) = vm.run.as_ref() else {
                return Ok(Vec::new());
            };
            let dac = crate::host::proc::process_ids(run.pid)
                .map(|(uid, gid)| format!("+{uid}:+{gid}"))
                .unwrap_or_default();
            Ok(vec![
                SecurityLabel::default(),
                SecurityLabel {
                    label: dac,
                    enforcing: false,
                },
            ])
        })
    }

    fn launch_security_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<TypedParam>> {
        check_flags(
            flags,
            TYPED_PARAM_STRING_OKAY,
            "qemuDomainGetLaunchSecurityInfo",
        )?;
        // No <launchSecurity> (AMD SEV) is supported: nothing to measure.
        self.shared().domains.read(dom, |_| Ok(Vec::new()))
    }

    fn security_model(&self) -> Result<SecurityModel> {
        Ok(SecurityModel {
            model: "none".into(),
            doi: "0".into(),
        })
    }
}

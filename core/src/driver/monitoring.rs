//! [`Monitoring`]: what monitoring tools and dashboards read from a driver — domain
//! statistics and info, guest facts, descriptive metadata, node CPU/memory/security
//! facts. A driver opts in through [`DriverConnection::monitoring`]; every method has a
//! default answering libvirt's `VIR_ERR_NO_SUPPORT` with the API's name.
//!
//! [`DriverConnection::monitoring`]: super::DriverConnection::monitoring

use crate::api::{
    BlockInfo, BlockStats, ControlInfo, CpuMap, DomainInterface, DomainStatsRecord, FsInfo,
    InterfaceStats, IoThreadInfo, JobInfo, MemoryStat, MetadataType, NodeCpuMap, NodeStat,
    SecurityLabel, SecurityModel, StatsGroups, TypedParam, VcpuInfo,
};
use crate::{Error, ErrorDomain, Result};

use super::DomainRef;

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Domain, api.to_string()))
}

/// Monitoring and descriptive operations of one driver connection.
#[allow(unused_variables)]
pub trait Monitoring: Send + Sync {
    /// Statistics of `doms` (or of every domain `flags` selects) in `groups`
    /// (`virConnectGetAllDomainStats`, `virDomainListGetStats`).
    fn all_domain_stats(
        &self,
        doms: Option<&[DomainRef]>,
        groups: StatsGroups,
        flags: u32,
    ) -> Result<Vec<DomainStatsRecord<DomainRef>>> {
        unsupported("virConnectGetAllDomainStats")
    }
    /// The domain's current background job and its progress (`virDomainGetJobInfo`).
    fn job_info(&self, dom: &DomainRef) -> Result<JobInfo> {
        unsupported("virDomainGetJobInfo")
    }
    /// The node's CPU time counters of `cpu` or all CPUs (-1) (`virNodeGetCPUStats`).
    fn node_cpu_stats(&self, cpu: i32, flags: u32) -> Result<Vec<NodeStat>> {
        unsupported("virNodeGetCPUStats")
    }
    /// The node's memory counters of NUMA `cell` or all (-1) (`virNodeGetMemoryStats`).
    fn node_memory_stats(&self, cell: i32, flags: u32) -> Result<Vec<NodeStat>> {
        unsupported("virNodeGetMemoryStats")
    }
    /// The host's memory tunables, KSM's (`virNodeGetMemoryParameters`).
    fn node_memory_parameters(&self, flags: u32) -> Result<Vec<TypedParam>> {
        unsupported("virNodeGetMemoryParameters")
    }
    /// Free pages of each size in `pages` (KiB) on `count` NUMA cells from `start`,
    /// cell after cell (`virNodeGetFreePages`).
    fn free_pages(&self, pages: &[u32], start: i32, count: u32, flags: u32) -> Result<Vec<u64>> {
        unsupported("virNodeGetFreePages")
    }
    /// Disk `disk`'s counters as typed parameters (`virDomainBlockStatsFlags`).
    fn block_stats_flags(
        &self,
        dom: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        unsupported("virDomainBlockStatsFlags")
    }
    /// `size` bytes of disk `disk`'s image from `offset` (`virDomainBlockPeek`).
    fn block_peek(
        &self,
        dom: &DomainRef,
        disk: &str,
        offset: u64,
        size: u32,
        flags: u32,
    ) -> Result<Vec<u8>> {
        unsupported("virDomainBlockPeek")
    }
    /// Disk `disk`'s block job, if it has one (`virDomainGetBlockJobInfo`).
    fn block_job_info(
        &self,
        dom: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<Option<crate::api::BlockJobInfo>> {
        unsupported("virDomainGetBlockJobInfo")
    }
    /// Commits disk `disk`'s overlays into an image beneath (`virDomainBlockCommit`):
    /// `base`/`top` name the images (`None`: the bottom of the chain, the active layer),
    /// `bandwidth` caps the copy.
    fn block_commit(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        top: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainBlockCommit")
    }
    /// Copies the data of the images beneath disk `disk`'s active layer into it
    /// (`virDomainBlockPull`).
    fn block_pull(&self, dom: &DomainRef, disk: &str, bandwidth: u64, flags: u32) -> Result<()> {
        unsupported("virDomainBlockPull")
    }
    /// A pull down to `base`, or with `VIR_DOMAIN_BLOCK_REBASE_COPY` a copy to a new image
    /// (`virDomainBlockRebase`).
    fn block_rebase(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainBlockRebase")
    }
    /// Copies disk `disk`'s image chain (or with `VIR_DOMAIN_BLOCK_COPY_SHALLOW` its top)
    /// to the destination `destxml` (a `<disk>` element) and mirrors the guest's writes
    /// until the job is pivoted or cancelled (`virDomainBlockCopy`; parameters
    /// `bandwidth`, `granularity`, `buf-size`).
    fn block_copy(
        &self,
        dom: &DomainRef,
        disk: &str,
        destxml: &str,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainBlockCopy")
    }
    /// Ends disk `disk`'s block job: cancels it, or with `VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT`
    /// switches the disk to the job's result (`virDomainBlockJobAbort`).
    fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        unsupported("virDomainBlockJobAbort")
    }
    /// Caps the speed of disk `disk`'s block job (`virDomainBlockJobSetSpeed`).
    fn block_job_set_speed(
        &self,
        dom: &DomainRef,
        disk: &str,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainBlockJobSetSpeed")
    }
    /// Starts measuring the guest's memory dirty rate for `seconds`
    /// (`virDomainStartDirtyRateCalc`); the `dirtyrate` statistics show the result.
    fn start_dirty_rate_calc(&self, dom: &DomainRef, seconds: i32, flags: u32) -> Result<()> {
        unsupported("virDomainStartDirtyRateCalc")
    }
    /// The host's AMD SEV facts (`virNodeGetSEVInfo`).
    fn sev_info(&self, flags: u32) -> Result<Vec<TypedParam>> {
        unsupported("virNodeGetSEVInfo")
    }
    /// The domain's background job as typed parameters, with the job type
    /// (`virDomainGetJobStats`).
    fn job_stats(&self, dom: &DomainRef, flags: u32) -> Result<(i32, Vec<TypedParam>)> {
        unsupported("virDomainGetJobStats")
    }
    /// The bandwidth cap of a migration, MiB/s (`virDomainMigrateGetMaxSpeed`).
    fn migrate_max_speed(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        unsupported("virDomainMigrateGetMaxSpeed")
    }
    /// Caps the bandwidth of a migration, MiB/s (`virDomainMigrateSetMaxSpeed`).
    fn migrate_set_max_speed(&self, dom: &DomainRef, bandwidth: u64, flags: u32) -> Result<()> {
        unsupported("virDomainMigrateSetMaxSpeed")
    }
    /// The longest pause a live migration may end with, ms
    /// (`virDomainMigrateGetMaxDowntime`).
    fn migrate_max_downtime(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        unsupported("virDomainMigrateGetMaxDowntime")
    }
    /// Sets the longest pause a live migration may end with, ms
    /// (`virDomainMigrateSetMaxDowntime`).
    fn migrate_set_max_downtime(&self, dom: &DomainRef, downtime: u64, flags: u32) -> Result<()> {
        unsupported("virDomainMigrateSetMaxDowntime")
    }
    /// The cache of pages a compressed (XBZRLE) live migration keeps, bytes
    /// (`virDomainMigrateGetCompressionCache`).
    fn migrate_compression_cache(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        unsupported("virDomainMigrateGetCompressionCache")
    }
    /// Sets that cache's size, bytes (`virDomainMigrateSetCompressionCache`).
    fn migrate_set_compression_cache(&self, dom: &DomainRef, size: u64, flags: u32) -> Result<()> {
        unsupported("virDomainMigrateSetCompressionCache")
    }
    /// Arms disk `dev`'s write threshold: the BLOCK_THRESHOLD event fires once when the
    /// guest writes past `threshold` bytes of its image (`virDomainSetBlockThreshold`).
    fn set_block_threshold(
        &self,
        dom: &DomainRef,
        dev: &str,
        threshold: u64,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetBlockThreshold")
    }
    /// Balloon and guest memory statistics (`virDomainMemoryStats`), at most `max`.
    fn memory_stats(&self, dom: &DomainRef, max: u32, flags: u32) -> Result<Vec<MemoryStat>> {
        unsupported("virDomainMemoryStats")
    }
    /// The management connection's state (`virDomainGetControlInfo`).
    fn control_info(&self, dom: &DomainRef, flags: u32) -> Result<ControlInfo> {
        unsupported("virDomainGetControlInfo")
    }
    /// Sizes of disk `disk` (target or source path) (`virDomainGetBlockInfo`).
    fn block_info(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<BlockInfo> {
        unsupported("virDomainGetBlockInfo")
    }
    /// I/O counters of disk `disk` (`virDomainBlockStats`).
    fn block_stats(&self, dom: &DomainRef, disk: &str) -> Result<BlockStats> {
        unsupported("virDomainBlockStats")
    }
    /// Traffic counters of interface `iface` (device name or MAC) (`virDomainInterfaceStats`).
    fn interface_stats(&self, dom: &DomainRef, iface: &str) -> Result<InterfaceStats> {
        unsupported("virDomainInterfaceStats")
    }
    /// Each vCPU with the host CPUs it may run on (`virDomainGetVcpus`).
    fn vcpus(&self, dom: &DomainRef) -> Result<Vec<(VcpuInfo, CpuMap)>> {
        unsupported("virDomainGetVcpus")
    }
    /// Each vCPU's pinning (`virDomainGetVcpuPinInfo`).
    fn vcpu_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<CpuMap>> {
        unsupported("virDomainGetVcpuPinInfo")
    }
    /// The emulator threads' pinning (`virDomainGetEmulatorPinInfo`).
    fn emulator_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<CpuMap> {
        unsupported("virDomainGetEmulatorPinInfo")
    }
    /// `size` bytes of the guest's memory from `start` (`virDomainMemoryPeek`; `flags`
    /// `VIR_MEMORY_VIRTUAL` 1 or `VIR_MEMORY_PHYSICAL` 2).
    fn memory_peek(&self, dom: &DomainRef, start: u64, size: u32, flags: u32) -> Result<Vec<u8>> {
        unsupported("virDomainMemoryPeek")
    }
    /// The launch-security measurement (`virDomainGetLaunchSecurityInfo`; none without
    /// AMD SEV).
    fn launch_security_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<TypedParam>> {
        unsupported("virDomainGetLaunchSecurityInfo")
    }
    /// The domain's iothreads (`virDomainGetIOThreadInfo`).
    fn iothread_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<IoThreadInfo>> {
        unsupported("virDomainGetIOThreadInfo")
    }
    /// CPU statistics: one list per host CPU from `start_cpu` (at most `ncpus`), or the
    /// total when `start_cpu` is -1 (`virDomainGetCPUStats`).
    fn cpu_stats(
        &self,
        dom: &DomainRef,
        start_cpu: i32,
        ncpus: u32,
        flags: u32,
    ) -> Result<Vec<Vec<TypedParam>>> {
        unsupported("virDomainGetCPUStats")
    }
    /// The guest's host name (`virDomainGetHostname`).
    fn guest_hostname(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        unsupported("virDomainGetHostname")
    }
    /// The guest's interfaces and addresses from `source` (lease 0, agent 1, arp 2)
    /// (`virDomainInterfaceAddresses`).
    fn interface_addresses(
        &self,
        dom: &DomainRef,
        source: u32,
        flags: u32,
    ) -> Result<Vec<DomainInterface>> {
        unsupported("virDomainInterfaceAddresses")
    }
    /// The guest's mounted file systems (`virDomainGetFSInfo`).
    fn fs_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<FsInfo>> {
        unsupported("virDomainGetFSInfo")
    }
    /// The guest's clock: seconds and nanoseconds since the epoch (`virDomainGetTime`).
    fn guest_time(&self, dom: &DomainRef, flags: u32) -> Result<(i64, u32)> {
        unsupported("virDomainGetTime")
    }
    /// Disks with errors and the error (`virDomainGetDiskErrors`).
    fn disk_errors(&self, dom: &DomainRef, flags: u32) -> Result<Vec<(String, i32)>> {
        unsupported("virDomainGetDiskErrors")
    }
    /// The scheduler's name and its number of parameters (`virDomainGetSchedulerType`).
    fn scheduler_type(&self, dom: &DomainRef) -> Result<(String, i32)> {
        unsupported("virDomainGetSchedulerType")
    }
    /// The scheduler's parameters of the definition `flags` (`virDomainModificationImpact`)
    /// selects, as many as [`Self::scheduler_type`] counts
    /// (`virDomainGetSchedulerParametersFlags`).
    fn scheduler_parameters(&self, dom: &DomainRef, flags: u32) -> Result<Vec<TypedParam>> {
        unsupported("virDomainGetSchedulerParametersFlags")
    }
    /// The tuning parameters of set `what` of the definition `flags`
    /// (`virDomainModificationImpact`) selects, all of them, in libvirt's order
    /// (`virDomainGetMemoryParameters`, `virDomainGetBlkioParameters`, …).
    fn tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &crate::api::Tunable,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        unsupported(what.get_api())
    }
    /// vCPU counts by `virDomainVcpuFlags` (`virDomainGetVcpusFlags`).
    fn vcpus_flags(&self, dom: &DomainRef, flags: u32) -> Result<u32> {
        unsupported("virDomainGetVcpusFlags")
    }
    /// Most vCPUs the domain may have (`virDomainGetMaxVcpus`).
    fn max_vcpus(&self, dom: &DomainRef) -> Result<u32> {
        unsupported("virDomainGetMaxVcpus")
    }
    /// Most memory the domain may have, KiB (`virDomainGetMaxMemory`).
    fn max_memory(&self, dom: &DomainRef) -> Result<u64> {
        unsupported("virDomainGetMaxMemory")
    }
    /// The OS type the hypervisor reports (`virDomainGetOSType`).
    fn os_type(&self, dom: &DomainRef) -> Result<String> {
        unsupported("virDomainGetOSType")
    }
    /// The domain's security label (`virDomainGetSecurityLabel`).
    fn security_label(&self, dom: &DomainRef) -> Result<SecurityLabel> {
        unsupported("virDomainGetSecurityLabel")
    }
    /// The domain's label of every security driver, the primary one first
    /// (`virDomainGetSecurityLabelList`).
    fn security_label_list(&self, dom: &DomainRef) -> Result<Vec<SecurityLabel>> {
        unsupported("virDomainGetSecurityLabelList")
    }
    /// Title, description or an application's element (`virDomainGetMetadata`).
    fn metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        unsupported("virDomainGetMetadata")
    }
    /// Sets or (with `None`) removes metadata (`virDomainSetMetadata`).
    fn set_metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        metadata: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        unsupported("virDomainSetMetadata")
    }
    /// Free memory of the node, bytes (`virNodeGetFreeMemory`).
    fn node_free_memory(&self) -> Result<u64> {
        unsupported("virNodeGetFreeMemory")
    }
    /// Free memory of NUMA cells `start..start+max`, bytes (`virNodeGetCellsFreeMemory`).
    fn cells_free_memory(&self, start: i32, max: i32) -> Result<Vec<u64>> {
        unsupported("virNodeGetCellsFreeMemory")
    }
    /// The node's CPUs (`virNodeGetCPUMap`).
    fn node_cpu_map(&self, flags: u32) -> Result<NodeCpuMap> {
        unsupported("virNodeGetCPUMap")
    }
    /// The node's security model (`virNodeGetSecurityModel`).
    fn security_model(&self) -> Result<SecurityModel> {
        unsupported("virNodeGetSecurityModel")
    }
}

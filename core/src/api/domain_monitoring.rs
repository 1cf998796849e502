//! [`Domain`]'s monitoring calls: statistics, guest facts, metadata.

use super::{
    BlockInfo, BlockStats, ControlInfo, CpuMap, Domain, DomainInterface, FsInfo, InterfaceStats,
    IoThreadInfo, JobInfo, MemoryStat, MetadataType, SecurityLabel, TypedParam, VcpuInfo,
};
use crate::Result;

impl Domain {
    /// Balloon and guest memory statistics, at most `max` (`virDomainMemoryStats`).
    pub fn memory_stats(&self, max: u32, flags: u32) -> Result<Vec<MemoryStat>> {
        self.connect()
            .monitoring("virDomainMemoryStats")?
            .memory_stats(self.domain_ref(), max, flags)
    }

    /// The domain's background job and its progress (`virDomainGetJobInfo`).
    pub fn job_info(&self) -> Result<JobInfo> {
        self.connect()
            .monitoring("virDomainGetJobInfo")?
            .job_info(self.domain_ref())
    }

    /// The management connection's state (`virDomainGetControlInfo`).
    pub fn control_info(&self, flags: u32) -> Result<ControlInfo> {
        self.connect()
            .monitoring("virDomainGetControlInfo")?
            .control_info(self.domain_ref(), flags)
    }

    /// Sizes of disk `disk`, by target or source path (`virDomainGetBlockInfo`).
    pub fn block_info(&self, disk: &str, flags: u32) -> Result<BlockInfo> {
        self.connect()
            .monitoring("virDomainGetBlockInfo")?
            .block_info(self.domain_ref(), disk, flags)
    }

    /// I/O counters of disk `disk` (`virDomainBlockStats`).
    pub fn block_stats(&self, disk: &str) -> Result<BlockStats> {
        self.connect()
            .monitoring("virDomainBlockStats")?
            .block_stats(self.domain_ref(), disk)
    }

    /// Disk `disk`'s counters as typed parameters, `rd_bytes`, `wr_operations`,
    /// `flush_total_times`, … (`virDomainBlockStatsFlags`).
    pub fn block_stats_flags(&self, disk: &str, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        self.connect()
            .monitoring("virDomainBlockStatsFlags")?
            .block_stats_flags(self.domain_ref(), disk, flags)
    }

    /// `size` bytes of disk `disk`'s image (target or source path) from `offset`
    /// (`virDomainBlockPeek`). A read-write connection only.
    pub fn block_peek(&self, disk: &str, offset: u64, size: u32, flags: u32) -> Result<Vec<u8>> {
        self.connect().check_writable("virDomainBlockPeek")?;
        self.connect().monitoring("virDomainBlockPeek")?.block_peek(
            self.domain_ref(),
            disk,
            offset,
            size,
            flags,
        )
    }

    /// Disk `disk`'s block job, `None` when it has none (`virDomainGetBlockJobInfo`).
    pub fn block_job_info(
        &self,
        disk: &str,
        flags: u32,
    ) -> Result<Option<crate::api::BlockJobInfo>> {
        self.connect()
            .monitoring("virDomainGetBlockJobInfo")?
            .block_job_info(self.domain_ref(), disk, flags)
    }

    /// Commits disk `disk`'s overlays into an image beneath (`virDomainBlockCommit`; `base`
    /// and `top` `None` for the bottom of the chain and the active layer; `bandwidth` in
    /// MiB/s, 0 for no cap). A read-write connection only.
    pub fn block_commit(
        &self,
        disk: &str,
        base: Option<&str>,
        top: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.connect().check_writable("virDomainBlockCommit")?;
        self.connect()
            .monitoring("virDomainBlockCommit")?
            .block_commit(self.domain_ref(), disk, base, top, bandwidth, flags)
    }

    /// Copies the data of the images beneath disk `disk`'s active layer into it
    /// (`virDomainBlockPull`; `bandwidth` in MiB/s, 0 for no cap). A read-write connection
    /// only.
    pub fn block_pull(&self, disk: &str, bandwidth: u64, flags: u32) -> Result<()> {
        self.connect().check_writable("virDomainBlockPull")?;
        self.connect().monitoring("virDomainBlockPull")?.block_pull(
            self.domain_ref(),
            disk,
            bandwidth,
            flags,
        )
    }

    /// A pull of disk `disk` down to `base` (`None`: the whole chain), or a copy with
    /// `VIR_DOMAIN_BLOCK_REBASE_COPY` (`virDomainBlockRebase`). A read-write connection
    /// only.
    pub fn block_rebase(
        &self,
        disk: &str,
        base: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.connect().check_writable("virDomainBlockRebase")?;
        self.connect()
            .monitoring("virDomainBlockRebase")?
            .block_rebase(self.domain_ref(), disk, base, bandwidth, flags)
    }

    /// Copies disk `disk` to the destination described by `destxml` (a `<disk>` element)
    /// and mirrors the guest's writes into it until the job is pivoted or cancelled
    /// (`virDomainBlockCopy`; parameters `bandwidth`, `granularity`, `buf-size`). A
    /// read-write connection only.
    pub fn block_copy(
        &self,
        disk: &str,
        destxml: &str,
        params: &[crate::api::TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.connect().check_writable("virDomainBlockCopy")?;
        self.connect().monitoring("virDomainBlockCopy")?.block_copy(
            self.domain_ref(),
            disk,
            destxml,
            params,
            flags,
        )
    }

    /// Ends disk `disk`'s block job (`virDomainBlockJobAbort`; flag
    /// `VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT` 2 switches the disk to the job's result). A
    /// read-write connection only.
    pub fn block_job_abort(&self, disk: &str, flags: u32) -> Result<()> {
        self.connect().check_writable("virDomainBlockJobAbort")?;
        self.connect()
            .monitoring("virDomainBlockJobAbort")?
            .block_job_abort(self.domain_ref(), disk, flags)
    }

    /// Caps the speed of disk `disk`'s block job, MiB/s (`virDomainBlockJobSetSpeed`). A
    /// read-write connection only.
    pub fn block_job_set_speed(&self, disk: &str, bandwidth: u64, flags: u32) -> Result<()> {
        self.connect().check_writable("virDomainBlockJobSetSpeed")?;
        self.connect()
            .monitoring("virDomainBlockJobSetSpeed")?
            .block_job_set_speed(self.domain_ref(), disk, bandwidth, flags)
    }

    /// Starts measuring the guest's memory dirty rate for `seconds`
    /// (`virDomainStartDirtyRateCalc`). A read-write connection only.
    pub fn start_dirty_rate_calc(&self, seconds: i32, flags: u32) -> Result<()> {
        self.connect()
            .check_writable("virDomainStartDirtyRateCalc")?;
        self.connect()
            .monitoring("virDomainStartDirtyRateCalc")?
            .start_dirty_rate_calc(self.domain_ref(), seconds, flags)
    }

    /// Traffic counters of interface `iface` (`virDomainInterfaceStats`).
    pub fn interface_stats(&self, iface: &str) -> Result<InterfaceStats> {
        self.connect()
            .monitoring("virDomainInterfaceStats")?
            .interface_stats(self.domain_ref(), iface)
    }

    /// Each vCPU and where it may run (`virDomainGetVcpus`).
    pub fn vcpus(&self) -> Result<Vec<(VcpuInfo, CpuMap)>> {
        self.connect()
            .monitoring("virDomainGetVcpus")?
            .vcpus(self.domain_ref())
    }

    /// Each vCPU's pinning (`virDomainGetVcpuPinInfo`).
    pub fn vcpu_pin_info(&self, flags: u32) -> Result<Vec<CpuMap>> {
        self.connect()
            .monitoring("virDomainGetVcpuPinInfo")?
            .vcpu_pin_info(self.domain_ref(), flags)
    }

    /// The emulator threads' pinning (`virDomainGetEmulatorPinInfo`).
    pub fn emulator_pin_info(&self, flags: u32) -> Result<CpuMap> {
        self.connect()
            .monitoring("virDomainGetEmulatorPinInfo")?
            .emulator_pin_info(self.domain_ref(), flags)
    }

    /// `size` bytes of the guest's memory from `start` (`virDomainMemoryPeek`): `flags`
    /// is `VIR_MEMORY_VIRTUAL` (1) or `VIR_MEMORY_PHYSICAL` (2), not both. A
    /// read-write connection only.
    pub fn memory_peek(&self, start: u64, size: u32, flags: u32) -> Result<Vec<u8>> {
        self.connect().check_writable("virDomainMemoryPeek")?;
        if flags & 3 == 3 {
            return Err(crate::Error::verbatim(
                crate::ErrorCode::InvalidArg,
                crate::ErrorDomain::Domain,
                "Flags 'VIR_MEMORY_VIRTUAL' and 'VIR_MEMORY_PHYSICAL' are mutually exclusive",
            ));
        }
        self.connect()
            .monitoring("virDomainMemoryPeek")?
            .memory_peek(self.domain_ref(), start, size, flags)
    }

    /// The launch-security measurement (`virDomainGetLaunchSecurityInfo`): typed
    /// parameters, none for a guest without AMD SEV. A read-write connection only.
    pub fn launch_security_info(&self, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        self.connect()
            .check_writable("virDomainGetLaunchSecurityInfo")?;
        self.connect()
            .monitoring("virDomainGetLaunchSecurityInfo")?
            .launch_security_info(self.domain_ref(), flags)
    }

    /// The domain's iothreads (`virDomainGetIOThreadInfo`).
    pub fn iothread_info(&self, flags: u32) -> Result<Vec<IoThreadInfo>> {
        self.connect()
            .monitoring("virDomainGetIOThreadInfo")?
            .iothread_info(self.domain_ref(), flags)
    }

    /// CPU statistics per host CPU from `start_cpu`, or the total for -1
    /// (`virDomainGetCPUStats`).
    pub fn cpu_stats(
        &self,
        start_cpu: i32,
        ncpus: u32,
        flags: u32,
    ) -> Result<Vec<Vec<TypedParam>>> {
        self.connect()
            .monitoring("virDomainGetCPUStats")?
            .cpu_stats(self.domain_ref(), start_cpu, ncpus, flags)
    }

    /// The guest's host name (`virDomainGetHostname`).
    pub fn guest_hostname(&self, flags: u32) -> Result<String> {
        self.connect()
            .monitoring("virDomainGetHostname")?
            .guest_hostname(self.domain_ref(), flags)
    }

    /// The guest's interfaces and addresses (`virDomainInterfaceAddresses`).
    pub fn interface_addresses(&self, source: u32, flags: u32) -> Result<Vec<DomainInterface>> {
        self.connect()
            .monitoring("virDomainInterfaceAddresses")?
            .interface_addresses(self.domain_ref(), source, flags)
    }

    /// The guest's mounted file systems (`virDomainGetFSInfo`).
    pub fn fs_info(&self, flags: u32) -> Result<Vec<FsInfo>> {
        self.connect()
            .monitoring("virDomainGetFSInfo")?
            .fs_info(self.domain_ref(), flags)
    }

    /// The guest's clock (`virDomainGetTime`).
    pub fn guest_time(&self, flags: u32) -> Result<(i64, u32)> {
        self.connect()
            .monitoring("virDomainGetTime")?
            .guest_time(self.domain_ref(), flags)
    }

    /// Disks with errors (`virDomainGetDiskErrors`).
    pub fn disk_errors(&self, flags: u32) -> Result<Vec<(String, i32)>> {
        self.connect()
            .monitoring("virDomainGetDiskErrors")?
            .disk_errors(self.domain_ref(), flags)
    }

    /// The scheduler and its number of parameters (`virDomainGetSchedulerType`).
    pub fn scheduler_type(&self) -> Result<(String, i32)> {
        self.connect()
            .monitoring("virDomainGetSchedulerType")?
            .scheduler_type(self.domain_ref())
    }

    /// The scheduler's parameters (`virDomainGetSchedulerParametersFlags`; `flags` 0
    /// is the current definition, `VIR_DOMAIN_AFFECT_LIVE` 1 the running one,
    /// `VIR_DOMAIN_AFFECT_CONFIG` 2 the persistent one). The QEMU driver's are its
    /// cgroup CPU controls (`cpu_shares`, `global_period`, …), the test driver's a
    /// `weight`.
    pub fn scheduler_parameters(&self, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        self.connect()
            .monitoring("virDomainGetSchedulerParametersFlags")?
            .scheduler_parameters(self.domain_ref(), flags)
    }

    /// The tuning parameters of set `what` (`virDomainGetMemoryParameters`,
    /// `virDomainGetBlkioParameters`, …): `flags` 0 is the current definition,
    /// `VIR_DOMAIN_AFFECT_LIVE` 1 the running one, `VIR_DOMAIN_AFFECT_CONFIG` 2 the
    /// persistent one (not both). Memory limits are in KiB,
    /// [`MEMORY_PARAM_UNLIMITED`](crate::api::MEMORY_PARAM_UNLIMITED) where unset.
    pub fn tuning_parameters(
        &self,
        what: &crate::api::Tunable,
        flags: u32,
    ) -> Result<Vec<crate::api::TypedParam>> {
        super::tuning::check_one_impact(flags)?;
        self.connect()
            .monitoring(what.get_api())?
            .tuning_parameters(self.domain_ref(), what, flags)
    }

    /// The memory limits (`virDomainGetMemoryParameters`; see
    /// [`Domain::tuning_parameters`]).
    pub fn memory_parameters(&self, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        self.tuning_parameters(&crate::api::Tunable::Memory, flags)
    }

    /// vCPU counts by `virDomainVcpuFlags` (`virDomainGetVcpusFlags`).
    pub fn vcpus_flags(&self, flags: u32) -> Result<u32> {
        self.connect()
            .monitoring("virDomainGetVcpusFlags")?
            .vcpus_flags(self.domain_ref(), flags)
    }

    /// Most vCPUs (`virDomainGetMaxVcpus`).
    pub fn max_vcpus(&self) -> Result<u32> {
        self.connect()
            .monitoring("virDomainGetMaxVcpus")?
            .max_vcpus(self.domain_ref())
    }

    /// Most memory, KiB (`virDomainGetMaxMemory`).
    pub fn max_memory(&self) -> Result<u64> {
        self.connect()
            .monitoring("virDomainGetMaxMemory")?
            .max_memory(self.domain_ref())
    }

    /// The OS type (`virDomainGetOSType`).
    pub fn os_type(&self) -> Result<String> {
        self.connect()
            .monitoring("virDomainGetOSType")?
            .os_type(self.domain_ref())
    }

    /// The security label (`virDomainGetSecurityLabel`).
    pub fn security_label(&self) -> Result<SecurityLabel> {
        self.connect()
            .monitoring("virDomainGetSecurityLabel")?
            .security_label(self.domain_ref())
    }

    /// The label of every security driver, the primary one first
    /// (`virDomainGetSecurityLabelList`).
    pub fn security_label_list(&self) -> Result<Vec<SecurityLabel>> {
        self.connect()
            .monitoring("virDomainGetSecurityLabelList")?
            .security_label_list(self.domain_ref())
    }

    /// The background job as typed parameters and its `virDomainJobType`
    /// (`virDomainGetJobStats`; flags `VIR_DOMAIN_JOB_STATS_COMPLETED` 1,
    /// `_KEEP_COMPLETED` 2).
    pub fn job_stats(&self, flags: u32) -> Result<(i32, Vec<crate::api::TypedParam>)> {
        self.connect()
            .monitoring("virDomainGetJobStats")?
            .job_stats(self.domain_ref(), flags)
    }

    /// The bandwidth cap of a migration of this domain, MiB/s
    /// (`virDomainMigrateGetMaxSpeed`). A read-write connection only.
    pub fn migrate_max_speed(&self, flags: u32) -> Result<u64> {
        self.connect()
            .check_writable("virDomainMigrateGetMaxSpeed")?;
        self.connect()
            .monitoring("virDomainMigrateGetMaxSpeed")?
            .migrate_max_speed(self.domain_ref(), flags)
    }

    /// Caps the bandwidth of a migration of this domain, MiB/s
    /// (`virDomainMigrateSetMaxSpeed`; flag `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY` 1 for
    /// the post-copy phase). A read-write connection only.
    pub fn migrate_set_max_speed(&self, bandwidth: u64, flags: u32) -> Result<()> {
        self.connect()
            .check_writable("virDomainMigrateSetMaxSpeed")?;
        self.connect()
            .monitoring("virDomainMigrateSetMaxSpeed")?
            .migrate_set_max_speed(self.domain_ref(), bandwidth, flags)
    }

    /// The longest pause a live migration of this domain may end with, ms
    /// (`virDomainMigrateGetMaxDowntime`).
    pub fn migrate_max_downtime(&self, flags: u32) -> Result<u64> {
        self.connect()
            .monitoring("virDomainMigrateGetMaxDowntime")?
            .migrate_max_downtime(self.domain_ref(), flags)
    }

    /// Sets the longest pause a live migration of this domain may end with, ms
    /// (`virDomainMigrateSetMaxDowntime`). A read-write connection only.
    pub fn migrate_set_max_downtime(&self, downtime: u64, flags: u32) -> Result<()> {
        self.connect()
            .check_writable("virDomainMigrateSetMaxDowntime")?;
        self.connect()
            .monitoring("virDomainMigrateSetMaxDowntime")?
            .migrate_set_max_downtime(self.domain_ref(), downtime, flags)
    }

    /// The cache of pages a compressed (XBZRLE) live migration of this domain keeps, bytes
    /// (`virDomainMigrateGetCompressionCache`; read-only connections too, as libvirt's).
    pub fn migrate_compression_cache(&self, flags: u32) -> Result<u64> {
        let api = "virDomainMigrateGetCompressionCache";
        self.connect()
            .monitoring(api)?
            .migrate_compression_cache(self.domain_ref(), flags)
    }

    /// Sets that cache's size, bytes (`virDomainMigrateSetCompressionCache`). A read-write
    /// connection only.
    pub fn migrate_set_compression_cache(&self, size: u64, flags: u32) -> Result<()> {
        let api = "virDomainMigrateSetCompressionCache";
        self.connect().check_writable(api)?;
        self.connect()
            .monitoring(api)?
            .migrate_set_compression_cache(self.domain_ref(), size, flags)
    }

    /// Arms disk `dev`'s write threshold: a BLOCK_THRESHOLD event once the guest writes
    /// past `threshold` bytes of its image (`virDomainSetBlockThreshold`). A read-write
    /// connection only.
    pub fn set_block_threshold(&self, dev: &str, threshold: u64, flags: u32) -> Result<()> {
        let api = "virDomainSetBlockThreshold";
        self.connect().check_writable(api)?;
        self.connect().monitoring(api)?.set_block_threshold(
            self.domain_ref(),
            dev,
            threshold,
            flags,
        )
    }

    /// Title, description, or the element of namespace `uri` (`virDomainGetMetadata`).
    pub fn metadata(&self, kind: MetadataType, uri: Option<&str>, flags: u32) -> Result<String> {
        self.connect().monitoring("virDomainGetMetadata")?.metadata(
            self.domain_ref(),
            kind,
            uri,
            flags,
        )
    }

    /// Sets (or with `None` removes) metadata (`virDomainSetMetadata`).
    pub fn set_metadata(
        &self,
        kind: MetadataType,
        metadata: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        self.connect().check_writable("virDomainSetMetadata")?;
        self.connect()
            .monitoring("virDomainSetMetadata")?
            .set_metadata(self.domain_ref(), kind, metadata, key, uri, flags)
    }
}

//! Arguments and return values of the monitoring procedures: domain statistics and
//! info, guest facts, metadata, node CPU and memory. Names follow libvirt's `remote_*`
//! structs; fields are in wire order.

use serde::{Deserialize, Serialize};

use crate::typed_param::TypedParam;
use crate::types::RemoteNonnullDomain;

/// `REMOTE_DOMAIN_LIST_MAX`: most domains in a stats request or reply.
pub const DOMAIN_LIST_MAX: usize = 16384;
/// `REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX`: most parameters per domain.
pub const STATS_PARAMS_MAX: usize = 262144;
/// `REMOTE_DOMAIN_MEMORY_STATS_MAX`.
pub const MEMORY_STATS_MAX: u32 = 1024;
/// `REMOTE_CPUMAPS_MAX`: most bytes of CPU maps in one reply.
pub const CPUMAPS_MAX: usize = 8_388_608;
/// `REMOTE_VCPUINFO_MAX`.
pub const VCPUINFO_MAX: usize = 16384;
/// `REMOTE_NODE_MAX_CELLS`.
pub const NODE_MAX_CELLS: i32 = 1024;
/// `REMOTE_DOMAIN_GET_CPU_STATS_MAX`: most parameters in one CPU stats reply.
pub const CPU_STATS_MAX: usize = 2048;
/// `REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX`.
pub const CPU_STATS_NCPUS_MAX: u32 = 128;
/// `REMOTE_DOMAIN_DISK_ERRORS_MAX`.
pub const DISK_ERRORS_MAX: u32 = 256;

/// `remote_connect_get_all_domain_stats_args` (CONNECT_GET_ALL_DOMAIN_STATS, 344).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectGetAllDomainStatsArgs {
    /// The domains to report on; empty means every domain the filter flags select.
    pub doms: Vec<RemoteNonnullDomain>,
    /// `virDomainStatsTypes` bits.
    pub stats: u32,
    /// `virConnectGetAllDomainStatsFlags`.
    pub flags: u32,
}

/// `remote_domain_stats_record`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainStatsRecord {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Its statistics.
    pub params: Vec<TypedParam>,
}

/// `remote_connect_get_all_domain_stats_ret`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectGetAllDomainStatsRet {
    /// One record per domain.
    pub ret_stats: Vec<DomainStatsRecord>,
}

/// `remote_domain_memory_stats_args` (DOMAIN_MEMORY_STATS, 159).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMemoryStatsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most statistics wanted.
    pub max_stats: u32,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_memory_stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMemoryStat {
    /// `virDomainMemoryStatTags`.
    pub tag: i32,
    /// Value.
    pub val: u64,
}

/// `remote_domain_memory_stats_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMemoryStatsRet {
    /// The statistics.
    pub stats: Vec<DomainMemoryStat>,
}

/// `remote_domain_get_control_info_ret` (DOMAIN_GET_CONTROL_INFO, 229; args: dom + flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetControlInfoRet {
    /// `virDomainControlState`.
    pub state: u32,
    /// `virDomainControlErrorReason`.
    pub details: u32,
    /// ms in this state.
    pub state_time: u64,
}

/// `remote_domain_get_block_info_args` (DOMAIN_GET_BLOCK_INFO, 194).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetBlockInfoArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Disk target or source path.
    pub path: String,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_get_block_info_ret` (note the wire order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetBlockInfoRet {
    /// Host storage in use.
    pub allocation: u64,
    /// Guest-visible size.
    pub capacity: u64,
    /// Host physical size.
    pub physical: u64,
}

/// `remote_domain_block_stats_args` and `remote_domain_interface_stats_args`
/// (DOMAIN_BLOCK_STATS 64, DOMAIN_INTERFACE_STATS 65).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPathArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Disk or interface.
    pub path: String,
}

/// `remote_domain_block_stats_ret`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockStatsRet {
    /// Read requests.
    pub rd_req: i64,
    /// Bytes read.
    pub rd_bytes: i64,
    /// Write requests.
    pub wr_req: i64,
    /// Bytes written.
    pub wr_bytes: i64,
    /// Errors.
    pub errs: i64,
}

/// `remote_domain_interface_stats_ret`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInterfaceStatsRet {
    /// Bytes received.
    pub rx_bytes: i64,
    /// Packets received.
    pub rx_packets: i64,
    /// Receive errors.
    pub rx_errs: i64,
    /// Receive drops.
    pub rx_drop: i64,
    /// Bytes sent.
    pub tx_bytes: i64,
    /// Packets sent.
    pub tx_packets: i64,
    /// Send errors.
    pub tx_errs: i64,
    /// Send drops.
    pub tx_drop: i64,
}

/// `remote_domain_get_vcpus_args` (DOMAIN_GET_VCPUS, 20).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetVcpusArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most vCPUs wanted.
    pub maxinfo: i32,
    /// Bytes per CPU map wanted (0: no maps).
    pub maplen: i32,
}

/// `remote_vcpu_info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VcpuInfo {
    /// vCPU number.
    pub number: u32,
    /// `virVcpuState`.
    pub state: i32,
    /// CPU time, ns.
    pub cpu_time: u64,
    /// Host CPU.
    pub cpu: i32,
}

/// `remote_domain_get_vcpus_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetVcpusRet {
    /// One per vCPU.
    pub info: Vec<VcpuInfo>,
    /// `maplen` bytes per vCPU.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumaps: Vec<u8>,
}

/// `remote_domain_get_vcpu_pin_info_args` (DOMAIN_GET_VCPU_PIN_INFO, 230).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetVcpuPinInfoArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most maps wanted.
    pub ncpumaps: i32,
    /// Bytes per map.
    pub maplen: i32,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_get_vcpu_pin_info_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetVcpuPinInfoRet {
    /// `maplen` bytes per vCPU.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumaps: Vec<u8>,
    /// Number of vCPUs.
    pub num: i32,
}

/// `remote_domain_get_emulator_pin_info_args` (DOMAIN_GET_EMULATOR_PIN_INFO, 280).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetEmulatorPinInfoArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Bytes of map wanted.
    pub maplen: i32,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_get_emulator_pin_info_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetEmulatorPinInfoRet {
    /// The map.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumaps: Vec<u8>,
    /// 1 if there is a map.
    pub ret: i32,
}

/// `remote_domain_iothread_info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoThreadInfo {
    /// Iothread id.
    pub iothread_id: u32,
    /// Its CPU map.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumap: Vec<u8>,
}

/// `remote_domain_get_iothread_info_ret` (DOMAIN_GET_IOTHREAD_INFO, 351; args: dom + flags).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetIothreadInfoRet {
    /// The iothreads.
    pub info: Vec<IoThreadInfo>,
    /// Their number.
    pub ret: u32,
}

/// `remote_domain_get_cpu_stats_args` (DOMAIN_GET_CPU_STATS, 262).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetCpuStatsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Parameters per CPU wanted (0: just count).
    pub nparams: u32,
    /// First host CPU, or -1 for the total.
    pub start_cpu: i32,
    /// Number of CPUs.
    pub ncpus: u32,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_get_cpu_stats_ret`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetCpuStatsRet {
    /// `nparams` parameters per CPU, CPU after CPU.
    pub params: Vec<TypedParam>,
    /// Parameters per CPU (or, when counting, the count asked for).
    pub nparams: i32,
}

/// `remote_domain_get_hostname_ret` (DOMAIN_GET_HOSTNAME, 277; args: dom + flags).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetHostnameRet {
    /// Host name.
    pub hostname: String,
}

/// `remote_domain_interface_addresses_args` (DOMAIN_INTERFACE_ADDRESSES, 353).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInterfaceAddressesArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `virDomainInterfaceAddressesSource`.
    pub source: u32,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_ip_addr`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainIpAddr {
    /// `virIPAddrType`.
    pub type_: i32,
    /// Address.
    pub addr: String,
    /// Prefix length.
    pub prefix: u32,
}

/// `remote_domain_interface`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInterface {
    /// Name.
    pub name: String,
    /// MAC address.
    pub hwaddr: Option<String>,
    /// Addresses.
    pub addrs: Vec<DomainIpAddr>,
}

/// `remote_domain_interface_addresses_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInterfaceAddressesRet {
    /// Interfaces.
    pub ifaces: Vec<DomainInterface>,
}

/// `remote_domain_fsinfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFsInfo {
    /// Mount point.
    pub mountpoint: String,
    /// Device.
    pub name: String,
    /// Type.
    pub fstype: String,
    /// Disk aliases.
    pub dev_aliases: Vec<String>,
}

/// `remote_domain_get_fsinfo_ret` (DOMAIN_GET_FSINFO, 349; args: dom + flags).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetFsinfoRet {
    /// File systems.
    pub info: Vec<DomainFsInfo>,
    /// Their number.
    pub ret: u32,
}

/// `remote_domain_get_time_ret` (DOMAIN_GET_TIME, 337; args: dom + flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetTimeRet {
    /// Seconds since the epoch.
    pub seconds: i64,
    /// Nanoseconds.
    pub nseconds: u32,
}

/// `remote_domain_get_disk_errors_args` (DOMAIN_GET_DISK_ERRORS, 263).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetDiskErrorsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most errors wanted (0: count).
    pub maxerrors: u32,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_disk_error`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainDiskError {
    /// Disk target.
    pub disk: String,
    /// `virDomainDiskErrorCode`.
    pub error: i32,
}

/// `remote_domain_get_disk_errors_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetDiskErrorsRet {
    /// Errors.
    pub errors: Vec<DomainDiskError>,
    /// How many there are.
    pub nerrors: i32,
}

/// `remote_domain_get_scheduler_type_ret` (DOMAIN_GET_SCHEDULER_TYPE, 56; args: dom).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetSchedulerTypeRet {
    /// Scheduler name.
    pub type_: String,
    /// Number of its parameters.
    pub nparams: i32,
}

/// A single `int num` return (DOMAIN_GET_VCPUS_FLAGS 200, DOMAIN_GET_MAX_VCPUS 18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumRet {
    /// The number.
    pub num: i32,
}

/// `remote_domain_get_max_memory_ret` (DOMAIN_GET_MAX_MEMORY, 17; args: dom).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetMaxMemoryRet {
    /// KiB.
    pub memory: u64,
}

/// `remote_domain_get_metadata_args` (DOMAIN_GET_METADATA, 265).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetMetadataArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `virDomainMetadataType`.
    pub type_: i32,
    /// Namespace URI for elements.
    pub uri: Option<String>,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_get_metadata_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetMetadataRet {
    /// The metadata.
    pub metadata: String,
}

/// `remote_domain_set_metadata_args` (DOMAIN_SET_METADATA, 264).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetMetadataArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `virDomainMetadataType`.
    pub type_: i32,
    /// New value (`None` removes).
    pub metadata: Option<String>,
    /// Namespace prefix for elements.
    pub key: Option<String>,
    /// Namespace URI for elements.
    pub uri: Option<String>,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_node_get_free_memory_ret` (NODE_GET_FREE_MEMORY, 102; void args).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetFreeMemoryRet {
    /// Bytes.
    pub free_mem: u64,
}

/// `remote_node_get_cells_free_memory_args` (NODE_GET_CELLS_FREE_MEMORY, 101).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetCellsFreeMemoryArgs {
    /// First cell.
    pub start_cell: i32,
    /// Most cells.
    pub maxcells: i32,
}

/// `remote_node_get_cells_free_memory_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetCellsFreeMemoryRet {
    /// Bytes per cell.
    pub cells: Vec<u64>,
}

/// `remote_node_get_cpu_map_args` (NODE_GET_CPU_MAP, 293).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetCpuMapArgs {
    /// Non-zero to get the map.
    pub need_map: i32,
    /// Non-zero to get the online count.
    pub need_online: i32,
    /// Flags.
    pub flags: u32,
}

/// `remote_node_get_cpu_map_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetCpuMapRet {
    /// Online CPUs.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumap: Vec<u8>,
    /// How many are online.
    pub online: u32,
    /// How many CPUs there are.
    pub ret: i32,
}

/// `REMOTE_DOMAIN_MEMORY_PEEK_BUFFER_MAX`: the most bytes one memory peek returns.
pub const MEMORY_PEEK_BUFFER_MAX: u32 = 4_194_304;

/// `remote_domain_memory_peek_args` (DOMAIN_MEMORY_PEEK, 104).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMemoryPeekArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The first address.
    pub offset: u64,
    /// How many bytes.
    pub size: u32,
    /// `VIR_MEMORY_VIRTUAL` (1) or `VIR_MEMORY_PHYSICAL` (2).
    pub flags: u32,
}

/// `remote_domain_memory_peek_ret` (104).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMemoryPeekRet {
    /// The bytes.
    #[serde(with = "rvirt_xdr::opaque")]
    pub buffer: Vec<u8>,
}

/// `REMOTE_CONNECT_CPU_MODELS_MAX`: the most CPU model names one reply carries.
pub const CPU_MODELS_MAX: usize = 8192;

/// `remote_connect_get_cpu_model_names_args` (CONNECT_GET_CPU_MODEL_NAMES, 312).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectGetCpuModelNamesArgs {
    /// The architecture (`x86_64`, `ppc64`, …).
    pub arch: String,
    /// Non-zero when the caller wants the names, not only their count.
    pub need_results: i32,
    /// No flags are defined.
    pub flags: u32,
}

/// `remote_connect_get_cpu_model_names_ret` (312).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectGetCpuModelNamesRet {
    /// The names (empty unless asked for).
    pub models: Vec<String>,
    /// How many there are.
    pub ret: i32,
}

/// `REMOTE_DOMAIN_LAUNCH_SECURITY_INFO_PARAMS_MAX`.
pub const LAUNCH_SECURITY_INFO_PARAMS_MAX: usize = 64;

/// `remote_domain_get_launch_security_info_args` (DOMAIN_GET_LAUNCH_SECURITY_INFO, 396).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetLaunchSecurityInfoArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// No flags are defined (clients add `VIR_TYPED_PARAM_STRING_OKAY`).
    pub flags: u32,
}

/// `remote_domain_get_launch_security_info_ret` (396).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetLaunchSecurityInfoRet {
    /// The launch measurement and the like (none without AMD SEV).
    pub params: Vec<TypedParam>,
}

/// `REMOTE_DOMAIN_JOB_STATS_MAX`.
pub const JOB_STATS_MAX: usize = 64;

/// `remote_domain_get_job_stats_args` (DOMAIN_GET_JOB_STATS, 298).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetJobStatsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `VIR_DOMAIN_JOB_STATS_COMPLETED` (1), `_KEEP_COMPLETED` (2).
    pub flags: u32,
}

/// `remote_domain_get_job_stats_ret` (298).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetJobStatsRet {
    /// `virDomainJobType`.
    pub type_: i32,
    /// The job's figures.
    pub params: Vec<TypedParam>,
}

/// `remote_domain_migrate_get_max_speed_args` (DOMAIN_MIGRATE_GET_MAX_SPEED, 242).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateGetMaxSpeedArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY` (1).
    pub flags: u32,
}

/// `remote_domain_migrate_get_max_speed_ret` (242).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateGetMaxSpeedRet {
    /// MiB/s.
    pub bandwidth: u64,
}

/// `remote_domain_migrate_set_max_speed_args` (DOMAIN_MIGRATE_SET_MAX_SPEED, 207).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateSetMaxSpeedArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// MiB/s.
    pub bandwidth: u64,
    /// `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY` (1).
    pub flags: u32,
}

/// `remote_domain_migrate_set_max_downtime_args` (DOMAIN_MIGRATE_SET_MAX_DOWNTIME, 166).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateSetMaxDowntimeArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Milliseconds.
    pub downtime: u64,
    /// None defined.
    pub flags: u32,
}

/// `remote_domain_migrate_get_max_downtime_ret` (DOMAIN_MIGRATE_GET_MAX_DOWNTIME, 387;
/// its arguments are `{dom; u32 flags}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateGetMaxDowntimeRet {
    /// Milliseconds.
    pub downtime: u64,
}

/// `remote_domain_migrate_get_compression_cache_ret` (DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
/// 299; its arguments are `{dom; u32 flags}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateGetCompressionCacheRet {
    /// Bytes.
    pub cache_size: u64,
}

/// `remote_domain_migrate_set_compression_cache_args`
/// (DOMAIN_MIGRATE_SET_COMPRESSION_CACHE, 300; void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateSetCompressionCacheArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Bytes.
    pub cache_size: u64,
    /// None defined.
    pub flags: u32,
}

/// `remote_domain_set_block_threshold_args` (DOMAIN_SET_BLOCK_THRESHOLD, 386; void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetBlockThresholdArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub dev: String,
    /// Bytes written past which the BLOCK_THRESHOLD event fires once.
    pub threshold: u64,
    /// None defined.
    pub flags: u32,
}

/// `REMOTE_SECURITY_LABEL_LIST_MAX`.
pub const SECURITY_LABEL_LIST_MAX: usize = 64;

/// `remote_domain_get_security_label_list_ret` (DOMAIN_GET_SECURITY_LABEL_LIST, 278;
/// the arguments are `remote_domain_get_security_label_list_args`, the domain alone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetSecurityLabelListRet {
    /// One label per security driver, the primary one first.
    pub labels: Vec<crate::types::DomainGetSecurityLabelRet>,
    /// Their count.
    pub ret: i32,
}

/// `REMOTE_NODE_MEMORY_PARAMETERS_MAX`.
pub const NODE_MEMORY_PARAMETERS_MAX: i32 = 64;

/// `remote_node_get_memory_parameters_args` (NODE_GET_MEMORY_PARAMETERS, 289).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetMemoryParametersArgs {
    /// How many the caller has room for; 0 asks for the count.
    pub nparams: i32,
    /// No flags are defined (clients add `VIR_TYPED_PARAM_STRING_OKAY`).
    pub flags: u32,
}

/// `remote_node_get_memory_parameters_ret` (289); also the shape of
/// `remote_node_get_sev_info_ret` (395).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeParamsRet {
    /// The parameters (none when only the count was asked).
    pub params: Vec<TypedParam>,
    /// Their count.
    pub nparams: i32,
}

/// `REMOTE_NODE_SEV_INFO_MAX`.
pub const NODE_SEV_INFO_MAX: usize = 64;

/// `remote_node_get_sev_info_args` (NODE_GET_SEV_INFO, 395).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetSevInfoArgs {
    /// Unused by the daemon (libvirt's clients send 0).
    pub nparams: i32,
    /// No flags are defined (clients add `VIR_TYPED_PARAM_STRING_OKAY`).
    pub flags: u32,
}

/// `REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX`.
pub const BLOCK_STATS_PARAMETERS_MAX: i32 = 16;

/// `remote_domain_block_stats_flags_args` (DOMAIN_BLOCK_STATS_FLAGS, 243).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockStatsFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target (`vda`) or source path.
    pub path: String,
    /// How many the caller has room for; 0 asks for the count.
    pub nparams: i32,
    /// `VIR_TYPED_PARAM_STRING_OKAY` at most.
    pub flags: u32,
}

/// `remote_domain_get_block_job_info_args` (DOMAIN_GET_BLOCK_JOB_INFO, 238).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetBlockJobInfoArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub path: String,
    /// `VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES` (1).
    pub flags: u32,
}

/// `remote_domain_get_block_job_info_ret` (238).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetBlockJobInfoRet {
    /// 1 when the disk has a job, 0 otherwise (the rest is then zero).
    pub found: i32,
    /// `virDomainBlockJobType`.
    pub type_: i32,
    /// Its bandwidth cap.
    pub bandwidth: u64,
    /// Progress so far.
    pub cur: u64,
    /// Progress at the end.
    pub end: u64,
}

/// `remote_domain_block_job_abort_args` (DOMAIN_BLOCK_JOB_ABORT, 237).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockJobAbortArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub path: String,
    /// `VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC` (1), `_PIVOT` (2).
    pub flags: u32,
}

/// `remote_domain_block_job_set_speed_args` (DOMAIN_BLOCK_JOB_SET_SPEED, 239).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockJobSetSpeedArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub path: String,
    /// MiB/s (bytes/s with `VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES`, 1).
    pub bandwidth: u64,
    /// `VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES` (1).
    pub flags: u32,
}

/// `remote_domain_block_pull_args` (DOMAIN_BLOCK_PULL, 240).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockPullArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub path: String,
    /// MiB/s (bytes/s with `VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES`, 64); 0: no cap.
    pub bandwidth: u64,
    /// `virDomainBlockPullFlags`.
    pub flags: u32,
}

/// `remote_domain_block_rebase_args` (DOMAIN_BLOCK_REBASE, 266).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockRebaseArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub path: String,
    /// The image to keep as the backing; `None`: none.
    pub base: Option<String>,
    /// MiB/s (bytes/s with `VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES`, 64); 0: no cap.
    pub bandwidth: u64,
    /// `virDomainBlockRebaseFlags`.
    pub flags: u32,
}

/// `REMOTE_DOMAIN_BLOCK_COPY_PARAMETERS_MAX`.
pub const BLOCK_COPY_PARAMETERS_MAX: usize = 16;

/// `remote_domain_block_copy_args` (DOMAIN_BLOCK_COPY, 345).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainBlockCopyArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub path: String,
    /// The destination, as a `<disk>` element.
    pub destxml: String,
    /// `bandwidth`, `granularity`, `buf-size`.
    pub params: Vec<TypedParam>,
    /// `virDomainBlockCopyFlags`.
    pub flags: u32,
}

/// `remote_domain_block_commit_args` (DOMAIN_BLOCK_COMMIT, 290).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockCommitArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub disk: String,
    /// The image to commit into; `None`: the bottom of the chain.
    pub base: Option<String>,
    /// The image to commit from; `None`: the active layer.
    pub top: Option<String>,
    /// MiB/s (bytes/s with `VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES`, 16); 0: no cap.
    pub bandwidth: u64,
    /// `virDomainBlockCommitFlags`.
    pub flags: u32,
}

/// `remote_node_get_free_pages_args` (NODE_GET_FREE_PAGES, 340).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetFreePagesArgs {
    /// Page sizes, KiB.
    pub pages: Vec<u32>,
    /// The first NUMA cell.
    pub start_cell: i32,
    /// How many cells.
    pub cell_count: u32,
    /// None defined.
    pub flags: u32,
}

/// `remote_node_get_free_pages_ret` (340).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetFreePagesRet {
    /// Free pages per cell, then per size.
    pub counts: Vec<u64>,
}

/// `remote_domain_start_dirty_rate_calc_args` (DOMAIN_START_DIRTY_RATE_CALC, 427).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainStartDirtyRateCalcArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// How long to measure.
    pub seconds: i32,
    /// `virDomainDirtyRateCalcFlags`.
    pub flags: u32,
}

/// `REMOTE_DOMAIN_BLOCK_PEEK_BUFFER_MAX`.
pub const BLOCK_PEEK_BUFFER_MAX: u32 = 4 * 1024 * 1024;

/// `remote_domain_block_peek_args` (DOMAIN_BLOCK_PEEK, 103).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockPeekArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk: its target or source path.
    pub path: String,
    /// The first byte.
    pub offset: u64,
    /// How many bytes.
    pub size: u32,
    /// None defined.
    pub flags: u32,
}

/// `remote_domain_block_peek_ret` (103).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockPeekRet {
    /// The bytes.
    #[serde(with = "rvirt_xdr::opaque")]
    pub buffer: Vec<u8>,
}

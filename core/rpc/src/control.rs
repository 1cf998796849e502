//! Arguments and return values of the procedures that act on a running guest beside
//! its lifecycle (reset, NMI, keys, block resize, jobs, the guest agent's clock and
//! file-system freezing and trimming, process signals) and of the node's CPU and
//! memory counters. Names follow libvirt's `remote_*` structs; fields are in wire
//! order.

use serde::{Deserialize, Serialize};

use crate::typed_param::TypedParam;
use crate::types::RemoteNonnullDomain;

/// `REMOTE_DOMAIN_SEND_KEY_MAX`: most keys in one DOMAIN_SEND_KEY.
pub const SEND_KEY_MAX: usize = 16;
/// `REMOTE_DOMAIN_FSFREEZE_MOUNTPOINTS_MAX`: most mount points in one DOMAIN_FSFREEZE.
pub const FSFREEZE_MOUNTPOINTS_MAX: usize = 256;
/// `REMOTE_NODE_CPU_STATS_MAX`.
pub const NODE_CPU_STATS_MAX: i32 = 16;
/// `REMOTE_NODE_MEMORY_STATS_MAX`.
pub const NODE_MEMORY_STATS_MAX: i32 = 16;

/// `remote_domain_send_key_args` (DOMAIN_SEND_KEY, 226).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSendKeyArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `virKeycodeSet` of `keycodes`.
    pub codeset: u32,
    /// ms the keys stay pressed (0: the hypervisor's default).
    pub holdtime: u32,
    /// The keys, pressed together.
    pub keycodes: Vec<u32>,
    /// None defined.
    pub flags: u32,
}

/// `remote_domain_block_resize_args` (DOMAIN_BLOCK_RESIZE, 251).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainBlockResizeArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk's target (`vda`) or source path.
    pub disk: String,
    /// New size, KiB (bytes with `VIR_DOMAIN_BLOCK_RESIZE_BYTES`).
    pub size: u64,
    /// `VIR_DOMAIN_BLOCK_RESIZE_BYTES` (1).
    pub flags: u32,
}

/// `remote_domain_get_job_info_ret` (DOMAIN_GET_JOB_INFO, 163; args: dom).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetJobInfoRet {
    /// `virDomainJobType`.
    pub job_type: i32,
    /// ms since the job started.
    pub time_elapsed: u64,
    /// ms left (bounded jobs).
    pub time_remaining: u64,
    /// Bytes in all.
    pub data_total: u64,
    /// Bytes done.
    pub data_processed: u64,
    /// Bytes left.
    pub data_remaining: u64,
    /// Guest memory bytes in all.
    pub mem_total: u64,
    /// Guest memory bytes done.
    pub mem_processed: u64,
    /// Guest memory bytes left.
    pub mem_remaining: u64,
    /// File bytes in all.
    pub file_total: u64,
    /// File bytes done.
    pub file_processed: u64,
    /// File bytes left.
    pub file_remaining: u64,
}

/// `remote_node_get_cpu_stats_args` (NODE_GET_CPU_STATS, 227).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetCpuStatsArgs {
    /// A CPU, or `VIR_NODE_CPU_STATS_ALL_CPUS` (-1).
    pub cpu_num: i32,
    /// Room for this many fields; 0 asks how many there are.
    pub nparams: i32,
    /// None defined.
    pub flags: u32,
}

/// `remote_node_get_memory_stats_args` (NODE_GET_MEMORY_STATS, 228).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGetMemoryStatsArgs {
    /// Room for this many fields; 0 asks how many there are.
    pub nparams: i32,
    /// A NUMA cell, or `VIR_NODE_MEMORY_STATS_ALL_CELLS` (-1).
    pub cell_num: i32,
    /// None defined.
    pub flags: u32,
}

/// `remote_node_get_cpu_stats` / `remote_node_get_memory_stats`: one named counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStat {
    /// Its name (`kernel`, `user`, `total`, `free`, …).
    pub field: String,
    /// Its value (ns for CPU time, KiB for memory).
    pub value: u64,
}

/// `remote_node_get_cpu_stats_ret` / `remote_node_get_memory_stats_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStatsRet {
    /// The counters (none when the call asked how many there are).
    pub params: Vec<NodeStat>,
    /// How many counters there are.
    pub nparams: i32,
}

/// `remote_domain_set_time_args` (DOMAIN_SET_TIME, 338).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetTimeArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Seconds since the epoch.
    pub seconds: i64,
    /// Nanoseconds.
    pub nseconds: u32,
    /// `VIR_DOMAIN_TIME_SYNC` (1).
    pub flags: u32,
}

/// `remote_domain_fsfreeze_args` and `remote_domain_fsthaw_args` (335, 336).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFsfreezeArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Mount points (none: all).
    pub mountpoints: Vec<String>,
    /// Unused, 0.
    pub flags: u32,
}

/// `remote_domain_fsfreeze_ret` and `remote_domain_fsthaw_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFsfreezeRet {
    /// File systems frozen or thawed.
    pub filesystems: i32,
}

/// `REMOTE_DOMAIN_GUEST_INFO_PARAMS_MAX`.
pub const GUEST_INFO_PARAMS_MAX: usize = 2048;

/// `remote_domain_get_guest_info_args` (DOMAIN_GET_GUEST_INFO, 418).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetGuestInfoArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `virDomainGuestInfoTypes` (0: all).
    pub types: u32,
    /// Unused, 0.
    pub flags: u32,
}

/// `remote_domain_get_guest_info_ret`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetGuestInfoRet {
    /// The facts, as typed parameters.
    pub params: Vec<crate::typed_param::TypedParam>,
}

/// `remote_domain_agent_set_response_timeout_args` (DOMAIN_AGENT_SET_RESPONSE_TIMEOUT,
/// 420).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAgentSetResponseTimeoutArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Seconds, or -2 (block), -1 (default), 0 (no wait).
    pub timeout: i32,
    /// Unused, 0.
    pub flags: u32,
}

/// `remote_domain_agent_set_response_timeout_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAgentSetResponseTimeoutRet {
    /// 0.
    pub result: i32,
}

/// `remote_domain_set_user_password_args` (DOMAIN_SET_USER_PASSWORD, 357).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetUserPasswordArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The guest user.
    pub user: Option<String>,
    /// The new password (crypted with `VIR_DOMAIN_PASSWORD_ENCRYPTED`).
    pub password: Option<String>,
    /// `VIR_DOMAIN_PASSWORD_ENCRYPTED` (1).
    pub flags: u32,
}

/// `remote_domain_fstrim_args` (DOMAIN_FSTRIM, 294).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFstrimArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The mount point to trim, or every one.
    pub mount_point: Option<String>,
    /// Free ranges shorter than this many bytes may be left untrimmed.
    pub minimum: u64,
    /// None defined.
    pub flags: u32,
}

/// `remote_domain_send_process_signal_args` (DOMAIN_SEND_PROCESS_SIGNAL, 295).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSendProcessSignalArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The process in the guest (containers) or 1.
    pub pid_value: i64,
    /// `virDomainProcessSignal`.
    pub signum: u32,
    /// None defined.
    pub flags: u32,
}

/// `REMOTE_DOMAIN_GUEST_VCPU_PARAMS_MAX`.
pub const GUEST_VCPU_PARAMS_MAX: usize = 64;

/// `remote_domain_get_guest_vcpus_ret` (DOMAIN_GET_GUEST_VCPUS, 371; args: a domain and
/// flags).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetGuestVcpusRet {
    /// `vcpus`, `online`, `offlinable`: CPU lists.
    pub params: Vec<TypedParam>,
}

/// `remote_domain_set_guest_vcpus_args` (DOMAIN_SET_GUEST_VCPUS, 372; void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetGuestVcpusArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The guest's vCPUs to change, as a CPU list ("1-3,5").
    pub cpumap: String,
    /// 1: online; 0: offline.
    pub state: i32,
    /// None defined.
    pub flags: u32,
}

/// `REMOTE_DOMAIN_AUTHORIZED_SSH_KEYS_MAX`.
pub const AUTHORIZED_SSH_KEYS_MAX: usize = 2048;

/// `remote_domain_authorized_ssh_keys_get_args` (DOMAIN_AUTHORIZED_SSH_KEYS_GET, 424).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAuthorizedSshKeysGetArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The guest user.
    pub user: String,
    /// None defined.
    pub flags: u32,
}

/// `remote_domain_authorized_ssh_keys_get_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAuthorizedSshKeysGetRet {
    /// The user's authorized keys, one per entry.
    pub keys: Vec<String>,
}

/// `remote_domain_authorized_ssh_keys_set_args` (DOMAIN_AUTHORIZED_SSH_KEYS_SET, 425).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAuthorizedSshKeysSetArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The guest user.
    pub user: String,
    /// The keys to set, add or remove.
    pub keys: Vec<String>,
    /// `VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND` (1) or `_REMOVE` (2).
    pub flags: u32,
}

/// `remote_domain_pm_suspend_for_duration_args` (DOMAIN_PM_SUSPEND_FOR_DURATION, 261;
/// void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPmSuspendForDurationArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `VIR_NODE_SUSPEND_TARGET_MEM` (0), `_DISK` (1) or `_HYBRID` (2).
    pub target: u32,
    /// Seconds; 0 (the only duration QEMU guests take).
    pub duration: u64,
    /// None defined.
    pub flags: u32,
}

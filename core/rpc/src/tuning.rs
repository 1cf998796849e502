//! Arguments and return values of the tuning procedures: the scheduler's parameters
//! (`virsh schedinfo`), and the memory, blkio and NUMA parameters (`virsh memtune`,
//! `blkiotune`, `numatune`), which share one layout. Names follow libvirt's `remote_*` structs; fields are in wire
//! order.

use serde::{Deserialize, Serialize};

use crate::typed_param::TypedParam;
use crate::types::RemoteNonnullDomain;

/// `REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX`: most parameters in one call or reply.
pub const SCHEDULER_PARAMETERS_MAX: usize = 16;

/// `remote_domain_get_scheduler_parameters_args` (DOMAIN_GET_SCHEDULER_PARAMETERS, 57).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetSchedulerParametersArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most parameters wanted (the count DOMAIN_GET_SCHEDULER_TYPE gave).
    pub nparams: i32,
}

/// `remote_domain_get_scheduler_parameters_flags_args`
/// (DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS, 223).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetSchedulerParametersFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most parameters wanted.
    pub nparams: i32,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_get_scheduler_parameters_ret` (57 and 223).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetSchedulerParametersRet {
    /// The parameters.
    pub params: Vec<TypedParam>,
}

/// `remote_domain_set_scheduler_parameters_args` (DOMAIN_SET_SCHEDULER_PARAMETERS, 58).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainSetSchedulerParametersArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The parameters to set.
    pub params: Vec<TypedParam>,
}

/// `remote_domain_set_scheduler_parameters_flags_args`
/// (DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS, 219).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainSetSchedulerParametersFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The parameters to set.
    pub params: Vec<TypedParam>,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX`, `REMOTE_DOMAIN_BLKIO_PARAMETERS_MAX` and
/// `REMOTE_DOMAIN_NUMA_PARAMETERS_MAX`: most parameters in one call or reply.
pub const TUNING_PARAMETERS_MAX: usize = 16;

/// `remote_domain_set_memory_parameters_args` (DOMAIN_SET_MEMORY_PARAMETERS, 197), and
/// the same layout of `remote_domain_set_blkio_parameters_args` (205) and
/// `remote_domain_set_numa_parameters_args` (254).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainSetTuningParametersArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The parameters to set.
    pub params: Vec<TypedParam>,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_get_memory_parameters_args` (DOMAIN_GET_MEMORY_PARAMETERS, 198), and
/// the same layout of the blkio (206) and NUMA (255) calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetTuningParametersArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most parameters wanted; 0 asks for their count.
    pub nparams: i32,
    /// `virDomainModificationImpact` and `VIR_TYPED_PARAM_STRING_OKAY`.
    pub flags: u32,
}

/// `remote_domain_get_memory_parameters_ret` (198, 206, 255).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetTuningParametersRet {
    /// The parameters (none when their count was asked).
    pub params: Vec<TypedParam>,
    /// How many the driver has (when asked with `nparams` 0) or returned.
    pub nparams: i32,
}

/// `REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX`: most block I/O throttling parameters
/// in one call or reply.
pub const BLOCK_IO_TUNE_PARAMETERS_MAX: usize = 32;

/// `REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX`: most NIC bandwidth parameters in one call
/// or reply.
pub const INTERFACE_PARAMETERS_MAX: usize = 16;

/// `REMOTE_DOMAIN_PERF_EVENTS_MAX`: most perf events in one call or reply.
pub const PERF_EVENTS_MAX: usize = 64;

/// `remote_domain_set_block_io_tune_args` (DOMAIN_SET_BLOCK_IO_TUNE, 252) and the same
/// layout of `remote_domain_set_interface_parameters_args` (256, the NIC in `device`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainSetDeviceTuningArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk (target or source path) or the NIC (MAC address or host device name).
    pub device: String,
    /// The parameters to set.
    pub params: Vec<TypedParam>,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_get_block_io_tune_args` (DOMAIN_GET_BLOCK_IO_TUNE, 253).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetBlockIoTuneArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The disk (libvirt's clients always name one).
    pub disk: Option<String>,
    /// Most parameters wanted; 0 asks for their count.
    pub nparams: i32,
    /// `virDomainModificationImpact` and `VIR_TYPED_PARAM_STRING_OKAY`.
    pub flags: u32,
}

/// `remote_domain_get_interface_parameters_args` (DOMAIN_GET_INTERFACE_PARAMETERS, 257).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetInterfaceParametersArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The NIC: its MAC address or host device name.
    pub device: String,
    /// Most parameters wanted; 0 asks for their count.
    pub nparams: i32,
    /// `virDomainModificationImpact` and `VIR_TYPED_PARAM_STRING_OKAY`.
    pub flags: u32,
}

/// `remote_domain_get_perf_events_args` (DOMAIN_GET_PERF_EVENTS, 365).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGetPerfEventsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_get_perf_events_ret` (365).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainGetPerfEventsRet {
    /// Every event with whether it is enabled.
    pub params: Vec<TypedParam>,
}

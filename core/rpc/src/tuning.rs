//! Arguments and return values of the tuning procedures: the scheduler's parameters
//! (`virsh schedinfo`). Names follow libvirt's `remote_*` structs; fields are in wire
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

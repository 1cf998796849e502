//! Arguments and return values of the checkpoint procedures
//! (`remote_domain_checkpoint_*`, 411–417).

use serde::{Deserialize, Serialize};

use crate::types::RemoteNonnullDomain;

/// `REMOTE_DOMAIN_CHECKPOINT_LIST_MAX`.
pub const CHECKPOINT_LIST_MAX: usize = 16384;

/// `remote_nonnull_domain_checkpoint`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteNonnullDomainCheckpoint {
    /// Checkpoint name.
    pub name: String,
    /// Its domain.
    pub dom: RemoteNonnullDomain,
}

/// `remote_domain_checkpoint_create_xml_args` (411).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheckpointCreateXmlArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `<domaincheckpoint>`.
    pub xml_desc: String,
    /// Flags.
    pub flags: u32,
}

/// `{checkpoint}` returns (CREATE_XML 411, LOOKUP_BY_NAME 415; GET_PARENT 416 names
/// it `parent`, same layout).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRet {
    /// The checkpoint.
    pub checkpoint: RemoteNonnullDomainCheckpoint,
}

/// `{checkpoint; flags}`: GET_XML_DESC 412, GET_PARENT 416, DELETE 417.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointFlagsArgs {
    /// The checkpoint.
    pub checkpoint: RemoteNonnullDomainCheckpoint,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_list_all_checkpoints_args` (413).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainListAllCheckpointsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Non-zero to get the handles, not just the count.
    pub need_results: i32,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_checkpoint_list_all_children_args` (414).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointListAllChildrenArgs {
    /// The checkpoint.
    pub checkpoint: RemoteNonnullDomainCheckpoint,
    /// Non-zero to get the handles.
    pub need_results: i32,
    /// Flags.
    pub flags: u32,
}

/// `{checkpoints<>; int ret}` (413, 414).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointListRet {
    /// The checkpoints (empty unless asked for).
    pub checkpoints: Vec<RemoteNonnullDomainCheckpoint>,
    /// How many match.
    pub ret: i32,
}

/// `remote_domain_checkpoint_lookup_by_name_args` (415).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheckpointLookupByNameArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Checkpoint name.
    pub name: String,
    /// Flags.
    pub flags: u32,
}

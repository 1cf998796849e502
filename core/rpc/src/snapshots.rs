//! Arguments and return values of the snapshot procedures (`remote_domain_snapshot_*`).

use serde::{Deserialize, Serialize};

use crate::types::RemoteNonnullDomain;

/// `REMOTE_DOMAIN_SNAPSHOT_LIST_MAX`.
pub const SNAPSHOT_LIST_MAX: usize = 16384;

/// `remote_nonnull_domain_snapshot`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteNonnullDomainSnapshot {
    /// Snapshot name.
    pub name: String,
    /// Its domain.
    pub dom: RemoteNonnullDomain,
}

/// `{snap; flags}`: GET_XML_DESC 186, REVERT 192, DELETE 193, GET_PARENT 244,
/// NUM_CHILDREN 246, IS_CURRENT 271, HAS_METADATA 272.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotFlagsArgs {
    /// The snapshot.
    pub snap: RemoteNonnullDomainSnapshot,
    /// Flags.
    pub flags: u32,
}

/// `{snap}` returns (CREATE_XML 185, LOOKUP_BY_NAME 189, CURRENT 191, GET_PARENT 244).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRet {
    /// The snapshot.
    pub snap: RemoteNonnullDomainSnapshot,
}

/// `remote_domain_snapshot_create_xml_args` (185).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSnapshotCreateXmlArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `<domainsnapshot>`.
    pub xml_desc: String,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_snapshot_list_names_args` (188).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSnapshotListNamesArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Most names.
    pub maxnames: i32,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_snapshot_list_children_names_args` (247).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotListChildrenNamesArgs {
    /// The snapshot.
    pub snap: RemoteNonnullDomainSnapshot,
    /// Most names.
    pub maxnames: i32,
    /// Flags.
    pub flags: u32,
}

/// `{string names<>}` (188, 247).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamesRet {
    /// The names.
    pub names: Vec<String>,
}

/// `remote_domain_snapshot_lookup_by_name_args` (189).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSnapshotLookupByNameArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Snapshot name.
    pub name: String,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_list_all_snapshots_args` (274).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainListAllSnapshotsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Non-zero to get the handles, not just the count.
    pub need_results: i32,
    /// Flags.
    pub flags: u32,
}

/// `remote_domain_snapshot_list_all_children_args` (275).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotListAllChildrenArgs {
    /// The snapshot.
    pub snapshot: RemoteNonnullDomainSnapshot,
    /// Non-zero to get the handles.
    pub need_results: i32,
    /// Flags.
    pub flags: u32,
}

/// `{snapshots<>; int ret}` (274, 275).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotListRet {
    /// The snapshots (empty unless asked for).
    pub snapshots: Vec<RemoteNonnullDomainSnapshot>,
    /// How many match.
    pub ret: i32,
}

/// A single `int` return (`num`, `result`, `current`, `metadata`: 187, 190, 246,
/// 271, 272 all lay out one int).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntRet {
    /// The value.
    pub value: i32,
}

//! Arguments and return values of libvirt's migration protocol version 3: the
//! procedures with typed parameters (DOMAIN_MIGRATE_*3_PARAMS, 302-307) and the older
//! ones with fixed arguments (DOMAIN_MIGRATE_*3, 213-218) `virDomainMigrate` still
//! uses. Names follow libvirt's `remote_*` structs; fields are in wire order. Cookies
//! are opaque to the client: the source and destination drivers pass them to each
//! other through it.

use serde::{Deserialize, Serialize};

use crate::typed_param::TypedParam;
use crate::types::RemoteNonnullDomain;

/// `REMOTE_MIGRATE_COOKIE_MAX`.
pub const MIGRATE_COOKIE_MAX: usize = 4 * 1024 * 1024;
/// `REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX`.
pub const MIGRATE_PARAM_LIST_MAX: usize = 64;

/// `remote_domain_migrate_begin3_params_args` (302).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainMigrateBegin3ParamsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `VIR_MIGRATE_PARAM_*`.
    pub params: Vec<TypedParam>,
    /// `virDomainMigrateFlags`.
    pub flags: u32,
}

/// `remote_domain_migrate_begin3_params_ret` (302), also `_begin3_ret` (213).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateBegin3Ret {
    /// For the destination's prepare.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_out: Vec<u8>,
    /// The domain XML the destination starts.
    pub xml: String,
}

/// `remote_domain_migrate_prepare3_params_args` (303).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainMigratePrepare3ParamsArgs {
    /// `VIR_MIGRATE_PARAM_*` (with the begin's XML as `destination_xml`).
    pub params: Vec<TypedParam>,
    /// The source's begin cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// `virDomainMigrateFlags`.
    pub flags: u32,
}

/// `remote_domain_migrate_prepare3_params_ret` (303), also `_prepare3_ret` (214).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigratePrepare3Ret {
    /// For the source's perform.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_out: Vec<u8>,
    /// Where the source sends the guest, when the destination chose it.
    pub uri_out: Option<String>,
}

/// `remote_domain_migrate_perform3_params_args` (305).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainMigratePerform3ParamsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Peer to peer: the destination driver's URI the source connects to.
    pub dconnuri: Option<String>,
    /// `VIR_MIGRATE_PARAM_*`.
    pub params: Vec<TypedParam>,
    /// The destination's prepare cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// `virDomainMigrateFlags`.
    pub flags: u32,
}

/// `remote_domain_migrate_perform3_params_ret` (305), also `_perform3_ret` (216).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigratePerform3Ret {
    /// For the destination's finish.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_out: Vec<u8>,
}

/// `remote_domain_migrate_finish3_params_args` (306).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainMigrateFinish3ParamsArgs {
    /// `VIR_MIGRATE_PARAM_*` (with `destination_name`).
    pub params: Vec<TypedParam>,
    /// The source's perform cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// `virDomainMigrateFlags`.
    pub flags: u32,
    /// Non-zero when the source failed to send the guest.
    pub cancelled: i32,
}

/// `remote_domain_migrate_finish3_params_ret` (306), also `_finish3_ret` (217).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateFinish3Ret {
    /// The domain on the destination.
    pub dom: RemoteNonnullDomain,
    /// For the source's confirm.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_out: Vec<u8>,
}

/// `remote_domain_migrate_confirm3_params_args` (307).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainMigrateConfirm3ParamsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `VIR_MIGRATE_PARAM_*`.
    pub params: Vec<TypedParam>,
    /// The destination's finish cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// `virDomainMigrateFlags`.
    pub flags: u32,
    /// Non-zero when the guest did not start on the destination.
    pub cancelled: i32,
}

/// `remote_domain_migrate_begin3_args` (213).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateBegin3Args {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Another domain XML for the destination.
    pub xmlin: Option<String>,
    /// `virDomainMigrateFlags`.
    pub flags: u64,
    /// The name on the destination.
    pub dname: Option<String>,
    /// Bandwidth, MiB/s.
    pub resource: u64,
}

/// `remote_domain_migrate_prepare3_args` (214).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigratePrepare3Args {
    /// The source's begin cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// Where the source should send the guest, as the client asked.
    pub uri_in: Option<String>,
    /// `virDomainMigrateFlags`.
    pub flags: u64,
    /// The name on the destination.
    pub dname: Option<String>,
    /// Bandwidth, MiB/s.
    pub resource: u64,
    /// The domain XML from the begin.
    pub dom_xml: String,
}

/// `remote_domain_migrate_perform3_args` (216).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigratePerform3Args {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Another domain XML for the destination.
    pub xmlin: Option<String>,
    /// The destination's prepare cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// Peer to peer: the destination driver's URI.
    pub dconnuri: Option<String>,
    /// Where to send the guest.
    pub uri: Option<String>,
    /// `virDomainMigrateFlags`.
    pub flags: u64,
    /// The name on the destination.
    pub dname: Option<String>,
    /// Bandwidth, MiB/s.
    pub resource: u64,
}

/// `remote_domain_migrate_finish3_args` (217).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateFinish3Args {
    /// The name on the destination.
    pub dname: String,
    /// The source's perform cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// Peer to peer: the destination driver's URI.
    pub dconnuri: Option<String>,
    /// Where the guest was sent.
    pub uri: Option<String>,
    /// `virDomainMigrateFlags`.
    pub flags: u64,
    /// Non-zero when the source failed to send the guest.
    pub cancelled: i32,
}

/// `remote_domain_migrate_confirm3_args` (218).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMigrateConfirm3Args {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The destination's finish cookie.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cookie_in: Vec<u8>,
    /// `virDomainMigrateFlags`.
    pub flags: u64,
    /// Non-zero when the guest did not start on the destination.
    pub cancelled: i32,
}

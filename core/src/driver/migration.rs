//! [`Migration`]: libvirt's migration protocol version 3 as a driver serves it. The
//! source driver begins (the domain XML and a cookie for the destination), the
//! destination prepares (a paused guest waiting for the stream, and where to send it),
//! the source performs (sends the guest), the destination finishes (runs it, or drops it
//! when the source failed), and the source confirms (stops its copy, or resumes it when
//! the destination failed). A client orchestrates the five steps
//! ([`Domain::migrate3`](crate::Domain::migrate3)); in peer-to-peer migration the source
//! driver does, its perform given the destination's URI.
//!
//! A driver opts in through
//! [`DriverConnection::migration`](super::DriverConnection::migration); every method
//! defaults to `VIR_ERR_NO_SUPPORT` naming the API, as libvirt answers for a driver
//! without it. Parameters are libvirt's typed `VIR_MIGRATE_PARAM_*` ones, read with
//! [`MigrateParams::parse`]; cookies pass between the two drivers untouched by the
//! client.

use crate::api::{TypedParam, TypedValue, validate_params};
use crate::{Error, ErrorDomain, Result};

use super::DomainRef;

fn unsupported<T>(api: &str) -> Result<T> {
    Err(Error::no_support(ErrorDomain::Domain, api.to_string()))
}

/// `virDomainMigrateFlags` bits.
pub mod flags {
    /// The guest keeps running while its memory is sent.
    pub const LIVE: u32 = 1;
    /// The source driver runs the migration itself (peer to peer).
    pub const PEER2PEER: u32 = 2;
    /// The stream goes through the drivers' connection.
    pub const TUNNELLED: u32 = 4;
    /// The destination keeps a persistent definition.
    pub const PERSIST_DEST: u32 = 8;
    /// The source's persistent definition is removed.
    pub const UNDEFINE_SOURCE: u32 = 16;
    /// The guest stays paused on the destination.
    pub const PAUSED: u32 = 32;
    /// Disks are copied too.
    pub const NON_SHARED_DISK: u32 = 64;
    /// Only the disks' top images are copied.
    pub const NON_SHARED_INC: u32 = 128;
    /// The domain's definition may not change during the migration.
    pub const CHANGE_PROTECTION: u32 = 256;
    /// Skips the safety checks.
    pub const UNSAFE: u32 = 512;
    /// Only the definition moves (the domain is not running).
    pub const OFFLINE: u32 = 1024;
    /// Memory pages are compressed.
    pub const COMPRESSED: u32 = 2048;
    /// A disk I/O error on the source cancels the migration.
    pub const ABORT_ON_ERROR: u32 = 4096;
    /// The guest's vCPUs are throttled until the migration converges.
    pub const AUTO_CONVERGE: u32 = 8192;
    /// The guest switches to the destination before all its memory is sent.
    pub const POSTCOPY: u32 = 32768;
    /// The stream is encrypted with TLS.
    pub const TLS: u32 = 65536;
    /// Memory is sent over several connections.
    pub const PARALLEL: u32 = 131072;
}

/// Driver features (`virDrvFeature`) a client asks about before it migrates.
pub mod features {
    /// Migration protocol version 3.
    pub const MIGRATION_V3: i32 = 6;
    /// The source driver can migrate peer to peer.
    pub const MIGRATION_P2P: i32 = 4;
    /// `VIR_MIGRATE_CHANGE_PROTECTION` is honoured.
    pub const MIGRATE_CHANGE_PROTECTION: i32 = 7;
    /// `VIR_MIGRATE_OFFLINE` is supported.
    pub const MIGRATION_OFFLINE: i32 = 12;
    /// The `*3_PARAMS` procedures with typed parameters.
    pub const MIGRATION_PARAMS: i32 = 13;
}

/// The `VIR_MIGRATE_PARAM_*` names and types every migration accepts (besides
/// `migrate_disks`, a string that may repeat).
pub const MIGRATE_PARAMS: [(&str, &str); 10] = [
    ("migrate_uri", "string"),
    ("destination_name", "string"),
    ("destination_xml", "string"),
    ("persistent_xml", "string"),
    ("bandwidth", "ullong"),
    ("graphics_uri", "string"),
    ("listen_address", "string"),
    ("auto_converge.initial", "int"),
    ("auto_converge.increment", "int"),
    ("disks_port", "int"),
];

/// The typed parameters of one migration step, checked as libvirt's drivers check them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MigrateParams {
    /// `migrate_uri`: where the source sends the guest (`tcp:host[:port]`).
    pub uri: Option<String>,
    /// `destination_name`: the domain's name on the destination.
    pub dest_name: Option<String>,
    /// `destination_xml`: the domain XML the destination starts.
    pub dest_xml: Option<String>,
    /// `persistent_xml`: the persistent definition the destination keeps.
    pub persist_xml: Option<String>,
    /// `bandwidth`: MiB/s.
    pub bandwidth: Option<u64>,
    /// `listen_address`: where the destination listens.
    pub listen_address: Option<String>,
    /// `auto_converge.initial`: the first throttle, percent.
    pub auto_converge_initial: Option<i32>,
    /// `auto_converge.increment`: each further throttle, percent.
    pub auto_converge_increment: Option<i32>,
    /// `migrate_disks`: the disks (targets) a storage migration copies; empty: all.
    pub migrate_disks: Vec<String>,
    /// `disks_port`: the destination's NBD port for a storage migration.
    pub disks_port: Option<i32>,
}

impl MigrateParams {
    /// Reads `params`; a name outside [`MIGRATE_PARAMS`] or of another type is refused
    /// in libvirt's words.
    ///
    /// ```
    /// use rvirt_core::api::{TypedParam, TypedValue};
    /// use rvirt_core::driver::MigrateParams;
    ///
    /// let p = MigrateParams::parse(&[TypedParam {
    ///     field: "migrate_uri".into(),
    ///     value: TypedValue::String("tcp:127.0.0.1".into()),
    /// }])
    /// .unwrap();
    /// assert_eq!(p.uri.as_deref(), Some("tcp:127.0.0.1"));
    /// ```
    pub fn parse(params: &[TypedParam]) -> Result<MigrateParams> {
        let mut p = MigrateParams::default();
        let (disks, others): (Vec<&TypedParam>, Vec<&TypedParam>) =
            params.iter().partition(|tp| tp.field == "migrate_disks");
        for tp in disks {
            match &tp.value {
                TypedValue::String(s) => p.migrate_disks.push(s.clone()),
                other => {
                    return Err(Error::invalid_arg(
                        ErrorDomain::Domain,
                        format!(
                            "invalid type '{}' for parameter 'migrate_disks', expected 'string'",
                            other.type_name()
                        ),
                    ));
                }
            }
        }
        let others: Vec<TypedParam> = others.into_iter().cloned().collect();
        validate_params(&others, &MIGRATE_PARAMS, ErrorDomain::Domain)?;
        for tp in &others {
            match (tp.field.as_str(), &tp.value) {
                ("migrate_uri", TypedValue::String(s)) => p.uri = Some(s.clone()),
                ("destination_name", TypedValue::String(s)) => p.dest_name = Some(s.clone()),
                ("destination_xml", TypedValue::String(s)) => p.dest_xml = Some(s.clone()),
                ("persistent_xml", TypedValue::String(s)) => p.persist_xml = Some(s.clone()),
                ("bandwidth", TypedValue::ULLong(v)) => p.bandwidth = Some(*v),
                ("listen_address", TypedValue::String(s)) => p.listen_address = Some(s.clone()),
                ("auto_converge.initial", TypedValue::Int(v)) => p.auto_converge_initial = Some(*v),
                ("auto_converge.increment", TypedValue::Int(v)) => {
                    p.auto_converge_increment = Some(*v)
                }
                ("disks_port", TypedValue::Int(v)) => p.disks_port = Some(*v),
                _ => {}
            }
        }
        Ok(p)
    }
}

/// Replaces (or adds) the string parameter `field` in `params`.
pub fn set_string_param(params: &mut Vec<TypedParam>, field: &str, value: &str) {
    params.retain(|p| p.field != field);
    params.push(TypedParam {
        field: field.to_string(),
        value: TypedValue::String(value.to_string()),
    });
}

/// What a source's begin returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Begun {
    /// The domain XML the destination starts (libvirt's migratable XML).
    pub xml: String,
    /// For the destination's prepare.
    pub cookie: Vec<u8>,
}

/// What a destination's prepare returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// For the source's perform.
    pub cookie: Vec<u8>,
    /// Where the source sends the guest, when the destination chose it.
    pub uri: Option<String>,
}

/// One driver connection's side of a migration, as source or destination.
#[allow(unused_variables)]
pub trait Migration: Send + Sync {
    /// Source: checks the domain can leave and describes it for the destination
    /// (`domainMigrateBegin3Params`).
    fn begin(&self, dom: &DomainRef, params: &[TypedParam], flags: u32) -> Result<Begun> {
        unsupported("virDomainMigrateBegin3Params")
    }
    /// Destination: makes ready to receive the domain of `params`' `destination_xml`
    /// (`domainMigratePrepare3Params`).
    fn prepare(&self, params: &[TypedParam], cookie: &[u8], flags: u32) -> Result<Prepared> {
        unsupported("virDomainMigratePrepare3Params")
    }
    /// Source: sends the guest and returns when it is there, the source's copy paused
    /// (`domainMigratePerform3Params`). With `dconnuri` (peer to peer) the source
    /// driver runs the whole migration against that URI.
    fn perform(
        &self,
        dom: &DomainRef,
        dconnuri: Option<&str>,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
    ) -> Result<Vec<u8>> {
        unsupported("virDomainMigratePerform3Params")
    }
    /// Destination: runs the received guest, or drops it when `cancelled`
    /// (`domainMigrateFinish3Params`).
    fn finish(
        &self,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<(DomainRef, Vec<u8>)> {
        unsupported("virDomainMigrateFinish3Params")
    }
    /// Source: stops its copy, or resumes it when `cancelled`
    /// (`domainMigrateConfirm3Params`).
    fn confirm(
        &self,
        dom: &DomainRef,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<()> {
        unsupported("virDomainMigrateConfirm3Params")
    }
    /// Source: switches the running outgoing migration of `dom` to post-copy: the guest
    /// runs on the destination from now on, its remaining memory fetched as it needs
    /// it (`virDomainMigrateStartPostCopy`).
    fn start_post_copy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        unsupported("virDomainMigrateStartPostCopy")
    }
    /// Whether `perform` accepts a destination URI (`VIR_DRV_FEATURE_MIGRATION_P2P`).
    fn peer_to_peer(&self) -> bool {
        false
    }
}

//! The REMOTE program (0x20008086 v1), the hypervisor API libvirt's clients speak:
//! its procedure table ([`table`]) and access rules ([`access`]), the per-client
//! [`Session`] (driver connection, event callbacks), the URIs the daemon serves
//! ([`served`]) and the handlers, by theme: [`connect`], [`domain`], [`callbacks`],
//! [`monitoring`], [`snapshots`], [`auth`], streams ([`console`]), the LIBVIRT_QEMU program ([`qemu_program`]), which calls run alone on their client ([`exclusive`]), and the secondary drivers' objects ([`objects`]). Hosted by the "libvirtd" server on every socket but the admin one.

mod access;
mod auth;
mod callbacks;
mod checkpoints;
mod configuration;
mod connect;
pub(crate) mod console;
mod control;
mod domain;
mod events;
mod exclusive;
mod jobs_and_host;
mod migration;
mod monitoring;
mod objects;
mod qemu_program;
mod save;
pub(crate) mod served;
pub(crate) mod session;
mod snapshots;
mod table;
mod tuning;

use std::sync::Arc;

use rvirt_core::{Connect, Domain, Uuid};
use rvirt_rpc::{REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, RemoteNonnullDomain};
use rvirt_rpc_server::{CallResult, Program, Programs};

use crate::auth::Policy;
pub(crate) use access::Access;
use served::ServedUris;
pub(crate) use session::Session;

/// What a REMOTE handler sees.
pub(crate) type Ctx<'a> = rvirt_rpc_server::Ctx<'a, Session>;

/// The REMOTE program.
pub(crate) fn program() -> Program<Session, Access> {
    Program {
        name: "REMOTE",
        number: REMOTE_PROGRAM,
        version: REMOTE_PROTOCOL_VERSION,
        procedures: table::table(),
        check: access::check,
        exclusive: exclusive::EXCLUSIVE,
    }
}

/// The daemon's settings REMOTE procedures need, shared by every client.
#[derive(Debug)]
pub(crate) struct RemoteConfig {
    /// URI opened when a client sends an empty one.
    pub default_uri: String,
    /// What else clients may open.
    pub served: ServedUris,
    /// Who passes AUTH_POLKIT.
    pub policy: Policy,
}

/// The programs of the "libvirtd" server: REMOTE and LIBVIRT_QEMU, each client with
/// a fresh session.
pub(crate) fn programs(config: RemoteConfig) -> Programs<Session> {
    let config = Arc::new(config);
    Programs::new(move |_| Session::new(config.clone()))
        .with(program())
        .with(qemu_program::program())
}

/// What REMOTE handlers ask of their context.
pub(crate) trait CtxExt {
    /// The open driver connection, or libvirtd's "not open" error.
    fn conn(&self) -> CallResult<Connect>;
    /// Resolves a domain reference by UUID (its name and id may be stale).
    fn domain(&self, dom: &RemoteNonnullDomain) -> CallResult<Domain>;
}

impl CtxExt for Ctx<'_> {
    fn conn(&self) -> CallResult<Connect> {
        self.state().conn.clone().ok_or_else(access::not_open)
    }

    fn domain(&self, dom: &RemoteNonnullDomain) -> CallResult<Domain> {
        Ok(self
            .conn()?
            .lookup_domain_by_uuid(&Uuid::from_bytes(dom.uuid))?)
    }
}

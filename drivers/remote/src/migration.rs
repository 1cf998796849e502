//! [`Migration`] over the wire (the inverse of rvirtd's migration handlers): the
//! procedures with typed parameters, which every daemon rvirt's client talks to and
//! that serves migration has. This is what a source QEMU driver calls on the
//! destination in peer-to-peer migration, and what `Domain::migrate3` calls on both.

use rvirt_core::Result;
use rvirt_core::api::TypedParam;
use rvirt_core::driver::{Begun, DomainRef, Migration, Prepared};
use rvirt_rpc::migration::*;
use rvirt_rpc::procs;

use crate::connection::RemoteConnection;
use crate::wire::{to_ref, to_wire};

fn wire_params(params: &[TypedParam]) -> Vec<rvirt_rpc::typed_param::TypedParam> {
    params.iter().cloned().map(Into::into).collect()
}

impl Migration for RemoteConnection {
    fn begin(&self, dom: &DomainRef, params: &[TypedParam], flags: u32) -> Result<Begun> {
        let args = DomainMigrateBegin3ParamsArgs {
            dom: to_wire(dom),
            params: wire_params(params),
            flags,
        };
        let ret: DomainMigrateBegin3Ret = self
            .client()
            .call(procs::DOMAIN_MIGRATE_BEGIN3_PARAMS, &args)?;
        Ok(Begun {
            xml: ret.xml,
            cookie: ret.cookie_out,
        })
    }

    fn prepare(&self, params: &[TypedParam], cookie: &[u8], flags: u32) -> Result<Prepared> {
        let args = DomainMigratePrepare3ParamsArgs {
            params: wire_params(params),
            cookie_in: cookie.to_vec(),
            flags,
        };
        let ret: DomainMigratePrepare3Ret = self
            .client()
            .call(procs::DOMAIN_MIGRATE_PREPARE3_PARAMS, &args)?;
        Ok(Prepared {
            cookie: ret.cookie_out,
            uri: ret.uri_out,
        })
    }

    fn perform(
        &self,
        dom: &DomainRef,
        dconnuri: Option<&str>,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
    ) -> Result<Vec<u8>> {
        let args = DomainMigratePerform3ParamsArgs {
            dom: to_wire(dom),
            dconnuri: dconnuri.map(str::to_string),
            params: wire_params(params),
            cookie_in: cookie.to_vec(),
            flags,
        };
        let ret: DomainMigratePerform3Ret = self
            .client()
            .call(procs::DOMAIN_MIGRATE_PERFORM3_PARAMS, &args)?;
        Ok(ret.cookie_out)
    }

    fn finish(
        &self,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<(DomainRef, Vec<u8>)> {
        let args = DomainMigrateFinish3ParamsArgs {
            params: wire_params(params),
            cookie_in: cookie.to_vec(),
            flags,
            cancelled: cancelled as i32,
        };
        let ret: DomainMigrateFinish3Ret = self
            .client()
            .call(procs::DOMAIN_MIGRATE_FINISH3_PARAMS, &args)?;
        Ok((to_ref(ret.dom), ret.cookie_out))
    }

    fn confirm(
        &self,
        dom: &DomainRef,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<()> {
        let args = DomainMigrateConfirm3ParamsArgs {
            dom: to_wire(dom),
            params: wire_params(params),
            cookie_in: cookie.to_vec(),
            flags,
            cancelled: cancelled as i32,
        };
        self.client()
            .call(procs::DOMAIN_MIGRATE_CONFIRM3_PARAMS, &args)
    }

    fn start_post_copy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        let args = rvirt_rpc::types::DomainFlagsArgs {
            dom: to_wire(dom),
            flags,
        };
        self.client()
            .call(procs::DOMAIN_MIGRATE_START_POST_COPY, &args)
    }

    /// The daemon's driver decides; rvirt's QEMU driver migrates peer to peer.
    fn peer_to_peer(&self) -> bool {
        crate::connection::supports(
            self.client(),
            rvirt_core::driver::migration_features::MIGRATION_P2P,
        )
    }
}

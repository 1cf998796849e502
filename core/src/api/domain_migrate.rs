//! Live migration: [`Domain::migrate3`] and [`Domain::migrate_to_uri3`] as libvirt's
//! client runs them, and the five protocol steps a daemon serves for a remote client
//! (`virDomainMigrateBegin3Params` … `virDomainMigrateConfirm3Params`), each after the
//! read-only check.

use super::{Connect, Domain, TypedParam};
use crate::driver::{
    Begun, MigrateParams, Migration, Prepared, migrate_flags as flags, migrate_v3,
    migration_features as features,
};
use crate::{Error, ErrorCode, ErrorDomain, Result};

impl Connect {
    /// The driver's migration side, after the read-only check, or `VIR_ERR_NO_SUPPORT`
    /// naming `api`.
    fn migration(&self, api: &str) -> Result<&dyn Migration> {
        self.check_writable(api)?;
        self.driver()?
            .migration()
            .ok_or_else(|| Error::no_support(ErrorDomain::Domain, api.to_string()))
    }

    /// Whether the driver supports migration feature `feature` (`virDrvFeature`:
    /// `MIGRATION_V3` 6, `MIGRATION_P2P` 4, `MIGRATE_CHANGE_PROTECTION` 7,
    /// `MIGRATION_OFFLINE` 12, `MIGRATION_PARAMS` 13); false for any other number.
    pub fn supports_migration_feature(&self, feature: i32) -> bool {
        let Some(m) = self.driver().ok().and_then(|d| d.migration()) else {
            return false;
        };
        match feature {
            features::MIGRATION_V3
            | features::MIGRATE_CHANGE_PROTECTION
            | features::MIGRATION_OFFLINE
            | features::MIGRATION_PARAMS => true,
            features::MIGRATION_P2P => m.peer_to_peer(),
            _ => false,
        }
    }

    /// Destination step 1: makes ready to receive the domain described by `params`'
    /// `destination_xml` (`virDomainMigratePrepare3Params`).
    pub fn migrate_prepare3(
        &self,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
    ) -> Result<Prepared> {
        self.migration("virDomainMigratePrepare3Params")?
            .prepare(params, cookie, flags)
    }

    /// Destination step 2: runs the received domain, or drops it when `cancelled`
    /// (`virDomainMigrateFinish3Params`).
    pub fn migrate_finish3(
        &self,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<(Domain, Vec<u8>)> {
        let (dom, cookie) = self
            .migration("virDomainMigrateFinish3Params")?
            .finish(params, cookie, flags, cancelled)?;
        Ok((Domain::from_ref(self.clone(), dom), cookie))
    }
}

impl Domain {
    fn migration(&self, api: &str) -> Result<&dyn Migration> {
        self.connect().migration(api)
    }

    /// Source step 1: the domain XML and cookie for the destination
    /// (`virDomainMigrateBegin3Params`).
    pub fn migrate_begin3(&self, params: &[TypedParam], flags: u32) -> Result<Begun> {
        self.migration("virDomainMigrateBegin3Params")?
            .begin(self.domain_ref(), params, flags)
    }

    /// Source step 2: sends the guest (`virDomainMigratePerform3Params`); with
    /// `dconnuri` the source's driver migrates peer to peer.
    pub fn migrate_perform3(
        &self,
        dconnuri: Option<&str>,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
    ) -> Result<Vec<u8>> {
        self.migration("virDomainMigratePerform3Params")?.perform(
            self.domain_ref(),
            dconnuri,
            params,
            cookie,
            flags,
        )
    }

    /// Source step 3: stops the source's copy, or resumes it when `cancelled`
    /// (`virDomainMigrateConfirm3Params`).
    pub fn migrate_confirm3(
        &self,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<()> {
        self.migration("virDomainMigrateConfirm3Params")?.confirm(
            self.domain_ref(),
            params,
            cookie,
            flags,
            cancelled,
        )
    }

    /// Switches the domain's running migration to post-copy
    /// (`virDomainMigrateStartPostCopy`; the migration must have been started with
    /// `VIR_MIGRATE_POSTCOPY`).
    pub fn migrate_start_post_copy(&self, flags: u32) -> Result<()> {
        self.migration("virDomainMigrateStartPostCopy")?
            .start_post_copy(self.domain_ref(), flags)
    }

    /// Migrates the domain to the host `dconn` is connected to and returns it there
    /// (`virDomainMigrate3`): the client runs the five steps, or with
    /// `VIR_MIGRATE_PEER2PEER` the source's driver does.
    pub fn migrate3(&self, dconn: &Connect, params: &[TypedParam], flags: u32) -> Result<Domain> {
        self.connect().check_writable("virDomainMigrate3")?;
        dconn.check_writable("virDomainMigrate3")?;
        if flags & flags::PEER2PEER != 0 {
            let uri = dconn.uri().to_string();
            self.migrate_to_uri3(&uri, params, flags)?;
            let name = MigrateParams::parse(params)?
                .dest_name
                .unwrap_or_else(|| self.name().to_string());
            return dconn.lookup_domain_by_name(&name);
        }
        if flags & flags::TUNNELLED != 0 {
            return Err(Error::operation_invalid(
                ErrorDomain::Domain,
                "cannot perform tunnelled migration without using peer2peer flag",
            ));
        }
        let src = self.connect().driver()?;
        let dst = dconn.driver()?;
        let dom = migrate_v3(src, self.domain_ref(), dst, params, flags)?;
        Ok(Domain::from_ref(dconn.clone(), dom))
    }

    /// Peer-to-peer migration to the driver at `dconnuri` (`virDomainMigrateToURI3`
    /// with `VIR_MIGRATE_PEER2PEER`): the source's driver connects there itself.
    pub fn migrate_to_uri3(&self, dconnuri: &str, params: &[TypedParam], flags: u32) -> Result<()> {
        self.connect().check_writable("virDomainMigrateToURI3")?;
        if flags & flags::PEER2PEER == 0 {
            return Err(Error::new(
                ErrorCode::ArgumentUnsupported,
                ErrorDomain::Domain,
                "direct migration is not supported by the connection driver",
            ));
        }
        let m = self.migration("virDomainMigrateToURI3")?;
        if !m.peer_to_peer() {
            return Err(Error::no_support(
                ErrorDomain::Domain,
                "virDomainMigrateToURI3",
            ));
        }
        m.perform(self.domain_ref(), Some(dconnuri), params, &[], flags)
            .map(|_| ())
    }
}

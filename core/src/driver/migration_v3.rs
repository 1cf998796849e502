//! The five steps of migration protocol version 3 run between two driver connections,
//! in the order and with the error handling libvirt's client gives them: what a client
//! does for `virDomainMigrate3`, and what a source driver does itself in peer-to-peer
//! migration ([`migrate_peer_to_peer`]).

use crate::api::{StateReason, TypedParam};
use crate::{Error, ErrorDomain, Result};

use super::migration::{flags, set_string_param};
use super::{DomainRef, DriverConnection, Migration};

fn migration_of<'a>(conn: &'a dyn DriverConnection, api: &str) -> Result<&'a dyn Migration> {
    conn.migration()
        .ok_or_else(|| Error::no_support(ErrorDomain::Domain, api.to_string()))
}

/// Migrates `dom` of `src` to `dst`: begin on the source, prepare on the destination,
/// perform on the source, finish on the destination, confirm on the source. Returns the
/// domain on the destination. A failed perform cancels the destination's side; a failed
/// finish resumes the source's guest; the first error is the one returned.
pub fn migrate_v3(
    src: &dyn DriverConnection,
    dom: &DomainRef,
    dst: &dyn DriverConnection,
    params: &[TypedParam],
    flags: u32,
) -> Result<DomainRef> {
    let source = migration_of(src, "virDomainMigrate3")?;
    let destination = migration_of(dst, "virDomainMigrate3")?;
    let mut params = params.to_vec();
    let protected = flags | flags::CHANGE_PROTECTION;
    let begun = source.begin(dom, &params, protected)?;
    let mut flags = flags;
    if matches!(src.domain_state(dom), Ok(StateReason::Paused(_))) {
        flags |= flags::PAUSED;
    }
    let dest_flags = flags & !(flags::ABORT_ON_ERROR | flags::AUTO_CONVERGE);
    set_string_param(&mut params, "destination_xml", &begun.xml);
    let prepared = match destination.prepare(&params, &begun.cookie, dest_flags) {
        Ok(p) => p,
        Err(e) => {
            // Begin took the domain for the migration: give it back.
            let _ = source.confirm(dom, &params, &[], protected, true);
            return Err(e);
        }
    };
    if let Some(uri) = &prepared.uri {
        set_string_param(&mut params, "migrate_uri", uri);
    }
    let (performed, cancelled) = if flags & flags::OFFLINE != 0 {
        (Ok(Vec::new()), false)
    } else {
        match source.perform(dom, None, &params, &prepared.cookie, protected) {
            Ok(cookie) => (Ok(cookie), false),
            Err(e) => (Err(e), true),
        }
    };
    if !params.iter().any(|p| p.field == "destination_name") {
        set_string_param(&mut params, "destination_name", &dom.name);
    }
    let cookie: &[u8] = match &performed {
        Ok(c) => c,
        Err(_) => &[],
    };
    let finished = destination.finish(&params, cookie, dest_flags, cancelled);
    // The source already gave the guest back when its perform failed.
    performed?;
    match finished {
        Ok((ddom, cookie)) => {
            source.confirm(dom, &params, &cookie, protected, false)?;
            Ok(ddom)
        }
        Err(e) => {
            let _ = source.confirm(dom, &params, &[], protected, true);
            Err(e)
        }
    }
}

/// Peer-to-peer migration run by a source driver: opens `dconnuri` (through the driver
/// registry, normally rvirt's remote driver) and migrates `dom` of `src` there with
/// [`migrate_v3`].
pub fn migrate_peer_to_peer(
    src: &dyn DriverConnection,
    dom: &DomainRef,
    dconnuri: &str,
    params: &[TypedParam],
    flags: u32,
) -> Result<()> {
    let dconn = crate::Connect::open(dconnuri).map_err(|e| {
        Error::new(
            e.code(),
            ErrorDomain::Qemu,
            format!(
                "Failed to connect to remote libvirt URI {dconnuri}: {}",
                e.message()
            ),
        )
    })?;
    let dst = dconn.driver()?;
    if dst.migration().is_none() {
        return Err(Error::new(
            crate::ErrorCode::OperationFailed,
            ErrorDomain::Qemu,
            "Destination libvirt does not support peer-to-peer migration protocol",
        ));
    }
    migrate_v3(src, dom, dst, params, flags).map(|_| ())
}

//! Live migration between two QEMU drivers, as libvirt's QEMU driver migrates: the
//! destination starts QEMU with `-incoming defer` and listens on a TCP port
//! (`migrate-incoming tcp:ADDRESS:PORT`), the source sends the guest there (`migrate`,
//! memory copied while the guest runs, then the last pages with it paused), the
//! destination runs it (RESUMED/MIGRATED) and the source stops its QEMU
//! (STOPPED/MIGRATED). Disks are shared: both QEMUs name the same images, and QEMU hands
//! their locks over when the guest switches. Offline migration moves only the
//! persistent definition. Peer to peer, the source driver opens the destination's URI
//! itself and runs the steps ([`rvirt_core::driver::migrate_peer_to_peer`]).
//!
//! [`source`] holds begin, perform and confirm; [`destination`] prepare and finish;
//! [`safety`] libvirt's refusal of disks the destination cannot share; [`storage`] the
//! copy of disks that are not shared.

mod cookie;
mod destination;
mod safety;
mod source;
mod storage;
mod uri;

use std::collections::HashMap;
use std::sync::Mutex;

use rvirt_core::api::TypedParam;
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::{Begun, DomainRef, Migration, Prepared, migrate_flags as f};
use rvirt_core::{Result, Uuid};

use super::connection::{QemuConnection, check_flags};

/// The job name of a perform: a background job `domjobinfo` and `domjobabort` reach.
pub(crate) const PERFORM_JOB: &str = "virDomainMigratePerform3Params";

/// The `virDomainMigrateFlags` this driver carries out.
const SUPPORTED: u32 = f::LIVE
    | f::PEER2PEER
    | f::PERSIST_DEST
    | f::UNDEFINE_SOURCE
    | f::PAUSED
    | f::CHANGE_PROTECTION
    | f::UNSAFE
    | f::OFFLINE
    | f::COMPRESSED
    | f::ABORT_ON_ERROR
    | f::AUTO_CONVERGE
    | f::NON_SHARED_DISK
    | f::NON_SHARED_INC
    | f::POSTCOPY;

/// The flags of a storage migration.
const NON_SHARED: u32 = f::NON_SHARED_DISK | f::NON_SHARED_INC;

/// What a driver remembers between the steps of its migrations.
#[derive(Debug, Default)]
pub(crate) struct Book {
    /// Outgoing: whether each domain ran before its perform paused it (a cancelled
    /// migration resumes it).
    outgoing: Mutex<HashMap<Uuid, bool>>,
    /// Incoming offline: the definitions prepared, by name, for their finish.
    offline: Mutex<HashMap<String, DomainDef>>,
    /// Outgoing: the domains whose running migration may switch to post-copy.
    postcopy: Mutex<std::collections::HashSet<Uuid>>,
    /// Outgoing: each domain's last completed migration's statistics.
    completed: Mutex<HashMap<Uuid, Vec<TypedParam>>>,
}

impl Book {
    fn set_outgoing(&self, uuid: Uuid, was_running: bool) {
        self.outgoing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(uuid, was_running);
    }

    fn take_outgoing(&self, uuid: &Uuid) -> Option<bool> {
        self.outgoing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(uuid)
    }

    fn set_completed(&self, uuid: Uuid, stats: Vec<TypedParam>) {
        self.completed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(uuid, stats);
    }

    /// The last completed migration's statistics of domain `uuid`.
    pub(crate) fn completed(&self, uuid: &Uuid) -> Option<Vec<TypedParam>> {
        self.completed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(uuid)
            .cloned()
    }

    /// [`Self::completed`], forgotten.
    pub(crate) fn take_completed(&self, uuid: &Uuid) -> Option<Vec<TypedParam>> {
        self.completed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(uuid)
    }

    fn set_postcopy(&self, uuid: Uuid, allowed: bool) {
        let mut set = self.postcopy.lock().unwrap_or_else(|p| p.into_inner());
        match allowed {
            true => set.insert(uuid),
            false => set.remove(&uuid),
        };
    }

    fn postcopy_allowed(&self, uuid: &Uuid) -> bool {
        self.postcopy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(uuid)
    }

    fn set_offline(&self, def: DomainDef) {
        self.offline
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(def.name.clone(), def);
    }

    fn take_offline(&self, name: &str) -> Option<DomainDef> {
        self.offline
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name)
    }
}

/// libvirt's flag check, naming the QEMU driver's function.
fn check(flags: u32, function: &str) -> Result<()> {
    check_flags(flags, SUPPORTED, function)?;
    if flags & f::POSTCOPY != 0 && flags & (NON_SHARED | f::OFFLINE) != 0 {
        return Err(rvirt_core::Error::new(
            rvirt_core::ErrorCode::ArgumentUnsupported,
            rvirt_core::ErrorDomain::Qemu,
            "post-copy migration of disks that are not shared, or offline, is not supported",
        ));
    }
    if flags & NON_SHARED == NON_SHARED {
        return Err(rvirt_core::Error::invalid_arg(
            rvirt_core::ErrorDomain::Qemu,
            "Flags 'VIR_MIGRATE_NON_SHARED_DISK' and 'VIR_MIGRATE_NON_SHARED_INC' are mutually exclusive",
        ));
    }
    Ok(())
}

impl Migration for QemuConnection {
    fn begin(&self, dom: &DomainRef, params: &[TypedParam], flags: u32) -> Result<Begun> {
        check(flags, "qemuDomainMigrateBegin3Params")?;
        source::begin(self, dom, params, flags)
    }

    fn prepare(&self, params: &[TypedParam], cookie: &[u8], flags: u32) -> Result<Prepared> {
        check(flags, "qemuDomainMigratePrepare3Params")?;
        destination::prepare(self, params, cookie, flags)
    }

    fn perform(
        &self,
        dom: &DomainRef,
        dconnuri: Option<&str>,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
    ) -> Result<Vec<u8>> {
        check(flags, "qemuDomainMigratePerform3Params")?;
        match dconnuri {
            Some(uri) if flags & f::PEER2PEER != 0 => {
                rvirt_core::driver::migrate_peer_to_peer(self, dom, uri, params, flags)?;
                Ok(Vec::new())
            }
            _ => source::perform(self, dom, params, cookie, flags),
        }
    }

    fn finish(
        &self,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<(DomainRef, Vec<u8>)> {
        check(flags, "qemuDomainMigrateFinish3Params")?;
        destination::finish(self, params, cookie, flags, cancelled)
    }

    fn confirm(
        &self,
        dom: &DomainRef,
        params: &[TypedParam],
        cookie: &[u8],
        flags: u32,
        cancelled: bool,
    ) -> Result<()> {
        check(flags, "qemuDomainMigrateConfirm3Params")?;
        source::confirm(self, dom, params, cookie, flags, cancelled)
    }

    fn start_post_copy(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "qemuDomainMigrateStartPostCopy")?;
        source::start_post_copy(self, dom)
    }

    fn peer_to_peer(&self) -> bool {
        true
    }
}

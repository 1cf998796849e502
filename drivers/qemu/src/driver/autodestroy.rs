//! `VIR_DOMAIN_START_AUTODESTROY`: a guest started with it lives only as long as the
//! connection that started it (libguestfs starts its appliance this way). The
//! connection records each such run (the domain and the id of that run) and destroys
//! those still running when it closes — by `virConnectClose`, by being dropped, or,
//! through rvirtd, when the client's socket goes away. A run stopped and started
//! again meanwhile (another id) is left alone.

use std::sync::Mutex;

use rvirt_core::Uuid;

use super::instance::Shared;

/// `VIR_DOMAIN_START_AUTODESTROY`.
pub(crate) const START_AUTODESTROY: u32 = 2;

/// The runs a connection started with [`START_AUTODESTROY`].
#[derive(Debug, Default)]
pub(crate) struct AutoDestroy(Mutex<Vec<(Uuid, u32)>>);

impl AutoDestroy {
    /// Records the run `id` of domain `uuid`, in place of an earlier run of it (a domain
    /// runs once at a time), so the list stays as long as the connection's domains
    /// however often a client starts them.
    pub(crate) fn add(&self, uuid: Uuid, id: Option<u32>) {
        if let Some(id) = id {
            let mut runs = self.0.lock().unwrap_or_else(|p| p.into_inner());
            runs.retain(|(u, _)| *u != uuid);
            runs.push((uuid, id));
        }
    }

    /// Forgets domain `uuid`'s run: it outlives this connection now (a migrated-in guest
    /// once its finish ran).
    pub(crate) fn remove(&self, uuid: &Uuid) {
        let mut runs = self.0.lock().unwrap_or_else(|p| p.into_inner());
        runs.retain(|(u, _)| u != uuid);
    }

    /// Destroys every recorded run that is still the domain's current one.
    pub(crate) fn destroy_all(&self, shared: &std::sync::Arc<Shared>) {
        let runs = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        for (uuid, id) in runs {
            let Ok(dom) = shared.domains.lookup_by_uuid(&uuid) else {
                continue;
            };
            if dom.id != Some(id) {
                continue;
            }
            if let Ok(entry) = shared.domains.list.get(&dom)
                && let Err(e) = shared.destroy(&entry)
            {
                rvirt_core::log::info(
                    rvirt_core::ErrorDomain::Qemu,
                    format_args!("auto-destroy of '{}' failed: {e}", dom.name),
                );
            }
        }
    }
}

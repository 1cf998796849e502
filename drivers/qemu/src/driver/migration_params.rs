//! The migration tunables a client sets before migrating (`virsh migrate-setspeed`,
//! `migrate-setmaxdowntime`), as libvirt 9.0's QEMU driver keeps them:
//!
//! * the bandwidth cap (MiB/s) is the domain's own, remembered across its runs (libvirt's
//!   `migMaxBandwidth` of the domain's private data) and, while it runs, also given to
//!   QEMU (`max-bandwidth`, bytes/s);
//! * the post-copy bandwidth cap and the downtime limit are QEMU's migration parameters
//!   (`max-postcopy-bandwidth`, `downtime-limit`), so they exist only while it runs.

use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::connection::check_flags;
use super::instance::Shared;
use super::running::running_monitor;
use super::start::MONITOR_TIMEOUT;

/// `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY`.
const POSTCOPY: u32 = 1;
/// MiB to bytes.
pub(crate) const MIB_SHIFT: u32 = 20;
/// libvirt's cap on the bandwidth of the copy phase, MiB/s (`INT64_MAX` bytes/s): also
/// what it reports when none was set.
pub(crate) const BANDWIDTH_MAX: u64 = (i64::MAX as u64) >> MIB_SHIFT;
/// The cap on the post-copy bandwidth, MiB/s (`UINT64_MAX` bytes/s).
const POSTCOPY_BANDWIDTH_MAX: u64 = u64::MAX >> MIB_SHIFT;

/// libvirt's "numerical overflow: bandwidth must be less than N" for a cap above `max`.
pub(crate) fn too_fast(max: u64) -> Error {
    Error::new(
        ErrorCode::Overflow,
        ErrorDomain::Qemu,
        format!("bandwidth must be less than {}", max + 1),
    )
}

impl Shared {
    /// One of QEMU's migration parameters, as an unsigned number.
    fn migration_parameter(&self, dom: &DomainRef, name: &str) -> Result<u64> {
        let mon = self.domains.read(dom, running_monitor)?;
        let params = mon.call("query-migrate-parameters", None, MONITOR_TIMEOUT)?;
        params.get(name).and_then(Value::as_u64).ok_or_else(|| {
            Error::internal(
                ErrorDomain::Qemu,
                format!("QEMU reported no migration parameter '{name}'"),
            )
        })
    }

    /// Sets one of QEMU's migration parameters.
    fn set_migration_parameter(&self, dom: &DomainRef, name: &str, value: u64) -> Result<()> {
        let mon = self.domains.read(dom, running_monitor)?;
        let mut args = serde_json::Map::new();
        args.insert(name.to_string(), json!(value));
        mon.call(
            "migrate-set-parameters",
            Some(Value::Object(args)),
            MONITOR_TIMEOUT,
        )?;
        Ok(())
    }

    /// `virDomainMigrateGetMaxSpeed`: the domain's cap (libvirt's default: none, the
    /// largest value), or with `POSTCOPY` the running QEMU's post-copy cap.
    pub(crate) fn migrate_max_speed(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        check_flags(flags, POSTCOPY, "qemuDomainMigrateGetMaxSpeed")?;
        if flags & POSTCOPY != 0 {
            return Ok(self.migration_parameter(dom, "max-postcopy-bandwidth")? >> MIB_SHIFT);
        }
        let uuid = self
            .domains
            .read(dom, |vm| Ok(vm.def.uuid.unwrap_or_default()))?;
        Ok(self
            .migration_speeds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&uuid)
            .copied()
            .unwrap_or(BANDWIDTH_MAX))
    }

    /// `virDomainMigrateSetMaxSpeed`: the domain's cap, given to QEMU too while it runs;
    /// with `POSTCOPY`, the running QEMU's post-copy cap.
    pub(crate) fn migrate_set_max_speed(
        &self,
        dom: &DomainRef,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, POSTCOPY, "qemuDomainMigrateSetMaxSpeed")?;
        if flags & POSTCOPY != 0 {
            if bandwidth > POSTCOPY_BANDWIDTH_MAX {
                return Err(too_fast(POSTCOPY_BANDWIDTH_MAX));
            }
            return self.set_migration_parameter(
                dom,
                "max-postcopy-bandwidth",
                bandwidth << MIB_SHIFT,
            );
        }
        let bytes = super::disk_jobs::bandwidth_bytes(bandwidth, false)?;
        let entry = self.domains.list.get(dom)?;
        // An outgoing migration's speed changes while it runs, as libvirt lets it
        // (QEMU takes the new cap at once).
        let _job =
            entry.begin_job_beside("virDomainMigrateSetMaxSpeed", super::migration::PERFORM_JOB)?;
        let vm = entry.lock();
        let uuid = vm.def.uuid.unwrap_or_default();
        let mon = vm.run.as_ref().map(|r| r.mon.clone());
        drop(vm);
        if let Some(mon) = mon {
            mon.call(
                "migrate-set-parameters",
                Some(json!({ "max-bandwidth": bytes })),
                MONITOR_TIMEOUT,
            )?;
        }
        self.migration_speeds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(uuid, bandwidth);
        Ok(())
    }

    /// `virDomainMigrateGetMaxDowntime`: the running QEMU's downtime limit, ms.
    pub(crate) fn migrate_max_downtime(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        check_flags(flags, 0, "qemuDomainMigrateGetMaxDowntime")?;
        self.migration_parameter(dom, "downtime-limit")
    }

    /// `virDomainMigrateSetMaxDowntime`: the running QEMU's downtime limit, ms (QEMU
    /// refuses more than 2,000 s, in its own words).
    pub(crate) fn migrate_set_max_downtime(
        &self,
        dom: &DomainRef,
        downtime: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "qemuDomainMigrateSetMaxDowntime")?;
        self.set_migration_parameter(dom, "downtime-limit", downtime)
    }

    /// `virDomainMigrateGetCompressionCache`: the running QEMU's XBZRLE cache, bytes.
    pub(crate) fn migrate_compression_cache(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        check_flags(flags, 0, "qemuDomainMigrateGetCompressionCache")?;
        self.migration_parameter(dom, "xbzrle-cache-size")
    }

    /// `virDomainMigrateSetCompressionCache`: the running QEMU's XBZRLE cache, bytes
    /// (QEMU refuses a size that is no power of two, in its own words).
    pub(crate) fn migrate_set_compression_cache(
        &self,
        dom: &DomainRef,
        size: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "qemuDomainMigrateSetCompressionCache")?;
        self.set_migration_parameter(dom, "xbzrle-cache-size", size)
    }
}

//! A running disk's write threshold (`virsh domblkthreshold`), armed as libvirt 9.0's QEMU
//! driver arms it: QEMU's `block-set-write-threshold` on the storage node under the disk's
//! top image, so that it measures how far into the image file (or block device) the
//! guest's writes reach. QEMU raises BLOCK_WRITE_THRESHOLD once when a write goes past it
//! and disarms it; the driver's event map turns that into libvirt's BLOCK_THRESHOLD event
//! (`super::super::super::event_map`). A threshold of 0 disarms it.

use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::json;

use super::chain::storage_node_of;
use crate::driver::connection::check_flags;
use crate::driver::instance::Shared;
use crate::driver::start::MONITOR_TIMEOUT;

impl Shared {
    /// `virDomainSetBlockThreshold` of disk `dev` (target or source path).
    pub(crate) fn set_block_threshold(
        &self,
        dom: &DomainRef,
        dev: &str,
        threshold: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "qemuDomainSetBlockThreshold")?;
        let d = self.running_disk(dom, dev).map_err(|e| {
            if e.code() == rvirt_core::ErrorCode::InvalidArg {
                Error::invalid_arg(ErrorDomain::Qemu, format!("failed to find disk '{dev}'"))
            } else {
                e
            }
        })?;
        let storage = storage_node_of(&d.node).ok_or_else(|| {
            Error::operation_invalid(
                ErrorDomain::Qemu,
                format!("threshold currently can't be set for block device '{dev}'"),
            )
        })?;
        d.mon.call(
            "block-set-write-threshold",
            Some(json!({ "node-name": storage, "write-threshold": threshold })),
            MONITOR_TIMEOUT,
        )?;
        Ok(())
    }
}

//! `virDomainBlockResize`: QEMU's `block_resize` on the format node of a running
//! guest's disk, found by target (`vda`) or source path. Sizes are KiB, bytes with
//! `VIR_DOMAIN_BLOCK_RESIZE_BYTES`; for images other than raw they are rounded up to
//! whole 512-byte sectors, as libvirt does.

use rvirt_core::conf::{Device, DomainDef};
use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use crate::driver::instance::{Shared, not_running};
use crate::driver::start::MONITOR_TIMEOUT;

/// `VIR_DOMAIN_BLOCK_RESIZE_BYTES`.
pub(crate) const BYTES: u32 = 1;

fn is_raw(def: &DomainDef, target: &str) -> bool {
    def.devices().iter().any(|d| {
        matches!(d, Device::Disk(disk) if disk.target.dev == target
            && disk.driver.as_ref().and_then(|d| d.format.as_deref()).is_none_or(|f| f == "raw"))
    })
}

/// Resizes disk `disk` of the running domain `dom` to `size`.
pub(crate) fn block_resize(
    shared: &Shared,
    dom: &DomainRef,
    disk: &str,
    size: u64,
    flags: u32,
) -> Result<()> {
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job("virDomainBlockResize")?;
    let (mon, node, raw) = {
        let vm = job.lock();
        let run = vm.run.as_ref().ok_or_else(not_running)?;
        let names = run
            .devices
            .disks
            .iter()
            .find(|n| n.target == disk || n.path.as_deref() == Some(disk))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidArg,
                    ErrorDomain::Qemu,
                    format!("invalid path: {disk}"),
                )
            })?;
        let node = names.node.clone().ok_or_else(|| {
            Error::operation_invalid(
                ErrorDomain::Qemu,
                format!("disk '{}' has no media to resize", names.target),
            )
        })?;
        (run.mon.clone(), node, is_raw(&vm.def, &names.target))
    };
    let mut bytes = if flags & BYTES != 0 {
        size
    } else {
        size.checked_mul(1024).ok_or_else(|| {
            Error::new(
                ErrorCode::Overflow,
                ErrorDomain::Qemu,
                format!("size {size} KiB is too big"),
            )
        })?
    };
    if !raw {
        bytes = bytes.div_ceil(512) * 512;
    }
    mon.call(
        "block_resize",
        Some(json!({"node-name": node, "size": bytes})),
        MONITOR_TIMEOUT,
    )?;
    Ok(())
}

//! `virDomainMemoryPeek` of a running domain: QEMU's `memsave` (guest-virtual
//! addresses, as vCPU 0 sees them) or `pmemsave` (guest-physical) into a file of the
//! domain's private directory, read back and removed — libvirt's way, with its
//! checks and wording.

use std::sync::atomic::{AtomicU64, Ordering};

use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::connection::check_flags;
use super::instance::{Shared, not_running};
use super::start::MONITOR_TIMEOUT;

/// `VIR_MEMORY_VIRTUAL`: addresses are the guest's virtual ones.
pub(crate) const MEMORY_VIRTUAL: u32 = 1;
/// `VIR_MEMORY_PHYSICAL`: addresses are guest-physical.
pub(crate) const MEMORY_PHYSICAL: u32 = 2;

impl Shared {
    /// `virDomainMemoryPeek`: `size` bytes of the guest's memory from `start`.
    ///
    /// Errors: `VIR_ERR_INVALID_ARG` unless exactly one of [`MEMORY_VIRTUAL`] and
    /// [`MEMORY_PHYSICAL`] is set; `VIR_ERR_OPERATION_INVALID` when the domain is not
    /// running; QEMU's refusal of a range it cannot read.
    pub(crate) fn memory_peek(
        &self,
        dom: &DomainRef,
        start: u64,
        size: u32,
        flags: u32,
    ) -> Result<Vec<u8>> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        check_flags(
            flags,
            MEMORY_VIRTUAL | MEMORY_PHYSICAL,
            "qemuDomainMemoryPeek",
        )?;
        if flags != MEMORY_VIRTUAL && flags != MEMORY_PHYSICAL {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL",
            ));
        }
        let entry = self.domains.list.get(dom)?;
        let job = entry.begin_job("virDomainMemoryPeek")?;
        let (mon, priv_dir) = {
            let vm = job.lock();
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            (run.mon.clone(), run.priv_dir.clone())
        };
        // QEMU writes it: under qemu:///system its user owns only the private
        // directory, which its own mount namespace also shows.
        let file = priv_dir.join(format!(
            "qemu.mem.{}.{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let command = if flags == MEMORY_VIRTUAL {
            "memsave"
        } else {
            "pmemsave"
        };
        let args = json!({ "val": start, "size": size, "filename": file.to_string_lossy() });
        let saved = mon.call(command, Some(args), MONITOR_TIMEOUT);
        drop(job);
        let read = saved.and_then(|_| {
            std::fs::read(&file).map_err(|e| {
                Error::new(
                    ErrorCode::SystemError,
                    ErrorDomain::Qemu,
                    format!(
                        "failed to read temporary file created with template {}: {e}",
                        file.display()
                    ),
                )
            })
        });
        let _ = std::fs::remove_file(&file);
        let mut data = read?;
        data.truncate(size as usize);
        Ok(data)
    }
}

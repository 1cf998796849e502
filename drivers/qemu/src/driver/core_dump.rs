//! `virDomainCoreDump{,WithFormat}` (`virsh dump`) of a running QEMU guest, as
//! libvirt's QEMU driver writes it: the guest paused unless `VIR_DUMP_LIVE`, then
//! either QEMU's migration stream into the file, or with `VIR_DUMP_MEMORY_ONLY`
//! QEMU's `dump-guest-memory` (ELF, kdump-compressed or Windows format) into the
//! domain's private directory and copied to the file; afterwards the guest resumes, is
//! reset (`VIR_DUMP_RESET`) or is stopped as crashed (`VIR_DUMP_CRASH`). The file is
//! the client's: created through `save_file`, which refuses symlinks and the daemon's
//! own directories.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rvirt_core::api::{ShutoffReason, StateReason, StoppedDetail};
use rvirt_core::driver::save_file::{self, strerror};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::connection::check_flags;
use super::instance::{Entry, Shared, not_running};
use super::save::migrate_to_file;
use super::start::MONITOR_TIMEOUT;

/// `virDomainCoreDumpFlags`.
const CRASH: u32 = 1;
const LIVE: u32 = 2;
const BYPASS_CACHE: u32 = 4;
const RESET: u32 = 8;
const MEMORY_ONLY: u32 = 16;
/// How long QEMU may take to write a memory-only dump.
const DUMP_TIMEOUT: Duration = Duration::from_secs(300);

/// QEMU's `dump-guest-memory` format of `virDomainCoreDumpFormat` `format`.
fn qemu_format(format: u32) -> Result<&'static str> {
    Ok(match format {
        0 => "elf",
        1 => "kdump-zlib",
        2 => "kdump-lzo",
        3 => "kdump-snappy",
        4 => "win-dmp",
        other => {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                format!("unknown dumpformat '{other}'"),
            ));
        }
    })
}

fn system(message: String) -> Error {
    Error::new(ErrorCode::SystemError, ErrorDomain::Qemu, message)
}

impl Shared {
    /// `virDomainCoreDumpWithFormat` (`format` 0 for `virDomainCoreDump`).
    pub(crate) fn core_dump(
        self: &Arc<Self>,
        entry: &Entry,
        path: &str,
        format: u32,
        flags: u32,
    ) -> Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        check_flags(
            flags,
            CRASH | LIVE | BYPASS_CACHE | RESET | MEMORY_ONLY,
            "qemuDomainCoreDumpWithFormat",
        )?;
        for (a, b, names) in [
            (CRASH, LIVE, "'VIR_DUMP_CRASH' and 'VIR_DUMP_LIVE'"),
            (CRASH, RESET, "'VIR_DUMP_CRASH' and 'VIR_DUMP_RESET'"),
        ] {
            if flags & a != 0 && flags & b != 0 {
                return Err(Error::invalid_arg(
                    ErrorDomain::Qemu,
                    format!("Flags {names} are mutually exclusive"),
                ));
            }
        }
        let memory_only = flags & MEMORY_ONLY != 0;
        let qemu_fmt = qemu_format(format)?;
        if format != 0 && !memory_only {
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Qemu,
                "kdump-compressed format is only supported with memory-only dump",
            ));
        }
        let job = entry.begin_job("virDomainCoreDump")?;
        let (mon, priv_dir, was_running) = {
            let vm = job.lock();
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            let running = matches!(vm.state, StateReason::Running(_));
            (run.mon.clone(), run.priv_dir.clone(), running)
        };
        let file = save_file::create_save_file(path)
            .map_err(|e| system(format!("failed to create '{path}': {}", strerror(&e))))?;
        let paused = was_running && flags & LIVE == 0;
        if paused {
            mon.call("stop", None, MONITOR_TIMEOUT)?;
        }
        let written = if memory_only {
            // QEMU writes into its own directory; the result is copied to the client's
            // file by the daemon.
            let dump = priv_dir.join(format!(
                "dump.{}.{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let r = mon
                .call(
                    "dump-guest-memory",
                    Some(json!({"paging": false,
                                "protocol": format!("file:{}", dump.display()),
                                "format": qemu_fmt})),
                    DUMP_TIMEOUT,
                )
                .and_then(|_| {
                    let mut from = std::fs::File::open(&dump)
                        .map_err(|e| system(format!("cannot open dump: {e}")))?;
                    let mut to = file;
                    std::io::copy(&mut from, &mut to)
                        .and_then(|_| to.sync_all())
                        .map_err(|e| system(format!("failed to write '{path}': {e}")))
                });
            let _ = std::fs::remove_file(&dump);
            r
        } else {
            migrate_to_file(&mon, &priv_dir, file)
        };
        if written.is_err() {
            let _ = std::fs::remove_file(path);
        }
        if written.is_ok() && flags & CRASH != 0 {
            let stopped = (ShutoffReason::Crashed, StoppedDetail::Crashed);
            return self.terminate(entry, job, stopped, |_| {});
        }
        if written.is_ok() && flags & RESET != 0 {
            mon.call("system_reset", None, MONITOR_TIMEOUT)?;
        }
        if paused {
            mon.call("cont", None, MONITOR_TIMEOUT)?;
        }
        written
    }
}

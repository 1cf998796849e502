//! What QEMU's forked child does to confine itself before exec, in this order: join
//! its cgroup (as root, before anything is allocated), enter its private `/dev`
//! (needs `CAP_SYS_ADMIN`), then drop to QEMU's user (groups, group, user).
//!
//! Everything is prepared before the fork ([`Confinement::new`]); [`Confinement::apply`]
//! only makes async-signal-safe system calls on it.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use rvirt_core::{Error, ErrorDomain, Result};

use super::RunAs;
use super::namespace::PrivateDev;

/// The confinement of one QEMU, ready for its child.
#[derive(Debug, Default)]
pub struct Confinement {
    /// `cgroup.procs` files to write `0` to.
    cgroup_procs: Vec<CString>,
    /// The private `/dev`, if any.
    private_dev: Option<PrivateDev>,
    /// `(uid, gid, supplementary groups)` to switch to, if any.
    ids: Option<(libc::uid_t, libc::gid_t, Vec<libc::gid_t>)>,
}

/// Writes `what` and a newline to stderr (QEMU's log in the child); async-signal-safe.
pub(crate) fn report(head: &[u8], what: &[u8]) {
    // SAFETY: write(2) on fd 2 with valid buffers.
    unsafe {
        libc::write(2, head.as_ptr().cast(), head.len());
        libc::write(2, what.as_ptr().cast(), what.len());
        libc::write(2, b"\n".as_ptr().cast(), 1);
    }
}

impl Confinement {
    /// The child joins the cgroup whose `cgroup.procs` files are `cgroup_procs`,
    /// enters `private_dev` and runs as `run_as`.
    pub fn new(
        cgroup_procs: Vec<PathBuf>,
        private_dev: Option<PrivateDev>,
        run_as: Option<&RunAs>,
    ) -> Result<Confinement> {
        let cgroup_procs = cgroup_procs
            .iter()
            .map(|p| {
                CString::new(p.as_os_str().as_bytes()).map_err(|_| {
                    Error::internal(ErrorDomain::Qemu, format!("NUL in '{}'", p.display()))
                })
            })
            .collect::<Result<_>>()?;
        Ok(Confinement {
            cgroup_procs,
            private_dev,
            ids: run_as.map(|r| (r.uid, r.gid, r.groups.clone())),
        })
    }

    /// Confines the calling process.
    ///
    /// # Safety
    /// Meant for the single-threaded child between fork and exec: changes its cgroup,
    /// mount namespace and credentials; makes only async-signal-safe calls.
    pub unsafe fn apply(&self) -> std::io::Result<()> {
        for procs in &self.cgroup_procs {
            // SAFETY: a NUL-terminated path and a static buffer; open/write/close
            // are async-signal-safe.
            let ok = unsafe {
                let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                let ok = fd >= 0 && libc::write(fd, b"0".as_ptr().cast(), 1) == 1;
                if fd >= 0 {
                    libc::close(fd);
                }
                ok
            };
            if !ok {
                let err = std::io::Error::last_os_error();
                report(b"rvirt: cannot join the guest's cgroup: ", procs.as_bytes());
                return Err(err);
            }
        }
        if let Some(dev) = &self.private_dev {
            // SAFETY: forwarded from this function's contract.
            unsafe { dev.enter()? };
        }
        // DAC: drop to QEMU's user in the child only, groups first (setuid would
        // forbid changing them afterwards).
        if let Some((uid, gid, groups)) = &self.ids {
            // SAFETY: setgroups reads `groups.len()` gids from a live vector.
            let failed = unsafe {
                libc::setgroups(groups.len(), groups.as_ptr()) < 0
                    || libc::setgid(*gid) < 0
                    || libc::setuid(*uid) < 0
            };
            if failed {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

//! What QEMU's forked child does to confine itself before exec: enter its private
//! `/dev` (needs `CAP_SYS_ADMIN`), then drop to QEMU's user (groups, group, user).
//! (Its cgroup it does not join here: moving a process between cgroups waits for an
//! RCU grace period, 10–15 ms, which the daemon spends while QEMU initialises; see
//! `driver::start`.)
//!
//! Everything is prepared before the fork ([`Confinement::new`]); [`Confinement::apply`]
//! only makes async-signal-safe system calls on it.

use super::RunAs;
use super::namespace::PrivateDev;

/// The confinement of one QEMU, ready for its child.
#[derive(Debug, Default)]
pub struct Confinement {
    /// The private `/dev`, if any.
    private_dev: Option<PrivateDev>,
    /// `(uid, gid, supplementary groups)` to switch to, if any.
    ids: Option<(libc::uid_t, libc::gid_t, Vec<libc::gid_t>)>,
    /// The process QEMU dies with (SIGKILL when it goes), if any.
    dies_with: Option<libc::pid_t>,
}

/// Writes `head`, `what` and a newline to stderr (QEMU's log in the child); async-signal-safe.
pub(crate) fn report(head: &[u8], what: &[u8]) {
    // SAFETY: write(2) on fd 2 with valid buffers.
    unsafe {
        libc::write(2, head.as_ptr().cast(), head.len());
        libc::write(2, what.as_ptr().cast(), what.len());
        libc::write(2, b"\n".as_ptr().cast(), 1);
    }
}

impl Confinement {
    /// The child enters `private_dev` and runs as `run_as`.
    pub fn new(private_dev: Option<PrivateDev>, run_as: Option<&RunAs>) -> Confinement {
        Confinement {
            private_dev,
            ids: run_as.map(|r| (r.uid, r.gid, r.groups.clone())),
            dies_with: None,
        }
    }

    /// The child is killed (SIGKILL) when `parent`, the process forking it, ends —
    /// however it ends, `kill -9` included. The kernel ties this to the forking
    /// *thread*, so the fork must happen on a thread that lives as long as the process
    /// (`process::keeper`).
    pub fn dying_with(mut self, parent: libc::pid_t) -> Confinement {
        self.dies_with = Some(parent);
        self
    }

    /// Whether the child dies with its parent process ([`Self::dying_with`]).
    pub fn dies_with_parent(&self) -> bool {
        self.dies_with.is_some()
    }

    /// Confines the calling process.
    ///
    /// # Safety
    /// Meant for the single-threaded child between fork and exec: changes its mount
    /// namespace and credentials; makes only async-signal-safe calls.
    pub unsafe fn apply(&self) -> std::io::Result<()> {
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
        // Last: a change of user clears the parent-death signal.
        if let Some(parent) = self.dies_with {
            // SAFETY: prctl(2) and getppid(2) take no pointers.
            unsafe {
                if libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                ) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have gone between fork and prctl.
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
            }
        }
        Ok(())
    }
}

//! Domain states and the reasons behind them, numbered as libvirt numbers them.

use super::numbered::numbered_enum;

numbered_enum! {
    /// `virDomainState`.
    pub enum DomainState {
        /// No state.
        NoState = 0 => "nostate",
        /// Running.
        Running = 1 => "running",
        /// Blocked on a resource.
        Blocked = 2 => "blocked",
        /// Paused by the user or by the hypervisor.
        Paused = 3 => "paused",
        /// Being shut down.
        Shutdown = 4 => "shutdown",
        /// Shut off.
        Shutoff = 5 => "shutoff",
        /// Crashed.
        Crashed = 6 => "crashed",
        /// Suspended by guest power management.
        PmSuspended = 7 => "pmsuspended",
    }
}

impl DomainState {
    /// True for every state but [`DomainState::Shutoff`] (and no-state): the domain has an id.
    pub fn is_active(self) -> bool {
        !matches!(self, DomainState::Shutoff | DomainState::NoState)
    }
}

numbered_enum! {
    /// `virDomainRunningReason`.
    pub enum RunningReason {
        /// Unknown.
        Unknown = 0 => "unknown",
        /// Normal boot.
        Booted = 1 => "booted",
        /// Migrated in.
        Migrated = 2 => "migrated",
        /// Restored from a saved state.
        Restored = 3 => "restored",
        /// Restored from a snapshot.
        FromSnapshot = 4 => "from snapshot",
        /// Resumed after a pause.
        Unpaused = 5 => "unpaused",
        /// Migration was cancelled.
        MigrationCanceled = 6 => "migration canceled",
        /// Save was cancelled.
        SaveCanceled = 7 => "save canceled",
        /// Woken up from power-management suspend.
        Wakeup = 8 => "wakeup",
        /// Running after a crash was handled.
        Crashed = 9 => "crashed",
        /// Post-copy migration running.
        Postcopy = 10 => "post-copy",
        /// Post-copy migration failed.
        PostcopyFailed = 11 => "post-copy failed",
    }
}

numbered_enum! {
    /// `virDomainPausedReason`.
    pub enum PausedReason {
        /// Unknown.
        Unknown = 0 => "unknown",
        /// Paused by the user.
        User = 1 => "user",
        /// Paused for offline migration.
        Migration = 2 => "migrating",
        /// Paused for saving.
        Save = 3 => "saving",
        /// Paused for a core dump.
        Dump = 4 => "dumping",
        /// Paused on a disk I/O error.
        IoError = 5 => "I/O error",
        /// Paused by a watchdog.
        Watchdog = 6 => "watchdog",
        /// Restored from a paused snapshot.
        FromSnapshot = 7 => "from snapshot",
        /// Paused while shutting down.
        ShuttingDown = 8 => "shutting down",
        /// Paused while creating a snapshot.
        Snapshot = 9 => "creating snapshot",
        /// Paused after a crash.
        Crashed = 10 => "crashed",
        /// Paused while starting up.
        StartingUp = 11 => "starting up",
        /// Paused during post-copy migration.
        Postcopy = 12 => "post-copy",
        /// Paused after failed post-copy migration.
        PostcopyFailed = 13 => "post-copy failed",
    }
}

numbered_enum! {
    /// `virDomainShutdownReason`.
    pub enum ShutdownReason {
        /// Unknown.
        Unknown = 0 => "unknown",
        /// Requested by the user.
        User = 1 => "user",
    }
}

numbered_enum! {
    /// `virDomainShutoffReason`.
    pub enum ShutoffReason {
        /// Unknown.
        Unknown = 0 => "unknown",
        /// Normal shutdown.
        Shutdown = 1 => "shutdown",
        /// Forced off.
        Destroyed = 2 => "destroyed",
        /// The domain crashed.
        Crashed = 3 => "crashed",
        /// Migrated out.
        Migrated = 4 => "migrated",
        /// Saved to a file.
        Saved = 5 => "saved",
        /// The hypervisor or domain failed.
        Failed = 6 => "failed",
        /// Restored from a snapshot of a shut-off domain.
        FromSnapshot = 7 => "from snapshot",
        /// The daemon shut it down.
        Daemon = 8 => "daemon",
    }
}

numbered_enum! {
    /// `virDomainCrashedReason`.
    pub enum CrashedReason {
        /// Unknown.
        Unknown = 0 => "unknown",
        /// The guest kernel panicked.
        Panicked = 1 => "panicked",
    }
}

/// A domain's state together with its reason (libvirt's `virDomainGetState` pair).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum StateReason {
    /// No state.
    NoState,
    /// Running, and why.
    Running(RunningReason),
    /// Blocked.
    Blocked,
    /// Paused, and why.
    Paused(PausedReason),
    /// Shutting down, and why.
    Shutdown(ShutdownReason),
    /// Shut off, and why.
    Shutoff(ShutoffReason),
    /// Crashed, and why.
    Crashed(CrashedReason),
    /// Suspended by guest power management.
    PmSuspended,
}

impl StateReason {
    /// The state part.
    pub fn state(self) -> DomainState {
        match self {
            StateReason::NoState => DomainState::NoState,
            StateReason::Running(_) => DomainState::Running,
            StateReason::Blocked => DomainState::Blocked,
            StateReason::Paused(_) => DomainState::Paused,
            StateReason::Shutdown(_) => DomainState::Shutdown,
            StateReason::Shutoff(_) => DomainState::Shutoff,
            StateReason::Crashed(_) => DomainState::Crashed,
            StateReason::PmSuspended => DomainState::PmSuspended,
        }
    }

    /// libvirt's reason number (its meaning depends on the state).
    pub fn reason_raw(self) -> i32 {
        match self {
            StateReason::NoState | StateReason::Blocked | StateReason::PmSuspended => 0,
            StateReason::Running(r) => r.as_raw(),
            StateReason::Paused(r) => r.as_raw(),
            StateReason::Shutdown(r) => r.as_raw(),
            StateReason::Shutoff(r) => r.as_raw(),
            StateReason::Crashed(r) => r.as_raw(),
        }
    }

    /// The libvirt name of the reason (`booted`, `destroyed`, …).
    pub fn reason_name(self) -> &'static str {
        match self {
            StateReason::NoState | StateReason::Blocked | StateReason::PmSuspended => "unknown",
            StateReason::Running(r) => r.name(),
            StateReason::Paused(r) => r.name(),
            StateReason::Shutdown(r) => r.name(),
            StateReason::Shutoff(r) => r.name(),
            StateReason::Crashed(r) => r.name(),
        }
    }

    /// Rebuilds the pair from libvirt's numbers; `None` for numbers libvirt does not define.
    pub fn from_raw(state: i32, reason: i32) -> Option<StateReason> {
        Some(match DomainState::from_raw(state)? {
            DomainState::NoState => StateReason::NoState,
            DomainState::Running => StateReason::Running(RunningReason::from_raw(reason)?),
            DomainState::Blocked => StateReason::Blocked,
            DomainState::Paused => StateReason::Paused(PausedReason::from_raw(reason)?),
            DomainState::Shutdown => StateReason::Shutdown(ShutdownReason::from_raw(reason)?),
            DomainState::Shutoff => StateReason::Shutoff(ShutoffReason::from_raw(reason)?),
            DomainState::Crashed => StateReason::Crashed(CrashedReason::from_raw(reason)?),
            DomainState::PmSuspended => StateReason::PmSuspended,
        })
    }
}

/// What `virDomainGetInfo` reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DomainInfo {
    /// Current state.
    pub state: DomainState,
    /// Maximum memory, KiB.
    pub max_mem_kib: u64,
    /// Current memory, KiB.
    pub memory_kib: u64,
    /// Number of virtual CPUs.
    pub nr_virt_cpu: u32,
    /// CPU time used, nanoseconds.
    pub cpu_time_ns: u64,
}

/// What `virNodeGetInfo` reports.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NodeInfo {
    /// CPU model.
    pub model: String,
    /// Memory, KiB.
    pub memory_kib: u64,
    /// Number of active CPUs.
    pub cpus: u32,
    /// CPU frequency, MHz.
    pub mhz: u32,
    /// NUMA nodes.
    pub nodes: u32,
    /// CPU sockets per node.
    pub sockets: u32,
    /// Cores per socket.
    pub cores: u32,
    /// Threads per core.
    pub threads: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_libvirt() {
        assert_eq!(DomainState::Running.as_raw(), 1);
        assert_eq!(DomainState::Shutoff.as_raw(), 5);
        assert_eq!(DomainState::PmSuspended.as_raw(), 7);
        assert_eq!(ShutoffReason::Destroyed.as_raw(), 2);
        assert_eq!(ShutoffReason::Daemon.as_raw(), 8);
        assert_eq!(PausedReason::StartingUp.as_raw(), 11);
        assert_eq!(RunningReason::PostcopyFailed.as_raw(), 11);
        assert_eq!(CrashedReason::Panicked.as_raw(), 1);
    }

    #[test]
    fn state_reason_round_trips() {
        for s in 0..8 {
            for r in 0..15 {
                if let Some(sr) = StateReason::from_raw(s, r) {
                    assert_eq!(sr.state().as_raw(), s);
                    if sr.reason_raw() != 0 || r == 0 {
                        assert_eq!(sr.reason_raw(), r);
                    }
                }
            }
        }
        assert_eq!(StateReason::from_raw(5, 9), None);
        assert_eq!(StateReason::from_raw(8, 0), None);
        assert_eq!(
            StateReason::from_raw(5, 2),
            Some(StateReason::Shutoff(ShutoffReason::Destroyed))
        );
        assert!(DomainState::Paused.is_active());
        assert!(!DomainState::Shutoff.is_active());
    }
}

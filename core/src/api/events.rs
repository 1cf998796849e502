//! Domain events: event ids, lifecycle events with their details, and event payloads,
//! numbered as libvirt numbers them (`virDomainEventID`, `virDomainEventType`, details).

use super::numbered::numbered_enum;

numbered_enum! {
    /// `virDomainEventID`: which kind of event a callback subscribes to.
    pub enum DomainEventId {
        /// Lifecycle changes (started, stopped, …).
        Lifecycle = 0 => "lifecycle",
        /// The guest rebooted.
        Reboot = 1 => "reboot",
        /// The guest's RTC changed.
        RtcChange = 2 => "rtc-change",
        /// A watchdog fired.
        Watchdog = 3 => "watchdog",
        /// A disk I/O error.
        IoError = 4 => "io-error",
        /// A graphics client connected or left.
        Graphics = 5 => "graphics",
        /// A disk I/O error, with its reason.
        IoErrorReason = 6 => "io-error-reason",
        /// The management connection to the hypervisor failed.
        ControlError = 7 => "control-error",
        /// A block job finished (host path).
        BlockJob = 8 => "block-job",
        /// Removable media changed.
        DiskChange = 9 => "disk-change",
        /// A tray opened or closed.
        TrayChange = 10 => "tray-change",
        /// Power-management wake-up.
        PmWakeup = 11 => "pm-wakeup",
        /// Power-management suspend to memory.
        PmSuspend = 12 => "pm-suspend",
        /// The balloon changed size.
        BalloonChange = 13 => "balloon-change",
        /// Power-management suspend to disk.
        PmSuspendDisk = 14 => "pm-suspend-disk",
        /// A device was removed.
        DeviceRemoved = 15 => "device-removed",
        /// A block job finished (target name).
        BlockJob2 = 16 => "block-job-2",
        /// A tunable changed.
        Tunable = 17 => "tunable",
        /// The guest agent connected or left.
        AgentLifecycle = 18 => "agent-lifecycle",
        /// A device was added.
        DeviceAdded = 19 => "device-added",
        /// A migration iteration finished.
        MigrationIteration = 20 => "migration-iteration",
        /// A job completed.
        JobCompleted = 21 => "job-completed",
        /// A device removal failed.
        DeviceRemovalFailed = 22 => "device-removal-failed",
        /// Metadata changed.
        MetadataChange = 23 => "metadata-change",
        /// A block threshold was crossed.
        BlockThreshold = 24 => "block-threshold",
        /// A memory failure was reported.
        MemoryFailure = 25 => "memory-failure",
        /// A memory device changed size.
        MemoryDeviceSizeChange = 26 => "memory-device-size-change",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Defined`].
    pub enum DefinedDetail {
        /// Newly defined.
        Added = 0 => "Added",
        /// An existing definition changed.
        Updated = 1 => "Updated",
        /// Renamed.
        Renamed = 2 => "Renamed",
        /// Defined from a snapshot.
        FromSnapshot = 3 => "Snapshot",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Undefined`].
    pub enum UndefinedDetail {
        /// The definition was removed.
        Removed = 0 => "Removed",
        /// Renamed away.
        Renamed = 1 => "Renamed",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Started`].
    pub enum StartedDetail {
        /// Normal boot.
        Booted = 0 => "Booted",
        /// Migrated in.
        Migrated = 1 => "Migrated",
        /// Restored from a saved state.
        Restored = 2 => "Restored",
        /// Restored from a snapshot.
        FromSnapshot = 3 => "Snapshot",
        /// Woken up by power management.
        Wakeup = 4 => "Event wakeup",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Suspended`].
    pub enum SuspendedDetail {
        /// Paused by the user.
        Paused = 0 => "Paused",
        /// Paused for migration.
        Migrated = 1 => "Migrated",
        /// Paused on an I/O error.
        IoError = 2 => "I/O Error",
        /// Paused by a watchdog.
        Watchdog = 3 => "Watchdog",
        /// Restored paused.
        Restored = 4 => "Restored",
        /// Restored paused from a snapshot.
        FromSnapshot = 5 => "Snapshot",
        /// Paused after an API error.
        ApiError = 6 => "API error",
        /// Paused for post-copy migration.
        Postcopy = 7 => "Post-copy",
        /// Paused after post-copy migration failed.
        PostcopyFailed = 8 => "Post-copy Error",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Resumed`].
    pub enum ResumedDetail {
        /// Unpaused.
        Unpaused = 0 => "Unpaused",
        /// Resumed after migration.
        Migrated = 1 => "Migrated",
        /// Resumed from a snapshot.
        FromSnapshot = 2 => "Snapshot",
        /// Resumed in post-copy mode.
        Postcopy = 3 => "Post-copy",
        /// Resumed after post-copy migration failed.
        PostcopyFailed = 4 => "Post-copy Error",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Stopped`].
    pub enum StoppedDetail {
        /// Normal shutdown.
        Shutdown = 0 => "Shutdown",
        /// Forced off.
        Destroyed = 1 => "Destroyed",
        /// Crashed.
        Crashed = 2 => "Crashed",
        /// Migrated away.
        Migrated = 3 => "Migrated",
        /// Saved to a file.
        Saved = 4 => "Saved",
        /// The hypervisor failed.
        Failed = 5 => "Failed",
        /// Restored from a snapshot of a shut-off domain.
        FromSnapshot = 6 => "Snapshot",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Shutdown`].
    pub enum ShutdownDetail {
        /// Shutdown finished.
        Finished = 0 => "Finished",
        /// The guest asked to power off.
        Guest = 1 => "Finished after guest request",
        /// The host asked to power off.
        Host = 2 => "Finished after host request",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::PmSuspended`].
    pub enum PmSuspendedDetail {
        /// Suspended to memory.
        Memory = 0 => "Memory",
        /// Suspended to disk.
        Disk = 1 => "Disk",
    }
}

numbered_enum! {
    /// Detail of [`Lifecycle::Crashed`].
    pub enum CrashedDetail {
        /// The guest panicked.
        Panicked = 0 => "Panicked",
        /// A crash kernel was loaded.
        CrashLoaded = 1 => "Crashloaded",
    }
}

/// A lifecycle event with its detail (`virDomainEventType` + detail enum).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Lifecycle {
    /// 0: defined.
    Defined(DefinedDetail),
    /// 1: undefined.
    Undefined(UndefinedDetail),
    /// 2: started.
    Started(StartedDetail),
    /// 3: suspended.
    Suspended(SuspendedDetail),
    /// 4: resumed.
    Resumed(ResumedDetail),
    /// 5: stopped.
    Stopped(StoppedDetail),
    /// 6: shut down (guest powered off, process may still exist).
    Shutdown(ShutdownDetail),
    /// 7: suspended by power management.
    PmSuspended(PmSuspendedDetail),
    /// 8: crashed.
    Crashed(CrashedDetail),
}

impl Lifecycle {
    /// libvirt's event number (`virDomainEventType`).
    pub fn event_raw(self) -> i32 {
        match self {
            Lifecycle::Defined(_) => 0,
            Lifecycle::Undefined(_) => 1,
            Lifecycle::Started(_) => 2,
            Lifecycle::Suspended(_) => 3,
            Lifecycle::Resumed(_) => 4,
            Lifecycle::Stopped(_) => 5,
            Lifecycle::Shutdown(_) => 6,
            Lifecycle::PmSuspended(_) => 7,
            Lifecycle::Crashed(_) => 8,
        }
    }

    /// libvirt's detail number (meaning depends on the event).
    pub fn detail_raw(self) -> i32 {
        match self {
            Lifecycle::Defined(d) => d.as_raw(),
            Lifecycle::Undefined(d) => d.as_raw(),
            Lifecycle::Started(d) => d.as_raw(),
            Lifecycle::Suspended(d) => d.as_raw(),
            Lifecycle::Resumed(d) => d.as_raw(),
            Lifecycle::Stopped(d) => d.as_raw(),
            Lifecycle::Shutdown(d) => d.as_raw(),
            Lifecycle::PmSuspended(d) => d.as_raw(),
            Lifecycle::Crashed(d) => d.as_raw(),
        }
    }

    /// The event name as `virsh event` prints it (`Started`, `Stopped`, …).
    pub fn event_name(self) -> &'static str {
        match self {
            Lifecycle::Defined(_) => "Defined",
            Lifecycle::Undefined(_) => "Undefined",
            Lifecycle::Started(_) => "Started",
            Lifecycle::Suspended(_) => "Suspended",
            Lifecycle::Resumed(_) => "Resumed",
            Lifecycle::Stopped(_) => "Stopped",
            Lifecycle::Shutdown(_) => "Shutdown",
            Lifecycle::PmSuspended(_) => "PMSuspended",
            Lifecycle::Crashed(_) => "Crashed",
        }
    }

    /// The detail name as `virsh event` prints it (`Booted`, `Destroyed`, …).
    pub fn detail_name(self) -> &'static str {
        match self {
            Lifecycle::Defined(d) => d.name(),
            Lifecycle::Undefined(d) => d.name(),
            Lifecycle::Started(d) => d.name(),
            Lifecycle::Suspended(d) => d.name(),
            Lifecycle::Resumed(d) => d.name(),
            Lifecycle::Stopped(d) => d.name(),
            Lifecycle::Shutdown(d) => d.name(),
            Lifecycle::PmSuspended(d) => d.name(),
            Lifecycle::Crashed(d) => d.name(),
        }
    }

    /// Rebuilds an event from libvirt's numbers; `None` for numbers libvirt does not define.
    pub fn from_raw(event: i32, detail: i32) -> Option<Lifecycle> {
        Some(match event {
            0 => Lifecycle::Defined(DefinedDetail::from_raw(detail)?),
            1 => Lifecycle::Undefined(UndefinedDetail::from_raw(detail)?),
            2 => Lifecycle::Started(StartedDetail::from_raw(detail)?),
            3 => Lifecycle::Suspended(SuspendedDetail::from_raw(detail)?),
            4 => Lifecycle::Resumed(ResumedDetail::from_raw(detail)?),
            5 => Lifecycle::Stopped(StoppedDetail::from_raw(detail)?),
            6 => Lifecycle::Shutdown(ShutdownDetail::from_raw(detail)?),
            7 => Lifecycle::PmSuspended(PmSuspendedDetail::from_raw(detail)?),
            8 => Lifecycle::Crashed(CrashedDetail::from_raw(detail)?),
            _ => return None,
        })
    }
}

impl std::fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.event_name(), self.detail_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_libvirt() {
        assert_eq!(DomainEventId::Lifecycle.as_raw(), 0);
        assert_eq!(DomainEventId::ControlError.as_raw(), 7);
        assert_eq!(DomainEventId::MemoryDeviceSizeChange.as_raw(), 26);
        assert_eq!(DomainEventId::ALL.len(), 27);
        let stopped = Lifecycle::Stopped(StoppedDetail::Failed);
        assert_eq!((stopped.event_raw(), stopped.detail_raw()), (5, 5));
        let shut = Lifecycle::Shutdown(ShutdownDetail::Guest);
        assert_eq!((shut.event_raw(), shut.detail_raw()), (6, 1));
        let crashed = Lifecycle::Crashed(CrashedDetail::CrashLoaded);
        assert_eq!((crashed.event_raw(), crashed.detail_raw()), (8, 1));
    }

    #[test]
    fn lifecycle_round_trips_through_numbers() {
        let mut count = 0;
        for ev in 0..10 {
            for detail in 0..10 {
                if let Some(l) = Lifecycle::from_raw(ev, detail) {
                    assert_eq!((l.event_raw(), l.detail_raw()), (ev, detail));
                    count += 1;
                }
            }
        }
        // 4 + 2 + 5 + 9 + 5 + 7 + 3 + 2 + 2 details in libvirt 9.0.
        assert_eq!(count, 39);
        assert_eq!(Lifecycle::from_raw(9, 0), None);
        assert_eq!(Lifecycle::from_raw(5, 7), None);
    }
}

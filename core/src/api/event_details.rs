//! The numbered values non-lifecycle domain events carry (`virDomainEventWatchdogAction`,
//! `virDomainEventGraphicsPhase`, `virConnectDomainEventBlockJobStatus`, …), named as
//! `virsh event` prints them.

use super::numbered::numbered_enum;

numbered_enum! {
    /// What a watchdog did when it fired (`virDomainEventWatchdogAction`).
    pub enum WatchdogAction {
        /// Nothing.
        None = 0 => "none",
        /// The guest was paused.
        Pause = 1 => "pause",
        /// The guest was reset.
        Reset = 2 => "reset",
        /// The guest was powered off.
        Poweroff = 3 => "poweroff",
        /// The guest was shut down.
        Shutdown = 4 => "shutdown",
        /// Only a debug message was logged.
        Debug = 5 => "debug",
        /// An NMI was injected.
        InjectNmi = 6 => "inject-nmi",
    }
}

impl WatchdogAction {
    /// The action QEMU names in its `WATCHDOG` event (`pause`, `reset`, …); unknown
    /// names are [`WatchdogAction::None`].
    pub fn from_qemu(action: &str) -> WatchdogAction {
        WatchdogAction::ALL
            .iter()
            .copied()
            .find(|a| a.name() == action)
            .unwrap_or(WatchdogAction::None)
    }
}

numbered_enum! {
    /// What happened after a disk I/O error (`virDomainEventIOErrorAction`).
    pub enum IoErrorAction {
        /// The error was ignored.
        None = 0 => "none",
        /// The guest was paused.
        Pause = 1 => "pause",
        /// The error was reported to the guest.
        Report = 2 => "report",
    }
}

impl IoErrorAction {
    /// The action QEMU names in `BLOCK_IO_ERROR` (`stop`, `report`, `ignore`).
    pub fn from_qemu(action: &str) -> IoErrorAction {
        match action {
            "stop" => IoErrorAction::Pause,
            "report" => IoErrorAction::Report,
            _ => IoErrorAction::None,
        }
    }
}

numbered_enum! {
    /// The stage of a graphics client connection (`virDomainEventGraphicsPhase`).
    pub enum GraphicsPhase {
        /// The client connected.
        Connect = 0 => "connect",
        /// The client finished authenticating.
        Initialize = 1 => "initialize",
        /// The client left.
        Disconnect = 2 => "disconnect",
    }
}

numbered_enum! {
    /// The address family of a graphics endpoint (`virDomainEventGraphicsAddressType`).
    pub enum GraphicsFamily {
        /// IPv4.
        Ipv4 = 0 => "ipv4",
        /// IPv6.
        Ipv6 = 1 => "ipv6",
        /// A UNIX socket.
        Unix = 2 => "unix",
    }
}

numbered_enum! {
    /// The kind of a block job (`virDomainBlockJobType`).
    pub enum BlockJobType {
        /// Not known.
        Unknown = 0 => "Unknown",
        /// Block pull.
        Pull = 1 => "Block Pull",
        /// Block copy.
        Copy = 2 => "Block Copy",
        /// Commit of an inactive layer.
        Commit = 3 => "Block Commit",
        /// Commit of the active layer.
        ActiveCommit = 4 => "Active Block Commit",
        /// Backup.
        Backup = 5 => "Backup",
    }
}

numbered_enum! {
    /// How a block job ended (`virConnectDomainEventBlockJobStatus`).
    pub enum BlockJobStatus {
        /// Finished.
        Completed = 0 => "completed",
        /// Failed.
        Failed = 1 => "failed",
        /// Cancelled.
        Canceled = 2 => "canceled",
        /// Ready to be pivoted (mirror jobs).
        Ready = 3 => "ready",
    }
}

numbered_enum! {
    /// Why removable media changed (`virConnectDomainEventDiskChangeReason`).
    pub enum DiskChangeReason {
        /// The media was missing when the domain started.
        MissingOnStart = 0 => "missing on start",
        /// A missing disk was dropped when the domain started.
        DropMissingOnStart = 1 => "missing on start (dropped)",
    }
}

numbered_enum! {
    /// Which way a tray moved (`virDomainEventTrayChangeReason`).
    pub enum TrayChangeReason {
        /// The tray opened.
        Open = 0 => "opened",
        /// The tray closed.
        Close = 1 => "closed",
    }
}

numbered_enum! {
    /// The guest agent's state (`virConnectDomainEventAgentLifecycleState`).
    pub enum AgentLifecycleState {
        /// The agent connected.
        Connected = 1 => "connected",
        /// The agent disconnected.
        Disconnected = 2 => "disconnected",
    }
}

numbered_enum! {
    /// Why the agent's state changed (`virConnectDomainEventAgentLifecycleReason`).
    pub enum AgentLifecycleReason {
        /// Not known.
        Unknown = 0 => "unknown",
        /// The domain started with the agent channel.
        DomainStarted = 1 => "domain started",
        /// The channel's state changed.
        Channel = 2 => "channel event",
    }
}

numbered_enum! {
    /// Which metadata changed (`virDomainMetadataType`).
    pub enum MetadataType {
        /// `<description>`.
        Description = 0 => "description",
        /// `<title>`.
        Title = 1 => "title",
        /// An element under `<metadata>`, identified by its namespace URI.
        Element = 2 => "element",
    }
}

numbered_enum! {
    /// Who received a hardware memory error (`virDomainMemoryFailureRecipientType`).
    pub enum MemoryFailureRecipient {
        /// The hypervisor.
        Hypervisor = 0 => "hypervisor",
        /// The guest.
        Guest = 1 => "guest",
    }
}

numbered_enum! {
    /// What was done about a memory error (`virDomainMemoryFailureActionType`).
    pub enum MemoryFailureAction {
        /// Ignored.
        Ignore = 0 => "ignore",
        /// Injected into the guest.
        Inject = 1 => "inject",
        /// Fatal: the hypervisor stopped.
        Fatal = 2 => "fatal",
        /// The guest was reset.
        Reset = 3 => "reset",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_action_names_map_to_libvirt_numbers() {
        assert_eq!(WatchdogAction::from_qemu("pause").as_raw(), 1);
        assert_eq!(WatchdogAction::from_qemu("inject-nmi").as_raw(), 6);
        assert_eq!(WatchdogAction::from_qemu("explode"), WatchdogAction::None);
        assert_eq!(IoErrorAction::from_qemu("stop"), IoErrorAction::Pause);
        assert_eq!(IoErrorAction::from_qemu("report").as_raw(), 2);
        assert_eq!(IoErrorAction::from_qemu("ignore"), IoErrorAction::None);
    }

    #[test]
    fn numbers_match_libvirt() {
        assert_eq!(BlockJobStatus::Ready.as_raw(), 3);
        assert_eq!(BlockJobType::Backup.as_raw(), 5);
        assert_eq!(AgentLifecycleState::from_raw(0), None);
        assert_eq!(AgentLifecycleState::Disconnected.as_raw(), 2);
        assert_eq!(MetadataType::Element.as_raw(), 2);
        assert_eq!(MemoryFailureAction::Reset.as_raw(), 3);
        assert_eq!(GraphicsFamily::Unix.as_raw(), 2);
    }
}

//! Numbers exported to C, identical to libvirt's: domain states, event ids, lifecycle events
//! and details, fd-watch conditions, error numbers, list flags.

use std::ffi::{c_int, c_uint};

/// Size of the buffer `rvirDomainGetUUIDString` writes (36 characters + NUL).
pub const RVIR_UUID_STRING_BUFLEN: usize = 37;

/// `virDomainState`: what `rvirDomainInfo::state` holds.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainState {
    /// No state.
    RVIR_DOMAIN_NOSTATE = 0,
    /// Running.
    RVIR_DOMAIN_RUNNING = 1,
    /// Blocked on a resource.
    RVIR_DOMAIN_BLOCKED = 2,
    /// Paused.
    RVIR_DOMAIN_PAUSED = 3,
    /// Being shut down.
    RVIR_DOMAIN_SHUTDOWN = 4,
    /// Shut off.
    RVIR_DOMAIN_SHUTOFF = 5,
    /// Crashed.
    RVIR_DOMAIN_CRASHED = 6,
    /// Suspended by guest power management.
    RVIR_DOMAIN_PMSUSPENDED = 7,
}

/// `virEventHandleType`: the fd conditions of the event-loop callbacks (a bitmask).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirEventHandleType {
    /// Data can be read.
    RVIR_EVENT_HANDLE_READABLE = 1,
    /// Data can be written.
    RVIR_EVENT_HANDLE_WRITABLE = 2,
    /// An error condition (reported even when not requested).
    RVIR_EVENT_HANDLE_ERROR = 4,
    /// The peer hung up (reported even when not requested).
    RVIR_EVENT_HANDLE_HANGUP = 8,
}

/// `virDomainEventID`: which kind of event `rvirConnectDomainEventRegisterAny`
/// subscribes to. This version of librvirt delivers `RVIR_DOMAIN_EVENT_ID_LIFECYCLE` only.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventID {
    /// Lifecycle changes; callback type `rvirConnectDomainEventCallback`.
    RVIR_DOMAIN_EVENT_ID_LIFECYCLE = 0,
    /// The guest rebooted (not delivered by librvirt yet).
    RVIR_DOMAIN_EVENT_ID_REBOOT = 1,
}

/// `virDomainEventType`: the `event` argument of a lifecycle callback.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventType {
    /// Defined; detail is an `rvirDomainEventDefinedDetailType`.
    RVIR_DOMAIN_EVENT_DEFINED = 0,
    /// Undefined; detail is an `rvirDomainEventUndefinedDetailType`.
    RVIR_DOMAIN_EVENT_UNDEFINED = 1,
    /// Started; detail is an `rvirDomainEventStartedDetailType`.
    RVIR_DOMAIN_EVENT_STARTED = 2,
    /// Suspended; detail is an `rvirDomainEventSuspendedDetailType`.
    RVIR_DOMAIN_EVENT_SUSPENDED = 3,
    /// Resumed; detail is an `rvirDomainEventResumedDetailType`.
    RVIR_DOMAIN_EVENT_RESUMED = 4,
    /// Stopped; detail is an `rvirDomainEventStoppedDetailType`.
    RVIR_DOMAIN_EVENT_STOPPED = 5,
    /// Shut down; detail is an `rvirDomainEventShutdownDetailType`.
    RVIR_DOMAIN_EVENT_SHUTDOWN = 6,
    /// Suspended by power management; detail 0 memory, 1 disk.
    RVIR_DOMAIN_EVENT_PMSUSPENDED = 7,
    /// Crashed; detail 0 panicked, 1 crash kernel loaded.
    RVIR_DOMAIN_EVENT_CRASHED = 8,
}

/// Details of `RVIR_DOMAIN_EVENT_DEFINED`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventDefinedDetailType {
    /// Newly defined.
    RVIR_DOMAIN_EVENT_DEFINED_ADDED = 0,
    /// An existing definition changed.
    RVIR_DOMAIN_EVENT_DEFINED_UPDATED = 1,
    /// Renamed.
    RVIR_DOMAIN_EVENT_DEFINED_RENAMED = 2,
    /// Defined from a snapshot.
    RVIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT = 3,
}

/// Details of `RVIR_DOMAIN_EVENT_UNDEFINED`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventUndefinedDetailType {
    /// The definition was removed.
    RVIR_DOMAIN_EVENT_UNDEFINED_REMOVED = 0,
    /// Renamed away.
    RVIR_DOMAIN_EVENT_UNDEFINED_RENAMED = 1,
}

/// Details of `RVIR_DOMAIN_EVENT_STARTED`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventStartedDetailType {
    /// Normal boot.
    RVIR_DOMAIN_EVENT_STARTED_BOOTED = 0,
    /// Migrated in.
    RVIR_DOMAIN_EVENT_STARTED_MIGRATED = 1,
    /// Restored from a saved state.
    RVIR_DOMAIN_EVENT_STARTED_RESTORED = 2,
    /// Restored from a snapshot.
    RVIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT = 3,
    /// Woken up by power management.
    RVIR_DOMAIN_EVENT_STARTED_WAKEUP = 4,
}

/// Details of `RVIR_DOMAIN_EVENT_SUSPENDED`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventSuspendedDetailType {
    /// Paused by the user.
    RVIR_DOMAIN_EVENT_SUSPENDED_PAUSED = 0,
    /// Paused for migration.
    RVIR_DOMAIN_EVENT_SUSPENDED_MIGRATED = 1,
    /// Paused on an I/O error.
    RVIR_DOMAIN_EVENT_SUSPENDED_IOERROR = 2,
    /// Paused by a watchdog.
    RVIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG = 3,
    /// Restored paused.
    RVIR_DOMAIN_EVENT_SUSPENDED_RESTORED = 4,
    /// Restored paused from a snapshot.
    RVIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    /// Paused after an API error.
    RVIR_DOMAIN_EVENT_SUSPENDED_API_ERROR = 6,
    /// Paused for post-copy migration.
    RVIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY = 7,
    /// Paused after post-copy migration failed.
    RVIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED = 8,
}

/// Details of `RVIR_DOMAIN_EVENT_RESUMED`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventResumedDetailType {
    /// Unpaused.
    RVIR_DOMAIN_EVENT_RESUMED_UNPAUSED = 0,
    /// Resumed after migration.
    RVIR_DOMAIN_EVENT_RESUMED_MIGRATED = 1,
    /// Resumed from a snapshot.
    RVIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT = 2,
    /// Resumed in post-copy mode.
    RVIR_DOMAIN_EVENT_RESUMED_POSTCOPY = 3,
    /// Resumed after post-copy migration failed.
    RVIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED = 4,
}

/// Details of `RVIR_DOMAIN_EVENT_STOPPED`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventStoppedDetailType {
    /// Normal shutdown.
    RVIR_DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,
    /// Forced off.
    RVIR_DOMAIN_EVENT_STOPPED_DESTROYED = 1,
    /// Crashed.
    RVIR_DOMAIN_EVENT_STOPPED_CRASHED = 2,
    /// Migrated away.
    RVIR_DOMAIN_EVENT_STOPPED_MIGRATED = 3,
    /// Saved to a file.
    RVIR_DOMAIN_EVENT_STOPPED_SAVED = 4,
    /// The hypervisor failed.
    RVIR_DOMAIN_EVENT_STOPPED_FAILED = 5,
    /// Restored from a snapshot of a shut-off domain.
    RVIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT = 6,
}

/// Details of `RVIR_DOMAIN_EVENT_SHUTDOWN`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirDomainEventShutdownDetailType {
    /// Shutdown finished.
    RVIR_DOMAIN_EVENT_SHUTDOWN_FINISHED = 0,
    /// The guest asked to power off.
    RVIR_DOMAIN_EVENT_SHUTDOWN_GUEST = 1,
    /// The host asked to power off.
    RVIR_DOMAIN_EVENT_SHUTDOWN_HOST = 2,
}

/// `virErrorNumber` values librvirt raises most (every code is libvirt's number; the full
/// list is libvirt's `virterror.h`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rvirErrorNumber {
    /// No error.
    RVIR_ERR_OK = 0,
    /// Internal error (also: a Rust panic caught at the boundary).
    RVIR_ERR_INTERNAL_ERROR = 1,
    /// Out of memory.
    RVIR_ERR_NO_MEMORY = 2,
    /// The driver does not support this call.
    RVIR_ERR_NO_SUPPORT = 3,
    /// No driver or connection for this URI.
    RVIR_ERR_NO_CONNECT = 5,
    /// Invalid or closed connection.
    RVIR_ERR_INVALID_CONN = 6,
    /// Invalid domain object.
    RVIR_ERR_INVALID_DOMAIN = 7,
    /// Invalid argument (for example a NULL pointer).
    RVIR_ERR_INVALID_ARG = 8,
    /// The operation failed.
    RVIR_ERR_OPERATION_FAILED = 9,
    /// Malformed XML.
    RVIR_ERR_XML_ERROR = 27,
    /// The domain already exists.
    RVIR_ERR_DOM_EXIST = 28,
    /// Read-only connection.
    RVIR_ERR_OPERATION_DENIED = 29,
    /// No such domain.
    RVIR_ERR_NO_DOMAIN = 42,
    /// No such network.
    RVIR_ERR_NO_NETWORK = 43,
    /// No such storage pool.
    RVIR_ERR_NO_STORAGE_POOL = 49,
    /// No such storage volume.
    RVIR_ERR_NO_STORAGE_VOL = 50,
    /// No such node device.
    RVIR_ERR_NO_NODE_DEVICE = 53,
    /// The operation is not valid in the current state.
    RVIR_ERR_OPERATION_INVALID = 55,
    /// No such host interface.
    RVIR_ERR_NO_INTERFACE = 57,
    /// No such network filter.
    RVIR_ERR_NO_NWFILTER = 62,
    /// No such secret.
    RVIR_ERR_NO_SECRET = 66,
    /// Unsupported configuration (for example: no event loop registered).
    RVIR_ERR_CONFIG_UNSUPPORTED = 67,
    /// No such network filter binding.
    RVIR_ERR_NO_NWFILTER_BINDING = 101,
}

/// `virConnectListAllDomainsFlags`: only active domains.
pub const RVIR_CONNECT_LIST_DOMAINS_ACTIVE: c_uint = 1;
/// Only inactive domains.
pub const RVIR_CONNECT_LIST_DOMAINS_INACTIVE: c_uint = 2;
/// Only persistent domains.
pub const RVIR_CONNECT_LIST_DOMAINS_PERSISTENT: c_uint = 4;
/// Only transient domains.
pub const RVIR_CONNECT_LIST_DOMAINS_TRANSIENT: c_uint = 8;
/// Only running domains.
pub const RVIR_CONNECT_LIST_DOMAINS_RUNNING: c_uint = 16;
/// Only paused domains.
pub const RVIR_CONNECT_LIST_DOMAINS_PAUSED: c_uint = 32;
/// Only shut-off domains.
pub const RVIR_CONNECT_LIST_DOMAINS_SHUTOFF: c_uint = 64;
/// Domains in any other state.
pub const RVIR_CONNECT_LIST_DOMAINS_OTHER: c_uint = 128;

/// `virConnectListAllNetworksFlags`: only inactive networks.
pub const RVIR_CONNECT_LIST_NETWORKS_INACTIVE: c_uint = 1;
/// Only active networks.
pub const RVIR_CONNECT_LIST_NETWORKS_ACTIVE: c_uint = 2;
/// Only persistent networks.
pub const RVIR_CONNECT_LIST_NETWORKS_PERSISTENT: c_uint = 4;
/// Only transient networks.
pub const RVIR_CONNECT_LIST_NETWORKS_TRANSIENT: c_uint = 8;
/// Only networks that start with the host.
pub const RVIR_CONNECT_LIST_NETWORKS_AUTOSTART: c_uint = 16;
/// Only networks that do not start with the host.
pub const RVIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART: c_uint = 32;

/// `virNetworkXMLFlags`: the persistent definition rather than the live one.
pub const RVIR_NETWORK_XML_INACTIVE: c_uint = 1;

/// `virConnectListAllStoragePoolsFlags`: only inactive pools.
pub const RVIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE: c_uint = 1;
/// Only active pools.
pub const RVIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE: c_uint = 2;
/// Only persistent pools.
pub const RVIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT: c_uint = 4;
/// Only transient pools.
pub const RVIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT: c_uint = 8;
/// Only pools that start with the host.
pub const RVIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART: c_uint = 16;
/// Only pools that do not start with the host.
pub const RVIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART: c_uint = 32;

/// `virStoragePoolState`: `rvirStoragePoolInfo::state` of an inactive pool.
pub const RVIR_STORAGE_POOL_INACTIVE: c_int = 0;
/// Being built.
pub const RVIR_STORAGE_POOL_BUILDING: c_int = 1;
/// Running normally.
pub const RVIR_STORAGE_POOL_RUNNING: c_int = 2;
/// Running, degraded.
pub const RVIR_STORAGE_POOL_DEGRADED: c_int = 3;
/// Running, but not accessible.
pub const RVIR_STORAGE_POOL_INACCESSIBLE: c_int = 4;

/// `virStorageVolType`: `rvirStorageVolInfo::type` of a regular file.
pub const RVIR_STORAGE_VOL_FILE: c_int = 0;
/// A block device.
pub const RVIR_STORAGE_VOL_BLOCK: c_int = 1;
/// A directory.
pub const RVIR_STORAGE_VOL_DIR: c_int = 2;

/// `virConnectListAllSecretsFlags`: only ephemeral secrets.
pub const RVIR_CONNECT_LIST_SECRETS_EPHEMERAL: c_uint = 1;
/// Only persistent secrets.
pub const RVIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL: c_uint = 2;
/// Only private secrets.
pub const RVIR_CONNECT_LIST_SECRETS_PRIVATE: c_uint = 4;
/// Only secrets whose value can be read.
pub const RVIR_CONNECT_LIST_SECRETS_NO_PRIVATE: c_uint = 8;

/// `virConnectListAllInterfacesFlags`: only interfaces that are down.
pub const RVIR_CONNECT_LIST_INTERFACES_INACTIVE: c_uint = 1;
/// Only interfaces that are up.
pub const RVIR_CONNECT_LIST_INTERFACES_ACTIVE: c_uint = 2;
/// `virInterfaceXMLFlags`: the interface's persistent definition.
pub const RVIR_INTERFACE_XML_INACTIVE: c_uint = 1;

/// `virConnectListAllNodeDeviceFlags`: only the host system (`computer`).
pub const RVIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM: c_uint = 1 << 0;
/// Only PCI devices.
pub const RVIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV: c_uint = 1 << 1;
/// Only USB devices.
pub const RVIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV: c_uint = 1 << 2;
/// Only network interfaces.
pub const RVIR_CONNECT_LIST_NODE_DEVICES_CAP_NET: c_uint = 1 << 4;
/// Only SCSI hosts.
pub const RVIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST: c_uint = 1 << 5;
/// Only storage devices.
pub const RVIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE: c_uint = 1 << 8;

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::api::{DomainEventId, DomainState, ListFlags, StoppedDetail};
    use rvirt_core::event::Interest;
    use rvirt_core::{ErrorCode, Lifecycle};

    #[test]
    fn numbers_are_rvirt_cores_and_libvirts() {
        assert_eq!(
            rvirDomainState::RVIR_DOMAIN_PMSUSPENDED as i32,
            DomainState::PmSuspended.as_raw()
        );
        assert_eq!(
            rvirDomainState::RVIR_DOMAIN_SHUTOFF as i32,
            DomainState::Shutoff.as_raw()
        );
        let stopped = Lifecycle::Stopped(StoppedDetail::Destroyed);
        assert_eq!(
            rvirDomainEventType::RVIR_DOMAIN_EVENT_STOPPED as i32,
            stopped.event_raw()
        );
        assert_eq!(
            rvirDomainEventStoppedDetailType::RVIR_DOMAIN_EVENT_STOPPED_DESTROYED as i32,
            stopped.detail_raw()
        );
        assert_eq!(
            rvirDomainEventID::RVIR_DOMAIN_EVENT_ID_LIFECYCLE as i32,
            DomainEventId::Lifecycle.as_raw()
        );
        assert_eq!(
            rvirEventHandleType::RVIR_EVENT_HANDLE_HANGUP as i32,
            Interest::HANGUP.bits()
        );
        for (ours, core) in [
            (rvirErrorNumber::RVIR_ERR_INVALID_ARG, ErrorCode::InvalidArg),
            (rvirErrorNumber::RVIR_ERR_NO_DOMAIN, ErrorCode::NoDomain),
            (
                rvirErrorNumber::RVIR_ERR_CONFIG_UNSUPPORTED,
                ErrorCode::ConfigUnsupported,
            ),
            (
                rvirErrorNumber::RVIR_ERR_OPERATION_INVALID,
                ErrorCode::OperationInvalid,
            ),
            (rvirErrorNumber::RVIR_ERR_DOM_EXIST, ErrorCode::DomExist),
            (rvirErrorNumber::RVIR_ERR_NO_NETWORK, ErrorCode::NoNetwork),
            (
                rvirErrorNumber::RVIR_ERR_NO_STORAGE_POOL,
                ErrorCode::NoStoragePool,
            ),
            (
                rvirErrorNumber::RVIR_ERR_NO_STORAGE_VOL,
                ErrorCode::NoStorageVol,
            ),
            (rvirErrorNumber::RVIR_ERR_NO_SECRET, ErrorCode::NoSecret),
            (
                rvirErrorNumber::RVIR_ERR_NO_NODE_DEVICE,
                ErrorCode::NoNodeDevice,
            ),
            (
                rvirErrorNumber::RVIR_ERR_NO_INTERFACE,
                ErrorCode::NoInterface,
            ),
            (rvirErrorNumber::RVIR_ERR_NO_NWFILTER, ErrorCode::NoNwfilter),
            (
                rvirErrorNumber::RVIR_ERR_NO_NWFILTER_BINDING,
                ErrorCode::NoNwfilterBinding,
            ),
            (rvirErrorNumber::RVIR_ERR_NO_SUPPORT, ErrorCode::NoSupport),
        ] {
            assert_eq!(ours as i32, core.as_raw(), "{ours:?}");
        }
        assert_eq!(RVIR_CONNECT_LIST_DOMAINS_OTHER, ListFlags::OTHER.0);
        assert_eq!(RVIR_CONNECT_LIST_DOMAINS_ACTIVE, ListFlags::ACTIVE.0);
    }
}

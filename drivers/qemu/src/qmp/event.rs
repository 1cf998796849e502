//! Typed QMP events.

use serde_json::Value;

/// An asynchronous QMP event, decoded by name.
///
/// Events this enum does not model, and modelled events whose `data` does not have the
/// expected shape, become [`QmpEvent::Other`]: an event is never a decoding error,
/// because QEMU adds events and fields in every release.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum QmpEvent {
    /// `SHUTDOWN`: the guest (or host) requested power-off.
    Shutdown {
        /// `guest`: true if the guest initiated it; `None` on old QEMU that omits it.
        guest: Option<bool>,
        /// `reason` (QEMU ≥ 4.0), e.g. `guest-shutdown`, `host-qmp-quit`.
        reason: Option<String>,
    },
    /// `STOP`: vCPUs stopped.
    Stop,
    /// `RESUME`: vCPUs running again.
    Resume,
    /// `RESET`: system reset.
    Reset {
        /// `guest`: true if the guest initiated it.
        guest: Option<bool>,
    },
    /// `POWERDOWN`: ACPI power button pressed (for example by `system_powerdown`).
    Powerdown,
    /// `GUEST_PANICKED`.
    GuestPanicked {
        /// `action` QEMU takes (`pause`, `poweroff`, `run`).
        action: Option<String>,
    },
    /// `SUSPEND`: guest entered S3.
    Suspend,
    /// `SUSPEND_DISK`: guest entered S4.
    SuspendDisk,
    /// `WAKEUP`: guest left a sleep state.
    Wakeup,
    /// `WATCHDOG`: the watchdog fired.
    Watchdog {
        /// `action`: `reset`, `shutdown`, `poweroff`, `pause`, `debug`, `none`, `inject-nmi`.
        action: String,
    },
    /// `BLOCK_IO_ERROR`.
    BlockIoError {
        /// `device`: the block backend name (may be empty with `-blockdev`).
        device: String,
        /// `node-name`, when known.
        node_name: Option<String>,
        /// `operation`: `read` or `write`.
        operation: String,
        /// `action`: `ignore`, `report` or `stop`.
        action: String,
        /// `nospace`: the error was ENOSPC.
        nospace: bool,
        /// `reason`: human-readable error.
        reason: Option<String>,
    },
    /// `RTC_CHANGE`: the guest changed its RTC.
    RtcChange {
        /// `offset`: new offset from the host's base, seconds.
        offset: i64,
    },
    /// `DEVICE_DELETED`: hot-unplug finished.
    DeviceDeleted {
        /// `device`: the device id, absent for devices created without one.
        device: Option<String>,
        /// `path`: the QOM path.
        path: String,
    },
    /// `BALLOON_CHANGE`.
    BalloonChange {
        /// `actual`: guest memory in bytes.
        actual: u64,
    },
    /// `DEVICE_TRAY_MOVED`: a removable-media tray opened or closed.
    TrayMoved {
        /// `id`: the frontend device id (libvirt's alias), if present.
        id: Option<String>,
        /// `device`: the block backend name (may be empty).
        device: String,
        /// `tray-open`.
        open: bool,
    },
    /// `VSERPORT_CHANGE`: a guest opened or closed a virtio-serial port.
    VserportChange {
        /// `id`: the port device id (libvirt's channel alias).
        id: String,
        /// `open`.
        open: bool,
    },
    /// `DEVICE_UNPLUG_GUEST_ERROR`: the guest refused a hot-unplug.
    DeviceUnplugGuestError {
        /// `device`: the device id, if it has one.
        device: Option<String>,
        /// `path`: the QOM path.
        path: String,
    },
    /// `MIGRATION_PASS`: a migration iteration started.
    MigrationPass {
        /// `pass`: iteration number.
        pass: i64,
    },
    /// `BLOCK_WRITE_THRESHOLD`: a write crossed a node's threshold.
    BlockWriteThreshold {
        /// `node-name`.
        node_name: String,
        /// `amount-exceeded`, bytes.
        amount_exceeded: u64,
        /// `write-threshold`, bytes.
        write_threshold: u64,
    },
    /// `BLOCK_JOB_COMPLETED`, `BLOCK_JOB_CANCELLED`, `BLOCK_JOB_READY` or
    /// `BLOCK_JOB_ERROR`, folded into one shape.
    BlockJob {
        /// Which of the four: `completed`, `cancelled`, `ready`, `error`.
        phase: String,
        /// `device`: the job id (libvirt names jobs after the disk's node or alias).
        device: String,
        /// `type`: `stream`, `commit`, `mirror`, `backup`.
        job_type: String,
        /// `error` of a completed job that failed.
        error: Option<String>,
    },
    /// `MEMORY_FAILURE`: a hardware memory error.
    MemoryFailure {
        /// `recipient`: `hypervisor` or `guest`.
        recipient: String,
        /// `action`: `ignore`, `inject`, `fatal`, `reset`.
        action: String,
        /// `flags.action-required`.
        action_required: bool,
        /// `flags.recursive`.
        recursive: bool,
    },
    /// `MEMORY_DEVICE_SIZE_CHANGE`: a virtio-mem device changed size.
    MemoryDeviceSizeChange {
        /// `id`: the device id, if it has one.
        id: Option<String>,
        /// `size`: new size in bytes.
        size: u64,
    },
    /// `VNC_CONNECTED`, `VNC_INITIALIZED`, `VNC_DISCONNECTED` (and the SPICE ones).
    Graphics(Box<QmpGraphics>),
    /// Any other event, or a known event with unexpected data.
    Other {
        /// The event name.
        name: String,
        /// The `data` member (`Value::Null` if absent).
        data: Value,
    },
}

/// A graphics client event's data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QmpGraphics {
    /// `connected`, `initialized` or `disconnected`.
    pub phase: String,
    /// `server`: the listening end.
    pub server: QmpAddress,
    /// `client`: the client end.
    pub client: QmpAddress,
    /// `server.auth`, when QEMU says.
    pub auth: Option<String>,
    /// `client.x509_dname`, when QEMU says.
    pub x509_dname: Option<String>,
    /// `client.sasl_username`, when QEMU says.
    pub sasl_username: Option<String>,
}

/// One end of a graphics connection as QEMU reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QmpAddress {
    /// `host`.
    pub host: String,
    /// `service` (port).
    pub service: String,
    /// `family`: `ipv4`, `ipv6`, `unix`.
    pub family: String,
}

impl QmpAddress {
    fn parse(v: Option<&Value>) -> QmpAddress {
        let field = |k: &str| {
            v.and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        QmpAddress {
            host: field("host"),
            service: field("service"),
            family: field("family"),
        }
    }
}

impl QmpEvent {
    /// Decodes an event from its name and `data` member.
    pub fn parse(name: &str, data: &Value) -> QmpEvent {
        Self::parse_known(name, data).unwrap_or_else(|| QmpEvent::Other {
            name: name.to_owned(),
            data: data.clone(),
        })
    }

    /// The QMP name of this event (`SHUTDOWN`, …; the original name for `Other`).
    pub fn name(&self) -> &str {
        match self {
            QmpEvent::Shutdown { .. } => "SHUTDOWN",
            QmpEvent::Stop => "STOP",
            QmpEvent::Resume => "RESUME",
            QmpEvent::Reset { .. } => "RESET",
            QmpEvent::Powerdown => "POWERDOWN",
            QmpEvent::GuestPanicked { .. } => "GUEST_PANICKED",
            QmpEvent::Suspend => "SUSPEND",
            QmpEvent::SuspendDisk => "SUSPEND_DISK",
            QmpEvent::Wakeup => "WAKEUP",
            QmpEvent::Watchdog { .. } => "WATCHDOG",
            QmpEvent::BlockIoError { .. } => "BLOCK_IO_ERROR",
            QmpEvent::RtcChange { .. } => "RTC_CHANGE",
            QmpEvent::DeviceDeleted { .. } => "DEVICE_DELETED",
            QmpEvent::BalloonChange { .. } => "BALLOON_CHANGE",
            QmpEvent::TrayMoved { .. } => "DEVICE_TRAY_MOVED",
            QmpEvent::VserportChange { .. } => "VSERPORT_CHANGE",
            QmpEvent::DeviceUnplugGuestError { .. } => "DEVICE_UNPLUG_GUEST_ERROR",
            QmpEvent::MigrationPass { .. } => "MIGRATION_PASS",
            QmpEvent::BlockWriteThreshold { .. } => "BLOCK_WRITE_THRESHOLD",
            QmpEvent::BlockJob { phase, .. } => match phase.as_str() {
                "completed" => "BLOCK_JOB_COMPLETED",
                "cancelled" => "BLOCK_JOB_CANCELLED",
                "ready" => "BLOCK_JOB_READY",
                _ => "BLOCK_JOB_ERROR",
            },
            QmpEvent::MemoryFailure { .. } => "MEMORY_FAILURE",
            QmpEvent::MemoryDeviceSizeChange { .. } => "MEMORY_DEVICE_SIZE_CHANGE",
            QmpEvent::Graphics(g) => match g.phase.as_str() {
                "connected" => "VNC_CONNECTED",
                "initialized" => "VNC_INITIALIZED",
                _ => "VNC_DISCONNECTED",
            },
            QmpEvent::Other { name, .. } => name,
        }
    }

    fn parse_known(name: &str, data: &Value) -> Option<QmpEvent> {
        let str_field = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_owned);
        let bool_field = |k: &str| data.get(k).and_then(Value::as_bool);
        Some(match name {
            "SHUTDOWN" => QmpEvent::Shutdown {
                guest: bool_field("guest"),
                reason: str_field("reason"),
            },
            "STOP" => QmpEvent::Stop,
            "RESUME" => QmpEvent::Resume,
            "RESET" => QmpEvent::Reset {
                guest: bool_field("guest"),
            },
            "POWERDOWN" => QmpEvent::Powerdown,
            "GUEST_PANICKED" => QmpEvent::GuestPanicked {
                action: str_field("action"),
            },
            "SUSPEND" => QmpEvent::Suspend,
            "SUSPEND_DISK" => QmpEvent::SuspendDisk,
            "WAKEUP" => QmpEvent::Wakeup,
            "WATCHDOG" => QmpEvent::Watchdog {
                action: str_field("action")?,
            },
            "BLOCK_IO_ERROR" => QmpEvent::BlockIoError {
                device: str_field("device").unwrap_or_default(),
                node_name: str_field("node-name"),
                operation: str_field("operation")?,
                action: str_field("action")?,
                nospace: bool_field("nospace").unwrap_or(false),
                reason: str_field("reason"),
            },
            "RTC_CHANGE" => QmpEvent::RtcChange {
                offset: data.get("offset")?.as_i64()?,
            },
            "DEVICE_DELETED" => QmpEvent::DeviceDeleted {
                device: str_field("device"),
                path: str_field("path")?,
            },
            "BALLOON_CHANGE" => QmpEvent::BalloonChange {
                actual: data.get("actual")?.as_u64()?,
            },
            "DEVICE_TRAY_MOVED" => QmpEvent::TrayMoved {
                id: str_field("id").filter(|s| !s.is_empty()),
                device: str_field("device").unwrap_or_default(),
                open: bool_field("tray-open")?,
            },
            "VSERPORT_CHANGE" => QmpEvent::VserportChange {
                id: str_field("id")?,
                open: bool_field("open")?,
            },
            "DEVICE_UNPLUG_GUEST_ERROR" => QmpEvent::DeviceUnplugGuestError {
                device: str_field("device"),
                path: str_field("path")?,
            },
            "MIGRATION_PASS" => QmpEvent::MigrationPass {
                pass: data.get("pass")?.as_i64()?,
            },
            "BLOCK_WRITE_THRESHOLD" => QmpEvent::BlockWriteThreshold {
                node_name: str_field("node-name")?,
                amount_exceeded: data.get("amount-exceeded")?.as_u64()?,
                write_threshold: data.get("write-threshold")?.as_u64()?,
            },
            "BLOCK_JOB_COMPLETED"
            | "BLOCK_JOB_CANCELLED"
            | "BLOCK_JOB_READY"
            | "BLOCK_JOB_ERROR" => QmpEvent::BlockJob {
                phase: name["BLOCK_JOB_".len()..].to_ascii_lowercase(),
                device: str_field("device")?,
                job_type: str_field("type").unwrap_or_default(),
                error: str_field("error"),
            },
            "MEMORY_FAILURE" => {
                let flag = |k: &str| {
                    data.get("flags")
                        .and_then(|f| f.get(k))
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                };
                QmpEvent::MemoryFailure {
                    recipient: str_field("recipient")?,
                    action: str_field("action")?,
                    action_required: flag("action-required"),
                    recursive: flag("recursive"),
                }
            }
            "MEMORY_DEVICE_SIZE_CHANGE" => QmpEvent::MemoryDeviceSizeChange {
                id: str_field("id"),
                size: data.get("size")?.as_u64()?,
            },
            "VNC_CONNECTED" | "VNC_INITIALIZED" | "VNC_DISCONNECTED" | "SPICE_CONNECTED"
            | "SPICE_INITIALIZED" | "SPICE_DISCONNECTED" => {
                let (_, phase) = name.split_once('_')?;
                let client = data.get("client");
                let client_str = |k: &str| {
                    client
                        .and_then(|c| c.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                QmpEvent::Graphics(Box::new(QmpGraphics {
                    phase: phase.to_ascii_lowercase(),
                    server: QmpAddress::parse(data.get("server")),
                    client: QmpAddress::parse(client),
                    auth: data
                        .get("server")
                        .and_then(|s| s.get("auth"))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    x509_dname: client_str("x509_dname"),
                    sasl_username: client_str("sasl_username"),
                }))
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_events_decode() {
        let cases = [
            (
                "SHUTDOWN",
                json!({"guest": true, "reason": "guest-shutdown"}),
                QmpEvent::Shutdown {
                    guest: Some(true),
                    reason: Some("guest-shutdown".into()),
                },
            ),
            (
                "SHUTDOWN",
                Value::Null,
                QmpEvent::Shutdown {
                    guest: None,
                    reason: None,
                },
            ),
            ("STOP", Value::Null, QmpEvent::Stop),
            ("RESUME", Value::Null, QmpEvent::Resume),
            (
                "RESET",
                json!({"guest": false, "reason": "host-qmp-system-reset"}),
                QmpEvent::Reset { guest: Some(false) },
            ),
            ("POWERDOWN", Value::Null, QmpEvent::Powerdown),
            (
                "GUEST_PANICKED",
                json!({"action": "pause"}),
                QmpEvent::GuestPanicked {
                    action: Some("pause".into()),
                },
            ),
            ("SUSPEND", Value::Null, QmpEvent::Suspend),
            ("SUSPEND_DISK", Value::Null, QmpEvent::SuspendDisk),
            ("WAKEUP", Value::Null, QmpEvent::Wakeup),
            (
                "WATCHDOG",
                json!({"action": "reset"}),
                QmpEvent::Watchdog {
                    action: "reset".into(),
                },
            ),
            (
                "BLOCK_IO_ERROR",
                json!({"device": "", "node-name": "n1", "operation": "write",
                       "action": "stop", "nospace": true, "reason": "No space"}),
                QmpEvent::BlockIoError {
                    device: String::new(),
                    node_name: Some("n1".into()),
                    operation: "write".into(),
                    action: "stop".into(),
                    nospace: true,
                    reason: Some("No space".into()),
                },
            ),
            (
                "RTC_CHANGE",
                json!({"offset": -3600}),
                QmpEvent::RtcChange { offset: -3600 },
            ),
            (
                "DEVICE_DELETED",
                json!({"device": "virtio-disk1", "path": "/machine/peripheral/virtio-disk1"}),
                QmpEvent::DeviceDeleted {
                    device: Some("virtio-disk1".into()),
                    path: "/machine/peripheral/virtio-disk1".into(),
                },
            ),
            (
                "BALLOON_CHANGE",
                json!({"actual": 1073741824u64}),
                QmpEvent::BalloonChange { actual: 1073741824 },
            ),
        ];
        for (name, data, want) in cases {
            let got = QmpEvent::parse(name, &data);
            assert_eq!(got, want, "{name}");
            assert_eq!(got.name(), name);
        }
    }

    #[test]
    fn unknown_and_malformed_events_become_other() {
        let data = json!({"x": 1});
        let ev = QmpEvent::parse("SOME_FUTURE_EVENT", &data);
        assert_eq!(
            ev,
            QmpEvent::Other {
                name: "SOME_FUTURE_EVENT".into(),
                data: data.clone()
            }
        );
        assert_eq!(ev.name(), "SOME_FUTURE_EVENT");
        // A known name with data of the wrong shape is not an error either.
        let bad = json!({"offset": "soon"});
        assert!(matches!(
            QmpEvent::parse("RTC_CHANGE", &bad),
            QmpEvent::Other { name, .. } if name == "RTC_CHANGE"
        ));
    }
}

//! Device, job and graphics events: QMP names a device by its id, its block node or its
//! job id; libvirt's events name it by alias, disk target or host path. [`Devices`]
//! holds the names the command line gave the domain's devices and translates.

use rvirt_core::DomainEvent;
use rvirt_core::api::{
    AgentLifecycleReason, AgentLifecycleState, BlockJobStatus, BlockJobType, GraphicsAddress,
    GraphicsFamily, GraphicsIdentity, GraphicsPhase, MemoryFailureAction, MemoryFailureRecipient,
    TrayChangeReason,
};
use rvirt_core::conf::{CharDevice, Device, DomainDef};

use crate::command_line::{DiskNames, disk_names};
use crate::qmp::{QmpAddress, QmpEvent};

/// The names of a running domain's devices as QEMU knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Devices {
    /// Every disk, in command-line order.
    pub disks: Vec<DiskNames>,
    /// The id of the guest agent's virtio-serial port, if the domain has one.
    pub agent_port: Option<String>,
}

/// The name of the guest agent's virtio-serial port.
pub const AGENT_CHANNEL: &str = "org.qemu.guest_agent.0";

/// The domain's `<channel>`s with their index among them (the command line's
/// `channelN`).
pub fn channels_of(def: &DomainDef) -> impl Iterator<Item = (usize, &CharDevice)> {
    def.devices()
        .iter()
        .filter_map(|d| match d {
            Device::Channel(c) => Some(c),
            _ => None,
        })
        .enumerate()
}

/// The guest agent's `<channel>` (a virtio target named [`AGENT_CHANNEL`]) and its
/// index among the domain's channels (the command line's `channelN`).
pub fn agent_channel(def: &DomainDef) -> Option<(usize, &CharDevice)> {
    channels_of(def).find(|(_, c)| {
        c.target.as_ref().is_some_and(|t| {
            t.target_type.as_deref() == Some("virtio") && t.name.as_deref() == Some(AGENT_CHANNEL)
        })
    })
}

/// `virDomainMemoryFailureFlags`: the guest must act on the error.
const MEMORY_FAILURE_ACTION_REQUIRED: u32 = 1;
/// `virDomainMemoryFailureFlags`: the error hit while handling a previous one.
const MEMORY_FAILURE_RECURSIVE: u32 = 2;

impl Devices {
    /// The names `def`'s command line gives its devices.
    pub fn of(def: &DomainDef) -> Devices {
        Devices {
            disks: disk_names(def),
            agent_port: agent_channel(def).map(|(n, _)| format!("channel{n}")),
        }
    }

    /// The disk QEMU means by backend/job name `device` or node `node`: its alias, its
    /// format node, or libvirt's legacy `drive-ALIAS`.
    pub fn disk(&self, device: &str, node: Option<&str>) -> Option<&DiskNames> {
        self.disks.iter().find(|d| {
            (!device.is_empty()
                && (d.alias == device
                    || d.node.as_deref() == Some(device)
                    || device.strip_prefix("drive-") == Some(d.alias.as_str())))
                || (node.is_some() && d.node.as_deref() == node)
        })
    }

    /// The libvirt events a device, job or graphics QMP event raises (none for events
    /// about devices libvirt does not know).
    pub fn events_of(&self, event: &QmpEvent) -> Vec<DomainEvent> {
        match event {
            QmpEvent::TrayMoved { id, device, open } => {
                let alias = id
                    .clone()
                    .or_else(|| self.disk(device, None).map(|d| d.alias.clone()));
                let reason = if *open {
                    TrayChangeReason::Open
                } else {
                    TrayChangeReason::Close
                };
                alias
                    .map(|dev_alias| DomainEvent::TrayChange { dev_alias, reason })
                    .into_iter()
                    .collect()
            }
            QmpEvent::VserportChange { id, open } if self.agent_port.as_ref() == Some(id) => {
                let state = if *open {
                    AgentLifecycleState::Connected
                } else {
                    AgentLifecycleState::Disconnected
                };
                vec![DomainEvent::AgentLifecycle {
                    state,
                    reason: AgentLifecycleReason::Channel,
                }]
            }
            QmpEvent::DeviceUnplugGuestError {
                device: Some(alias),
                ..
            } => vec![DomainEvent::DeviceRemovalFailed {
                alias: alias.clone(),
            }],
            QmpEvent::MigrationPass { pass } => vec![DomainEvent::MigrationIteration {
                iteration: i32::try_from(*pass).unwrap_or(i32::MAX),
            }],
            QmpEvent::BlockWriteThreshold {
                node_name,
                amount_exceeded,
                write_threshold,
            } => {
                // The threshold is armed on the image's storage node, beside its format node.
                let disk = self.disk("", Some(node_name)).or_else(|| {
                    self.disks.iter().find(|d| {
                        d.node
                            .as_deref()
                            .and_then(crate::driver::disk_jobs::chain::storage_node_of)
                            .as_deref()
                            == Some(node_name.as_str())
                    })
                });
                vec![DomainEvent::BlockThreshold {
                    dev: disk.map_or_else(|| node_name.clone(), |d| d.target.clone()),
                    path: disk.and_then(|d| d.path.clone()),
                    threshold: *write_threshold,
                    excess: *amount_exceeded,
                }]
            }
            QmpEvent::BlockJob {
                phase,
                device,
                job_type,
                error,
            } => {
                let status = match (phase.as_str(), error) {
                    ("completed", None) => BlockJobStatus::Completed,
                    ("completed", Some(_)) => BlockJobStatus::Failed,
                    ("cancelled", _) => BlockJobStatus::Canceled,
                    ("ready", _) => BlockJobStatus::Ready,
                    // BLOCK_JOB_ERROR does not end the job.
                    _ => return Vec::new(),
                };
                let job = match job_type.as_str() {
                    "stream" => BlockJobType::Pull,
                    "commit" => BlockJobType::Commit,
                    "mirror" => BlockJobType::Copy,
                    "backup" => BlockJobType::Backup,
                    _ => BlockJobType::Unknown,
                };
                // rvirt's own jobs carry their kind and the disk's alias in their id.
                let (device, job) = match crate::driver::disk_jobs::parse_job_id(device) {
                    Some((kind, alias)) => (alias, kind.block_job_type()),
                    None => (device.as_str(), job),
                };
                match self.disk(device, None) {
                    Some(d) => {
                        DomainEvent::block_job_pair(d.path.as_deref(), &d.target, job, status)
                    }
                    None => Vec::new(),
                }
            }
            QmpEvent::MemoryFailure {
                recipient,
                action,
                action_required,
                recursive,
            } => {
                let recipient = match recipient.as_str() {
                    "guest" => MemoryFailureRecipient::Guest,
                    _ => MemoryFailureRecipient::Hypervisor,
                };
                let action = match action.as_str() {
                    "inject" => MemoryFailureAction::Inject,
                    "fatal" => MemoryFailureAction::Fatal,
                    "reset" => MemoryFailureAction::Reset,
                    _ => MemoryFailureAction::Ignore,
                };
                let mut flags = 0;
                if *action_required {
                    flags |= MEMORY_FAILURE_ACTION_REQUIRED;
                }
                if *recursive {
                    flags |= MEMORY_FAILURE_RECURSIVE;
                }
                vec![DomainEvent::MemoryFailure {
                    recipient,
                    action,
                    flags,
                }]
            }
            QmpEvent::MemoryDeviceSizeChange {
                id: Some(alias),
                size,
            } => vec![DomainEvent::MemoryDeviceSizeChange {
                alias: alias.clone(),
                size_kib: size / 1024,
            }],
            QmpEvent::Graphics(g) => {
                let phase = match g.phase.as_str() {
                    "connected" => GraphicsPhase::Connect,
                    "initialized" => GraphicsPhase::Initialize,
                    _ => GraphicsPhase::Disconnect,
                };
                let mut subject = Vec::new();
                if let Some(name) = &g.x509_dname {
                    subject.push(GraphicsIdentity {
                        kind: "x509dname".into(),
                        name: name.clone(),
                    });
                }
                if let Some(name) = &g.sasl_username {
                    subject.push(GraphicsIdentity {
                        kind: "saslUsername".into(),
                        name: name.clone(),
                    });
                }
                vec![DomainEvent::Graphics {
                    phase,
                    local: address(&g.server),
                    remote: address(&g.client),
                    auth_scheme: g.auth.clone().unwrap_or_else(|| "none".into()),
                    subject,
                }]
            }
            _ => Vec::new(),
        }
    }
}

fn address(a: &QmpAddress) -> GraphicsAddress {
    GraphicsAddress {
        family: match a.family.as_str() {
            "ipv6" => GraphicsFamily::Ipv6,
            "unix" => GraphicsFamily::Unix,
            _ => GraphicsFamily::Ipv4,
        },
        node: a.host.clone(),
        service: a.service.clone(),
    }
}

//! The LIBVIRT_QEMU program (0x20008087 v1): libvirt-qemu's QEMU-specific calls beside
//! REMOTE, on the same connection and framing (`virsh qemu-monitor-command`).

use serde::{Deserialize, Serialize};

use crate::types::RemoteNonnullDomain;

/// The program number (`QEMU_PROGRAM`).
pub const QEMU_PROGRAM: u32 = 0x2000_8087;
/// Its protocol version (`QEMU_PROTOCOL_VERSION`).
pub const QEMU_PROTOCOL_VERSION: u32 = 1;

/// `QEMU_PROC_DOMAIN_MONITOR_COMMAND`.
pub const DOMAIN_MONITOR_COMMAND: i32 = 1;

/// `QEMU_PROC_DOMAIN_AGENT_COMMAND`.
pub const DOMAIN_AGENT_COMMAND: i32 = 3;

/// `qemu_domain_agent_command_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAgentCommandArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The agent command as JSON.
    pub cmd: String,
    /// Seconds to wait, or -2 (block), -1 (default), 0 (no wait).
    pub timeout: i32,
    /// Unused, 0.
    pub flags: u32,
}

/// `qemu_domain_agent_command_ret`: the agent's reply as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAgentCommandRet {
    /// The whole reply object (`remote_string`: absent when there is none).
    pub result: Option<String>,
}

/// `qemu_domain_monitor_command_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMonitorCommandArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// A QMP command as JSON, or an HMP command line with
    /// `VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP` (1).
    pub cmd: String,
    /// `VIR_DOMAIN_QEMU_MONITOR_COMMAND_*`.
    pub flags: u32,
}

/// `qemu_domain_monitor_command_ret`: QEMU's reply as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainMonitorCommandRet {
    /// The whole QMP reply object, or HMP's output.
    pub result: String,
}

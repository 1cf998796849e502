//! The LIBVIRT_QEMU program (0x20008087 v1) beside REMOTE on the same connection:
//! QEMU_PROC_DOMAIN_MONITOR_COMMAND (`virsh qemu-monitor-command`) and
//! QEMU_PROC_DOMAIN_AGENT_COMMAND (`virsh qemu-agent-command`), for read-write clients
//! of a QEMU driver only.

use rvirt_rpc::qemu::{
    DOMAIN_AGENT_COMMAND, DOMAIN_MONITOR_COMMAND, DomainAgentCommandArgs, DomainAgentCommandRet,
    DomainMonitorCommandArgs, DomainMonitorCommandRet, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION,
};
use rvirt_rpc_server::{CallResult, Procedure, Program, procedure};

use super::{Access, Ctx, CtxExt, Session, access};

static PROCEDURES: &[Procedure<Session, Access>] = &[
    procedure!(
        DOMAIN_MONITOR_COMMAND,
        Access::Write("virDomainQemuMonitorCommand"),
        monitor_command
    ),
    procedure!(
        DOMAIN_AGENT_COMMAND,
        Access::Write("virDomainQemuAgentCommand"),
        agent_command
    ),
];

/// The LIBVIRT_QEMU program.
pub(crate) fn program() -> Program<Session, Access> {
    Program {
        name: "LIBVIRT_QEMU",
        number: QEMU_PROGRAM,
        version: QEMU_PROTOCOL_VERSION,
        procedures: PROCEDURES,
        check: access::check,
        exclusive: &[],
    }
}

/// QEMU_PROC_DOMAIN_MONITOR_COMMAND.
fn monitor_command(
    ctx: &Ctx<'_>,
    args: DomainMonitorCommandArgs,
) -> CallResult<DomainMonitorCommandRet> {
    let dom = ctx.domain(&args.dom)?;
    Ok(DomainMonitorCommandRet {
        result: dom.qemu_monitor_command(&args.cmd, args.flags)?,
    })
}

/// QEMU_PROC_DOMAIN_AGENT_COMMAND.
fn agent_command(ctx: &Ctx<'_>, args: DomainAgentCommandArgs) -> CallResult<DomainAgentCommandRet> {
    let dom = ctx.domain(&args.dom)?;
    Ok(DomainAgentCommandRet {
        result: Some(dom.qemu_agent_command(&args.cmd, args.timeout, args.flags)?),
    })
}

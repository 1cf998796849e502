//! Dispatch of the host object commands: networks, storage pools and volumes, secrets.

use rvirt_core::Connect;

use crate::cli::Command;
use crate::commands::Outcome;
use crate::{networks, pools, secrets, volume_cmds};

/// Runs a network, pool, volume or secret command.
pub fn dispatch(conn: &Connect, command: &Command) -> Outcome {
    match command {
        Command::NetList { all } => networks::list(conn, *all),
        Command::NetInfo { network } => networks::info(conn, network),
        Command::NetDumpxml { network, inactive } => networks::dumpxml(conn, network, *inactive),
        Command::NetDefine { file } => networks::define(conn, file),
        Command::NetStart { network } => networks::simple(conn, network, "start"),
        Command::NetDestroy { network } => networks::simple(conn, network, "destroy"),
        Command::NetUndefine { network } => networks::simple(conn, network, "undefine"),
        Command::NetAutostart { network, disable } => networks::autostart(conn, network, *disable),
        Command::NetDhcpLeases { network, mac } => {
            networks::dhcp_leases(conn, network, mac.as_deref())
        }
        Command::PoolList { all } => pools::list(conn, *all),
        Command::PoolInfo { pool } => pools::info(conn, pool),
        Command::PoolDumpxml { pool, inactive } => pools::dumpxml(conn, pool, *inactive),
        Command::PoolDefine { file } => pools::define(conn, file),
        Command::PoolStart { pool } => pools::simple(conn, pool, "start"),
        Command::PoolDestroy { pool } => pools::simple(conn, pool, "destroy"),
        Command::PoolUndefine { pool } => pools::simple(conn, pool, "undefine"),
        Command::PoolRefresh { pool } => pools::simple(conn, pool, "refresh"),
        Command::VolList { pool } => volume_cmds::list(conn, pool),
        Command::VolInfo { vol, pool } => volume_cmds::info(conn, vol, pool.as_deref()),
        Command::VolDumpxml { vol, pool } => volume_cmds::dumpxml(conn, vol, pool.as_deref()),
        Command::VolCreateAs {
            pool,
            name,
            capacity,
            allocation,
            format,
        } => volume_cmds::create_as(
            conn,
            pool,
            name,
            capacity,
            allocation.as_deref(),
            format.as_deref(),
        ),
        Command::VolDelete { vol, pool } => volume_cmds::delete(conn, vol, pool.as_deref()),
        Command::SecretList => secrets::list(conn),
        Command::SecretDefine { file } => secrets::define(conn, file),
        Command::SecretDumpxml { secret } => secrets::dumpxml(conn, secret),
        Command::SecretSetValue {
            secret,
            base64,
            file,
            plain,
        } => secrets::set_value(conn, secret, base64.as_deref(), file.as_deref(), *plain),
        Command::SecretGetValue { secret, plain } => secrets::get_value(conn, secret, *plain),
        Command::SecretUndefine { secret } => secrets::undefine(conn, secret),
        other => unreachable!("not a host object command: {other:?}"),
    }
}

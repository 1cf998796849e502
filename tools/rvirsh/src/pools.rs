//! The storage pool commands (`pool-*`), printing what virsh prints.

use std::path::Path;

use rvirt_core::Connect;
use rvirt_core::api::StoragePool;

use crate::commands::{Failure, Outcome, fail, read_xml_file};
use crate::networks::uuid_arg;
use crate::output::{capacity, field, print_xml, table, yes_no};

/// `VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE`.
const ACTIVE: u32 = 2;

/// A pool by UUID (when the argument is one), else by name, as virsh resolves `--pool`.
pub fn lookup(conn: &Connect, arg: &str) -> Result<StoragePool, Failure> {
    if let Some(p) = uuid_arg(arg).and_then(|u| conn.lookup_storage_pool_by_uuid(&u).ok()) {
        return Ok(p);
    }
    conn.lookup_storage_pool_by_name(arg)
        .map_err(|e| fail(format!("failed to get pool '{arg}'"), &e))
}

/// `virStoragePoolState` as `pool-info` names it.
fn state_name(state: i32) -> &'static str {
    match state {
        0 => "inactive",
        1 => "building",
        2 => "running",
        3 => "degraded",
        4 => "inaccessible",
        _ => "unknown",
    }
}

/// `pool-list [--all]`: name, state, autostart, sorted by name.
pub fn list(conn: &Connect, all: bool) -> Outcome {
    let flags = if all { 0 } else { ACTIVE };
    let mut pools = conn
        .list_all_storage_pools(flags)
        .map_err(|e| fail("Failed to list pools".into(), &e))?;
    pools.sort_by(|a, b| a.name().cmp(b.name()));
    let rows: Vec<Vec<String>> = pools
        .iter()
        .map(|p| {
            // pool-list says "active" where pool-info says "running".
            let state = match p.info().map(|i| i.state) {
                Ok(2) => "active",
                Ok(s) => state_name(s),
                Err(_) => "unknown",
            };
            let autostart = p.autostart().map_or("no autostart", yes_no);
            vec![p.name().to_string(), state.into(), autostart.into()]
        })
        .collect();
    print!("{}", table(&["Name", "State", "Autostart"], &rows));
    Ok(())
}

/// `pool-info POOL`: sizes only while it runs (or is degraded), as virsh.
pub fn info(conn: &Connect, arg: &str) -> Outcome {
    let p = lookup(conn, arg)?;
    let i = p.info().map_err(|e| {
        fail(
            format!("Could not get information for pool {}", p.name()),
            &e,
        )
    })?;
    let mut out = String::new();
    out += &field("Name", p.name());
    out += &field("UUID", p.uuid());
    out += &field("State", state_name(i.state));
    if let Ok(persistent) = p.is_persistent() {
        out += &field("Persistent", yes_no(persistent));
    }
    out += &field("Autostart", p.autostart().map_or("no autostart", yes_no));
    if i.state == 2 || i.state == 3 {
        out += &field("Capacity", capacity(i.capacity));
        out += &field("Allocation", capacity(i.allocation));
        out += &field("Available", capacity(i.available));
    }
    println!("{out}");
    Ok(())
}

/// `pool-dumpxml POOL [--inactive]`.
pub fn dumpxml(conn: &Connect, arg: &str, inactive: bool) -> Outcome {
    let p = lookup(conn, arg)?;
    let xml = p
        .xml_desc(u32::from(inactive))
        .map_err(|e| vec![e.to_string()])?;
    print_xml(&xml);
    Ok(())
}

/// `pool-define FILE`.
pub fn define(conn: &Connect, file: &Path) -> Outcome {
    let xml = read_xml_file(file)?;
    let p = conn
        .storage_pool_define_xml(&xml, 0)
        .map_err(|e| fail(format!("Failed to define pool from {}", file.display()), &e))?;
    println!("Pool {} defined from {}\n", p.name(), file.display());
    Ok(())
}

/// The one-call commands `pool-start`, `pool-destroy`, `pool-undefine`, `pool-refresh`.
pub fn simple(conn: &Connect, arg: &str, what: &str) -> Outcome {
    let p = lookup(conn, arg)?;
    let (r, done) = match what {
        "start" => (p.create(0), "started"),
        "destroy" => (p.destroy(), "destroyed"),
        "undefine" => (p.undefine(), "has been undefined"),
        "refresh" => (p.refresh(0), "refreshed"),
        other => unreachable!("no command pool-{other}"),
    };
    r.map_err(|e| fail(format!("Failed to {what} pool {}", p.name()), &e))?;
    println!("Pool {} {done}\n", p.name());
    Ok(())
}

//! The network commands (`net-*`), printing what virsh prints.

use std::path::Path;

use rvirt_core::Connect;
use rvirt_core::api::Network;

use crate::commands::{Failure, Outcome, fail, read_xml_file};
use crate::output::{field, print_xml, table, yes_no};

/// `VIR_CONNECT_LIST_NETWORKS_ACTIVE`.
const ACTIVE: u32 = 2;

/// A network by name, else by UUID, as virsh resolves `--network`.
fn lookup(conn: &Connect, arg: &str) -> Result<Network, Failure> {
    let by_uuid = || uuid_arg(arg).and_then(|u| conn.lookup_network_by_uuid(&u).ok());
    match conn.lookup_network_by_name(arg) {
        Ok(n) => Ok(n),
        Err(e) => by_uuid().ok_or_else(|| fail(format!("failed to get network '{arg}'"), &e)),
    }
}

/// A UUID-shaped argument.
pub fn uuid_arg(arg: &str) -> Option<rvirt_core::Uuid> {
    rvirt_core::Uuid::parse_str(arg).ok()
}

/// `net-list [--all]`: name, state, autostart, persistence, sorted by name.
pub fn list(conn: &Connect, all: bool) -> Outcome {
    let flags = if all { 0 } else { ACTIVE };
    let mut nets = conn
        .list_all_networks(flags)
        .map_err(|e| fail("Failed to list networks".into(), &e))?;
    nets.sort_by(|a, b| a.name().cmp(b.name()));
    let rows: Vec<Vec<String>> = nets
        .iter()
        .map(|n| {
            let state = match n.is_active() {
                Ok(true) => "active",
                _ => "inactive",
            };
            let autostart = match n.autostart() {
                Ok(a) => yes_no(a),
                Err(_) => "-",
            };
            let persistent = n.is_persistent().map_or("-", yes_no);
            vec![
                n.name().to_string(),
                state.into(),
                autostart.into(),
                persistent.into(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["Name", "State", "Autostart", "Persistent"], &rows)
    );
    Ok(())
}

/// `net-info NETWORK`.
pub fn info(conn: &Connect, arg: &str) -> Outcome {
    let n = lookup(conn, arg)?;
    let mut out = String::new();
    out += &field("Name", n.name());
    out += &field("UUID", n.uuid());
    if let Ok(a) = n.is_active() {
        out += &field("Active", yes_no(a));
    }
    if let Ok(p) = n.is_persistent() {
        out += &field("Persistent", yes_no(p));
    }
    out += &field("Autostart", n.autostart().map_or("no autostart", yes_no));
    if let Ok(b) = n.bridge_name() {
        out += &field("Bridge", b);
    }
    println!("{out}");
    Ok(())
}

/// `net-dumpxml NETWORK [--inactive]`.
pub fn dumpxml(conn: &Connect, arg: &str, inactive: bool) -> Outcome {
    let n = lookup(conn, arg)?;
    let xml = n
        .xml_desc(u32::from(inactive))
        .map_err(|e| vec![e.to_string()])?;
    print_xml(&xml);
    Ok(())
}

/// `net-define FILE`.
pub fn define(conn: &Connect, file: &Path) -> Outcome {
    let xml = read_xml_file(file)?;
    let n = conn.network_define_xml(&xml, 0).map_err(|e| {
        fail(
            format!("Failed to define network from {}", file.display()),
            &e,
        )
    })?;
    println!("Network {} defined from {}\n", n.name(), file.display());
    Ok(())
}

/// The one-call commands `net-start`, `net-destroy` and `net-undefine`.
pub fn simple(conn: &Connect, arg: &str, what: &str) -> Outcome {
    let n = lookup(conn, arg)?;
    let (r, verb, done) = match what {
        "start" => (n.create(), "start", "started"),
        "destroy" => (n.destroy(), "destroy", "destroyed"),
        "undefine" => (n.undefine(), "undefine", "has been undefined"),
        other => unreachable!("no command net-{other}"),
    };
    r.map_err(|e| fail(format!("Failed to {verb} network {}", n.name()), &e))?;
    println!("Network {} {done}\n", n.name());
    Ok(())
}

/// `net-autostart NETWORK [--disable]`.
pub fn autostart(conn: &Connect, arg: &str, disable: bool) -> Outcome {
    let n = lookup(conn, arg)?;
    n.set_autostart(!disable).map_err(|e| {
        let what = if disable { "unmark" } else { "mark" };
        fail(
            format!("failed to {what} network {} as autostarted", n.name()),
            &e,
        )
    })?;
    let done = if disable { "unmarked" } else { "marked" };
    println!("Network {} {done} as autostarted\n", n.name());
    Ok(())
}

/// `net-dhcp-leases NETWORK [--mac MAC]`: virsh's table of leases, sorted by MAC.
pub fn dhcp_leases(conn: &Connect, arg: &str, mac: Option<&str>) -> Outcome {
    let n = lookup(conn, arg)?;
    let mut leases = n
        .dhcp_leases(mac, 0)
        .map_err(|e| fail(format!("Failed to get leases info for {}", n.name()), &e))?;
    leases.sort_by(|a, b| a.mac.cmp(&b.mac));
    let rows: Vec<Vec<String>> = leases
        .iter()
        .map(|l| {
            let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
            let proto = if l.ip_type == 0 { "ipv4" } else { "ipv6" };
            vec![
                expiry(l.expiry_time),
                dash(&l.mac),
                proto.into(),
                format!("{}/{}", l.ip, l.prefix),
                dash(&l.hostname),
                dash(&l.client_id),
            ]
        })
        .collect();
    let header = [
        "Expiry Time",
        "MAC address",
        "Protocol",
        "IP address",
        "Hostname",
        "Client ID or DUID",
    ];
    print!("{}", table(&header, &rows));
    Ok(())
}

/// An expiry time as virsh prints it: local time, `%Y-%m-%d %H:%M:%S`.
fn expiry(secs: i64) -> String {
    let t = libc::time_t::try_from(secs).unwrap_or(0);
    // SAFETY: `tm` is plain data filled in by localtime_r; strftime writes at most the
    // buffer's length and the format is NUL-terminated.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return secs.to_string();
        }
        let mut buf = [0u8; 64];
        let n = libc::strftime(
            buf.as_mut_ptr().cast(),
            buf.len(),
            c"%Y-%m-%d %H:%M:%S".as_ptr(),
            &tm,
        );
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

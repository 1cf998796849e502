//! `virDomainGetGuestInfo`: the guest agent's answers about users, the OS, the time
//! zone, the host name, the file systems, the disks and the network interfaces, as
//! the typed parameters libvirt names (`user.count`, `os.id`, `timezone.offset`,
//! `hostname`, `fs.0.mountpoint`, `disk.0.name`, `if.0.addr.0.addr`, …).
//! Asked for everything (types 0), a group whose command the agent refuses is left
//! out, as libvirt does; asked for a group explicitly, the refusal is the error.

use rvirt_core::api::{TypedParam, TypedValue};
use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use super::guest_agent::{disk_target, interface};
use super::instance::Shared;

/// Turns one agent reply into typed parameters.
type AddParams = fn(&Shared, &DomainRef, Value, &mut Vec<TypedParam>) -> Result<()>;

/// `virDomainGuestInfoTypes`.
const USERS: u32 = 1;
const OS: u32 = 2;
const TIMEZONE: u32 = 4;
const HOSTNAME: u32 = 8;
const FILESYSTEM: u32 = 16;
const DISKS: u32 = 32;
const INTERFACES: u32 = 64;
/// The groups answered here.
const ANSWERED: u32 = USERS | OS | TIMEZONE | HOSTNAME | FILESYSTEM | DISKS | INTERFACES;

/// The `os.*` members of `guest-get-osinfo`, in libvirt's order.
const OS_KEYS: [&str; 10] = [
    "id",
    "name",
    "pretty-name",
    "version",
    "version-id",
    "kernel-release",
    "kernel-version",
    "machine",
    "variant",
    "variant-id",
];

/// Most users and file systems passed on (the reply's parameters stay below the wire
/// protocol's 2048).
const MAX_ENTRIES: usize = 128;

fn string(out: &mut Vec<TypedParam>, field: String, v: Option<&Value>) {
    if let Some(s) = v.and_then(Value::as_str) {
        out.push(TypedParam::new(field, TypedValue::String(s.to_owned())));
    }
}

fn uint(out: &mut Vec<TypedParam>, field: String, n: usize) {
    out.push(TypedParam::new(
        field,
        TypedValue::UInt(u32::try_from(n).unwrap_or(u32::MAX)),
    ));
}

fn ullong(out: &mut Vec<TypedParam>, field: String, v: Option<&Value>) {
    if let Some(n) = v.and_then(Value::as_u64) {
        out.push(TypedParam::new(field, TypedValue::ULLong(n)));
    }
}

/// `virDomainGetGuestInfo` for the QEMU driver.
pub(super) fn guest_info(shared: &Shared, dom: &DomainRef, types: u32) -> Result<Vec<TypedParam>> {
    if types & !ANSWERED != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!(
                "unsupported guest information types '0x{:x}'",
                types & !ANSWERED
            ),
        ));
    }
    let explicit = types != 0;
    let want = if explicit { types } else { ANSWERED };
    let mut out = Vec::new();
    let groups: [(u32, &str, AddParams); 7] = [
        (USERS, "guest-get-users", users),
        (OS, "guest-get-osinfo", os),
        (TIMEZONE, "guest-get-timezone", timezone),
        (HOSTNAME, "guest-get-host-name", hostname),
        (FILESYSTEM, "guest-get-fsinfo", filesystems),
        (DISKS, "guest-get-disks", disks),
        (INTERFACES, "guest-network-get-interfaces", interfaces),
    ];
    for (bit, command, add) in groups {
        if want & bit == 0 {
            continue;
        }
        match shared.agent_run(dom, command, None) {
            Ok(v) => add(shared, dom, v, &mut out)?,
            // The agent refused the command (too old, or not on this OS).
            Err(e) if !explicit && e.code() == ErrorCode::InternalError => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn users(_: &Shared, _: &DomainRef, v: Value, out: &mut Vec<TypedParam>) -> Result<()> {
    let list = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let list = &list[..list.len().min(MAX_ENTRIES)];
    uint(out, "user.count".into(), list.len());
    for (i, u) in list.iter().enumerate() {
        string(out, format!("user.{i}.name"), u.get("user"));
        string(out, format!("user.{i}.domain"), u.get("domain"));
        if let Some(secs) = u.get("login-time").and_then(Value::as_f64) {
            out.push(TypedParam::new(
                format!("user.{i}.login-time"),
                TypedValue::ULLong((secs * 1000.0) as u64),
            ));
        }
    }
    Ok(())
}

fn os(_: &Shared, _: &DomainRef, v: Value, out: &mut Vec<TypedParam>) -> Result<()> {
    for key in OS_KEYS {
        string(out, format!("os.{key}"), v.get(key));
    }
    Ok(())
}

fn timezone(_: &Shared, _: &DomainRef, v: Value, out: &mut Vec<TypedParam>) -> Result<()> {
    string(out, "timezone.name".into(), v.get("zone"));
    if let Some(off) = v
        .get("offset")
        .and_then(Value::as_i64)
        .and_then(|o| i32::try_from(o).ok())
    {
        out.push(TypedParam::new("timezone.offset", TypedValue::Int(off)));
    }
    Ok(())
}

fn hostname(_: &Shared, _: &DomainRef, v: Value, out: &mut Vec<TypedParam>) -> Result<()> {
    string(out, "hostname".into(), v.get("host-name"));
    Ok(())
}

fn filesystems(
    shared: &Shared,
    dom: &DomainRef,
    v: Value,
    out: &mut Vec<TypedParam>,
) -> Result<()> {
    let def = shared.domains.read(dom, |vm| Ok(vm.def.clone()))?;
    let list = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let list = &list[..list.len().min(MAX_ENTRIES)];
    uint(out, "fs.count".into(), list.len());
    // The agent lists the most recent mount first; libvirt reports mount order.
    for (i, fs) in list.iter().rev().enumerate() {
        string(out, format!("fs.{i}.mountpoint"), fs.get("mountpoint"));
        string(out, format!("fs.{i}.name"), fs.get("name"));
        string(out, format!("fs.{i}.fstype"), fs.get("type"));
        ullong(out, format!("fs.{i}.total-bytes"), fs.get("total-bytes"));
        ullong(out, format!("fs.{i}.used-bytes"), fs.get("used-bytes"));
        let disks = fs
            .get("disk")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let disks = &disks[..disks.len().min(8)];
        uint(out, format!("fs.{i}.disk.count"), disks.len());
        for (j, d) in disks.iter().enumerate() {
            if let Some(alias) = disk_target(d, &def) {
                out.push(TypedParam::new(
                    format!("fs.{i}.disk.{j}.alias"),
                    TypedValue::String(alias),
                ));
            }
            string(out, format!("fs.{i}.disk.{j}.serial"), d.get("serial"));
            string(out, format!("fs.{i}.disk.{j}.device"), d.get("dev"));
        }
    }
    Ok(())
}

/// `disk.*` of `guest-get-disks`: each disk or partition with what it is built on,
/// its serial number and the domain's disk (by PCI address) where the agent tells.
fn disks(shared: &Shared, dom: &DomainRef, v: Value, out: &mut Vec<TypedParam>) -> Result<()> {
    let def = shared.domains.read(dom, |vm| Ok(vm.def.clone()))?;
    let list = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let list = &list[..list.len().min(MAX_ENTRIES)];
    let missing = |what: &str| {
        Error::internal(
            ErrorDomain::Qemu,
            format!("'{what}' missing in reply of guest-get-disks"),
        )
    };
    uint(out, "disk.count".into(), list.len());
    for (i, d) in list.iter().enumerate() {
        let name = d
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| missing("name"))?;
        let partition = d
            .get("partition")
            .and_then(Value::as_bool)
            .ok_or_else(|| missing("partition"))?;
        out.push(TypedParam::new(
            format!("disk.{i}.name"),
            TypedValue::String(name.to_owned()),
        ));
        out.push(TypedParam::new(
            format!("disk.{i}.partition"),
            TypedValue::Boolean(partition),
        ));
        let deps = d
            .get("dependencies")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let deps = &deps[..deps.len().min(MAX_ENTRIES)];
        if !deps.is_empty() {
            uint(out, format!("disk.{i}.dependency.count"), deps.len());
        }
        for (j, dep) in deps.iter().enumerate() {
            string(out, format!("disk.{i}.dependency.{j}.name"), Some(dep));
        }
        if let Some(address) = d.get("address") {
            string(out, format!("disk.{i}.serial"), address.get("serial"));
            if let Some(target) = disk_target(address, &def) {
                out.push(TypedParam::new(
                    format!("disk.{i}.alias"),
                    TypedValue::String(target),
                ));
            }
        }
        string(out, format!("disk.{i}.guest_alias"), d.get("alias"));
    }
    Ok(())
}

/// `if.*` of `guest-network-get-interfaces`: each interface's name, MAC and
/// addresses.
fn interfaces(_: &Shared, _: &DomainRef, v: Value, out: &mut Vec<TypedParam>) -> Result<()> {
    let list = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let list = &list[..list.len().min(MAX_ENTRIES)];
    uint(out, "if.count".into(), list.len());
    for (i, entry) in list.iter().enumerate() {
        let nic = interface(entry)?;
        out.push(TypedParam::new(
            format!("if.{i}.name"),
            TypedValue::String(nic.name),
        ));
        if let Some(mac) = nic.hwaddr {
            out.push(TypedParam::new(
                format!("if.{i}.hwaddr"),
                TypedValue::String(mac),
            ));
        }
        uint(out, format!("if.{i}.addr.count"), nic.addrs.len());
        for (j, a) in nic.addrs.into_iter().enumerate() {
            let kind = if a.kind == 0 { "ipv4" } else { "ipv6" };
            out.push(TypedParam::new(
                format!("if.{i}.addr.{j}.type"),
                TypedValue::String(kind.into()),
            ));
            out.push(TypedParam::new(
                format!("if.{i}.addr.{j}.addr"),
                TypedValue::String(a.addr),
            ));
            out.push(TypedParam::new(
                format!("if.{i}.addr.{j}.prefix"),
                TypedValue::UInt(a.prefix),
            ));
        }
    }
    Ok(())
}

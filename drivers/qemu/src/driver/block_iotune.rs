//! Block I/O throttling of QEMU guests (`virsh blkdeviotune`,
//! `virDomain{Get,Set}BlockIoTune`) as libvirt's QEMU driver does it with `-blockdev`:
//! a disk's `<iotune>` is set with `block_set_io_throttle` on its device before the
//! guest runs and whenever it changes live, read back from `query-block`; the
//! persistent `<iotune>` is written to the definition's file. A set names some limits;
//! each family it does not touch (bytes, iops, their maxima, the size, the group)
//! keeps its old values, as libvirt merges them, and QEMU checks the result.

use rvirt_core::api::{TypedParam, TypedValue, validate_params};
use rvirt_core::conf::{Device, Disk, DomainDef, Iotune};
use rvirt_core::objects::{
    IOTUNE_GROUP_NAME, apply_iotune, disk_by_name, impact, iotune_field, iotune_is_empty,
    iotune_param_types, iotune_params, iotune_value, not_running,
};
use rvirt_core::{Error, ErrorDomain, Result};
use serde_json::{Map, Value, json};

use super::configuration::{persistent_mut, save_config, touch_status};
use super::instance::{Entry, Shared};
use super::monitor::Monitor;
use super::start::MONITOR_TIMEOUT;
use crate::command_line::disk_alias;
use crate::qmp::QmpStream;

/// `<iotune>` names and QEMU's `block_set_io_throttle` argument names, in order.
const QEMU_NAMES: [(&str, &str); 19] = [
    ("total_bytes_sec", "bps"),
    ("read_bytes_sec", "bps_rd"),
    ("write_bytes_sec", "bps_wr"),
    ("total_iops_sec", "iops"),
    ("read_iops_sec", "iops_rd"),
    ("write_iops_sec", "iops_wr"),
    ("total_bytes_sec_max", "bps_max"),
    ("read_bytes_sec_max", "bps_rd_max"),
    ("write_bytes_sec_max", "bps_wr_max"),
    ("total_iops_sec_max", "iops_max"),
    ("read_iops_sec_max", "iops_rd_max"),
    ("write_iops_sec_max", "iops_wr_max"),
    ("size_iops_sec", "iops_size"),
    ("total_bytes_sec_max_length", "bps_max_length"),
    ("read_bytes_sec_max_length", "bps_rd_max_length"),
    ("write_bytes_sec_max_length", "bps_wr_max_length"),
    ("total_iops_sec_max_length", "iops_max_length"),
    ("read_iops_sec_max_length", "iops_rd_max_length"),
    ("write_iops_sec_max_length", "iops_wr_max_length"),
];

/// The families a set replaces as a whole.
const FAMILIES: [&[&str]; 5] = [
    &["total_bytes_sec", "read_bytes_sec", "write_bytes_sec"],
    &["total_iops_sec", "read_iops_sec", "write_iops_sec"],
    &[
        "total_bytes_sec_max",
        "read_bytes_sec_max",
        "write_bytes_sec_max",
    ],
    &[
        "total_iops_sec_max",
        "read_iops_sec_max",
        "write_iops_sec_max",
    ],
    &["size_iops_sec"],
];

fn not_found(path: &str) -> Error {
    Error::invalid_arg(
        ErrorDomain::Qemu,
        format!("disk '{path}' was not found in the domain config"),
    )
}

/// `block_set_io_throttle`'s arguments for device `id` and `io`.
fn throttle_args(id: &str, io: &Iotune) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    for (name, qemu) in QEMU_NAMES {
        let v = iotune_value(io, name);
        // The six base limits are mandatory; the others only when set.
        if v != 0 || !qemu.contains("max") && qemu != "iops_size" {
            m.insert(qemu.into(), json!(v));
        }
    }
    if let Some(g) = &io.group_name {
        m.insert("group".into(), json!(g));
    }
    Value::Object(m)
}

/// The throttle QEMU applies to device `id`, from its `query-block` entry.
fn from_query(reply: &Value, id: &str) -> Option<Iotune> {
    let entry = reply.as_array()?.iter().find(|b| {
        let q = b.get("qdev").and_then(Value::as_str).unwrap_or("");
        q == id
            || q == format!("/machine/peripheral/{id}")
            || q.starts_with(&format!("/machine/peripheral/{id}/"))
    })?;
    let inserted = entry.get("inserted")?;
    let mut io = Iotune::default();
    for (name, qemu) in QEMU_NAMES {
        let v = inserted.get(qemu).and_then(Value::as_u64).unwrap_or(0);
        if let Some(f) = iotune_field(&mut io, name) {
            *f = (v != 0).then_some(v);
        }
    }
    io.group_name = inserted
        .get("group")
        .and_then(Value::as_str)
        .filter(|g| !g.is_empty())
        .map(str::to_string);
    Some(io)
}

/// Sets each disk's `<iotune>` before the guest runs.
pub(super) fn apply_at_start(qmp: &mut QmpStream, def: &DomainDef) -> Result<()> {
    let disks = def.devices().iter().filter_map(|d| match d {
        Device::Disk(disk) => Some(disk),
        _ => None,
    });
    for disk in disks {
        let Some(io) = disk.iotune.as_ref().filter(|io| !iotune_is_empty(io)) else {
            continue;
        };
        if let Some(id) = disk_alias(disk) {
            qmp.execute("block_set_io_throttle", Some(throttle_args(&id, io)))?;
        }
    }
    Ok(())
}

/// `old` with a set's values: a family the set names is replaced whole (its unnamed
/// members 0), the others kept; a length is kept while its maximum stays.
fn merged(old: &Iotune, params: &[TypedParam]) -> Iotune {
    let named = |n: &str| params.iter().any(|p| p.field == n);
    let mut new = old.clone();
    for family in FAMILIES {
        if family.iter().any(|n| named(n)) {
            for n in family {
                if let Some(f) = iotune_field(&mut new, n) {
                    *f = None;
                }
            }
        }
    }
    apply_iotune(&mut new, params);
    for (max, _) in QEMU_NAMES.iter().filter(|(n, _)| n.ends_with("_max")) {
        let length = format!("{max}_length");
        if !named(&length)
            && iotune_value(&new, max) != iotune_value(old, max)
            && let Some(f) = iotune_field(&mut new, &length)
        {
            *f = None;
        }
    }
    if !named(IOTUNE_GROUP_NAME) {
        new.group_name.clone_from(&old.group_name);
    }
    new
}

fn disk_mut<'a>(def: &'a mut DomainDef, path: &str) -> Result<&'a mut Disk> {
    rvirt_core::objects::disk_by_name_mut(def, path).ok_or_else(|| not_found(path))
}

impl Shared {
    /// `virDomainGetBlockIoTune`: QEMU's throttle of the running disk, or the
    /// persistent `<iotune>`.
    pub(crate) fn block_io_tune(
        &self,
        entry: &Entry,
        path: &str,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        let (live, mon, id, config) = {
            let vm = entry.lock();
            let (live, _) = impact(&vm, flags)?;
            let def = if live {
                &vm.def
            } else {
                vm.next_def.as_ref().unwrap_or(&vm.def)
            };
            let disk = disk_by_name(def, path).ok_or_else(|| not_found(path))?;
            let mon = vm.run.as_ref().map(|r| r.mon.clone());
            (
                live,
                mon,
                disk_alias(disk),
                disk.iotune.clone().unwrap_or_default(),
            )
        };
        if !live {
            return Ok(iotune_params(&config));
        }
        let mon: Monitor = mon.ok_or_else(not_running)?;
        let reply = mon.call("query-block", None, MONITOR_TIMEOUT)?;
        let io = id
            .and_then(|id| from_query(&reply, &id))
            .ok_or_else(|| not_found(path))?;
        Ok(iotune_params(&io))
    }

    /// `virDomainSetBlockIoTune`.
    pub(crate) fn set_block_io_tune(
        &self,
        entry: &Entry,
        path: &str,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        validate_params(params, &iotune_param_types(), ErrorDomain::Qemu)?;
        if let Some(p) = params
            .iter()
            .find(|p| matches!(p.value, TypedValue::ULLong(v) if v > 1_000_000_000_000_000))
        {
            return Err(Error::new(
                rvirt_core::ErrorCode::InvalidArg,
                ErrorDomain::Qemu,
                format!(
                    "block I/O throttle limit value must be no more than 1000000000000000 ({})",
                    p.field
                ),
            ));
        }
        let job = entry.begin_job("virDomainSetBlockIoTune")?;
        let (live, config, live_new, id) = {
            let mut vm = job.lock();
            let (live, config) = impact(&vm, flags)?;
            let live_new = if live {
                let disk = disk_mut(&mut vm.def, path)?;
                let io = merged(&disk.iotune.clone().unwrap_or_default(), params);
                Some((io, disk_alias(disk).ok_or_else(|| not_found(path))?))
            } else {
                None
            };
            if config {
                disk_mut(persistent_mut(&mut vm), path)?;
            }
            let id = live_new.as_ref().map(|(_, id)| id.clone());
            (live, config, live_new.map(|(io, _)| io), id)
        };
        if let (Some(io), Some(id)) = (&live_new, &id) {
            // QEMU answers while the domain is unlocked.
            let mon = super::running::running_monitor(&entry.lock())?;
            mon.call(
                "block_set_io_throttle",
                Some(throttle_args(id, io)),
                MONITOR_TIMEOUT,
            )?;
        }
        let mut vm = job.lock();
        if let (true, Some(io)) = (live, live_new) {
            disk_mut(&mut vm.def, path)?.iotune = (!iotune_is_empty(&io)).then_some(io);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            let disk = disk_mut(&mut def, path)?;
            let io = merged(&disk.iotune.clone().unwrap_or_default(), params);
            disk.iotune = (!iotune_is_empty(&io)).then_some(io);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ull(n: &str, v: u64) -> TypedParam {
        TypedParam::new(n, TypedValue::ULLong(v))
    }

    #[test]
    fn a_set_replaces_the_families_it_names() {
        let mut old = Iotune::default();
        apply_iotune(
            &mut old,
            &[ull("read_bytes_sec", 5), ull("total_iops_sec", 7)],
        );
        let new = merged(&old, &[ull("total_bytes_sec", 9)]);
        assert_eq!(iotune_value(&new, "total_bytes_sec"), 9);
        assert_eq!(
            iotune_value(&new, "read_bytes_sec"),
            0,
            "same family: reset"
        );
        assert_eq!(
            iotune_value(&new, "total_iops_sec"),
            7,
            "other family: kept"
        );
    }

    #[test]
    fn throttle_arguments_carry_the_mandatory_limits() {
        let mut io = Iotune::default();
        apply_iotune(&mut io, &[ull("total_bytes_sec", 1000)]);
        let a = throttle_args("virtio-disk0", &io);
        assert_eq!(a["bps"], 1000);
        assert_eq!(a["iops_rd"], 0);
        assert!(a.get("bps_max").is_none());
        let q = json!([{"qdev": "/machine/peripheral/virtio-disk0/virtio-backend",
                        "inserted": {"bps": 1000, "iops": 0, "group": ""}}]);
        assert_eq!(from_query(&q, "virtio-disk0"), Some(io));
    }
}

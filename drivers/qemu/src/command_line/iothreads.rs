//! `<iothreads>`/`<iothreadids>` → `-object iothread` per thread (libvirt's
//! `qemuBuildIOThreadCommandLine`), and the check that each disk's
//! `<driver iothread=N>` names one of them.

use rvirt_core::Result;
use rvirt_core::conf::{Device, DomainDef};
use serde_json::json;

use super::unsupported;

/// The domain's I/O threads as `(id, thread_pool_min, thread_pool_max)`: those of
/// `<iothreadids>`, then, up to `<iothreads>`, the smallest unused ids (libvirt's
/// autofill).
pub(crate) fn iothread_ids(def: &DomainDef) -> Vec<(u32, Option<i32>, Option<i32>)> {
    let mut out: Vec<_> = def
        .iothreadids
        .iter()
        .flat_map(|i| &i.iothreads)
        .map(|t| (t.id, t.thread_pool_min, t.thread_pool_max))
        .collect();
    let want = def.iothreads.unwrap_or(0) as usize;
    let mut next = 1;
    while out.len() < want {
        if !out.iter().any(|(id, _, _)| *id == next) {
            out.push((next, None, None));
        }
        next += 1;
    }
    out
}

/// Pushes the `-object iothread` of each thread.
///
/// Errors: `VIR_ERR_CONFIG_UNSUPPORTED` for id 0 and for a disk whose `iothread`
/// is not one of them (libvirt's "Disk iothread 'N' not defined in iothreadid").
pub(super) fn push_iothreads(def: &DomainDef, args: &mut Vec<String>) -> Result<()> {
    let ids = iothread_ids(def);
    for (id, min, max) in &ids {
        if *id == 0 {
            return Err(unsupported("invalid iothread 'id' value '0'"));
        }
        let mut obj = json!({"qom-type": "iothread", "id": format!("iothread{id}")});
        if let Some(m) = min {
            obj["thread-pool-min"] = (*m).into();
        }
        if let Some(m) = max {
            obj["thread-pool-max"] = (*m).into();
        }
        args.push("-object".into());
        args.push(obj.to_string());
    }
    for dev in def.devices() {
        if let Device::Disk(d) = dev
            && let Some(n) = d.driver.as_ref().and_then(|x| x.iothread)
            && !ids.iter().any(|(id, _, _)| *id == n)
        {
            return Err(unsupported(format!(
                "Disk iothread '{n}' not defined in iothreadid"
            )));
        }
    }
    Ok(())
}

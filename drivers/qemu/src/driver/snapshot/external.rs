//! External disk-only snapshots: each selected disk gets a new qcow2 overlay whose
//! backing file is its current image, and the domain's disk reads and writes the
//! overlay from then on (libvirt's `qemuSnapshotCreateInactiveExternal` and, for a
//! running guest, its blockdev path).
//!
//! Shut off: `qemu-img create -f qcow2 -F FMT -b IMAGE OVERLAY`, then the definition's
//! disk source becomes the overlay. Running: the overlay is created without opening the
//! image QEMU holds (`-u` and the size QEMU reports), given to QEMU's user like the
//! domain's other images, added as two nodes (`blockdev-add` file + qcow2 with
//! `backing: null`) and switched to in one QMP `transaction` of `blockdev-snapshot`s;
//! the live and the persistent definitions (and the status file) then name it. On a
//! failure the new nodes and files are removed again.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rvirt_core::conf::{Device, DiskDriver, DiskType, DomainDef};
use rvirt_core::objects::Job;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::disks::{Plan, domain_disks};
use super::live::live_disks;
use super::qemu_img;
use crate::driver::configuration::{save_config, touch_status};
use crate::driver::instance::{Shared, not_running};
use crate::driver::monitor::Monitor;
use crate::driver::running::Running;
use crate::driver::start::MONITOR_TIMEOUT;

fn internal(message: String) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Qemu, message)
}

/// Makes `target`'s disk in `def` read the qcow2 image `overlay`.
fn point_at(def: &mut DomainDef, target: &str, overlay: &str) {
    point_disk_at(def, target, overlay, "qcow2");
}

/// Makes `target`'s disk in `def` read the image file `image` of format `format`.
pub(crate) fn point_disk_at(def: &mut DomainDef, target: &str, image: &str, format: &str) {
    for dev in def.devices_mut() {
        let Device::Disk(d) = dev else { continue };
        if d.target.dev != target {
            continue;
        }
        d.disk_type = DiskType::File;
        let src = d.source.get_or_insert_with(Default::default);
        src.file = Some(image.to_string());
        src.dev = None;
        let drv = d.driver.get_or_insert_with(DiskDriver::default);
        drv.name.get_or_insert_with(|| "qemu".into());
        drv.format = Some(format.into());
        d.backing_store = None;
    }
}

/// The image path `target` reads in `def`.
pub(crate) fn image_of(def: &DomainDef, target: &str) -> Option<PathBuf> {
    domain_disks(def)
        .into_iter()
        .find(|d| d.target == target)
        .and_then(|d| d.path)
}

/// The overlays of `plan`: `(target, overlay, image, image format)`.
fn overlays(plan: &Plan, def: &DomainDef) -> Result<Vec<(String, PathBuf, PathBuf, String)>> {
    let disks = domain_disks(def);
    plan.disks
        .iter()
        .filter(|p| p.snapshot == "external")
        .map(|p| {
            let d = disks
                .iter()
                .find(|d| d.target == p.name)
                .ok_or_else(|| internal(format!("disk '{}' vanished", p.name)))?;
            let image = d
                .path
                .clone()
                .ok_or_else(|| internal(format!("disk '{}' has no image", p.name)))?;
            let overlay = p
                .source
                .clone()
                .ok_or_else(|| internal(format!("disk '{}' has no overlay", p.name)))?;
            Ok((
                p.name.clone(),
                PathBuf::from(overlay),
                image,
                d.format.clone(),
            ))
        })
        .collect()
}

/// Removes the files in `created`.
fn unlink_all(created: &[PathBuf]) {
    for p in created {
        let _ = std::fs::remove_file(p);
    }
}

/// The block node names QEMU has.
pub(crate) fn node_names(mon: &Monitor) -> Result<HashSet<String>> {
    let v = mon.call("query-named-block-nodes", None, MONITOR_TIMEOUT)?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.get("node-name")?.as_str().map(str::to_owned))
        .collect())
}

/// The first `libvirt-N-{storage,format}` pair neither QEMU nor `taken` uses.
pub(crate) fn free_pair(used: &HashSet<String>, taken: &mut Vec<String>) -> (String, String) {
    let mut n = 1;
    loop {
        let fmt = format!("libvirt-{n}-format");
        let storage = format!("libvirt-{n}-storage");
        if !used.contains(&fmt) && !used.contains(&storage) && !taken.contains(&fmt) {
            taken.push(fmt.clone());
            return (storage, fmt);
        }
        n += 1;
    }
}

impl Shared {
    /// A shut-off domain's external snapshot: overlays created, the definition
    /// pointed at them and saved.
    pub(crate) fn external_offline(&self, job: &Job<'_, Running>, plan: &Plan) -> Result<()> {
        let mut vm = job.lock();
        let list = overlays(plan, &vm.def)?;
        let mut created = Vec::new();
        for (_, overlay, image, format) in &list {
            if let Err(e) = qemu_img::create_overlay(overlay, image, format, None) {
                unlink_all(&created);
                return Err(e);
            }
            created.push(overlay.clone());
        }
        let mut def = vm.def.clone();
        for (target, overlay, _, _) in &list {
            point_at(&mut def, target, &overlay.to_string_lossy());
        }
        if vm.persistent
            && let Err(e) = save_config(self, &def)
        {
            unlink_all(&created);
            return Err(e);
        }
        vm.def = def;
        Ok(())
    }

    /// A running domain's external disk-only snapshot (`blockdev-snapshot`).
    pub(crate) fn external_live(&self, job: &Job<'_, Running>, plan: &Plan) -> Result<()> {
        let (mon, def, status) = {
            let vm = job.lock();
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            (run.mon.clone(), vm.def.clone(), run.status.clone())
        };
        let list = overlays(plan, &def)?;
        let live = live_disks(&mon, &def)?;
        let used = node_names(&mon)?;
        let mut taken = Vec::new();
        let mut created: Vec<PathBuf> = Vec::new();
        let mut added: Vec<String> = Vec::new();
        let undo = |created: &[PathBuf], added: &[String]| {
            for node in added.iter().rev() {
                let _ = mon.call(
                    "blockdev-del",
                    Some(json!({ "node-name": node })),
                    MONITOR_TIMEOUT,
                );
            }
            unlink_all(created);
        };
        let mut actions = Vec::new();
        let mut switched = Vec::new();
        for (target, overlay, image, format) in &list {
            let step = (|| -> Result<()> {
                let disk = live.iter().find(|l| &l.target == target).ok_or_else(|| {
                    internal(format!("QEMU does not show disk '{target}' with media"))
                })?;
                qemu_img::create_overlay(overlay, image, format, Some(disk.size))?;
                created.push(overlay.clone());
                self.give_to_qemu(&def, overlay, &status)?;
                let (storage, fmt) = free_pair(&used, &mut taken);
                let path = overlay.to_string_lossy();
                mon.call(
                    "blockdev-add",
                    Some(json!({"driver": "file", "filename": path, "node-name": storage})),
                    MONITOR_TIMEOUT,
                )?;
                added.push(storage.clone());
                mon.call(
                    "blockdev-add",
                    Some(json!({"driver": "qcow2", "node-name": fmt, "file": storage,
                                "backing": Value::Null})),
                    MONITOR_TIMEOUT,
                )?;
                added.push(fmt.clone());
                actions.push(json!({"type": "blockdev-snapshot",
                                    "data": {"node": disk.node, "overlay": fmt}}));
                switched.push((target.clone(), path.into_owned(), fmt));
                Ok(())
            })();
            if let Err(e) = step {
                undo(&created, &added);
                return Err(e);
            }
        }
        if let Err(e) = mon.call(
            "transaction",
            Some(json!({ "actions": actions })),
            MONITOR_TIMEOUT,
        ) {
            undo(&created, &added);
            return Err(e);
        }
        let mut vm = job.lock();
        for (target, overlay, fmt) in &switched {
            let image = image_of(&vm.def, target);
            point_at(&mut vm.def, target, overlay);
            if let Some(next) = vm.next_def.as_mut()
                && image.is_some()
                && image_of(next, target) == image
            {
                point_at(next, target, overlay);
            }
            if let Some(run) = vm.run.as_mut()
                && let Some(names) = run.devices.disks.iter_mut().find(|n| &n.target == target)
            {
                names.node = Some(fmt.clone());
                names.path = Some(overlay.clone());
            }
        }
        touch_status(&mut vm);
        if vm.persistent
            && let Some(next) = vm.next_def.clone()
        {
            save_config(self, &next)?;
        }
        Ok(())
    }

    /// Gives a new image of the running domain to QEMU's user as the domain's others
    /// were (recorded, restored when it stops).
    pub(crate) fn give_to_qemu(&self, def: &DomainDef, image: &Path, status: &Path) -> Result<()> {
        let config = crate::security::security_config();
        if let Some(plan) = crate::security::dac_plan(def, self.is_system(), &config)? {
            crate::security::prepare::relabel(vec![(image.to_path_buf(), false)], &plan, status)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disk_is_pointed_at_its_overlay() {
        let mut def = DomainDef::from_xml(
            "<domain type='qemu'><name>d</name><memory>1024</memory><os><type>hvm</type></os>\
             <devices><disk type='file' device='disk'><source file='/i/a.img'/>\
             <target dev='vda' bus='virtio'/></disk></devices></domain>",
        )
        .unwrap();
        point_at(&mut def, "vda", "/i/a.s1");
        let d = &domain_disks(&def)[0];
        assert_eq!(d.path.as_deref(), Some(Path::new("/i/a.s1")));
        assert_eq!(d.format, "qcow2");
        assert_eq!(image_of(&def, "vda"), Some(PathBuf::from("/i/a.s1")));
    }

    #[test]
    fn node_pairs_skip_used_names() {
        let used: HashSet<String> = ["libvirt-1-format", "libvirt-1-storage", "libvirt-2-storage"]
            .into_iter()
            .map(String::from)
            .collect();
        let mut taken = Vec::new();
        assert_eq!(free_pair(&used, &mut taken).1, "libvirt-3-format");
        assert_eq!(free_pair(&used, &mut taken).1, "libvirt-4-format");
    }
}

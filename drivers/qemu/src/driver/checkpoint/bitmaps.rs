//! What a checkpoint does to the disks: one persistent dirty bitmap per covered disk,
//! named after the checkpoint, in its qcow2 image. A running guest's bitmaps are added
//! and removed in one QMP `transaction` (`block-dirty-bitmap-add` with `persistent:
//! true` / `block-dirty-bitmap-remove` on each disk's format node), a shut-off
//! guest's with `qemu-img bitmap --add --enable` / `--remove`.

use rvirt_core::conf::{DomainCheckpointDef, DomainDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use crate::driver::monitor::Monitor;
use crate::driver::snapshot::disks::{DomainDisk, domain_disks};
use crate::driver::snapshot::live::{JOB_CALL_TIMEOUT, live_disks};
use crate::driver::snapshot::qemu_img;

fn unsupported(message: String) -> Error {
    Error::new(ErrorCode::ConfigUnsupported, ErrorDomain::Qemu, message)
}

/// The `(disk target, bitmap)` pairs of `def` (aligned): the disks it tracks.
pub(crate) fn tracked(def: &DomainCheckpointDef) -> Vec<(String, String)> {
    def.disks
        .iter()
        .filter(|d| d.is_bitmap())
        .filter_map(|d| Some((d.name.clone(), d.bitmap.clone()?)))
        .collect()
}

/// libvirt's checks of a new checkpoint's disks against the domain: each bitmap is
/// named after the checkpoint and each tracked disk is a qcow2 image.
pub(crate) fn check(def: &DomainCheckpointDef, dom: &DomainDef) -> Result<()> {
    let name = def.name.as_deref().unwrap_or_default();
    let disks = domain_disks(dom);
    for d in def.disks.iter().filter(|d| d.is_bitmap()) {
        if d.bitmap.as_deref() != Some(name) {
            return Err(unsupported(format!(
                "bitmap for disk '{}' must match checkpoint name '{name}'",
                d.name
            )));
        }
        let format = disks
            .iter()
            .find(|x| x.target == d.name)
            .map_or("none", |x| x.format.as_str());
        if format != "qcow2" {
            return Err(unsupported(format!(
                "checkpoint for disk {} unsupported for storage type {format}",
                d.name
            )));
        }
    }
    Ok(())
}

/// The QMP actions adding (`add`) or removing the bitmaps of `def` on the format nodes
/// QEMU has now; disks QEMU no longer has (unplugged) are skipped.
fn actions(
    mon: &Monitor,
    dom: &DomainDef,
    def: &DomainCheckpointDef,
    add: bool,
) -> Result<Vec<serde_json::Value>> {
    let live = live_disks(mon, dom)?;
    let mut out = Vec::new();
    for (target, bitmap) in tracked(def) {
        let Some(disk) = live.iter().find(|l| l.target == target) else {
            if add {
                return Err(Error::new(
                    ErrorCode::InternalError,
                    ErrorDomain::Qemu,
                    format!("QEMU does not show disk '{target}' with media"),
                ));
            }
            continue;
        };
        out.push(if add {
            json!({"type": "block-dirty-bitmap-add",
                   "data": {"node": disk.node, "name": bitmap, "persistent": true}})
        } else {
            json!({"type": "block-dirty-bitmap-remove",
                   "data": {"node": disk.node, "name": bitmap}})
        });
    }
    Ok(out)
}

/// Adds (`add`) or removes the bitmaps of `def` in the running QEMU behind `mon`, all
/// in one transaction.
pub(crate) fn live(
    mon: &Monitor,
    dom: &DomainDef,
    def: &DomainCheckpointDef,
    add: bool,
) -> Result<()> {
    let actions = actions(mon, dom, def, add)?;
    if actions.is_empty() {
        return Ok(());
    }
    mon.call(
        "transaction",
        Some(json!({ "actions": actions })),
        JOB_CALL_TIMEOUT,
    )?;
    Ok(())
}

/// `REDEFINE_VALIDATE`: every bitmap `def` names is on its disk's format node in the
/// running QEMU behind `mon` (`VIR_ERR_CHECKPOINT_INCONSISTENT` otherwise); disks QEMU
/// no longer has are tolerated, as libvirt tolerates detached ones.
pub(crate) fn validate(mon: &Monitor, dom: &DomainDef, def: &DomainCheckpointDef) -> Result<()> {
    let live = live_disks(mon, dom)?;
    let nodes = mon.call("query-named-block-nodes", None, JOB_CALL_TIMEOUT)?;
    for (target, bitmap) in tracked(def) {
        let Some(disk) = live.iter().find(|l| l.target == target) else {
            continue;
        };
        let found = nodes.as_array().into_iter().flatten().any(|n| {
            n.get("node-name").and_then(|v| v.as_str()) == Some(disk.node.as_str())
                && n.get("dirty-bitmaps")
                    .and_then(|b| b.as_array())
                    .into_iter()
                    .flatten()
                    .any(|b| b.get("name").and_then(|v| v.as_str()) == Some(bitmap.as_str()))
        });
        if !found {
            return Err(Error::new(
                ErrorCode::CheckpointInconsistent,
                ErrorDomain::Qemu,
                format!("missing or broken bitmap '{bitmap}' for disk '{target}'"),
            ));
        }
    }
    Ok(())
}

/// `VIR_DOMAIN_CHECKPOINT_XML_SIZE`: each tracked disk's `size`, the bytes its bitmap
/// (active since the checkpoint) marks dirty on the disk's format node in the running
/// QEMU behind `mon`. Disks QEMU does not show, or whose bitmap is gone, get none.
pub(crate) fn sizes(mon: &Monitor, dom: &DomainDef, def: &mut DomainCheckpointDef) -> Result<()> {
    let live = live_disks(mon, dom)?;
    let nodes = mon.call("query-named-block-nodes", None, JOB_CALL_TIMEOUT)?;
    for disk in def.disks.iter_mut() {
        disk.size = None;
        let (Some(bitmap), true) = (disk.bitmap.clone(), disk.is_bitmap()) else {
            continue;
        };
        let Some(node) = live.iter().find(|l| l.target == disk.name) else {
            continue;
        };
        disk.size = nodes
            .as_array()
            .into_iter()
            .flatten()
            .filter(|n| n.get("node-name").and_then(|v| v.as_str()) == Some(node.node.as_str()))
            .flat_map(|n| n.get("dirty-bitmaps").and_then(|b| b.as_array()).cloned())
            .flatten()
            .find(|b| b.get("name").and_then(|v| v.as_str()) == Some(bitmap.as_str()))
            .and_then(|b| b.get("count").and_then(|c| c.as_u64()));
    }
    Ok(())
}

fn image_of<'a>(disks: &'a [DomainDisk], target: &str) -> Option<&'a std::path::Path> {
    disks
        .iter()
        .find(|d| d.target == target)
        .and_then(|d| d.path.as_deref())
}

/// Adds (`add`) or removes the bitmaps of `def` in the images of the shut-off domain
/// `dom` with `qemu-img bitmap`; when adding fails the bitmaps already added are
/// removed again.
pub(crate) fn offline(dom: &DomainDef, def: &DomainCheckpointDef, add: bool) -> Result<()> {
    let disks = domain_disks(dom);
    let mut done: Vec<(&std::path::Path, String)> = Vec::new();
    for (target, bitmap) in tracked(def) {
        let Some(image) = image_of(&disks, &target) else {
            if add {
                return Err(unsupported(format!("disk '{target}' has no image")));
            }
            continue;
        };
        if let Err(e) = qemu_img::bitmap(add, image, &bitmap) {
            if add {
                for (image, bitmap) in &done {
                    let _ = qemu_img::bitmap(false, image, bitmap);
                }
            }
            return Err(e);
        }
        done.push((image, bitmap));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::conf::CheckpointDisk;

    fn dom(format: &str) -> DomainDef {
        DomainDef::from_xml(&format!(
            "<domain type='qemu'><name>d</name><memory>1024</memory><os><type>hvm</type></os>\
             <devices><disk type='file' device='disk'><driver name='qemu' type='{format}'/>\
             <source file='/i/a.img'/><target dev='vda' bus='virtio'/></disk></devices></domain>"
        ))
        .unwrap()
    }

    fn cp(bitmap: &str) -> DomainCheckpointDef {
        DomainCheckpointDef {
            name: Some("c1".into()),
            disks: vec![CheckpointDisk {
                name: "vda".into(),
                checkpoint: Some("bitmap".into()),
                bitmap: Some(bitmap.into()),
                size: None,
            }],
            ..DomainCheckpointDef::default()
        }
    }

    #[test]
    fn only_qcow2_disks_with_the_checkpoints_bitmap_are_accepted() {
        check(&cp("c1"), &dom("qcow2")).unwrap();
        let e = check(&cp("c1"), &dom("raw")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        assert!(
            e.message()
                .contains("checkpoint for disk vda unsupported for storage type raw"),
            "{e}"
        );
        let e = check(&cp("other"), &dom("qcow2")).unwrap_err();
        assert!(
            e.message()
                .contains("bitmap for disk 'vda' must match checkpoint name 'c1'"),
            "{e}"
        );
        assert_eq!(tracked(&cp("c1")), [("vda".to_string(), "c1".to_string())]);
    }
}

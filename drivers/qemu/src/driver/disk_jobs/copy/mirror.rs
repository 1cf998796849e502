//! A running copy's `<mirror>` in the disk's live XML: made when the copy starts,
//! read back at a pivot (also after a daemon restart, from the status XML), marked
//! `ready='yes'` once QEMU's job is ready, and gone when the disk switched or the job
//! was cancelled.

use rvirt_core::conf::xml::Element;
use rvirt_core::conf::{Device, DiskDriver, DiskType, DomainDef};
use serde_json::Value;

use super::super::JobKind;
use super::destination::Destination;
use crate::driver::monitor::Monitor;
use crate::driver::start::MONITOR_TIMEOUT;

/// The `<mirror>` a running copy to `dest` (of `format`) shows in the live XML.
pub(super) fn mirror_element(dest: &Destination, format: &str) -> Element {
    let mut m = Element::new("mirror");
    m.set_attr("type", if dest.block { "block" } else { "file" });
    if !dest.block {
        m.set_attr("file", dest.path.clone());
    }
    m.set_attr("format", format);
    m.set_attr("job", "copy");
    let mut f = Element::new("format");
    f.set_attr("type", format);
    m.push(f);
    let mut s = Element::new("source");
    s.set_attr(if dest.block { "dev" } else { "file" }, dest.path.clone());
    m.push(s);
    m
}

/// The destination recorded in disk `target`'s `<mirror>` in `def`, with its format.
pub(super) fn mirror_of(def: &DomainDef, target: &str) -> Option<(Destination, String)> {
    def.devices().iter().find_map(|dev| {
        let Device::Disk(d) = dev else { return None };
        if d.target.dev != target {
            return None;
        }
        let m = d.mirror.as_ref()?;
        let block = m.attr("type") == Some("block");
        let path = m
            .child("source")
            .and_then(|s| s.attr(if block { "dev" } else { "file" }))
            .or_else(|| m.attr("file"))?;
        let format = m
            .child("format")
            .and_then(|f| f.attr("type"))
            .or_else(|| m.attr("format"))
            .unwrap_or("raw");
        Some((
            Destination {
                path: path.to_string(),
                format: Some(format.to_string()),
                block,
            },
            format.to_string(),
        ))
    })
}

/// Sets (or with `None` removes) disk `target`'s `<mirror>` in `def`.
pub(super) fn set_mirror(def: &mut DomainDef, target: &str, mirror: Option<Element>) {
    for dev in def.devices_mut() {
        if let Device::Disk(d) = dev
            && d.target.dev == target
        {
            d.mirror = mirror.clone();
        }
    }
}

/// Drops every disk's `<mirror>` from `def` (a definition given by a client, not a run's
/// status).
pub(crate) fn drop_mirrors(def: &mut DomainDef) {
    for dev in def.devices_mut() {
        if let Device::Disk(d) = dev {
            d.mirror = None;
        }
    }
}

/// Makes disk `target` of `def` read `dest` (of `format`).
pub(super) fn point_at_copy(def: &mut DomainDef, target: &str, dest: &Destination, format: &str) {
    for dev in def.devices_mut() {
        let Device::Disk(d) = dev else { continue };
        if d.target.dev != target {
            continue;
        }
        d.disk_type = if dest.block {
            DiskType::Block
        } else {
            DiskType::File
        };
        let src = d.source.get_or_insert_with(Default::default);
        if dest.block {
            src.dev = Some(dest.path.clone());
            src.file = None;
        } else {
            src.file = Some(dest.path.clone());
            src.dev = None;
        }
        let drv = d.driver.get_or_insert_with(DiskDriver::default);
        drv.name.get_or_insert_with(|| "qemu".into());
        drv.format = Some(format.into());
        d.backing_store = None;
        d.mirror = None;
    }
}

/// The live definition of a running domain as `virDomainGetXMLDesc` shows it: a
/// disk's `<mirror>` says `ready='yes'` once QEMU's copy job is ready. `aliases` are
/// the run's disks, `(target, device alias)`.
pub(crate) fn mark_ready(mon: &Monitor, aliases: &[(String, String)], def: &mut DomainDef) {
    let Ok(jobs) = mon.call("query-block-jobs", None, MONITOR_TIMEOUT) else {
        return;
    };
    let ready: Vec<&str> = jobs
        .as_array()
        .into_iter()
        .flatten()
        .filter(|j| j.get("ready").and_then(Value::as_bool) == Some(true))
        .filter_map(|j| {
            let (kind, alias) = super::super::parse_job_id(j.get("device")?.as_str()?)?;
            let target = aliases.iter().find(|(_, a)| a == alias)?;
            (kind == JobKind::Copy).then_some(target.0.as_str())
        })
        .collect();
    for dev in def.devices_mut() {
        if let Device::Disk(d) = dev
            && let Some(m) = d.mirror.as_mut()
            && ready.contains(&d.target.dev.as_str())
        {
            m.set_attr("ready", "yes");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::driver::snapshot::external::image_of;

    #[test]
    fn the_mirror_element_round_trips() {
        let dest = Destination {
            path: "/i/c.raw".into(),
            format: None,
            block: false,
        };
        let xml = "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>\
                   <devices><disk type='file' device='disk'><source file='/i/a.qcow2'/>\
                   <target dev='vda'/></disk></devices></domain>";
        let mut def = DomainDef::from_xml(xml).unwrap();
        set_mirror(&mut def, "vda", Some(mirror_element(&dest, "raw")));
        let out = def.to_xml().unwrap();
        assert!(
            out.contains("<mirror type='file' file='/i/c.raw' format='raw' job='copy'>"),
            "{out}"
        );
        let again = DomainDef::from_xml(&out).unwrap();
        let (d, f) = mirror_of(&again, "vda").unwrap();
        assert_eq!(
            (d.path.as_str(), f.as_str(), d.block),
            ("/i/c.raw", "raw", false)
        );
        let mut moved = again.clone();
        point_at_copy(&mut moved, "vda", &d, &f);
        let out = moved.to_xml().unwrap();
        assert!(!out.contains("<mirror"), "{out}");
        assert!(out.contains("<source file='/i/c.raw'/>"), "{out}");
        assert_eq!(
            image_of(&moved, "vda").as_deref(),
            Some(Path::new("/i/c.raw"))
        );
    }

    #[test]
    fn a_definition_carries_no_mirror() {
        let xml = "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>\
                   <devices><disk type='file' device='disk'><source file='/i/a.qcow2'/>\
                   <mirror type='file' file='/i/c.raw' format='raw' job='copy'><source file='/i/c.raw'/></mirror>\
                   <target dev='vda'/></disk></devices></domain>";
        assert!(
            DomainDef::from_xml(xml)
                .unwrap()
                .to_xml()
                .unwrap()
                .contains("<mirror")
        );
        let def = crate::driver::instance::parse_def(xml).unwrap();
        let out = def.to_xml().unwrap();
        assert!(!out.contains("<mirror"), "{out}");
    }
}

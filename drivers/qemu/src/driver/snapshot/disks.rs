//! Which disk a snapshot covers, and how: libvirt's alignment of a `<domainsnapshot>`'s
//! `<disks>` with the domain's disks (every disk listed, in the domain's order, with a
//! default location), and the checks libvirt's QEMU driver makes before it acts.

use std::path::{Component, Path, PathBuf};

use rvirt_core::conf::{Device, DiskDevice, DiskType, DomainDef, SnapshotDisk};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// Longest external overlay path accepted.
const PATH_MAX: usize = 4096;

fn unsupported(message: String) -> Error {
    Error::new(ErrorCode::ConfigUnsupported, ErrorDomain::Qemu, message)
}

/// One disk of the domain as a snapshot sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainDisk {
    /// Target name (`vda`).
    pub target: String,
    /// Host path of its image, if it has media.
    pub path: Option<PathBuf>,
    /// Image format (`raw` when the definition names none, as QEMU's command line).
    pub format: String,
    /// Read-only or a CD-ROM: never part of a snapshot.
    pub readonly: bool,
}

/// The disks of `def`, in order.
pub(crate) fn domain_disks(def: &DomainDef) -> Vec<DomainDisk> {
    def.devices()
        .iter()
        .filter_map(|d| match d {
            Device::Disk(d) => Some(d),
            _ => None,
        })
        .map(|d| {
            let src = d.source.as_ref();
            let path = match d.disk_type {
                DiskType::Block => src.and_then(|s| s.dev.clone()),
                _ => src.and_then(|s| s.file.clone()),
            };
            DomainDisk {
                target: d.target.dev.clone(),
                path: path.map(PathBuf::from),
                format: d
                    .driver
                    .as_ref()
                    .and_then(|v| v.format.clone())
                    .unwrap_or_else(|| "raw".into()),
                readonly: d.readonly || d.device.unwrap_or(DiskDevice::Disk) != DiskDevice::Disk,
            }
        })
        .collect()
}

/// The disks a snapshot acts on, each with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// One entry per disk of the domain, in order (`snapshot` = `no`, `internal` or
    /// `external`; `source` = the overlay of an external one).
    pub disks: Vec<SnapshotDisk>,
}

impl Plan {
    /// True if any disk is snapshotted externally.
    pub(crate) fn external(&self) -> bool {
        self.disks.iter().any(|d| d.snapshot == "external")
    }

    /// True if any disk is snapshotted internally.
    pub(crate) fn internal(&self) -> bool {
        self.disks.iter().any(|d| d.snapshot == "internal")
    }
}

/// libvirt's default name of an external overlay: the image's path with its
/// extension replaced by the snapshot's name (`/i/vda.qcow2` → `/i/vda.s1`), or the
/// name appended when the image has no extension.
pub(crate) fn default_overlay(image: &Path, snapshot: &str) -> PathBuf {
    let s = image.to_string_lossy();
    let base = match s.rfind('.') {
        Some(i) if !s[i..].contains('/') => &s[..i],
        _ => &s[..],
    };
    PathBuf::from(format!("{base}.{snapshot}"))
}

/// A client-given overlay path: absolute (libvirt's rule), and beyond libvirt a normal
/// path (no `.` or `..` components) of bounded length.
fn check_overlay_path(disk: &str, path: &str) -> Result<PathBuf> {
    let p = Path::new(path);
    if !p.is_absolute() {
        return Err(unsupported(format!(
            "external snapshot file for disk {disk} must use absolute path"
        )));
    }
    if path.len() > PATH_MAX
        || path.contains('\0')
        || p.components()
            .any(|c| matches!(c, Component::CurDir | Component::ParentDir))
    {
        return Err(unsupported(format!(
            "external snapshot file '{path}' for disk {disk} is not a plain absolute path"
        )));
    }
    Ok(p.to_path_buf())
}

/// Aligns the client's `<disks>` (`asked`) with `disks`: every disk gets an entry
/// (`default` location, `no` for read-only or empty ones), an external one its overlay
/// path (given, or [`default_overlay`] of `snapshot`). Unknown names are refused.
pub(crate) fn align(
    disks: &[DomainDisk],
    asked: &[SnapshotDisk],
    default: &str,
    snapshot: &str,
) -> Result<Plan> {
    for a in asked {
        let known = disks.iter().any(|d| {
            d.target == a.name || d.path.as_ref().is_some_and(|p| p == Path::new(&a.name))
        });
        if !known {
            return Err(unsupported(format!("no disk named '{}'", a.name)));
        }
        if !matches!(a.snapshot.as_str(), "no" | "internal" | "external") {
            return Err(unsupported(format!(
                "snapshot location '{}' of disk '{}' is not supported",
                a.snapshot, a.name
            )));
        }
    }
    let mut out = Vec::new();
    for d in disks {
        let given = asked.iter().find(|a| {
            a.name == d.target || d.path.as_ref().is_some_and(|p| p == Path::new(&a.name))
        });
        let location = match given {
            Some(g) => g.snapshot.clone(),
            None if d.readonly || d.path.is_none() => "no".into(),
            None => default.to_string(),
        };
        let source = if location == "external" {
            let image = d.path.as_ref().ok_or_else(|| {
                unsupported(format!(
                    "external snapshot of disk '{}' without media is not supported",
                    d.target
                ))
            })?;
            if d.readonly {
                return Err(unsupported(format!(
                    "external snapshot for readonly disk {} is not supported",
                    d.target
                )));
            }
            let path = match given.and_then(|g| g.source.as_deref()) {
                Some(p) => check_overlay_path(&d.target, p)?,
                None => default_overlay(image, snapshot),
            };
            if &path == image {
                return Err(unsupported(format!(
                    "cannot generate external snapshot name for disk '{}': collision with disk '{}'",
                    d.target, d.target
                )));
            }
            Some(path.to_string_lossy().into_owned())
        } else {
            None
        };
        out.push(SnapshotDisk {
            name: d.target.clone(),
            snapshot: location,
            source,
        });
    }
    Ok(Plan { disks: out })
}

/// libvirt's checks of a plan (`qemuSnapshotPrepare`): no mixing, internal ones need
/// every writable disk and qcow2 images, a disk-only one at least one external disk,
/// a running domain's disk-only snapshot no internal disk.
pub(crate) fn check(
    plan: &Plan,
    disks: &[DomainDisk],
    disk_only: bool,
    active: bool,
) -> Result<()> {
    let (internal, external) = (plan.internal(), plan.external());
    for (p, d) in plan.disks.iter().zip(disks) {
        if p.snapshot == "internal" {
            if disk_only && active {
                return Err(unsupported(format!(
                    "active qemu domains require external disk snapshots; disk {} requested internal",
                    d.target
                )));
            }
            if d.format != "qcow2" {
                return Err(unsupported(format!(
                    "internal snapshot for disk {} unsupported for storage type {}",
                    d.target, d.format
                )));
            }
        }
    }
    if !internal && !external {
        return Err(unsupported("nothing selected for snapshot".into()));
    }
    let excluded = plan
        .disks
        .iter()
        .zip(disks)
        .any(|(p, d)| p.snapshot == "no" && d.path.is_some() && !d.readonly);
    if internal && excluded {
        return Err(unsupported(
            "internal and full system snapshots require all disks to be selected for snapshot"
                .into(),
        ));
    }
    if disk_only && !external {
        return Err(unsupported(
            "disk-only snapshots require at least one disk to be selected for snapshot".into(),
        ));
    }
    if internal && external {
        return Err(unsupported(
            "mixing internal and external targets for a snapshot is not yet supported".into(),
        ));
    }
    Ok(())
}

/// The overlays of `plan` must not exist yet (libvirt refuses a non-empty file; rvirt
/// refuses any existing entry, a symlink included) and their directory must.
pub(crate) fn check_new_overlays(plan: &Plan) -> Result<()> {
    for d in &plan.disks {
        let Some(src) = &d.source else { continue };
        let path = Path::new(src);
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(unsupported(format!(
                "external snapshot file for disk {} already exists and is not a block device: {src}",
                d.name
            )));
        }
        if !path.parent().is_some_and(Path::is_dir) {
            return Err(Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!(
                    "unable to stat for disk {}: {src}: No such file or directory",
                    d.name
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(target: &str, path: Option<&str>, format: &str, readonly: bool) -> DomainDisk {
        DomainDisk {
            target: target.into(),
            path: path.map(PathBuf::from),
            format: format.into(),
            readonly,
        }
    }

    fn ask(name: &str, snapshot: &str, source: Option<&str>) -> SnapshotDisk {
        SnapshotDisk {
            name: name.into(),
            snapshot: snapshot.into(),
            source: source.map(Into::into),
        }
    }

    #[test]
    fn overlay_names_follow_libvirt() {
        assert_eq!(
            default_overlay(Path::new("/i/vda.qcow2"), "s1"),
            Path::new("/i/vda.s1")
        );
        assert_eq!(
            default_overlay(Path::new("/i.d/vda"), "s1"),
            Path::new("/i.d/vda.s1")
        );
    }

    #[test]
    fn alignment_fills_defaults_and_refuses_strangers() {
        let disks = [
            disk("vda", Some("/i/a.qcow2"), "qcow2", false),
            disk("hdc", None, "raw", true),
        ];
        let plan = align(&disks, &[], "internal", "s").unwrap();
        assert_eq!(plan.disks[0].snapshot, "internal");
        assert_eq!(plan.disks[1].snapshot, "no");
        check(&plan, &disks, false, true).unwrap();

        let plan = align(&disks, &[], "external", "s").unwrap();
        assert_eq!(plan.disks[0].source.as_deref(), Some("/i/a.s"));
        check(&plan, &disks, true, true).unwrap();

        let e = align(&disks, &[ask("vdz", "internal", None)], "internal", "s").unwrap_err();
        assert!(e.message().contains("no disk named 'vdz'"), "{e}");
        let e = align(
            &disks,
            &[ask("vda", "external", Some("rel/x"))],
            "internal",
            "s",
        )
        .unwrap_err();
        assert!(e.message().contains("must use absolute path"), "{e}");
        let e = align(
            &disks,
            &[ask("vda", "external", Some("/i/../etc/x"))],
            "internal",
            "s",
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
    }

    #[test]
    fn checks_follow_libvirt() {
        let raw = [disk("vda", Some("/i/a.img"), "raw", false)];
        let plan = align(&raw, &[], "internal", "s").unwrap();
        let e = check(&plan, &raw, false, false).unwrap_err();
        assert!(
            e.message()
                .contains("internal snapshot for disk vda unsupported for storage type raw"),
            "{e}"
        );
        let two = [
            disk("vda", Some("/i/a.qcow2"), "qcow2", false),
            disk("vdb", Some("/i/b.qcow2"), "qcow2", false),
        ];
        let plan = align(&two, &[ask("vdb", "no", None)], "internal", "s").unwrap();
        let e = check(&plan, &two, false, true).unwrap_err();
        assert!(e.message().contains("require all disks"), "{e}");
        let plan = align(&two, &[ask("vdb", "external", None)], "internal", "s").unwrap();
        let e = check(&plan, &two, false, false).unwrap_err();
        assert!(e.message().contains("mixing internal and external"), "{e}");
        let plan = align(
            &two,
            &[ask("vda", "no", None), ask("vdb", "no", None)],
            "internal",
            "s",
        )
        .unwrap();
        let e = check(&plan, &two, false, false).unwrap_err();
        assert!(e.message().contains("nothing selected"), "{e}");
    }
}

//! libvirt's check that a migration is safe for the guest's disks: a writable image
//! file the destination opens too must lie on storage both hosts share (NFS, CIFS,
//! Ceph, GlusterFS, GPFS, cluster file systems). One on a local file system (ext4,
//! xfs, tmpfs) would be read by two hosts from two different disks, so the migration
//! is refused with `VIR_ERR_MIGRATE_UNSAFE` unless the client says
//! `VIR_MIGRATE_UNSAFE` (or copies the disks, which this driver does not). Network
//! disks and block devices are taken as shared; read-only and empty ones do not matter.

use std::path::Path;

use rvirt_core::conf::{Device, DiskType, DomainDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// `statfs` magic numbers of the file systems libvirt counts as shared
/// (`virFileIsSharedFSType`).
const SHARED: &[i64] = &[
    0x6969,                 // NFS
    0x0116_1970,            // GFS2
    0x7461_636f,            // OCFS2
    0x5346_414F,            // AFS
    0x517B,                 // SMB
    0xFF53_4D42_u32 as i64, // CIFS
    0xFE53_4D42_u32 as i64, // SMB2
    0x00C3_6400,            // Ceph
    0x4750_4653,            // GPFS
    0x5142_5346,            // Quobyte
];

/// FUSE: shared only when the mount is GlusterFS's or Quobyte's.
const FUSE: i64 = 0x6573_5546;

/// The file system type of the nearest existing ancestor of `path`.
fn fs_type(path: &Path) -> Option<i64> {
    let mut p = Some(path);
    while let Some(dir) = p {
        if let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) {
            // SAFETY: a zeroed `statfs` is a valid value of the plain C struct.
            let mut st: libc::statfs = unsafe { std::mem::zeroed() };
            // SAFETY: statfs(2) writes into `st`; `c` is a NUL-terminated path that
            // outlives the call.
            if unsafe { libc::statfs(c.as_ptr(), &mut st) } == 0 {
                return Some(st.f_type as i64);
            }
        }
        p = dir.parent();
    }
    None
}

/// The mount type `/proc/self/mounts` gives for the mount holding `path`.
fn mount_type(path: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_dev, dir, kind) = (f.next()?, f.next()?, f.next()?);
            path.starts_with(dir).then(|| (dir.len(), kind.to_string()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, kind)| kind)
}

/// Whether the file at `path` is on storage both hosts reach.
pub(super) fn on_shared_storage(path: &Path) -> bool {
    match fs_type(path) {
        Some(FUSE) => {
            mount_type(path).is_some_and(|t| t == "fuse.glusterfs" || t == "fuse.quobyte")
        }
        Some(t) => SHARED.contains(&t),
        None => false,
    }
}

/// Refuses a migration whose writable image files are on local storage, but for the
/// disks (targets) in `copied`, which a storage migration copies.
pub(super) fn check_disks(def: &DomainDef, copied: &[String]) -> Result<()> {
    for d in def.devices() {
        let Device::Disk(disk) = d else { continue };
        if disk.readonly || disk.disk_type != DiskType::File || copied.contains(&disk.target.dev) {
            continue;
        }
        let Some(path) = disk.source.as_ref().and_then(|s| s.file.as_deref()) else {
            continue;
        };
        if !on_shared_storage(Path::new(path)) {
            return Err(Error::new(
                ErrorCode::MigrateUnsafe,
                ErrorDomain::Qemu,
                "Migration without shared storage is unsafe",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_file_systems_are_not_shared() {
        // The temporary directory and /proc are local on every host.
        assert!(!on_shared_storage(
            &std::env::temp_dir().join("no-such-image")
        ));
        assert!(!on_shared_storage(Path::new("/proc/self")));
        assert!(
            fs_type(Path::new("/nonexistent/dir/x")).is_some(),
            "the root answers"
        );
    }
}

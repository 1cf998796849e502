//! The v1 `devices` controller as libvirt's device ACL: a guest's cgroup denies every
//! device node but those its QEMU uses (the same list as its private `/dev`:
//! [`crate::security::devices::guest_devices`]) and the ptys of `/dev/pts`, so a
//! device node reached some other way stays closed too. A hot-plugged device is
//! allowed before QEMU opens it ([`allow_recorded`]).

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::{CgroupError, Dir};

/// What every QEMU may open besides its devices: ptys (`/dev/pts/N`, major 136) and
/// `/dev/ptmx` (5:2), as in libvirt's default ACL.
pub const ALWAYS: [&str; 2] = ["c 136:* rw", "c 5:2 rw"];

/// The `devices.allow` rule of the node at `path` (`c|b MAJOR:MINOR rw`), `None`
/// when it is missing or no device node.
pub fn rule(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let kind = if meta.file_type().is_char_device() {
        'c'
    } else if meta.file_type().is_block_device() {
        'b'
    } else {
        return None;
    };
    let rdev = meta.rdev();
    Some(format!(
        "{kind} {}:{} rw",
        libc::major(rdev),
        libc::minor(rdev)
    ))
}

fn write(dir: &Path, file: &str, value: &str) -> Result<(), CgroupError> {
    std::fs::write(dir.join(file), value).map_err(|e| {
        CgroupError::Tuning(format!(
            "cannot write '{value}' to {file} of '{}': {e}",
            dir.display()
        ))
    })
}

/// Denies every device to the cgroup directory `dir`, then allows [`ALWAYS`] and the
/// nodes of `devices`.
pub fn restrict(dir: &Dir, devices: &[PathBuf]) -> Result<(), CgroupError> {
    write(&dir.path, "devices.deny", "a")?;
    for r in ALWAYS {
        write(&dir.path, "devices.allow", r)?;
    }
    allow(&dir.path, devices)
}

fn allow(dir: &Path, devices: &[PathBuf]) -> Result<(), CgroupError> {
    for r in devices.iter().filter_map(|p| rule(p)) {
        write(dir, "devices.allow", &r)?;
    }
    Ok(())
}

/// Allows `devices` in the devices cgroup recorded for the run whose status file is
/// `status` (nothing when it has none).
pub fn allow_recorded(status: &Path, devices: &[PathBuf]) -> Result<(), CgroupError> {
    let Ok(text) = std::fs::read_to_string(super::record_of(status)) else {
        return Ok(());
    };
    for line in text.lines().map(str::trim) {
        let dir = Path::new(line);
        if dir.starts_with(super::MOUNT) && dir.join("devices.allow").exists() {
            allow(dir, devices)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_of_char_and_block_nodes() {
        assert_eq!(rule(Path::new("/dev/null")).as_deref(), Some("c 1:3 rw"));
        assert_eq!(rule(Path::new("/dev/rvirt-none")), None);
        assert_eq!(rule(Path::new("/etc/hostname")), None);
    }
}

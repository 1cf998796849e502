//! What pools do on the host: `dir` pools are a directory, `fs` pools a block device
//! mounted on one. Build, start, stop, delete, and refresh (sizes from `statvfs`, the
//! target's permissions, and the volumes: every regular file and directory in it).

use std::ffi::CString;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

use rvirt_core::driver::files::system_error;
use rvirt_core::objconf::{Permissions, PoolDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::probe;
use crate::state::Pool;

const D: ErrorDomain = ErrorDomain::Storage;
/// libvirt's mode of a pool directory it creates.
const POOL_DIR_MODE: u32 = 0o711;
/// `VIR_STORAGE_POOL_BUILD_OVERWRITE`.
const BUILD_OVERWRITE: u32 = 8;

fn target(def: &PoolDef) -> Result<&Path> {
    def.target_path
        .as_deref()
        .map(Path::new)
        .ok_or_else(|| Error::xml(D, "missing storage pool target path"))
}

fn unsupported(def: &PoolDef) -> Error {
    Error::new(
        ErrorCode::NoSupport,
        D,
        format!("missing backend for pool type {}", def.pool_type),
    )
}

fn check_type(def: &PoolDef) -> Result<()> {
    match def.pool_type.as_str() {
        "dir" | "fs" => Ok(()),
        _ => Err(unsupported(def)),
    }
}

fn run(cmd: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| system_error(D, format_args!("cannot run {cmd}"), &e))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::internal(
        D,
        format!(
            "{cmd} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    ))
}

fn chown(path: &Path, perms: Option<&Permissions>) -> Result<()> {
    let Some(p) = perms else { return Ok(()) };
    if p.owner.is_none() && p.group.is_none() {
        return Ok(());
    }
    std::os::unix::fs::chown(path, p.owner, p.group)
        .map_err(|e| system_error(D, format_args!("cannot chown '{}'", path.display()), &e))
}

/// Builds the pool's storage: the target directory (mode and owner from the
/// definition), and for `fs` pools with `OVERWRITE` a new file system on the device.
pub(crate) fn build(def: &PoolDef, flags: u32) -> Result<()> {
    check_type(def)?;
    let dir = target(def)?;
    let mode = def
        .permissions
        .as_ref()
        .and_then(|p| p.mode)
        .unwrap_or(POOL_DIR_MODE);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(|e| {
            system_error(
                D,
                format_args!("cannot create path '{}'", dir.display()),
                &e,
            )
        })?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).map_err(|e| {
        system_error(
            D,
            format_args!("cannot set mode of '{}'", dir.display()),
            &e,
        )
    })?;
    chown(dir, def.permissions.as_ref())?;
    if def.pool_type == "fs" && flags & BUILD_OVERWRITE != 0 {
        let dev = device(def)?;
        let fmt = def
            .source
            .format
            .as_deref()
            .filter(|f| *f != "auto")
            .unwrap_or("ext4");
        run("mkfs", &["-t", fmt, "-F", dev])?;
    }
    Ok(())
}

fn device(def: &PoolDef) -> Result<&str> {
    def.source
        .devices
        .first()
        .and_then(|d| d.get("path"))
        .ok_or_else(|| Error::xml(D, "missing storage pool source device name"))
}

fn mounted(dir: &Path) -> bool {
    let want = dir.display().to_string();
    std::fs::read_to_string("/proc/self/mounts")
        .map(|m| {
            m.lines()
                .any(|l| l.split_whitespace().nth(1) == Some(want.as_str()))
        })
        .unwrap_or(false)
}

/// Starts the pool: its target must be a directory; an `fs` pool's device is mounted
/// there.
pub(crate) fn start(def: &PoolDef) -> Result<()> {
    check_type(def)?;
    let dir = target(def)?;
    let meta = std::fs::metadata(dir).map_err(|e| {
        system_error(
            D,
            format_args!("cannot open directory '{}'", dir.display()),
            &e,
        )
    })?;
    if !meta.is_dir() {
        return Err(Error::new(
            ErrorCode::InternalError,
            D,
            format!("'{}' is not a directory", dir.display()),
        ));
    }
    if def.pool_type == "fs" && !mounted(dir) {
        let dev = device(def)?;
        let target = dir.to_str().unwrap_or_default();
        match def.source.format.as_deref().filter(|f| *f != "auto") {
            Some(fmt) => run("mount", &["-t", fmt, dev, target])?,
            None => run("mount", &[dev, target])?,
        }
    }
    Ok(())
}

/// Stops the pool (unmounts an `fs` pool).
pub(crate) fn stop(def: &PoolDef) -> Result<()> {
    let dir = target(def)?;
    if def.pool_type == "fs" && mounted(dir) {
        run("umount", &[dir.to_str().unwrap_or_default()])?;
    }
    Ok(())
}

/// Deletes the pool's storage: its (empty) target directory.
pub(crate) fn delete(def: &PoolDef) -> Result<()> {
    check_type(def)?;
    let dir = target(def)?;
    match std::fs::remove_dir(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(system_error(
            D,
            format_args!("failed to remove pool '{}'", dir.display()),
            &e,
        )),
        _ => Ok(()),
    }
}

/// Sizes of the file system holding `dir`: (capacity, allocation, available).
fn statvfs(dir: &Path) -> Result<(u64, u64, u64)> {
    let c = CString::new(dir.as_os_str().as_encoded_bytes())
        .map_err(|_| Error::invalid_arg(D, "path contains a NUL byte"))?;
    let mut st: libc::statvfs = unsafe_zeroed();
    // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statvfs.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if rc != 0 {
        return Err(system_error(
            D,
            format_args!("cannot statvfs path '{}'", dir.display()),
            &std::io::Error::last_os_error(),
        ));
    }
    let frsize = st.f_frsize;
    let capacity = st.f_blocks * frsize;
    let available = st.f_bavail * frsize;
    let allocation = st.f_blocks.saturating_sub(st.f_bfree) * frsize;
    Ok((capacity, allocation, available))
}

fn unsafe_zeroed() -> libc::statvfs {
    // SAFETY: statvfs is plain old data; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

/// Rescans the pool: sizes, the target's permissions, and its volumes.
pub(crate) fn refresh(pool: &mut Pool) -> Result<()> {
    let dir = target(&pool.def)?.to_path_buf();
    let (capacity, allocation, available) = statvfs(&dir)?;
    pool.def.capacity = capacity;
    pool.def.allocation = allocation;
    pool.def.available = available;
    let meta = std::fs::metadata(&dir).map_err(|e| {
        system_error(
            D,
            format_args!("cannot open directory '{}'", dir.display()),
            &e,
        )
    })?;
    pool.def.permissions = Some(Permissions {
        mode: Some(meta.mode() & 0o7777),
        owner: Some(meta.uid()),
        group: Some(meta.gid()),
        label: None,
    });
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        system_error(
            D,
            format_args!("cannot open directory '{}'", dir.display()),
            &e,
        )
    })?;
    let mut volumes = Vec::new();
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if let Some(v) = probe::volume(&name, &entry.path()) {
            volumes.push(v);
        }
    }
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    pool.volumes = volumes;
    Ok(())
}

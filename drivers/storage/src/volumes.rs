//! What volumes of a directory pool are on the host: files (raw, sparse unless an
//! allocation is asked for; qcow2 through `qemu-img`, over a backing store if given).
//! Create, clone, delete, wipe and resize; the caller re-probes the file afterwards.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rvirt_core::driver::files::system_error;
use rvirt_core::objconf::{PoolDef, VolDef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::encryption::VolSecret;
use crate::qemu_img;

const D: ErrorDomain = ErrorDomain::Storage;
/// Mode of a volume file created without `<permissions>` (libvirt's 0600).
const VOL_MODE: u32 = 0o600;
/// `VIR_STORAGE_VOL_RESIZE_ALLOCATE`, `_DELTA`, `_SHRINK`.
const RESIZE_ALLOCATE: u32 = 1;
const RESIZE_DELTA: u32 = 2;
const RESIZE_SHRINK: u32 = 4;

/// The path a new volume `name` of `pool` gets; names that would leave the pool's
/// directory are refused as libvirt refuses them.
pub(crate) fn path_for(pool: &PoolDef, name: &str) -> Result<PathBuf> {
    if name.contains('/') || name == "." || name == ".." || name.is_empty() {
        return Err(Error::invalid_arg(
            D,
            format!("volume name '{name}' cannot contain '/'"),
        ));
    }
    let dir = pool.target_path.as_deref().unwrap_or_default();
    Ok(Path::new(dir).join(name))
}

fn format_of(vol: &VolDef) -> Result<&str> {
    match vol.format.as_deref().unwrap_or("raw") {
        f @ ("raw" | "qcow2" | "dir") => Ok(f),
        other => Err(Error::new(
            ErrorCode::NoSupport,
            D,
            format!("creating volumes of format '{other}' is not supported"),
        )),
    }
}

fn apply_permissions(path: &Path, vol: &VolDef) -> Result<()> {
    let p = vol.permissions.as_ref();
    let mode = p.and_then(|p| p.mode).unwrap_or(VOL_MODE);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
        system_error(
            D,
            format_args!("cannot set mode of '{}'", path.display()),
            &e,
        )
    })?;
    if let Some(p) = p
        && (p.owner.is_some() || p.group.is_some())
    {
        std::os::unix::fs::chown(path, p.owner, p.group)
            .map_err(|e| system_error(D, format_args!("cannot chown '{}'", path.display()), &e))?;
    }
    Ok(())
}

fn fallocate(f: &File, path: &Path, len: u64) -> Result<()> {
    use std::os::fd::AsRawFd;
    let len = i64::try_from(len).map_err(|_| Error::invalid_arg(D, "allocation too large"))?;
    // SAFETY: `f` is an open file descriptor for the duration of the call.
    let rc = unsafe { libc::posix_fallocate(f.as_raw_fd(), 0, len) };
    if rc != 0 {
        return Err(system_error(
            D,
            format_args!("cannot allocate {len} bytes in file '{}'", path.display()),
            &std::io::Error::from_raw_os_error(rc),
        ));
    }
    Ok(())
}

fn new_file(path: &Path) -> Result<File> {
    File::options()
        .write(true)
        .read(true)
        .create_new(true)
        .mode(VOL_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| {
            system_error(
                D,
                format_args!("cannot create path '{}'", path.display()),
                &e,
            )
        })
}

/// Creates volume `vol` at `path`, encrypted with `secret` when given (a raw one
/// becomes a LUKS image, a qcow2 one has LUKS encryption).
pub(crate) fn create(path: &Path, vol: &VolDef, secret: Option<&VolSecret>) -> Result<()> {
    let format = format_of(vol)?;
    if secret.is_some() && format == "dir" {
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            D,
            format!("volume encryption unsupported with format {format}"),
        ));
    }
    match format {
        "raw" if secret.is_some() => {
            if vol.backing.is_some() {
                return Err(Error::new(
                    ErrorCode::ConfigUnsupported,
                    D,
                    "backing storage not supported for raw volumes",
                ));
            }
            qemu_img::create(path, "raw", vol.capacity, None, "", secret)?;
        }
        "dir" => std::fs::create_dir(path).map_err(|e| {
            system_error(
                D,
                format_args!("cannot create path '{}'", path.display()),
                &e,
            )
        })?,
        "raw" => {
            if vol.backing.is_some() {
                return Err(Error::new(
                    ErrorCode::ConfigUnsupported,
                    D,
                    "backing storage not supported for raw volumes",
                ));
            }
            let f = new_file(path)?;
            f.set_len(vol.capacity).map_err(|e| {
                system_error(
                    D,
                    format_args!("cannot extend file '{}'", path.display()),
                    &e,
                )
            })?;
            if let Some(a) = vol.allocation.filter(|a| *a > 0) {
                fallocate(&f, path, a.min(vol.capacity))?;
            }
        }
        _ => {
            let backing = vol
                .backing
                .as_ref()
                .map(|b| (b.path.as_str(), b.format.as_deref().unwrap_or("raw")));
            let mut opts = format!("compat={}", vol.compat.as_deref().unwrap_or("1.1"));
            if vol.features.iter().any(|f| f == "lazy_refcounts") {
                opts.push_str(",lazy_refcounts=on");
            }
            qemu_img::create(path, "qcow2", vol.capacity, backing, &opts, secret)?;
        }
    }
    apply_permissions(path, vol)
}

/// Copies `src` (a volume of format `src_format`) into new volume `vol` at `path`:
/// raw to raw by copying the data (holes stay holes), everything else through
/// `qemu-img convert`; then grows it to the new volume's capacity.
pub(crate) fn clone(path: &Path, vol: &VolDef, src: &Path, src_format: &str) -> Result<()> {
    let format = format_of(vol)?;
    if format == "raw" && src_format == "raw" {
        let mut input = File::open(src)
            .map_err(|e| system_error(D, format_args!("cannot open '{}'", src.display()), &e))?;
        let mut out = new_file(path)?;
        let len = input.metadata().map(|m| m.len()).unwrap_or(0);
        copy_sparse(&mut input, &mut out, len).map_err(|e| {
            system_error(D, format_args!("cannot copy to '{}'", path.display()), &e)
        })?;
        if vol.capacity > len {
            out.set_len(vol.capacity).map_err(|e| {
                system_error(
                    D,
                    format_args!("cannot extend file '{}'", path.display()),
                    &e,
                )
            })?;
        }
    } else {
        qemu_img::convert(src, src_format, path, format)?;
        let size = crate::probe::volume("", path).map_or(0, |v| v.capacity);
        if vol.capacity > size {
            qemu_img::resize(path, format, vol.capacity, false)?;
        }
    }
    apply_permissions(path, vol)
}

/// Copies `len` bytes, seeking over blocks of zeroes so they stay holes.
fn copy_sparse(input: &mut File, out: &mut File, len: u64) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if buf[..n].iter().all(|b| *b == 0) {
            out.seek(SeekFrom::Current(n as i64))?;
        } else {
            out.write_all(&buf[..n])?;
        }
    }
    out.set_len(len)?;
    Ok(())
}

/// Deletes the volume at `path` (a file, or an empty directory).
pub(crate) fn delete(path: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| system_error(D, format_args!("cannot stat '{}'", path.display()), &e))?;
    let r = if meta.is_dir() {
        std::fs::remove_dir(path)
    } else {
        std::fs::remove_file(path)
    };
    r.map_err(|e| {
        system_error(
            D,
            format_args!("cannot unlink file '{}'", path.display()),
            &e,
        )
    })
}

/// Overwrites the volume's data with zeroes; a qcow2 volume is made again, empty, of
/// the same size (its header is data too).
pub(crate) fn wipe(path: &Path, vol: &VolDef) -> Result<()> {
    if vol.format.as_deref() == Some("qcow2") {
        if vol.encryption.is_some() {
            // Made again it would lose its encryption: the secret is not known here.
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                D,
                "wiping an encrypted qcow2 volume is not supported",
            ));
        }
        delete(path)?;
        let mut fresh = vol.clone();
        fresh.allocation = None;
        return create(path, &fresh, None);
    }
    let mut f = File::options()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| system_error(D, format_args!("cannot open '{}'", path.display()), &e))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let zeroes = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < len {
        let n = (len - done).min(zeroes.len() as u64) as usize;
        f.write_all(&zeroes[..n])
            .map_err(|e| system_error(D, format_args!("cannot wipe '{}'", path.display()), &e))?;
        done += n as u64;
    }
    f.sync_all()
        .map_err(|e| system_error(D, format_args!("cannot sync '{}'", path.display()), &e))
}

/// Changes the capacity of the volume at `path` (`flags`: allocate, delta, shrink).
pub(crate) fn resize(path: &Path, vol: &VolDef, capacity: u64, flags: u32) -> Result<()> {
    let want = if flags & RESIZE_DELTA != 0 {
        if flags & RESIZE_SHRINK != 0 {
            vol.capacity.checked_sub(capacity)
        } else {
            vol.capacity.checked_add(capacity)
        }
        .ok_or_else(|| Error::invalid_arg(D, "resize would overflow"))?
    } else {
        capacity
    };
    if want < vol.capacity && flags & RESIZE_SHRINK == 0 {
        return Err(Error::invalid_arg(
            D,
            "Can't shrink capacity below current capacity unless shrink flag explicitly specified",
        ));
    }
    if want == 0 {
        return Err(Error::invalid_arg(D, "can't shrink capacity below zero"));
    }
    match vol.format.as_deref() {
        Some("qcow2") => qemu_img::resize(path, "qcow2", want, want < vol.capacity),
        Some("raw") | None => {
            let f = File::options()
                .write(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)
                .map_err(|e| {
                    system_error(D, format_args!("cannot open '{}'", path.display()), &e)
                })?;
            f.set_len(want).map_err(|e| {
                system_error(D, format_args!("cannot resize '{}'", path.display()), &e)
            })?;
            if flags & RESIZE_ALLOCATE != 0 {
                fallocate(&f, path, want)?;
            }
            Ok(())
        }
        Some(other) => Err(Error::new(
            ErrorCode::NoSupport,
            D,
            format!("resizing volumes of format '{other}' is not supported"),
        )),
    }
}

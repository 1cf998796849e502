//! A domain's UEFI variable store: `NVRAM_DIR/NAME_VARS.fd`, copied from the
//! firmware's template at the first start (temp file + fsync + rename) and kept across
//! starts; removed by `virDomainUndefineFlags(VIR_DOMAIN_UNDEFINE_NVRAM)`.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rvirt_core::conf::DomainDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// The largest template copied (OVMF's 4M variable store is 540 KiB).
pub const MAX_TEMPLATE_BYTES: u64 = 64 * 1024 * 1024;

/// `VIR_DOMAIN_UNDEFINE_NVRAM`: remove the variable store with the definition.
pub const UNDEFINE_NVRAM: u32 = 1 << 2;
/// `VIR_DOMAIN_UNDEFINE_KEEP_NVRAM`: keep it.
pub const UNDEFINE_KEEP_NVRAM: u32 = 1 << 3;

fn sys(what: String, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{what}: {e}"),
    )
}

/// `nvram_dir/NAME_VARS.fd` (libvirt's `qemuDomainNVRAMPathFormat`).
///
/// Errors: `VIR_ERR_INTERNAL_ERROR` for a name that is not a plain file name part.
pub fn path_for(nvram_dir: &Path, name: &str) -> Result<PathBuf> {
    if name.is_empty() || name.contains('/') || name.contains('\0') || name.starts_with('.') {
        return Err(Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Qemu,
            format!("domain name '{name}' cannot name an nvram file"),
        ));
    }
    Ok(nvram_dir.join(format!("{name}_VARS.fd")))
}

/// The store the definition names, whether or not it exists: its `<nvram>` path, or for
/// `firmware='efi'` (whose path is chosen at start) the default one.
pub fn store_of(def: &DomainDef, nvram_dir: &Path) -> Option<PathBuf> {
    match def.os.nvram.as_ref().and_then(|n| n.path.as_ref()) {
        Some(p) => Some(PathBuf::from(p)),
        None if def.os.firmware == Some(rvirt_core::conf::Firmware::Efi) => {
            path_for(nvram_dir, &def.name).ok()
        }
        None => None,
    }
}

/// Makes sure the store of a filled definition exists: a missing one inside
/// `nvram_dir` is copied from the template (0600); one elsewhere must exist already
/// (the driver creates files only under its own root).
///
/// Errors: libvirt's `VIR_ERR_OPERATION_FAILED` "unable to find any master var store
/// for loader: PATH" without a template; `VIR_ERR_CONFIG_UNSUPPORTED` for a missing
/// store outside `nvram_dir`; `VIR_ERR_SYSTEM_ERROR` for I/O.
pub fn ensure(def: &DomainDef, nvram_dir: &Path) -> Result<()> {
    let Some(nv) = def.os.nvram.as_ref() else {
        return Ok(());
    };
    let Some(path) = nv.path.as_ref().map(PathBuf::from) else {
        return Ok(());
    };
    if path.exists() {
        return Ok(());
    }
    let inside = path.parent() == Some(nvram_dir)
        && path
            .file_name()
            .is_some_and(|f| !f.to_string_lossy().starts_with('.'));
    if !inside {
        return Err(crate::command_line::unsupported(format!(
            "nvram '{}' does not exist, and only stores under '{}' are created",
            path.display(),
            nvram_dir.display()
        )));
    }
    let Some(template) = nv.template.as_ref() else {
        let loader = def
            .os
            .loader
            .as_ref()
            .and_then(|l| l.path.clone())
            .unwrap_or_default();
        return Err(Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Qemu,
            format!("unable to find any master var store for loader: {loader}"),
        ));
    };
    copy_atomic(Path::new(template), &path)
}

fn copy_atomic(template: &Path, dest: &Path) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| sys(format!("cannot create '{}'", dir.display()), &e))?;
    let mut src = std::fs::File::open(template)
        .map_err(|e| sys(format!("Failed to open file '{}'", template.display()), &e))?;
    let mut data = Vec::new();
    (&mut src)
        .take(MAX_TEMPLATE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| sys(format!("Failed to read '{}'", template.display()), &e))?;
    if data.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(Error::new(
            ErrorCode::InternalError,
            ErrorDomain::Qemu,
            format!("nvram template '{}' is too large", template.display()),
        ));
    }
    let tmp = dir.join(format!(
        ".{}.tmp",
        dest.file_name().unwrap_or_default().to_string_lossy()
    ));
    let write = || -> std::io::Result<()> {
        let _ = std::fs::remove_file(&tmp);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dest)?;
        std::fs::File::open(dir)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        sys(format!("cannot create nvram '{}'", dest.display()), &e)
    })
}

/// What undefine does with the store of `def` (libvirt's `qemuDomainUndefineFlags`):
/// with `VIR_DOMAIN_UNDEFINE_NVRAM` an existing store under `nvram_dir` is removed
/// (one elsewhere is left: the driver deletes only its own files); without it or
/// `KEEP_NVRAM`, an existing store refuses the undefine.
///
/// Errors: libvirt's `VIR_ERR_OPERATION_INVALID` "cannot undefine domain with
/// nvram"; `VIR_ERR_SYSTEM_ERROR` when the removal fails.
pub fn on_undefine(def: &DomainDef, nvram_dir: &Path, flags: u32) -> Result<()> {
    let Some(path) = store_of(def, nvram_dir).filter(|p| p.exists()) else {
        return Ok(());
    };
    if flags & UNDEFINE_NVRAM != 0 {
        if path.parent() == Some(nvram_dir) {
            std::fs::remove_file(&path)
                .map_err(|e| sys(format!("failed to remove nvram: {}", path.display()), &e))?;
        }
        Ok(())
    } else if flags & UNDEFINE_KEEP_NVRAM != 0 {
        Ok(())
    } else {
        Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "cannot undefine domain with nvram",
        ))
    }
}

//! The host side of a guest's RAM backing at start: its directory on each hugetlbfs
//! mount (`MOUNT/libvirt/qemu/ID-NAME`, as libvirt's, owned by QEMU's user, removed
//! when the run ends), a check that enough huge pages are free, and the host's NUMA
//! nodes.

use std::path::Path;

use rvirt_core::conf::DomainDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::command_line::HostMemory;
use crate::host::memory::{default_hugepage_kib, free_hugepages, hugetlbfs_mounts, numa_nodes};
use crate::security::DacPlan;

/// The [`HostMemory`] of a start of `def` as domain `id`, its file-backed RAM in
/// `priv_dir` (QEMU's own directory).
///
/// Errors: `VIR_ERR_OPERATION_FAILED` when fewer huge pages are free than the guest's
/// RAM needs; `VIR_ERR_SYSTEM_ERROR` when a directory cannot be made.
pub(crate) fn host_memory(
    def: &DomainDef,
    id: u32,
    priv_dir: &Path,
    dac: Option<&DacPlan>,
) -> Result<HostMemory> {
    let default = default_hugepage_kib();
    let hugepages = def
        .memory_backing
        .as_ref()
        .and_then(|b| b.hugepages.as_ref());
    let mut host = HostMemory {
        hugepage_dirs: Vec::new(),
        default_hugepage_kib: default,
        ram_dir: priv_dir.to_path_buf(),
        numa_nodes: numa_nodes(),
    };
    for m in hugetlbfs_mounts() {
        let dir = hugepage_dir(&m.mount, id, def);
        host.hugepage_dirs.push((m.page_kib, dir));
    }
    let Some(hp) = hugepages else {
        return Ok(host);
    };
    let sizes: Vec<u64> = if hp.pages.is_empty() {
        default.into_iter().collect()
    } else {
        hp.pages.iter().map(|p| p.size).collect()
    };
    for kib in sizes {
        let Some((_, dir)) = host.hugepage_dirs.iter().find(|(k, _)| *k == kib) else {
            // The argv reports libvirt's error for a size without a mount.
            continue;
        };
        let need = def.memory_kib();
        let free = free_hugepages(kib) * kib;
        if free < need {
            return Err(Error::new(
                ErrorCode::OperationFailed,
                ErrorDomain::Qemu,
                format!(
                    "not enough free huge pages of {kib} KiB: the guest needs {need} KiB, {free} KiB are free"
                ),
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!("cannot create '{}': {e}", dir.display()),
            )
        })?;
        if let Some(plan) = dac {
            std::os::unix::fs::chown(dir, Some(plan.ids.uid), Some(plan.ids.gid)).map_err(|e| {
                Error::new(
                    ErrorCode::SystemError,
                    ErrorDomain::Qemu,
                    format!("unable to set owner of '{}': {e}", dir.display()),
                )
            })?;
        }
    }
    Ok(host)
}

/// `MOUNT/libvirt/qemu/ID-NAME` of `def`'s run `id` on each hugetlbfs mount.
fn hugepage_dir(mount: &Path, id: u32, def: &DomainDef) -> std::path::PathBuf {
    mount.join(format!("libvirt/qemu/{id}-{}", def.name))
}

/// Removes the run's (empty) directories on the hugetlbfs mounts: QEMU's backing file
/// in them was unlinked when it was opened.
pub(crate) fn remove_hugepage_dirs(def: &DomainDef, id: u32) {
    if def
        .memory_backing
        .as_ref()
        .is_none_or(|b| b.hugepages.is_none())
    {
        return;
    }
    for m in hugetlbfs_mounts() {
        let _ = std::fs::remove_dir(hugepage_dir(&m.mount, id, def));
    }
}

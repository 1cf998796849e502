//! What the start of a `qemu:///system` guest does for DAC before QEMU is spawned,
//! and what every stop undoes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rvirt_core::conf::DomainDef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::owners::{Relabel, check_reachable};
use super::{DacPlan, guest_files};

fn system(what: String, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{what}: {e}"),
    )
}

/// Opens a root directory to QEMU's user for search only (`0711`, as libvirt's
/// `/var/lib/libvirt/qemu`), so that it reaches its private directory and pid file.
fn searchable(dir: &Path) -> Result<()> {
    let meta = std::fs::metadata(dir)
        .map_err(|e| system(format!("cannot stat '{}'", dir.display()), &e))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o011 != 0o011 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o011))
            .map_err(|e| system(format!("cannot set permissions of '{}'", dir.display()), &e))?;
    }
    Ok(())
}

fn chown(path: &Path, plan: &DacPlan) -> Result<()> {
    std::os::unix::fs::chown(path, Some(plan.ids.uid), Some(plan.ids.gid)).map_err(|e| {
        system(
            format!(
                "unable to set user and group to '{}:{}' on '{}'",
                plan.ids.uid,
                plan.ids.gid,
                path.display()
            ),
            &e,
        )
    })
}

/// Gives QEMU's user what it needs for `def`: its private directory (0700, owned by
/// it) and the monitor socket in it, search access to the root and its `lib/qemu`
/// and `run/qemu` directories (`ensure_private_dir` makes them 0700 again when the
/// next instance opens the root; every start reopens them), the pid file (created empty for QEMU to fill) and, unless the plan
/// says not to relabel, the guest's images, kernel, initrd and chardev files (each
/// original owner recorded next to the status file `status`). A disk below a directory the user cannot
/// search fails with libvirt's "Cannot access storage file" error.
pub fn prepare(
    def: &DomainDef,
    plan: &DacPlan,
    priv_dir: &Path,
    monitor: &Path,
    pidfile: &Path,
    status: &Path,
) -> Result<()> {
    // ROOT/lib/qemu, ROOT/lib, ROOT/run/qemu, ROOT/run and ROOT (created 0700).
    let lib = priv_dir.parent();
    let run = pidfile.parent();
    let parents = [
        lib,
        lib.and_then(Path::parent),
        run,
        run.and_then(Path::parent),
    ];
    let root = parents[1].and_then(Path::parent);
    for dir in parents.into_iter().chain([root]).flatten() {
        searchable(dir)?;
    }
    std::fs::set_permissions(priv_dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
        system(
            format!("cannot set permissions of '{}'", priv_dir.display()),
            &e,
        )
    })?;
    chown(priv_dir, plan)?;
    chown(monitor, plan)?;
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(pidfile)
        .map_err(|e| system(format!("cannot create '{}'", pidfile.display()), &e))?;
    chown(pidfile, plan)?;
    relabel(guest_files(def), plan, status)
}

/// Chowns `files` (`(path, create)`) for `plan` unless it says not to relabel, their
/// owners recorded for the run whose status file is `status` (a live-attached disk's
/// too: restored at stop).
pub fn relabel(
    files: Vec<(std::path::PathBuf, bool)>,
    plan: &DacPlan,
    status: &Path,
) -> Result<()> {
    if !plan.relabel {
        return Ok(());
    }
    let mut relabel = Relabel::new(&plan.ids, &super::owners::record_of(status));
    for (path, create) in files {
        if !create {
            check_reachable(&path, &plan.ids)?;
        }
        relabel.set(&path, create)?;
    }
    Ok(())
}

/// Undoes the confinement of the run whose status file is `status`: file owners
/// restored, the guest's cgroup removed, both records deleted.
pub fn release(status: &Path) {
    super::owners::restore(&super::owners::record_of(status));
    super::cgroup::remove_recorded(status);
}

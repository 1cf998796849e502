//! A cgroup per guest, named as libvirt's `machine.slice/machine-qemu\x2dID\x2dNAME.scope`:
//! on cgroup v2 ([`v2`]) one directory with cpu, memory and io enabled; on cgroup v1
//! ([`v1`]) one in each of the cpu, cpuacct, memory, blkio and devices hierarchies,
//! the latter allowing only the guest's device nodes ([`devices`]). The
//! directories are made and tuned (`<cputune>`, `<memtune>`, `<blkiotune>`) before QEMU
//! is spawned, QEMU is moved in while it initialises paused (`-S`) and before the
//! `cont` that lets its vCPUs run guest code, and they are removed when the guest
//! stops. Where neither version is mounted or writable the guest runs
//! in the daemon's cgroup and [`GuestCgroup::create`] says why; tuning a host cannot
//! apply fails the start, as in libvirt.

pub mod devices;
pub mod threads;
pub mod v1;
pub mod v2;

use std::path::{Path, PathBuf};

use rvirt_core::conf::DomainDef;

/// Where cgroups are mounted (the unified hierarchy, or v1's per-controller ones
/// below it).
pub const MOUNT: &str = "/sys/fs/cgroup";

/// The record of the guest's cgroup paths next to its status file (`NAME.cgroup`,
/// one path a line, in root's directory: QEMU's user cannot point it elsewhere).
pub fn record_of(status: &Path) -> PathBuf {
    status.with_extension("cgroup")
}

/// libvirt's scope name: `-` in the name escaped as `\x2d`, as systemd does.
pub fn scope_name(id: u32, name: &str) -> String {
    let esc = |s: &str| s.replace('-', "\\x2d").replace('/', "\\x2f");
    format!("machine-qemu\\x2d{id}\\x2d{}.scope", esc(name))
}

/// libvirt's `virCgroupV2SetCpuShares` conversion (shares 2…262144 → weight 1…10000).
pub fn shares_to_weight(shares: u64) -> u64 {
    let s = shares.clamp(2, 262_144);
    1 + ((s - 2) * 9999) / 262_142
}

/// Whether `def` asks for tuning only a cgroup of its own can carry (`<cputune>`
/// shares, periods and quotas, `<memtune>` limits, `<blkiotune>` weight and devices).
pub fn tuning_asked(def: &DomainDef) -> bool {
    let cpu = def.cputune.as_ref().is_some_and(|t| {
        t.shares.is_some() || t.global_period.is_some() || t.global_quota.is_some()
    });
    let mem = def.memtune.as_ref().is_some_and(|t| {
        t.hard_limit.is_some() || t.soft_limit.is_some() || t.swap_hard_limit.is_some()
    });
    let io = def
        .blkiotune
        .as_ref()
        .is_some_and(|t| t.weight.is_some() || !t.devices.is_empty());
    cpu || mem || io || threads::asked(def)
}

/// Why a guest has no cgroup, or why its start fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CgroupError {
    /// No usable cgroup hierarchy: the guest runs in the daemon's cgroup.
    Unavailable(String),
    /// The definition asks for tuning this host cannot apply: the start fails.
    Tuning(String),
}

impl std::fmt::Display for CgroupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CgroupError::Unavailable(m) | CgroupError::Tuning(m) => f.write_str(m),
        }
    }
}

/// One directory of a guest's cgroup and the controllers it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dir {
    /// The directory below [`MOUNT`].
    pub path: PathBuf,
    /// Its controllers (`cpu`, `memory`, …).
    pub controllers: Vec<String>,
}

/// One guest's cgroup: one directory on v2, one per hierarchy on v1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestCgroup {
    /// Its directories.
    pub dirs: Vec<Dir>,
    /// Whether it is cgroup v2's.
    pub unified: bool,
}

/// Removes `dir`'s subdirectories and then `dir` (retrying briefly while an exiting
/// QEMU leaves it), and its `machine.slice` once no guest is left there (a guest being
/// created meanwhile makes it again: [`create_scope`]).
pub(crate) fn remove_dir(dir: &Dir) {
    if let Ok(entries) = std::fs::read_dir(&dir.path) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                rmdir_retrying(&e.path());
            }
        }
    }
    rmdir_retrying(&dir.path);
    if let Some(slice) = dir
        .path
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "machine.slice"))
    {
        let _ = std::fs::remove_dir(slice);
    }
}

/// Creates `slice/scope` (and `slice`), again if the slice of the last guest that
/// stopped went away in between.
pub(crate) fn create_scope(slice: &Path, scope: &str) -> std::io::Result<PathBuf> {
    let path = slice.join(scope);
    let mut tries = 0;
    loop {
        match std::fs::create_dir_all(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && tries < 3 => tries += 1,
            other => return other.map(|()| path),
        }
    }
}

fn rmdir_retrying(path: &Path) {
    for _ in 0..100 {
        match std::fs::remove_dir(path) {
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            _ => return,
        }
    }
}

impl GuestCgroup {
    /// Creates the cgroup of guest `id`/`def.name` under `base` (normally [`MOUNT`]):
    /// v2 where it is mounted there, else v1; applies `def`'s tuning (the per-thread
    /// part later, [`threads::place`], once QEMU's threads exist; checked here).
    /// On v1 the devices hierarchy allows only `devices` (and ptys).
    pub fn create(
        base: &Path,
        id: u32,
        def: &DomainDef,
        devices: &[PathBuf],
    ) -> Result<GuestCgroup, CgroupError> {
        // Another daemon on the host (a second root, a migration's other end) may run
        // a guest of the same id and name: its populated scope is left to it, and this
        // guest takes the next free one (`…-1.scope`, `…-2.scope`).
        let plain = scope_name(id, &def.name);
        let mut n = 0;
        let cg = loop {
            let scope = match n {
                0 => plain.clone(),
                n => format!("{}\\x2d{n}.scope", plain.trim_end_matches(".scope")),
            };
            let cg = if v2::mounted(base) {
                GuestCgroup {
                    dirs: vec![v2::create(base, &scope)?],
                    unified: true,
                }
            } else {
                GuestCgroup {
                    dirs: v1::create(base, &scope)?,
                    unified: false,
                }
            };
            if n >= 16 || !cg.populated() {
                break cg;
            }
            n += 1;
        };
        let applied = if cg.unified {
            v2::apply(&cg.dirs[0], def)
        } else {
            v1::apply(&cg.dirs, def).and_then(|()| {
                match cg
                    .dirs
                    .iter()
                    .find(|d| d.controllers.iter().any(|c| c == "devices"))
                {
                    Some(d) => devices::restrict(d, devices),
                    None => Ok(()),
                }
            })
        }
        .and_then(|()| {
            if threads::asked(def) {
                threads::check(&cg)
            } else {
                Ok(())
            }
        });
        if let Err(e) = applied {
            cg.remove();
            return Err(e);
        }
        Ok(cg)
    }

    /// Whether a process already runs in it.
    fn populated(&self) -> bool {
        self.procs_files()
            .iter()
            .any(|f| std::fs::read_to_string(f).is_ok_and(|procs| !procs.trim().is_empty()))
    }

    /// The directory carrying `controller`.
    pub fn dir_of(&self, controller: &str) -> Option<&Path> {
        self.dirs
            .iter()
            .find(|d| d.controllers.iter().any(|c| c == controller))
            .map(|d| d.path.as_path())
    }

    /// The `cgroup.procs` files of its directories.
    pub fn procs_files(&self) -> Vec<PathBuf> {
        self.dirs
            .iter()
            .map(|d| d.path.join("cgroup.procs"))
            .collect()
    }

    /// Moves process `pid` (all its threads) into the cgroup.
    pub fn place(&self, pid: u32) -> Result<(), String> {
        for f in self.procs_files() {
            std::fs::write(&f, pid.to_string())
                .map_err(|e| format!("cannot move {pid} into '{}': {e}", f.display()))?;
        }
        Ok(())
    }

    /// Records the paths for the run whose status file is `status`, so that the stop
    /// (of any instance) removes them.
    pub fn record(&self, status: &Path) -> std::io::Result<()> {
        let mut text = Vec::new();
        for d in &self.dirs {
            text.extend_from_slice(d.path.as_os_str().as_encoded_bytes());
            text.push(b'\n');
        }
        std::fs::write(record_of(status), text)
    }

    /// Removes the directories.
    pub fn remove(&self) {
        for d in &self.dirs {
            remove_dir(d);
        }
    }
}

/// The directories recorded for the run whose status file is `status` (only paths
/// below [`MOUNT`] without `..`: the record is root's, but checked all the same).
pub fn recorded_dirs(status: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(record_of(status)) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .filter(|path| {
            path.starts_with(MOUNT)
                && !path
                    .components()
                    .any(|c| c == std::path::Component::ParentDir)
        })
        .collect()
}

/// The recorded directory of the cgroup v1 cpu controller (the one with `cpu.shares`)
/// of the run whose status file is `status`.
pub fn recorded_cpu_dir(status: &Path) -> Option<PathBuf> {
    recorded_dir_with(status, "cpu.shares")
}

/// The recorded directory of the run whose status file is `status` that has the
/// controller file `file` (`memory.limit_in_bytes`, …): cgroup v1's directory of
/// that controller.
pub fn recorded_dir_with(status: &Path, file: &str) -> Option<PathBuf> {
    recorded_dirs(status)
        .into_iter()
        .find(|d| d.join(file).exists())
}

/// Removes the cgroup recorded for the run whose status file is `status`, if any (only
/// paths below [`MOUNT`]), and the record.
pub fn remove_recorded(status: &Path) {
    let dirs = recorded_dirs(status);
    let _ = std::fs::remove_file(record_of(status));
    for path in dirs {
        remove_dir(&Dir {
            path,
            controllers: Vec::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_weights_as_libvirt() {
        assert_eq!(
            scope_name(3, "my-vm"),
            "machine-qemu\\x2d3\\x2dmy\\x2dvm.scope"
        );
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(262_144), 10000);
    }

    #[test]
    fn no_hierarchy_mounted_is_a_reason() {
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        let e = GuestCgroup::create(Path::new("/nonexistent-cgroup"), 1, &def, &[]).unwrap_err();
        assert!(
            matches!(&e, CgroupError::Unavailable(m) if m.contains("are mounted at /nonexistent-cgroup")),
            "{e}"
        );
    }
}

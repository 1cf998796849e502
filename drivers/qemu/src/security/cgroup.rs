//! A cgroup v2 per guest, as libvirt's `machine.slice/machine-qemu\x2dID\x2dNAME.scope`:
//! cpu, memory and io controllers enabled, `<cputune><shares>` as `cpu.weight` and
//! `<memtune><hard_limit>` as `memory.max`; QEMU (spawned paused with `-S`) is moved in
//! before any vCPU runs guest code; the directory is removed when the guest stops.
//! Where cgroup v2 is not mounted or not writable the guest runs in the daemon's
//! cgroup, and [`GuestCgroup::create`] says why.

use std::path::{Path, PathBuf};

use rvirt_core::conf::DomainDef;

/// Where cgroup v2 must be mounted (the unified hierarchy).
pub const MOUNT: &str = "/sys/fs/cgroup";

/// The record of the guest's cgroup path next to its status file (`NAME.cgroup`,
/// in root's directory: QEMU's user cannot point it elsewhere).
pub fn record_of(status: &Path) -> PathBuf {
    status.with_extension("cgroup")
}

const CONTROLLERS: [&str; 3] = ["cpu", "memory", "io"];

/// One guest's cgroup directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestCgroup {
    /// The directory under [`MOUNT`].
    pub path: PathBuf,
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

fn enable_controllers(dir: &Path) -> std::io::Result<()> {
    let have = std::fs::read_to_string(dir.join("cgroup.controllers"))?;
    let want: Vec<String> = CONTROLLERS
        .iter()
        .filter(|c| have.split_whitespace().any(|h| h == **c))
        .map(|c| format!("+{c}"))
        .collect();
    if want.is_empty() {
        return Ok(());
    }
    std::fs::write(dir.join("cgroup.subtree_control"), want.join(" "))
}

impl GuestCgroup {
    /// Creates the cgroup of guest `id`/`def.name` under `base` (normally [`MOUNT`])
    /// and applies `def`'s tuning. `Err` carries why guests get no cgroup here.
    pub fn create(base: &Path, id: u32, def: &DomainDef) -> Result<GuestCgroup, String> {
        if !base.join("cgroup.controllers").exists() {
            return Err(format!("cgroup v2 is not mounted at {}", base.display()));
        }
        let slice = base.join("machine.slice");
        let io = |what: &str, p: &Path, e: std::io::Error| {
            format!("cannot {what} '{}': {e}", p.display())
        };
        enable_controllers(base).map_err(|e| io("enable controllers in", base, e))?;
        std::fs::create_dir_all(&slice).map_err(|e| io("create", &slice, e))?;
        enable_controllers(&slice).map_err(|e| io("enable controllers in", &slice, e))?;
        let path = slice.join(scope_name(id, &def.name));
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io("create", &path, e)),
        }
        let cg = GuestCgroup { path };
        if let Err(e) = cg.apply(def) {
            cg.remove();
            return Err(e);
        }
        Ok(cg)
    }

    fn apply(&self, def: &DomainDef) -> Result<(), String> {
        let write = |file: &str, value: String| {
            std::fs::write(self.path.join(file), &value).map_err(|e| {
                format!(
                    "cannot set {file} of '{}' to {value}: {e}",
                    self.path.display()
                )
            })
        };
        if let Some(shares) = def.cputune.as_ref().and_then(|t| t.shares) {
            write("cpu.weight", shares_to_weight(shares).to_string())?;
        }
        if let Some(limit) = def.memtune.as_ref().and_then(|t| t.hard_limit.as_ref()) {
            write("memory.max", (limit.kib() * 1024).to_string())?;
        }
        Ok(())
    }

    /// Moves process `pid` (all its threads) into the cgroup.
    pub fn place(&self, pid: u32) -> Result<(), String> {
        std::fs::write(self.path.join("cgroup.procs"), pid.to_string())
            .map_err(|e| format!("cannot move {pid} into '{}': {e}", self.path.display()))
    }

    /// Records the path for the run whose status file is `status`, so that the stop
    /// (of any instance) removes it.
    pub fn record(&self, status: &Path) -> std::io::Result<()> {
        std::fs::write(record_of(status), self.path.as_os_str().as_encoded_bytes())
    }

    /// Removes the directory (retrying briefly while the exiting QEMU leaves it).
    pub fn remove(&self) {
        for _ in 0..100 {
            match std::fs::remove_dir(&self.path) {
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                _ => return,
            }
        }
    }
}

/// Removes the cgroup recorded for the run whose status file is `status`, if any (only
/// below [`MOUNT`]), and the record.
pub fn remove_recorded(status: &Path) {
    let record = record_of(status);
    let Ok(text) = std::fs::read_to_string(&record) else {
        return;
    };
    let _ = std::fs::remove_file(&record);
    let path = PathBuf::from(text.trim());
    if path.starts_with(MOUNT)
        && !path
            .components()
            .any(|c| c == std::path::Component::ParentDir)
    {
        GuestCgroup { path }.remove();
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
    fn no_v2_mount_is_a_reason() {
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        let e = GuestCgroup::create(Path::new("/nonexistent-cgroup"), 1, &def).unwrap_err();
        assert!(e.contains("not mounted"), "{e}");
    }
}

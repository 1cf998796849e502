//! cgroup v2 (the unified hierarchy mounted at the base): one directory
//! `machine.slice/SCOPE` at the root (the daemon's own cgroup holds processes, so it
//! cannot delegate controllers), cpu, memory and io enabled, the tuning in libvirt's
//! v2 files.

use std::path::Path;

use rvirt_core::conf::DomainDef;

use super::{CgroupError, Dir, shares_to_weight};

const CONTROLLERS: [&str; 3] = ["cpu", "memory", "io"];

/// Whether `base` is a cgroup v2 mount.
pub fn mounted(base: &Path) -> bool {
    base.join("cgroup.controllers").exists()
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

/// Creates `base/machine.slice/SCOPE` with the controllers enabled above it.
pub fn create(base: &Path, scope: &str) -> Result<Dir, CgroupError> {
    let slice = base.join("machine.slice");
    let io = |what: &str, p: &Path, e: std::io::Error| {
        CgroupError::Unavailable(format!("cannot {what} '{}': {e}", p.display()))
    };
    enable_controllers(base).map_err(|e| io("enable controllers in", base, e))?;
    std::fs::create_dir_all(&slice).map_err(|e| io("create", &slice, e))?;
    enable_controllers(&slice).map_err(|e| io("enable controllers in", &slice, e))?;
    let path =
        super::create_scope(&slice, scope).map_err(|e| io("create", &slice.join(scope), e))?;
    Ok(Dir {
        path,
        controllers: CONTROLLERS.iter().map(|c| c.to_string()).collect(),
    })
}

/// Applies `def`'s `<cputune>` (`shares` as `cpu.weight`, `global_period` and
/// `global_quota` as `cpu.max`), `<memtune>` (`hard_limit` as `memory.max`,
/// `soft_limit` as `memory.high`) and `<blkiotune><weight>` (`io.weight`, else
/// `io.bfq.weight`).
pub fn apply(dir: &Dir, def: &DomainDef) -> Result<(), CgroupError> {
    let write = |file: &str, value: String| {
        std::fs::write(dir.path.join(file), &value).map_err(|e| {
            CgroupError::Tuning(format!(
                "cannot set {file} of '{}' to {value}: {e}",
                dir.path.display()
            ))
        })
    };
    if let Some(t) = def.cputune.as_ref() {
        if let Some(shares) = t.shares {
            write("cpu.weight", shares_to_weight(shares).to_string())?;
        }
        if t.global_period.is_some() || t.global_quota.is_some() {
            let quota = match t.global_quota {
                Some(q) if q > 0 => q.to_string(),
                _ => "max".to_owned(),
            };
            let period = t.global_period.unwrap_or(100_000);
            write("cpu.max", format!("{quota} {period}"))?;
        }
    }
    if let Some(t) = def.memtune.as_ref() {
        if let Some(limit) = &t.hard_limit {
            write("memory.max", (limit.kib() * 1024).to_string())?;
        }
        if let Some(limit) = &t.soft_limit {
            write("memory.high", (limit.kib() * 1024).to_string())?;
        }
    }
    if let Some(weight) = def.blkiotune.as_ref().and_then(|t| t.weight) {
        if dir.path.join("io.weight").exists() {
            write("io.weight", format!("default {weight}"))?;
        } else {
            write("io.bfq.weight", weight.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libvirt's v2 files get the values (a temp dir stands in for the cgroup; this
    /// host may have no cgroup v2 to try them on).
    #[test]
    fn tuning_lands_in_libvirts_v2_files() {
        let tmp = rvirt_testkit::TempDir::new("cg-v2");
        let dir = Dir {
            path: tmp.0.clone(),
            controllers: CONTROLLERS.iter().map(|c| c.to_string()).collect(),
        };
        std::fs::write(dir.path.join("io.weight"), "default 100").unwrap();
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os>\
             <cputune><shares>1024</shares><global_quota>50000</global_quota></cputune>\
             <memtune><hard_limit>2048</hard_limit><soft_limit>1024</soft_limit></memtune>\
             <blkiotune><weight>500</weight></blkiotune></domain>",
        )
        .unwrap();
        apply(&dir, &def).unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.path.join(f)).unwrap();
        assert_eq!(read("cpu.weight"), "39");
        assert_eq!(read("cpu.max"), "50000 100000");
        assert_eq!(read("memory.max"), "2097152");
        assert_eq!(read("memory.high"), "1048576");
        assert_eq!(read("io.weight"), "default 500");
    }
}

//! cgroup v1 (one hierarchy per controller, as on hosts without the unified
//! hierarchy): the guest gets a directory in each of the `cpu`, `cpuacct`, `memory`,
//! `blkio` and `devices` hierarchies, below the daemon's own cgroup there (as libvirt places
//! its partitions when systemd does not), and its tuning in libvirt's files.

use std::path::{Path, PathBuf};

use rvirt_core::conf::DomainDef;

use super::{CgroupError, Dir};

/// The controllers a guest is placed in.
pub const CONTROLLERS: [&str; 5] = ["cpu", "cpuacct", "memory", "blkio", "devices"];

/// One mounted hierarchy: where, and which of [`CONTROLLERS`] it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy {
    /// Its mount point.
    pub mount: PathBuf,
    /// The controllers of [`CONTROLLERS`] it carries (`cpu,cpuacct` may share one).
    pub controllers: Vec<String>,
}

/// The v1 hierarchies below `base` carrying [`CONTROLLERS`], from `mountinfo` (the
/// text of `/proc/self/mountinfo`); only mounts of a hierarchy's root.
pub fn hierarchies(mountinfo: &str, base: &Path) -> Vec<Hierarchy> {
    let mut out: Vec<Hierarchy> = Vec::new();
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let fields: Vec<&str> = left.split(' ').collect();
        let tail: Vec<&str> = right.split(' ').collect();
        if fields.len() < 5 || tail.first() != Some(&"cgroup") || fields[3] != "/" {
            continue;
        }
        let mount = PathBuf::from(fields[4]);
        if !mount.starts_with(base) {
            continue;
        }
        let controllers: Vec<String> = tail
            .get(2)
            .map(|opts| {
                opts.split(',')
                    .filter(|o| CONTROLLERS.contains(o))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if controllers.is_empty() {
            continue;
        }
        match out.iter_mut().find(|h| h.mount == mount) {
            Some(h) => h.controllers = controllers,
            None => out.push(Hierarchy { mount, controllers }),
        }
    }
    out
}

/// This process's cgroup in the hierarchy carrying `controller`, from `proc_cgroup`
/// (the text of `/proc/self/cgroup`), relative (`/` for the root).
pub fn own_cgroup(proc_cgroup: &str, controller: &str) -> Option<String> {
    proc_cgroup.lines().find_map(|l| {
        let mut parts = l.splitn(3, ':');
        let (_, list, path) = (parts.next()?, parts.next()?, parts.next()?);
        list.split(',')
            .any(|c| c == controller)
            .then(|| path.to_owned())
    })
}

/// The guest's directories: `HIERARCHY/OWN/machine.slice/SCOPE` for each hierarchy
/// of `base`, created. `Unavailable` when no hierarchy is mounted or writable.
pub fn create(base: &Path, scope: &str) -> Result<Vec<Dir>, CgroupError> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| CgroupError::Unavailable(format!("cannot read mountinfo: {e}")))?;
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let found = hierarchies(&mountinfo, base);
    if found.is_empty() {
        return Err(CgroupError::Unavailable(format!(
            "neither cgroup v2 nor the v1 cpu/memory/blkio hierarchies are mounted at {}",
            base.display()
        )));
    }
    let mut dirs = Vec::new();
    for h in found {
        let rel = own_cgroup(&own, &h.controllers[0]).unwrap_or_else(|| "/".into());
        let parent = h.mount.join(rel.trim_start_matches('/'));
        let slice = parent.join("machine.slice");
        let path = match super::create_scope(&slice, scope) {
            Ok(p) => p,
            Err(e) => {
                for d in &dirs {
                    super::remove_dir(d);
                }
                return Err(CgroupError::Unavailable(format!(
                    "cannot create '{}': {e}",
                    slice.join(scope).display()
                )));
            }
        };
        dirs.push(Dir {
            path,
            controllers: h.controllers,
        });
    }
    Ok(dirs)
}

/// Writes `value` to `file` of `dir`, or says the host cannot apply `what`.
fn write(dir: &Dir, file: &str, value: &str) -> Result<(), CgroupError> {
    std::fs::write(dir.path.join(file), value).map_err(|e| {
        CgroupError::Tuning(format!(
            "cannot set {file} of '{}' to {value}: {e}",
            dir.path.display()
        ))
    })
}

/// Applies `def`'s `<cputune>` (`shares`, `global_period`, `global_quota`),
/// `<memtune>` (`hard_limit`, `soft_limit`, `swap_hard_limit`) and `<blkiotune>`
/// (`weight`) to the directories of their controllers.
pub fn apply(dirs: &[Dir], def: &DomainDef) -> Result<(), CgroupError> {
    let with = |c: &str| dirs.iter().find(|d| d.controllers.iter().any(|x| x == c));
    let missing = |c: &str, what: &str| {
        CgroupError::Tuning(format!(
            "{what} needs the cgroup v1 '{c}' controller, which is not mounted"
        ))
    };
    if let Some(t) = def.cputune.as_ref() {
        let cpu = || with("cpu").ok_or_else(|| missing("cpu", "<cputune>"));
        if let Some(shares) = t.shares {
            write(cpu()?, "cpu.shares", &shares.to_string())?;
        }
        if let Some(period) = t.global_period {
            write(cpu()?, "cpu.cfs_period_us", &period.to_string())?;
        }
        if let Some(quota) = t.global_quota {
            write(cpu()?, "cpu.cfs_quota_us", &quota.to_string())?;
        }
    }
    if let Some(t) = def.memtune.as_ref() {
        let mem = || with("memory").ok_or_else(|| missing("memory", "<memtune>"));
        let bytes = |m: &rvirt_core::conf::Memory| (m.kib() * 1024).to_string();
        if let Some(m) = &t.hard_limit {
            write(mem()?, "memory.limit_in_bytes", &bytes(m))?;
        }
        if let Some(m) = &t.soft_limit {
            write(mem()?, "memory.soft_limit_in_bytes", &bytes(m))?;
        }
        if let Some(m) = &t.swap_hard_limit {
            write(mem()?, "memory.memsw.limit_in_bytes", &bytes(m))?;
        }
    }
    if let Some(weight) = def.blkiotune.as_ref().and_then(|t| t.weight) {
        let blkio = with("blkio").ok_or_else(|| missing("blkio", "<blkiotune>"))?;
        // CFQ's file, else BFQ's (libvirt's order); neither without those schedulers.
        let file = ["blkio.weight", "blkio.bfq.weight"]
            .into_iter()
            .find(|f| blkio.path.join(f).exists())
            .ok_or_else(|| {
                CgroupError::Tuning(
                    "<blkiotune><weight> is not supported by this host's blkio controller \
                     (no CFQ or BFQ I/O scheduler)"
                        .into(),
                )
            })?;
        write(blkio, file, &weight.to_string())?;
    }
    let devices = rvirt_core::objects::blkio_devices(def);
    if !devices.is_empty() {
        let blkio = with("blkio").ok_or_else(|| missing("blkio", "<blkiotune><device>"))?;
        for dev in &devices {
            for (kind, value) in dev.values.iter().enumerate().filter(|(_, v)| **v != 0) {
                let tuning = |e: String| CgroupError::Tuning(format!("<blkiotune><device>: {e}"));
                let file = blkio_device_file(&blkio.path, kind).map_err(tuning)?;
                let id = block_dev_id(&dev.path).map_err(tuning)?;
                write(blkio, &file, &format!("{id} {value}"))?;
            }
        }
    }
    Ok(())
}

/// The blkio file of per-device parameter `kind` (the order of
/// `rvirt_core::objects::BLKIO_DEVICE_PARAMS`): BFQ's or CFQ's weight file, or a
/// throttle; `Err` names why a host has none.
pub fn blkio_device_file(dir: &Path, kind: usize) -> Result<String, String> {
    let names: &[&str] = match kind {
        0 => &["blkio.bfq.weight_device", "blkio.weight_device"],
        1 => &["blkio.throttle.read_iops_device"],
        2 => &["blkio.throttle.write_iops_device"],
        3 => &["blkio.throttle.read_bps_device"],
        _ => &["blkio.throttle.write_bps_device"],
    };
    names
        .iter()
        .find(|n| dir.join(n).exists())
        .map(|n| n.to_string())
        .ok_or_else(|| "blkio device weight is valid only for bfq or cfq scheduler".to_string())
}

/// `MAJ:MIN` of host block device `path` (only looked at, never opened); `Err` in
/// libvirt's words.
pub fn block_dev_id(path: &str) -> Result<String, String> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let meta =
        std::fs::metadata(path).map_err(|e| format!("Path '{path}' is not accessible: {e}"))?;
    if !meta.file_type().is_block_device() {
        return Err(format!("Path '{path}' must be a block device"));
    }
    let rdev = meta.rdev();
    Ok(format!("{}:{}", libc::major(rdev), libc::minor(rdev)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
27 1 254:0 / / rw - ext4 /dev/vda rw
33 27 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
34 33 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
35 33 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
36 33 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
37 33 0:32 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
38 27 0:30 /sub /elsewhere rw - cgroup cgroup rw,blkio
";

    #[test]
    fn hierarchies_of_the_controllers_mounted_below_base() {
        let h = hierarchies(MOUNTINFO, Path::new("/sys/fs/cgroup"));
        assert_eq!(
            h,
            [
                Hierarchy {
                    mount: "/sys/fs/cgroup/cpu,cpuacct".into(),
                    controllers: vec!["cpu".into(), "cpuacct".into()],
                },
                Hierarchy {
                    mount: "/sys/fs/cgroup/memory".into(),
                    controllers: vec!["memory".into()],
                },
            ]
        );
    }

    /// libvirt's v1 files get the values (a temp dir stands in for the hierarchies);
    /// a blkio weight without CFQ/BFQ files is refused, not ignored.
    #[test]
    fn tuning_lands_in_libvirts_v1_files() {
        let tmp = rvirt_testkit::TempDir::new("cg-v1");
        let dir = |name: &str, c: &[&str]| {
            let path = tmp.0.join(name);
            std::fs::create_dir(&path).unwrap();
            Dir {
                path,
                controllers: c.iter().map(|s| s.to_string()).collect(),
            }
        };
        let dirs = [
            dir("cpu", &["cpu", "cpuacct"]),
            dir("memory", &["memory"]),
            dir("blkio", &["blkio"]),
        ];
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os>\
             <cputune><shares>300</shares><global_period>20000</global_period>\
             <global_quota>-1</global_quota></cputune>\
             <memtune><hard_limit>2048</hard_limit><soft_limit>1024</soft_limit></memtune>\
             </domain>",
        )
        .unwrap();
        apply(&dirs, &def).unwrap();
        let read = |d: &Dir, f: &str| std::fs::read_to_string(d.path.join(f)).unwrap();
        assert_eq!(read(&dirs[0], "cpu.shares"), "300");
        assert_eq!(read(&dirs[0], "cpu.cfs_period_us"), "20000");
        assert_eq!(read(&dirs[0], "cpu.cfs_quota_us"), "-1");
        assert_eq!(read(&dirs[1], "memory.limit_in_bytes"), "2097152");
        assert_eq!(read(&dirs[1], "memory.soft_limit_in_bytes"), "1048576");
        let io = DomainDef::from_xml(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os>\
             <blkiotune><weight>500</weight></blkiotune></domain>",
        )
        .unwrap();
        let e = apply(&dirs, &io).unwrap_err();
        assert!(
            matches!(&e, CgroupError::Tuning(m) if m.contains("blkiotune")),
            "{e}"
        );
        std::fs::write(dirs[2].path.join("blkio.bfq.weight"), "100").unwrap();
        apply(&dirs, &io).unwrap();
        assert_eq!(read(&dirs[2], "blkio.bfq.weight"), "500");
        let none = DomainDef::from_xml(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os>\
             <memtune><hard_limit>2048</hard_limit></memtune></domain>",
        )
        .unwrap();
        let e = apply(&dirs[..1], &none).unwrap_err();
        assert!(e.to_string().contains("'memory' controller"), "{e}");
        assert!(super::super::tuning_asked(&none) && !super::super::tuning_asked(&DomainDef::from_xml(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>"
        ).unwrap()));
    }

    #[test]
    fn own_cgroup_per_controller() {
        let text = "4:memory:/a/b\n2:cpu,cpuacct:/\n0::/x\n";
        assert_eq!(own_cgroup(text, "memory").as_deref(), Some("/a/b"));
        assert_eq!(own_cgroup(text, "cpuacct").as_deref(), Some("/"));
        assert_eq!(own_cgroup(text, "blkio"), None);
    }
}

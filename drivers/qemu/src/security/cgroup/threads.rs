//! Per-thread cgroups of a guest on cgroup v1, as libvirt's: each vCPU thread in
//! `SCOPE/vcpuN` of the cpu hierarchy with `<cputune><period>/<quota>`, the other
//! threads (QEMU's main loop, its workers) in `SCOPE/emulator` with
//! `<emulator_period>/<emulator_quota>`.

use rvirt_core::conf::DomainDef;

use super::{CgroupError, GuestCgroup};

/// Whether `def` asks for per-thread CPU bandwidth (`period`, `quota`,
/// `emulator_period`, `emulator_quota`).
pub fn asked(def: &DomainDef) -> bool {
    def.cputune.as_ref().is_some_and(|t| {
        t.period.is_some()
            || t.quota.is_some()
            || t.emulator_period.is_some()
            || t.emulator_quota.is_some()
    })
}

/// Whether `cg` can carry per-thread tuning (v1 with a cpu hierarchy); `Err` says
/// why not.
pub fn check(cg: &GuestCgroup) -> Result<(), CgroupError> {
    if cg.unified {
        return Err(CgroupError::Tuning(
            "<cputune> <period>/<quota>/<emulator_period>/<emulator_quota> need per-thread \
             cgroups, which rvirt makes on cgroup v1 only"
                .into(),
        ));
    }
    if cg.dir_of("cpu").is_none() {
        return Err(CgroupError::Tuning(
            "<cputune> <period>/<quota> need the cgroup v1 'cpu' controller, which is not mounted"
                .into(),
        ));
    }
    Ok(())
}

/// Places `vcpus` (thread ids in vCPU order) and `others` in their sub-cgroups of the
/// cpu hierarchy and applies the bandwidth `def` asks for.
pub fn place(
    cg: &GuestCgroup,
    def: &DomainDef,
    vcpus: &[u32],
    others: &[u32],
) -> Result<(), CgroupError> {
    check(cg)?;
    let cpu = cg.dir_of("cpu").expect("checked");
    let t = def.cputune.clone().unwrap_or_default();
    let group = |name: &str, period: Option<u64>, quota: Option<i64>, tids: &[u32]| {
        let dir = cpu.join(name);
        let fail = |what: &str, e: std::io::Error| {
            CgroupError::Tuning(format!("cannot {what} '{}': {e}", dir.display()))
        };
        match std::fs::create_dir(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(fail("create", e));
            }
            _ => {}
        }
        if let Some(p) = period {
            std::fs::write(dir.join("cpu.cfs_period_us"), p.to_string())
                .map_err(|e| fail("set cpu.cfs_period_us of", e))?;
        }
        if let Some(q) = quota {
            std::fs::write(dir.join("cpu.cfs_quota_us"), q.to_string())
                .map_err(|e| fail("set cpu.cfs_quota_us of", e))?;
        }
        for tid in tids {
            // A worker thread may have exited since it was listed.
            match std::fs::write(dir.join("tasks"), tid.to_string()) {
                Err(e) if e.raw_os_error() != Some(libc::ESRCH) => {
                    return Err(fail("move a thread into", e));
                }
                _ => {}
            }
        }
        Ok(())
    };
    group("emulator", t.emulator_period, t.emulator_quota, others)?;
    for (n, tid) in vcpus.iter().enumerate() {
        group(&format!("vcpu{n}"), t.period, t.quota, &[*tid])?;
    }
    Ok(())
}

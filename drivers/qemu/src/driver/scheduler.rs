//! The scheduler's parameters (`virsh schedinfo`), as libvirt's QEMU driver has them on
//! cgroup v1: scheduler "posix" with `cpu_shares` and the CFS bandwidth of the whole
//! guest (`global_*`), of its vCPU threads (`vcpu_*`), of its other threads
//! (`emulator_*`) and of its I/O threads (`iothread_*`).
//!
//! Live values are read from the guest's cgroup (the directory the threads are in:
//! `vcpuN`/`emulator` where the guest has per-thread cgroups, else the guest's own) and
//! written there; the persistent values are `<cputune>`'s. Guests without a cgroup of
//! their own (`qemu:///embed`, `qemu:///session`, hosts without the cpu controller)
//! have no scheduler parameters, as in libvirt.

use std::path::{Path, PathBuf};

use rvirt_core::api::{TypedParam, TypedValue, validate_params};
use rvirt_core::conf::Cputune;
use rvirt_core::conf::DomainDef;
use rvirt_core::objects::impact;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::configuration::{persistent_mut, save_config, touch_status};
use super::instance::{Entry, Shared, not_running};
use super::running::Vm;
use crate::security::cgroup::recorded_cpu_dir;

/// The parameters and their types, in libvirt's order.
const PARAMS: [(&str, &str); 9] = [
    ("cpu_shares", "ullong"),
    ("vcpu_period", "ullong"),
    ("vcpu_quota", "llong"),
    ("emulator_period", "ullong"),
    ("emulator_quota", "llong"),
    ("global_period", "ullong"),
    ("global_quota", "llong"),
    ("iothread_period", "ullong"),
    ("iothread_quota", "llong"),
];

/// libvirt's CFS period bounds (µs).
const PERIOD_MIN: u64 = 1000;
const PERIOD_MAX: u64 = 1_000_000;
/// libvirt's CFS quota bounds (µs); a negative quota is "unlimited".
const QUOTA_MIN: i64 = 1000;
const QUOTA_MAX: i64 = 17_592_186_044_415;
/// cgroup v1 `cpu.shares` bounds.
const SHARES_MIN: u64 = 2;
const SHARES_MAX: u64 = 262_144;

fn no_cpu_controller() -> Error {
    Error::operation_invalid(ErrorDomain::Qemu, "cgroup CPU controller is not mounted")
}

fn out_of_range(name: &str, min: i64, max: i64) -> Error {
    Error::invalid_arg(
        ErrorDomain::Qemu,
        format!("value of '{name}' is out of range [{min}, {max}]"),
    )
}

fn sys(what: String, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{what}: {e}"),
    )
}

fn read_num<T: std::str::FromStr>(dir: &Path, file: &str) -> Result<T> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| sys(format!("Unable to read '{}'", path.display()), &e))?;
    text.trim().parse().map_err(|_| {
        Error::internal(
            ErrorDomain::Qemu,
            format!("cannot parse '{}' of '{}'", text.trim(), path.display()),
        )
    })
}

fn write_num(dir: &Path, file: &str, value: impl ToString) -> Result<()> {
    let path = dir.join(file);
    std::fs::write(&path, value.to_string())
        .map_err(|e| sys(format!("Unable to write to '{}'", path.display()), &e))
}

/// The cpu-controller directory of a running `vm`.
fn live_dir(vm: &Vm) -> Result<PathBuf> {
    let run = vm.run.as_ref().ok_or_else(not_running)?;
    recorded_cpu_dir(&run.status).ok_or_else(no_cpu_controller)
}

/// The per-thread sub-cgroups of `cpu` whose names start with `prefix` (`vcpu`,
/// `emulator`).
fn thread_dirs(cpu: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cpu)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_type().is_ok_and(|t| t.is_dir())
                && e.file_name().to_str().is_some_and(|n| {
                    n.strip_prefix(prefix)
                        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
                })
        })
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}

fn param_u(name: &str, v: u64) -> TypedParam {
    TypedParam::new(name, TypedValue::ULLong(v))
}

fn param_i(name: &str, v: i64) -> TypedParam {
    TypedParam::new(name, TypedValue::LLong(v))
}

/// The nine parameters read from the running guest's cgroup.
fn live_params(cpu: &Path) -> Result<Vec<TypedParam>> {
    let first = |prefix: &str| {
        thread_dirs(cpu, prefix)
            .into_iter()
            .next()
            .unwrap_or_else(|| cpu.to_path_buf())
    };
    let bw = |dir: &Path| -> Result<(u64, i64)> {
        Ok((
            read_num(dir, "cpu.cfs_period_us")?,
            read_num(dir, "cpu.cfs_quota_us")?,
        ))
    };
    let (vp, vq) = bw(&first("vcpu"))?;
    let (ep, eq) = bw(&first("emulator"))?;
    let (gp, gq) = bw(cpu)?;
    Ok(vec![
        param_u("cpu_shares", read_num(cpu, "cpu.shares")?),
        param_u("vcpu_period", vp),
        param_i("vcpu_quota", vq),
        param_u("emulator_period", ep),
        param_i("emulator_quota", eq),
        param_u("global_period", gp),
        param_i("global_quota", gq),
        // I/O threads run with the emulator threads.
        param_u("iothread_period", ep),
        param_i("iothread_quota", eq),
    ])
}

/// The nine parameters of `def`'s `<cputune>` (0 where unset, as libvirt).
fn config_params(def: &DomainDef) -> Vec<TypedParam> {
    let t = def.cputune.clone().unwrap_or_default();
    vec![
        param_u("cpu_shares", t.shares.unwrap_or(0)),
        param_u("vcpu_period", t.period.unwrap_or(0)),
        param_i("vcpu_quota", t.quota.unwrap_or(0)),
        param_u("emulator_period", t.emulator_period.unwrap_or(0)),
        param_i("emulator_quota", t.emulator_quota.unwrap_or(0)),
        param_u("global_period", t.global_period.unwrap_or(0)),
        param_i("global_quota", t.global_quota.unwrap_or(0)),
        param_u("iothread_period", t.iothread_period.unwrap_or(0)),
        param_i("iothread_quota", t.iothread_quota.unwrap_or(0)),
    ]
}

/// One parameter to set, range-checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Shares(u64),
    Period(&'static str, u64),
    Quota(&'static str, i64),
}

fn changes(params: &[TypedParam]) -> Result<Vec<Change>> {
    validate_params(params, &PARAMS, ErrorDomain::Qemu)?;
    params
        .iter()
        .map(|p| {
            let name = PARAMS
                .iter()
                .map(|(n, _)| *n)
                .find(|n| *n == p.field)
                .expect("validated");
            match p.value {
                TypedValue::ULLong(v) if name == "cpu_shares" => {
                    if !(SHARES_MIN..=SHARES_MAX).contains(&v) {
                        return Err(out_of_range(name, SHARES_MIN as i64, SHARES_MAX as i64));
                    }
                    Ok(Change::Shares(v))
                }
                TypedValue::ULLong(v) => {
                    if v > 0 && !(PERIOD_MIN..=PERIOD_MAX).contains(&v) {
                        return Err(out_of_range(name, PERIOD_MIN as i64, PERIOD_MAX as i64));
                    }
                    Ok(Change::Period(name, v))
                }
                TypedValue::LLong(v) => {
                    if (v > 0 && v < QUOTA_MIN) || v > QUOTA_MAX {
                        return Err(out_of_range(name, QUOTA_MIN, QUOTA_MAX));
                    }
                    Ok(Change::Quota(name, if v < 0 { -1 } else { v }))
                }
                _ => unreachable!("validated types"),
            }
        })
        .collect()
}

/// The `<cputune>` field a period or quota parameter is kept in.
fn apply_to_cputune(t: &mut Cputune, change: Change) {
    let some = |v: u64| (v != 0).then_some(v);
    let somei = |v: i64| (v != 0).then_some(v);
    match change {
        Change::Shares(v) => t.shares = Some(v),
        Change::Period("vcpu_period", v) => t.period = some(v),
        Change::Period("emulator_period", v) => t.emulator_period = some(v),
        Change::Period("global_period", v) => t.global_period = some(v),
        Change::Period(_, v) => t.iothread_period = some(v),
        Change::Quota("vcpu_quota", v) => t.quota = somei(v),
        Change::Quota("emulator_quota", v) => t.emulator_quota = somei(v),
        Change::Quota("global_quota", v) => t.global_quota = somei(v),
        Change::Quota(_, v) => t.iothread_quota = somei(v),
    }
}

/// Writes `change` into the running guest's cgroup `cpu`.
fn apply_live(cpu: &Path, change: Change) -> Result<()> {
    let per_thread = |prefix: &str, name: &str| -> Result<Vec<PathBuf>> {
        let dirs = thread_dirs(cpu, prefix);
        if dirs.is_empty() {
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Qemu,
                format!(
                    "Operation not supported: '{name}' of a running guest needs per-thread \
                     cgroups, which rvirt makes only for guests started with <cputune> \
                     <period>/<quota>/<emulator_period>/<emulator_quota>"
                ),
            ));
        }
        Ok(dirs)
    };
    let targets = |name: &str| -> Result<Vec<PathBuf>> {
        match name {
            "vcpu_period" | "vcpu_quota" => per_thread("vcpu", name),
            "emulator_period" | "emulator_quota" => per_thread("emulator", name),
            "iothread_period" | "iothread_quota" => Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Qemu,
                format!(
                    "Operation not supported: '{name}' of a running guest: rvirt runs I/O \
                     threads in the emulator's cgroup"
                ),
            )),
            _ => Ok(vec![cpu.to_path_buf()]),
        }
    };
    match change {
        Change::Shares(v) => write_num(cpu, "cpu.shares", v),
        // 0 leaves the live value as it is.
        Change::Period(_, 0) | Change::Quota(_, 0) => Ok(()),
        Change::Period(name, v) => targets(name)?
            .iter()
            .try_for_each(|d| write_num(d, "cpu.cfs_period_us", v)),
        Change::Quota(name, v) => targets(name)?
            .iter()
            .try_for_each(|d| write_num(d, "cpu.cfs_quota_us", v)),
    }
}

impl Shared {
    /// `virDomainGetSchedulerType`: "posix" and its nine parameters, for guests that
    /// have (or will have) a cgroup with the cpu controller.
    pub(crate) fn scheduler_type(&self, entry: &Entry) -> Result<(String, i32)> {
        let vm = entry.lock();
        if vm.is_active() {
            live_dir(&vm)?;
        } else if !self.is_system() {
            return Err(no_cpu_controller());
        }
        Ok(("posix".into(), PARAMS.len() as i32))
    }

    /// `virDomainGetSchedulerParametersFlags`.
    pub(crate) fn scheduler_parameters(
        &self,
        entry: &Entry,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        let vm = entry.lock();
        let (live, _) = impact(&vm, flags)?;
        if live {
            live_params(&live_dir(&vm)?)
        } else {
            if !self.is_system() {
                return Err(no_cpu_controller());
            }
            let def = vm.next_def.as_ref().unwrap_or(&vm.def);
            Ok(config_params(def))
        }
    }

    /// `virDomainSetSchedulerParametersFlags`: the running guest's cgroup and its live
    /// `<cputune>`, and/or the persistent `<cputune>`.
    pub(crate) fn set_scheduler_parameters(
        &self,
        entry: &Entry,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        let changes = changes(params)?;
        let job = entry.begin_job("virDomainSetSchedulerParametersFlags")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if !live && !self.is_system() {
            return Err(no_cpu_controller());
        }
        let cpu = if live { Some(live_dir(&vm)?) } else { None };
        if let Some(cpu) = &cpu {
            let mut tune = vm.def.cputune.clone().unwrap_or_default();
            // Periods before quotas: a quota is checked against its period.
            let mut ordered = changes.clone();
            ordered.sort_by_key(|c| matches!(c, Change::Quota(..)));
            for c in ordered {
                apply_live(cpu, c)?;
                apply_to_cputune(&mut tune, c);
            }
            vm.def.cputune = Some(tune);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            let mut tune = def.cputune.clone().unwrap_or_default();
            for c in &changes {
                apply_to_cputune(&mut tune, *c);
            }
            def.cputune = Some(tune);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_typed_and_range_checked_as_libvirt() {
        let ok = changes(&[
            param_u("cpu_shares", 512),
            param_u("global_period", 100_000),
            param_i("global_quota", -5),
        ])
        .unwrap();
        assert_eq!(
            ok,
            vec![
                Change::Shares(512),
                Change::Period("global_period", 100_000),
                Change::Quota("global_quota", -1),
            ]
        );
        let e = changes(&[param_u("vcpu_period", 999)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: value of 'vcpu_period' is out of range [1000, 1000000]"
        );
        let e = changes(&[param_u("cpu_shares", 1)]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArg);
        let e = changes(&[param_i("cpu_shares", 5)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: invalid type 'llong' for parameter 'cpu_shares', expected 'ullong'"
        );
        let e = changes(&[param_u("weight", 5)]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
    }

    #[test]
    fn config_values_come_from_cputune_and_zero_unsets() {
        let mut def = DomainDef::from_xml(
            "<domain type='qemu'><name>s</name><memory>1024</memory><os><type>hvm</type></os>\
             <cputune><shares>2048</shares><period>20000</period></cputune></domain>",
        )
        .unwrap();
        let p = config_params(&def);
        assert_eq!(p[0], param_u("cpu_shares", 2048));
        assert_eq!(p[1], param_u("vcpu_period", 20000));
        assert_eq!(p[2], param_i("vcpu_quota", 0));
        let mut t = def.cputune.clone().unwrap();
        apply_to_cputune(&mut t, Change::Period("vcpu_period", 0));
        apply_to_cputune(&mut t, Change::Quota("global_quota", 50_000));
        def.cputune = Some(t);
        let xml = def.to_xml().unwrap();
        assert!(!xml.contains("<period>"), "{xml}");
        assert!(xml.contains("<global_quota>50000</global_quota>"), "{xml}");
        assert!(xml.contains("<shares>2048</shares>"), "{xml}");
    }

    #[test]
    fn live_values_are_read_where_the_threads_are() {
        let dir = std::env::temp_dir().join(format!("rvirt-sched-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("vcpu0")).unwrap();
        let put = |d: &Path, f: &str, v: &str| std::fs::write(d.join(f), v).unwrap();
        put(&dir, "cpu.shares", "1024\n");
        put(&dir, "cpu.cfs_period_us", "100000\n");
        put(&dir, "cpu.cfs_quota_us", "-1\n");
        put(&dir.join("vcpu0"), "cpu.cfs_period_us", "20000\n");
        put(&dir.join("vcpu0"), "cpu.cfs_quota_us", "10000\n");
        let p = live_params(&dir).unwrap();
        assert_eq!(p[0], param_u("cpu_shares", 1024));
        assert_eq!(p[1], param_u("vcpu_period", 20000));
        assert_eq!(p[2], param_i("vcpu_quota", 10000));
        // No emulator sub-cgroup: the emulator threads are in the guest's own.
        assert_eq!(p[3], param_u("emulator_period", 100_000));
        assert_eq!(p[4], param_i("emulator_quota", -1));
        apply_live(&dir, Change::Quota("vcpu_quota", 30000)).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("vcpu0/cpu.cfs_quota_us")).unwrap(),
            "30000"
        );
        let e = apply_live(&dir, Change::Period("emulator_period", 20000)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationUnsupported);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

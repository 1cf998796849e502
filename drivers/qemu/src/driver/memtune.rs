//! The memory parameters (`virsh memtune`), as libvirt's QEMU driver has them on
//! cgroup v1: `hard_limit`, `soft_limit` and `swap_hard_limit` in KiB, live in the
//! guest's memory cgroup (`memory.limit_in_bytes`, `memory.soft_limit_in_bytes`,
//! `memory.memsw.limit_in_bytes`, `-1` for unlimited), persistent in `<memtune>`.
//! Guests without a memory cgroup of their own (`qemu:///embed`, `qemu:///session`,
//! hosts without the controller) have no live values; their persistent ones can
//! still be read and set, as in libvirt.

use std::path::{Path, PathBuf};

use rvirt_core::api::{
    MEMORY_HARD_LIMIT, MEMORY_PARAM_UNLIMITED, MEMORY_SOFT_LIMIT, MEMORY_SWAP_HARD_LIMIT,
    TypedParam, TypedValue,
};
use rvirt_core::objects::{MemtuneChange, impact, limit_kib, memtune_params};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::configuration::{persistent_mut, save_config, touch_status};
use super::instance::{Entry, Shared, not_running};
use super::running::Vm;
use crate::security::cgroup::recorded_dir_with;

const HARD_FILE: &str = "memory.limit_in_bytes";
const SOFT_FILE: &str = "memory.soft_limit_in_bytes";
const SWAP_FILE: &str = "memory.memsw.limit_in_bytes";

/// The kernel's "no limit" (`PAGE_COUNTER_MAX` pages) in KiB on 4 KiB pages: values
/// read at or above it are unlimited, as libvirt compares with the root's limit.
const KERNEL_UNLIMITED_KIB: u64 = 9_223_372_036_854_771_712 >> 10;

fn no_memory_controller() -> Error {
    Error::operation_invalid(ErrorDomain::Qemu, "cgroup memory controller is not mounted")
}

fn sys(what: String, e: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Cgroup,
        format!("{what}: {e}"),
    )
}

/// The memory-controller directory of a running `vm`.
fn live_dir(vm: &Vm) -> Result<PathBuf> {
    let run = vm.run.as_ref().ok_or_else(not_running)?;
    recorded_dir_with(&run.status, HARD_FILE).ok_or_else(no_memory_controller)
}

/// One limit of the cgroup `dir` in KiB (unlimited as libvirt reports it).
fn read_kib(dir: &Path, file: &str) -> Result<u64> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| sys(format!("Unable to read '{}'", path.display()), &e))?;
    let bytes: u64 = text.trim().parse().map_err(|_| {
        Error::internal(
            ErrorDomain::Cgroup,
            format!("Unable to parse '{}' as an integer", text.trim()),
        )
    })?;
    let kib = bytes >> 10;
    Ok(if kib >= KERNEL_UNLIMITED_KIB {
        MEMORY_PARAM_UNLIMITED
    } else {
        kib
    })
}

/// Writes one limit of `kib` KiB (libvirt's `virCgroupV1SetMemory*Limit`).
fn write_kib(dir: &Path, file: &str, kib: u64) -> Result<()> {
    if kib > MEMORY_PARAM_UNLIMITED {
        return Err(Error::invalid_arg(
            ErrorDomain::Cgroup,
            format!("Memory '{kib}' must be less than '{MEMORY_PARAM_UNLIMITED}'"),
        ));
    }
    let value = if kib == MEMORY_PARAM_UNLIMITED {
        "-1".to_string()
    } else {
        (kib << 10).to_string()
    };
    let path = dir.join(file);
    std::fs::write(&path, value)
        .map_err(|e| sys(format!("Unable to write to '{}'", path.display()), &e))
}

/// The three limits read from the guest's memory cgroup `dir`.
fn live_params(dir: &Path) -> Result<Vec<TypedParam>> {
    let swap = if dir.join(SWAP_FILE).exists() {
        read_kib(dir, SWAP_FILE)?
    } else {
        // No swap accounting: libvirt reports it unlimited.
        MEMORY_PARAM_UNLIMITED
    };
    Ok(vec![
        TypedParam::new(
            MEMORY_HARD_LIMIT,
            TypedValue::ULLong(read_kib(dir, HARD_FILE)?),
        ),
        TypedParam::new(
            MEMORY_SOFT_LIMIT,
            TypedValue::ULLong(read_kib(dir, SOFT_FILE)?),
        ),
        TypedParam::new(MEMORY_SWAP_HARD_LIMIT, TypedValue::ULLong(swap)),
    ])
}

/// Writes `change` into the cgroup `dir` in libvirt's order: the soft limit, the hard
/// limit first when it shrinks (the swap limit may not fall below it), the swap limit,
/// then a growing hard limit. `current_hard` is the live hard limit before.
fn apply_live(dir: &Path, change: &MemtuneChange, current_hard: u64) -> Result<()> {
    if let Some(soft) = change.soft {
        write_kib(dir, SOFT_FILE, soft)?;
    }
    let mut hard = change.hard;
    if let Some(h) = hard.filter(|h| current_hard > *h) {
        write_kib(dir, HARD_FILE, h)?;
        hard = None;
    }
    if let Some(swap) = change.swap {
        write_kib(dir, SWAP_FILE, swap)?;
    }
    if let Some(h) = hard {
        write_kib(dir, HARD_FILE, h)?;
    }
    Ok(())
}

impl Shared {
    /// `virDomainGetMemoryParameters`: the live limits from the guest's cgroup, or
    /// the persistent `<memtune>`'s.
    pub(crate) fn memory_parameters(&self, entry: &Entry, flags: u32) -> Result<Vec<TypedParam>> {
        let vm = entry.lock();
        let (live, _) = impact(&vm, flags)?;
        if live {
            live_params(&live_dir(&vm)?)
        } else {
            Ok(memtune_params(vm.next_def.as_ref().unwrap_or(&vm.def)))
        }
    }

    /// `virDomainSetMemoryParameters`: the running guest's cgroup and its live
    /// `<memtune>`, and/or the persistent `<memtune>`.
    pub(crate) fn set_memory_parameters(
        &self,
        entry: &Entry,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        let change = MemtuneChange::from_params(params, ErrorDomain::Qemu)?;
        let job = entry.begin_job("virDomainSetMemoryParameters")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        let dir = if live { Some(live_dir(&vm)?) } else { None };
        change.check_against(&vm.def, ErrorDomain::Domain)?;
        if let Some(dir) = &dir {
            let hard = limit_kib(vm.def.memtune.as_ref().and_then(|t| t.hard_limit.as_ref()));
            apply_live(dir, &change, hard)?;
            change.apply(&mut vm.def);
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            change.apply(&mut def);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ull(name: &str, v: u64) -> TypedParam {
        TypedParam::new(name, TypedValue::ULLong(v))
    }

    #[test]
    fn live_limits_are_read_and_written_in_kib_with_unlimited_as_minus_one() {
        let dir = std::env::temp_dir().join(format!("rvirt-memtune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let put = |f: &str, v: &str| std::fs::write(dir.join(f), v).unwrap();
        put(HARD_FILE, "1073741824\n");
        put(SOFT_FILE, "9223372036854771712\n");
        put(SWAP_FILE, "2147483648\n");
        assert_eq!(
            live_params(&dir).unwrap(),
            vec![
                ull("hard_limit", 1_048_576),
                ull("soft_limit", MEMORY_PARAM_UNLIMITED),
                ull("swap_hard_limit", 2_097_152),
            ]
        );
        let change = MemtuneChange {
            hard: Some(524_288),
            soft: Some(MEMORY_PARAM_UNLIMITED),
            swap: Some(1_048_576),
        };
        apply_live(&dir, &change, 1_048_576).unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        assert_eq!(read(HARD_FILE), "536870912");
        assert_eq!(read(SOFT_FILE), "-1");
        assert_eq!(read(SWAP_FILE), "1073741824");
        let e = write_kib(&dir, HARD_FILE, MEMORY_PARAM_UNLIMITED + 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: Memory '9007199254740992' must be less than '9007199254740991'"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Before a guest runs guest code (QEMU is still paused by `-S`): its vCPU threads
//! and the other ("emulator") threads pinned to host CPUs (`<cputune><vcpupin>`,
//! `<emulatorpin>`, `<iothreadpin>`) and, where asked, put in per-thread cgroups with their CPU
//! bandwidth (`<period>`/`<quota>`, `<emulator_period>`/`<emulator_quota>`).

use rvirt_core::conf::DomainDef;
use rvirt_core::conf::bitmap::CpuSet;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::qmp::QmpStream;
use crate::qmp::stats::vcpu_threads;
use crate::security::affinity::{pin, threads_of};
use crate::security::cgroup::{GuestCgroup, threads};

fn cpuset(text: &str) -> Result<CpuSet> {
    CpuSet::parse(text).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArg,
            ErrorDomain::Qemu,
            format!("Failed to parse bitmap '{text}'"),
        )
    })
}

fn pin_thread(tid: u32, set: &CpuSet, what: &str) -> Result<()> {
    pin(tid, set).map_err(|e| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Qemu,
            format!("cannot pin {what} (thread {tid}) to host CPUs {set}: {e}"),
        )
    })
}

/// Confines the threads of QEMU `pid` for `def`; `cgroup` is the guest's (checked
/// before the spawn to carry per-thread tuning where `def` asks for it).
pub(super) fn confine_threads(
    qmp: &mut QmpStream,
    def: &DomainDef,
    pid: u32,
    cgroup: Option<&GuestCgroup>,
) -> Result<()> {
    let tune = def.cputune.as_ref();
    let vcpupins = tune.map(|t| t.vcpupins.as_slice()).unwrap_or_default();
    let emulatorpin = tune
        .and_then(|t| t.emulatorpin.as_ref())
        .and_then(|e| e.attr("cpuset"))
        .map(cpuset)
        .transpose()?;
    let bandwidth = threads::asked(def);
    let iothreadpins = tune.map(|t| t.iothreadpins.as_slice()).unwrap_or_default();
    if vcpupins.is_empty() && emulatorpin.is_none() && iothreadpins.is_empty() && !bandwidth {
        return Ok(());
    }
    let vcpus = vcpu_threads(&qmp.execute("query-cpus-fast", None)?);
    let others: Vec<u32> = threads_of(pid)
        .into_iter()
        .filter(|t| !vcpus.contains(t))
        .collect();
    if let (true, Some(cg)) = (bandwidth, cgroup) {
        threads::place(cg, def, &vcpus, &others).map_err(|e| {
            Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::Qemu,
                e.to_string(),
            )
        })?;
    }
    for p in vcpupins {
        let tid = vcpus.get(p.vcpu as usize).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArg,
                ErrorDomain::Qemu,
                format!("vcpupin for vCPU {}, which the guest does not have", p.vcpu),
            )
        })?;
        pin_thread(*tid, &cpuset(&p.cpuset)?, &format!("vCPU {}", p.vcpu))?;
    }
    if let Some(set) = emulatorpin {
        for tid in others {
            pin_thread(tid, &set, "an emulator thread")?;
        }
    }
    // I/O threads last: their own pin wins over the emulator's.
    if !iothreadpins.is_empty() {
        let reply = qmp.execute("query-iothreads", None)?;
        for p in iothreadpins {
            let (Some(id), Some(set)) = (p.attr("iothread"), p.attr("cpuset")) else {
                continue;
            };
            let name = format!("iothread{id}");
            let tid = reply
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t.get("id").and_then(|v| v.as_str()) == Some(name.as_str()))
                .and_then(|t| t.get("thread-id")?.as_u64())
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidArg,
                        ErrorDomain::Qemu,
                        format!("iothreadpin for I/O thread {id}, which the guest does not have"),
                    )
                })?;
            pin_thread(tid as u32, &cpuset(set)?, &format!("I/O thread {id}"))?;
        }
    }
    Ok(())
}

//! Block I/O throttling, NIC bandwidth, the NUMA policy, perf events and lifecycle
//! actions, kept in the domain XML as libvirt 9.0's test driver keeps them (observed
//! through python3-libvirt, `tests/scripts/device_tuning_calls.py`): its flag checks,
//! its checks of a throttle set (a limit above its `_max`, including an unset `_max`,
//! is refused, as that driver does) and its wording.

use rvirt_core::api::{TypedParam, TypedValue, validate_params};
use rvirt_core::conf::Iotune;
use rvirt_core::objects::{
    AFFECT_CONFIG, AFFECT_LIVE, INTERFACE_PARAMS, NUMA_PARAMS, NumaChange, apply_interface_params,
    apply_iotune, apply_perf, disk_by_name, disk_by_name_mut, impact, interface_params,
    iotune_is_empty, iotune_param_types, iotune_params, iotune_value, lifecycle_action_allowed,
    nic, nic_mut, numa_mode, numa_params, perf_param_types, perf_params, set_lifecycle_action,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::configuration::{defs_mut, one_def_mut, one_def_ref};
use crate::state::Obj;

/// The test driver's highest throttle (`TEST_BLOCK_IOTUNE_MAX`).
const IOTUNE_MAX: u64 = 1_000_000_000_000_000;

fn disk_not_found(path: &str) -> Error {
    Error::invalid_arg(
        ErrorDomain::Test,
        format!("disk '{path}' was not found in the domain config"),
    )
}

/// `virDomainGetBlockIoTune`.
pub(crate) fn block_io_tune(o: &Obj, path: &str, flags: u32) -> Result<Vec<TypedParam>> {
    let def = one_def_ref(o, flags)?;
    let disk = disk_by_name(def, path).ok_or_else(|| disk_not_found(path))?;
    Ok(iotune_params(&disk.iotune.clone().unwrap_or_default()))
}

/// The test driver's checks of the merged throttle.
fn check_iotune(io: &Iotune) -> Result<()> {
    let v = |n: &str| iotune_value(io, n);
    for what in ["bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"] {
        let total = v(&format!("total_{what}"));
        if total != 0 && (v(&format!("read_{what}")) != 0 || v(&format!("write_{what}")) != 0) {
            return Err(Error::invalid_arg(
                ErrorDomain::Test,
                format!("total and read/write of {what} cannot be set at the same time"),
            ));
        }
    }
    for field in [
        "total_bytes_sec",
        "read_bytes_sec",
        "write_bytes_sec",
        "total_iops_sec",
        "read_iops_sec",
        "write_iops_sec",
    ] {
        let max = format!("{field}_max");
        if v(field) > v(&max) {
            return Err(Error::invalid_arg(
                ErrorDomain::Test,
                format!("{field} cannot be set higher than {max} "),
            ));
        }
    }
    Ok(())
}

/// `virDomainSetBlockIoTune` (parameters already type-checked).
pub(crate) fn set_block_io_tune(
    o: &mut Obj,
    path: &str,
    params: &[TypedParam],
    flags: u32,
) -> Result<()> {
    let def = one_def_mut(o, flags)?;
    let disk = disk_by_name_mut(def, path).ok_or_else(|| disk_not_found(path))?;
    if params
        .iter()
        .any(|p| matches!(p.value, TypedValue::ULLong(n) if n > IOTUNE_MAX))
    {
        return Err(Error::new(
            ErrorCode::ArgumentUnsupported,
            ErrorDomain::Test,
            format!("block I/O throttle limit value must be no more than {IOTUNE_MAX}"),
        ));
    }
    let mut io = disk.iotune.clone().unwrap_or_default();
    apply_iotune(&mut io, params);
    check_iotune(&io)?;
    disk.iotune = (!iotune_is_empty(&io)).then_some(io);
    Ok(())
}

/// The types a throttle set may carry.
pub(crate) fn check_iotune_types(params: &[TypedParam]) -> Result<()> {
    validate_params(params, &iotune_param_types(), ErrorDomain::Test)
}

/// `virDomainGetInterfaceParameters`.
pub(crate) fn interface_parameters(o: &Obj, device: &str, flags: u32) -> Result<Vec<TypedParam>> {
    Ok(interface_params(nic(one_def_ref(o, flags)?, device)?))
}

/// `virDomainSetInterfaceParameters`.
pub(crate) fn set_interface_parameters(
    o: &mut Obj,
    device: &str,
    params: &[TypedParam],
    flags: u32,
) -> Result<()> {
    validate_params(params, &INTERFACE_PARAMS, ErrorDomain::Test)?;
    apply_interface_params(nic_mut(one_def_mut(o, flags)?, device)?, params);
    Ok(())
}

/// `virDomainGetNumaParameters`.
pub(crate) fn numa_parameters(o: &Obj, flags: u32) -> Result<Vec<TypedParam>> {
    Ok(numa_params(one_def_ref(o, flags)?))
}

/// `virDomainSetNumaParameters`: the mode of a running domain stays.
pub(crate) fn set_numa_parameters(o: &mut Obj, params: &[TypedParam], flags: u32) -> Result<()> {
    validate_params(params, &NUMA_PARAMS, ErrorDomain::Test)?;
    let (live, _) = impact(o, flags & (AFFECT_LIVE | AFFECT_CONFIG))?;
    let def = one_def_mut(o, flags)?;
    let change = NumaChange::from_params(params, ErrorDomain::Test)?;
    if live
        && let (Some(want), Some(have)) = (change.mode, numa_mode(def))
        && want != have
    {
        return Err(Error::new(
            ErrorCode::OperationInvalid,
            ErrorDomain::Test,
            "can't change numatune mode for running domain",
        ));
    }
    change.apply(def);
    Ok(())
}

/// `virDomainGetPerfEvents`.
pub(crate) fn perf_events(o: &Obj, flags: u32) -> Result<Vec<TypedParam>> {
    Ok(perf_params(one_def_ref(o, flags)?))
}

/// `virDomainSetPerfEvents`.
pub(crate) fn set_perf_events(o: &mut Obj, params: &[TypedParam], flags: u32) -> Result<()> {
    validate_params(params, &perf_param_types(), ErrorDomain::Test)?;
    apply_perf(one_def_mut(o, flags)?, params);
    Ok(())
}

/// `virDomainSetLifecycleAction`: the live and/or the persistent definition.
pub(crate) fn set_lifecycle(o: &mut Obj, kind: u32, action: u32, flags: u32) -> Result<()> {
    // libvirt checks the pair before looking at the definitions.
    lifecycle_action_allowed(kind, action)?;
    for def in defs_mut(o, flags)? {
        set_lifecycle_action(def, kind, action)?;
    }
    Ok(())
}

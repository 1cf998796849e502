//! `<cpu mode=…>` → `-cpu`.

use rvirt_core::Result;
use rvirt_core::conf::{CpuMode, DomainDef};

use super::{Accel, unsupported};

/// The `-cpu` value for `def`, if any.
///
/// `host-passthrough` is `-cpu host` under KVM. Under TCG there is no host CPU to pass
/// through; `-cpu max` (every feature TCG emulates) stands in, for `host-model` too.
/// libvirt maps `host-model` to a named model expanded from the probed host CPU; this
/// driver does not probe CPU models yet and uses `host` under KVM for it as well.
/// `maximum` is `-cpu max`. Custom models are refused.
pub(super) fn cpu_arg(def: &DomainDef, accel: Accel) -> Result<Option<String>> {
    let Some(cpu) = &def.cpu else {
        return Ok(None);
    };
    let mode = cpu.mode.unwrap_or(if cpu.model.is_some() {
        CpuMode::Custom
    } else {
        CpuMode::HostModel
    });
    if cpu.mode.is_none() && cpu.model.is_none() {
        // Only <topology>: QEMU's default model.
        return Ok(None);
    }
    let value = match (mode, accel) {
        (CpuMode::HostPassthrough | CpuMode::HostModel, Accel::Kvm) => "host",
        (CpuMode::HostPassthrough | CpuMode::HostModel, Accel::Tcg) | (CpuMode::Maximum, _) => {
            "max"
        }
        (other, _) => {
            return Err(unsupported(format!(
                "CPU mode '{other}' is not supported yet"
            )));
        }
    };
    if cpu.model.is_some() {
        return Err(unsupported(format!(
            "a CPU <model> with mode '{mode}' is not supported yet"
        )));
    }
    let mut s = value.to_owned();
    if let Some(m) = cpu.migratable
        && mode == CpuMode::HostPassthrough
        && accel == Accel::Kvm
    {
        s.push_str(&format!(",migratable={m}"));
    }
    Ok(Some(s))
}

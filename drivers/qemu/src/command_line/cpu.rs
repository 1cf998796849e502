//! `<cpu mode=…>` → `-cpu`.

use rvirt_core::Result;
use rvirt_core::conf::{CpuMode, DomainDef, FeatureState, TimerName, YesNo};

use super::{Accel, unsupported};

/// The `-cpu` value for `def`, if any.
///
/// `host-passthrough` is `-cpu host` under KVM. Under TCG there is no host CPU to pass
/// through; `-cpu max` (every feature TCG emulates) stands in, for `host-model` too.
/// libvirt maps `host-model` to a named model expanded from the probed host CPU; this
/// driver does not probe CPU models yet and uses `host` under KVM for it as well.
/// `maximum` is `-cpu max`. Custom models are refused.
pub(super) fn cpu_arg(def: &DomainDef, accel: Accel) -> Result<Option<String>> {
    let hv = hyperv_flags(def)?;
    let Some(model) = cpu_model(def, accel)? else {
        // Enlightenments need a model to hang on: QEMU's default one.
        return Ok((!hv.is_empty()).then(|| format!("qemu64{hv}")));
    };
    Ok(Some(format!("{model}{hv}")))
}

/// The model part of `-cpu` (`host`, `max` and their properties), if any.
fn cpu_model(def: &DomainDef, accel: Accel) -> Result<Option<String>> {
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

/// The Hyper-V enlightenments of `<features><hyperv mode='custom'>` and the
/// `hypervclock` timer as `-cpu` properties (`,hv-relaxed=on,…`), libvirt's names.
/// Enlightenments QEMU runs without KVM's help only partly are still passed: QEMU
/// accepts them under TCG and Windows guests boot with them.
fn hyperv_flags(def: &DomainDef) -> Result<String> {
    let mut s = String::new();
    let flag = |s: &mut String, name: &str, f: &Option<FeatureState>| {
        if let Some(f) = f {
            s.push_str(&format!(
                ",hv-{name}={}",
                if f.is_on() { "on" } else { "off" }
            ));
        }
    };
    if let Some(h) = def.features.as_ref().and_then(|f| f.hyperv.as_ref()) {
        if h.mode.as_deref().is_some_and(|m| m != "custom") {
            return Err(unsupported(format!(
                "hyperv mode '{}' is not supported yet",
                h.mode.as_deref().unwrap_or_default()
            )));
        }
        if h.stimer.is_some() || h.vendor_id.is_some() || h.evmcs.is_some() || h.avic.is_some() {
            return Err(unsupported(
                "hyperv stimer, vendor_id, evmcs and avic are not supported yet",
            ));
        }
        flag(&mut s, "relaxed", &h.relaxed);
        flag(&mut s, "vapic", &h.vapic);
        if let Some(sl) = &h.spinlocks {
            match sl.attr("state") {
                Some("off") => s.push_str(",hv-spinlocks=0xffffffff"),
                _ => {
                    let retries: u32 = match sl.attr("retries") {
                        None => 4095,
                        Some(r) => r.parse().map_err(|_| {
                            unsupported(format!("invalid hyperv spinlocks retries '{r}'"))
                        })?,
                    };
                    if retries < 4095 {
                        return Err(unsupported(
                            "hyperv spinlocks retries must be at least 4095",
                        ));
                    }
                    s.push_str(&format!(",hv-spinlocks={retries:#x}"));
                }
            }
        }
        flag(&mut s, "vpindex", &h.vpindex);
        flag(&mut s, "runtime", &h.runtime);
        flag(&mut s, "synic", &h.synic);
        flag(&mut s, "reset", &h.reset);
        flag(&mut s, "frequencies", &h.frequencies);
        flag(&mut s, "reenlightenment", &h.reenlightenment);
        flag(&mut s, "tlbflush", &h.tlbflush);
        flag(&mut s, "ipi", &h.ipi);
    }
    let hv_time = def.clock.as_ref().is_some_and(|c| {
        c.timers
            .iter()
            .any(|t| t.name == TimerName::Hypervclock && t.present != Some(YesNo::No))
    });
    if hv_time {
        s.push_str(",hv-time=on");
    }
    Ok(s)
}

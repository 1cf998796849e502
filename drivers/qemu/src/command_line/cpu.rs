//! `<cpu mode=…>` → `-cpu`.

use rvirt_core::conf::{Cpu, CpuMode, DomainDef, FeatureState, TimerName, YesNo};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::{Accel, unsupported};
use crate::capabilities::CpuDefinition;

/// The `-cpu` value for `def`, if any.
///
/// `host-passthrough` is `-cpu host` under KVM. Under TCG there is no host CPU to pass
/// through; `-cpu max` (every feature TCG emulates) stands in. `host-model` under TCG
/// is, as libvirt's, the probed description of what TCG gives (a named model with
/// features on and off, [`crate::capabilities::host_model`]), `max` when not probed;
/// under KVM this driver uses `host` for it. `maximum` is `-cpu max`. `custom` is the
/// named model with its features ([`custom_model`]), checked against the models of
/// `rt` (QEMU's, probed under TCG) when known.
pub(super) fn cpu_arg(def: &DomainDef, rt: &super::RuntimeOptions) -> Result<Option<String>> {
    let (accel, models) = (rt.accel, rt.cpu_models.as_deref());
    let hv = hyperv_flags(def)?;
    let Some(model) = cpu_model(def, accel, models, rt.host_model.as_ref())? else {
        // Enlightenments need a model to hang on: QEMU's default one.
        return Ok((!hv.is_empty()).then(|| format!("qemu64{hv}")));
    };
    Ok(Some(format!("{model}{hv}")))
}

/// The model part of `-cpu` (`host`, `max` and their properties), if any.
fn cpu_model(
    def: &DomainDef,
    accel: Accel,
    models: Option<&[CpuDefinition]>,
    host_model: Option<&crate::capabilities::host_model::HostModel>,
) -> Result<Option<String>> {
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
    if mode == CpuMode::Custom {
        return custom_model(cpu, models).map(Some);
    }
    if mode == CpuMode::HostModel
        && accel == Accel::Tcg
        && cpu.model.is_none()
        && let Some(h) = host_model
    {
        return Ok(Some(h.cpu_arg()));
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

/// A name QEMU takes inside `-cpu` unescaped (no `,` or `=`): letters, digits, `_`,
/// `-` and `.`.
fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// `<cpu mode='custom'><model>NAME</model><feature policy=… name=…/>` → `NAME,feat=on,…`
/// (`require`/`force` on, `disable`/`forbid` off, `optional` left to the model), as
/// libvirt 9.0 writes it.
///
/// With QEMU's models known, an unknown model is refused whatever its `fallback`
/// (libvirt's "CPU model X is not supported by hypervisor"; no closest model is
/// looked for), and unless `check='none'` the features the model has that TCG cannot
/// give (its `unavailable-features`), less those the definition turns off, refuse the
/// start: `check='partial'` (the default) with libvirt's `VIR_ERR_CPU_INCOMPATIBLE`
/// "Host CPU does not provide required features: …", `check='full'` with
/// "guest CPU doesn't match specification: missing features: …".
pub(super) fn custom_model(cpu: &Cpu, models: Option<&[CpuDefinition]>) -> Result<String> {
    let name = cpu
        .model
        .as_ref()
        .and_then(|m| m.name.as_deref())
        .map(str::trim)
        .ok_or_else(|| unsupported("CPU mode 'custom' needs a <model>"))?;
    if !plain_name(name) {
        return Err(unsupported(format!("invalid CPU model name '{name}'")));
    }
    let mut s = name.to_owned();
    let mut off = Vec::new();
    for f in &cpu.features {
        if !plain_name(&f.name) {
            return Err(unsupported(format!(
                "invalid CPU feature name '{}'",
                f.name
            )));
        }
        match f.policy.as_deref().unwrap_or("require") {
            "require" | "force" => s.push_str(&format!(",{}=on", f.name)),
            "disable" | "forbid" => {
                s.push_str(&format!(",{}=off", f.name));
                off.push(f.name.replace('_', "-"));
            }
            "optional" => {}
            other => {
                return Err(unsupported(format!("invalid CPU feature policy '{other}'")));
            }
        }
    }
    let Some(models) = models else {
        return Ok(s);
    };
    let Some(known) = models.iter().find(|m| m.name == name) else {
        return Err(unsupported(format!(
            "CPU model {name} is not supported by hypervisor"
        )));
    };
    let missing: Vec<&str> = known
        .unavailable
        .iter()
        .filter(|u| !off.contains(&u.replace('_', "-")))
        .map(String::as_str)
        .collect();
    match cpu.check.as_deref().unwrap_or("partial") {
        "none" => {}
        _ if missing.is_empty() => {}
        "partial" => {
            return Err(Error::new(
                ErrorCode::CpuIncompatible,
                ErrorDomain::Cpu,
                format!(
                    "Host CPU does not provide required features: {}",
                    missing.join(", ")
                ),
            ));
        }
        "full" => {
            return Err(unsupported(format!(
                "guest CPU doesn't match specification: missing features: {}",
                missing.join(",")
            )));
        }
        other => return Err(unsupported(format!("invalid CPU check '{other}'"))),
    }
    Ok(s)
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

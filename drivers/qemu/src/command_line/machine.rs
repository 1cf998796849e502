//! Machine-level options: the machine family, `<clock><timer>`s and `<pm>`
//! (libvirt's `qemuBuildClockCommandLine` and `qemuBuildPMCommandLine`).

use rvirt_core::Result;
use rvirt_core::conf::{DomainDef, TimerName, YesNo};

use super::{Accel, unsupported};

/// True for the i440FX machine types (`pc`, `pc-i440fx-*`, legacy `pc-0.x`/`pc-1.x`).
pub(crate) fn is_i440fx(machine: &str) -> bool {
    machine == "pc" || (machine.starts_with("pc-") && !machine.starts_with("pc-q35"))
}

/// True for the Q35 machine types (`q35`, `pc-q35-*`).
pub(crate) fn is_q35(machine: &str) -> bool {
    machine == "q35" || machine.starts_with("pc-q35")
}

/// What the `<clock><timer>`s add: `-machine` properties (`hpet=off`), the RTC's
/// `driftfix`, and `-global`s.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Timers {
    /// Extra `-machine` properties, each `,key=value`.
    pub machine: String,
    /// `,driftfix=slew` for the RTC, or empty.
    pub rtc: String,
    /// `-global` values.
    pub globals: Vec<String>,
}

/// The timers of `def`: `rtc` tickpolicy `catchup` → `driftfix=slew` (`delay` is
/// QEMU's default); `pit` tickpolicy → `kvm-pit.lost_tick_policy` under KVM (TCG's PIT
/// has no such property: `delay` is what it does); `hpet present='no'` → `hpet=off`.
/// Other timers and tick policies are refused.
pub(super) fn timers(def: &DomainDef, accel: Accel) -> Result<Timers> {
    let mut t = Timers::default();
    let Some(clock) = &def.clock else {
        return Ok(t);
    };
    for timer in &clock.timers {
        let policy = timer.tickpolicy.as_deref();
        match timer.name {
            TimerName::Rtc => match policy {
                None | Some("delay") => {}
                Some("catchup") => t.rtc = ",driftfix=slew".into(),
                Some(p) => {
                    return Err(unsupported(format!(
                        "unsupported rtc timer tickpolicy '{p}'"
                    )));
                }
            },
            TimerName::Pit => {
                let value = match policy {
                    None => None,
                    Some("delay") => Some("delay"),
                    Some("catchup") => Some("slew"),
                    Some("discard") => Some("discard"),
                    Some(p) => {
                        return Err(unsupported(format!(
                            "unsupported pit timer tickpolicy '{p}'"
                        )));
                    }
                };
                if let (Some(v), Accel::Kvm) = (value, accel) {
                    t.globals.push(format!("kvm-pit.lost_tick_policy={v}"));
                }
            }
            TimerName::Hpet => {
                if policy.is_some() {
                    return Err(unsupported("hpet timer tickpolicy is not supported"));
                }
                if timer.present == Some(YesNo::No) {
                    t.machine.push_str(",hpet=off");
                }
            }
            // `hv-time` on the CPU (see `cpu::hyperv_flags`).
            TimerName::Hypervclock if policy.is_none() => {}
            other => {
                return Err(unsupported(format!(
                    "clock timer '{other}' is not supported yet"
                )));
            }
        }
        if timer.present == Some(YesNo::No)
            && !matches!(timer.name, TimerName::Hpet | TimerName::Hypervclock)
        {
            return Err(unsupported(format!(
                "disabling timer '{}' is not supported yet",
                timer.name
            )));
        }
    }
    Ok(t)
}

/// `-global`s for `<pm>`: `disable_s3`/`disable_s4` of the machine's power
/// management device (`ICH9-LPC` on Q35, `PIIX4_PM` on i440FX).
pub(super) fn pm_globals(def: &DomainDef, machine: &str) -> Result<Vec<String>> {
    let Some(pm) = &def.pm else {
        return Ok(Vec::new());
    };
    let device = if is_q35(machine) {
        "ICH9-LPC"
    } else if is_i440fx(machine) {
        "PIIX4_PM"
    } else {
        return Err(unsupported(format!(
            "<pm> is not supported on machine '{machine}'"
        )));
    };
    let mut out = Vec::new();
    for (state, s) in [(&pm.suspend_to_mem, "s3"), (&pm.suspend_to_disk, "s4")] {
        if let Some(enabled) = state.as_ref().and_then(|p| p.enabled) {
            let v = if enabled == YesNo::No { 1 } else { 0 };
            out.push(format!("{device}.disable_{s}={v}"));
        }
    }
    Ok(out)
}

/// `,vmport=on|off` for `<features><vmport state=…/>` (the VMware I/O port of the PC
/// machines), or nothing.
pub(super) fn vmport(def: &DomainDef) -> String {
    def.features
        .as_ref()
        .and_then(|f| f.vmport.as_ref())
        .map(|v| format!(",vmport={}", if v.is_on() { "on" } else { "off" }))
        .unwrap_or_default()
}

//! [`DomainDef::validate`]: the semantic checks libvirt applies when parsing.

use std::collections::{HashMap, HashSet};

use super::{DomainDef, LifecycleAction};
use crate::bitmap::CpuSet;
use crate::devices::Device;
use crate::{ConfError, codes, domains};

fn unsupported(message: String) -> ConfError {
    ConfError::Invalid {
        code: codes::CONFIG_UNSUPPORTED,
        domain: domains::DOMAIN,
        message,
    }
}

fn check_cpuset(value: &str) -> Result<(), ConfError> {
    let set = CpuSet::parse(value).ok_or_else(|| ConfError::InvalidBitmap {
        value: value.to_string(),
    })?;
    if set.is_empty() {
        return Err(ConfError::EmptyCpuset {
            value: value.to_string(),
        });
    }
    Ok(())
}

impl DomainDef {
    /// Semantic checks libvirt applies when parsing: name, CPU sets, vCPU counts,
    /// memory that fits in 64 bits, lifecycle actions allowed for their event, unique
    /// disk targets and device aliases.
    pub fn validate(&self) -> Result<(), ConfError> {
        if self.name.trim().is_empty() {
            return Err(ConfError::MissingName);
        }
        if self.name.contains('/') {
            return Err(ConfError::NameWithSlash {
                name: self.name.clone(),
            });
        }
        if let Some(vcpu) = &self.vcpu {
            if let Some(cpuset) = vcpu.cpuset.as_deref() {
                check_cpuset(cpuset)?;
            }
            if vcpu.current.is_some_and(|c| c > vcpu.count) {
                return Err(unsupported(
                    "maximum vCPU count must not be less than current vCPU count".into(),
                ));
            }
        }
        // Each I/O thread is an object of its own (libvirt fills in an id for every
        // one): a count no host runs is refused before anything is allocated for it.
        if let Some(n) = self.iothreads.filter(|n| *n > crate::bitmap::CPUMASK_LEN) {
            return Err(unsupported(format!(
                "I/O thread count {n} exceeds the maximum of {}",
                crate::bitmap::CPUMASK_LEN
            )));
        }
        self.memory.check_overflow()?;
        if let Some(cur) = &self.current_memory {
            cur.check_overflow()?;
        }
        for (event, action) in [("poweroff", self.on_poweroff), ("reboot", self.on_reboot)] {
            if let Some(
                action @ (LifecycleAction::CoredumpDestroy | LifecycleAction::CoredumpRestart),
            ) = action
            {
                return Err(ConfError::UnsupportedLifecycleAction {
                    event: event.into(),
                    action: action.as_str().into(),
                });
            }
        }
        self.check_devices()?;
        self.check_consistency()
    }

    fn check_devices(&self) -> Result<(), ConfError> {
        let mut targets: HashMap<&str, Option<&str>> = HashMap::new();
        let mut aliases: HashSet<&str> = HashSet::new();
        let has_serial = self
            .devices()
            .iter()
            .any(|d| matches!(d, Device::Serial(_)));
        let mut first_console = true;
        for dev in self.devices() {
            // The first console of a guest with serials stands for the first serial
            // and carries its alias.
            if let Device::Console(c) = dev {
                let serial_target = c
                    .target
                    .as_ref()
                    .and_then(|t| t.target_type.as_deref())
                    .is_none_or(|t| t == "serial");
                let skip = first_console && has_serial && serial_target;
                first_console = false;
                if skip {
                    continue;
                }
            }
            if let Device::Disk(d) = dev {
                let src = d.source_path();
                if let Some(other) = targets.insert(d.target.dev.as_str(), src) {
                    return Err(ConfError::Invalid {
                        code: codes::XML_ERROR,
                        domain: domains::DOMAIN,
                        message: format!(
                            "target '{}' duplicated for disk sources '{}' and '{}'",
                            d.target.dev,
                            other.unwrap_or("<null>"),
                            src.unwrap_or("<null>")
                        ),
                    });
                }
            }
            if let Some(alias) = dev.alias()
                && !aliases.insert(alias.name.as_str())
            {
                return Err(unsupported(format!(
                    "non unique alias detected: {}",
                    alias.name
                )));
            }
        }
        Ok(())
    }
}

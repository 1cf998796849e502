//! [`DomainDef::validate`]: the semantic checks libvirt applies when parsing.

use super::{DomainDef, LifecycleAction};
use crate::ConfError;
use crate::bitmap::CpuSet;

impl DomainDef {
    /// Semantic checks libvirt applies when parsing: non-empty name, memory that fits
    /// in 64 bits, lifecycle actions allowed for their event.
    pub fn validate(&self) -> Result<(), ConfError> {
        if self.name.trim().is_empty() {
            return Err(ConfError::MissingName);
        }
        if self.name.contains('/') {
            return Err(ConfError::NameWithSlash {
                name: self.name.clone(),
            });
        }
        if let Some(cpuset) = self.vcpu.as_ref().and_then(|v| v.cpuset.as_deref()) {
            let set = CpuSet::parse(cpuset).ok_or_else(|| ConfError::InvalidBitmap {
                value: cpuset.to_string(),
            })?;
            if set.is_empty() {
                return Err(ConfError::EmptyCpuset {
                    value: cpuset.to_string(),
                });
            }
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
        Ok(())
    }
}

//! `virDomainSetLifecycleAction` (`virsh set-lifecycle-action`) in the QEMU driver:
//! `<on_poweroff>`, `<on_reboot>` or `<on_crash>` of the live definition (which the
//! driver consults when the guest powers off) and/or the persistent one, with
//! libvirt's refusal of core dumps on power-off and reboot.

use rvirt_core::Result;
use rvirt_core::objects::{impact, lifecycle_action_allowed, set_lifecycle_action};

use super::{persistent_mut, save_config, touch_status};
use crate::driver::instance::{Entry, Shared};

impl Shared {
    /// Sets event `kind`'s action in the definitions `flags` select.
    pub(crate) fn set_lifecycle_action(
        &self,
        entry: &Entry,
        kind: u32,
        action: u32,
        flags: u32,
    ) -> Result<()> {
        lifecycle_action_allowed(kind, action)?;
        let job = entry.begin_job("virDomainSetLifecycleAction")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if live {
            set_lifecycle_action(&mut vm.def, kind, action)?;
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            set_lifecycle_action(&mut def, kind, action)?;
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

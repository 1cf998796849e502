//! `virDomainPMSuspendForDuration` (`virsh dompmsuspend`) as libvirt 9.0's QEMU driver
//! does it: the guest agent asks the guest to suspend itself (`guest-suspend-ram`,
//! `-disk` or `-hybrid`, which the agent never answers); QEMU's SUSPEND (or, for the
//! disk, its power-off) ends the call, and the domain becomes pmsuspended through QEMU's
//! event. `virsh dompmwakeup` (`system_wakeup`) brings it back. A domain whose `<pm>`
//! disables the state is refused, as libvirt refuses it.

use rvirt_core::conf::{DomainDef, YesNo};
use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorDomain, Result};

use super::connection::check_flags;
use super::instance::{Shared, not_running};

/// `virNodeSuspendTarget`: the agent command, and whether it needs S3 and S4.
fn target_command(target: u32) -> Result<(&'static str, bool, bool)> {
    match target {
        0 => Ok(("guest-suspend-ram", true, false)),
        1 => Ok(("guest-suspend-disk", false, true)),
        2 => Ok(("guest-suspend-hybrid", true, false)),
        t => Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("Unknown suspend target: {t}"),
        )),
    }
}

/// Refuses a state `<pm>` of `def` disables.
fn check_pm(def: &DomainDef, s3: bool, s4: bool) -> Result<()> {
    let pm = def.pm.as_ref();
    let disabled = |state: Option<&rvirt_core::conf::PmState>| {
        state.and_then(|s| s.enabled) == Some(YesNo::No)
    };
    if s3 && disabled(pm.and_then(|p| p.suspend_to_mem.as_ref())) {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "S3 state is disabled for this domain",
        ));
    }
    if s4 && disabled(pm.and_then(|p| p.suspend_to_disk.as_ref())) {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "S4 state is disabled for this domain",
        ));
    }
    Ok(())
}

impl Shared {
    /// `virDomainPMSuspendForDuration`.
    pub(crate) fn pm_suspend(
        &self,
        dom: &DomainRef,
        target: u32,
        duration: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, 0, "qemuDomainPMSuspendForDuration")?;
        if duration != 0 {
            return Err(Error::invalid_arg(
                ErrorDomain::Qemu,
                "Duration not supported. Use 0 for now",
            ));
        }
        let (command, s3, s4) = target_command(target)?;
        self.domains.read(dom, |vm| {
            if vm.run.is_none() {
                return Err(not_running());
            }
            check_pm(&vm.def, s3, s4)
        })?;
        self.agent_suspend(dom, command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_disabled_states_as_libvirt_words_them() {
        assert_eq!(target_command(0).unwrap().0, "guest-suspend-ram");
        assert_eq!(target_command(2).unwrap().0, "guest-suspend-hybrid");
        let e = target_command(3).unwrap_err();
        assert_eq!(e.to_string(), "invalid argument: Unknown suspend target: 3");
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>\
             <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='yes'/></pm></domain>",
        )
        .unwrap();
        let e = check_pm(&def, true, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Requested operation is not valid: S3 state is disabled for this domain"
        );
        assert!(check_pm(&def, false, true).is_ok());
    }
}

//! `virDomainSetLifecycleAction`'s numbers as `<on_poweroff>`, `<on_reboot>` and
//! `<on_crash>`, shared by the drivers, with libvirt's check that power-off and reboot
//! take no core-dump action.

use crate::conf::{DomainDef, LifecycleAction};
use crate::{Error, ErrorCode, ErrorDomain, Result};

/// `virDomainLifecycle` names, by number.
const EVENTS: [&str; 3] = ["poweroff", "reboot", "crash"];

/// `virDomainLifecycleAction` by number.
const ACTIONS: [LifecycleAction; 6] = [
    LifecycleAction::Destroy,
    LifecycleAction::Restart,
    LifecycleAction::RenameRestart,
    LifecycleAction::Preserve,
    LifecycleAction::CoredumpDestroy,
    LifecycleAction::CoredumpRestart,
];

/// Sets event `kind` (0 power-off, 1 reboot, 2 crash; checked by the public API) of
/// `def` to `action` (0..=5), refusing what [`lifecycle_action_allowed`] refuses.
pub fn set_lifecycle_action(def: &mut DomainDef, kind: u32, action: u32) -> Result<()> {
    let act = lifecycle_action_allowed(kind, action)?;
    let slot = match kind {
        0 => &mut def.on_poweroff,
        1 => &mut def.on_reboot,
        _ => &mut def.on_crash,
    };
    *slot = Some(act);
    Ok(())
}

/// The action `action` (0..=5) names, if event `kind` (0..=2) may take it (libvirt's
/// `virDomainDefLifecycleActionAllowed`: power-off and reboot take no core dump).
pub fn lifecycle_action_allowed(kind: u32, action: u32) -> Result<LifecycleAction> {
    let (Some(event), Some(act)) = (EVENTS.get(kind as usize), ACTIONS.get(action as usize)) else {
        return Err(Error::invalid_arg(
            ErrorDomain::Domain,
            format!("invalid lifecycle type '{kind}' or action '{action}'"),
        ));
    };
    let coredump = matches!(
        act,
        LifecycleAction::CoredumpDestroy | LifecycleAction::CoredumpRestart
    );
    if kind != 2 && coredump {
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Domain,
            format!("Lifecycle event '{event}' doesn't support '{act}' action"),
        ));
    }
    Ok(*act)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_dumps_are_for_crashes_only() {
        let mut def = DomainDef::from_xml(
            "<domain type='test'><name>l</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        set_lifecycle_action(&mut def, 2, 4).unwrap();
        assert_eq!(def.on_crash, Some(LifecycleAction::CoredumpDestroy));
        let e = set_lifecycle_action(&mut def, 1, 5).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigUnsupported);
        assert!(
            e.to_string()
                .contains("Lifecycle event 'reboot' doesn't support 'coredump-restart' action")
        );
        set_lifecycle_action(&mut def, 0, 3).unwrap();
        assert_eq!(def.on_poweroff, Some(LifecycleAction::Preserve));
    }
}

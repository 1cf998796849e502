//! What libvirt leaves out when it parses a definition to store it (its
//! `VIR_DOMAIN_DEF_PARSE_INACTIVE`): the id, the aliases the hypervisor assigned, and
//! other state only a running domain has.

use super::Defaults;
use crate::devices::Device;
use crate::domain::DomainDef;

/// A user alias as libvirt accepts it: `ua-` and letters, digits, `_` or `-`.
fn is_user_alias(name: &str) -> bool {
    name.strip_prefix("ua-").is_some_and(|_| {
        name.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

impl DomainDef {
    /// Removes what only a running domain has: the `id`, device aliases (except user
    /// aliases `ua-…` when the driver keeps them), `tty` paths of character devices,
    /// generated graphics ports and the security labels a run was given (image labels,
    /// dynamic labels).
    pub fn make_inactive(&mut self, defaults: &Defaults) {
        self.id = None;
        // The labels a running domain was given (a static label is configuration).
        for l in &mut self.seclabels {
            l.imagelabel = None;
            if l.seclabel_type.as_deref() != Some("static") {
                l.label = None;
            }
        }
        for d in self.devices_mut() {
            if let Some(slot) = d.alias_mut()
                && slot
                    .as_ref()
                    .is_some_and(|a| !(defaults.user_aliases && is_user_alias(&a.name)))
            {
                *slot = None;
            }
            match d {
                Device::Serial(c)
                | Device::Console(c)
                | Device::Parallel(c)
                | Device::Channel(c) => {
                    c.tty = None;
                }
                _ => {}
            }
        }
    }
}

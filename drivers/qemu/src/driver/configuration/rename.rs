//! `virDomainRename` of an inactive persistent domain, as libvirt's QEMU driver does
//! it: refused for running or transient domains and domains with snapshots; the
//! definition is written under the new name (temp file + rename, synced) before the
//! domain changes name, the old file goes after, and the autostart mark follows.

use rvirt_core::conf::ConfError;
use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorDomain, Result};

use crate::driver::instance::Shared;

fn invalid(message: impl Into<String>) -> Error {
    Error::operation_invalid(ErrorDomain::Qemu, message)
}

/// Renames the domain `dom` to `new_name` (UNDEFINED/RENAMED under the old name and
/// DEFINED/RENAMED under the new one, from the shared domain list).
pub(crate) fn rename(shared: &Shared, dom: &DomainRef, new_name: &str) -> Result<()> {
    if new_name.is_empty() {
        return Err(Error::invalid_arg(
            ErrorDomain::Domain,
            "new_name in virDomainRename must not be empty",
        ));
    }
    if new_name.contains('/') {
        return Err(ConfError::NameWithSlash {
            name: new_name.to_owned(),
        }
        .into());
    }
    if shared.domains.list.find_by_name(new_name).is_some() {
        return Err(Error::operation_invalid(
            ErrorDomain::Domain,
            format!("domain with name '{new_name}' already exists"),
        ));
    }
    let configs = shared.domains.configs();
    let mut written = false;
    let mut autostart = false;
    let renamed = shared.domains.rename(dom, new_name, |vm| {
        if !vm.persistent {
            return Err(invalid("cannot rename a transient domain"));
        }
        if vm.is_active() {
            return Err(invalid("cannot rename active domain"));
        }
        if !vm.snapshots.is_empty() {
            return Err(invalid("cannot rename domain with snapshots"));
        }
        if vm.name() == new_name {
            return Err(Error::operation_invalid(
                ErrorDomain::Domain,
                "Can't rename domain to itself",
            ));
        }
        if let Some(configs) = configs {
            let mut def = vm.def.clone();
            def.name = new_name.to_owned();
            configs.save(&def)?;
            written = true;
        }
        autostart = vm.autostart;
        Ok(())
    });
    match (renamed, configs) {
        (Err(e), Some(configs)) => {
            if written {
                let _ = configs.delete(new_name);
            }
            Err(e)
        }
        (Err(e), None) => Err(e),
        (Ok(_), Some(configs)) if autostart => configs.set_autostart(new_name, true),
        (Ok(_), _) => Ok(()),
    }
}

//! The interface calls of one connection, answered from sysfs at each call as
//! libvirt's udev backend answers them; the calls it lacks keep the trait's
//! `VIR_ERR_NO_SUPPORT`.

use std::path::PathBuf;

use rvirt_core::driver::{InterfaceDriver, InterfaceRef};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::def::{self, HostIface, no_iface};
use crate::glob::fnmatch;
use crate::sysfs::{attr, listed, net_dir};

/// `VIR_CONNECT_LIST_INTERFACES_INACTIVE` and `_ACTIVE`.
const INACTIVE: u32 = 1;
const ACTIVE: u32 = 2;
/// `VIR_INTERFACE_XML_INACTIVE`.
const XML_INACTIVE: u32 = 1;

fn check_flags(flags: u32, allowed: u32, function: &str) -> Result<()> {
    if flags & !allowed != 0 {
        return Err(Error::invalid_arg(
            ErrorDomain::Interface,
            format!(
                "unsupported flags (0x{:x}) in function {function}",
                flags & !allowed
            ),
        ));
    }
    Ok(())
}

/// One connection's view of the host's interfaces.
#[derive(Debug)]
pub struct InterfaceConn {
    sysfs: PathBuf,
    procfs: PathBuf,
}

impl InterfaceConn {
    pub(crate) fn new(sysfs: PathBuf, procfs: PathBuf) -> InterfaceConn {
        InterfaceConn { sysfs, procfs }
    }

    /// The interface `name` read now.
    pub fn describe(&self, name: &str) -> Result<HostIface> {
        def::read(&self.sysfs, &self.procfs, name, 0)
    }
}

fn iface_ref(name: &str, dir: &std::path::Path) -> InterfaceRef {
    InterfaceRef {
        name: name.to_string(),
        mac: attr(dir, "address").unwrap_or_default(),
    }
}

fn is_up(dir: &std::path::Path) -> bool {
    attr(dir, "operstate").as_deref() == Some("up")
}

impl InterfaceDriver for InterfaceConn {
    fn list_all_interfaces(&self, flags: u32) -> Result<Vec<InterfaceRef>> {
        check_flags(flags, INACTIVE | ACTIVE, "udevConnectListAllInterfaces")?;
        Ok(listed(&self.sysfs)
            .iter()
            .filter(|(_, dir)| {
                let up = is_up(dir);
                flags & (INACTIVE | ACTIVE) == 0
                    || (flags & ACTIVE != 0 && up)
                    || (flags & INACTIVE != 0 && !up)
            })
            .map(|(name, dir)| iface_ref(name, dir))
            .collect())
    }

    fn interface_lookup_by_name(&self, name: &str) -> Result<InterfaceRef> {
        let dir = net_dir(&self.sysfs, name).ok_or_else(|| no_iface(name))?;
        Ok(iface_ref(name, &dir))
    }

    /// As udev matches it, `mac` is a shell pattern (`52:54:00:*`), case-sensitive.
    fn interface_lookup_by_mac(&self, mac: &str) -> Result<InterfaceRef> {
        let found: Vec<InterfaceRef> = listed(&self.sysfs)
            .iter()
            .filter(|(_, dir)| attr(dir, "address").is_some_and(|a| fnmatch(mac, &a)))
            .map(|(name, dir)| iface_ref(name, dir))
            .collect();
        match found.len() {
            1 => Ok(found.into_iter().next().unwrap_or_else(|| unreachable!())),
            0 => Err(Error::new(
                ErrorCode::NoInterface,
                ErrorDomain::Interface,
                format!("couldn't find interface with MAC address '{mac}'"),
            )),
            _ => Err(Error::new(
                ErrorCode::MultipleInterfaces,
                ErrorDomain::Interface,
                format!("the MAC address '{mac}' matches multiple interfaces"),
            )),
        }
    }

    fn interface_xml_desc(&self, iface: &InterfaceRef, flags: u32) -> Result<String> {
        check_flags(flags, XML_INACTIVE, "udevInterfaceGetXMLDesc")?;
        Ok(self.describe(&iface.name)?.to_xml())
    }

    fn interface_is_active(&self, iface: &InterfaceRef) -> Result<bool> {
        let dir = net_dir(&self.sysfs, &iface.name).ok_or_else(|| no_iface(&iface.name))?;
        Ok(is_up(&dir))
    }
}

//! A NIC's bandwidth (`virsh domiftune`, `virDomain{Get,Set}InterfaceParameters`) as
//! libvirt's QEMU driver changes it: the `<bandwidth>` of the live and/or persistent
//! definition (set as libvirt merges it, core's [`apply_interface_params`]) and, live,
//! the limits on the NIC's tap replaced with `tc` (cleared when none are left). A
//! running NIC's `floor` is the network driver's to guarantee; changing it live is
//! refused here rather than left unapplied.

use rvirt_core::api::{TypedParam, validate_params};
use rvirt_core::conf::{Interface, InterfaceType};
use rvirt_core::netdev::bandwidth;
use rvirt_core::objconf::Bandwidth;
use rvirt_core::objects::{
    INTERFACE_PARAMS, apply_interface_params, impact, interface_params, nic, nic_mut,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::configuration::{persistent_mut, save_config, selected_def, touch_status};
use super::instance::{Entry, Shared};

/// The NIC's `<bandwidth>`, parsed.
fn bandwidth_of(n: &Interface) -> Result<Bandwidth> {
    match &n.bandwidth {
        Some(e) => Ok(Bandwidth::from_xml(&e.to_xml_string())?),
        None => Ok(Bandwidth::default()),
    }
}

fn floor(b: &Bandwidth) -> u64 {
    b.inbound.map_or(0, |r| r.floor)
}

/// Replaces the limits on the running NIC's tap with `new`.
fn shape(n: &Interface, old: &Bandwidth, new: &Bandwidth) -> Result<()> {
    if floor(old) != floor(new) {
        return Err(Error::new(
            ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            "changing the inbound floor of a running interface is not supported",
        ));
    }
    let tap = matches!(
        n.interface_type,
        InterfaceType::Network | InterfaceType::Bridge | InterfaceType::Ethernet
    );
    let Some(dev) = n.target.as_ref().map(|t| t.dev.as_str()).filter(|_| tap) else {
        return Err(Error::new(
            ErrorCode::OperationUnsupported,
            ErrorDomain::Qemu,
            format!(
                "setting bandwidth on interfaces of type '{}' is not implemented yet",
                n.interface_type
            ),
        ));
    };
    if new.is_empty() {
        bandwidth::clear(dev);
        Ok(())
    } else {
        bandwidth::set(dev, new, false, true)
    }
}

impl Shared {
    /// `virDomainGetInterfaceParameters`.
    pub(crate) fn interface_parameters(
        &self,
        entry: &Entry,
        device: &str,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        let vm = entry.lock();
        let def = selected_def(&vm, flags)?;
        Ok(interface_params(nic(def, device)?))
    }

    /// `virDomainSetInterfaceParameters`.
    pub(crate) fn set_interface_parameters(
        &self,
        entry: &Entry,
        device: &str,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        validate_params(params, &INTERFACE_PARAMS, ErrorDomain::Qemu)?;
        let job = entry.begin_job("virDomainSetInterfaceParameters")?;
        let mut vm = job.lock();
        let (live, config) = impact(&vm, flags)?;
        if config {
            nic(persistent_mut(&mut vm), device)?;
        }
        if live {
            let n = nic_mut(&mut vm.def, device)?;
            let old = bandwidth_of(n)?;
            let mut changed = n.clone();
            apply_interface_params(&mut changed, params);
            shape(&changed, &old, &bandwidth_of(&changed)?)?;
            *n = changed;
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            apply_interface_params(nic_mut(&mut def, device)?, params);
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

//! The host's network filters as the QEMU driver reaches them: through rvirt-core's
//! shared secondary drivers, as libvirt's QEMU driver asks the nwfilter driver
//! (drivers never depend on each other). A NIC with a `<filterref>` gets a filter
//! binding on its tap at start (`virNWFilterBindingCreateXML`: owner, tap, MAC,
//! the filter reference with its parameters), deleted when the tap goes
//! (`virNWFilterBindingDelete`). Only `qemu:///system` has network filters.

use std::sync::{Arc, Mutex};

use rvirt_core::driver::{NwFilterBindingRef, NwFilterDriver, open_shared_detached};
use rvirt_core::objconf::Element;
use rvirt_core::objconf::error::domain::NWFILTER;
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid, log};

/// The nwfilter driver connection of the process's `qemu:///system`, opened once.
fn system_nwfilters() -> Result<Arc<dyn NwFilterDriver>> {
    static NWF: Mutex<Option<Arc<dyn NwFilterDriver>>> = Mutex::new(None);
    let mut cached = NWF.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(n) = cached.as_ref() {
        return Ok(n.clone());
    }
    let nwf = open_shared_detached(&Uri::parse("qemu:///system")?)?
        .nwfilter
        .ok_or_else(no_nwfilter_driver)?;
    *cached = Some(nwf.clone());
    Ok(nwf)
}

fn no_nwfilter_driver() -> Error {
    Error::new(
        ErrorCode::OperationUnsupported,
        ErrorDomain::Qemu,
        "no network filter driver is available for this QEMU driver (filters are served to qemu:///system)",
    )
}

/// Binds the filter `filterref` (the NIC's `<filterref>` as XML) to the tap `dev`
/// of the guest `owner`/`uuid` with MAC `mac`.
pub(crate) fn binding_create(
    system: bool,
    owner: &str,
    uuid: Uuid,
    dev: &str,
    mac: &str,
    filterref: &str,
) -> Result<()> {
    if !system {
        return Err(no_nwfilter_driver());
    }
    let fref = rvirt_core::objconf::tree::parse(filterref, "(filterref)", NWFILTER)?;
    let xml = Element::new("filterbinding")
        .child(
            Element::new("owner")
                .child(Element::leaf("name", owner))
                .child(Element::leaf("uuid", uuid.hyphenated().to_string())),
        )
        .child(Element::new("portdev").attr("name", dev))
        .child(Element::new("mac").attr("address", mac))
        .child(fref)
        .to_xml();
    system_nwfilters()?.nwfilter_binding_create_xml(&xml, 0)?;
    Ok(())
}

/// Deletes the filter binding of the tap `dev` (it is going); failures are logged.
pub(crate) fn binding_delete(dev: &str) {
    let done = system_nwfilters().and_then(|n| {
        n.nwfilter_binding_delete(&NwFilterBindingRef {
            port_dev: dev.to_string(),
            filter: String::new(),
        })
    });
    if let Err(e) = done {
        log::info(
            ErrorDomain::Qemu,
            format_args!("filter binding of '{dev}' not deleted: {}", e.message()),
        );
    }
}

/// Deletes the filter binding of the tap `dev` if the guest `uuid` owns it (a run
/// that ended while no process watched it: the tap's name may be another guest's by
/// now, and so may a binding of that name).
pub(crate) fn binding_delete_owned(dev: &str, uuid: Uuid) {
    let Ok(n) = system_nwfilters() else { return };
    let Ok(r) = n.nwfilter_binding_lookup_by_port_dev(dev) else {
        return;
    };
    let owned = n.nwfilter_binding_xml_desc(&r, 0).is_ok_and(|xml| {
        rvirt_core::objconf::tree::parse(&xml, "(filterbinding)", NWFILTER)
            .ok()
            .and_then(|e| e.path(&["owner", "uuid"]).map(|u| u.trimmed().to_string()))
            .is_some_and(|u| u.eq_ignore_ascii_case(&uuid.hyphenated().to_string()))
    });
    if owned {
        binding_delete(dev);
    }
}

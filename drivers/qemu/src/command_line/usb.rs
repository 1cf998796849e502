//! `<controller type='usb'>` and USB `<input>`s → `-device` (libvirt's
//! `qemuBuildUSBControllerDevProps` and `qemuBuildUSBInputDevProps`).
//!
//! The machine keeps `usb=off`; every USB controller is explicit. Controllers and
//! devices get QEMU's automatic PCI addresses and USB ports.

use rvirt_core::Result;
use rvirt_core::conf::{
    CharDeviceType, Controller, ControllerType, Device, DomainDef, InputBus, InputType,
};
use serde_json::{Map, Value, json};

use super::machine::is_q35;
use super::pci::PciBuses;
use super::unsupported;

/// QEMU's device for a libvirt USB controller model, and whether it is a UHCI
/// companion (which joins the EHCI controller of the same index as `masterbus`).
fn usb_driver(model: &str) -> Option<(&'static str, bool)> {
    Some(match model {
        "piix3-uhci" => ("piix3-usb-uhci", false),
        "piix4-uhci" => ("piix4-usb-uhci", false),
        "ehci" => ("usb-ehci", false),
        "ich9-ehci1" => ("ich9-usb-ehci1", false),
        "ich9-uhci1" => ("ich9-usb-uhci1", true),
        "ich9-uhci2" => ("ich9-usb-uhci2", true),
        "ich9-uhci3" => ("ich9-usb-uhci3", true),
        "nec-xhci" => ("nec-usb-xhci", false),
        "qemu-xhci" => ("qemu-xhci", false),
        _ => return None,
    })
}

/// libvirt's alias of USB controller `index` (`usb`, `usb1`, …); its bus is `ALIAS.0`.
fn usb_alias(index: u32) -> String {
    if index == 0 {
        "usb".into()
    } else {
        format!("usb{index}")
    }
}

/// The `-device` of one USB controller; `machine` picks the default model (QEMU's
/// XHCI on Q35, PIIX3 UHCI otherwise). Model `none` gives nothing.
fn usb_controller(c: &Controller, buses: &PciBuses) -> Result<Option<Value>> {
    let machine = buses.machine();
    let index = c.index.unwrap_or(0);
    let model = c.model.as_deref().unwrap_or(if is_q35(machine) {
        "qemu-xhci"
    } else {
        "piix3-uhci"
    });
    if model == "none" {
        return Ok(None);
    }
    let (driver, companion) = usb_driver(model)
        .ok_or_else(|| unsupported(format!("USB controller model '{model}' is not supported")))?;
    let mut dev = Map::new();
    dev.insert("driver".into(), driver.into());
    if let Some(ports) = c.ports {
        if !driver.ends_with("xhci") {
            return Err(unsupported(format!(
                "setting USB ports is only supported for XHCI controllers, not '{model}'"
            )));
        }
        dev.insert("p2".into(), ports.into());
        dev.insert("p3".into(), ports.into());
    }
    match (companion, &c.master) {
        (true, Some(m)) => {
            dev.insert("masterbus".into(), format!("{}.0", usb_alias(index)).into());
            dev.insert("firstport".into(), m.startport.into());
        }
        (true, None) => {
            return Err(unsupported(format!(
                "USB companion controller '{model}' needs <master startport=…/>"
            )));
        }
        (false, Some(_)) => {
            return Err(unsupported(format!(
                "USB controller '{model}' cannot have a master"
            )));
        }
        (false, None) => {
            dev.insert("id".into(), usb_alias(index).into());
        }
    }
    buses.place_map(c.address.as_ref(), &mut dev)?;
    Ok(Some(Value::Object(dev)))
}

/// Pushes the USB controllers and USB input devices of `def`.
pub(super) fn push_usb(def: &DomainDef, machine: &str, args: &mut Vec<String>) -> Result<()> {
    let mut have_bus = false;
    for dev in def.devices() {
        if let Device::Controller(c) = dev
            && c.controller_type == ControllerType::Usb
            && let Some(v) = usb_controller(c, &PciBuses::new(def, machine))?
        {
            have_bus |= v.get("id").is_some_and(|id| id == "usb");
            args.push("-device".into());
            args.push(v.to_string());
        }
    }
    let inputs = def.devices().iter().filter_map(|d| match d {
        Device::Input(i) => Some(i),
        _ => None,
    });
    for (n, input) in inputs.enumerate() {
        if input.bus != Some(InputBus::Usb) {
            continue;
        }
        let driver = match input.input_type {
            InputType::Tablet => "usb-tablet",
            InputType::Mouse => "usb-mouse",
            InputType::Keyboard => "usb-kbd",
            other => {
                return Err(unsupported(format!(
                    "USB input type '{other}' is not supported"
                )));
            }
        };
        if !have_bus {
            return Err(unsupported(format!(
                "<input type='{}' bus='usb'> needs a USB controller",
                input.input_type
            )));
        }
        args.push("-device".into());
        args.push(json!({"driver": driver, "id": format!("input{n}"), "bus": "usb.0"}).to_string());
    }
    push_redirdevs(def, have_bus, args)
}

/// Each `<redirdev bus='usb' type='spicevmc'>`: a `spicevmc` chardev named `usbredir`
/// and a `usb-redir` device on it (libvirt's `qemuBuildRedirdevCommandLine`).
fn push_redirdevs(def: &DomainDef, have_bus: bool, args: &mut Vec<String>) -> Result<()> {
    let redirs = def.devices().iter().filter_map(|d| match d {
        Device::Redirdev(r) => Some(r),
        _ => None,
    });
    for (n, r) in redirs.enumerate() {
        if r.bus != "usb" || r.redir_type != CharDeviceType::Spicevmc {
            return Err(unsupported(format!(
                "<redirdev bus='{}' type='{}'> is not supported yet",
                r.bus, r.redir_type
            )));
        }
        if r.boot.is_some() {
            return Err(unsupported("booting from a redirected USB device"));
        }
        if !have_bus {
            return Err(unsupported("<redirdev bus='usb'> needs a USB controller"));
        }
        if !super::display::has_spice(def) {
            return Err(unsupported(
                "<redirdev type='spicevmc'> needs a <graphics type='spice'>",
            ));
        }
        let chardev = format!("charredir{n}");
        args.push("-chardev".into());
        args.push(format!("spicevmc,id={chardev},name=usbredir"));
        args.push("-device".into());
        args.push(
            json!({"driver": "usb-redir", "chardev": chardev, "id": format!("redir{n}"), "bus": "usb.0"})
                .to_string(),
        );
    }
    Ok(())
}

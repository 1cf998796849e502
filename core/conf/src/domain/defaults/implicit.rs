//! Devices libvirt adds on its own: the serial behind a `<console>` (and the console
//! in front of a serial), disk and channel controllers, a video card for a display;
//! and controller indexes.

use super::{Defaults, unsupported};
use crate::devices::{
    Address, AddressType, CharDevice, CharTarget, Controller, ControllerType, Device, DiskBus,
};
use crate::domain::{DomainDef, OsType};
use crate::{ConfError, Video};

fn is_usb2(c: &Controller) -> bool {
    c.controller_type == ControllerType::Usb
        && matches!(
            c.model.as_deref(),
            Some("ich9-ehci1" | "ich9-uhci1" | "ich9-uhci2" | "ich9-uhci3")
        )
}

fn unused_index(def: &DomainDef, t: ControllerType, model: Option<&str>) -> u32 {
    // PCI index 0 is the root bus (`pci-root`/`pcie-root`), whether or not the
    // definition spells it out.
    let is_root = matches!(model, None | Some("pci-root" | "pcie-root"));
    let mut idx = u32::from(t == ControllerType::Pci && !is_root);
    while def
        .controllers()
        .any(|c| c.controller_type == t && c.index == Some(idx))
    {
        idx += 1;
    }
    idx
}

/// Gives every controller without an index one: the lowest unused for its type (from
/// 1 for PCI controllers other than the root), or a USB2 companion the index of the
/// USB2 controller before it.
pub(crate) fn assign_controller_indexes(def: &mut DomainDef) {
    let n = def.devices().len();
    for i in 0..n {
        let Device::Controller(cont) = &def.devices()[i] else {
            continue;
        };
        if cont.index.is_some() {
            continue;
        }
        let cont = cont.clone();
        let mut idx = None;
        if is_usb2(&cont) {
            let prev = def.devices()[..i].iter().rev().find_map(|d| match d {
                Device::Controller(c) if c.controller_type == ControllerType::Usb => Some(c),
                _ => None,
            });
            if let Some(prev) = prev.filter(|p| is_usb2(p))
                && !def.controllers().any(|c| {
                    c.controller_type == ControllerType::Usb
                        && c.index == prev.index
                        && c.model == cont.model
                })
            {
                idx = prev.index;
            }
        }
        let idx =
            idx.unwrap_or_else(|| unused_index(def, cont.controller_type, cont.model.as_deref()));
        if let Device::Controller(c) = &mut def.devices_mut()[i] {
            c.index = Some(idx);
        }
    }
}

fn maybe_add_controller(def: &mut DomainDef, t: ControllerType, idx: u32) {
    if def
        .controllers()
        .any(|c| c.controller_type == t && c.index == Some(idx))
    {
        return;
    }
    def.add_device(Device::Controller(Controller::new(t, idx)));
}

fn drive_controllers(def: &mut DomainDef, t: ControllerType, bus: DiskBus) {
    let max = def
        .disks()
        .filter(|d| d.target.bus == Some(bus))
        .filter_map(|d| d.address.as_ref())
        .filter(|a| a.address_type == AddressType::Drive)
        .map(|a| a.controller.unwrap_or(0))
        .max();
    if let Some(max) = max {
        for i in 0..=max {
            maybe_add_controller(def, t, i);
        }
    }
}

fn target_type(c: &CharDevice) -> Option<&str> {
    c.target.as_ref().and_then(|t| t.target_type.as_deref())
}

/// The console libvirt prints for serial `s`: the serial itself, as a console.
fn console_of(s: &CharDevice) -> CharDevice {
    let mut c = s.clone();
    c.target = Some(CharTarget {
        target_type: Some("serial".into()),
        port: s.target.as_ref().and_then(|t| t.port),
        ..CharTarget::default()
    });
    c
}

fn console_compat(def: &mut DomainDef) -> Result<(), ConfError> {
    let consoles: Vec<usize> = positions(def, |d| matches!(d, Device::Console(_)));
    for &i in consoles.iter().skip(1) {
        if let Device::Console(c) = &def.devices()[i]
            && target_type(c) == Some("serial")
        {
            return Err(unsupported("Only the first console can be a serial port"));
        }
    }
    if def.os.os_type.value != OsType::Hvm {
        return Ok(());
    }
    let first_console = consoles.first().copied();
    let serial_console = first_console.is_some_and(|i| match &def.devices()[i] {
        Device::Console(c) => matches!(target_type(c), None | Some("serial")),
        _ => false,
    });
    if serial_console {
        let i = first_console.expect("checked");
        if !def.devices().iter().any(|d| matches!(d, Device::Serial(_))) {
            let Device::Console(c) = &def.devices()[i] else {
                unreachable!()
            };
            let mut serial = c.clone();
            serial.target = Some(CharTarget {
                port: Some(0),
                ..CharTarget::default()
            });
            def.devices_mut().insert(i, Device::Serial(serial));
        }
        return Ok(());
    }
    let first_serial = def.devices().iter().find_map(|d| match d {
        Device::Serial(s) => Some(s.clone()),
        _ => None,
    });
    if let Some(s) = first_serial
        && matches!(
            target_type(&s),
            None | Some("isa-serial" | "spapr-vio-serial" | "system-serial" | "sclp-serial")
        )
    {
        let stub = Device::Console(console_of(&s));
        match first_console {
            Some(i) => def.devices_mut().insert(i, stub),
            None => def.add_device(stub),
        }
    }
    Ok(())
}

/// Makes each console that stands for a serial port a copy of that serial port, as
/// libvirt prints it.
pub(crate) fn mirror_serial_consoles(def: &mut DomainDef) {
    if def.os.os_type.value != OsType::Hvm {
        return;
    }
    let serials: Vec<CharDevice> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Serial(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let mut n = 0;
    for d in def.devices_mut() {
        if let Device::Console(c) = d {
            if matches!(target_type(c), None | Some("serial"))
                && let Some(s) = serials.get(n)
            {
                *c = console_of(s);
            }
            n += 1;
        }
    }
}

fn positions(def: &DomainDef, f: impl Fn(&Device) -> bool) -> Vec<usize> {
    def.devices()
        .iter()
        .enumerate()
        .filter(|(_, d)| f(d))
        .map(|(i, _)| i)
        .collect()
}

fn virtio_serial_controllers(def: &mut DomainDef) {
    let mut wanted = Vec::new();
    for d in def.devices() {
        let c = match d {
            Device::Channel(c) if target_type(c) == Some("virtio") => c,
            Device::Console(c) if target_type(c) == Some("virtio") => c,
            _ => continue,
        };
        let idx = c
            .address
            .as_ref()
            .filter(|a| a.address_type == AddressType::VirtioSerial)
            .map_or(0, |a| a.controller.unwrap_or(0));
        wanted.push(idx);
    }
    for idx in wanted {
        maybe_add_controller(def, ControllerType::VirtioSerial, idx);
    }
}

fn smartcard_controllers(def: &mut DomainDef) {
    let n = def.devices().len();
    for i in 0..n {
        let Device::Smartcard(sc) = &def.devices()[i] else {
            continue;
        };
        let idx = match &sc.address {
            Some(a) if a.address_type == AddressType::Ccid => a.controller.unwrap_or(0),
            Some(_) => 0,
            None => {
                let max = def
                    .devices()
                    .iter()
                    .filter_map(|d| match d {
                        Device::Smartcard(s) => s.address.as_ref(),
                        _ => None,
                    })
                    .filter(|a| a.address_type == AddressType::Ccid && a.controller == Some(0))
                    .filter_map(|a| a.slot)
                    .max();
                let mut a = Address::of(AddressType::Ccid);
                a.controller = Some(0);
                a.slot = Some(max.map_or(0, |m| m + 1));
                if let Device::Smartcard(s) = &mut def.devices_mut()[i] {
                    s.address = Some(a);
                }
                0
            }
        };
        maybe_add_controller(def, ControllerType::Ccid, idx);
    }
}

fn is_scsi_hostdev(d: &Device) -> bool {
    matches!(d, Device::Hostdev(h) if h.hostdev_type == "scsi"
        && h.mode != Some(crate::HostdevMode::Capabilities))
}

/// Drive addresses for SCSI host devices without one: the first free unit, controller
/// by controller (bus and target 0).
fn scsi_hostdev_addresses(def: &mut DomainDef, defaults: &Defaults) {
    let units = if defaults.wide_scsi { 16 } else { 7 };
    let n = def.devices().len();
    for i in 0..n {
        if !is_scsi_hostdev(&def.devices()[i]) || def.devices()[i].address().is_some() {
            continue;
        }
        let used: std::collections::HashSet<(u32, u32)> = def
            .devices()
            .iter()
            .filter(|d| match d {
                Device::Disk(disk) => disk.target.bus == Some(DiskBus::Scsi),
                other => is_scsi_hostdev(other),
            })
            .filter_map(|d| d.address())
            .filter(|a| {
                a.address_type == AddressType::Drive
                    && a.bus.unwrap_or(0) == 0
                    && a.target.unwrap_or(0) == 0
            })
            .map(|a| (a.controller.unwrap_or(0), a.unit.unwrap_or(0)))
            .collect();
        let mut controller = 0;
        let unit = loop {
            if let Some(u) = (0..units).find(|u| !used.contains(&(controller, *u))) {
                break u;
            }
            controller += 1;
        };
        if let Some(slot) = def.devices_mut()[i].address_mut() {
            *slot = Some(Address::drive(controller, 0, 0, unit));
        }
    }
}

fn scsi_hostdev_controllers(def: &mut DomainDef) {
    let mut max = None;
    let mut model = None;
    for d in def.devices() {
        if is_scsi_hostdev(d)
            && let Some(a) = d.address()
            && a.address_type == AddressType::Drive
        {
            let c = a.controller.unwrap_or(0);
            if max.is_none_or(|m| c > m) {
                max = Some(c);
                model = def
                    .controllers()
                    .find(|x| x.controller_type == ControllerType::Scsi && x.index == Some(c))
                    .and_then(|x| x.model.clone());
            }
        }
    }
    if let Some(max) = max {
        for i in 0..=max {
            if !def
                .controllers()
                .any(|c| c.controller_type == ControllerType::Scsi && c.index == Some(i))
            {
                let mut c = Controller::new(ControllerType::Scsi, i);
                c.model = model.clone();
                def.add_device(Device::Controller(c));
            }
        }
    }
}

/// libvirt's implicit devices: console compatibility, controllers the devices'
/// addresses need, and a video card for a display without one.
pub(crate) fn add_implicit_devices(
    def: &mut DomainDef,
    defaults: &Defaults,
) -> Result<(), ConfError> {
    console_compat(def)?;
    scsi_hostdev_addresses(def, defaults);
    drive_controllers(def, ControllerType::Scsi, DiskBus::Scsi);
    drive_controllers(def, ControllerType::Fdc, DiskBus::Fdc);
    drive_controllers(def, ControllerType::Ide, DiskBus::Ide);
    drive_controllers(def, ControllerType::Sata, DiskBus::Sata);
    virtio_serial_controllers(def);
    smartcard_controllers(def);
    scsi_hostdev_controllers(def);
    let has_graphics = def.graphics().next().is_some();
    if has_graphics && def.videos().next().is_none() {
        def.add_device(Device::Video(Video::default()));
    }
    Ok(())
}

//! libvirt's automatic PCI address assignment at define: every PCI device without an
//! address gets one, and the controllers it needs are added to the definition, so the
//! guest sees the same topology on every start and `dumpxml` shows it.
//!
//! - **Q35**: PCIe endpoints each get a `pcie-root-port` of their own (a free one of
//!   the definition, else a new one packed eight to a multifunction slot of `pcie.0`
//!   from slot 2, `port` = slot·8 + function); conventional PCI devices go behind a
//!   `pcie-to-pci-bridge` (added on its own root port when none has room); the
//!   primary video sits at `00:01.0`, ICH9 sound at `00:1b.0`, ICH9 USB at `00:1d`,
//!   the SATA controller at `00:1f.2`. One root port is kept free for hotplug.
//! - **i440FX**: everything on `pci.0` from slot 3; PIIX3 keeps slot 1 (IDE `01.1`,
//!   its UHCI `01.2`), the primary video slot 2.
//!
//! Explicit addresses are kept and checked: an unknown bus, a slot the bus does not
//! have, or an address used twice is refused with libvirt's XML error.

use std::collections::{BTreeMap, HashMap};

use rvirt_core::conf::{
    Address, AddressType, Controller, ControllerTarget, ControllerType, Device, DomainDef,
    NameAttr, OnOff,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::role::{Role, role, usb_companion_function};

/// The order libvirt hands out addresses in: NICs, sound, controllers, disks, the
/// balloon, RNGs, watchdogs, further videos, inputs.
fn kind_rank(dev: &Device) -> u8 {
    match dev {
        Device::Interface(_) => 0,
        Device::Sound(_) => 1,
        Device::Controller(_) => 2,
        Device::Disk(_) => 3,
        Device::Memballoon(_) => 4,
        Device::Rng(_) => 5,
        Device::Watchdog(_) => 6,
        Device::Video(_) => 7,
        _ => 8,
    }
}

fn xml_error(message: String) -> Error {
    Error::xml(ErrorDomain::Qemu, message)
}

/// `0000:BB:SS.F` as libvirt prints PCI addresses in messages.
fn show(bus: u32, slot: u32, function: u32) -> String {
    format!("0000:{bus:02x}:{slot:02x}.{function}")
}

/// The slots a PCI controller's bus offers (`None`: not a bus devices plug into).
fn slot_range(model: &str) -> Option<(u32, u32)> {
    match model {
        "pci-root" | "pcie-root" | "pci-bridge" | "pcie-to-pci-bridge" => Some((1, 31)),
        "dmi-to-pci-bridge" => Some((0, 31)),
        "pcie-root-port" | "pcie-switch-downstream-port" => Some((0, 0)),
        _ => None,
    }
}

/// The buses of one definition and which of their functions are taken.
struct Buses {
    q35: bool,
    /// PCI controllers by index: their model.
    models: BTreeMap<u32, String>,
    /// Functions in use per (bus, slot), as a bit mask.
    used: HashMap<(u32, u32), u8>,
    /// Slots of bus 0 that hold root ports (may take more of them).
    root_port_slots: Vec<u32>,
    /// Controllers added by the assignment.
    added: Vec<Controller>,
}

impl Buses {
    fn new(def: &DomainDef, q35: bool) -> Buses {
        let mut models = BTreeMap::new();
        models.insert(0, if q35 { "pcie-root" } else { "pci-root" }.to_owned());
        for dev in def.devices() {
            if let Device::Controller(c) = dev
                && c.controller_type == ControllerType::Pci
                && let Some(model) = &c.model
            {
                models.insert(c.index.unwrap_or(0), model.clone());
            }
        }
        let mut b = Buses {
            q35,
            models,
            used: HashMap::new(),
            root_port_slots: Vec::new(),
            added: Vec::new(),
        };
        // The host bridge; on Q35 the LPC and SMBus functions of slot 0x1f (its SATA
        // function is the `sata` controller's), on i440FX PIIX3's ISA bridge and ACPI
        // functions (its IDE and UHCI functions are the controllers').
        b.used.insert((0, 0), 0xff);
        if q35 {
            b.used.insert((0, 0x1f), 0b1111_1011);
        } else {
            b.used.insert((0, 1), 0b1001);
        }
        b
    }

    fn is_free(&self, bus: u32, slot: u32, function: u32) -> bool {
        self.used.get(&(bus, slot)).copied().unwrap_or(0) & (1 << function) == 0
    }

    /// Records an explicit address, refusing one libvirt refuses.
    fn claim(&mut self, a: &Address) -> Result<()> {
        let (bus, slot, function) = (
            a.bus.unwrap_or(0),
            a.slot.unwrap_or(0),
            a.function.unwrap_or(0),
        );
        let at = show(bus, slot, function);
        if a.domain.unwrap_or(0) != 0 {
            return Err(xml_error(format!(
                "PCI domain 0x{:04x} of address {at} is not supported: only domain 0 exists",
                a.domain.unwrap_or(0)
            )));
        }
        let model = self.models.get(&bus).ok_or_else(|| {
            xml_error(format!(
                "Could not find PCI controller with index '{bus}' required for device at address '{at}'"
            ))
        })?;
        let (lo, hi) = slot_range(model).ok_or_else(|| {
            xml_error(format!(
                "PCI controller '{model}' (index {bus}) has no slots for the device at address '{at}'"
            ))
        })?;
        if slot < lo || slot > hi || function > 7 {
            return Err(xml_error(format!(
                "Invalid PCI address {at}: slot must be >= {lo} and <= {hi}, function <= 7 on a '{model}'"
            )));
        }
        if !self.is_free(bus, slot, function) {
            return Err(xml_error(format!(
                "Attempted double use of PCI Address {at}"
            )));
        }
        *self.used.entry((bus, slot)).or_default() |= 1 << function;
        Ok(())
    }

    fn take(&mut self, bus: u32, slot: u32, function: u32) -> Address {
        *self.used.entry((bus, slot)).or_default() |= 1 << function;
        Address::pci(0, bus, slot, function)
    }

    /// A free slot (function 0) on bus `bus` from `first`.
    fn free_slot(&mut self, bus: u32, first: u32) -> Option<Address> {
        let (lo, hi) = slot_range(self.models.get(&bus)?)?;
        let slot = (lo.max(first)..=hi).find(|s| !self.used.contains_key(&(bus, *s)))?;
        Some(self.take(bus, slot, 0))
    }

    /// The next function of `pcie.0` for a root port: in a slot that already holds
    /// root ports, else in a free slot from 2.
    fn root_port_function(&mut self) -> Result<Address> {
        for slot in self.root_port_slots.clone() {
            if let Some(f) = (0..8).find(|f| self.is_free(0, slot, *f)) {
                return Ok(self.take(0, slot, f));
            }
        }
        let a = self
            .free_slot(0, 2)
            .ok_or_else(|| xml_error("No more available PCI slots on pcie.0".into()))?;
        self.root_port_slots.push(a.slot.unwrap_or(0));
        Ok(a)
    }

    fn next_index(&self) -> u32 {
        self.models.keys().next_back().map_or(0, |i| i + 1)
    }

    /// Adds a PCI controller of `model` at `address` and returns its index.
    fn add_controller(&mut self, model: &str, address: Address) -> u32 {
        let index = self.next_index();
        let mut c = Controller::new(ControllerType::Pci, index);
        c.model = Some(model.to_owned());
        let qemu_name = if model == "pcie-to-pci-bridge" {
            "pcie-pci-bridge"
        } else {
            model
        };
        c.model_name = Some(NameAttr {
            name: qemu_name.to_owned(),
            ..Default::default()
        });
        if model == "pcie-root-port" {
            let (slot, function) = (address.slot.unwrap_or(0), address.function.unwrap_or(0));
            c.target = Some(ControllerTarget {
                chassis: Some(index),
                port: Some(format!("{:#x}", slot * 8 + function)),
                ..Default::default()
            });
        }
        c.address = Some(address);
        self.models.insert(index, model.to_owned());
        self.added.push(c);
        index
    }

    /// A root port no device uses, the lowest index first.
    fn free_root_port(&self) -> Option<u32> {
        self.models
            .iter()
            .filter(|(_, m)| m.as_str() == "pcie-root-port")
            .map(|(i, _)| *i)
            .find(|i| !self.used.contains_key(&(*i, 0)))
    }

    /// Slot 0 of a free root port, adding one if none is free.
    fn express_slot(&mut self) -> Result<Address> {
        let port = match self.free_root_port() {
            Some(p) => p,
            None => {
                let at = self.root_port_function()?;
                self.add_controller("pcie-root-port", at)
            }
        };
        Ok(self.take(port, 0, 0))
    }

    /// A conventional PCI slot: `pci.0` from slot 3 on i440FX; on Q35 a slot of a
    /// PCI bridge, adding a `pcie-to-pci-bridge` when none has room.
    fn conventional_slot(&mut self) -> Result<Address> {
        if !self.q35 {
            return self
                .free_slot(0, 3)
                .ok_or_else(|| xml_error("No more available PCI slots on pci.0".into()));
        }
        let bridges: Vec<u32> = self
            .models
            .iter()
            .filter(|(_, m)| matches!(m.as_str(), "pcie-to-pci-bridge" | "pci-bridge"))
            .map(|(i, _)| *i)
            .collect();
        for bus in bridges {
            if let Some(a) = self.free_slot(bus, 1) {
                return Ok(a);
            }
        }
        let at = self.express_slot()?;
        let bridge = self.add_controller("pcie-to-pci-bridge", at);
        self.free_slot(bridge, 1)
            .ok_or_else(|| xml_error("a new PCI bridge has no free slot".into()))
    }

    fn place(&mut self, role: Role) -> Result<Address> {
        match role {
            Role::Fixed { slot, function } if self.is_free(0, slot, function) => {
                Ok(self.take(0, slot, function))
            }
            Role::Express if self.q35 => self.express_slot(),
            Role::RootPort => self.root_port_function(),
            Role::Fixed { .. } | Role::Express | Role::Conventional => self.conventional_slot(),
        }
    }
}

/// True for an address the assignment fills in: none, or an empty PCI one.
fn wants_address(a: Option<&Address>) -> bool {
    a.is_none_or(Address::is_empty_pci)
}

/// Assigns a PCI address to every PCI device of `def` that has none, adding the root
/// ports and bridges they need (see the module documentation), for the machine
/// family `def` names.
///
/// Errors: `VIR_ERR_XML_ERROR` for an explicit address on a bus the definition does
/// not have, outside its slots, or used twice, and when no slot is left.
pub(crate) fn assign_pci_addresses(def: &mut DomainDef) -> Result<()> {
    let q35 = super::def_is_q35(def);
    assign(def, q35, true)
}

/// Gives `dev`, about to be hot-plugged into a guest running `def`, a free PCI address
/// (if it is a PCI device without one): on Q35 a free root port, since QEMU cannot
/// add controllers to a running guest.
///
/// Errors: `VIR_ERR_OPERATION_FAILED` when no slot is free for it, and the errors of
/// [`assign_pci_addresses`].
pub(crate) fn assign_hotplug_address(def: &DomainDef, dev: &mut Device) -> Result<()> {
    let q35 = super::def_is_q35(def);
    let mut with = def.clone();
    with.devices_mut().push(dev.clone());
    assign(&mut with, q35, false)?;
    if let (Some(slot), Some(Some(a))) = (
        dev.address_mut(),
        with.devices().last().map(Device::address),
    ) {
        *slot = Some(a.clone());
    }
    Ok(())
}

fn assign(def: &mut DomainDef, q35: bool, may_add_controllers: bool) -> Result<()> {
    let mut buses = Buses::new(def, q35);
    let first_video = def
        .devices()
        .iter()
        .position(|d| matches!(d, Device::Video(_)));
    let roles: Vec<Option<Role>> = def
        .devices()
        .iter()
        .enumerate()
        .map(|(i, d)| role(d, q35, Some(i) == first_video))
        .collect();
    for (dev, r) in def.devices().iter().zip(&roles) {
        if let (Some(_), Some(a)) = (r, dev.address())
            && a.address_type == AddressType::Pci
            && !a.is_empty_pci()
        {
            buses.claim(a)?;
            if matches!(r, Some(Role::RootPort)) && a.bus == Some(0) {
                buses.root_port_slots.push(a.slot.unwrap_or(0));
            }
        }
    }
    // Fixed places first, then root ports, then the rest in libvirt's order.
    let mut order: Vec<usize> = (0..roles.len())
        .filter(|i| roles[*i].is_some() && wants_address(def.devices()[*i].address()))
        .collect();
    order.sort_by_key(|i| {
        let stage = match roles[*i] {
            Some(Role::Fixed { .. }) => 0,
            Some(Role::RootPort) => 1,
            _ => 2,
        };
        (stage, kind_rank(&def.devices()[*i]))
    });
    let mut assigned: Vec<(usize, Address)> = Vec::new();
    let mut usb_slots: HashMap<u32, (u32, u32)> = HashMap::new();
    let mut express_placed = false;
    for i in order {
        let dev = &def.devices()[i];
        let role = roles[i].expect("filtered above");
        // ICH9 USB companions of one index share one slot outside Q35's fixed one.
        let address = match (usb_companion_function(dev), role) {
            (Some((index, function)), Role::Conventional) => match usb_slots.get(&index) {
                Some(&(bus, slot)) => buses.take(bus, slot, function),
                None => {
                    let a = buses.conventional_slot()?;
                    let (bus, slot) = (a.bus.unwrap_or(0), a.slot.unwrap_or(0));
                    usb_slots.insert(index, (bus, slot));
                    buses.used.insert((bus, slot), 0);
                    buses.take(bus, slot, function)
                }
            },
            _ => buses.place(role)?,
        };
        express_placed |= q35 && address.bus.unwrap_or(0) != 0 && role == Role::Express;
        assigned.push((i, address));
    }
    if !may_add_controllers && !buses.added.is_empty() {
        return Err(Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Qemu,
            "No free PCI slot to hot-plug the device into: a running guest cannot gain controllers (define a free pcie-root-port)",
        ));
    }
    if may_add_controllers && express_placed && buses.free_root_port().is_none() {
        let at = buses.root_port_function()?;
        buses.add_controller("pcie-root-port", at);
    }
    for (i, address) in assigned {
        if let Some(slot) = def.devices_mut()[i].address_mut() {
            *slot = Some(address);
        }
    }
    let added = std::mem::take(&mut buses.added);
    def.devices_mut()
        .extend(added.into_iter().map(Device::Controller));
    mark_multifunction(def);
    complete_root_ports(def);
    Ok(())
}

/// Gives each root port on `pcie.0` the model name and target libvirt writes for it
/// (`chassis` = index, `port` = slot·8 + function) where the definition left them out.
fn complete_root_ports(def: &mut DomainDef) {
    for dev in def.devices_mut() {
        let Device::Controller(c) = dev else { continue };
        if c.model.as_deref() != Some("pcie-root-port") {
            continue;
        }
        c.model_name.get_or_insert_with(|| NameAttr {
            name: "pcie-root-port".into(),
            ..Default::default()
        });
        let (index, address) = (c.index.unwrap_or(0), c.address.clone());
        let target = c.target.get_or_insert_with(ControllerTarget::default);
        target.chassis.get_or_insert(index);
        if target.port.is_none()
            && let Some(a) = address.filter(|a| a.bus == Some(0))
        {
            target.port = Some(format!(
                "{:#x}",
                a.slot.unwrap_or(0) * 8 + a.function.unwrap_or(0)
            ));
        }
    }
}

/// Sets `multifunction='on'` on function 0 of every slot where more than one
/// function is used, as QEMU needs it to probe the others.
fn mark_multifunction(def: &mut DomainDef) {
    let mut functions: HashMap<(u32, u32), u32> = HashMap::new();
    for dev in def.devices() {
        if let Some(a) = dev.address()
            && a.address_type == AddressType::Pci
            && !a.is_empty_pci()
        {
            *functions
                .entry((a.bus.unwrap_or(0), a.slot.unwrap_or(0)))
                .or_default() += 1;
        }
    }
    for dev in def.devices_mut() {
        if let Some(Some(a)) = dev.address_mut()
            && a.address_type == AddressType::Pci
            && a.function.unwrap_or(0) == 0
            && a.multifunction.is_none()
            && functions
                .get(&(a.bus.unwrap_or(0), a.slot.unwrap_or(0)))
                .is_some_and(|n| *n > 1)
        {
            a.multifunction = Some(OnOff::On);
        }
    }
}

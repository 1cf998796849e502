//! `<controller type='pci'>` → `-device` for root ports and bridges (libvirt's
//! `qemuBuildControllerPCIDevProps`), and every PCI device's `<address>` → its
//! `bus`/`addr`/`multifunction` properties ([`place`]).
//!
//! The root buses (`pci-root` on i440FX, `pcie-root` on Q35) are part of the machine;
//! controller index N is QEMU bus `pci.N`. A device without an address (a definition
//! stored before addresses were assigned at define) gets QEMU's automatic one on the
//! root bus. Switches and expander buses are refused.

use rvirt_core::Result;
use rvirt_core::conf::{Address, AddressType, ControllerType, Device, DomainDef, OnOff};
use serde_json::{Map, Value, json};

use super::machine::is_q35;
use super::unsupported;

/// Pushes the PCI controllers of `def` in order of index. A controller without `index`
/// gets the next one after those before it, as libvirt assigns them.
pub(super) fn push_pci_controllers(
    def: &DomainDef,
    machine: &str,
    args: &mut Vec<String>,
) -> Result<()> {
    let mut next_index = 0u32;
    let mut controllers = Vec::new();
    for dev in def.devices() {
        let Device::Controller(c) = dev else { continue };
        if c.controller_type != ControllerType::Pci {
            continue;
        }
        let index = c.index.unwrap_or(next_index);
        next_index = index + 1;
        controllers.push((index, c));
    }
    // A bus exists before the devices (and bridges) plugged into it.
    controllers.sort_by_key(|(index, _)| *index);
    for (index, c) in controllers {
        let model = c.model.as_deref().unwrap_or(if index == 0 {
            if is_q35(machine) {
                "pcie-root"
            } else {
                "pci-root"
            }
        } else {
            "unknown"
        });
        let mut dev = match (model, is_q35(machine)) {
            ("pcie-root", true) | ("pci-root", false) if index == 0 => continue,
            ("pcie-root-port", true) if index > 0 => {
                let target = c.target.as_ref();
                let chassis = target.and_then(|t| t.chassis).unwrap_or(index);
                let port = match target.and_then(|t| t.port.as_deref()) {
                    None => 0x10 + index - 1,
                    Some(p) => parse_port(p).ok_or_else(|| {
                        unsupported(format!("invalid PCIe root port number '{p}'"))
                    })?,
                };
                json!({"driver": "pcie-root-port", "port": port, "chassis": chassis,
                       "id": format!("pci.{index}"), "bus": root_bus(machine)})
            }
            ("pcie-to-pci-bridge", true) if index > 0 => {
                json!({"driver": "pcie-pci-bridge", "id": format!("pci.{index}")})
            }
            ("pci-bridge", _) if index > 0 => {
                let chassis = c
                    .target
                    .as_ref()
                    .and_then(|t| t.chassis_nr)
                    .unwrap_or(index);
                json!({"driver": "pci-bridge", "chassis_nr": chassis,
                       "id": format!("pci.{index}")})
            }
            ("dmi-to-pci-bridge", true) if index > 0 => {
                json!({"driver": "i82801b11-bridge", "id": format!("pci.{index}")})
            }
            (model, _) => {
                return Err(unsupported(format!(
                    "PCI controller model '{model}' (index {index}) is not supported on machine '{machine}' yet"
                )));
            }
        };
        PciBuses::new(def, machine).place(c.address.as_ref(), &mut dev)?;
        args.push("-device".into());
        args.push(dev.to_string());
    }
    Ok(())
}

/// A root port's number as libvirt writes it (`0x10`) or decimal.
fn parse_port(p: &str) -> Option<u32> {
    match p.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => p.parse().ok(),
    }
}

/// QEMU's name of the root bus of `machine`.
fn root_bus(machine: &str) -> &'static str {
    if is_q35(machine) { "pcie.0" } else { "pci.0" }
}

/// The PCI buses of a definition on its machine, for placing its devices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PciBuses<'a> {
    def: &'a DomainDef,
    machine: &'a str,
}

impl<'a> PciBuses<'a> {
    /// The buses of `def` on `machine`.
    pub(crate) fn new(def: &'a DomainDef, machine: &'a str) -> PciBuses<'a> {
        PciBuses { def, machine }
    }

    /// The machine type.
    pub(crate) fn machine(&self) -> &'a str {
        self.machine
    }

    /// Sets `bus`, `addr` and `multifunction` of the `-device` properties `dev` from a
    /// device's `<address>` (nothing for none or an empty PCI address: QEMU places
    /// it). The address must be a PCI one on a PCI controller of the definition; the
    /// define-time assignment has checked its slot.
    pub(crate) fn place(&self, address: Option<&Address>, dev: &mut Value) -> Result<()> {
        let obj = dev
            .as_object_mut()
            .expect("-device properties are an object");
        self.place_map(address, obj)
    }

    /// [`PciBuses::place`] on a property map.
    pub(crate) fn place_map(
        &self,
        address: Option<&Address>,
        dev: &mut Map<String, Value>,
    ) -> Result<()> {
        let Some(a) = address.filter(|a| !a.is_empty_pci()) else {
            return Ok(());
        };
        if a.address_type != AddressType::Pci {
            return Err(unsupported(format!(
                "address type '{}' is not supported for a PCI device",
                a.address_type
            )));
        }
        let bus = a.bus.unwrap_or(0);
        let bus_name = if bus == 0 {
            root_bus(self.machine).to_owned()
        } else {
            let known = self.def.devices().iter().any(|d| {
                matches!(d, Device::Controller(c)
                    if c.controller_type == ControllerType::Pci && c.index == Some(bus))
            });
            if !known {
                return Err(unsupported(format!(
                    "no PCI controller with index {bus} for the device at bus 0x{bus:02x}"
                )));
            }
            format!("pci.{bus}")
        };
        let (slot, function) = (a.slot.unwrap_or(0), a.function.unwrap_or(0));
        dev.insert("bus".into(), bus_name.into());
        let addr = if function == 0 {
            format!("{slot:#x}")
        } else {
            format!("{slot:#x}.{function:#x}")
        };
        if a.multifunction == Some(OnOff::On) {
            dev.insert("multifunction".into(), true.into());
        }
        dev.insert("addr".into(), addr.into());
        Ok(())
    }
}

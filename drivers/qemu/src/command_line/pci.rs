//! `<controller type='pci'>` → `-device` for PCIe root ports (libvirt's
//! `qemuBuildControllerPCIDevProps`).
//!
//! The root buses (`pci-root` on i440FX, `pcie-root` on Q35) are part of the machine.
//! Root ports are plugged into `pcie.0` at automatic addresses; devices are not yet
//! placed behind them (they stay on the root bus), so the ports are free hotplug slots.
//! Other PCI controller models (bridges, switches, expander buses) are refused.

use rvirt_core::Result;
use rvirt_core::conf::{ControllerType, Device, DomainDef};
use serde_json::json;

use super::machine::is_q35;
use super::unsupported;

/// Pushes the PCI controllers of `def`. A controller without `index` gets the next one
/// after those before it, as libvirt assigns them.
pub(super) fn push_pci_controllers(
    def: &DomainDef,
    machine: &str,
    args: &mut Vec<String>,
) -> Result<()> {
    let mut next_index = 0u32;
    for dev in def.devices() {
        let Device::Controller(c) = dev else { continue };
        if c.controller_type != ControllerType::Pci {
            continue;
        }
        let index = c.index.unwrap_or(next_index);
        next_index = index + 1;
        let model = c.model.as_deref().unwrap_or(if index == 0 {
            if is_q35(machine) {
                "pcie-root"
            } else {
                "pci-root"
            }
        } else {
            "unknown"
        });
        match (model, is_q35(machine)) {
            ("pcie-root", true) | ("pci-root", false) if index == 0 => {}
            ("pcie-root-port", true) if index > 0 => {
                let target = c.target.as_ref();
                let chassis = target.and_then(|t| t.chassis).unwrap_or(index);
                let port = match target.and_then(|t| t.port.as_deref()) {
                    None => 0x10 + index - 1,
                    Some(p) => parse_port(p).ok_or_else(|| {
                        unsupported(format!("invalid PCIe root port number '{p}'"))
                    })?,
                };
                args.push("-device".into());
                args.push(
                    json!({"driver": "pcie-root-port", "port": port, "chassis": chassis,
                           "id": format!("pci.{index}"), "bus": "pcie.0"})
                    .to_string(),
                );
            }
            (model, _) => {
                return Err(unsupported(format!(
                    "PCI controller model '{model}' (index {index}) is not supported on machine '{machine}' yet"
                )));
            }
        }
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

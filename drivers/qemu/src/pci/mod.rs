//! PCI topology of a QEMU guest: which slot each device needs ([`role`]) and libvirt's
//! automatic address assignment at define ([`assign`]).

mod assign;
mod role;

pub(crate) use assign::{assign_hotplug_address, assign_pci_addresses};

use rvirt_core::conf::DomainDef;

use crate::command_line::DEFAULT_MACHINE;
use crate::command_line::machine::is_q35;

/// The machine type `def` runs on (the QEMU default, i440FX, when it names none).
pub(crate) fn machine_of(def: &DomainDef) -> &str {
    def.os.os_type.machine.as_deref().unwrap_or(DEFAULT_MACHINE)
}

/// True if `def` runs on a Q35 machine.
pub(crate) fn def_is_q35(def: &DomainDef) -> bool {
    is_q35(machine_of(def))
}

#[cfg(test)]
mod tests;

//! The devices libvirt's QEMU driver adds at define because the machine has them or
//! because every guest gets them (`qemuDomainDefAddDefaultDevices`): the root PCI
//! controller (`pci-root` on i440FX, `pcie-root` on Q35), Q35's built-in SATA
//! controller, a virtio memory balloon when the definition names none, and an audio
//! backend for sound cards without one. Added before addresses are assigned, so
//! `dumpxml` shows what the guest really has.

use rvirt_core::conf::{
    Controller, ControllerType, Device, DomainDef, Memballoon, MemballoonModel,
};

use crate::pci::def_is_q35;

fn has_controller(def: &DomainDef, controller_type: ControllerType, index: u32) -> bool {
    def.devices().iter().any(|d| {
        matches!(d, Device::Controller(c)
            if c.controller_type == controller_type && c.index.unwrap_or(0) == index)
    })
}

/// Adds the machine's implicit devices and the driver's defaults to `def`.
pub(crate) fn add_machine_defaults(def: &mut DomainDef) {
    let q35 = def_is_q35(def);
    if !has_controller(def, ControllerType::Pci, 0) {
        let mut root = Controller::new(ControllerType::Pci, 0);
        root.model = Some(if q35 { "pcie-root" } else { "pci-root" }.into());
        def.devices_mut().push(Device::Controller(root));
    }
    if q35 && !has_controller(def, ControllerType::Sata, 0) {
        def.devices_mut()
            .push(Device::Controller(Controller::new(ControllerType::Sata, 0)));
    }
    if !def
        .devices()
        .iter()
        .any(|d| matches!(d, Device::Memballoon(_)))
    {
        def.devices_mut()
            .push(Device::Memballoon(Memballoon::new(MemballoonModel::Virtio)));
    }
    crate::command_line::add_default_audio(def);
    // Where libvirt keeps each kind, so the stored definition prints back the same.
    def.sort_devices();
}

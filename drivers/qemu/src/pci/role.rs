//! What kind of PCI slot a device of a definition needs, as libvirt's QEMU driver
//! decides it (`qemuDomainDeviceCalculatePCIConnectFlags`): a PCIe slot (on Q35 a
//! `pcie-root-port` of its own), a conventional PCI slot, a fixed address the machine
//! keeps for it, or none (not a PCI device, or built into the machine).

use rvirt_core::conf::{ControllerType, Device, DiskBus, SoundModel};

/// The slot a device needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A PCI Express endpoint (virtio, XHCI, e1000e): behind a root port on Q35.
    Express,
    /// A conventional PCI device: a slot of `pci.0` on i440FX, of a
    /// `pcie-to-pci-bridge` on Q35.
    Conventional,
    /// The address the machine reserves for it (`slot`.`function` on bus 0).
    Fixed { slot: u32, function: u32 },
    /// A `pcie-root-port`: a function of a multifunction slot of `pcie.0`.
    RootPort,
}

/// The ICH9 USB companion functions of one slot: EHCI on function 7, UHCI 1–3 on
/// functions 0–2.
fn ich9_usb_function(model: &str) -> Option<u32> {
    match model {
        "ich9-ehci1" => Some(7),
        "ich9-uhci1" => Some(0),
        "ich9-uhci2" => Some(1),
        "ich9-uhci3" => Some(2),
        _ => None,
    }
}

/// The slot of the ICH9 USB controllers on Q35 (libvirt's choice, as on real ICH9).
pub(crate) const Q35_USB_SLOT: u32 = 0x1d;
/// The ICH9 sound slot on Q35.
const Q35_SOUND_SLOT: u32 = 0x1b;

/// The role of `dev` on a Q35 (`q35`) or i440FX machine; `primary_video` is true for
/// the first `<video>`. `None` for devices that are not on PCI.
pub(crate) fn role(dev: &Device, q35: bool, primary_video: bool) -> Option<Role> {
    Some(match dev {
        Device::Disk(d) if d.target.bus == Some(DiskBus::Virtio) => Role::Express,
        Device::Disk(_) => return None,
        Device::Interface(n) => match n.model.as_ref().map(|m| m.value.as_str()) {
            Some("virtio" | "e1000e") => Role::Express,
            _ => Role::Conventional,
        },
        Device::Controller(c) => controller_role(c, q35)?,
        Device::Video(v) => {
            let model = v.model.as_ref().and_then(|m| m.model_type);
            if model.is_some_and(|m| m.as_str() == "none") {
                return None;
            }
            if primary_video {
                Role::Fixed {
                    slot: if q35 { 1 } else { 2 },
                    function: 0,
                }
            } else if model.is_some_and(|m| m.as_str() == "virtio") {
                Role::Express
            } else {
                Role::Conventional
            }
        }
        Device::Sound(s) => match s.model {
            SoundModel::Ich9 if q35 => Role::Fixed {
                slot: Q35_SOUND_SLOT,
                function: 0,
            },
            SoundModel::Ich6 | SoundModel::Ich9 | SoundModel::Ac97 | SoundModel::Es1370 => {
                Role::Conventional
            }
            _ => return None,
        },
        Device::Memballoon(b) if b.model.as_str() == "virtio" => Role::Express,
        Device::Rng(r) if r.model == "virtio" => Role::Express,
        Device::Watchdog(w) if w.model == "i6300esb" => Role::Conventional,
        Device::Input(i) if i.bus.is_some_and(|b| b.as_str() == "virtio") => Role::Express,
        Device::Vsock(v) if matches!(v.model.as_deref(), None | Some("virtio")) => Role::Express,
        _ => return None,
    })
}

fn controller_role(c: &rvirt_core::conf::Controller, q35: bool) -> Option<Role> {
    let index = c.index.unwrap_or(0);
    let model = c.model.as_deref();
    Some(match c.controller_type {
        ControllerType::Pci => match model? {
            "pcie-root-port" => Role::RootPort,
            "pcie-to-pci-bridge" => Role::Express,
            "pci-bridge" => Role::Conventional,
            "dmi-to-pci-bridge" => Role::Fixed {
                slot: 0x1e,
                function: 0,
            },
            _ => return None,
        },
        ControllerType::Usb => {
            match model.unwrap_or(if q35 { "qemu-xhci" } else { "piix3-uhci" }) {
                "none" => return None,
                "qemu-xhci" | "nec-xhci" => Role::Express,
                "piix3-uhci" if !q35 && index == 0 => Role::Fixed {
                    slot: 1,
                    function: 2,
                },
                m => match ich9_usb_function(m) {
                    Some(function) if q35 && index == 0 => Role::Fixed {
                        slot: Q35_USB_SLOT,
                        function,
                    },
                    _ => Role::Conventional,
                },
            }
        }
        ControllerType::VirtioSerial => Role::Express,
        ControllerType::Scsi if model.is_none_or(|m| m.starts_with("virtio")) => Role::Express,
        ControllerType::Sata if q35 && index == 0 => Role::Fixed {
            slot: 0x1f,
            function: 2,
        },
        ControllerType::Ide if !q35 && index == 0 => Role::Fixed {
            slot: 1,
            function: 1,
        },
        _ => return None,
    })
}

/// The function an ICH9 USB companion controller takes in its slot (`None` for other
/// models): the controllers of one USB index share a slot.
pub(crate) fn usb_companion_function(dev: &Device) -> Option<(u32, u32)> {
    match dev {
        Device::Controller(c) if c.controller_type == ControllerType::Usb => Some((
            c.index.unwrap_or(0),
            ich9_usb_function(c.model.as_deref()?)?,
        )),
        _ => None,
    }
}

//! `<interface type='user'>` → `-netdev user` + the NIC model's `-device`.

use rvirt_core::Result;
use rvirt_core::conf::{Device, DomainDef, Interface, InterfaceType};
use serde_json::json;

use super::unsupported;

/// The QEMU device of a NIC model; libvirt's x86 default (no `<model>`) is rtl8139.
fn nic_driver(model: Option<&str>) -> Result<&'static str> {
    Ok(match model {
        None | Some("rtl8139") => "rtl8139",
        Some("virtio") => "virtio-net-pci",
        Some("e1000") => "e1000",
        Some("e1000e") => "e1000e",
        Some(other) => {
            return Err(unsupported(format!(
                "interface model '{other}' is not supported yet"
            )));
        }
    })
}

pub(crate) fn push_interface(nic: &Interface, i: usize, args: &mut Vec<String>) -> Result<()> {
    if nic.interface_type != InterfaceType::User {
        return Err(unsupported(format!(
            "device <interface type='{}'> is not supported by the QEMU driver yet",
            nic.interface_type
        )));
    }
    let driver = nic_driver(nic.model.as_ref().map(|m| m.value.as_str()))?;
    let netdev = format!("hostnet{i}");
    args.push("-netdev".into());
    args.push(json!({"type": "user", "id": netdev}).to_string());
    let mut dev = json!({"driver": driver, "netdev": netdev, "id": format!("net{i}")});
    if let Some(mac) = &nic.mac {
        dev["mac"] = mac.address.clone().into();
    }
    args.push("-device".into());
    args.push(dev.to_string());
    Ok(())
}

/// Every `<interface>` of `def`, in order (`hostnetN`/`netN`).
pub(super) fn push_interfaces(def: &DomainDef, args: &mut Vec<String>) -> Result<()> {
    let nics = def.devices().iter().filter_map(|d| match d {
        Device::Interface(i) => Some(i),
        _ => None,
    });
    for (i, nic) in nics.enumerate() {
        push_interface(nic, i, args)?;
    }
    Ok(())
}

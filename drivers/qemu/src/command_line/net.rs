//! `<interface type='user'>` → `-netdev user`; `type='network'`/`'bridge'` → `-netdev
//! tap` on the tap fd the driver opened and plugged into the bridge (QEMU inherits it);
//! each with the NIC model's `-device`.

use rvirt_core::Result;
use rvirt_core::conf::{Device, DomainDef, Interface, InterfaceType};
use serde_json::json;

use super::pci::PciBuses;
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

/// The `-netdev` of `nic` (the `i`-th interface), `tap_fd` its inherited tap if any.
fn netdev(nic: &Interface, id: &str, tap_fd: Option<i32>) -> Result<serde_json::Value> {
    match nic.interface_type {
        InterfaceType::User => Ok(json!({"type": "user", "id": id})),
        InterfaceType::Network | InterfaceType::Bridge => Ok(match tap_fd {
            Some(fd) => json!({"type": "tap", "id": id, "fd": fd.to_string()}),
            // No tap opened (argv for checks or domxml-to-native): QEMU's own.
            None => {
                let mut v = json!({"type": "tap", "id": id, "script": "no", "downscript": "no"});
                if let Some(t) = &nic.target {
                    v["ifname"] = t.dev.clone().into();
                }
                v
            }
        }),
        other => Err(unsupported(format!(
            "device <interface type='{other}'> is not supported by the QEMU driver yet"
        ))),
    }
}

pub(crate) fn push_interface(
    nic: &Interface,
    i: usize,
    tap_fd: Option<i32>,
    buses: &PciBuses,
    args: &mut Vec<String>,
) -> Result<()> {
    let netdev_id = format!("hostnet{i}");
    let backend = netdev(nic, &netdev_id, tap_fd)?;
    let driver = nic_driver(nic.model.as_ref().map(|m| m.value.as_str()))?;
    args.push("-netdev".into());
    args.push(backend.to_string());
    let mut dev = json!({"driver": driver, "netdev": netdev_id, "id": format!("net{i}")});
    if let Some(mac) = &nic.mac {
        dev["mac"] = mac.address.clone().into();
    }
    buses.place(nic.address.as_ref(), &mut dev)?;
    args.push("-device".into());
    args.push(dev.to_string());
    Ok(())
}

/// Every `<interface>` of `def`, in order (`hostnetN`/`netN`); `tap_fds[N]` is the
/// tap fd of the `N`-th.
pub(super) fn push_interfaces(
    def: &DomainDef,
    machine: &str,
    tap_fds: &[Option<i32>],
    args: &mut Vec<String>,
) -> Result<()> {
    let nics = def.devices().iter().filter_map(|d| match d {
        Device::Interface(i) => Some(i),
        _ => None,
    });
    for (i, nic) in nics.enumerate() {
        let tap = tap_fds.get(i).copied().flatten();
        push_interface(nic, i, tap, &PciBuses::new(def, machine), args)?;
    }
    Ok(())
}

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
    if nic.filterref.is_some() && nic.interface_type == InterfaceType::User {
        // libvirt's check: filters only go on taps.
        let mac = nic.mac.as_ref().map(|m| m.address.as_str()).unwrap_or("");
        return Err(unsupported(format!(
            "interface {mac} - filterref is not supported for network interfaces of type user"
        )));
    }
    let netdev_id = format!("hostnet{i}");
    let backend = netdev(nic, &netdev_id, tap_fd)?;
    let driver = nic_driver(nic.model.as_ref().map(|m| m.value.as_str()))?;
    args.push("-netdev".into());
    args.push(backend.to_string());
    let mut dev = json!({"driver": driver, "netdev": netdev_id, "id": format!("net{i}")});
    if let Some(mac) = &nic.mac {
        dev["mac"] = mac.address.clone().into();
    }
    virtio_tuning(nic, driver, &mut dev)?;
    buses.place(nic.address.as_ref(), &mut dev)?;
    args.push("-device".into());
    args.push(dev.to_string());
    Ok(())
}

/// `<driver>` and `<mtu>` of a virtio NIC → its device properties: queue sizes,
/// `ioeventfd`/`event_idx`, the MTU the guest is offered (`host_mtu`). `name='vhost'`
/// and `name='qemu'` are both accepted; the NIC runs in QEMU's userspace backend
/// either way (no vhost-net fd is passed). Multiqueue and the other tunables are
/// refused.
fn virtio_tuning(nic: &Interface, driver: &str, dev: &mut serde_json::Value) -> Result<()> {
    let virtio = driver == "virtio-net-pci";
    if let Some(mtu) = &nic.mtu {
        if !virtio {
            return Err(unsupported("setting MTU is only supported for virtio NICs"));
        }
        dev["host_mtu"] = mtu.size.into();
    }
    let Some(d) = &nic.driver else {
        return Ok(());
    };
    if !virtio {
        return Err(unsupported(format!(
            "<interface><driver> is only supported for virtio NICs, not '{driver}'"
        )));
    }
    if d.name
        .as_deref()
        .is_some_and(|n| !matches!(n, "vhost" | "qemu"))
    {
        return Err(unsupported(format!(
            "interface driver name '{}' is not supported",
            d.name.as_deref().unwrap_or_default()
        )));
    }
    if d.queues.is_some_and(|q| q > 1)
        || d.txmode.is_some()
        || d.rss.is_some()
        || d.rss_hash_report.is_some()
        || d.iommu.is_some()
        || d.ats.is_some()
        || d.packed.is_some()
        || d.page_per_vq.is_some()
        || d.host.is_some()
        || d.guest.is_some()
    {
        return Err(unsupported(
            "interface driver multiqueue, txmode, rss, iommu, packed and offload settings are not supported yet",
        ));
    }
    if let Some(n) = d.rx_queue_size {
        dev["rx_queue_size"] = n.into();
    }
    if let Some(n) = d.tx_queue_size {
        dev["tx_queue_size"] = n.into();
    }
    if let Some(v) = d.ioeventfd {
        dev["ioeventfd"] = (v.to_string() == "on").into();
    }
    if let Some(v) = d.event_idx {
        dev["event_idx"] = (v.to_string() == "on").into();
    }
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

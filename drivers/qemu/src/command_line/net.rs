//! `<interface type='user'>` → `-netdev user`; `type='network'`/`'bridge'` → `-netdev
//! tap` on the tap fds the driver opened and plugged into the bridge, `type='direct'` →
//! `-netdev tap` on the fds of the macvtap the driver made (QEMU inherits them: `fd`,
//! or `fds=A:B:…` for several queues, with `vhostfd`/`vhostfds` where vhost-net was
//! opened); each with the NIC model's `-device` (`mq=on,vectors=2N+2` for N queues).

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

/// The fds QEMU inherits for one NIC: one tap (or macvtap) fd per queue, and the
/// vhost-net fds if any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NicFds {
    /// Tap or macvtap fds, one per queue.
    pub tap: Vec<i32>,
    /// `/dev/vhost-net` fds, one per queue (empty: QEMU's userspace backend).
    pub vhost: Vec<i32>,
}

fn join_fds(fds: &[i32]) -> String {
    fds.iter().map(i32::to_string).collect::<Vec<_>>().join(":")
}

/// The `-netdev` of `nic` (the `i`-th interface), `fds` its inherited fds.
fn netdev(nic: &Interface, id: &str, fds: &NicFds) -> Result<serde_json::Value> {
    match nic.interface_type {
        InterfaceType::User => Ok(json!({"type": "user", "id": id})),
        InterfaceType::Network | InterfaceType::Bridge | InterfaceType::Direct => {
            Ok(match fds.tap.as_slice() {
                [] => {
                    // No tap opened (argv for checks or domxml-to-native): QEMU's own.
                    let mut v =
                        json!({"type": "tap", "id": id, "script": "no", "downscript": "no"});
                    if let Some(t) = &nic.target {
                        v["ifname"] = t.dev.clone().into();
                    }
                    v
                }
                [fd] => {
                    let mut v = json!({"type": "tap", "fd": fd.to_string()});
                    vhost_fds(&mut v, &fds.vhost);
                    v["id"] = id.into();
                    v
                }
                many => {
                    let mut v = json!({"type": "tap", "fds": join_fds(many)});
                    vhost_fds(&mut v, &fds.vhost);
                    v["id"] = id.into();
                    v
                }
            })
        }
        other => Err(unsupported(format!(
            "device <interface type='{other}'> is not supported by the QEMU driver yet"
        ))),
    }
}

/// More than one queue only where there is a tap (libvirt's
/// `qemuDomainValidateActualNetDef`).
fn check_queues(nic: &Interface) -> Result<()> {
    let q = nic.driver.as_ref().and_then(|d| d.queues).unwrap_or(1);
    if q > 1
        && !matches!(
            nic.interface_type,
            InterfaceType::Network
                | InterfaceType::Bridge
                | InterfaceType::Direct
                | InterfaceType::Ethernet
        )
    {
        let mac = nic.mac.as_ref().map(|m| m.address.as_str()).unwrap_or("");
        return Err(unsupported(format!(
            "interface {mac} - multiqueue is not supported for network interfaces of type {}",
            nic.interface_type
        )));
    }
    Ok(())
}

/// `vhost=on` and the vhost-net fds, as libvirt's `-netdev` has them.
fn vhost_fds(v: &mut serde_json::Value, vhost: &[i32]) {
    match vhost {
        [] => {}
        [fd] => {
            v["vhost"] = true.into();
            v["vhostfd"] = fd.to_string().into();
        }
        many => {
            v["vhost"] = true.into();
            v["vhostfds"] = join_fds(many).into();
        }
    }
}

/// The `-netdev` and `-device` of the `i`-th interface `nic`, on its inherited `fds`.
pub(crate) fn push_interface(
    nic: &Interface,
    i: usize,
    fds: &NicFds,
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
    check_queues(nic)?;
    let netdev_id = format!("hostnet{i}");
    let backend = netdev(nic, &netdev_id, fds)?;
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

/// `<driver><host …/>` offloads and their virtio-net properties (libvirt's).
const HOST_OFFLOADS: &[(&str, &str)] = &[
    ("csum", "csum"),
    ("gso", "gso"),
    ("tso4", "host_tso4"),
    ("tso6", "host_tso6"),
    ("ecn", "host_ecn"),
    ("ufo", "host_ufo"),
    ("mrg_rxbuf", "mrg_rxbuf"),
];

/// `<driver><guest …/>` offloads and their virtio-net properties.
const GUEST_OFFLOADS: &[(&str, &str)] = &[
    ("csum", "guest_csum"),
    ("tso4", "guest_tso4"),
    ("tso6", "guest_tso6"),
    ("ecn", "guest_ecn"),
    ("ufo", "guest_ufo"),
];

/// The on/off attributes of `<host>` or `<guest>` (`el`) as device properties.
fn offloads(
    el: Option<&rvirt_core::conf::xml::Element>,
    which: &str,
    known: &[(&str, &str)],
    dev: &mut serde_json::Value,
) -> Result<()> {
    let Some(el) = el else {
        return Ok(());
    };
    for (name, value) in &el.attrs {
        let prop = known
            .iter()
            .find(|(a, _)| a == name)
            .map(|(_, p)| *p)
            .ok_or_else(|| {
                unsupported(format!(
                    "interface driver <{which}> offload '{name}' is not supported"
                ))
            })?;
        let on = match value.as_str() {
            "on" => true,
            "off" => false,
            other => {
                return Err(unsupported(format!(
                    "interface driver <{which}> {name}='{other}' is not on or off"
                )));
            }
        };
        dev[prop] = on.into();
    }
    Ok(())
}

/// `<driver>` and `<mtu>` of a virtio NIC → its device properties: queue sizes,
/// `ioeventfd`/`event_idx`, the MTU the guest is offered (`host_mtu`), multiqueue
/// (`queues='N'`: `mq=on` and `vectors=2N+2`, as libvirt advises from linux-kvm.org).
/// `txmode` (`tx=bh|timer`), the virtio options (`iommu_platform`, `ats`, `packed`,
/// `page-per-vq`), `rss`/`hash`, and the host and guest offloads, as libvirt writes
/// them. `name='vhost'` and `name='qemu'` are both accepted (the driver opened
/// vhost-net where libvirt would).
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
    match d.txmode.as_deref() {
        None => {}
        Some("iothread") => dev["tx"] = "bh".into(),
        Some("timer") => dev["tx"] = "timer".into(),
        Some(other) => {
            return Err(unsupported(format!(
                "interface driver txmode '{other}' is not supported"
            )));
        }
    }
    for (attr, prop) in [
        (d.iommu, "iommu_platform"),
        (d.ats, "ats"),
        (d.packed, "packed"),
        (d.page_per_vq, "page-per-vq"),
        (d.rss, "rss"),
        (d.rss_hash_report, "hash"),
    ] {
        if let Some(v) = attr {
            dev[prop] = (v.to_string() == "on").into();
        }
    }
    offloads(d.host.as_ref(), "host", HOST_OFFLOADS, dev)?;
    offloads(d.guest.as_ref(), "guest", GUEST_OFFLOADS, dev)?;
    if let Some(q) = d.queues.filter(|q| *q > 1) {
        dev["mq"] = true.into();
        dev["vectors"] = (2 * q + 2).into();
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
    tap_fds: &[NicFds],
    args: &mut Vec<String>,
) -> Result<()> {
    let nics = def.devices().iter().filter_map(|d| match d {
        Device::Interface(i) => Some(i),
        _ => None,
    });
    for (i, nic) in nics.enumerate() {
        let fds = tap_fds.get(i).cloned().unwrap_or_default();
        push_interface(nic, i, &fds, &PciBuses::new(def, machine), args)?;
    }
    Ok(())
}

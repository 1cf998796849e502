//! Guest NICs on host devices: `<interface type='network'>` and `type='bridge'` on
//! bridges, `type='direct'` on a macvtap.
//!
//! At start, each bridged NIC gets a tap (`vnetN`, [`crate::host::tap`]) plugged into
//! its bridge, each direct NIC a macvtap (`macvtapN`, [`crate::host::macvtap`]) on its
//! source device; one fd per queue goes to QEMU (`-netdev tap,fd=N` or `fds=A:B`), and
//! `/dev/vhost-net` fds too where libvirt would use vhost. The live XML gets
//! `<target dev='vnetN'/>` (and, for networks, the bridge and the network port as
//! `<source bridge=… portid=…>`). At stop the taps and macvtaps are removed and the
//! ports deleted.
//! A running guest found again after a restart of the process has its ports given
//! back if its network lost them, and its taps enslaved to the network's bridge.
//!
//! A network NIC's port, and the bridge it names, come from the network driver
//! ([`super::networks`]).
//!
//! A NIC's `<bandwidth>` (for a network NIC, the one its port got: its own or its
//! portgroup's) is set on its tap with `tc` as libvirt does (the guest's inbound on
//! the tap's transmit side, its outbound policed on the tap's receive side); it goes
//! with the tap at stop. A `floor` needs a virtual network (the network driver
//! guarantees it on the bridge).
//!
//! A NIC's `<filterref>` becomes a filter binding on its tap ([`super::nwfilters`]),
//! made after the tap is plugged and deleted before it is removed.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use rvirt_core::conf::{Device, DomainDef, DomainType, Interface, InterfaceType};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::networks::{PortOwner, network_port_create, network_port_delete, network_port_reclaim};
use super::nwfilters::{binding_create, binding_delete, binding_delete_owned};

use crate::command_line::NicFds;
use crate::host::macvtap::{self, Macvtap};
use crate::host::tap::{self, TAP_TEMPLATE, Tap, TapFlags};
use rvirt_core::netdev::bandwidth;
use rvirt_core::objconf::Bandwidth;

/// The `<bandwidth>` of `nic`, if it asks for any.
fn interface_bandwidth(nic: &rvirt_core::conf::Interface) -> Result<Option<Bandwidth>> {
    let Some(e) = &nic.bandwidth else {
        return Ok(None);
    };
    let b = Bandwidth::from_xml(&e.to_xml_string())?;
    Ok((!b.is_empty()).then_some(b))
}

/// libvirt's refusal of a `floor` on a NIC that is not on a virtual network.
fn refuse_floor(nic: &rvirt_core::conf::Interface, b: Option<&Bandwidth>) -> Result<()> {
    if b.and_then(|b| b.inbound).is_some_and(|r| r.floor != 0) {
        let mac = nic.mac.as_ref().map(|m| m.address.as_str()).unwrap_or("");
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Domain,
            format!(
                "Invalid use of 'floor' on interface with MAC address {mac} - 'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none"
            ),
        ));
    }
    Ok(())
}

/// libvirt's vhost-net device.
const VHOST_NET: &str = "/dev/vhost-net";

/// The host side of one NIC: its tap or macvtap and its vhost-net fds.
#[derive(Debug)]
pub(crate) struct Plugged {
    dev: HostDev,
    vhost: Vec<File>,
}

#[derive(Debug)]
enum HostDev {
    Tap(Tap),
    /// The macvtap, its source device and mode.
    Macvtap(Macvtap, String, String),
}

impl Plugged {
    fn fds(&self) -> NicFds {
        NicFds {
            tap: match &self.dev {
                HostDev::Tap(t) => t.fds(),
                HostDev::Macvtap(m, ..) => m.fds(),
            },
            vhost: self.vhost.iter().map(AsRawFd::as_raw_fd).collect(),
        }
    }

    fn remove(self, state_dir: &Path) {
        match self.dev {
            HostDev::Tap(t) => {
                let name = t.name().to_owned();
                drop(t);
                tap::delete(&name);
                bandwidth::release(&name);
            }
            HostDev::Macvtap(m, link, mode) => {
                let name = m.name().to_owned();
                drop(m);
                macvtap::delete(&name, &link, &mode, state_dir);
                bandwidth::release(&name);
            }
        }
    }
}

/// The taps and macvtaps of one start, by interface position, and the network ports
/// made for them (network name, port UUID); the fds are closed (QEMU keeps its copies)
/// when dropped.
#[derive(Debug, Default)]
/// The fourth field: the devices with a filter binding; the last, the run directory.
pub(crate) struct Taps(
    Vec<Option<Plugged>>,
    Vec<(String, String)>,
    Vec<String>,
    std::path::PathBuf,
);

impl Taps {
    /// The fds of each interface, for [`crate::command_line::RuntimeOptions`].
    pub(crate) fn fds(&self) -> Vec<NicFds> {
        self.0
            .iter()
            .map(|t| t.as_ref().map(Plugged::fds).unwrap_or_default())
            .collect()
    }

    /// Every fd QEMU must inherit.
    pub(crate) fn inherited(&self) -> Vec<i32> {
        self.fds()
            .into_iter()
            .flat_map(|f| f.tap.into_iter().chain(f.vhost))
            .collect()
    }

    /// Removes the taps and macvtaps and deletes the ports and filter bindings (a
    /// start that failed).
    pub(crate) fn remove(self) {
        for dev in &self.2 {
            binding_delete(dev);
        }
        for t in self.0.into_iter().flatten() {
            t.remove(&self.3);
        }
        for (net, port) in self.1 {
            network_port_delete(&net, &port);
        }
    }
}

/// Whether a NIC's model is virtio (its tap carries a virtio-net header).
fn is_virtio(nic: &Interface) -> bool {
    matches!(
        nic.model.as_ref().map(|m| m.value.as_str()),
        Some("virtio" | "virtio-transitional" | "virtio-non-transitional")
    )
}

/// The queues a NIC asks for (the command line refused more than one where there is
/// no tap, as libvirt's `qemuDomainValidateActualNetDef`).
fn queues(nic: &Interface) -> Result<u32> {
    let q = nic.driver.as_ref().and_then(|d| d.queues).unwrap_or(1);
    if q > tap::MAX_QUEUES {
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Qemu,
            format!(
                "interface queues {q} exceed the most a tap has ({})",
                tap::MAX_QUEUES
            ),
        ));
    }
    Ok(q.max(1))
}

/// The vhost-net fds of a NIC, one per queue, as libvirt's `qemuInterfaceOpenVhostNet`:
/// none for a plain QEMU (not KVM) domain, a NIC with `<driver name='qemu'>` or a
/// non-virtio model (an error if `name='vhost'` asked for it); if `/dev/vhost-net`
/// cannot be opened, an error only when `name='vhost'` asked for it, else QEMU's
/// userspace backend.
fn open_vhost(dtype: DomainType, nic: &Interface, queues: u32) -> Result<Vec<File>> {
    let name = nic.driver.as_ref().and_then(|d| d.name.as_deref());
    if dtype != DomainType::Kvm || name == Some("qemu") {
        return Ok(Vec::new());
    }
    let explicit = name == Some("vhost");
    if !is_virtio(nic) {
        if explicit {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                ErrorDomain::Qemu,
                "vhost-net is only supported for virtio network interfaces",
            ));
        }
        return Ok(Vec::new());
    }
    let mut fds = Vec::new();
    for _ in 0..queues {
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(VHOST_NET)
        {
            Ok(f) => fds.push(f),
            Err(_) if explicit => {
                return Err(Error::new(
                    ErrorCode::ConfigUnsupported,
                    ErrorDomain::Qemu,
                    "vhost-net was requested for an interface, but is unavailable",
                ));
            }
            Err(_) => break,
        }
    }
    Ok(fds)
}

/// Creates and plugs the taps of `def`'s `network`/`bridge` interfaces (`system`: the
/// instance is `qemu:///system`'s, which has networks) and the macvtaps of its
/// `direct` ones (`state_dir`: the run directory, for a passthrough device's own MAC),
/// and records them in `def`, the live definition. On failure the devices made so far
/// are removed.
pub(crate) fn plug_interfaces(def: &mut DomainDef, system: bool, state_dir: &Path) -> Result<Taps> {
    let mut taps = Taps(Vec::new(), Vec::new(), Vec::new(), state_dir.to_path_buf());
    let owner_name = def.name.clone();
    let owner_uuid = def.uuid.unwrap_or_default();
    let dtype = def.domain_type;
    let nics = def.devices_mut().iter_mut().filter_map(|d| match d {
        Device::Interface(i) => Some(i),
        _ => None,
    });
    for nic in nics {
        let prepared = interface_bandwidth(nic).and_then(|w| {
            let q = queues(nic)?;
            Ok((w, q, open_vhost(dtype, nic, q)?))
        });
        let (wanted, queues, vhost) = match prepared {
            Ok(v) => v,
            Err(e) => {
                taps.remove();
                return Err(e);
            }
        };
        let mut shaped = wanted;
        let flags = TapFlags {
            queues,
            vnet_hdr: is_virtio(nic),
        };
        if nic.interface_type == InterfaceType::Direct {
            let plugged = refuse_floor(nic, wanted.as_ref())
                .and_then(|()| plug_direct(nic, flags, state_dir))
                .and_then(|dev| {
                    let HostDev::Macvtap(m, ..) = &dev else {
                        unreachable!("plug_direct makes macvtaps")
                    };
                    let name = m.name().to_owned();
                    if let Some(b) = &wanted
                        && let Err(e) = bandwidth::set(&name, b, false, true)
                    {
                        Plugged {
                            dev,
                            vhost: Vec::new(),
                        }
                        .remove(state_dir);
                        bandwidth::release(&name);
                        return Err(e);
                    }
                    Ok((dev, name))
                });
            match plugged {
                Ok((dev, name)) => {
                    taps.0.push(Some(Plugged { dev, vhost }));
                    if let Err(e) =
                        bind_filter(&mut taps, nic, system, &owner_name, owner_uuid, &name)
                    {
                        taps.remove();
                        return Err(e);
                    }
                }
                Err(e) => {
                    taps.remove();
                    return Err(e);
                }
            }
            continue;
        }
        let bridge = match nic.interface_type {
            InterfaceType::Network => {
                let name = nic.source.as_ref().and_then(|s| s.network.clone());
                let Some(name) = name else {
                    taps.remove();
                    return Err(Error::new(
                        ErrorCode::XmlError,
                        ErrorDomain::Qemu,
                        "missing source network for interface type 'network'",
                    ));
                };
                let mac = nic.mac.as_ref().map(|m| m.address.clone());
                let Some(mac) = mac else {
                    taps.remove();
                    return Err(Error::internal(
                        ErrorDomain::Qemu,
                        "interface without a MAC address at start".to_string(),
                    ));
                };
                let group = nic.source.as_ref().and_then(|s| s.portgroup.clone());
                let owner = PortOwner {
                    name: &owner_name,
                    uuid: owner_uuid,
                    mac: &mac,
                    group: group.as_deref(),
                };
                network_port_create(system, &name, owner, wanted).map(|(port, bridge, bw)| {
                    shaped = bw;
                    let port = port.hyphenated().to_string();
                    if let Some(s) = nic.source.as_mut() {
                        s.portid = Some(port.clone());
                    }
                    taps.1.push((name, port));
                    bridge
                })
            }
            InterfaceType::Bridge => refuse_floor(nic, wanted.as_ref()).and_then(|()| {
                nic.source
                    .as_ref()
                    .and_then(|s| s.bridge.clone())
                    .ok_or_else(|| {
                        Error::new(
                            ErrorCode::XmlError,
                            ErrorDomain::Qemu,
                            "missing source bridge for interface type 'bridge'",
                        )
                    })
            }),
            other => {
                if wanted.is_some() {
                    // libvirt warns and goes on: only taps are shaped.
                    rvirt_core::log::warning(
                        ErrorDomain::Qemu,
                        format_args!(
                            "setting bandwidth on interfaces of type '{other}' is not implemented yet"
                        ),
                    );
                }
                taps.0.push(None);
                continue;
            }
        };
        let template = nic
            .target
            .as_ref()
            .map(|t| t.dev.clone())
            .unwrap_or_else(|| TAP_TEMPLATE.to_owned());
        let made = bridge.and_then(|bridge| {
            let t = Tap::create(&template, flags)?;
            let mac = nic.mac.as_ref().map(|m| m.address.as_str());
            let shaping = shaped.filter(|b| !b.is_empty());
            let plugged = t.plug(&bridge, mac).and_then(|()| match &shaping {
                Some(b) => bandwidth::set(t.name(), b, false, true),
                None => Ok(()),
            });
            if let Err(e) = plugged {
                let name = t.name().to_owned();
                drop(t);
                tap::delete(&name);
                bandwidth::release(&name);
                return Err(e);
            }
            Ok((t, bridge))
        });
        let (t, bridge) = match made {
            Ok(v) => v,
            Err(e) => {
                taps.remove();
                return Err(e);
            }
        };
        let mut target = nic.target.take().unwrap_or_default();
        target.dev = t.name().to_owned();
        nic.target = Some(target);
        if nic.interface_type == InterfaceType::Network
            && let Some(s) = nic.source.as_mut()
        {
            s.bridge = Some(bridge);
        }
        let dev = t.name().to_owned();
        taps.0.push(Some(Plugged {
            dev: HostDev::Tap(t),
            vhost,
        }));
        if let Err(e) = bind_filter(&mut taps, nic, system, &owner_name, owner_uuid, &dev) {
            taps.remove();
            return Err(e);
        }
    }
    Ok(taps)
}

/// Binds a NIC's `<filterref>` to its host device `dev` (recorded in `taps` for
/// removal).
fn bind_filter(
    taps: &mut Taps,
    nic: &Interface,
    system: bool,
    owner_name: &str,
    owner_uuid: rvirt_core::Uuid,
    dev: &str,
) -> Result<()> {
    let Some(fref) = &nic.filterref else {
        return Ok(());
    };
    let mac = nic.mac.as_ref().map(|m| m.address.as_str()).unwrap_or("");
    binding_create(
        system,
        owner_name,
        owner_uuid,
        dev,
        mac,
        &fref.to_xml_string(),
    )?;
    taps.2.push(dev.to_owned());
    Ok(())
}

/// The macvtap of a `direct` NIC, named in its `<target dev>`.
fn plug_direct(nic: &mut Interface, flags: TapFlags, state_dir: &Path) -> Result<HostDev> {
    let src = nic.source.as_ref();
    let link = src.and_then(|s| s.dev.clone()).ok_or_else(|| {
        Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Domain,
            "No <source> 'dev' attribute specified with <interface type='direct'/>",
        )
    })?;
    let mode = src
        .and_then(|s| s.mode.clone())
        .unwrap_or_else(|| "vepa".to_owned());
    if nic.virtualport.is_some() || nic.vlan.is_some() {
        return Err(Error::new(
            ErrorCode::ConfigUnsupported,
            ErrorDomain::Qemu,
            "<virtualport> and <vlan> are not supported for <interface type='direct'> yet",
        ));
    }
    let mac = nic.mac.as_ref().map(|m| m.address.clone()).ok_or_else(|| {
        Error::internal(
            ErrorDomain::Qemu,
            "interface without a MAC address at start".to_string(),
        )
    })?;
    let wanted = nic.target.as_ref().map(|t| t.dev.clone());
    let m = Macvtap::create(&link, &mode, &mac, wanted.as_deref(), flags, state_dir)?;
    let mut target = nic.target.take().unwrap_or_default();
    target.dev = m.name().to_owned();
    nic.target = Some(target);
    Ok(HostDev::Macvtap(m, link, mode))
}

/// For a running guest found again (`system`: `qemu:///system`'s): each network NIC's
/// port exists again if its network lost it, and its tap is on the bridge the port
/// names (a network restarted meanwhile has a new bridge). Failures are logged; the
/// guest runs on.
pub(crate) fn reconnect_interfaces(def: &DomainDef, system: bool) {
    if !system {
        return;
    }
    let owner_uuid = def.uuid.unwrap_or_default();
    for d in def.devices() {
        let Device::Interface(nic) = d else { continue };
        if nic.interface_type != InterfaceType::Network {
            continue;
        }
        let (Some(src), Some(mac), Some(t)) = (&nic.source, &nic.mac, &nic.target) else {
            continue;
        };
        let (Some(net), Some(port)) = (&src.network, &src.portid) else {
            continue;
        };
        let owner = PortOwner {
            name: &def.name,
            uuid: owner_uuid,
            mac: &mac.address,
            group: src.portgroup.as_deref(),
        };
        let bw = interface_bandwidth(nic).ok().flatten();
        let done =
            network_port_reclaim(net, owner, port, bw).and_then(|br| tap::attach(&t.dev, &br));
        if let Err(e) = done {
            rvirt_core::log::warning(
                ErrorDomain::Qemu,
                format_args!(
                    "guest '{}': interface {} on network '{net}' not reconnected: {}",
                    def.name,
                    t.dev,
                    e.message()
                ),
            );
        }
    }
}

/// Deletes the network ports and the filter bindings of a run that ended while no
/// process watched it (its taps went with its QEMU; their names may be another
/// guest's by now, so only bindings it owns go).
pub(crate) fn release_ports(def: &DomainDef) {
    let owner = def.uuid.unwrap_or_default();
    for d in def.devices() {
        if let Device::Interface(nic) = d
            && nic.filterref.is_some()
            && let Some(t) = &nic.target
        {
            binding_delete_owned(&t.dev, owner);
        }
    }
    for d in def.devices() {
        if let Device::Interface(nic) = d
            && nic.interface_type == InterfaceType::Network
            && let Some(s) = &nic.source
            && let (Some(net), Some(port)) = (&s.network, &s.portid)
        {
            network_port_delete(net, port);
        }
    }
}

/// Removes the taps and macvtaps a run's live definition `def` names and deletes
/// their network ports (at stop; `state_dir`: the run directory).
pub(crate) fn unplug_interfaces(def: &DomainDef, state_dir: &Path) {
    for d in def.devices() {
        if let Device::Interface(nic) = d {
            unplug_interface(nic, state_dir);
        }
    }
}

/// Removes the macvtaps of a run that ended while no process watched it: each one
/// still there with the guest's MAC (unlike a tap, a macvtap outlives QEMU).
pub(crate) fn remove_stale_macvtaps(def: &DomainDef, state_dir: &Path) {
    for d in def.devices() {
        if let Device::Interface(nic) = d
            && nic.interface_type == InterfaceType::Direct
            && let (Some(t), Some(mac)) = (&nic.target, &nic.mac)
        {
            // A passthrough macvtap has its source device's address: the guest's.
            if macvtap::exists_with_mac(&t.dev, &mac.address) {
                unplug_interface(nic, state_dir);
            }
        }
    }
}

/// Removes the tap or macvtap of one `network`/`bridge`/`direct` NIC and deletes its
/// network port (at stop, or when QEMU unplugged it).
pub(crate) fn unplug_interface(nic: &rvirt_core::conf::Interface, state_dir: &Path) {
    if nic.interface_type == InterfaceType::Direct {
        if let (Some(t), Some(s)) = (&nic.target, &nic.source)
            && let Some(link) = &s.dev
        {
            let mode = s.mode.as_deref().unwrap_or("vepa");
            macvtap::delete(&t.dev, link, mode, state_dir);
        }
        return;
    }
    if !matches!(
        nic.interface_type,
        InterfaceType::Network | InterfaceType::Bridge
    ) {
        return;
    }
    if let Some(t) = &nic.target {
        if nic.filterref.is_some() {
            binding_delete(&t.dev);
        }
        tap::delete(&t.dev);
        bandwidth::release(&t.dev);
    }
    if let Some(s) = &nic.source
        && let (Some(net), Some(port)) = (&s.network, &s.portid)
    {
        network_port_delete(net, port);
    }
}

//! `virDomainInterfaceAddresses` from the DHCP leases of the guest's networks (libvirt's
//! `VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE`): each `<interface type='network'>` of the
//! running domain, named by its tap, with the leases its network's dnsmasq gave its MAC.
//! A NIC without a lease is left out, as libvirt does. `_SRC_AGENT` asks the guest agent
//! (`guest-network-get-interfaces`, every guest interface with its addresses). `_SRC_ARP`
//! looks the MAC of every NIC up in the host's neighbour table: one entry per address the
//! host resolved to that MAC, named by the NIC's host device, with prefix 0 (libvirt's
//! answer too).

use rvirt_core::api::{DomainInterface, IpAddress};
use rvirt_core::conf::{Device, InterfaceType};
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::not_running;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::super::instance::Shared;
use super::super::networks::network_leases;

/// `VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE`, `_AGENT`, `_ARP`.
const SRC_LEASE: u32 = 0;
const SRC_AGENT: u32 = 1;
const SRC_ARP: u32 = 2;

/// The addresses of `dom`'s interfaces from `source`.
pub(super) fn interface_addresses(
    shared: &Shared,
    dom: &DomainRef,
    source: u32,
) -> Result<Vec<DomainInterface>> {
    match source {
        SRC_LEASE => from_leases(shared, dom),
        SRC_AGENT => shared.agent_interfaces(dom),
        SRC_ARP => from_arp(shared, dom),
        other => Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("Unknown IP address data source {other}"),
        )),
    }
}

/// One NIC of a running domain: its host device (empty if it has none), MAC (lower case)
/// and, for `<interface type='network'>`, its network.
struct Nic {
    ifname: String,
    mac: String,
    network: Option<String>,
}

/// `virDomainGetHostname` with `VIR_DOMAIN_GET_HOSTNAME_LEASE`: the first host name a
/// lease of a NIC on a network carries, NICs in order (libvirt's order too).
///
/// Errors: libvirt's `VIR_ERR_NO_HOSTNAME` when no lease names one.
pub(super) fn lease_hostname(shared: &Shared, dom: &DomainRef) -> Result<String> {
    let (name, nics) = shared
        .domains
        .read(dom, |vm| Ok((vm.def.name.clone(), network_nics(vm)?)))?;
    let system = shared.is_system();
    for (nic, network) in nics {
        let leases = network_leases(system, &network, &nic.mac)?;
        if let Some(host) = leases.into_iter().find_map(|l| l.hostname) {
            return Ok(host);
        }
    }
    Err(Error::new(
        ErrorCode::NoHostname,
        ErrorDomain::Qemu,
        format!("no hostname found for domain {name}"),
    ))
}

/// The NICs of the running `vm` that have a MAC, in the definition's order.
fn nics(vm: &super::super::running::Vm) -> Result<Vec<Nic>> {
    if !vm.is_active() {
        return Err(not_running());
    }
    Ok(vm
        .def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Interface(nic) => Some(Nic {
                ifname: nic
                    .target
                    .as_ref()
                    .map(|t| t.dev.clone())
                    .unwrap_or_default(),
                mac: nic.mac.as_ref()?.address.to_ascii_lowercase(),
                network: match nic.interface_type {
                    InterfaceType::Network => nic.source.as_ref()?.network.clone(),
                    _ => None,
                },
            }),
            _ => None,
        })
        .collect())
}

/// The NICs of the running `vm` on virtual networks, with their network.
fn network_nics(vm: &super::super::running::Vm) -> Result<Vec<(Nic, String)>> {
    Ok(nics(vm)?
        .into_iter()
        .filter_map(|nic| {
            let network = nic.network.clone()?;
            Some((nic, network))
        })
        .collect())
}

fn from_leases(shared: &Shared, dom: &DomainRef) -> Result<Vec<DomainInterface>> {
    // The definition is read under the domain's lock; the network driver is asked
    // after it is released.
    let nics = shared.domains.read(dom, network_nics)?;
    let system = shared.is_system();
    let mut out = Vec::new();
    for (nic, network) in nics {
        let leases = network_leases(system, &network, &nic.mac)?;
        if leases.is_empty() {
            continue;
        }
        out.push(DomainInterface {
            name: nic.ifname,
            hwaddr: Some(nic.mac),
            addrs: leases
                .into_iter()
                .map(|l| IpAddress {
                    kind: l.ip_type,
                    addr: l.ip,
                    prefix: l.prefix,
                })
                .collect(),
        });
    }
    Ok(out)
}

/// `_SRC_ARP`: the host's neighbour entries of each NIC's MAC, in the NICs' order.
fn from_arp(shared: &Shared, dom: &DomainRef) -> Result<Vec<DomainInterface>> {
    let nics = shared.domains.read(dom, nics)?;
    let table = crate::host::arp::arp_table().map_err(|e| {
        Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Qemu,
            format!("unable to read '/proc/net/arp': {e}"),
        )
    })?;
    let mut out = Vec::new();
    for nic in nics {
        for entry in table.iter().filter(|e| e.mac == nic.mac) {
            out.push(DomainInterface {
                name: nic.ifname.clone(),
                hwaddr: Some(nic.mac.clone()),
                addrs: vec![IpAddress {
                    kind: 0,
                    addr: entry.ip.clone(),
                    prefix: 0,
                }],
            });
        }
    }
    Ok(out)
}

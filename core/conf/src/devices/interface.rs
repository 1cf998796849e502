//! `<interface>`: network interfaces, with their MAC, source, target, driver, link
//! state and MTU.

use serde::{Deserialize, Serialize};

use super::common::{Address, Alias, BootOrder, TypeAttr};
use crate::YesNo;

string_enum! {
    /// `<interface type=…>`.
    pub enum InterfaceType ("interface type") {
        /// Virtual network (`<source network=…>`).
        Network = "network",
        /// Host bridge (`<source bridge=…>`).
        Bridge = "bridge",
        /// User-mode (SLIRP/passt) networking.
        User = "user",
        /// Pre-existing or scripted tap device.
        Ethernet = "ethernet",
        /// macvtap on a host interface.
        Direct = "direct",
        /// PCI passthrough of a NIC.
        Hostdev = "hostdev",
        /// Multicast tunnel.
        Mcast = "mcast",
        /// TCP tunnel server.
        Server = "server",
        /// TCP tunnel client.
        Client = "client",
        /// UDP tunnel.
        Udp = "udp",
        /// vhost-user.
        VhostUser = "vhostuser",
        /// vDPA device.
        Vdpa = "vdpa",
        /// Unconnected NIC.
        Null = "null",
        /// VMware distributed switch.
        Vds = "vds",
    }
}

/// `<interface>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    /// `type`.
    #[serde(rename = "@type")]
    pub interface_type: InterfaceType,
    /// `<mac address=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<Mac>,
    /// `<source>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<InterfaceSource>,
    /// `<target dev=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<InterfaceTarget>,
    /// `<model type=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<TypeAttr>,
    /// `<driver>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<InterfaceDriver>,
    /// `<link state=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
    /// `<mtu size=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<Mtu>,
    /// `<boot order=…/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot: Option<BootOrder>,
    /// `<alias>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `<address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `<mac address=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mac {
    /// `address`, e.g. `52:54:00:09:a4:37`.
    #[serde(rename = "@address")]
    pub address: String,
}

/// `<interface><source/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceSource {
    /// `network` (type `network`).
    #[serde(rename = "@network", default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// `portgroup`.
    #[serde(
        rename = "@portgroup",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub portgroup: Option<String>,
    /// `portid` (live XML).
    #[serde(rename = "@portid", default, skip_serializing_if = "Option::is_none")]
    pub portid: Option<String>,
    /// `bridge` (type `bridge`, and live XML of type `network`).
    #[serde(rename = "@bridge", default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// `dev` (type `direct`).
    #[serde(rename = "@dev", default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// `mode` (type `direct`, `vhostuser`).
    #[serde(rename = "@mode", default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `type` (type `vhostuser`).
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// `path` (type `vhostuser`).
    #[serde(rename = "@path", default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `address` (tunnels).
    #[serde(rename = "@address", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `port` (tunnels).
    #[serde(rename = "@port", default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
}

/// `<interface><target/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceTarget {
    /// `dev`: host-side tap name.
    #[serde(rename = "@dev")]
    pub dev: String,
    /// `managed`.
    #[serde(rename = "@managed", default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<YesNo>,
}

/// `<interface><driver/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceDriver {
    /// `name` (`vhost`, `qemu`).
    #[serde(rename = "@name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `queues`.
    #[serde(rename = "@queues", default, skip_serializing_if = "Option::is_none")]
    pub queues: Option<u32>,
}

/// `<link state=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Link {
    /// `state` (`up`/`down`).
    #[serde(rename = "@state")]
    pub state: String,
}

/// `<mtu size=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mtu {
    /// `size` in bytes.
    #[serde(rename = "@size")]
    pub size: u32,
}

//! `<interface>`: network interfaces, with their MAC, source, target, model, driver,
//! link state, MTU and the many optional parts libvirt knows.

use super::common::{Acpi, Address, Alias, BootOrder, NameAttr, PathAttr, Rom, TypeAttr};
use super::host_address::HostAddress;
use crate::xml::{Element, Extra};
use crate::{OnOff, YesNo};

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
        /// Internal network (VirtualBox).
        Internal = "internal",
    }
}

xml_struct! {
    /// `<interface>`.
    pub struct Interface {
        /// `type`.
        attr_def interface_type: InterfaceType = "type",
        /// `managed` (type `hostdev`).
        attr managed: YesNo = "managed",
        /// `trustGuestRxFilters`.
        attr trust_guest_rx_filters: YesNo = "trustGuestRxFilters",
        /// `<mac address=…/>`.
        child mac: Mac = "mac",
        /// `<source>`.
        child source: InterfaceSource = "source",
        /// `<virtualport>`.
        child virtualport: Virtualport = "virtualport",
        /// `<target dev=…/>`.
        child target: InterfaceTarget = "target",
        /// `<guest dev=…/>`.
        child guest: Element = "guest",
        /// `<model type=…/>`.
        child model: TypeAttr = "model",
        /// `<driver>`.
        child driver: InterfaceDriver = "driver",
        /// `<backend>`.
        child backend: Element = "backend",
        /// `<script path=…/>`.
        child script: PathAttr = "script",
        /// `<downscript path=…/>`.
        child downscript: PathAttr = "downscript",
        /// `<backenddomain name=…/>` (Xen).
        child backend_domain: NameAttr = "backenddomain",
        /// `<filterref>`.
        child filterref: Element = "filterref",
        /// `<bandwidth>`.
        child bandwidth: Element = "bandwidth",
        /// `<vlan>`.
        child vlan: Element = "vlan",
        /// `<link state=…/>`.
        child link: Link = "link",
        /// `<mtu size=…/>`.
        child mtu: Mtu = "mtu",
        /// `<teaming>`.
        child teaming: Element = "teaming",
        /// `<boot order=…/>`.
        child boot: BootOrder = "boot",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<rom>`.
        child rom: Rom = "rom",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

impl Interface {
    /// An interface of `interface_type` with nothing else set.
    ///
    /// ```
    /// use rvirt_conf::{Interface, InterfaceType, Mac};
    /// let mut nic = Interface::new(InterfaceType::User);
    /// nic.mac = Some(Mac::new("52:54:00:12:34:56"));
    /// assert!(nic.source.is_none());
    /// ```
    pub fn new(interface_type: InterfaceType) -> Interface {
        Interface {
            interface_type,
            managed: None,
            trust_guest_rx_filters: None,
            mac: None,
            source: None,
            virtualport: None,
            target: None,
            guest: None,
            model: None,
            driver: None,
            backend: None,
            script: None,
            downscript: None,
            backend_domain: None,
            filterref: None,
            bandwidth: None,
            vlan: None,
            link: None,
            mtu: None,
            teaming: None,
            boot: None,
            alias: None,
            rom: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<mac address=…/>`.
    #[derive(Default)]
    pub struct Mac {
        /// `address`, e.g. `52:54:00:09:a4:37`.
        attr_req address: String = "address",
        /// `type` (`generated`/`static`, VMware).
        attr mac_type: String = "type",
        /// `check` (VMware).
        attr check: YesNo = "check",
    }
}

impl Mac {
    /// `<mac address='address'/>`.
    pub fn new(address: impl Into<String>) -> Mac {
        Mac {
            address: address.into(),
            ..Mac::default()
        }
    }
}

xml_struct! {
    /// `<interface><source/>`.
    #[derive(Default)]
    pub struct InterfaceSource {
        /// `network` (type `network`).
        attr network: String = "network",
        /// `portgroup`.
        attr portgroup: String = "portgroup",
        /// `portid` (live XML).
        attr portid: String = "portid",
        /// `bridge` (type `bridge`, and live XML of type `network`).
        attr bridge: String = "bridge",
        /// `dev` (type `direct`, `vdpa`).
        attr dev: String = "dev",
        /// `mode` (type `direct`, `vhostuser`).
        attr mode: String = "mode",
        /// `type` (type `vhostuser`).
        attr source_type: String = "type",
        /// `path` (type `vhostuser`).
        attr path: String = "path",
        /// `address` (tunnels).
        attr address: String = "address",
        /// `port` (tunnels).
        attr port: String = "port",
        /// `<address>` (type `hostdev`: the device on the host).
        child host_address: HostAddress = "address",
    }
}

xml_struct! {
    /// `<interface><target/>`.
    #[derive(Default)]
    pub struct InterfaceTarget {
        /// `dev`: host-side tap name.
        attr_req dev: String = "dev",
        /// `managed`.
        attr managed: YesNo = "managed",
    }
}

xml_struct! {
    /// `<interface><driver/>`.
    #[derive(Default)]
    pub struct InterfaceDriver {
        /// `name` (`vhost`, `qemu`, `vfio`, `kvm`, `xen`).
        attr name: String = "name",
        /// `txmode`.
        attr txmode: String = "txmode",
        /// `ioeventfd`.
        attr ioeventfd: OnOff = "ioeventfd",
        /// `event_idx`.
        attr event_idx: OnOff = "event_idx",
        /// `queues`.
        attr queues: u32 = "queues",
        /// `rx_queue_size`.
        attr rx_queue_size: u32 = "rx_queue_size",
        /// `tx_queue_size`.
        attr tx_queue_size: u32 = "tx_queue_size",
        /// `rss`.
        attr rss: OnOff = "rss",
        /// `rss_hash_report`.
        attr rss_hash_report: OnOff = "rss_hash_report",
        /// `iommu` (virtio).
        attr iommu: OnOff = "iommu",
        /// `ats` (virtio).
        attr ats: OnOff = "ats",
        /// `packed` (virtio).
        attr packed: OnOff = "packed",
        /// `page_per_vq` (virtio).
        attr page_per_vq: OnOff = "page_per_vq",
        /// `<host>` offloads.
        child host: Element = "host",
        /// `<guest>` offloads.
        child guest: Element = "guest",
    }
}

xml_struct! {
    /// `<interface><virtualport>`: 802.1Qbg/Qbh or Open vSwitch port.
    #[derive(Default)]
    pub struct Virtualport {
        /// `type` (`802.1Qbg`, `802.1Qbh`, `openvswitch`, `midonet`).
        attr port_type: String = "type",
        /// `<parameters>`.
        child parameters: Element = "parameters",
    }
}

string_enum! {
    /// `<link state=…/>` of an interface.
    pub enum LinkState (
        "link state",
        unknown = (crate::codes::CONFIG_UNSUPPORTED, crate::domains::DOMAIN, "unknown interface link state '{}'")
    ) {
        /// Link up.
        Up = "up",
        /// Link down.
        Down = "down",
    }
}

xml_struct! {
    /// `<link state=…/>`.
    pub struct Link {
        /// `state`.
        attr_req state: LinkState = "state",
    }
}

xml_struct! {
    /// `<mtu size=…/>`.
    #[derive(Default)]
    pub struct Mtu {
        /// `size` in bytes.
        attr_req size: u32 = "size",
    }
}

impl Default for InterfaceType {
    /// libvirt reads an `<interface>` without `type` as user-mode networking.
    fn default() -> Self {
        InterfaceType::User
    }
}

//! How secondary drivers identify their objects to the public API (the wire's
//! `remote_nonnull_*` references), and the plain facts some calls return.

use uuid::Uuid;

/// A virtual network: name and UUID.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NetworkRef {
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
}

/// A port of a virtual network (`virNetworkPort`): its network and UUID.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NetworkPortRef {
    /// The network the port belongs to.
    pub network: NetworkRef,
    /// The port's UUID.
    pub uuid: Uuid,
}

/// A storage pool: name and UUID.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct StoragePoolRef {
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
}

/// A storage volume: its pool's name, its name and its key (for file volumes, the path).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct StorageVolRef {
    /// Name of the pool holding it.
    pub pool: String,
    /// Name, unique in the pool.
    pub name: String,
    /// Key, unique on the host.
    pub key: String,
}

/// A node device: its name.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NodeDeviceRef {
    /// Unique name.
    pub name: String,
}

/// A host interface: name and MAC address.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct InterfaceRef {
    /// Device name.
    pub name: String,
    /// MAC address (may be empty).
    pub mac: String,
}

/// A secret: UUID and usage.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct SecretRef {
    /// Unique UUID.
    pub uuid: Uuid,
    /// `virSecretUsageType` number (0 none, 1 volume, 2 ceph, 3 iscsi, 4 tls, 5 vtpm).
    pub usage_type: i32,
    /// What the usage names (a volume path, a ceph name, …).
    pub usage_id: String,
}

/// A network filter: name and UUID.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NwFilterRef {
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
}

/// A network filter binding: the port device and the filter bound to it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NwFilterBindingRef {
    /// The host device of the port (a tap).
    pub port_dev: String,
    /// The filter's name.
    pub filter: String,
}

/// `virStoragePoolInfo`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StoragePoolInfo {
    /// `virStoragePoolState`: 0 inactive, 1 building, 2 running, 3 degraded,
    /// 4 inaccessible.
    pub state: i32,
    /// Bytes in total.
    pub capacity: u64,
    /// Bytes in use.
    pub allocation: u64,
    /// Bytes free.
    pub available: u64,
}

/// `virStorageVolInfo`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StorageVolInfo {
    /// `virStorageVolType`: 0 file, 1 block, 2 dir, 3 network, 4 netdir, 5 ploop.
    pub vol_type: i32,
    /// Logical size in bytes.
    pub capacity: u64,
    /// Bytes allocated on the host.
    pub allocation: u64,
}

/// One DHCP lease of a network (`virNetworkDHCPLease`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct DhcpLease {
    /// The network's bridge.
    pub iface: String,
    /// Expiry, seconds since the epoch.
    pub expiry_time: i64,
    /// 0 IPv4, 1 IPv6.
    pub ip_type: i32,
    /// The client's MAC address.
    pub mac: Option<String>,
    /// DHCPv6 IAID.
    pub iaid: Option<String>,
    /// The leased address.
    pub ip: String,
    /// Prefix length of the network.
    pub prefix: u32,
    /// The client's host name.
    pub hostname: Option<String>,
    /// The client id.
    pub client_id: Option<String>,
}

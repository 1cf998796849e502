//! Read-only descriptions of the node's networks, storage pools and host interfaces.
//!
//! rvirt manages domains; these inventory objects can be listed and looked up (as the test
//! driver's default world has them) but not yet created or changed through the API.

use uuid::Uuid;

/// A virtual network (`<network>`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Network {
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
    /// Bridge device name, if given.
    pub bridge: Option<String>,
    /// Whether it is running.
    pub active: bool,
    /// Whether it has a persistent definition.
    pub persistent: bool,
    /// Whether it starts with the host.
    pub autostart: bool,
    /// Its XML description.
    pub xml: String,
}

/// A storage pool (`<pool>`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoragePool {
    /// Unique name.
    pub name: String,
    /// Unique UUID.
    pub uuid: Uuid,
    /// Pool type (`dir`, `logical`, …).
    pub pool_type: String,
    /// Target path, if given.
    pub path: Option<String>,
    /// Capacity in bytes.
    pub capacity: u64,
    /// Allocation in bytes.
    pub allocation: u64,
    /// Free space in bytes.
    pub available: u64,
    /// Whether it is running.
    pub active: bool,
    /// Its XML description.
    pub xml: String,
}

/// A host network interface (`<interface>` at node level).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HostInterface {
    /// Interface name, e.g. `eth1`.
    pub name: String,
    /// MAC address, if given.
    pub mac: Option<String>,
    /// Whether it is up.
    pub active: bool,
    /// Its XML description.
    pub xml: String,
}

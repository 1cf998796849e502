//! Read-only networks, storage pools and host interfaces of a test world.
//!
//! rvirt's core API has no network/storage/interface calls yet, so these are plain data
//! reachable through [`TestConnection`](crate::TestConnection)'s inherent methods.

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

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

/// Everything a test world holds besides domains.
#[derive(Clone, Default, Debug)]
pub(crate) struct Inventory {
    pub networks: Vec<Network>,
    pub pools: Vec<StoragePool>,
    pub interfaces: Vec<HostInterface>,
}

impl Inventory {
    pub(crate) fn network(&self, name: &str) -> Result<Network> {
        self.networks
            .iter()
            .find(|n| n.name == name)
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoNetwork,
                    ErrorDomain::Test,
                    format!("no network with matching name '{name}'"),
                )
            })
    }

    pub(crate) fn pool(&self, name: &str) -> Result<StoragePool> {
        self.pools
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoStoragePool,
                    ErrorDomain::Test,
                    format!("no storage pool with matching name '{name}'"),
                )
            })
    }

    pub(crate) fn interface(&self, name: &str) -> Result<HostInterface> {
        self.interfaces
            .iter()
            .find(|i| i.name == name)
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NoInterface,
                    ErrorDomain::Test,
                    format!("no interface with matching name '{name}'"),
                )
            })
    }
}

//! Read-only networks, storage pools and host interfaces of a test world.
//!
//! The types are core's ([`rvirt_core::api::Network`] …); `Connect` reaches them through
//! the driver connection's inventory methods.

pub use rvirt_core::api::{HostInterface, Network, StoragePool};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

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

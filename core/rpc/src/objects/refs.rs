//! Object references on the wire (`remote_nonnull_*`).

use serde::{Deserialize, Serialize};

use crate::types::RemoteNonnullNetwork;

/// `remote_nonnull_storage_pool`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullStoragePool {
    /// Name.
    pub name: String,
    /// Raw UUID.
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    pub uuid: [u8; 16],
}

/// `remote_nonnull_storage_vol`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullStorageVol {
    /// The pool's name.
    pub pool: String,
    /// Name.
    pub name: String,
    /// Key.
    pub key: String,
}

/// `remote_nonnull_node_device`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullNodeDevice {
    /// Name.
    pub name: String,
}

/// `remote_nonnull_interface`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullInterface {
    /// Name.
    pub name: String,
    /// MAC address.
    pub mac: String,
}

/// `remote_nonnull_secret`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullSecret {
    /// Raw UUID.
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    pub uuid: [u8; 16],
    /// `virSecretUsageType`.
    pub usage_type: i32,
    /// The usage id.
    pub usage_id: String,
}

/// `remote_nonnull_nwfilter`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullNwfilter {
    /// Name.
    pub name: String,
    /// Raw UUID.
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    pub uuid: [u8; 16],
}

/// `remote_nonnull_nwfilter_binding`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullNwfilterBinding {
    /// The port device.
    pub portdev: String,
    /// The filter.
    pub filtername: String,
}

/// `remote_nonnull_network_port`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteNonnullNetworkPort {
    /// The network.
    pub net: RemoteNonnullNetwork,
    /// Raw UUID of the port.
    #[serde(with = "rvirt_xdr::fixed_opaque")]
    pub uuid: [u8; 16],
}

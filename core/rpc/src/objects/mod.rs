//! XDR layouts of the secondary drivers' procedures (networks and their ports, storage
//! pools and volumes, node devices, host interfaces, secrets, network filters) and of
//! their event messages.
//!
//! Many procedures share a shape, so the shapes are generic over the object reference
//! ([`ObjArgs`]`<`[`RemoteNonnullNetwork`]`>` is `remote_network_undefine_args`,
//! `remote_network_create_args`, …); the aliases name the common ones. Layouts follow
//! libvirt's `remote_protocol.x`; the field names do not matter on the wire.

mod convert;
mod refs;
mod shapes;

pub use refs::*;
pub use shapes::*;

use serde::{Deserialize, Serialize};

use crate::types::RemoteNonnullNetwork;

/// Most networks (and network ports) in a listing (`REMOTE_NETWORK_LIST_MAX`).
pub const NETWORK_LIST_MAX: usize = 16384;
/// Most interfaces in a listing.
pub const INTERFACE_LIST_MAX: usize = 16384;
/// Most storage pools in a listing.
pub const STORAGE_POOL_LIST_MAX: usize = 16384;
/// Most volumes in a listing.
pub const STORAGE_VOL_LIST_MAX: usize = 16384;
/// Most node devices in a listing.
pub const NODE_DEVICE_LIST_MAX: usize = 65536;
/// Most capabilities of a node device.
pub const NODE_DEVICE_CAPS_LIST_MAX: usize = 65536;
/// Most network filters (and bindings) in a listing.
pub const NWFILTER_LIST_MAX: usize = 16384;
/// Most secrets in a listing.
pub const SECRET_LIST_MAX: usize = 16384;
/// Largest secret value.
pub const SECRET_VALUE_MAX: usize = 65536;
/// Most DHCP leases in an answer.
pub const NETWORK_DHCP_LEASES_MAX: usize = 65536;

/// Most parameters of a network port (`REMOTE_NETWORK_PORT_PARAMETERS_MAX`).
pub const NETWORK_PORT_PARAMETERS_MAX: usize = 16;

/// `remote_network_port_get_parameters_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkPortGetParametersArgs {
    /// The port.
    pub port: RemoteNonnullNetworkPort,
    /// Room for this many (libvirt's client sends 0: the answer is allocated).
    pub nparams: i32,
    /// None defined.
    pub flags: u32,
}

/// `remote_network_port_get_parameters_ret`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkPortGetParametersRet {
    /// The parameters.
    pub params: Vec<crate::typed_param::TypedParam>,
    /// How many there are.
    pub nparams: i32,
}

/// `remote_network_port_set_parameters_args`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkPortSetParametersArgs {
    /// The port.
    pub port: RemoteNonnullNetworkPort,
    /// The parameters.
    pub params: Vec<crate::typed_param::TypedParam>,
    /// None defined.
    pub flags: u32,
}

/// `remote_network_update_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkUpdateArgs {
    /// The network.
    pub net: RemoteNonnullNetwork,
    /// `virNetworkUpdateCommand`.
    pub command: u32,
    /// `virNetworkUpdateSection`.
    pub section: u32,
    /// Which `<ip>` (-1: the first that fits).
    pub parent_index: i32,
    /// The element.
    pub xml: String,
    /// `virNetworkUpdateFlags`.
    pub flags: u32,
}

/// `remote_network_dhcp_lease`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkDhcpLease {
    /// The bridge.
    pub iface: String,
    /// Expiry, seconds since the epoch.
    pub expirytime: i64,
    /// 0 IPv4, 1 IPv6.
    pub type_: i32,
    /// MAC address.
    pub mac: Option<String>,
    /// DHCPv6 IAID.
    pub iaid: Option<String>,
    /// The address.
    pub ipaddr: String,
    /// Prefix length.
    pub prefix: u32,
    /// Host name.
    pub hostname: Option<String>,
    /// Client id.
    pub clientid: Option<String>,
}

/// `remote_network_get_dhcp_leases_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkGetDhcpLeasesArgs {
    /// The network.
    pub net: RemoteNonnullNetwork,
    /// Only this MAC address.
    pub mac: Option<String>,
    /// 0: only count.
    pub need_results: i32,
    /// Flags.
    pub flags: u32,
}

/// `remote_network_get_dhcp_leases_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkGetDhcpLeasesRet {
    /// The leases (when asked for).
    pub leases: Vec<NetworkDhcpLease>,
    /// How many.
    pub ret: u32,
}

/// `remote_storage_pool_get_info_ret`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoragePoolGetInfoRet {
    /// `virStoragePoolState` (`unsigned char`, 4 bytes on the wire).
    pub state: u8,
    /// Bytes in total.
    pub capacity: u64,
    /// Bytes in use.
    pub allocation: u64,
    /// Bytes free.
    pub available: u64,
}

/// `remote_storage_vol_get_info_ret` (and `…_flags_ret`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageVolGetInfoRet {
    /// `virStorageVolType` (`char`, 4 bytes on the wire).
    pub type_: i8,
    /// Logical size.
    pub capacity: u64,
    /// Host allocation.
    pub allocation: u64,
}

/// `remote_connect_find_storage_pool_sources_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectFindStoragePoolSourcesArgs {
    /// Pool type.
    pub type_: String,
    /// Source specification XML.
    pub src_spec: Option<String>,
    /// Flags.
    pub flags: u32,
}

/// `remote_storage_vol_create_xml_from_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageVolCreateXmlFromArgs {
    /// The pool.
    pub pool: RemoteNonnullStoragePool,
    /// The new volume.
    pub xml: String,
    /// The volume copied.
    pub clonevol: RemoteNonnullStorageVol,
    /// Flags.
    pub flags: u32,
}

/// `remote_storage_vol_resize_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageVolResizeArgs {
    /// The volume.
    pub vol: RemoteNonnullStorageVol,
    /// New capacity.
    pub capacity: u64,
    /// `virStorageVolResizeFlags`.
    pub flags: u32,
}

/// `remote_storage_vol_wipe_pattern_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageVolWipePatternArgs {
    /// The volume.
    pub vol: RemoteNonnullStorageVol,
    /// `virStorageVolWipeAlgorithm`.
    pub algorithm: u32,
    /// Flags.
    pub flags: u32,
}

/// `remote_storage_vol_upload_args` / `…_download_args`: a stream follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageVolTransferArgs {
    /// The volume.
    pub vol: RemoteNonnullStorageVol,
    /// Byte offset.
    pub offset: u64,
    /// Bytes (0: to the end).
    pub length: u64,
    /// Flags.
    pub flags: u32,
}

/// `remote_storage_vol_lookup_by_name_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageVolLookupByNameArgs {
    /// The pool.
    pub pool: RemoteNonnullStoragePool,
    /// The volume's name.
    pub name: String,
}

/// `remote_storage_vol_create_xml_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageVolCreateXmlArgs {
    /// The pool.
    pub pool: RemoteNonnullStoragePool,
    /// The volume.
    pub xml: String,
    /// Flags.
    pub flags: u32,
}

/// `remote_storage_pool_list_volumes_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoragePoolListVolumesArgs {
    /// The pool.
    pub pool: RemoteNonnullStoragePool,
    /// Most names wanted.
    pub maxnames: i32,
}

/// `remote_node_num_of_devices_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeNumOfDevicesArgs {
    /// Only devices with this capability.
    pub cap: Option<String>,
    /// Flags.
    pub flags: u32,
}

/// `remote_node_list_devices_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeListDevicesArgs {
    /// Only devices with this capability.
    pub cap: Option<String>,
    /// Most names wanted.
    pub maxnames: i32,
    /// Flags.
    pub flags: u32,
}

/// `remote_node_device_lookup_scsi_host_by_wwn_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDeviceLookupScsiHostByWwnArgs {
    /// World wide node name.
    pub wwnn: String,
    /// World wide port name.
    pub wwpn: String,
    /// Flags.
    pub flags: u32,
}

/// `remote_node_device_get_parent_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDeviceGetParentRet {
    /// The parent's name, if any.
    pub parent_name: Option<String>,
}

/// `remote_node_device_list_caps_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDeviceListCapsArgs {
    /// The device.
    pub name: String,
    /// Most names wanted.
    pub maxnames: i32,
}

/// `remote_node_device_detach_flags_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDeviceDetachFlagsArgs {
    /// The device.
    pub name: String,
    /// Driver to bind (`vfio`).
    pub driver_name: Option<String>,
    /// Flags.
    pub flags: u32,
}

/// `remote_secret_lookup_by_usage_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretLookupByUsageArgs {
    /// `virSecretUsageType`.
    pub usage_type: i32,
    /// The usage id.
    pub usage_id: String,
}

/// `remote_secret_set_value_args`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretSetValueArgs {
    /// The secret.
    pub secret: RemoteNonnullSecret,
    /// The value.
    #[serde(with = "rvirt_xdr::opaque")]
    pub value: Vec<u8>,
    /// Flags.
    pub flags: u32,
}

/// `remote_secret_get_value_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretGetValueRet {
    /// The value.
    #[serde(with = "rvirt_xdr::opaque")]
    pub value: Vec<u8>,
}

/// `remote_connect_list_secrets_args`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectListSecretsArgs {
    /// Most UUIDs wanted.
    pub maxuuids: i32,
}

/// `remote_connect_list_secrets_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectListSecretsRet {
    /// UUID strings.
    pub uuids: Vec<String>,
}

//! The rows of the secondary drivers' procedures: networks and their ports, storage
//! pools and volumes, node devices, host interfaces, secrets, network filters and
//! their events.

use rvirt_rpc::procs as p;
use rvirt_rpc_server::{Procedure, procedure};

use crate::remote::Access;
use crate::remote::Session;
use crate::remote::objects::{
    events as ev, iface as ifc, network as n, nodedev as nd, nwfilter as nwf, pool as sp,
    secret as sec, volume as sv,
};

/// Their rows, in order of number.
pub(super) static ROWS: &[Procedure<Session, Access>] = &[
    procedure!(
        p::CONNECT_LIST_DEFINED_NETWORKS,
        Access::Open,
        n::list_defined_networks
    ),
    procedure!(p::CONNECT_LIST_NETWORKS, Access::Open, n::list_networks),
    procedure!(
        p::NETWORK_CREATE,
        Access::WriteIn("virNetworkCreate", 19),
        n::create
    ),
    procedure!(
        p::NETWORK_CREATE_XML,
        Access::WriteIn("virNetworkCreateXML", 19),
        n::create_xml
    ),
    procedure!(
        p::NETWORK_DEFINE_XML,
        Access::WriteIn("virNetworkDefineXML", 19),
        n::define_xml
    ),
    procedure!(
        p::NETWORK_DESTROY,
        Access::WriteIn("virNetworkDestroy", 19),
        n::destroy
    ),
    procedure!(p::NETWORK_GET_XML_DESC, Access::Open, n::get_xml_desc),
    procedure!(p::NETWORK_GET_AUTOSTART, Access::Open, n::get_autostart),
    procedure!(p::NETWORK_GET_BRIDGE_NAME, Access::Open, n::get_bridge_name),
    procedure!(p::NETWORK_LOOKUP_BY_NAME, Access::Open, n::lookup_by_name),
    procedure!(p::NETWORK_LOOKUP_BY_UUID, Access::Open, n::lookup_by_uuid),
    procedure!(
        p::NETWORK_SET_AUTOSTART,
        Access::WriteIn("virNetworkSetAutostart", 19),
        n::set_autostart
    ),
    procedure!(
        p::NETWORK_UNDEFINE,
        Access::WriteIn("virNetworkUndefine", 19),
        n::undefine
    ),
    procedure!(
        p::CONNECT_NUM_OF_DEFINED_NETWORKS,
        Access::Open,
        n::num_of_defined_networks
    ),
    procedure!(p::CONNECT_NUM_OF_NETWORKS, Access::Open, n::num_of_networks),
    procedure!(
        p::CONNECT_NUM_OF_STORAGE_POOLS,
        Access::Open,
        sp::num_of_pools
    ),
    procedure!(p::CONNECT_LIST_STORAGE_POOLS, Access::Open, sp::list_pools),
    procedure!(
        p::CONNECT_NUM_OF_DEFINED_STORAGE_POOLS,
        Access::Open,
        sp::num_of_defined_pools
    ),
    procedure!(
        p::CONNECT_LIST_DEFINED_STORAGE_POOLS,
        Access::Open,
        sp::list_defined_pools
    ),
    procedure!(
        p::CONNECT_FIND_STORAGE_POOL_SOURCES,
        Access::WriteIn("virConnectFindStoragePoolSources", 18),
        sp::find_sources
    ),
    procedure!(
        p::STORAGE_POOL_CREATE_XML,
        Access::WriteIn("virStoragePoolCreateXML", 18),
        sp::create_xml
    ),
    procedure!(
        p::STORAGE_POOL_DEFINE_XML,
        Access::WriteIn("virStoragePoolDefineXML", 18),
        sp::define_xml
    ),
    procedure!(
        p::STORAGE_POOL_CREATE,
        Access::WriteIn("virStoragePoolCreate", 18),
        sp::create
    ),
    procedure!(
        p::STORAGE_POOL_BUILD,
        Access::WriteIn("virStoragePoolBuild", 18),
        sp::build
    ),
    procedure!(
        p::STORAGE_POOL_DESTROY,
        Access::WriteIn("virStoragePoolDestroy", 18),
        sp::destroy
    ),
    procedure!(
        p::STORAGE_POOL_DELETE,
        Access::WriteIn("virStoragePoolDelete", 18),
        sp::delete
    ),
    procedure!(
        p::STORAGE_POOL_UNDEFINE,
        Access::WriteIn("virStoragePoolUndefine", 18),
        sp::undefine
    ),
    procedure!(
        p::STORAGE_POOL_REFRESH,
        Access::WriteIn("virStoragePoolRefresh", 18),
        sp::refresh
    ),
    procedure!(
        p::STORAGE_POOL_LOOKUP_BY_NAME,
        Access::Open,
        sp::lookup_by_name
    ),
    procedure!(
        p::STORAGE_POOL_LOOKUP_BY_UUID,
        Access::Open,
        sp::lookup_by_uuid
    ),
    procedure!(
        p::STORAGE_POOL_LOOKUP_BY_VOLUME,
        Access::Open,
        sv::pool_by_volume
    ),
    procedure!(p::STORAGE_POOL_GET_INFO, Access::Open, sp::get_info),
    procedure!(p::STORAGE_POOL_GET_XML_DESC, Access::Open, sp::get_xml_desc),
    procedure!(
        p::STORAGE_POOL_GET_AUTOSTART,
        Access::Open,
        sp::get_autostart
    ),
    procedure!(
        p::STORAGE_POOL_SET_AUTOSTART,
        Access::WriteIn("virStoragePoolSetAutostart", 18),
        sp::set_autostart
    ),
    procedure!(
        p::STORAGE_POOL_NUM_OF_VOLUMES,
        Access::Open,
        sp::num_of_volumes
    ),
    procedure!(p::STORAGE_POOL_LIST_VOLUMES, Access::Open, sp::list_volumes),
    procedure!(
        p::STORAGE_VOL_CREATE_XML,
        Access::WriteIn("virStorageVolCreateXML", 18),
        sv::create_xml
    ),
    procedure!(
        p::STORAGE_VOL_DELETE,
        Access::WriteIn("virStorageVolDelete", 18),
        sv::delete
    ),
    procedure!(
        p::STORAGE_VOL_LOOKUP_BY_NAME,
        Access::Open,
        sv::lookup_by_name
    ),
    procedure!(
        p::STORAGE_VOL_LOOKUP_BY_KEY,
        Access::Open,
        sv::lookup_by_key
    ),
    procedure!(
        p::STORAGE_VOL_LOOKUP_BY_PATH,
        Access::Open,
        sv::lookup_by_path
    ),
    procedure!(p::STORAGE_VOL_GET_INFO, Access::Open, sv::get_info),
    procedure!(p::STORAGE_VOL_GET_XML_DESC, Access::Open, sv::get_xml_desc),
    procedure!(p::STORAGE_VOL_GET_PATH, Access::Open, sv::get_path),
    procedure!(p::NODE_NUM_OF_DEVICES, Access::Open, nd::num_of_devices),
    procedure!(p::NODE_LIST_DEVICES, Access::Open, nd::list_devices),
    procedure!(
        p::NODE_DEVICE_LOOKUP_BY_NAME,
        Access::Open,
        nd::lookup_by_name
    ),
    procedure!(p::NODE_DEVICE_GET_XML_DESC, Access::Open, nd::get_xml_desc),
    procedure!(p::NODE_DEVICE_GET_PARENT, Access::Open, nd::get_parent),
    procedure!(p::NODE_DEVICE_NUM_OF_CAPS, Access::Open, nd::num_of_caps),
    procedure!(p::NODE_DEVICE_LIST_CAPS, Access::Open, nd::list_caps),
    procedure!(
        p::NODE_DEVICE_DETTACH,
        Access::WriteIn("virNodeDeviceDettach", 22),
        nd::dettach
    ),
    procedure!(
        p::NODE_DEVICE_RE_ATTACH,
        Access::WriteIn("virNodeDeviceReAttach", 22),
        nd::reattach
    ),
    procedure!(
        p::NODE_DEVICE_RESET,
        Access::WriteIn("virNodeDeviceReset", 22),
        nd::reset
    ),
    procedure!(
        p::NODE_DEVICE_CREATE_XML,
        Access::WriteIn("virNodeDeviceCreateXML", 22),
        nd::create_xml
    ),
    procedure!(
        p::NODE_DEVICE_DESTROY,
        Access::WriteIn("virNodeDeviceDestroy", 22),
        nd::destroy
    ),
    procedure!(
        p::STORAGE_VOL_CREATE_XML_FROM,
        Access::WriteIn("virStorageVolCreateXMLFrom", 18),
        sv::create_xml_from
    ),
    procedure!(
        p::CONNECT_NUM_OF_INTERFACES,
        Access::Open,
        ifc::num_of_interfaces
    ),
    procedure!(
        p::CONNECT_LIST_INTERFACES,
        Access::Open,
        ifc::list_interfaces
    ),
    procedure!(
        p::INTERFACE_LOOKUP_BY_NAME,
        Access::Open,
        ifc::lookup_by_name
    ),
    procedure!(
        p::INTERFACE_LOOKUP_BY_MAC_STRING,
        Access::Open,
        ifc::lookup_by_mac
    ),
    procedure!(p::INTERFACE_GET_XML_DESC, Access::Open, ifc::get_xml_desc),
    procedure!(
        p::INTERFACE_DEFINE_XML,
        Access::WriteIn("virInterfaceDefineXML", 26),
        ifc::define_xml
    ),
    procedure!(
        p::INTERFACE_UNDEFINE,
        Access::WriteIn("virInterfaceUndefine", 26),
        ifc::undefine
    ),
    procedure!(
        p::INTERFACE_CREATE,
        Access::WriteIn("virInterfaceCreate", 26),
        ifc::create
    ),
    procedure!(
        p::INTERFACE_DESTROY,
        Access::WriteIn("virInterfaceDestroy", 26),
        ifc::destroy
    ),
    procedure!(
        p::CONNECT_NUM_OF_DEFINED_INTERFACES,
        Access::Open,
        ifc::num_of_defined_interfaces
    ),
    procedure!(
        p::CONNECT_LIST_DEFINED_INTERFACES,
        Access::Open,
        ifc::list_defined_interfaces
    ),
    procedure!(p::CONNECT_NUM_OF_SECRETS, Access::Open, sec::num_of_secrets),
    procedure!(p::CONNECT_LIST_SECRETS, Access::Open, sec::list_secrets),
    procedure!(p::SECRET_LOOKUP_BY_UUID, Access::Open, sec::lookup_by_uuid),
    procedure!(
        p::SECRET_DEFINE_XML,
        Access::WriteIn("virSecretDefineXML", 30),
        sec::define_xml
    ),
    procedure!(p::SECRET_GET_XML_DESC, Access::Open, sec::get_xml_desc),
    procedure!(
        p::SECRET_SET_VALUE,
        Access::WriteIn("virSecretSetValue", 30),
        sec::set_value
    ),
    procedure!(
        p::SECRET_GET_VALUE,
        Access::WriteIn("virSecretGetValue", 30),
        sec::get_value
    ),
    procedure!(
        p::SECRET_UNDEFINE,
        Access::WriteIn("virSecretUndefine", 30),
        sec::undefine
    ),
    procedure!(
        p::SECRET_LOOKUP_BY_USAGE,
        Access::Open,
        sec::lookup_by_usage
    ),
    procedure!(p::NETWORK_IS_ACTIVE, Access::Open, n::is_active),
    procedure!(p::NETWORK_IS_PERSISTENT, Access::Open, n::is_persistent),
    procedure!(p::STORAGE_POOL_IS_ACTIVE, Access::Open, sp::is_active),
    procedure!(
        p::STORAGE_POOL_IS_PERSISTENT,
        Access::Open,
        sp::is_persistent
    ),
    procedure!(p::INTERFACE_IS_ACTIVE, Access::Open, ifc::is_active),
    procedure!(
        p::STORAGE_VOL_WIPE,
        Access::WriteIn("virStorageVolWipe", 18),
        sv::wipe
    ),
    procedure!(
        p::NWFILTER_LOOKUP_BY_NAME,
        Access::Open,
        nwf::lookup_by_name
    ),
    procedure!(
        p::NWFILTER_LOOKUP_BY_UUID,
        Access::Open,
        nwf::lookup_by_uuid
    ),
    procedure!(p::NWFILTER_GET_XML_DESC, Access::Open, nwf::get_xml_desc),
    procedure!(
        p::CONNECT_NUM_OF_NWFILTERS,
        Access::Open,
        nwf::num_of_filters
    ),
    procedure!(p::CONNECT_LIST_NWFILTERS, Access::Open, nwf::list_filters),
    procedure!(
        p::NWFILTER_DEFINE_XML,
        Access::WriteIn("virNWFilterDefineXML", 33),
        nwf::define_xml
    ),
    procedure!(
        p::NWFILTER_UNDEFINE,
        Access::WriteIn("virNWFilterUndefine", 33),
        nwf::undefine
    ),
    procedure!(
        p::INTERFACE_CHANGE_BEGIN,
        Access::WriteIn("virInterfaceChangeBegin", 26),
        ifc::change_begin
    ),
    procedure!(
        p::INTERFACE_CHANGE_COMMIT,
        Access::WriteIn("virInterfaceChangeCommit", 26),
        ifc::change_commit
    ),
    procedure!(
        p::INTERFACE_CHANGE_ROLLBACK,
        Access::WriteIn("virInterfaceChangeRollback", 26),
        ifc::change_rollback
    ),
    procedure!(
        p::STORAGE_VOL_WIPE_PATTERN,
        Access::WriteIn("virStorageVolWipePattern", 18),
        sv::wipe_pattern
    ),
    procedure!(
        p::STORAGE_VOL_RESIZE,
        Access::WriteIn("virStorageVolResize", 18),
        sv::resize
    ),
    procedure!(
        p::STORAGE_VOL_UPLOAD,
        Access::WriteIn("virStorageVolUpload", 18),
        sv::upload
    ),
    procedure!(
        p::STORAGE_VOL_DOWNLOAD,
        Access::WriteIn("virStorageVolDownload", 18),
        sv::download
    ),
    procedure!(
        p::CONNECT_LIST_ALL_STORAGE_POOLS,
        Access::Open,
        sp::list_all_pools
    ),
    procedure!(
        p::STORAGE_POOL_LIST_ALL_VOLUMES,
        Access::Open,
        sp::list_all_volumes
    ),
    procedure!(
        p::CONNECT_LIST_ALL_NETWORKS,
        Access::Open,
        n::list_all_networks
    ),
    procedure!(
        p::CONNECT_LIST_ALL_INTERFACES,
        Access::Open,
        ifc::list_all_interfaces
    ),
    procedure!(
        p::CONNECT_LIST_ALL_NODE_DEVICES,
        Access::Open,
        nd::list_all_devices
    ),
    procedure!(
        p::CONNECT_LIST_ALL_NWFILTERS,
        Access::Open,
        nwf::list_all_filters
    ),
    procedure!(
        p::CONNECT_LIST_ALL_SECRETS,
        Access::Open,
        sec::list_all_secrets
    ),
    procedure!(
        p::NETWORK_UPDATE,
        Access::WriteIn("virNetworkUpdate", 19),
        n::update
    ),
    procedure!(
        p::NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN,
        Access::Open,
        nd::lookup_scsi_host_by_wwn
    ),
    procedure!(
        p::NODE_DEVICE_DETACH_FLAGS,
        Access::WriteIn("virNodeDeviceDetachFlags", 22),
        nd::detach_flags
    ),
    procedure!(
        p::CONNECT_NETWORK_EVENT_REGISTER_ANY,
        Access::Open,
        ev::network_register
    ),
    procedure!(
        p::CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
        Access::Open,
        ev::network_deregister
    ),
    procedure!(p::NETWORK_GET_DHCP_LEASES, Access::Open, n::get_dhcp_leases),
    procedure!(
        p::CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
        Access::Open,
        ev::pool_register
    ),
    procedure!(
        p::CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
        Access::Open,
        ev::pool_deregister
    ),
    procedure!(
        p::CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY,
        Access::Open,
        ev::node_device_register
    ),
    procedure!(
        p::CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
        Access::Open,
        ev::node_device_deregister
    ),
    procedure!(
        p::STORAGE_VOL_GET_INFO_FLAGS,
        Access::Open,
        sv::get_info_flags
    ),
    procedure!(
        p::CONNECT_SECRET_EVENT_REGISTER_ANY,
        Access::Open,
        ev::secret_register
    ),
    procedure!(
        p::CONNECT_SECRET_EVENT_DEREGISTER_ANY,
        Access::Open,
        ev::secret_deregister
    ),
    procedure!(
        p::STORAGE_POOL_LOOKUP_BY_TARGET_PATH,
        Access::Open,
        sp::lookup_by_target_path
    ),
    procedure!(
        p::NWFILTER_BINDING_LOOKUP_BY_PORT_DEV,
        Access::Open,
        nwf::binding_lookup
    ),
    procedure!(
        p::NWFILTER_BINDING_GET_XML_DESC,
        Access::Open,
        nwf::binding_get_xml_desc
    ),
    procedure!(
        p::NWFILTER_BINDING_CREATE_XML,
        Access::WriteIn("virNWFilterBindingCreateXML", 33),
        nwf::binding_create_xml
    ),
    procedure!(
        p::NWFILTER_BINDING_DELETE,
        Access::WriteIn("virNWFilterBindingDelete", 33),
        nwf::binding_delete
    ),
    procedure!(
        p::CONNECT_LIST_ALL_NWFILTER_BINDINGS,
        Access::Open,
        nwf::list_all_bindings
    ),
    procedure!(
        p::CONNECT_GET_STORAGE_POOL_CAPABILITIES,
        Access::Open,
        sp::capabilities
    ),
    procedure!(p::NETWORK_LIST_ALL_PORTS, Access::Open, n::list_all_ports),
    procedure!(
        p::NETWORK_PORT_LOOKUP_BY_UUID,
        Access::Open,
        n::port_lookup_by_uuid
    ),
    procedure!(
        p::NETWORK_PORT_CREATE_XML,
        Access::WriteIn("virNetworkPortCreateXML", 19),
        n::port_create_xml
    ),
    procedure!(
        p::NETWORK_PORT_GET_PARAMETERS,
        Access::Open,
        n::port_get_parameters
    ),
    procedure!(
        p::NETWORK_PORT_SET_PARAMETERS,
        Access::WriteIn("virNetworkPortSetParameters", 19),
        n::port_set_parameters
    ),
    procedure!(
        p::NETWORK_PORT_GET_XML_DESC,
        Access::Open,
        n::port_get_xml_desc
    ),
    procedure!(
        p::NETWORK_PORT_DELETE,
        Access::WriteIn("virNetworkPortDelete", 19),
        n::port_delete
    ),
    procedure!(
        p::NODE_DEVICE_DEFINE_XML,
        Access::WriteIn("virNodeDeviceDefineXML", 22),
        nd::define_xml
    ),
    procedure!(
        p::NODE_DEVICE_UNDEFINE,
        Access::WriteIn("virNodeDeviceUndefine", 22),
        nd::undefine
    ),
    procedure!(
        p::NODE_DEVICE_CREATE,
        Access::WriteIn("virNodeDeviceCreate", 22),
        nd::create
    ),
    procedure!(
        p::NWFILTER_DEFINE_XML_FLAGS,
        Access::WriteIn("virNWFilterDefineXMLFlags", 33),
        nwf::define_xml_flags
    ),
    procedure!(
        p::NETWORK_DEFINE_XML_FLAGS,
        Access::WriteIn("virNetworkDefineXMLFlags", 19),
        n::define_xml_flags
    ),
    procedure!(
        p::NODE_DEVICE_GET_AUTOSTART,
        Access::Open,
        nd::get_autostart
    ),
    procedure!(
        p::NODE_DEVICE_SET_AUTOSTART,
        Access::WriteIn("virNodeDeviceSetAutostart", 22),
        nd::set_autostart
    ),
    procedure!(
        p::NODE_DEVICE_IS_PERSISTENT,
        Access::Open,
        nd::is_persistent
    ),
    procedure!(p::NODE_DEVICE_IS_ACTIVE, Access::Open, nd::is_active),
    procedure!(
        p::NETWORK_CREATE_XML_FLAGS,
        Access::WriteIn("virNetworkCreateXMLFlags", 19),
        n::create_xml_flags
    ),
];

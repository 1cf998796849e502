//! Procedure numbers of the REMOTE program (`remote_procedure`) used by rvirt.
//!
//! Numbers are permanent in libvirt; the set here is the one virsh 9 and
//! python3-libvirt 9 use for connection setup, domain lookup/listing/lifecycle and
//! events, and every procedure of the secondary drivers (networks and their ports,
//! storage pools and volumes, node devices, host interfaces, secrets, network
//! filters) libvirt 9.0 has. Unknown numbers must be answered with "unknown procedure: N"
//! (see [`RemoteError::unknown_procedure`](crate::RemoteError::unknown_procedure)).

macro_rules! procedures {
    ($($(#[$m:meta])* $name:ident = $num:literal,)*) => {
        $(
            $(#[$m])*
            pub const $name: i32 = $num;
        )*

        /// Every procedure in this module as `(number, name)`, sorted by number.
        /// Names are libvirt's without the `REMOTE_PROC_` prefix.
        pub const PROCEDURES: &[(i32, &str)] = &[$(($num, stringify!($name)),)*];
    };
}

procedures! {
    /// `{remote_string name; u32 flags}` → void.
    CONNECT_OPEN = 1,
    /// void → void; the server closes the socket after replying.
    CONNECT_CLOSE = 2,
    /// void → `{string type}`.
    CONNECT_GET_TYPE = 3,
    /// void → `{u64 hv_ver}`.
    CONNECT_GET_VERSION = 4,
    /// `{remote_string type}` → `{int max_vcpus}`.
    CONNECT_GET_MAX_VCPUS = 5,
    /// void → node info.
    NODE_GET_INFO = 6,
    /// void → `{string capabilities}`.
    CONNECT_GET_CAPABILITIES = 7,
    /// `{dom; string xml}` → void.
    DOMAIN_ATTACH_DEVICE = 8,
    /// `{dom}` → void.
    DOMAIN_CREATE = 9,
    /// `{string xml_desc; u32 flags}` → `{dom}`.
    DOMAIN_CREATE_XML = 10,
    /// `{string xml}` → `{dom}`.
    DOMAIN_DEFINE_XML = 11,
    /// `{dom}` → void.
    DOMAIN_DESTROY = 12,
    /// `{dom; string xml}` → void.
    DOMAIN_DETACH_DEVICE = 13,
    /// `{dom; u32 flags}` → `{string xml}`.
    DOMAIN_GET_XML_DESC = 14,
    /// `{dom}` → `{int autostart}`.
    DOMAIN_GET_AUTOSTART = 15,
    /// `{dom}` → `{uchar state; u64 maxMem; u64 memory; ushort nrVirtCpu; u64 cpuTime}`.
    DOMAIN_GET_INFO = 16,
    /// `{dom}` → `{u64 memory}`.
    DOMAIN_GET_MAX_MEMORY = 17,
    /// `{dom}` → `{int num}`.
    DOMAIN_GET_MAX_VCPUS = 18,
    /// `{dom}` → `{string type}`.
    DOMAIN_GET_OS_TYPE = 19,
    /// `{dom; int maxinfo; int maplen}` → `{vcpu_info info<>; opaque cpumaps<>}`.
    DOMAIN_GET_VCPUS = 20,
    /// `{int maxnames}` → `{string names<>}`.
    CONNECT_LIST_DEFINED_DOMAINS = 21,
    /// `{int id}` → `{dom}`.
    DOMAIN_LOOKUP_BY_ID = 22,
    /// `{string name}` → `{dom}`.
    DOMAIN_LOOKUP_BY_NAME = 23,
    /// `{uuid}` → `{dom}`.
    DOMAIN_LOOKUP_BY_UUID = 24,
    /// void → `{int num}`.
    CONNECT_NUM_OF_DEFINED_DOMAINS = 25,
    /// `{dom; u32 vcpu; opaque cpumap}` → void.
    DOMAIN_PIN_VCPU = 26,
    /// `{dom; u32 flags}` → void.
    DOMAIN_REBOOT = 27,
    /// `{dom}` → void.
    DOMAIN_RESUME = 28,
    /// `{dom; int autostart}` → void.
    DOMAIN_SET_AUTOSTART = 29,
    /// `{dom; u64 memory}` → void.
    DOMAIN_SET_MAX_MEMORY = 30,
    /// `{dom; u64 memory}` → void.
    DOMAIN_SET_MEMORY = 31,
    /// `{dom; u32 nvcpus}` → void.
    DOMAIN_SET_VCPUS = 32,
    /// `{dom}` → void.
    DOMAIN_SHUTDOWN = 33,
    /// `{dom}` → void.
    DOMAIN_SUSPEND = 34,
    /// `{dom}` → void.
    DOMAIN_UNDEFINE = 35,
    /// Carries `virConnectListDefinedNetworks` (layout in [`crate::types`]).
    CONNECT_LIST_DEFINED_NETWORKS = 36,
    /// `{int maxids}` → `{int ids<>}`.
    CONNECT_LIST_DOMAINS = 37,
    /// Carries `virConnectListNetworks` (layout in [`crate::types`]).
    CONNECT_LIST_NETWORKS = 38,
    /// Carries `virNetworkCreate` (layout in [`crate::types`]).
    NETWORK_CREATE = 39,
    /// Carries `virNetworkCreateXML` (layout in [`crate::types`]).
    NETWORK_CREATE_XML = 40,
    /// Carries `virNetworkDefineXML` (layout in [`crate::types`]).
    NETWORK_DEFINE_XML = 41,
    /// Carries `virNetworkDestroy` (layout in [`crate::types`]).
    NETWORK_DESTROY = 42,
    /// Carries `virNetworkGetXMLDesc` (layout in [`crate::types`]).
    NETWORK_GET_XML_DESC = 43,
    /// Carries `virNetworkGetAutostart` (layout in [`crate::types`]).
    NETWORK_GET_AUTOSTART = 44,
    /// Carries `virNetworkGetBridgeName` (layout in [`crate::types`]).
    NETWORK_GET_BRIDGE_NAME = 45,
    /// Carries `virNetworkLookupByName` (layout in [`crate::types`]).
    NETWORK_LOOKUP_BY_NAME = 46,
    /// Carries `virNetworkLookupByUUID` (layout in [`crate::types`]).
    NETWORK_LOOKUP_BY_UUID = 47,
    /// Carries `virNetworkSetAutostart` (layout in [`crate::types`]).
    NETWORK_SET_AUTOSTART = 48,
    /// Carries `virNetworkUndefine` (layout in [`crate::types`]).
    NETWORK_UNDEFINE = 49,
    /// Carries `virConnectNumOfDefinedNetworks` (layout in [`crate::types`]).
    CONNECT_NUM_OF_DEFINED_NETWORKS = 50,
    /// void → `{int num}`.
    CONNECT_NUM_OF_DOMAINS = 51,
    /// Carries `virConnectNumOfNetworks` (layout in [`crate::types`]).
    CONNECT_NUM_OF_NETWORKS = 52,
    /// `{dom; to; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_CORE_DUMP = 53,
    /// `{string from}` → void (layout in [`crate::save`]).
    DOMAIN_RESTORE = 54,
    /// `{dom; string to}` → void (layout in [`crate::save`]).
    DOMAIN_SAVE = 55,
    /// `{dom}` → `{string type; int nparams}`.
    DOMAIN_GET_SCHEDULER_TYPE = 56,
    /// `{dom; int nparams}` → `{params<16>}` (layout in [`crate::tuning`]).
    DOMAIN_GET_SCHEDULER_PARAMETERS = 57,
    /// `{dom; params<16>}` → void (layout in [`crate::tuning`]).
    DOMAIN_SET_SCHEDULER_PARAMETERS = 58,
    /// void → `{string hostname}`.
    CONNECT_GET_HOSTNAME = 59,
    /// `{int feature}` → `{int supported}`.
    CONNECT_SUPPORTS_FEATURE = 60,
    /// `{dom; string path}` → five counters.
    DOMAIN_BLOCK_STATS = 64,
    /// `{dom; string path}` → eight counters.
    DOMAIN_INTERFACE_STATS = 65,
    /// void → `{remote_auth_type types<20>}`.
    AUTH_LIST = 66,
    /// SASL authentication start.
    AUTH_SASL_INIT = 67,
    /// SASL authentication step 1.
    AUTH_SASL_START = 68,
    /// SASL authentication further steps.
    AUTH_SASL_STEP = 69,
    /// void → `{int complete}`.
    AUTH_POLKIT = 70,
    /// Carries `virConnectNumOfStoragePools` (layout in [`crate::types`]).
    CONNECT_NUM_OF_STORAGE_POOLS = 71,
    /// Carries `virConnectListStoragePools` (layout in [`crate::types`]).
    CONNECT_LIST_STORAGE_POOLS = 72,
    /// Carries `virConnectNumOfDefinedStoragePools` (layout in [`crate::types`]).
    CONNECT_NUM_OF_DEFINED_STORAGE_POOLS = 73,
    /// Carries `virConnectListDefinedStoragePools` (layout in [`crate::types`]).
    CONNECT_LIST_DEFINED_STORAGE_POOLS = 74,
    /// Carries `virConnectFindStoragePoolSources` (layout in [`crate::types`]).
    CONNECT_FIND_STORAGE_POOL_SOURCES = 75,
    /// Carries `virStoragePoolCreateXML` (layout in [`crate::types`]).
    STORAGE_POOL_CREATE_XML = 76,
    /// Carries `virStoragePoolDefineXML` (layout in [`crate::types`]).
    STORAGE_POOL_DEFINE_XML = 77,
    /// Carries `virStoragePoolCreate` (layout in [`crate::types`]).
    STORAGE_POOL_CREATE = 78,
    /// Carries `virStoragePoolBuild` (layout in [`crate::types`]).
    STORAGE_POOL_BUILD = 79,
    /// Carries `virStoragePoolDestroy` (layout in [`crate::types`]).
    STORAGE_POOL_DESTROY = 80,
    /// Carries `virStoragePoolDelete` (layout in [`crate::types`]).
    STORAGE_POOL_DELETE = 81,
    /// Carries `virStoragePoolUndefine` (layout in [`crate::types`]).
    STORAGE_POOL_UNDEFINE = 82,
    /// Carries `virStoragePoolRefresh` (layout in [`crate::types`]).
    STORAGE_POOL_REFRESH = 83,
    /// Carries `virStoragePoolLookupByName` (layout in [`crate::types`]).
    STORAGE_POOL_LOOKUP_BY_NAME = 84,
    /// Carries `virStoragePoolLookupByUUID` (layout in [`crate::types`]).
    STORAGE_POOL_LOOKUP_BY_UUID = 85,
    /// Carries `virStoragePoolLookupByVolume` (layout in [`crate::types`]).
    STORAGE_POOL_LOOKUP_BY_VOLUME = 86,
    /// Carries `virStoragePoolGetInfo` (layout in [`crate::types`]).
    STORAGE_POOL_GET_INFO = 87,
    /// Carries `virStoragePoolGetXMLDesc` (layout in [`crate::types`]).
    STORAGE_POOL_GET_XML_DESC = 88,
    /// Carries `virStoragePoolGetAutostart` (layout in [`crate::types`]).
    STORAGE_POOL_GET_AUTOSTART = 89,
    /// Carries `virStoragePoolSetAutostart` (layout in [`crate::types`]).
    STORAGE_POOL_SET_AUTOSTART = 90,
    /// Carries `virStoragePoolNumOfVolumes` (layout in [`crate::types`]).
    STORAGE_POOL_NUM_OF_VOLUMES = 91,
    /// Carries `virStoragePoolListVolumes` (layout in [`crate::types`]).
    STORAGE_POOL_LIST_VOLUMES = 92,
    /// Carries `virStorageVolCreateXML` (layout in [`crate::types`]).
    STORAGE_VOL_CREATE_XML = 93,
    /// Carries `virStorageVolDelete` (layout in [`crate::types`]).
    STORAGE_VOL_DELETE = 94,
    /// Carries `virStorageVolLookupByName` (layout in [`crate::types`]).
    STORAGE_VOL_LOOKUP_BY_NAME = 95,
    /// Carries `virStorageVolLookupByKey` (layout in [`crate::types`]).
    STORAGE_VOL_LOOKUP_BY_KEY = 96,
    /// Carries `virStorageVolLookupByPath` (layout in [`crate::types`]).
    STORAGE_VOL_LOOKUP_BY_PATH = 97,
    /// Carries `virStorageVolGetInfo` (layout in [`crate::types`]).
    STORAGE_VOL_GET_INFO = 98,
    /// Carries `virStorageVolGetXMLDesc` (layout in [`crate::types`]).
    STORAGE_VOL_GET_XML_DESC = 99,
    /// Carries `virStorageVolGetPath` (layout in [`crate::types`]).
    STORAGE_VOL_GET_PATH = 100,
    /// `{int startCell; int maxcells}` → `{u64 cells<>}`.
    NODE_GET_CELLS_FREE_MEMORY = 101,
    /// void → `{u64 freeMem}`.
    NODE_GET_FREE_MEMORY = 102,
    /// `{dom; path; u64 offset; u32 size; u32 flags}` → `{opaque buffer}` (layout in
    /// [`crate::monitoring`]).
    DOMAIN_BLOCK_PEEK = 103,
    /// `{dom; u64 offset; u32 size; u32 flags}` → `{opaque buffer<4194304>}` (layout in
    /// [`crate::monitoring`]).
    DOMAIN_MEMORY_PEEK = 104,
    /// Legacy lifecycle event MESSAGE `{dom; int event; int detail}`.
    DOMAIN_EVENT_LIFECYCLE = 107,
    /// void → `{string uri}`.
    CONNECT_GET_URI = 110,
    /// Carries `virNodeNumOfDevices` (layout in [`crate::types`]).
    NODE_NUM_OF_DEVICES = 111,
    /// Carries `virNodeListDevices` (layout in [`crate::types`]).
    NODE_LIST_DEVICES = 112,
    /// Carries `virNodeDeviceLookupByName` (layout in [`crate::types`]).
    NODE_DEVICE_LOOKUP_BY_NAME = 113,
    /// Carries `virNodeDeviceGetXMLDesc` (layout in [`crate::types`]).
    NODE_DEVICE_GET_XML_DESC = 114,
    /// Carries `virNodeDeviceGetParent` (layout in [`crate::types`]).
    NODE_DEVICE_GET_PARENT = 115,
    /// Carries `virNodeDeviceNumOfCaps` (layout in [`crate::types`]).
    NODE_DEVICE_NUM_OF_CAPS = 116,
    /// Carries `virNodeDeviceListCaps` (layout in [`crate::types`]).
    NODE_DEVICE_LIST_CAPS = 117,
    /// Carries `virNodeDeviceDettach` (layout in [`crate::types`]).
    NODE_DEVICE_DETTACH = 118,
    /// Carries `virNodeDeviceReAttach` (layout in [`crate::types`]).
    NODE_DEVICE_RE_ATTACH = 119,
    /// Carries `virNodeDeviceReset` (layout in [`crate::types`]).
    NODE_DEVICE_RESET = 120,
    /// `{dom}` → `{char label<>; int enforcing}`.
    DOMAIN_GET_SECURITY_LABEL = 121,
    /// void → `{char model<>; char doi<>}`.
    NODE_GET_SECURITY_MODEL = 122,
    /// Carries `virNodeDeviceCreateXML` (layout in [`crate::types`]).
    NODE_DEVICE_CREATE_XML = 123,
    /// Carries `virNodeDeviceDestroy` (layout in [`crate::types`]).
    NODE_DEVICE_DESTROY = 124,
    /// Carries `virStorageVolCreateXMLFrom` (layout in [`crate::types`]).
    STORAGE_VOL_CREATE_XML_FROM = 125,
    /// Carries `virConnectNumOfInterfaces` (layout in [`crate::types`]).
    CONNECT_NUM_OF_INTERFACES = 126,
    /// Carries `virConnectListInterfaces` (layout in [`crate::types`]).
    CONNECT_LIST_INTERFACES = 127,
    /// Carries `virInterfaceLookupByName` (layout in [`crate::types`]).
    INTERFACE_LOOKUP_BY_NAME = 128,
    /// Carries `virInterfaceLookupByMACString` (layout in [`crate::types`]).
    INTERFACE_LOOKUP_BY_MAC_STRING = 129,
    /// Carries `virInterfaceGetXMLDesc` (layout in [`crate::types`]).
    INTERFACE_GET_XML_DESC = 130,
    /// Carries `virInterfaceDefineXML` (layout in [`crate::types`]).
    INTERFACE_DEFINE_XML = 131,
    /// Carries `virInterfaceUndefine` (layout in [`crate::types`]).
    INTERFACE_UNDEFINE = 132,
    /// Carries `virInterfaceCreate` (layout in [`crate::types`]).
    INTERFACE_CREATE = 133,
    /// Carries `virInterfaceDestroy` (layout in [`crate::types`]).
    INTERFACE_DESTROY = 134,
    /// `{format; xml; u32 flags}` → `{native}` (layout in [`crate::configuration`]).
    CONNECT_DOMAIN_XML_TO_NATIVE = 136,
    /// Carries `virConnectNumOfDefinedInterfaces` (layout in [`crate::types`]).
    CONNECT_NUM_OF_DEFINED_INTERFACES = 137,
    /// Carries `virConnectListDefinedInterfaces` (layout in [`crate::types`]).
    CONNECT_LIST_DEFINED_INTERFACES = 138,
    /// Carries `virConnectNumOfSecrets` (layout in [`crate::types`]).
    CONNECT_NUM_OF_SECRETS = 139,
    /// Carries `virConnectListSecrets` (layout in [`crate::types`]).
    CONNECT_LIST_SECRETS = 140,
    /// Carries `virSecretLookupByUUID` (layout in [`crate::types`]).
    SECRET_LOOKUP_BY_UUID = 141,
    /// Carries `virSecretDefineXML` (layout in [`crate::types`]).
    SECRET_DEFINE_XML = 142,
    /// Carries `virSecretGetXMLDesc` (layout in [`crate::types`]).
    SECRET_GET_XML_DESC = 143,
    /// Carries `virSecretSetValue` (layout in [`crate::types`]).
    SECRET_SET_VALUE = 144,
    /// Carries `virSecretGetValue` (layout in [`crate::types`]).
    SECRET_GET_VALUE = 145,
    /// Carries `virSecretUndefine` (layout in [`crate::types`]).
    SECRET_UNDEFINE = 146,
    /// Carries `virSecretLookupByUsage` (layout in [`crate::types`]).
    SECRET_LOOKUP_BY_USAGE = 147,
    /// void → `{int secure}`.
    CONNECT_IS_SECURE = 149,
    /// `{dom}` → `{int active}`.
    DOMAIN_IS_ACTIVE = 150,
    /// `{dom}` → `{int persistent}`.
    DOMAIN_IS_PERSISTENT = 151,
    /// Carries `virNetworkIsActive` (layout in [`crate::types`]).
    NETWORK_IS_ACTIVE = 152,
    /// Carries `virNetworkIsPersistent` (layout in [`crate::types`]).
    NETWORK_IS_PERSISTENT = 153,
    /// Carries `virStoragePoolIsActive` (layout in [`crate::types`]).
    STORAGE_POOL_IS_ACTIVE = 154,
    /// Carries `virStoragePoolIsPersistent` (layout in [`crate::types`]).
    STORAGE_POOL_IS_PERSISTENT = 155,
    /// Carries `virInterfaceIsActive` (layout in [`crate::types`]).
    INTERFACE_IS_ACTIVE = 156,
    /// void → `{u64 lib_ver}`.
    CONNECT_GET_LIB_VERSION = 157,
    /// `{dom; u32 maxStats; u32 flags}` → `{memory_stat stats<>}`.
    DOMAIN_MEMORY_STATS = 159,
    /// `{dom; string xml; u32 flags}` → void.
    DOMAIN_ATTACH_DEVICE_FLAGS = 160,
    /// `{dom; string xml; u32 flags}` → void.
    DOMAIN_DETACH_DEVICE_FLAGS = 161,
    /// `{dom}` → job type and eleven progress counters.
    DOMAIN_GET_JOB_INFO = 163,
    /// `{dom}` → void.
    DOMAIN_ABORT_JOB = 164,
    /// Carries `virStorageVolWipe` (layout in [`crate::types`]).
    STORAGE_VOL_WIPE = 165,
    /// `{dom; u64 downtime; u32 flags}` → void (layout in [`crate::monitoring`]).
    DOMAIN_MIGRATE_SET_MAX_DOWNTIME = 166,
    /// Legacy event registration `{int eventID}` → void.
    CONNECT_DOMAIN_EVENT_REGISTER_ANY = 167,
    /// Legacy event deregistration `{int eventID}` → void.
    CONNECT_DOMAIN_EVENT_DEREGISTER_ANY = 168,
    /// `{dom; string xml; u32 flags}` → void.
    DOMAIN_UPDATE_DEVICE_FLAGS = 174,
    /// Carries `virNWFilterLookupByName` (layout in [`crate::types`]).
    NWFILTER_LOOKUP_BY_NAME = 175,
    /// Carries `virNWFilterLookupByUUID` (layout in [`crate::types`]).
    NWFILTER_LOOKUP_BY_UUID = 176,
    /// Carries `virNWFilterGetXMLDesc` (layout in [`crate::types`]).
    NWFILTER_GET_XML_DESC = 177,
    /// Carries `virConnectNumOfNWFilters` (layout in [`crate::types`]).
    CONNECT_NUM_OF_NWFILTERS = 178,
    /// Carries `virConnectListNWFilters` (layout in [`crate::types`]).
    CONNECT_LIST_NWFILTERS = 179,
    /// Carries `virNWFilterDefineXML` (layout in [`crate::types`]).
    NWFILTER_DEFINE_XML = 180,
    /// Carries `virNWFilterUndefine` (layout in [`crate::types`]).
    NWFILTER_UNDEFINE = 181,
    /// `{dom; u32 flags}` → void.
    DOMAIN_MANAGED_SAVE = 182,
    /// `{dom; u32 flags}` → `{int result}`.
    DOMAIN_HAS_MANAGED_SAVE_IMAGE = 183,
    /// `{dom; u32 flags}` → void.
    DOMAIN_MANAGED_SAVE_REMOVE = 184,
    /// `{dom; string xml_desc; u32 flags}` → `{snap}`.
    DOMAIN_SNAPSHOT_CREATE_XML = 185,
    /// `{snap; u32 flags}` → `{string xml}`.
    DOMAIN_SNAPSHOT_GET_XML_DESC = 186,
    /// `{dom; u32 flags}` → `{int num}`.
    DOMAIN_SNAPSHOT_NUM = 187,
    /// `{dom; int maxnames; u32 flags}` → `{string names<>}`.
    DOMAIN_SNAPSHOT_LIST_NAMES = 188,
    /// `{dom; string name; u32 flags}` → `{snap}`.
    DOMAIN_SNAPSHOT_LOOKUP_BY_NAME = 189,
    /// `{dom; u32 flags}` → `{int result}`.
    DOMAIN_HAS_CURRENT_SNAPSHOT = 190,
    /// `{dom; u32 flags}` → `{snap}`.
    DOMAIN_SNAPSHOT_CURRENT = 191,
    /// `{snap; u32 flags}` → void.
    DOMAIN_REVERT_TO_SNAPSHOT = 192,
    /// `{snap; u32 flags}` → void.
    DOMAIN_SNAPSHOT_DELETE = 193,
    /// `{dom; string path; u32 flags}` → `{u64 allocation, capacity, physical}`.
    DOMAIN_GET_BLOCK_INFO = 194,
    /// `{dom; u32 flags}` → `{dom}`.
    DOMAIN_CREATE_WITH_FLAGS = 196,
    /// `{dom; params<16>; u32 flags}` → void (layout in [`crate::tuning`]).
    DOMAIN_SET_MEMORY_PARAMETERS = 197,
    /// `{dom; int nparams; u32 flags}` → `{params<16>; int nparams}` (layout in
    /// [`crate::tuning`]).
    DOMAIN_GET_MEMORY_PARAMETERS = 198,
    /// `{dom; u32 nvcpus; u32 flags}` → void.
    DOMAIN_SET_VCPUS_FLAGS = 199,
    /// `{dom; u32 flags}` → `{int num}`.
    DOMAIN_GET_VCPUS_FLAGS = 200,
    /// `{dom; string? dev_name; u32 flags}` → void, then a stream (see [`crate::console`]).
    DOMAIN_OPEN_CONSOLE = 201,
    /// `{dom}` → `{int updated}`.
    DOMAIN_IS_UPDATED = 202,
    /// `{u32 flags}` → `{string sysinfo}`.
    CONNECT_GET_SYSINFO = 203,
    /// `{dom; u64 memory; u32 flags}` → void.
    DOMAIN_SET_MEMORY_FLAGS = 204,
    /// `{dom; params<16>; u32 flags}` → void (layout in [`crate::tuning`]).
    DOMAIN_SET_BLKIO_PARAMETERS = 205,
    /// `{dom; int nparams; u32 flags}` → `{params<16>; int nparams}` (layout in
    /// [`crate::tuning`]).
    DOMAIN_GET_BLKIO_PARAMETERS = 206,
    /// `{dom; u64 bandwidth; u32 flags}` → void (layout in [`crate::monitoring`]).
    DOMAIN_MIGRATE_SET_MAX_SPEED = 207,
    /// Carries `virStorageVolUpload` (layout in [`crate::types`]).
    STORAGE_VOL_UPLOAD = 208,
    /// Carries `virStorageVolDownload` (layout in [`crate::types`]).
    STORAGE_VOL_DOWNLOAD = 209,
    /// `{dom; u32 flags}` → void.
    DOMAIN_INJECT_NMI = 210,
    /// `{dom; u32 screen; u32 flags}` → `{string? mime}`, then a stream (see [`crate::console`]).
    DOMAIN_SCREENSHOT = 211,
    /// `{dom; u32 flags}` → `{int state; int reason}`.
    DOMAIN_GET_STATE = 212,
    /// Migration v3, source's first step (layouts of 213-218 in [`crate::migration`]).
    DOMAIN_MIGRATE_BEGIN3 = 213,
    /// Migration v3, destination's first step.
    DOMAIN_MIGRATE_PREPARE3 = 214,
    /// Migration v3, the source sends the guest.
    DOMAIN_MIGRATE_PERFORM3 = 216,
    /// Migration v3, the destination ends its side.
    DOMAIN_MIGRATE_FINISH3 = 217,
    /// Migration v3, the source ends its side.
    DOMAIN_MIGRATE_CONFIRM3 = 218,
    /// `{dom; params<16>; u32 flags}` → void (layout in [`crate::tuning`]).
    DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS = 219,
    /// Carries `virInterfaceChangeBegin` (layout in [`crate::types`]).
    INTERFACE_CHANGE_BEGIN = 220,
    /// Carries `virInterfaceChangeCommit` (layout in [`crate::types`]).
    INTERFACE_CHANGE_COMMIT = 221,
    /// Carries `virInterfaceChangeRollback` (layout in [`crate::types`]).
    INTERFACE_CHANGE_ROLLBACK = 222,
    /// `{dom; int nparams; u32 flags}` → `{params<16>}` (layout in [`crate::tuning`]).
    DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS = 223,
    /// `{dom; u32 vcpu; opaque cpumap; u32 flags}` → void.
    DOMAIN_PIN_VCPU_FLAGS = 225,
    /// `{dom; u32 codeset; u32 holdtime; u32 keycodes<16>; u32 flags}` → void.
    DOMAIN_SEND_KEY = 226,
    /// `{i32 cpuNum; i32 nparams; u32 flags}` → `{params<>; i32 nparams}`.
    NODE_GET_CPU_STATS = 227,
    /// `{i32 nparams; i32 cellNum; u32 flags}` → `{params<>; i32 nparams}`.
    NODE_GET_MEMORY_STATS = 228,
    /// `{dom; u32 flags}` → `{u32 state, details; u64 stateTime}`.
    DOMAIN_GET_CONTROL_INFO = 229,
    /// `{dom; int ncpumaps; int maplen; u32 flags}` → `{opaque cpumaps<>; int num}`.
    DOMAIN_GET_VCPU_PIN_INFO = 230,
    /// `{dom; u32 flags}` → void.
    DOMAIN_UNDEFINE_FLAGS = 231,
    /// `{dom; string to; string? dxml; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_SAVE_FLAGS = 232,
    /// `{string from; string? dxml; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_RESTORE_FLAGS = 233,
    /// `{dom; u32 flags}` → void.
    DOMAIN_DESTROY_FLAGS = 234,
    /// `{string file; u32 flags}` → `{string xml}` (layout in [`crate::save`]).
    DOMAIN_SAVE_IMAGE_GET_XML_DESC = 235,
    /// `{string file; string dxml; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_SAVE_IMAGE_DEFINE_XML = 236,
    /// `{dom; path; u32 flags}` → void (layout in [`crate::monitoring`]).
    DOMAIN_BLOCK_JOB_ABORT = 237,
    /// `{dom; path; u32 flags}` → `{found; type; bandwidth; cur; end}` (layout in
    /// [`crate::monitoring`]).
    DOMAIN_GET_BLOCK_JOB_INFO = 238,
    /// `{dom; path; u64 bandwidth; u32 flags}` → void (layout in [`crate::monitoring`]).
    DOMAIN_BLOCK_JOB_SET_SPEED = 239,
    /// `{dom; path; u64 bandwidth; u32 flags}` → void (layout in [`crate::monitoring`]).
    DOMAIN_BLOCK_PULL = 240,
    /// `{dom; u32 flags}` → `{u64 bandwidth}` (layout in [`crate::monitoring`]).
    DOMAIN_MIGRATE_GET_MAX_SPEED = 242,
    /// `{dom; path; int nparams; u32 flags}` → `{params<16>; int nparams}` (layout in
    /// [`crate::monitoring`]).
    DOMAIN_BLOCK_STATS_FLAGS = 243,
    /// `{snap; u32 flags}` → `{snap}`.
    DOMAIN_SNAPSHOT_GET_PARENT = 244,
    /// `{dom; u32 flags}` → void.
    DOMAIN_RESET = 245,
    /// `{snap; u32 flags}` → `{int num}`.
    DOMAIN_SNAPSHOT_NUM_CHILDREN = 246,
    /// `{snap; int maxnames; u32 flags}` → `{string names<>}`.
    DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES = 247,
    /// `{dom; string disk; u64 size; u32 flags}` → void.
    DOMAIN_BLOCK_RESIZE = 251,
    /// `{dom; string disk; params<32>; u32 flags}` → void (layout in [`crate::tuning`]).
    DOMAIN_SET_BLOCK_IO_TUNE = 252,
    /// `{dom; remote_string disk; int nparams; u32 flags}` → `{params<32>; int nparams}`
    /// (layout in [`crate::tuning`]).
    DOMAIN_GET_BLOCK_IO_TUNE = 253,
    /// `{dom; params<16>; u32 flags}` → void (layout in [`crate::tuning`]).
    DOMAIN_SET_NUMA_PARAMETERS = 254,
    /// `{dom; int nparams; u32 flags}` → `{params<16>; int nparams}` (layout in
    /// [`crate::tuning`]).
    DOMAIN_GET_NUMA_PARAMETERS = 255,
    /// `{dom; string device; params<16>; u32 flags}` → void (layout in
    /// [`crate::tuning`]).
    DOMAIN_SET_INTERFACE_PARAMETERS = 256,
    /// `{dom; string device; int nparams; u32 flags}` → `{params<16>; int nparams}`
    /// (layout in [`crate::tuning`]).
    DOMAIN_GET_INTERFACE_PARAMETERS = 257,
    /// `{dom; u32 flags}` → void.
    DOMAIN_SHUTDOWN_FLAGS = 258,
    /// Carries `virStorageVolWipePattern` (layout in [`crate::types`]).
    STORAGE_VOL_WIPE_PATTERN = 259,
    /// Carries `virStorageVolResize` (layout in [`crate::types`]).
    STORAGE_VOL_RESIZE = 260,
    /// `{dom; u32 target; u64 duration; u32 flags}` → void (layout in
    /// [`crate::control`]).
    DOMAIN_PM_SUSPEND_FOR_DURATION = 261,
    /// `{dom; u32 nparams; int start_cpu; u32 ncpus; u32 flags}` → `{params<>; int nparams}`.
    DOMAIN_GET_CPU_STATS = 262,
    /// `{dom; u32 maxerrors; u32 flags}` → `{disk_error errors<>; int nerrors}`.
    DOMAIN_GET_DISK_ERRORS = 263,
    /// `{dom; int type; string? metadata, key, uri; u32 flags}` → void.
    DOMAIN_SET_METADATA = 264,
    /// `{dom; int type; string? uri; u32 flags}` → `{string metadata}`.
    DOMAIN_GET_METADATA = 265,
    /// `{dom; path; string? base; u64 bandwidth; u32 flags}` → void (layout in
    /// [`crate::monitoring`]).
    DOMAIN_BLOCK_REBASE = 266,
    /// `{dom; u32 flags}` → void: wake a guest suspended to RAM.
    DOMAIN_PM_WAKEUP = 267,
    /// `{snap; u32 flags}` → `{int current}`.
    DOMAIN_SNAPSHOT_IS_CURRENT = 271,
    /// `{snap; u32 flags}` → `{int metadata}`.
    DOMAIN_SNAPSHOT_HAS_METADATA = 272,
    /// `{int need_results; u32 flags}` → `{dom domains<>; u32 ret}`.
    CONNECT_LIST_ALL_DOMAINS = 273,
    /// `{dom; int need_results; u32 flags}` → `{snap snapshots<>; int ret}`.
    DOMAIN_LIST_ALL_SNAPSHOTS = 274,
    /// `{snap; int need_results; u32 flags}` → `{snap snapshots<>; int ret}`.
    DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN = 275,
    /// `{dom; u32 flags}` → `{string hostname}`.
    DOMAIN_GET_HOSTNAME = 277,
    /// `{dom}` → `{labels<64>; int ret}` (layout in [`crate::monitoring`]).
    DOMAIN_GET_SECURITY_LABEL_LIST = 278,
    /// `{dom; opaque cpumap; u32 flags}` → void.
    DOMAIN_PIN_EMULATOR = 279,
    /// `{dom; int maplen; u32 flags}` → `{opaque cpumaps<>; int ret}`.
    DOMAIN_GET_EMULATOR_PIN_INFO = 280,
    /// Carries `virConnectListAllStoragePools` (layout in [`crate::types`]).
    CONNECT_LIST_ALL_STORAGE_POOLS = 281,
    /// Carries `virStoragePoolListAllVolumes` (layout in [`crate::types`]).
    STORAGE_POOL_LIST_ALL_VOLUMES = 282,
    /// Carries `virConnectListAllNetworks` (layout in [`crate::types`]).
    CONNECT_LIST_ALL_NETWORKS = 283,
    /// Carries `virConnectListAllInterfaces` (layout in [`crate::types`]).
    CONNECT_LIST_ALL_INTERFACES = 284,
    /// Carries `virConnectListAllNodeDevices` (layout in [`crate::types`]).
    CONNECT_LIST_ALL_NODE_DEVICES = 285,
    /// Carries `virConnectListAllNWFilters` (layout in [`crate::types`]).
    CONNECT_LIST_ALL_NWFILTERS = 286,
    /// Carries `virConnectListAllSecrets` (layout in [`crate::types`]).
    CONNECT_LIST_ALL_SECRETS = 287,
    /// `{int nparams; u32 flags}` → `{params<64>; int nparams}` (layout in
    /// [`crate::monitoring`]).
    NODE_GET_MEMORY_PARAMETERS = 289,
    /// `{dom; disk; string? base; string? top; u64 bandwidth; u32 flags}` → void (layout
    /// in [`crate::monitoring`]).
    DOMAIN_BLOCK_COMMIT = 290,
    /// Carries `virNetworkUpdate` (layout in [`crate::types`]).
    NETWORK_UPDATE = 291,
    /// `{int need_map; int need_online; u32 flags}` → `{opaque cpumap<>; u32 online; int ret}`.
    NODE_GET_CPU_MAP = 293,
    /// `{dom; remote_string mountPoint; u64 minimum; u32 flags}` → void.
    DOMAIN_FSTRIM = 294,
    /// `{dom; i64 pid_value; u32 signum; u32 flags}` → void.
    DOMAIN_SEND_PROCESS_SIGNAL = 295,
    /// `{dom; string? name; u32 flags}` → void, then a stream of the channel (layout as
    /// DOMAIN_OPEN_CONSOLE's, in [`crate::console`]).
    DOMAIN_OPEN_CHANNEL = 296,
    /// Carries `virNodeDeviceLookupSCSIHostByWWN` (layout in [`crate::types`]).
    NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN = 297,
    /// `{dom; u32 flags}` → `{int type; params<64>}` (layout in [`crate::monitoring`]).
    DOMAIN_GET_JOB_STATS = 298,
    /// `{dom; u32 flags}` → `{u64 cacheSize}` (layout in [`crate::monitoring`]).
    DOMAIN_MIGRATE_GET_COMPRESSION_CACHE = 299,
    /// `{dom; u64 cacheSize; u32 flags}` → void (layout in [`crate::monitoring`]).
    DOMAIN_MIGRATE_SET_COMPRESSION_CACHE = 300,
    /// Carries `virNodeDeviceDetachFlags` (layout in [`crate::types`]).
    NODE_DEVICE_DETACH_FLAGS = 301,
    /// Migration v3 with typed parameters, source's first step (layouts of 302-307 in
    /// [`crate::migration`]).
    DOMAIN_MIGRATE_BEGIN3_PARAMS = 302,
    /// Migration v3 with typed parameters, destination's first step.
    DOMAIN_MIGRATE_PREPARE3_PARAMS = 303,
    /// Migration v3 with typed parameters, the source sends the guest (or, peer to
    /// peer, runs the whole migration).
    DOMAIN_MIGRATE_PERFORM3_PARAMS = 305,
    /// Migration v3 with typed parameters, the destination ends its side.
    DOMAIN_MIGRATE_FINISH3_PARAMS = 306,
    /// Migration v3 with typed parameters, the source ends its side.
    DOMAIN_MIGRATE_CONFIRM3_PARAMS = 307,
    /// `{dom; int period; u32 flags}` → void.
    DOMAIN_SET_MEMORY_STATS_PERIOD = 308,
    /// `{string arch; int need_results; u32 flags}` → `{string models<8192>; int ret}`
    /// (layout in [`crate::monitoring`]).
    CONNECT_GET_CPU_MODEL_NAMES = 312,
    /// Carries `virConnectNetworkEventRegisterAny` (layout in [`crate::types`]).
    CONNECT_NETWORK_EVENT_REGISTER_ANY = 313,
    /// Carries `virConnectNetworkEventDeregisterAny` (layout in [`crate::types`]).
    CONNECT_NETWORK_EVENT_DEREGISTER_ANY = 314,
    /// Network lifecycle event MESSAGE `{int callbackID; net; int event; int detail}`.
    NETWORK_EVENT_LIFECYCLE = 315,
    /// `{int eventID; remote_domain dom}` → `{int callbackID}`.
    CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY = 316,
    /// `{int callbackID}` → void.
    CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY = 317,
    /// Lifecycle event MESSAGE `{int callbackID; {dom; int event; int detail}}`.
    DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318,
    /// `{dom; to; u32 format; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_CORE_DUMP_WITH_FORMAT = 334,
    /// `{dom; string mountpoints<256>; u32 flags}` → `{int filesystems}`.
    DOMAIN_FSFREEZE = 335,
    /// `{dom; string mountpoints<256>; u32 flags}` → `{int filesystems}`.
    DOMAIN_FSTHAW = 336,
    /// `{dom; u32 flags}` → `{hyper seconds; u32 nseconds}`.
    DOMAIN_GET_TIME = 337,
    /// `{dom; hyper seconds; u32 nseconds; u32 flags}` → void.
    DOMAIN_SET_TIME = 338,
    /// `{pages<>; int start; u32 count; u32 flags}` → `{counts<>}` (layout in
    /// [`crate::monitoring`]).
    NODE_GET_FREE_PAGES = 340,
    /// Carries `virNetworkGetDHCPLeases` (layout in [`crate::types`]).
    NETWORK_GET_DHCP_LEASES = 341,
    /// `{string? emulatorbin, arch, machine, virttype; u32 flags}` → `{string capabilities}`.
    CONNECT_GET_DOMAIN_CAPABILITIES = 342,
    /// `{dom; u32 idx; u32 flags}` → void, a REPLY_WITH_FDS carrying one socket
    /// connected to the domain's graphics server (see [`crate::console`]).
    DOMAIN_OPEN_GRAPHICS_FD = 343,
    /// `{dom doms<>; u32 stats; u32 flags}` → `{stats_record retStats<>}`.
    CONNECT_GET_ALL_DOMAIN_STATS = 344,
    /// `{dom; path; string destxml; params<>; u32 flags}` → void (layout in
    /// [`crate::monitoring`]).
    DOMAIN_BLOCK_COPY = 345,
    /// `{dom; u32 flags}` → `{fsinfo info<>; u32 ret}`.
    DOMAIN_GET_FSINFO = 349,
    /// `{string xml; u32 flags}` → `{dom}`.
    DOMAIN_DEFINE_XML_FLAGS = 350,
    /// `{dom; u32 flags}` → `{iothread_info info<>; u32 ret}`.
    DOMAIN_GET_IOTHREAD_INFO = 351,
    /// `{dom; u32 iothreads_id; opaque cpumap<2048>; u32 flags}` → void (layout in
    /// [`crate::configuration`]).
    DOMAIN_PIN_IOTHREAD = 352,
    /// `{dom; u32 source; u32 flags}` → `{interface ifaces<>}`.
    DOMAIN_INTERFACE_ADDRESSES = 353,
    /// `{dom; u32 iothread_id; u32 flags}` → void (layout in [`crate::configuration`]).
    DOMAIN_ADD_IOTHREAD = 355,
    /// `{dom; u32 iothread_id; u32 flags}` → void.
    DOMAIN_DEL_IOTHREAD = 356,
    /// `{dom; string? user; string? password; u32 flags}` → void.
    DOMAIN_SET_USER_PASSWORD = 357,
    /// `{dom; remote_string new_name; u32 flags}` → `{int retcode}`.
    DOMAIN_RENAME = 358,
    /// void → void.
    CONNECT_REGISTER_CLOSE_CALLBACK = 360,
    /// void → void.
    CONNECT_UNREGISTER_CLOSE_CALLBACK = 361,
    /// Connection-closed MESSAGE `{int reason}`.
    CONNECT_EVENT_CONNECTION_CLOSED = 362,
    /// `{dom; u32 flags}` → void: a running migration switches to post-copy.
    DOMAIN_MIGRATE_START_POST_COPY = 364,
    /// `{dom; u32 flags}` → `{params<64>}` (layout in [`crate::tuning`]).
    DOMAIN_GET_PERF_EVENTS = 365,
    /// `{dom; params<64>; u32 flags}` → void (layout in [`crate::tuning`]).
    DOMAIN_SET_PERF_EVENTS = 366,
    /// Carries `virConnectStoragePoolEventRegisterAny` (layout in [`crate::types`]).
    CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY = 368,
    /// Carries `virConnectStoragePoolEventDeregisterAny` (layout in [`crate::types`]).
    CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY = 369,
    /// Storage pool lifecycle event MESSAGE `{int callbackID; pool; int event; int detail}`.
    STORAGE_POOL_EVENT_LIFECYCLE = 370,
    /// `{dom; u32 flags}` → `{params<>}` (layout in [`crate::control`]).
    DOMAIN_GET_GUEST_VCPUS = 371,
    /// `{dom; string cpumap; int state; u32 flags}` → void (layout in
    /// [`crate::control`]).
    DOMAIN_SET_GUEST_VCPUS = 372,
    /// Storage pool refresh event MESSAGE `{int callbackID; pool}`.
    STORAGE_POOL_EVENT_REFRESH = 373,
    /// Carries `virConnectNodeDeviceEventRegisterAny` (layout in [`crate::types`]).
    CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY = 374,
    /// Carries `virConnectNodeDeviceEventDeregisterAny` (layout in [`crate::types`]).
    CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY = 375,
    /// Node device lifecycle event MESSAGE `{int callbackID; dev; int event; int detail}`.
    NODE_DEVICE_EVENT_LIFECYCLE = 376,
    /// Node device update event MESSAGE `{int callbackID; dev}`.
    NODE_DEVICE_EVENT_UPDATE = 377,
    /// Carries `virStorageVolGetInfoFlags` (layout in [`crate::types`]).
    STORAGE_VOL_GET_INFO_FLAGS = 378,
    /// Carries `virConnectSecretEventRegisterAny` (layout in [`crate::types`]).
    CONNECT_SECRET_EVENT_REGISTER_ANY = 380,
    /// Carries `virConnectSecretEventDeregisterAny` (layout in [`crate::types`]).
    CONNECT_SECRET_EVENT_DEREGISTER_ANY = 381,
    /// Secret lifecycle event MESSAGE `{int callbackID; secret; int event; int detail}`.
    SECRET_EVENT_LIFECYCLE = 382,
    /// Secret value-changed event MESSAGE `{int callbackID; secret}`.
    SECRET_EVENT_VALUE_CHANGED = 383,
    /// `{dom; string dev; u64 threshold; u32 flags}` → void (layout in
    /// [`crate::monitoring`]).
    DOMAIN_SET_BLOCK_THRESHOLD = 386,
    /// `{dom; u32 flags}` → `{u64 downtime}` (layout in [`crate::monitoring`]).
    DOMAIN_MIGRATE_GET_MAX_DOWNTIME = 387,
    /// `{dom; u32 flags}` → `{xml}` (layout in [`crate::save`]).
    DOMAIN_MANAGED_SAVE_GET_XML_DESC = 388,
    /// `{dom; string? dxml; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_MANAGED_SAVE_DEFINE_XML = 389,
    /// `{dom; u32 type; u32 action; u32 flags}` → void (layout in
    /// [`crate::configuration`]).
    DOMAIN_SET_LIFECYCLE_ACTION = 390,
    /// Carries `virStoragePoolLookupByTargetPath` (layout in [`crate::types`]).
    STORAGE_POOL_LOOKUP_BY_TARGET_PATH = 391,
    /// `{dom; alias; u32 flags}` → void (layout in [`crate::configuration`]).
    DOMAIN_DETACH_DEVICE_ALIAS = 392,
    /// `{int nparams; u32 flags}` → `{params<64>; int nparams}` (layout in
    /// [`crate::monitoring`]).
    NODE_GET_SEV_INFO = 395,
    /// `{dom; u32 flags}` → `{params<64>}` (layout in [`crate::monitoring`]).
    DOMAIN_GET_LAUNCH_SECURITY_INFO = 396,
    /// Carries `virNWFilterBindingLookupByPortDev` (layout in [`crate::types`]).
    NWFILTER_BINDING_LOOKUP_BY_PORT_DEV = 397,
    /// Carries `virNWFilterBindingGetXMLDesc` (layout in [`crate::types`]).
    NWFILTER_BINDING_GET_XML_DESC = 398,
    /// Carries `virNWFilterBindingCreateXML` (layout in [`crate::types`]).
    NWFILTER_BINDING_CREATE_XML = 399,
    /// Carries `virNWFilterBindingDelete` (layout in [`crate::types`]).
    NWFILTER_BINDING_DELETE = 400,
    /// Carries `virConnectListAllNWFilterBindings` (layout in [`crate::types`]).
    CONNECT_LIST_ALL_NWFILTER_BINDINGS = 401,
    /// `{dom; u32 iothread_id; params<>; u32 flags}` → void (layout in
    /// [`crate::configuration`]).
    DOMAIN_SET_IOTHREAD_PARAMS = 402,
    /// Carries `virConnectGetStoragePoolCapabilities` (layout in [`crate::types`]).
    CONNECT_GET_STORAGE_POOL_CAPABILITIES = 403,
    /// Carries `virNetworkListAllPorts` (layout in [`crate::types`]).
    NETWORK_LIST_ALL_PORTS = 404,
    /// Carries `virNetworkPortLookupByUUID` (layout in [`crate::types`]).
    NETWORK_PORT_LOOKUP_BY_UUID = 405,
    /// Carries `virNetworkPortCreateXML` (layout in [`crate::types`]).
    NETWORK_PORT_CREATE_XML = 406,
    /// Carries `virNetworkPortGetParameters` (layout in [`crate::types`]).
    NETWORK_PORT_GET_PARAMETERS = 407,
    /// Carries `virNetworkPortSetParameters` (layout in [`crate::types`]).
    NETWORK_PORT_SET_PARAMETERS = 408,
    /// Carries `virNetworkPortGetXMLDesc` (layout in [`crate::types`]).
    NETWORK_PORT_GET_XML_DESC = 409,
    /// Carries `virNetworkPortDelete` (layout in [`crate::types`]).
    NETWORK_PORT_DELETE = 410,
    /// `{dom; string xml; u32 flags}` → `{checkpoint}`.
    DOMAIN_CHECKPOINT_CREATE_XML = 411,
    /// `{checkpoint; u32 flags}` → `{string xml}`.
    DOMAIN_CHECKPOINT_GET_XML_DESC = 412,
    /// `{dom; int need_results; u32 flags}` → `{checkpoint checkpoints<>; int ret}`.
    DOMAIN_LIST_ALL_CHECKPOINTS = 413,
    /// `{checkpoint; int need_results; u32 flags}` → `{checkpoint checkpoints<>; int ret}`.
    DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN = 414,
    /// `{dom; string name; u32 flags}` → `{checkpoint}`.
    DOMAIN_CHECKPOINT_LOOKUP_BY_NAME = 415,
    /// `{checkpoint; u32 flags}` → `{checkpoint parent}`.
    DOMAIN_CHECKPOINT_GET_PARENT = 416,
    /// `{checkpoint; u32 flags}` → void.
    DOMAIN_CHECKPOINT_DELETE = 417,
    /// `{dom; u32 types; u32 flags}` → `{typed_param params<2048>}`.
    DOMAIN_GET_GUEST_INFO = 418,
    /// `{dom; i32 timeout; u32 flags}` → `{i32 result}`.
    DOMAIN_AGENT_SET_RESPONSE_TIMEOUT = 420,
    /// `{dom; string user; u32 flags}` → `{string keys<>}` (layout in
    /// [`crate::control`]).
    DOMAIN_AUTHORIZED_SSH_KEYS_GET = 424,
    /// `{dom; string user; string keys<>; u32 flags}` → void (layout in
    /// [`crate::control`]).
    DOMAIN_AUTHORIZED_SSH_KEYS_SET = 425,
    /// `{dom; u32 flags}` → `{string msgs<>}`.
    DOMAIN_GET_MESSAGES = 426,
    /// `{dom; int seconds; u32 flags}` → void (layout in [`crate::monitoring`]).
    DOMAIN_START_DIRTY_RATE_CALC = 427,
    /// Carries `virNodeDeviceDefineXML` (layout in [`crate::types`]).
    NODE_DEVICE_DEFINE_XML = 428,
    /// Carries `virNodeDeviceUndefine` (layout in [`crate::types`]).
    NODE_DEVICE_UNDEFINE = 429,
    /// Carries `virNodeDeviceCreate` (layout in [`crate::types`]).
    NODE_DEVICE_CREATE = 430,
    /// Carries `virNWFilterDefineXMLFlags` (layout in [`crate::types`]).
    NWFILTER_DEFINE_XML_FLAGS = 431,
    /// Carries `virNetworkDefineXMLFlags` (layout in [`crate::types`]).
    NETWORK_DEFINE_XML_FLAGS = 432,
    /// Carries `virNodeDeviceGetAutostart` (layout in [`crate::types`]).
    NODE_DEVICE_GET_AUTOSTART = 433,
    /// Carries `virNodeDeviceSetAutostart` (layout in [`crate::types`]).
    NODE_DEVICE_SET_AUTOSTART = 434,
    /// Carries `virNodeDeviceIsPersistent` (layout in [`crate::types`]).
    NODE_DEVICE_IS_PERSISTENT = 435,
    /// Carries `virNodeDeviceIsActive` (layout in [`crate::types`]).
    NODE_DEVICE_IS_ACTIVE = 436,
    /// Carries `virNetworkCreateXMLFlags` (layout in [`crate::types`]).
    NETWORK_CREATE_XML_FLAGS = 437,
    /// `{dom; params<>; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_SAVE_PARAMS = 440,
    /// `{params<>; u32 flags}` → void (layout in [`crate::save`]).
    DOMAIN_RESTORE_PARAMS = 441,
    /// `{dom; u32 flags}` → void (layout in [`crate::types`]).
    DOMAIN_ABORT_JOB_FLAGS = 442,
}

/// libvirt's name (without `REMOTE_PROC_`) of a REMOTE procedure number, if it is
/// in this table.
///
/// ```
/// assert_eq!(rvirt_rpc::procs::name(273), Some("CONNECT_LIST_ALL_DOMAINS"));
/// assert_eq!(rvirt_rpc::procs::name(10_000), None);
/// ```
pub fn name(number: i32) -> Option<&'static str> {
    PROCEDURES
        .binary_search_by_key(&number, |&(n, _)| n)
        .ok()
        .map(|i| PROCEDURES[i].1)
}

/// The number of a procedure given its name (with or without the `REMOTE_PROC_`
/// prefix).
pub fn number(name: &str) -> Option<i32> {
    let name = name.strip_prefix("REMOTE_PROC_").unwrap_or(name);
    PROCEDURES
        .iter()
        .find(|&&(_, n)| n == name)
        .map(|&(num, _)| num)
}

/// Procedures of the KEEPALIVE program.
pub mod keepalive {
    /// Ping; the peer must answer [`PONG`]. MESSAGE, serial 0, empty payload.
    pub const PING: i32 = 1;
    /// Answer to [`PING`]. MESSAGE, serial 0, empty payload.
    pub const PONG: i32 = 2;
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_sorted_and_unique() {
        assert!(super::PROCEDURES.windows(2).all(|w| w[0].0 < w[1].0));
        for &(num, name) in super::PROCEDURES {
            assert_eq!(super::name(num), Some(name));
            assert_eq!(super::number(name), Some(num));
        }
        assert_eq!(super::number("REMOTE_PROC_CONNECT_OPEN"), Some(1));
    }
}

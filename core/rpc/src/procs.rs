//! Procedure numbers of the REMOTE program (`remote_procedure`) used by rvirt.
//!
//! Numbers are permanent in libvirt; the set here is the one virsh 9 and
//! python3-libvirt 9 use for connection setup, domain lookup/listing/lifecycle and
//! events. Unknown numbers must be answered with "unknown procedure: N"
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
    /// void → node info.
    NODE_GET_INFO = 6,
    /// void → `{string capabilities}`.
    CONNECT_GET_CAPABILITIES = 7,
    /// `{dom}` → void.
    DOMAIN_CREATE = 9,
    /// `{string xml_desc; u32 flags}` → `{dom}`.
    DOMAIN_CREATE_XML = 10,
    /// `{string xml}` → `{dom}`.
    DOMAIN_DEFINE_XML = 11,
    /// `{dom}` → void.
    DOMAIN_DESTROY = 12,
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
    /// `{dom; u32 flags}` → void.
    DOMAIN_REBOOT = 27,
    /// `{dom}` → void.
    DOMAIN_RESUME = 28,
    /// `{dom; int autostart}` → void.
    DOMAIN_SET_AUTOSTART = 29,
    /// `{dom}` → void.
    DOMAIN_SHUTDOWN = 33,
    /// `{dom}` → void.
    DOMAIN_SUSPEND = 34,
    /// `{dom}` → void.
    DOMAIN_UNDEFINE = 35,
    /// `{int maxids}` → `{int ids<>}`.
    CONNECT_LIST_DOMAINS = 37,
    /// void → `{int num}`.
    CONNECT_NUM_OF_DOMAINS = 51,
    /// `{dom}` → `{string type; int nparams}`.
    DOMAIN_GET_SCHEDULER_TYPE = 56,
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
    /// `{int startCell; int maxcells}` → `{u64 cells<>}`.
    NODE_GET_CELLS_FREE_MEMORY = 101,
    /// void → `{u64 freeMem}`.
    NODE_GET_FREE_MEMORY = 102,
    /// Legacy lifecycle event MESSAGE `{dom; int event; int detail}`.
    DOMAIN_EVENT_LIFECYCLE = 107,
    /// void → `{string uri}`.
    CONNECT_GET_URI = 110,
    /// `{dom}` → `{char label<>; int enforcing}`.
    DOMAIN_GET_SECURITY_LABEL = 121,
    /// void → `{char model<>; char doi<>}`.
    NODE_GET_SECURITY_MODEL = 122,
    /// void → `{int secure}`.
    CONNECT_IS_SECURE = 149,
    /// `{dom}` → `{int active}`.
    DOMAIN_IS_ACTIVE = 150,
    /// `{dom}` → `{int persistent}`.
    DOMAIN_IS_PERSISTENT = 151,
    /// void → `{u64 lib_ver}`.
    CONNECT_GET_LIB_VERSION = 157,
    /// `{dom; u32 maxStats; u32 flags}` → `{memory_stat stats<>}`.
    DOMAIN_MEMORY_STATS = 159,
    /// Legacy event registration `{int eventID}` → void.
    CONNECT_DOMAIN_EVENT_REGISTER_ANY = 167,
    /// Legacy event deregistration `{int eventID}` → void.
    CONNECT_DOMAIN_EVENT_DEREGISTER_ANY = 168,
    /// `{dom; u32 flags}` → `{int result}`.
    DOMAIN_HAS_MANAGED_SAVE_IMAGE = 183,
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
    /// `{dom; u32 flags}` → `{int num}`.
    DOMAIN_GET_VCPUS_FLAGS = 200,
    /// `{dom; u32 flags}` → `{int state; int reason}`.
    DOMAIN_GET_STATE = 212,
    /// `{dom; u32 flags}` → `{u32 state, details; u64 stateTime}`.
    DOMAIN_GET_CONTROL_INFO = 229,
    /// `{dom; int ncpumaps; int maplen; u32 flags}` → `{opaque cpumaps<>; int num}`.
    DOMAIN_GET_VCPU_PIN_INFO = 230,
    /// `{dom; u32 flags}` → void.
    DOMAIN_UNDEFINE_FLAGS = 231,
    /// `{dom; u32 flags}` → void.
    DOMAIN_DESTROY_FLAGS = 234,
    /// `{snap; u32 flags}` → `{snap}`.
    DOMAIN_SNAPSHOT_GET_PARENT = 244,
    /// `{snap; u32 flags}` → `{int num}`.
    DOMAIN_SNAPSHOT_NUM_CHILDREN = 246,
    /// `{snap; int maxnames; u32 flags}` → `{string names<>}`.
    DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES = 247,
    /// `{dom; u32 flags}` → void.
    DOMAIN_SHUTDOWN_FLAGS = 258,
    /// `{dom; u32 nparams; int start_cpu; u32 ncpus; u32 flags}` → `{params<>; int nparams}`.
    DOMAIN_GET_CPU_STATS = 262,
    /// `{dom; u32 maxerrors; u32 flags}` → `{disk_error errors<>; int nerrors}`.
    DOMAIN_GET_DISK_ERRORS = 263,
    /// `{dom; int type; string? metadata, key, uri; u32 flags}` → void.
    DOMAIN_SET_METADATA = 264,
    /// `{dom; int type; string? uri; u32 flags}` → `{string metadata}`.
    DOMAIN_GET_METADATA = 265,
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
    /// `{dom; int maplen; u32 flags}` → `{opaque cpumaps<>; int ret}`.
    DOMAIN_GET_EMULATOR_PIN_INFO = 280,
    /// `{int need_map; int need_online; u32 flags}` → `{opaque cpumap<>; u32 online; int ret}`.
    NODE_GET_CPU_MAP = 293,
    /// `{int eventID; remote_domain dom}` → `{int callbackID}`.
    CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY = 316,
    /// `{int callbackID}` → void.
    CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY = 317,
    /// Lifecycle event MESSAGE `{int callbackID; {dom; int event; int detail}}`.
    DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318,
    /// `{dom; u32 flags}` → `{hyper seconds; u32 nseconds}`.
    DOMAIN_GET_TIME = 337,
    /// `{dom doms<>; u32 stats; u32 flags}` → `{stats_record retStats<>}`.
    CONNECT_GET_ALL_DOMAIN_STATS = 344,
    /// `{dom; u32 flags}` → `{fsinfo info<>; u32 ret}`.
    DOMAIN_GET_FSINFO = 349,
    /// `{string xml; u32 flags}` → `{dom}`.
    DOMAIN_DEFINE_XML_FLAGS = 350,
    /// `{dom; u32 flags}` → `{iothread_info info<>; u32 ret}`.
    DOMAIN_GET_IOTHREAD_INFO = 351,
    /// `{dom; u32 source; u32 flags}` → `{interface ifaces<>}`.
    DOMAIN_INTERFACE_ADDRESSES = 353,
    /// void → void.
    CONNECT_REGISTER_CLOSE_CALLBACK = 360,
    /// void → void.
    CONNECT_UNREGISTER_CLOSE_CALLBACK = 361,
    /// Connection-closed MESSAGE `{int reason}`.
    CONNECT_EVENT_CONNECTION_CLOSED = 362,
    /// `{dom; u32 flags}` → `{string msgs<>}`.
    DOMAIN_GET_MESSAGES = 426,
}

/// libvirt's name (without `REMOTE_PROC_`) of a REMOTE procedure number, if it is
/// in this table.
///
/// ```
/// assert_eq!(rvirt_rpc::procs::name(273), Some("CONNECT_LIST_ALL_DOMAINS"));
/// assert_eq!(rvirt_rpc::procs::name(5), None);
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

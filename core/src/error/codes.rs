//! libvirt's error numbers, domains and levels, with identical values and libvirt's
//! descriptions of each number.

/// Defines a fieldless `#[repr(i32)]` enum together with its raw-number conversions
/// and a table of every variant.
macro_rules! raw_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal $(=> $text:literal)?,
            )*
        }
    ) => {
        $(#[$meta])*
        #[repr(i32)]
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant = $value,
            )*
        }

        impl $name {
            /// Every variant, in increasing numeric order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Converts a raw libvirt number into a variant; `None` if the number is
            /// unknown (for example one added by a newer libvirt).
            pub const fn from_raw(raw: i32) -> Option<Self> {
                match raw {
                    $($value => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The raw libvirt number of this variant.
            pub const fn as_raw(self) -> i32 {
                self as i32
            }
        }

        impl From<$name> for i32 {
            fn from(v: $name) -> i32 {
                v.as_raw()
            }
        }

        impl TryFrom<i32> for $name {
            type Error = i32;

            /// Fails with the unchanged number if it is not known.
            fn try_from(raw: i32) -> std::result::Result<Self, i32> {
                Self::from_raw(raw).ok_or(raw)
            }
        }

        raw_enum!(@text $name { $($variant $(=> $text)?,)* });
    };
    (@text $name:ident { $($variant:ident,)* }) => {};
    (@text $name:ident { $($variant:ident => $text:literal,)* }) => {
        impl $name {
            /// A short description of this class of failure, used as the prefix
            /// of [`Error`]'s `Display` output.
            pub const fn description(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

raw_enum! {
    /// What went wrong: libvirt's `virErrorNumber`, with identical numbers.
    ///
    /// The `War*` variants are libvirt's `VIR_WAR_*` warnings, which share the same
    /// number space.
    pub enum ErrorCode {
        /// No error; success. (`VIR_ERR_OK`)
        Ok = 0 => "no error",
        /// A bug or unexpected state inside the library or a driver. (`VIR_ERR_INTERNAL_ERROR`)
        InternalError = 1 => "internal error",
        /// An allocation failed. (`VIR_ERR_NO_MEMORY`)
        NoMemory = 2 => "out of memory",
        /// The driver behind the connection does not implement this API. (`VIR_ERR_NO_SUPPORT`)
        NoSupport = 3 => "this function is not supported by the connection driver",
        /// A host name could not be resolved. (`VIR_ERR_UNKNOWN_HOST`)
        UnknownHost = 4 => "unknown host",
        /// No hypervisor connection could be established for the URI. (`VIR_ERR_NO_CONNECT`)
        NoConnect = 5 => "failed to connect to the hypervisor",
        /// The connection handle is not valid. (`VIR_ERR_INVALID_CONN`)
        InvalidConn = 6 => "invalid connection object",
        /// The domain handle is not valid. (`VIR_ERR_INVALID_DOMAIN`)
        InvalidDomain = 7 => "invalid domain object",
        /// A caller-supplied argument is malformed or out of range. (`VIR_ERR_INVALID_ARG`)
        InvalidArg = 8 => "invalid argument",
        /// A command sent to the hypervisor did not succeed. (`VIR_ERR_OPERATION_FAILED`)
        OperationFailed = 9 => "operation failed",
        /// An HTTP GET request did not succeed (legacy Xen). (`VIR_ERR_GET_FAILED`)
        GetFailed = 10 => "HTTP GET request failed",
        /// An HTTP POST request did not succeed (legacy Xen). (`VIR_ERR_POST_FAILED`)
        PostFailed = 11 => "HTTP POST request failed",
        /// An HTTP reply carried an unexpected status (legacy Xen). (`VIR_ERR_HTTP_ERROR`)
        HttpError = 12 => "unexpected HTTP status",
        /// An S-expression could not be serialised (legacy Xen). (`VIR_ERR_SEXPR_SERIAL`)
        SexprSerial = 13 => "S-expression serialisation failed",
        /// The Xen hypervisor control interface could not be opened. (`VIR_ERR_NO_XEN`)
        NoXen = 14 => "cannot open the Xen hypervisor",
        /// A Xen hypercall did not succeed. (`VIR_ERR_XEN_CALL`)
        XenCall = 15 => "Xen hypercall failed",
        /// The guest OS type is not recognised. (`VIR_ERR_OS_TYPE`)
        OsType = 16 => "unknown OS type",
        /// The kernel to boot is not specified. (`VIR_ERR_NO_KERNEL`)
        NoKernel = 17 => "kernel information missing",
        /// The root device is not specified. (`VIR_ERR_NO_ROOT`)
        NoRoot = 18 => "root device information missing",
        /// A device has no source. (`VIR_ERR_NO_SOURCE`)
        NoSource = 19 => "source information missing",
        /// A device has no target. (`VIR_ERR_NO_TARGET`)
        NoTarget = 20 => "target information missing",
        /// The domain has no name. (`VIR_ERR_NO_NAME`)
        NoName = 21 => "missing name information",
        /// The domain has no OS description. (`VIR_ERR_NO_OS`)
        NoOs = 22 => "OS information missing",
        /// The domain has no device description. (`VIR_ERR_NO_DEVICE`)
        NoDevice = 23 => "device information missing",
        /// The Xen store could not be opened. (`VIR_ERR_NO_XENSTORE`)
        NoXenstore = 24 => "cannot open the Xen store",
        /// The driver table has no free slot. (`VIR_ERR_DRIVER_FULL`)
        DriverFull = 25 => "too many drivers registered",
        /// No driver could service the call (deprecated). (`VIR_ERR_CALL_FAILED`)
        CallFailed = 26 => "call not supported by any driver",
        /// An XML document is malformed or semantically wrong. (`VIR_ERR_XML_ERROR`)
        XmlError = 27 => "XML error",
        /// A domain with that identity already exists. (`VIR_ERR_DOM_EXIST`)
        DomExist = 28 => "domain already exists",
        /// The operation needs a read-write connection. (`VIR_ERR_OPERATION_DENIED`)
        OperationDenied = 29 => "operation forbidden for read-only access",
        /// A configuration file could not be opened. (`VIR_ERR_OPEN_FAILED`)
        OpenFailed = 30 => "failed to open configuration file",
        /// A configuration file could not be read. (`VIR_ERR_READ_FAILED`)
        ReadFailed = 31 => "failed to read configuration file",
        /// A configuration file could not be parsed. (`VIR_ERR_PARSE_FAILED`)
        ParseFailed = 32 => "failed to parse configuration file",
        /// A configuration file contains a syntax error. (`VIR_ERR_CONF_SYNTAX`)
        ConfSyntax = 33 => "configuration file syntax error",
        /// A configuration file could not be written. (`VIR_ERR_WRITE_FAILED`)
        WriteFailed = 34 => "failed to write configuration file",
        /// Extra detail about an XML problem. (`VIR_ERR_XML_DETAIL`)
        XmlDetail = 35 => "XML description error",
        /// The network handle is not valid. (`VIR_ERR_INVALID_NETWORK`)
        InvalidNetwork = 36 => "invalid network object",
        /// A network with that identity already exists. (`VIR_ERR_NETWORK_EXIST`)
        NetworkExist = 37 => "network already exists",
        /// A system call failed; the message carries the OS error. (`VIR_ERR_SYSTEM_ERROR`)
        SystemError = 38 => "system error",
        /// A remote procedure call failed at the protocol level. (`VIR_ERR_RPC`)
        Rpc = 39 => "RPC error",
        /// A GnuTLS call failed. (`VIR_ERR_GNUTLS_ERROR`)
        GnutlsError = 40 => "TLS error",
        /// Warning: the network driver could not start. (`VIR_WAR_NO_NETWORK`)
        WarNoNetwork = 41 => "network driver not running",
        /// No domain matches, or it vanished meanwhile. (`VIR_ERR_NO_DOMAIN`)
        NoDomain = 42 => "Domain not found",
        /// No network matches. (`VIR_ERR_NO_NETWORK`)
        NoNetwork = 43 => "Network not found",
        /// A MAC address is malformed. (`VIR_ERR_INVALID_MAC`)
        InvalidMac = 44 => "invalid MAC address",
        /// Authentication was refused. (`VIR_ERR_AUTH_FAILED`)
        AuthFailed = 45 => "authentication failed",
        /// The storage pool handle is not valid. (`VIR_ERR_INVALID_STORAGE_POOL`)
        InvalidStoragePool = 46 => "invalid storage pool object",
        /// The storage volume handle is not valid. (`VIR_ERR_INVALID_STORAGE_VOL`)
        InvalidStorageVol = 47 => "invalid storage volume object",
        /// Warning: the storage driver could not start. (`VIR_WAR_NO_STORAGE`)
        WarNoStorage = 48 => "storage driver not running",
        /// No storage pool matches. (`VIR_ERR_NO_STORAGE_POOL`)
        NoStoragePool = 49 => "Storage pool not found",
        /// No storage volume matches. (`VIR_ERR_NO_STORAGE_VOL`)
        NoStorageVol = 50 => "Storage volume not found",
        /// Warning: the node device driver could not start. (`VIR_WAR_NO_NODE`)
        WarNoNode = 51 => "node device driver not running",
        /// The node device handle is not valid. (`VIR_ERR_INVALID_NODE_DEVICE`)
        InvalidNodeDevice = 52 => "invalid node device object",
        /// No node device matches. (`VIR_ERR_NO_NODE_DEVICE`)
        NoNodeDevice = 53 => "Node device not found",
        /// The requested security model is unknown. (`VIR_ERR_NO_SECURITY_MODEL`)
        NoSecurityModel = 54 => "security model not found",
        /// The operation does not apply to the object in its current state. (`VIR_ERR_OPERATION_INVALID`)
        OperationInvalid = 55 => "Requested operation is not valid",
        /// Warning: the interface driver could not start. (`VIR_WAR_NO_INTERFACE`)
        WarNoInterface = 56 => "interface driver not running",
        /// No host interface matches. (`VIR_ERR_NO_INTERFACE`)
        NoInterface = 57 => "Interface not found",
        /// The interface handle is not valid. (`VIR_ERR_INVALID_INTERFACE`)
        InvalidInterface = 58 => "invalid interface object",
        /// A lookup matched more than one interface. (`VIR_ERR_MULTIPLE_INTERFACES`)
        MultipleInterfaces = 59 => "more than one interface matches",
        /// Warning: the network filter driver could not start. (`VIR_WAR_NO_NWFILTER`)
        WarNoNwfilter = 60 => "network filter driver not running",
        /// The network filter handle is not valid. (`VIR_ERR_INVALID_NWFILTER`)
        InvalidNwfilter = 61 => "Invalid network filter",
        /// No network filter matches. (`VIR_ERR_NO_NWFILTER`)
        NoNwfilter = 62 => "Network filter not found",
        /// Firewall rules could not be built. (`VIR_ERR_BUILD_FIREWALL`)
        BuildFirewall = 63 => "failed to build firewall rules",
        /// Warning: the secret driver could not start. (`VIR_WAR_NO_SECRET`)
        WarNoSecret = 64 => "secret driver not running",
        /// The secret handle is not valid. (`VIR_ERR_INVALID_SECRET`)
        InvalidSecret = 65 => "Invalid secret",
        /// No secret matches. (`VIR_ERR_NO_SECRET`)
        NoSecret = 66 => "Secret not found",
        /// The configuration is valid but this driver cannot honour it. (`VIR_ERR_CONFIG_UNSUPPORTED`)
        ConfigUnsupported = 67 => "unsupported configuration",
        /// The operation did not finish in time. (`VIR_ERR_OPERATION_TIMEOUT`)
        OperationTimeout = 68 => "operation timed out",
        /// Migration worked but the guest could not be made persistent on the target. (`VIR_ERR_MIGRATE_PERSIST_FAILED`)
        MigratePersistFailed = 69 => "migrated guest could not be made persistent",
        /// A synchronous hook script failed. (`VIR_ERR_HOOK_SCRIPT_FAILED`)
        HookScriptFailed = 70 => "hook script failed",
        /// The domain snapshot handle is not valid. (`VIR_ERR_INVALID_DOMAIN_SNAPSHOT`)
        InvalidDomainSnapshot = 71 => "invalid domain snapshot object",
        /// No domain snapshot matches. (`VIR_ERR_NO_DOMAIN_SNAPSHOT`)
        NoDomainSnapshot = 72 => "Domain snapshot not found",
        /// The stream handle is not valid. (`VIR_ERR_INVALID_STREAM`)
        InvalidStream = 73 => "invalid stream object",
        /// The call is valid but this driver does not accept one of its arguments. (`VIR_ERR_ARGUMENT_UNSUPPORTED`)
        ArgumentUnsupported = 74 => "argument unsupported",
        /// Probing the storage pool found nothing usable. (`VIR_ERR_STORAGE_PROBE_FAILED`)
        StorageProbeFailed = 75 => "storage pool probe failed",
        /// The storage pool has already been built. (`VIR_ERR_STORAGE_POOL_BUILT`)
        StoragePoolBuilt = 76 => "storage pool already built",
        /// Reverting to this snapshot is risky and needs the force flag. (`VIR_ERR_SNAPSHOT_REVERT_RISKY`)
        SnapshotRevertRisky = 77 => "snapshot revert requires force",
        /// The user cancelled the operation. (`VIR_ERR_OPERATION_ABORTED`)
        OperationAborted = 78 => "operation aborted",
        /// The user cancelled authentication. (`VIR_ERR_AUTH_CANCELLED`)
        AuthCancelled = 79 => "authentication cancelled",
        /// The requested metadata element is absent. (`VIR_ERR_NO_DOMAIN_METADATA`)
        NoDomainMetadata = 80 => "metadata not found",
        /// Migrating now could lose or corrupt guest data. (`VIR_ERR_MIGRATE_UNSAFE`)
        MigrateUnsafe = 81 => "Unsafe migration",
        /// A numeric value does not fit. (`VIR_ERR_OVERFLOW`)
        Overflow = 82 => "numerical overflow",
        /// A running block copy job prevents the action. (`VIR_ERR_BLOCK_COPY_ACTIVE`)
        BlockCopyActive = 83 => "block copy still active",
        /// The operation is not supported for this object or platform. (`VIR_ERR_OPERATION_UNSUPPORTED`)
        OperationUnsupported = 84 => "Operation not supported",
        /// The libssh2 transport reported an error. (`VIR_ERR_SSH`)
        Ssh = 85 => "SSH transport error",
        /// The guest agent is absent, not answering or not usable. (`VIR_ERR_AGENT_UNRESPONSIVE`)
        AgentUnresponsive = 86 => "guest agent is not responding",
        /// The resource is already in use. (`VIR_ERR_RESOURCE_BUSY`)
        ResourceBusy = 87 => "resource busy",
        /// The access control policy refused the operation. (`VIR_ERR_ACCESS_DENIED`)
        AccessDenied = 88 => "access denied",
        /// A D-Bus service reported an error. (`VIR_ERR_DBUS_SERVICE`)
        DbusService = 89 => "D-Bus service error",
        /// A storage volume with that name already exists. (`VIR_ERR_STORAGE_VOL_EXIST`)
        StorageVolExist = 90 => "storage volume already exists",
        /// The guest CPU does not fit the host CPU. (`VIR_ERR_CPU_INCOMPATIBLE`)
        CpuIncompatible = 91 => "the CPU is incompatible with the host CPU",
        /// An XML document does not validate against its schema. (`VIR_ERR_XML_INVALID_SCHEMA`)
        XmlInvalidSchema = 92 => "XML document failed schema validation",
        /// A migration finish step succeeded but, as expected, returned no domain. (`VIR_ERR_MIGRATE_FINISH_OK`)
        MigrateFinishOk = 93 => "migration finished without a domain",
        /// No authentication method is available. (`VIR_ERR_AUTH_UNAVAILABLE`)
        AuthUnavailable = 94 => "authentication unavailable",
        /// No server with that name exists (admin API). (`VIR_ERR_NO_SERVER`)
        NoServer = 95 => "server not found",
        /// No client with that id exists (admin API). (`VIR_ERR_NO_CLIENT`)
        NoClient = 96 => "client not found",
        /// The guest agent answered a sync with the wrong id (deprecated). (`VIR_ERR_AGENT_UNSYNCED`)
        AgentUnsynced = 97 => "guest agent out of sync",
        /// The libssh transport reported an error. (`VIR_ERR_LIBSSH`)
        Libssh = 98 => "libssh transport error",
        /// The requested device cannot be found. (`VIR_ERR_DEVICE_MISSING`)
        DeviceMissing = 99 => "device not found",
        /// The network filter binding handle is not valid. (`VIR_ERR_INVALID_NWFILTER_BINDING`)
        InvalidNwfilterBinding = 100 => "Invalid network filter binding",
        /// No network filter binding matches. (`VIR_ERR_NO_NWFILTER_BINDING`)
        NoNwfilterBinding = 101 => "Network filter binding not found",
        /// The domain checkpoint handle is not valid. (`VIR_ERR_INVALID_DOMAIN_CHECKPOINT`)
        InvalidDomainCheckpoint = 102 => "Invalid domain checkpoint",
        /// No domain checkpoint matches. (`VIR_ERR_NO_DOMAIN_CHECKPOINT`)
        NoDomainCheckpoint = 103 => "Domain checkpoint not found",
        /// No backup job with that id exists. (`VIR_ERR_NO_DOMAIN_BACKUP`)
        NoDomainBackup = 104 => "domain backup job not found",
        /// The network port handle is not valid. (`VIR_ERR_INVALID_NETWORK_PORT`)
        InvalidNetworkPort = 105 => "invalid network port object",
        /// A network port with that identity already exists. (`VIR_ERR_NETWORK_PORT_EXIST`)
        NetworkPortExist = 106 => "network port already exists",
        /// No network port matches. (`VIR_ERR_NO_NETWORK_PORT`)
        NoNetworkPort = 107 => "network port not found",
        /// The guest host name could not be determined. (`VIR_ERR_NO_HOSTNAME`)
        NoHostname = 108 => "no hostname found",
        /// The checkpoint cannot be used because it is inconsistent. (`VIR_ERR_CHECKPOINT_INCONSISTENT`)
        CheckpointInconsistent = 109 => "checkpoint inconsistent",
        /// A lookup matched more than one domain. (`VIR_ERR_MULTIPLE_DOMAINS`)
        MultipleDomains = 110 => "more than one domain matches",
    }
}

raw_enum! {
    /// Which subsystem raised an error: libvirt's `virErrorDomain`, with identical
    /// numbers.
    pub enum ErrorDomain {
        /// Not attributed to any subsystem. (`VIR_FROM_NONE`)
        None = 0,
        /// Xen hypervisor layer. (`VIR_FROM_XEN`)
        Xen = 1,
        /// Connection to the xend daemon. (`VIR_FROM_XEND`)
        Xend = 2,
        /// Xen store access. (`VIR_FROM_XENSTORE`)
        Xenstore = 3,
        /// S-expression handling (legacy Xen). (`VIR_FROM_SEXPR`)
        Sexpr = 4,
        /// Generic XML handling. (`VIR_FROM_XML`)
        Xml = 5,
        /// Operations on a domain. (`VIR_FROM_DOM`)
        Dom = 6,
        /// RPC layer. (`VIR_FROM_RPC`)
        Rpc = 7,
        /// Old Xen proxy (unused). (`VIR_FROM_PROXY`)
        Proxy = 8,
        /// Configuration file handling. (`VIR_FROM_CONF`)
        Conf = 9,
        /// QEMU driver. (`VIR_FROM_QEMU`)
        Qemu = 10,
        /// Operations on a network. (`VIR_FROM_NET`)
        Net = 11,
        /// Test (mock) driver. (`VIR_FROM_TEST`)
        Test = 12,
        /// Remote (client-side RPC) driver. (`VIR_FROM_REMOTE`)
        Remote = 13,
        /// OpenVZ driver. (`VIR_FROM_OPENVZ`)
        Openvz = 14,
        /// Xen XM layer. (`VIR_FROM_XENXM`)
        Xenxm = 15,
        /// Linux statistics collection. (`VIR_FROM_STATS_LINUX`)
        StatsLinux = 16,
        /// LXC (Linux container) driver. (`VIR_FROM_LXC`)
        Lxc = 17,
        /// Storage driver. (`VIR_FROM_STORAGE`)
        Storage = 18,
        /// Network configuration. (`VIR_FROM_NETWORK`)
        Network = 19,
        /// Domain configuration. (`VIR_FROM_DOMAIN`)
        Domain = 20,
        /// User-mode Linux driver (unused). (`VIR_FROM_UML`)
        Uml = 21,
        /// Node device monitor. (`VIR_FROM_NODEDEV`)
        Nodedev = 22,
        /// Xen inotify layer. (`VIR_FROM_XEN_INOTIFY`)
        XenInotify = 23,
        /// Security framework. (`VIR_FROM_SECURITY`)
        Security = 24,
        /// VirtualBox driver. (`VIR_FROM_VBOX`)
        Vbox = 25,
        /// Operations on a host interface. (`VIR_FROM_INTERFACE`)
        Interface = 26,
        /// OpenNebula driver (removed; number kept). (`VIR_FROM_ONE`)
        One = 27,
        /// VMware ESX driver. (`VIR_FROM_ESX`)
        Esx = 28,
        /// IBM PHYP driver (unused). (`VIR_FROM_PHYP`)
        Phyp = 29,
        /// Secret storage. (`VIR_FROM_SECRET`)
        Secret = 30,
        /// CPU model handling. (`VIR_FROM_CPU`)
        Cpu = 31,
        /// XenAPI driver. (`VIR_FROM_XENAPI`)
        Xenapi = 32,
        /// Network filter driver. (`VIR_FROM_NWFILTER`)
        Nwfilter = 33,
        /// Synchronous hook scripts. (`VIR_FROM_HOOK`)
        Hook = 34,
        /// Domain snapshots. (`VIR_FROM_DOMAIN_SNAPSHOT`)
        DomainSnapshot = 35,
        /// Audit subsystem. (`VIR_FROM_AUDIT`)
        Audit = 36,
        /// SMBIOS / sysinfo. (`VIR_FROM_SYSINFO`)
        Sysinfo = 37,
        /// Data streams. (`VIR_FROM_STREAMS`)
        Streams = 38,
        /// VMware Workstation/Player driver. (`VIR_FROM_VMWARE`)
        Vmware = 39,
        /// Event loop implementation. (`VIR_FROM_EVENT`)
        Event = 40,
        /// libxenlight driver. (`VIR_FROM_LIBXL`)
        Libxl = 41,
        /// Lock manager. (`VIR_FROM_LOCKING`)
        Locking = 42,
        /// Hyper-V driver. (`VIR_FROM_HYPERV`)
        Hyperv = 43,
        /// Capabilities handling. (`VIR_FROM_CAPABILITIES`)
        Capabilities = 44,
        /// URI parsing and handling. (`VIR_FROM_URI`)
        Uri = 45,
        /// Authentication handling. (`VIR_FROM_AUTH`)
        Auth = 46,
        /// D-Bus helpers. (`VIR_FROM_DBUS`)
        Dbus = 47,
        /// Parallels driver. (`VIR_FROM_PARALLELS`)
        Parallels = 48,
        /// Device helpers. (`VIR_FROM_DEVICE`)
        Device = 49,
        /// libssh2 transport. (`VIR_FROM_SSH`)
        Ssh = 50,
        /// Lockspace helpers. (`VIR_FROM_LOCKSPACE`)
        Lockspace = 51,
        /// initctl communication. (`VIR_FROM_INITCTL`)
        Initctl = 52,
        /// Identity helpers. (`VIR_FROM_IDENTITY`)
        Identity = 53,
        /// cgroup handling. (`VIR_FROM_CGROUP`)
        Cgroup = 54,
        /// Access control manager. (`VIR_FROM_ACCESS`)
        Access = 55,
        /// systemd integration. (`VIR_FROM_SYSTEMD`)
        Systemd = 56,
        /// bhyve driver. (`VIR_FROM_BHYVE`)
        Bhyve = 57,
        /// Cryptography helpers. (`VIR_FROM_CRYPTO`)
        Crypto = 58,
        /// Firewall helpers. (`VIR_FROM_FIREWALL`)
        Firewall = 59,
        /// polkit integration. (`VIR_FROM_POLKIT`)
        Polkit = 60,
        /// Thread helpers. (`VIR_FROM_THREAD`)
        Thread = 61,
        /// Administration interface. (`VIR_FROM_ADMIN`)
        Admin = 62,
        /// Log manager. (`VIR_FROM_LOGGING`)
        Logging = 63,
        /// Xen xl configuration. (`VIR_FROM_XENXL`)
        Xenxl = 64,
        /// perf event support. (`VIR_FROM_PERF`)
        Perf = 65,
        /// libssh transport. (`VIR_FROM_LIBSSH`)
        Libssh = 66,
        /// Resource control (resctrl). (`VIR_FROM_RESCTRL`)
        Resctrl = 67,
        /// firewalld integration. (`VIR_FROM_FIREWALLD`)
        Firewalld = 68,
        /// Domain checkpoints. (`VIR_FROM_DOMAIN_CHECKPOINT`)
        DomainCheckpoint = 69,
        /// TPM emulation. (`VIR_FROM_TPM`)
        Tpm = 70,
        /// BPF helpers. (`VIR_FROM_BPF`)
        Bpf = 71,
        /// Cloud Hypervisor driver. (`VIR_FROM_CH`)
        Ch = 72,
    }
}

raw_enum! {
    /// How severe an error is: libvirt's `virErrorLevel`, with identical numbers.
    pub enum ErrorLevel {
        /// No severity (`VIR_ERR_NONE`).
        None = 0,
        /// A warning; the operation may still have succeeded (`VIR_ERR_WARNING`).
        Warning = 1,
        /// A failure (`VIR_ERR_ERROR`); the level of every error rvirt creates by default.
        Error = 2,
    }
}

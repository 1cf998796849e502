//! The rows of the connection, domain, event-callback, monitoring, snapshot and
//! configuration procedures.

use rvirt_rpc::procs as p;
use rvirt_rpc_server::{Procedure, procedure};

use crate::remote::{
    Access, Session, auth as a, callbacks as cb, checkpoints as ck, configuration as cfg,
    connect as c, console as con, control as ctl, domain as d, jobs_and_host as jh,
    monitoring as m, save as sv, snapshots as sn, tuning as tu,
};

/// Their rows, in order of number.
pub(super) static ROWS: &[Procedure<Session, Access>] = &[
    procedure!(p::CONNECT_OPEN, Access::Always, c::open),
    procedure!(p::CONNECT_CLOSE, Access::Always, c::close),
    procedure!(p::CONNECT_GET_TYPE, Access::Open, c::get_type),
    procedure!(p::CONNECT_GET_VERSION, Access::Open, c::get_version),
    procedure!(p::CONNECT_GET_MAX_VCPUS, Access::Open, c::get_max_vcpus),
    procedure!(p::NODE_GET_INFO, Access::Open, c::node_get_info),
    procedure!(
        p::CONNECT_GET_CAPABILITIES,
        Access::Open,
        c::get_capabilities
    ),
    procedure!(
        p::DOMAIN_ATTACH_DEVICE,
        Access::Write("virDomainAttachDevice"),
        cfg::attach_device
    ),
    procedure!(
        p::DOMAIN_CREATE,
        Access::Write("virDomainCreate"),
        d::create
    ),
    procedure!(
        p::DOMAIN_CREATE_XML,
        Access::Write("virDomainCreateXML"),
        d::create_xml
    ),
    procedure!(
        p::DOMAIN_DEFINE_XML,
        Access::Write("virDomainDefineXML"),
        d::define_xml
    ),
    procedure!(
        p::DOMAIN_DESTROY,
        Access::Write("virDomainDestroy"),
        d::destroy
    ),
    procedure!(
        p::DOMAIN_DETACH_DEVICE,
        Access::Write("virDomainDetachDevice"),
        cfg::detach_device
    ),
    procedure!(p::DOMAIN_GET_XML_DESC, Access::Open, d::get_xml_desc),
    procedure!(p::DOMAIN_GET_AUTOSTART, Access::Open, d::get_autostart),
    procedure!(p::DOMAIN_GET_JOB_INFO, Access::Open, ctl::get_job_info),
    procedure!(
        p::DOMAIN_ABORT_JOB,
        Access::Write("virDomainAbortJob"),
        ctl::abort_job
    ),
    procedure!(
        p::DOMAIN_INJECT_NMI,
        Access::Write("virDomainInjectNMI"),
        ctl::inject_nmi
    ),
    procedure!(
        p::DOMAIN_SEND_KEY,
        Access::Write("virDomainSendKey"),
        ctl::send_key
    ),
    procedure!(
        p::DOMAIN_MIGRATE_GET_MAX_SPEED,
        Access::Write("virDomainMigrateGetMaxSpeed"),
        jh::migrate_get_max_speed
    ),
    procedure!(
        p::DOMAIN_GET_SECURITY_LABEL_LIST,
        Access::Open,
        jh::get_security_label_list
    ),
    procedure!(
        p::NODE_GET_MEMORY_PARAMETERS,
        Access::Open,
        jh::node_get_memory_parameters
    ),
    procedure!(p::DOMAIN_GET_JOB_STATS, Access::Open, jh::get_job_stats),
    procedure!(
        p::DOMAIN_MANAGED_SAVE_GET_XML_DESC,
        Access::Open,
        jh::managed_save_get_xml_desc
    ),
    procedure!(
        p::NODE_GET_SEV_INFO,
        Access::Write("virNodeGetSEVInfo"),
        jh::node_get_sev_info
    ),
    procedure!(
        p::DOMAIN_GET_GUEST_INFO,
        Access::Write("virDomainGetGuestInfo"),
        ctl::get_guest_info
    ),
    procedure!(
        p::DOMAIN_AGENT_SET_RESPONSE_TIMEOUT,
        Access::Write("virDomainAgentSetResponseTimeout"),
        ctl::agent_set_response_timeout
    ),
    procedure!(
        p::DOMAIN_SET_USER_PASSWORD,
        Access::Write("virDomainSetUserPassword"),
        ctl::set_user_password
    ),
    procedure!(
        p::DOMAIN_SET_TIME,
        Access::Write("virDomainSetTime"),
        ctl::set_time
    ),
    procedure!(
        p::DOMAIN_FSFREEZE,
        Access::Write("virDomainFSFreeze"),
        ctl::fs_freeze
    ),
    procedure!(
        p::DOMAIN_FSTHAW,
        Access::Write("virDomainFSThaw"),
        ctl::fs_thaw
    ),
    procedure!(p::NODE_GET_CPU_STATS, Access::Open, ctl::node_get_cpu_stats),
    procedure!(
        p::NODE_GET_MEMORY_STATS,
        Access::Open,
        ctl::node_get_memory_stats
    ),
    procedure!(p::DOMAIN_RESET, Access::Write("virDomainReset"), ctl::reset),
    procedure!(
        p::DOMAIN_BLOCK_RESIZE,
        Access::Write("virDomainBlockResize"),
        ctl::block_resize
    ),
    procedure!(
        p::DOMAIN_SET_AUTOSTART,
        Access::Write("virDomainSetAutostart"),
        d::set_autostart
    ),
    procedure!(p::DOMAIN_GET_INFO, Access::Open, d::get_info),
    procedure!(p::DOMAIN_GET_MAX_MEMORY, Access::Open, m::get_max_memory),
    procedure!(p::DOMAIN_GET_MAX_VCPUS, Access::Open, m::get_max_vcpus),
    procedure!(p::DOMAIN_GET_OS_TYPE, Access::Open, m::get_os_type),
    procedure!(p::DOMAIN_GET_VCPUS, Access::Open, m::get_vcpus),
    procedure!(
        p::CONNECT_LIST_DEFINED_DOMAINS,
        Access::Open,
        d::list_defined_domains
    ),
    procedure!(p::DOMAIN_LOOKUP_BY_ID, Access::Open, d::lookup_by_id),
    procedure!(p::DOMAIN_LOOKUP_BY_NAME, Access::Open, d::lookup_by_name),
    procedure!(p::DOMAIN_LOOKUP_BY_UUID, Access::Open, d::lookup_by_uuid),
    procedure!(
        p::CONNECT_NUM_OF_DEFINED_DOMAINS,
        Access::Open,
        d::num_of_defined_domains
    ),
    procedure!(
        p::DOMAIN_PIN_VCPU,
        Access::Write("virDomainPinVcpu"),
        cfg::pin_vcpu
    ),
    procedure!(
        p::DOMAIN_REBOOT,
        Access::Write("virDomainReboot"),
        d::reboot
    ),
    procedure!(
        p::DOMAIN_RESUME,
        Access::Write("virDomainResume"),
        d::resume
    ),
    procedure!(
        p::DOMAIN_SET_MAX_MEMORY,
        Access::Write("virDomainSetMaxMemory"),
        cfg::set_max_memory
    ),
    procedure!(
        p::DOMAIN_SET_MEMORY,
        Access::Write("virDomainSetMemory"),
        cfg::set_memory
    ),
    procedure!(
        p::DOMAIN_SET_VCPUS,
        Access::Write("virDomainSetVcpus"),
        cfg::set_vcpus
    ),
    procedure!(
        p::DOMAIN_SHUTDOWN,
        Access::Write("virDomainShutdown"),
        d::shutdown
    ),
    procedure!(
        p::DOMAIN_SUSPEND,
        Access::Write("virDomainSuspend"),
        d::suspend
    ),
    procedure!(
        p::DOMAIN_UNDEFINE,
        Access::Write("virDomainUndefine"),
        d::undefine
    ),
    procedure!(p::CONNECT_LIST_DOMAINS, Access::Open, d::list_domains),
    procedure!(p::CONNECT_NUM_OF_DOMAINS, Access::Open, d::num_of_domains),
    procedure!(
        p::DOMAIN_RESTORE,
        Access::Write("virDomainRestore"),
        sv::restore
    ),
    procedure!(p::DOMAIN_SAVE, Access::Write("virDomainSave"), sv::save),
    procedure!(
        p::DOMAIN_GET_SCHEDULER_TYPE,
        Access::Open,
        m::get_scheduler_type
    ),
    procedure!(
        p::DOMAIN_GET_SCHEDULER_PARAMETERS,
        Access::Open,
        tu::get_scheduler_parameters
    ),
    procedure!(
        p::DOMAIN_SET_SCHEDULER_PARAMETERS,
        Access::Write("virDomainSetSchedulerParameters"),
        tu::set_scheduler_parameters
    ),
    procedure!(
        p::DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS,
        Access::Write("virDomainSetSchedulerParametersFlags"),
        tu::set_scheduler_parameters_flags
    ),
    procedure!(
        p::DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS,
        Access::Open,
        tu::get_scheduler_parameters_flags
    ),
    procedure!(p::CONNECT_GET_HOSTNAME, Access::Open, c::get_hostname),
    procedure!(
        p::CONNECT_SUPPORTS_FEATURE,
        Access::Always,
        c::supports_feature
    ),
    procedure!(p::DOMAIN_BLOCK_STATS, Access::Open, m::block_stats),
    procedure!(p::DOMAIN_INTERFACE_STATS, Access::Open, m::interface_stats),
    procedure!(p::AUTH_LIST, Access::Unauthenticated, a::auth_list),
    procedure!(p::AUTH_POLKIT, Access::Unauthenticated, a::auth_polkit),
    procedure!(
        p::NODE_GET_CELLS_FREE_MEMORY,
        Access::Open,
        m::node_get_cells_free_memory
    ),
    procedure!(
        p::NODE_GET_FREE_MEMORY,
        Access::Open,
        m::node_get_free_memory
    ),
    procedure!(p::CONNECT_GET_URI, Access::Open, c::get_uri),
    procedure!(
        p::DOMAIN_GET_SECURITY_LABEL,
        Access::Open,
        m::get_security_label
    ),
    procedure!(
        p::NODE_GET_SECURITY_MODEL,
        Access::Open,
        m::node_get_security_model
    ),
    procedure!(p::CONNECT_IS_SECURE, Access::Always, c::is_secure),
    procedure!(p::DOMAIN_IS_ACTIVE, Access::Open, d::is_active),
    procedure!(p::DOMAIN_IS_PERSISTENT, Access::Open, d::is_persistent),
    procedure!(
        p::CONNECT_GET_LIB_VERSION,
        Access::Always,
        c::get_lib_version
    ),
    procedure!(p::DOMAIN_MEMORY_STATS, Access::Open, m::memory_stats),
    procedure!(
        p::DOMAIN_ATTACH_DEVICE_FLAGS,
        Access::Write("virDomainAttachDeviceFlags"),
        cfg::attach_device_flags
    ),
    procedure!(
        p::DOMAIN_DETACH_DEVICE_FLAGS,
        Access::Write("virDomainDetachDeviceFlags"),
        cfg::detach_device_flags
    ),
    procedure!(
        p::CONNECT_DOMAIN_EVENT_REGISTER_ANY,
        Access::Open,
        cb::legacy_register_any
    ),
    procedure!(
        p::CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
        Access::Open,
        cb::legacy_deregister_any
    ),
    procedure!(
        p::DOMAIN_UPDATE_DEVICE_FLAGS,
        Access::Write("virDomainUpdateDeviceFlags"),
        cfg::update_device_flags
    ),
    procedure!(
        p::DOMAIN_MANAGED_SAVE,
        Access::Write("virDomainManagedSave"),
        sv::managed_save
    ),
    procedure!(
        p::DOMAIN_HAS_MANAGED_SAVE_IMAGE,
        Access::Open,
        sv::has_managed_save_image
    ),
    procedure!(
        p::DOMAIN_MANAGED_SAVE_REMOVE,
        Access::Write("virDomainManagedSaveRemove"),
        sv::managed_save_remove
    ),
    procedure!(
        p::DOMAIN_SNAPSHOT_CREATE_XML,
        Access::Write("virDomainSnapshotCreateXML"),
        sn::create_xml
    ),
    procedure!(
        p::DOMAIN_SNAPSHOT_GET_XML_DESC,
        Access::Open,
        sn::get_xml_desc
    ),
    procedure!(p::DOMAIN_SNAPSHOT_NUM, Access::Open, sn::num),
    procedure!(p::DOMAIN_SNAPSHOT_LIST_NAMES, Access::Open, sn::list_names),
    procedure!(
        p::DOMAIN_SNAPSHOT_LOOKUP_BY_NAME,
        Access::Open,
        sn::lookup_by_name
    ),
    procedure!(
        p::DOMAIN_HAS_CURRENT_SNAPSHOT,
        Access::Open,
        sn::has_current
    ),
    procedure!(p::DOMAIN_SNAPSHOT_CURRENT, Access::Open, sn::current),
    procedure!(
        p::DOMAIN_REVERT_TO_SNAPSHOT,
        Access::Write("virDomainRevertToSnapshot"),
        sn::revert
    ),
    procedure!(
        p::DOMAIN_SNAPSHOT_DELETE,
        Access::Write("virDomainSnapshotDelete"),
        sn::delete
    ),
    procedure!(p::DOMAIN_GET_BLOCK_INFO, Access::Open, m::get_block_info),
    procedure!(
        p::DOMAIN_CREATE_WITH_FLAGS,
        Access::Write("virDomainCreateWithFlags"),
        d::create_with_flags
    ),
    procedure!(
        p::DOMAIN_SET_MEMORY_PARAMETERS,
        Access::Write("virDomainSetMemoryParameters"),
        tu::set_memory_parameters
    ),
    procedure!(
        p::DOMAIN_GET_MEMORY_PARAMETERS,
        Access::Open,
        tu::get_memory_parameters
    ),
    procedure!(
        p::DOMAIN_SET_VCPUS_FLAGS,
        Access::Write("virDomainSetVcpusFlags"),
        cfg::set_vcpus_flags
    ),
    procedure!(p::DOMAIN_GET_VCPUS_FLAGS, Access::Open, m::get_vcpus_flags),
    procedure!(
        p::DOMAIN_OPEN_CONSOLE,
        Access::Write("virDomainOpenConsole"),
        con::open_console
    ),
    procedure!(p::DOMAIN_IS_UPDATED, Access::Open, d::is_updated),
    procedure!(p::CONNECT_GET_SYSINFO, Access::Open, c::get_sysinfo),
    procedure!(
        p::CONNECT_GET_CPU_MODEL_NAMES,
        Access::Open,
        c::get_cpu_model_names
    ),
    procedure!(
        p::DOMAIN_MEMORY_PEEK,
        Access::Write("virDomainMemoryPeek"),
        m::memory_peek
    ),
    procedure!(
        p::DOMAIN_GET_LAUNCH_SECURITY_INFO,
        Access::Write("virDomainGetLaunchSecurityInfo"),
        m::get_launch_security_info
    ),
    procedure!(
        p::DOMAIN_ADD_IOTHREAD,
        Access::Write("virDomainAddIOThread"),
        cfg::add_iothread
    ),
    procedure!(
        p::DOMAIN_DEL_IOTHREAD,
        Access::Write("virDomainDelIOThread"),
        cfg::del_iothread
    ),
    procedure!(
        p::DOMAIN_PIN_IOTHREAD,
        Access::Write("virDomainPinIOThread"),
        cfg::pin_iothread
    ),
    procedure!(
        p::DOMAIN_SCREENSHOT,
        Access::Write("virDomainScreenshot"),
        con::screenshot
    ),
    procedure!(
        p::DOMAIN_SET_MEMORY_FLAGS,
        Access::Write("virDomainSetMemoryFlags"),
        cfg::set_memory_flags
    ),
    procedure!(
        p::DOMAIN_SET_BLOCK_IO_TUNE,
        Access::Write("virDomainSetBlockIoTune"),
        tu::set_block_io_tune
    ),
    procedure!(
        p::DOMAIN_GET_BLOCK_IO_TUNE,
        Access::Open,
        tu::get_block_io_tune
    ),
    procedure!(
        p::DOMAIN_SET_NUMA_PARAMETERS,
        Access::Write("virDomainSetNumaParameters"),
        tu::set_numa_parameters
    ),
    procedure!(
        p::DOMAIN_GET_NUMA_PARAMETERS,
        Access::Open,
        tu::get_numa_parameters
    ),
    procedure!(
        p::DOMAIN_SET_INTERFACE_PARAMETERS,
        Access::Write("virDomainSetInterfaceParameters"),
        tu::set_interface_parameters
    ),
    procedure!(
        p::DOMAIN_GET_INTERFACE_PARAMETERS,
        Access::Open,
        tu::get_interface_parameters
    ),
    procedure!(p::DOMAIN_GET_PERF_EVENTS, Access::Open, tu::get_perf_events),
    procedure!(
        p::DOMAIN_SET_PERF_EVENTS,
        Access::Write("virDomainSetPerfEvents"),
        tu::set_perf_events
    ),
    procedure!(
        p::DOMAIN_SET_LIFECYCLE_ACTION,
        Access::Write("virDomainSetLifecycleAction"),
        cfg::set_lifecycle_action
    ),
    procedure!(
        p::DOMAIN_SET_BLKIO_PARAMETERS,
        Access::Write("virDomainSetBlkioParameters"),
        tu::set_blkio_parameters
    ),
    procedure!(
        p::DOMAIN_GET_BLKIO_PARAMETERS,
        Access::Open,
        tu::get_blkio_parameters
    ),
    procedure!(p::DOMAIN_GET_STATE, Access::Open, d::get_state),
    procedure!(
        p::DOMAIN_PIN_VCPU_FLAGS,
        Access::Write("virDomainPinVcpuFlags"),
        cfg::pin_vcpu_flags
    ),
    procedure!(
        p::DOMAIN_GET_CONTROL_INFO,
        Access::Open,
        m::get_control_info
    ),
    procedure!(
        p::DOMAIN_GET_VCPU_PIN_INFO,
        Access::Open,
        m::get_vcpu_pin_info
    ),
    procedure!(
        p::DOMAIN_UNDEFINE_FLAGS,
        Access::Write("virDomainUndefineFlags"),
        d::undefine_flags
    ),
    procedure!(
        p::DOMAIN_SAVE_FLAGS,
        Access::Write("virDomainSaveFlags"),
        sv::save_flags
    ),
    procedure!(
        p::DOMAIN_RESTORE_FLAGS,
        Access::Write("virDomainRestoreFlags"),
        sv::restore_flags
    ),
    procedure!(
        p::DOMAIN_DESTROY_FLAGS,
        Access::Write("virDomainDestroyFlags"),
        d::destroy_flags
    ),
    procedure!(
        p::DOMAIN_SAVE_IMAGE_GET_XML_DESC,
        Access::Write("virDomainSaveImageGetXMLDesc"),
        sv::save_image_get_xml_desc
    ),
    procedure!(
        p::DOMAIN_SAVE_IMAGE_DEFINE_XML,
        Access::Write("virDomainSaveImageDefineXML"),
        sv::save_image_define_xml
    ),
    procedure!(p::DOMAIN_SNAPSHOT_GET_PARENT, Access::Open, sn::get_parent),
    procedure!(
        p::DOMAIN_SNAPSHOT_NUM_CHILDREN,
        Access::Open,
        sn::num_children
    ),
    procedure!(
        p::DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES,
        Access::Open,
        sn::list_children_names
    ),
    procedure!(
        p::DOMAIN_SHUTDOWN_FLAGS,
        Access::Write("virDomainShutdownFlags"),
        d::shutdown_flags
    ),
    procedure!(p::DOMAIN_GET_CPU_STATS, Access::Open, m::get_cpu_stats),
    procedure!(p::DOMAIN_GET_DISK_ERRORS, Access::Open, m::get_disk_errors),
    procedure!(
        p::DOMAIN_SET_METADATA,
        Access::Write("virDomainSetMetadata"),
        m::set_metadata
    ),
    procedure!(p::DOMAIN_GET_METADATA, Access::Open, m::get_metadata),
    procedure!(
        p::DOMAIN_PM_WAKEUP,
        Access::Write("virDomainPMWakeup"),
        d::pm_wakeup
    ),
    procedure!(p::DOMAIN_SNAPSHOT_IS_CURRENT, Access::Open, sn::is_current),
    procedure!(
        p::DOMAIN_SNAPSHOT_HAS_METADATA,
        Access::Open,
        sn::has_metadata
    ),
    procedure!(
        p::CONNECT_LIST_ALL_DOMAINS,
        Access::Open,
        d::list_all_domains
    ),
    procedure!(p::DOMAIN_LIST_ALL_SNAPSHOTS, Access::Open, sn::list_all),
    procedure!(
        p::DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN,
        Access::Open,
        sn::list_all_children
    ),
    procedure!(p::DOMAIN_GET_HOSTNAME, Access::Open, m::get_hostname),
    procedure!(
        p::DOMAIN_PIN_EMULATOR,
        Access::Write("virDomainPinEmulator"),
        cfg::pin_emulator
    ),
    procedure!(
        p::DOMAIN_GET_EMULATOR_PIN_INFO,
        Access::Open,
        m::get_emulator_pin_info
    ),
    procedure!(p::NODE_GET_CPU_MAP, Access::Open, m::node_get_cpu_map),
    procedure!(
        p::DOMAIN_FSTRIM,
        Access::Write("virDomainFSTrim"),
        ctl::fstrim
    ),
    procedure!(
        p::DOMAIN_SEND_PROCESS_SIGNAL,
        Access::Write("virDomainSendProcessSignal"),
        ctl::send_process_signal
    ),
    procedure!(
        p::DOMAIN_SET_MEMORY_STATS_PERIOD,
        Access::Write("virDomainSetMemoryStatsPeriod"),
        cfg::set_memory_stats_period
    ),
    procedure!(
        p::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        Access::Open,
        cb::register_any
    ),
    procedure!(
        p::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        Access::Open,
        cb::deregister_any
    ),
    procedure!(p::DOMAIN_GET_TIME, Access::Open, m::get_time),
    procedure!(
        p::CONNECT_GET_DOMAIN_CAPABILITIES,
        Access::Open,
        c::get_domain_capabilities
    ),
    procedure!(
        p::DOMAIN_OPEN_GRAPHICS_FD,
        Access::Write("virDomainOpenGraphicsFD"),
        con::open_graphics_fd
    ),
    procedure!(
        p::CONNECT_GET_ALL_DOMAIN_STATS,
        Access::Open,
        m::get_all_domain_stats
    ),
    procedure!(p::DOMAIN_GET_FSINFO, Access::Open, m::get_fsinfo),
    procedure!(
        p::DOMAIN_DEFINE_XML_FLAGS,
        Access::Write("virDomainDefineXMLFlags"),
        d::define_xml_flags
    ),
    procedure!(
        p::DOMAIN_GET_IOTHREAD_INFO,
        Access::Open,
        m::get_iothread_info
    ),
    procedure!(
        p::DOMAIN_INTERFACE_ADDRESSES,
        Access::Open,
        m::interface_addresses
    ),
    procedure!(
        p::DOMAIN_RENAME,
        Access::Write("virDomainRename"),
        cfg::rename
    ),
    procedure!(
        p::CONNECT_REGISTER_CLOSE_CALLBACK,
        Access::Open,
        c::register_close_callback
    ),
    procedure!(
        p::CONNECT_UNREGISTER_CLOSE_CALLBACK,
        Access::Open,
        c::unregister_close_callback
    ),
    procedure!(p::DOMAIN_GET_MESSAGES, Access::Open, d::get_messages),
    procedure!(
        p::DOMAIN_CHECKPOINT_CREATE_XML,
        Access::WriteIn("virDomainCheckpointCreateXML", 69),
        ck::create_xml
    ),
    procedure!(
        p::DOMAIN_CHECKPOINT_GET_XML_DESC,
        Access::Open,
        ck::get_xml_desc
    ),
    procedure!(p::DOMAIN_LIST_ALL_CHECKPOINTS, Access::Open, ck::list_all),
    procedure!(
        p::DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN,
        Access::Open,
        ck::list_all_children
    ),
    procedure!(
        p::DOMAIN_CHECKPOINT_LOOKUP_BY_NAME,
        Access::Open,
        ck::lookup_by_name
    ),
    procedure!(
        p::DOMAIN_CHECKPOINT_GET_PARENT,
        Access::Open,
        ck::get_parent
    ),
    procedure!(
        p::DOMAIN_CHECKPOINT_DELETE,
        Access::WriteIn("virDomainCheckpointDelete", 69),
        ck::delete
    ),
    procedure!(
        p::DOMAIN_ABORT_JOB_FLAGS,
        Access::Write("virDomainAbortJobFlags"),
        jh::abort_job_flags
    ),
];

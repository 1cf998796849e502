//! Arguments and return values of the configuration procedures: memory, vCPUs,
//! device attach/detach/update, rename. Names follow libvirt's `remote_*` structs;
//! fields are in wire order.

use serde::{Deserialize, Serialize};

use crate::typed_param::TypedParam;
use crate::types::RemoteNonnullDomain;

/// `remote_domain_set_memory_args` (DOMAIN_SET_MEMORY 31) and
/// `remote_domain_set_max_memory_args` (DOMAIN_SET_MAX_MEMORY 30).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetMemoryArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// KiB.
    pub memory: u64,
}

/// `remote_domain_set_memory_flags_args` (DOMAIN_SET_MEMORY_FLAGS 204).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetMemoryFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// KiB.
    pub memory: u64,
    /// `virDomainMemoryModFlags`.
    pub flags: u32,
}

/// `remote_domain_set_vcpus_args` (DOMAIN_SET_VCPUS 32).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetVcpusArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// vCPU count.
    pub nvcpus: u32,
}

/// `remote_domain_set_vcpus_flags_args` (DOMAIN_SET_VCPUS_FLAGS 199).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetVcpusFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// vCPU count.
    pub nvcpus: u32,
    /// `virDomainVcpuFlags`.
    pub flags: u32,
}

/// `remote_domain_attach_device_args` (DOMAIN_ATTACH_DEVICE 8) and
/// `remote_domain_detach_device_args` (DOMAIN_DETACH_DEVICE 13).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainDeviceArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The device's XML.
    pub xml: String,
}

/// `remote_domain_{attach,detach,update}_device_flags_args` (DOMAIN_ATTACH_DEVICE_FLAGS
/// 160, DOMAIN_DETACH_DEVICE_FLAGS 161, DOMAIN_UPDATE_DEVICE_FLAGS 174).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainDeviceFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The device's XML.
    pub xml: String,
    /// `virDomainDeviceModifyFlags`.
    pub flags: u32,
}

/// `remote_domain_rename_args` (DOMAIN_RENAME 358).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRenameArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The new name (`remote_string`).
    pub new_name: Option<String>,
    /// Flags (none defined).
    pub flags: u32,
}

/// `remote_domain_rename_ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRenameRet {
    /// 0 on success.
    pub retcode: i32,
}

/// `remote_domain_set_memory_stats_period_args` (DOMAIN_SET_MEMORY_STATS_PERIOD, 308).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetMemoryStatsPeriodArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Seconds between the balloon's statistics updates; 0 stops them.
    pub period: i32,
    /// `VIR_DOMAIN_AFFECT_*`.
    pub flags: u32,
}

/// `REMOTE_CPUMAP_MAX`: the longest CPU map a pinning call carries, bytes.
pub const CPUMAP_MAX: usize = 2048;

/// `remote_domain_pin_vcpu_flags_args` (DOMAIN_PIN_VCPU_FLAGS, 225; DOMAIN_PIN_VCPU,
/// 26, has no `flags`: [`DomainPinVcpuArgs`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPinVcpuFlagsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The vCPU.
    pub vcpu: u32,
    /// Host CPUs, bit N of byte N/8 for CPU N.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumap: Vec<u8>,
    /// `VIR_DOMAIN_AFFECT_*`.
    pub flags: u32,
}

/// `remote_domain_pin_vcpu_args` (DOMAIN_PIN_VCPU, 26).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPinVcpuArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The vCPU.
    pub vcpu: u32,
    /// Host CPUs, bit N of byte N/8 for CPU N.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumap: Vec<u8>,
}

/// `remote_domain_pin_emulator_args` (DOMAIN_PIN_EMULATOR, 279).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPinEmulatorArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// Host CPUs, bit N of byte N/8 for CPU N.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumap: Vec<u8>,
    /// `VIR_DOMAIN_AFFECT_*`.
    pub flags: u32,
}

/// `remote_domain_set_lifecycle_action_args` (DOMAIN_SET_LIFECYCLE_ACTION, 390).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSetLifecycleActionArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// `virDomainLifecycle`: power-off (0), reboot (1) or crash (2).
    #[serde(rename = "type")]
    pub kind: u32,
    /// `virDomainLifecycleAction`: destroy (0) … coredump-restart (5).
    pub action: u32,
    /// `virDomainModificationImpact`.
    pub flags: u32,
}

/// `remote_domain_add_iothread_args` (DOMAIN_ADD_IOTHREAD, 355) and the same layout of
/// `remote_domain_del_iothread_args` (DOMAIN_DEL_IOTHREAD, 356).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainIothreadArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The I/O thread's id.
    pub iothread_id: u32,
    /// `VIR_DOMAIN_AFFECT_*`.
    pub flags: u32,
}

/// `remote_domain_pin_iothread_args` (DOMAIN_PIN_IOTHREAD, 352).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPinIothreadArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The I/O thread's id.
    pub iothreads_id: u32,
    /// Host CPUs, bit N of byte N/8 for CPU N.
    #[serde(with = "rvirt_xdr::opaque")]
    pub cpumap: Vec<u8>,
    /// `VIR_DOMAIN_AFFECT_*`.
    pub flags: u32,
}

/// `REMOTE_DOMAIN_IOTHREAD_PARAMS_MAX`.
pub const IOTHREAD_PARAMS_MAX: usize = 64;

/// `remote_domain_set_iothread_params_args` (DOMAIN_SET_IOTHREAD_PARAMS, 402; void).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainSetIothreadParamsArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The I/O thread's id.
    pub iothread_id: u32,
    /// `poll_max_ns`, `poll_grow`, `poll_shrink`, `thread_pool_min`, `thread_pool_max`.
    pub params: Vec<TypedParam>,
    /// `VIR_DOMAIN_AFFECT_*`.
    pub flags: u32,
}

/// `remote_domain_detach_device_alias_args` (DOMAIN_DETACH_DEVICE_ALIAS, 392; void).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainDetachDeviceAliasArgs {
    /// The domain.
    pub dom: RemoteNonnullDomain,
    /// The device's alias (`net1`, `ua-mydisk`).
    pub alias: String,
    /// `virDomainDeviceModifyFlags`.
    pub flags: u32,
}

/// `remote_connect_domain_xml_to_native_args` (CONNECT_DOMAIN_XML_TO_NATIVE, 136).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectDomainXmlToNativeArgs {
    /// `qemu-argv` for QEMU.
    pub native_format: String,
    /// The domain XML.
    pub domain_xml: String,
    /// None defined.
    pub flags: u32,
}

/// `remote_connect_domain_xml_to_native_ret` (136).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectDomainXmlToNativeRet {
    /// The native configuration (a shell command line for `qemu-argv`).
    pub native_config: String,
}

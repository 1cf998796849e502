//! The domain tuning parameters monitoring and orchestration tools read and set by
//! name (`virDomain{Get,Set}{Memory,Blkio,Numa,Interface}Parameters`,
//! `virDomain{Get,Set}BlockIoTune`): [`Tunable`] names the set, the parameters are
//! [`TypedParam`](super::TypedParam)s, and `flags` are `virDomainModificationImpact`.

/// `VIR_DOMAIN_MEMORY_PARAM_UNLIMITED`: a memory limit that is not set (2^53 - 1 KiB).
pub const MEMORY_PARAM_UNLIMITED: u64 = 9_007_199_254_740_991;

/// `VIR_DOMAIN_MEMORY_HARD_LIMIT`.
pub const MEMORY_HARD_LIMIT: &str = "hard_limit";
/// `VIR_DOMAIN_MEMORY_SOFT_LIMIT`.
pub const MEMORY_SOFT_LIMIT: &str = "soft_limit";
/// `VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT`.
pub const MEMORY_SWAP_HARD_LIMIT: &str = "swap_hard_limit";
/// `VIR_DOMAIN_MEMORY_MIN_GUARANTEE`.
pub const MEMORY_MIN_GUARANTEE: &str = "min_guarantee";

/// Which set of tuning parameters a call reads or writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tunable {
    /// Memory limits (`<memtune>`, `virsh memtune`).
    Memory,
    /// Block I/O weights and limits (`<blkiotune>`, `virsh blkiotune`).
    Blkio,
    /// The memory's host NUMA policy (`<numatune>`, `virsh numatune`).
    Numa,
    /// One disk's I/O throttling (`<iotune>`, `virsh blkdeviotune`), the disk named
    /// by target (`vda`) or source path.
    BlockIo(String),
    /// One NIC's bandwidth (`<bandwidth>`, `virsh domiftune`), the NIC named by MAC
    /// address or host device name.
    Interface(String),
    /// The perf events the host counts for the domain (`<perf>`, `virsh perf`).
    Perf,
}

impl Tunable {
    /// The public API that reads this set (named in `VIR_ERR_NO_SUPPORT`).
    pub fn get_api(&self) -> &'static str {
        match self {
            Tunable::Memory => "virDomainGetMemoryParameters",
            Tunable::Blkio => "virDomainGetBlkioParameters",
            Tunable::Numa => "virDomainGetNumaParameters",
            Tunable::BlockIo(_) => "virDomainGetBlockIoTune",
            Tunable::Interface(_) => "virDomainGetInterfaceParameters",
            Tunable::Perf => "virDomainGetPerfEvents",
        }
    }

    /// The public API that sets this set.
    pub fn set_api(&self) -> &'static str {
        match self {
            Tunable::Memory => "virDomainSetMemoryParameters",
            Tunable::Blkio => "virDomainSetBlkioParameters",
            Tunable::Numa => "virDomainSetNumaParameters",
            Tunable::BlockIo(_) => "virDomainSetBlockIoTune",
            Tunable::Interface(_) => "virDomainSetInterfaceParameters",
            Tunable::Perf => "virDomainSetPerfEvents",
        }
    }
}

/// libvirt's public-API check of the get calls: at most one of `VIR_DOMAIN_AFFECT_LIVE`
/// and `VIR_DOMAIN_AFFECT_CONFIG`.
pub(crate) fn check_one_impact(flags: u32) -> crate::Result<()> {
    use crate::objects::{AFFECT_CONFIG, AFFECT_LIVE};
    if flags & (AFFECT_LIVE | AFFECT_CONFIG) == AFFECT_LIVE | AFFECT_CONFIG {
        return Err(crate::Error::verbatim(
            crate::ErrorCode::InvalidArg,
            crate::ErrorDomain::Domain,
            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive",
        ));
    }
    Ok(())
}

//! What monitoring tools read from a domain: the statistics groups of
//! `virConnectGetAllDomainStats` and the results of the per-domain info calls
//! (`virDomainMemoryStats`, `virDomainGetControlInfo`, `virDomainGetVcpus`, …), with
//! libvirt's numbers.

use super::numbered::numbered_enum;
use super::typed_param::TypedParam;

/// Statistics groups of `virConnectGetAllDomainStats` (`virDomainStatsTypes`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct StatsGroups(pub u32);

impl StatsGroups {
    /// `state.*`: state and reason.
    pub const STATE: StatsGroups = StatsGroups(1);
    /// `cpu.*`: total CPU time.
    pub const CPU_TOTAL: StatsGroups = StatsGroups(2);
    /// `balloon.*`.
    pub const BALLOON: StatsGroups = StatsGroups(4);
    /// `vcpu.*`.
    pub const VCPU: StatsGroups = StatsGroups(8);
    /// `net.*`.
    pub const INTERFACE: StatsGroups = StatsGroups(16);
    /// `block.*`.
    pub const BLOCK: StatsGroups = StatsGroups(32);
    /// `perf.*`.
    pub const PERF: StatsGroups = StatsGroups(64);
    /// `iothread.*`.
    pub const IOTHREAD: StatsGroups = StatsGroups(128);
    /// `memory.*`.
    pub const MEMORY: StatsGroups = StatsGroups(256);
    /// `dirtyrate.*`.
    pub const DIRTYRATE: StatsGroups = StatsGroups(512);
    /// `vm.*`.
    pub const VM: StatsGroups = StatsGroups(1024);

    /// True if every group of `other` is in `self`.
    pub fn contains(self, other: StatsGroups) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for StatsGroups {
    type Output = StatsGroups;
    fn bitor(self, rhs: StatsGroups) -> StatsGroups {
        StatsGroups(self.0 | rhs.0)
    }
}

/// Flags of `virConnectGetAllDomainStats` (`virConnectGetAllDomainStatsFlags`).
pub mod stats_flags {
    /// Only active domains.
    pub const ACTIVE: u32 = 1;
    /// Only inactive domains.
    pub const INACTIVE: u32 = 2;
    /// Only persistent domains.
    pub const PERSISTENT: u32 = 4;
    /// Only transient domains.
    pub const TRANSIENT: u32 = 8;
    /// Only running domains.
    pub const RUNNING: u32 = 16;
    /// Only paused domains.
    pub const PAUSED: u32 = 32;
    /// Only shut-off domains.
    pub const SHUTOFF: u32 = 64;
    /// Domains in any other state.
    pub const OTHER: u32 = 128;
    /// Do not wait for a domain's job; report what is known.
    pub const NOWAIT: u32 = 1 << 29;
    /// Report the backing chain of disks.
    pub const BACKING: u32 = 1 << 30;
    /// Fail if a requested group is not supported.
    pub const ENFORCE_STATS: u32 = 1 << 31;
    /// The filter bits (shared with `virConnectListAllDomains`).
    pub const FILTERS: u32 = 0xff;
}

numbered_enum! {
    /// Tags of `virDomainMemoryStats` (`virDomainMemoryStatTags`), named as python's
    /// `memoryStats()` names them.
    pub enum MemoryStatTag {
        /// Swapped in, KiB.
        SwapIn = 0 => "swap_in",
        /// Swapped out, KiB.
        SwapOut = 1 => "swap_out",
        /// Major page faults.
        MajorFault = 2 => "major_fault",
        /// Minor page faults.
        MinorFault = 3 => "minor_fault",
        /// Unused memory, KiB.
        Unused = 4 => "unused",
        /// Memory the guest sees, KiB.
        Available = 5 => "available",
        /// Current balloon size, KiB.
        ActualBalloon = 6 => "actual",
        /// Resident set size of the hypervisor process, KiB.
        Rss = 7 => "rss",
        /// Memory the guest could use without swapping, KiB.
        Usable = 8 => "usable",
        /// When the guest last updated these (seconds since the epoch).
        LastUpdate = 9 => "last_update",
        /// Disk caches, KiB.
        DiskCaches = 10 => "disk_caches",
        /// Successful huge page allocations.
        HugetlbPgalloc = 11 => "hugetlb_pgalloc",
        /// Failed huge page allocations.
        HugetlbPgfail = 12 => "hugetlb_pgfail",
    }
}

/// One memory statistic.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MemoryStat {
    /// What it measures.
    pub tag: MemoryStatTag,
    /// Its value.
    pub value: u64,
}

/// The statistics of one domain, as `virConnectGetAllDomainStats` returns them.
#[derive(Clone, PartialEq, Debug)]
pub struct DomainStatsRecord<D> {
    /// The domain.
    pub domain: D,
    /// Its statistics, `group.name` = value.
    pub params: Vec<TypedParam>,
}

/// `virDomainControlInfo`: the state of the management connection to the domain.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ControlInfo {
    /// `virDomainControlState`: 0 OK, 1 JOB, 2 OCCUPIED, 3 ERROR.
    pub state: u32,
    /// `virDomainControlErrorReason` when the state is ERROR.
    pub details: u32,
    /// How long the control state has lasted, ms (0 when OK).
    pub state_time_ms: u64,
}

/// `virDomainJobInfo`: the domain's current background job (save, dump, migration)
/// and its progress; all zero with type `NONE` when it has none.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct JobInfo {
    /// `virDomainJobType`: 0 NONE, 1 BOUNDED, 2 UNBOUNDED, 3 COMPLETED, 4 FAILED,
    /// 5 CANCELLED.
    pub job_type: i32,
    /// ms since the job started.
    pub time_elapsed: u64,
    /// ms left (bounded jobs).
    pub time_remaining: u64,
    /// Bytes in all, done and left.
    pub data: [u64; 3],
    /// Guest memory bytes in all, done and left.
    pub mem: [u64; 3],
    /// File bytes in all, done and left.
    pub file: [u64; 3],
}

/// One named node counter (`virNodeCPUStats`, `virNodeMemoryStats`): CPU time in
/// ns, memory in KiB.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NodeStat {
    /// `kernel`, `user`, `idle`, `iowait` / `total`, `free`, `buffers`, `cached`.
    pub field: String,
    /// The value.
    pub value: u64,
}

/// `virDomainBlockInfo`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct BlockInfo {
    /// Logical size the guest sees, bytes.
    pub capacity: u64,
    /// Host storage in use, bytes.
    pub allocation: u64,
    /// Host physical size, bytes.
    pub physical: u64,
}

/// `virDomainBlockJobInfo`: a disk's block job and its progress.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct BlockJobInfo {
    /// `virDomainBlockJobType` (1 pull, 2 copy, 3 commit, 4 active commit, 5 backup).
    pub job_type: i32,
    /// Its bandwidth cap (MiB/s, or bytes/s when asked so).
    pub bandwidth: u64,
    /// Progress so far.
    pub cur: u64,
    /// Progress at the end.
    pub end: u64,
}

/// `virDomainBlockStatsStruct` (-1 where unknown).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct BlockStats {
    /// Read requests.
    pub rd_req: i64,
    /// Bytes read.
    pub rd_bytes: i64,
    /// Write requests.
    pub wr_req: i64,
    /// Bytes written.
    pub wr_bytes: i64,
    /// Errors.
    pub errs: i64,
}

/// `virDomainInterfaceStatsStruct` (-1 where unknown).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct InterfaceStats {
    /// Bytes received.
    pub rx_bytes: i64,
    /// Packets received.
    pub rx_packets: i64,
    /// Receive errors.
    pub rx_errs: i64,
    /// Received packets dropped.
    pub rx_drop: i64,
    /// Bytes sent.
    pub tx_bytes: i64,
    /// Packets sent.
    pub tx_packets: i64,
    /// Send errors.
    pub tx_errs: i64,
    /// Sent packets dropped.
    pub tx_drop: i64,
}

/// `virVcpuInfo`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct VcpuInfo {
    /// vCPU number.
    pub number: u32,
    /// `virVcpuState`: 0 offline, 1 running, 2 blocked.
    pub state: i32,
    /// CPU time used, ns.
    pub cpu_time: u64,
    /// Host CPU it runs on (-1 if unknown).
    pub cpu: i32,
}

/// A CPU bitmap as libvirt passes it: bit N of byte N/8 is host CPU N.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CpuMap(pub Vec<u8>);

impl CpuMap {
    /// A map of `ncpus` CPUs, all set.
    pub fn all(ncpus: u32) -> CpuMap {
        let mut m = CpuMap(vec![0; ncpus.div_ceil(8) as usize]);
        for cpu in 0..ncpus {
            m.set(cpu);
        }
        m
    }

    /// Sets CPU `cpu` (growing the map if needed).
    pub fn set(&mut self, cpu: u32) {
        let byte = (cpu / 8) as usize;
        if self.0.len() <= byte {
            self.0.resize(byte + 1, 0);
        }
        self.0[byte] |= 1 << (cpu % 8);
    }

    /// True if CPU `cpu` is set.
    pub fn is_set(&self, cpu: u32) -> bool {
        self.0
            .get((cpu / 8) as usize)
            .is_some_and(|b| b & (1 << (cpu % 8)) != 0)
    }

    /// The map cut or zero-padded to `maplen` bytes (what a caller asked for).
    pub fn to_len(&self, maplen: usize) -> Vec<u8> {
        let mut v = self.0.clone();
        v.resize(maplen, 0);
        v
    }

    /// The CPUs set, in order.
    pub fn cpus(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.0.len() as u32 * 8).filter(|&c| self.is_set(c))
    }

    /// True when no CPU is set.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&b| b == 0)
    }

    /// The map as libvirt writes a `cpuset` attribute: ranges and single CPUs joined
    /// by commas (`0-2,5`).
    ///
    /// ```
    /// use rvirt_core::api::CpuMap;
    /// assert_eq!(CpuMap(vec![0b0010_0111]).to_cpuset(), "0-2,5");
    /// ```
    pub fn to_cpuset(&self) -> String {
        crate::conf::bitmap::CpuSet(self.cpus().collect()).to_string()
    }

    /// Parses a `cpuset` attribute (`0-2,^1,5`); `None` if it is malformed or names a
    /// CPU at or above `limit`.
    ///
    /// ```
    /// use rvirt_core::api::CpuMap;
    /// assert_eq!(CpuMap::parse_cpuset("0-2,^1,5", 8).unwrap().to_cpuset(), "0,2,5");
    /// assert!(CpuMap::parse_cpuset("9", 8).is_none());
    /// ```
    pub fn parse_cpuset(s: &str, limit: u32) -> Option<CpuMap> {
        let set = crate::conf::bitmap::CpuSet::parse(s)?;
        let mut map = CpuMap(vec![0; limit.div_ceil(8) as usize]);
        for &cpu in &set.0 {
            if cpu >= limit {
                return None;
            }
            map.set(cpu);
        }
        Some(map)
    }
}

/// `virDomainIOThreadInfo`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct IoThreadInfo {
    /// The iothread's id.
    pub id: u32,
    /// Host CPUs it may run on.
    pub cpumap: CpuMap,
}

/// One address of a guest interface (`virDomainIPAddress`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IpAddress {
    /// `virIPAddrType`: 0 IPv4, 1 IPv6.
    pub kind: i32,
    /// The address.
    pub addr: String,
    /// Prefix length.
    pub prefix: u32,
}

/// A guest interface with its addresses (`virDomainInterface`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DomainInterface {
    /// Interface name (in the guest, or the host device).
    pub name: String,
    /// MAC address, if known.
    pub hwaddr: Option<String>,
    /// Its addresses.
    pub addrs: Vec<IpAddress>,
}

/// A guest file system (`virDomainFSInfo`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FsInfo {
    /// Mount point.
    pub mountpoint: String,
    /// Device name in the guest.
    pub name: String,
    /// File system type.
    pub fstype: String,
    /// Aliases (targets) of the disks it lives on.
    pub dev_aliases: Vec<String>,
}

/// The host's CPUs as `virNodeGetCPUMap` reports them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NodeCpuMap {
    /// Number of CPUs (present).
    pub cpus: u32,
    /// The online ones.
    pub online: CpuMap,
}

/// `virSecurityModel`: the host's security driver.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SecurityModel {
    /// Model name, e.g. `selinux`, `apparmor`, `dac`; empty for none.
    pub model: String,
    /// Domain of interpretation.
    pub doi: String,
}

/// `virSecurityLabel`: a domain's security label.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SecurityLabel {
    /// The label; empty for none.
    pub label: String,
    /// Whether it is enforced.
    pub enforcing: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_maps_are_libvirts_bit_order() {
        let mut m = CpuMap::default();
        m.set(0);
        m.set(9);
        assert_eq!(m.0, vec![0b0000_0001, 0b0000_0010]);
        assert!(m.is_set(9) && !m.is_set(8));
        assert_eq!(CpuMap::all(10).0, vec![0xff, 0x03]);
        assert_eq!(m.to_len(1), vec![1]);
        assert_eq!(m.to_len(3), vec![1, 2, 0]);
    }

    #[test]
    fn stat_tags_match_libvirt() {
        assert_eq!(MemoryStatTag::ActualBalloon.as_raw(), 6);
        assert_eq!(MemoryStatTag::HugetlbPgfail.as_raw(), 12);
        assert_eq!(MemoryStatTag::Rss.name(), "rss");
        assert!(StatsGroups(3).contains(StatsGroups::CPU_TOTAL));
        assert!(!StatsGroups(3).contains(StatsGroups::BALLOON));
    }
}

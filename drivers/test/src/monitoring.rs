//! The test driver's monitoring answers: libvirt's test driver returns canned data for
//! most of them (observed from libvirt 9.0 through python3-libvirt), computed here the
//! same way from the domain's definition, its id and the clock.

use std::time::{SystemTime, UNIX_EPOCH};

use rvirt_core::api::{
    BlockInfo, BlockStats, ControlInfo, CpuMap, DomainInterface, DomainStatsRecord, FsInfo,
    InterfaceStats, IoThreadInfo, IpAddress, MemoryStat, MemoryStatTag, MetadataType, NodeCpuMap,
    NodeStat, SecurityLabel, SecurityModel, StatsGroups, TypedParam, TypedValue, VcpuInfo,
};
use rvirt_core::conf::{Device, DomainDef};
use rvirt_core::driver::{DomainRef, Monitoring};
use rvirt_core::objects::{not_running, resolve_groups, state_params};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::configuration::one_def_ref;
use crate::connection::TestConnection;
use crate::errors::check_flags;
use crate::guest_control::{self, GUEST_EPOCH};
use crate::pinning;

/// `VIR_DOMAIN_SCHEDULER_WEIGHT`, the test driver's one scheduler parameter.
pub(crate) const SCHEDULER_WEIGHT: &str = "weight";
use crate::state::Obj;

/// The groups libvirt 9.0's test driver reports.
const GROUPS: StatsGroups = StatsGroups(StatsGroups::STATE.0 | StatsGroups::IOTHREAD.0);
/// The test node's CPUs as `virNodeGetCPUMap` reports them: 8, of which 0, 2, 4 online.
const NODE_CPUS: u32 = 8;
const NODE_ONLINE: [u32; 3] = [0, 2, 4];
/// Free memory of the test node's two NUMA cells, bytes.
const CELLS_FREE: [u64; 2] = [2_097_152, 4_194_304];
/// `VIR_TYPED_PARAM_STRING_OKAY`: the caller takes string parameters.
const TYPED_PARAM_STRING_OKAY: u32 = 4;
/// `VIR_DOMAIN_VCPU_*` flags the test driver takes.
const VCPU_LIVE: u32 = 1;
const VCPU_CONFIG: u32 = 2;
const VCPU_MAXIMUM: u32 = 4;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArg, ErrorDomain::Test, message)
}

fn active(o: &Obj) -> Result<()> {
    if o.is_active() {
        Ok(())
    } else {
        Err(not_running())
    }
}

/// Now in tens of microseconds, and in seconds: the bases of the test driver's
/// ever-growing counters.
fn clock() -> (i64, i64) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let tens_of_us = i64::try_from(d.as_micros() / 10).unwrap_or(i64::MAX);
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    (tens_of_us, secs)
}

fn disks(def: &DomainDef) -> impl Iterator<Item = &rvirt_core::conf::Disk> {
    def.devices().iter().filter_map(|d| match d {
        Device::Disk(d) => Some(d),
        _ => None,
    })
}

/// The disk named by target or source path.
fn find_disk<'a>(def: &'a DomainDef, name: &str) -> Option<&'a rvirt_core::conf::Disk> {
    disks(def).find(|d| {
        d.target.dev == name
            || d.source
                .as_ref()
                .is_some_and(|s| s.file.as_deref() == Some(name) || s.dev.as_deref() == Some(name))
    })
}

fn has_balloon(def: &DomainDef) -> bool {
    def.devices().iter().any(|d| match d {
        Device::Memballoon(b) => b.model.as_str() != "none",
        _ => false,
    })
}

impl TestConnection {
    fn read<T>(&self, dom: &DomainRef, f: impl FnOnce(&Obj) -> Result<T>) -> Result<T> {
        self.world().domains.read(dom, f)
    }
}

impl Monitoring for TestConnection {
    fn all_domain_stats(
        &self,
        doms: Option<&[DomainRef]>,
        groups: StatsGroups,
        flags: u32,
    ) -> Result<Vec<DomainStatsRecord<DomainRef>>> {
        let groups = resolve_groups(groups, GROUPS, flags, ErrorDomain::Test)?;
        Ok(self.world().domains.collect_stats(doms, flags, |o| {
            if groups.contains(StatsGroups::STATE) {
                state_params(o.state)
            } else {
                Vec::new()
            }
        }))
    }

    fn memory_stats(&self, dom: &DomainRef, _max: u32, flags: u32) -> Result<Vec<MemoryStat>> {
        check_flags(flags, 0, "testDomainMemoryStats")?;
        self.read(dom, |o| {
            active(o)?;
            if !has_balloon(&o.def) {
                return Ok(Vec::new());
            }
            let cur = o.def.current_memory_kib();
            use MemoryStatTag as T;
            Ok([
                (T::ActualBalloon, cur),
                (T::SwapIn, 0),
                (T::SwapOut, 0),
                (T::MajorFault, 0),
                (T::MinorFault, 0),
                (T::Unused, cur / 2),
                (T::Available, cur),
                (T::Usable, cur / 2),
                (T::LastUpdate, GUEST_EPOCH as u64),
                (T::DiskCaches, cur / 8),
                (T::HugetlbPgalloc, 0),
                (T::HugetlbPgfail, 0),
                (T::Rss, cur / 2),
            ]
            .into_iter()
            .map(|(tag, value)| MemoryStat { tag, value })
            .collect())
        })
    }

    fn control_info(&self, dom: &DomainRef, flags: u32) -> Result<ControlInfo> {
        guest_control::control_info(self.world(), dom, flags)
    }

    fn node_cpu_stats(&self, _cpu: i32, flags: u32) -> Result<Vec<NodeStat>> {
        guest_control::node_cpu_stats(flags)
    }

    fn block_info(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<BlockInfo> {
        check_flags(flags, 0, "testDomainGetBlockInfo")?;
        self.read(dom, |o| {
            find_disk(&o.def, disk)
                .ok_or_else(|| invalid(format!("invalid path {disk} not assigned to domain")))?;
            Ok(BlockInfo {
                capacity: 1_099_506_450_432,
                allocation: 1_099_511_627_776,
                physical: 1_099_511_627_776,
            })
        })
    }

    fn block_stats(&self, dom: &DomainRef, disk: &str) -> Result<BlockStats> {
        self.read(dom, |o| {
            active(o)?;
            find_disk(&o.def, disk).ok_or_else(|| invalid(format!("invalid path: {disk}")))?;
            let (t, secs) = clock();
            Ok(BlockStats {
                rd_req: t,
                rd_bytes: t / 2,
                wr_req: t / 3,
                wr_bytes: t / 4,
                errs: secs / 2,
            })
        })
    }

    fn interface_stats(&self, dom: &DomainRef, iface: &str) -> Result<InterfaceStats> {
        self.read(dom, |o| {
            active(o)?;
            let known = o.def.devices().iter().any(|d| match d {
                Device::Interface(i) => i
                    .mac
                    .as_ref()
                    .is_some_and(|m| m.address.eq_ignore_ascii_case(iface)),
                _ => false,
            });
            if !known {
                return Err(Error::invalid_arg(
                    ErrorDomain::Domain,
                    format!("'{iface}' is not a known interface"),
                ));
            }
            let (t, secs) = clock();
            Ok(InterfaceStats {
                rx_bytes: t,
                rx_packets: t / 10,
                rx_errs: secs,
                rx_drop: secs / 2,
                tx_bytes: t / 2,
                tx_packets: t / 11,
                tx_errs: secs / 3,
                tx_drop: secs / 4,
            })
        })
    }

    fn vcpus(&self, dom: &DomainRef) -> Result<Vec<(VcpuInfo, CpuMap)>> {
        self.read(dom, |o| {
            if !o.is_active() {
                return Err(Error::operation_invalid(
                    ErrorDomain::Test,
                    "cannot list vcpus for an inactive domain",
                ));
            }
            let (t, _) = clock();
            Ok((0..o.def.current_vcpus())
                .map(|number| {
                    let map = pinning::vcpu_map(&o.def, number);
                    let info = VcpuInfo {
                        number,
                        state: 1,
                        cpu_time: u64::try_from(t).unwrap_or(0),
                        cpu: pinning::last_cpu(&map),
                    };
                    (info, map)
                })
                .collect())
        })
    }

    fn vcpu_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<CpuMap>> {
        check_flags(flags, VCPU_LIVE | VCPU_CONFIG, "testDomainGetVcpuPinInfo")?;
        self.read(dom, |o| {
            let def = one_def_ref(o, flags)?;
            Ok((0..def.max_vcpus())
                .map(|v| pinning::vcpu_map(def, v))
                .collect())
        })
    }

    fn emulator_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<CpuMap> {
        check_flags(
            flags,
            VCPU_LIVE | VCPU_CONFIG,
            "testDomainGetEmulatorPinInfo",
        )?;
        self.read(dom, |o| Ok(pinning::emulator_map(one_def_ref(o, flags)?)))
    }

    fn iothread_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<IoThreadInfo>> {
        check_flags(flags, VCPU_LIVE | VCPU_CONFIG, "testDomainGetIOThreadInfo")?;
        self.read(dom, |o| Ok(crate::iothreads::info(one_def_ref(o, flags)?)))
    }

    fn memory_peek(&self, dom: &DomainRef, start: u64, size: u32, flags: u32) -> Result<Vec<u8>> {
        // VIR_MEMORY_VIRTUAL | VIR_MEMORY_PHYSICAL.
        check_flags(flags, 3, "testDomainMemoryPeek")?;
        if flags & 3 == 0 {
            return Err(invalid(
                "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL",
            ));
        }
        self.read(dom, |o| {
            active(o)?;
            // libvirt's test driver: each byte is its address.
            Ok((0..u64::from(size))
                .map(|i| start.wrapping_add(i) as u8)
                .collect())
        })
    }

    fn launch_security_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<TypedParam>> {
        check_flags(flags, 0, "testDomainGetLaunchSecurityInfo")?;
        self.read(dom, |_| Ok(Vec::new()))
    }

    fn cpu_stats(
        &self,
        dom: &DomainRef,
        start_cpu: i32,
        ncpus: u32,
        flags: u32,
    ) -> Result<Vec<Vec<TypedParam>>> {
        check_flags(flags, TYPED_PARAM_STRING_OKAY, "testDomainGetCPUStats")?;
        self.read(dom, |o| {
            active(o)?;
            let p = |f: &str, v: u64| TypedParam::new(f, TypedValue::ULLong(v));
            if start_cpu == -1 {
                return Ok(vec![vec![
                    p("cpu_time", 48_772_617_035),
                    p("user_time", 5_540_000_000),
                    p("system_time", 6_460_000_000),
                ]]);
            }
            let per_cpu = [
                vec![
                    p("cpu_time", 24_386_308_517),
                    p("vcpu_time", 23_151_740_627),
                ],
                vec![
                    p("cpu_time", 24_386_308_518),
                    p("vcpu_time", 23_151_740_628),
                ],
            ];
            let start = usize::try_from(start_cpu).unwrap_or(usize::MAX);
            if start >= per_cpu.len() {
                return Err(invalid(format!(
                    "start_cpu {start_cpu} larger than maximum of {}",
                    per_cpu.len() - 1
                )));
            }
            Ok(per_cpu
                .into_iter()
                .skip(start)
                .take(ncpus as usize)
                .collect())
        })
    }

    fn guest_hostname(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        check_flags(flags, 0, "testDomainGetHostname")?;
        self.read(dom, |o| active(o).map(|()| format!("{}host", o.name())))
    }

    fn interface_addresses(
        &self,
        dom: &DomainRef,
        _source: u32,
        flags: u32,
    ) -> Result<Vec<DomainInterface>> {
        check_flags(flags, 0, "testDomainInterfaceAddresses")?;
        self.read(dom, |o| {
            active(o)?;
            let host = 2 + o.id().unwrap_or(0);
            Ok(o.def
                .devices()
                .iter()
                .filter_map(|d| match d {
                    Device::Interface(i) => Some(i),
                    _ => None,
                })
                .enumerate()
                .map(|(n, i)| DomainInterface {
                    name: format!("testnet{n}"),
                    hwaddr: i.mac.as_ref().map(|m| m.address.clone()),
                    addrs: vec![IpAddress {
                        kind: 0,
                        addr: format!("192.168.122.{}", host as usize + n),
                        prefix: 24,
                    }],
                })
                .collect())
        })
    }

    fn fs_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<FsInfo>> {
        check_flags(flags, 0, "testDomainGetFSInfo")?;
        self.read(dom, |o| {
            active(o)?;
            let Some(disk) = disks(&o.def).next() else {
                return Ok(Vec::new());
            };
            let t = &disk.target.dev;
            let fs = |mount: &str, part: u32| FsInfo {
                mountpoint: mount.into(),
                name: format!("{t}{part}"),
                fstype: "ext4".into(),
                dev_aliases: vec![t.clone()],
            };
            Ok(vec![fs("/", 1), fs("/boot", 2)])
        })
    }

    fn guest_time(&self, dom: &DomainRef, flags: u32) -> Result<(i64, u32)> {
        guest_control::get_time(self.world(), dom, flags)
    }

    fn disk_errors(&self, dom: &DomainRef, flags: u32) -> Result<Vec<(String, i32)>> {
        check_flags(flags, 0, "testDomainGetDiskErrors")?;
        self.read(dom, |o| {
            active(o)?;
            // VIR_DOMAIN_DISK_ERROR_UNSPEC on the first disk, as libvirt's test driver.
            Ok(disks(&o.def)
                .take(1)
                .map(|d| (d.target.dev.clone(), 1))
                .collect())
        })
    }

    fn scheduler_type(&self, dom: &DomainRef) -> Result<(String, i32)> {
        self.read(dom, |_| Ok(("fair".to_string(), 1)))
    }

    fn scheduler_parameters(&self, dom: &DomainRef, flags: u32) -> Result<Vec<TypedParam>> {
        check_flags(flags, 0, "testDomainGetSchedulerParametersFlags")?;
        // libvirt's test driver answers a fixed weight of 50.
        self.read(dom, |_| {
            Ok(vec![TypedParam::new(
                SCHEDULER_WEIGHT,
                rvirt_core::api::TypedValue::UInt(50),
            )])
        })
    }

    fn tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &rvirt_core::api::Tunable,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        use rvirt_core::api::Tunable;
        // libvirt's client library adds VIR_TYPED_PARAM_STRING_OKAY (4).
        let known = rvirt_core::objects::AFFECT_LIVE | rvirt_core::objects::AFFECT_CONFIG | 4;
        match what {
            Tunable::Memory => {
                check_flags(flags, known, "testDomainGetMemoryParameters")?;
                self.read(dom, |o| {
                    Ok(rvirt_core::objects::memtune_params(
                        crate::configuration::one_def_ref(o, flags)?,
                    ))
                })
            }
            Tunable::Blkio => {
                check_flags(flags, known, "testDomainGetBlkioParameters")?;
                self.read(dom, |o| {
                    let def = crate::configuration::one_def_ref(o, flags)?;
                    Ok(rvirt_core::objects::blkio_params(
                        def,
                        rvirt_core::objects::blkio_weight(def),
                    ))
                })
            }
            Tunable::BlockIo(path) => {
                check_flags(flags, known, "testDomainGetBlockIoTune")?;
                self.read(dom, |o| crate::device_tuning::block_io_tune(o, path, flags))
            }
            Tunable::Interface(device) => {
                check_flags(flags, known, "testDomainGetInterfaceParameters")?;
                self.read(dom, |o| {
                    crate::device_tuning::interface_parameters(o, device, flags)
                })
            }
            Tunable::Numa => {
                check_flags(flags, known, "testDomainGetNumaParameters")?;
                self.read(dom, |o| crate::device_tuning::numa_parameters(o, flags))
            }
            Tunable::Perf => {
                check_flags(flags, known, "testDomainGetPerfEvents")?;
                self.read(dom, |o| crate::device_tuning::perf_events(o, flags))
            }
        }
    }

    fn vcpus_flags(&self, dom: &DomainRef, flags: u32) -> Result<u32> {
        check_flags(
            flags,
            VCPU_LIVE | VCPU_CONFIG | VCPU_MAXIMUM,
            "testDomainGetVcpusFlags",
        )?;
        self.read(dom, |o| {
            let (live, _) = rvirt_core::objects::impact(o, flags & (VCPU_LIVE | VCPU_CONFIG))?;
            let def = if live {
                &o.def
            } else {
                o.next_def.as_ref().unwrap_or(&o.def)
            };
            Ok(if flags & VCPU_MAXIMUM != 0 {
                def.max_vcpus()
            } else {
                def.current_vcpus()
            })
        })
    }

    fn max_vcpus(&self, dom: &DomainRef) -> Result<u32> {
        self.vcpus_flags(dom, VCPU_LIVE | VCPU_MAXIMUM)
    }

    fn max_memory(&self, dom: &DomainRef) -> Result<u64> {
        self.read(dom, |o| Ok(o.def.memory_kib()))
    }

    fn os_type(&self, dom: &DomainRef) -> Result<String> {
        self.read(dom, |_| Ok("linux".to_string()))
    }

    fn security_label(&self, dom: &DomainRef) -> Result<SecurityLabel> {
        self.read(dom, |o| {
            Ok(if o.is_active() {
                SecurityLabel {
                    label: "libvirt-test".into(),
                    enforcing: true,
                }
            } else {
                SecurityLabel::default()
            })
        })
    }

    fn metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        check_flags(flags, VCPU_LIVE | VCPU_CONFIG, "testDomainGetMetadata")?;
        self.world().domains.metadata(dom, kind, uri, flags)
    }

    fn set_metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        metadata: Option<&str>,
        key: Option<&str>,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, VCPU_LIVE | VCPU_CONFIG, "testDomainSetMetadata")?;
        self.world()
            .domains
            .set_metadata(dom, kind, metadata, key, uri, flags)
    }

    fn node_free_memory(&self) -> Result<u64> {
        // libvirt's test driver reports this constant, not the cells' sum.
        Ok(3_145_728)
    }

    fn cells_free_memory(&self, start: i32, max: i32) -> Result<Vec<u64>> {
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        let max = usize::try_from(max).unwrap_or(0);
        if start >= CELLS_FREE.len() || start + max > CELLS_FREE.len() {
            if start < CELLS_FREE.len() && max > 0 {
                return Ok(CELLS_FREE[start..].to_vec());
            }
            return Err(invalid("Range exceeds available cells"));
        }
        Ok(CELLS_FREE[start..start + max].to_vec())
    }

    fn node_cpu_map(&self, flags: u32) -> Result<NodeCpuMap> {
        check_flags(flags, 0, "testNodeGetCPUMap")?;
        let mut online = CpuMap::default();
        for cpu in NODE_ONLINE {
            online.set(cpu);
        }
        Ok(NodeCpuMap {
            cpus: NODE_CPUS,
            online,
        })
    }

    fn security_model(&self) -> Result<SecurityModel> {
        Ok(SecurityModel {
            model: "testSecurity".into(),
            doi: String::new(),
        })
    }
}

//! [`Monitoring`] over the wire: each method one REMOTE procedure, decoded into the
//! public types (the inverse of rvirtd's monitoring handlers).

use rvirt_core::Result;
use rvirt_core::api::{
    BlockInfo, BlockStats, ControlInfo, CpuMap, DomainInterface, DomainStatsRecord, FsInfo,
    InterfaceStats, IoThreadInfo, IpAddress, MemoryStat, MemoryStatTag, MetadataType, NodeCpuMap,
    SecurityLabel, SecurityModel, StatsGroups, TypedParam, VcpuInfo,
};
use rvirt_core::driver::{DomainRef, Monitoring};
use rvirt_rpc::monitoring::*;
use rvirt_rpc::procs;
use rvirt_rpc::types::{
    DomainArgs, DomainFlagsArgs, DomainGetOsTypeRet, DomainGetSecurityLabelRet,
    NodeGetSecurityModelRet,
};

use crate::connection::RemoteConnection;
use crate::wire::{to_ref, to_wire};

/// Bytes of a CPU map for `cpus` CPUs (`VIR_CPU_MAPLEN`).
fn maplen(cpus: u32) -> i32 {
    i32::try_from(cpus.div_ceil(8)).unwrap_or(i32::MAX)
}

/// rpcgen `char x<>` (NUL counted) as a string.
fn c_string(bytes: Vec<u8>) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

fn params(p: Vec<rvirt_rpc::typed_param::TypedParam>) -> Vec<TypedParam> {
    p.into_iter().map(Into::into).collect()
}

impl RemoteConnection {
    fn dom_flags(dom: &DomainRef, flags: u32) -> DomainFlagsArgs {
        DomainFlagsArgs {
            dom: to_wire(dom),
            flags,
        }
    }

    fn dom(dom: &DomainRef) -> DomainArgs {
        DomainArgs { dom: to_wire(dom) }
    }

    /// The host's CPU count, for sizing CPU maps as libvirt's client does.
    fn host_cpus(&self) -> Result<u32> {
        Ok(self.node_cpu_map(0)?.cpus)
    }
}

impl Monitoring for RemoteConnection {
    fn all_domain_stats(
        &self,
        doms: Option<&[DomainRef]>,
        groups: StatsGroups,
        flags: u32,
    ) -> Result<Vec<DomainStatsRecord<DomainRef>>> {
        let args = ConnectGetAllDomainStatsArgs {
            doms: doms.unwrap_or_default().iter().map(to_wire).collect(),
            stats: groups.0,
            flags,
        };
        let r: ConnectGetAllDomainStatsRet = self
            .client()
            .call(procs::CONNECT_GET_ALL_DOMAIN_STATS, &args)?;
        Ok(r.ret_stats
            .into_iter()
            .map(|s| DomainStatsRecord {
                domain: to_ref(s.dom),
                params: params(s.params),
            })
            .collect())
    }

    fn memory_stats(&self, dom: &DomainRef, max: u32, flags: u32) -> Result<Vec<MemoryStat>> {
        let args = DomainMemoryStatsArgs {
            dom: to_wire(dom),
            max_stats: max.min(MEMORY_STATS_MAX),
            flags,
        };
        let r: DomainMemoryStatsRet = self.client().call(procs::DOMAIN_MEMORY_STATS, &args)?;
        Ok(r.stats
            .into_iter()
            .filter_map(|s| {
                Some(MemoryStat {
                    tag: MemoryStatTag::from_raw(s.tag)?,
                    value: s.val,
                })
            })
            .collect())
    }

    fn job_info(&self, dom: &DomainRef) -> Result<rvirt_core::api::JobInfo> {
        self.remote_job_info(dom)
    }

    fn node_cpu_stats(&self, cpu: i32, flags: u32) -> Result<Vec<rvirt_core::api::NodeStat>> {
        self.remote_node_cpu_stats(cpu, flags)
    }

    fn node_memory_stats(&self, cell: i32, flags: u32) -> Result<Vec<rvirt_core::api::NodeStat>> {
        self.remote_node_memory_stats(cell, flags)
    }

    fn control_info(&self, dom: &DomainRef, flags: u32) -> Result<ControlInfo> {
        let r: DomainGetControlInfoRet = self
            .client()
            .call(procs::DOMAIN_GET_CONTROL_INFO, &Self::dom_flags(dom, flags))?;
        Ok(ControlInfo {
            state: r.state,
            details: r.details,
            state_time_ms: r.state_time,
        })
    }

    fn block_info(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<BlockInfo> {
        let args = DomainGetBlockInfoArgs {
            dom: to_wire(dom),
            path: disk.to_string(),
            flags,
        };
        let r: DomainGetBlockInfoRet = self.client().call(procs::DOMAIN_GET_BLOCK_INFO, &args)?;
        Ok(BlockInfo {
            capacity: r.capacity,
            allocation: r.allocation,
            physical: r.physical,
        })
    }

    fn block_stats(&self, dom: &DomainRef, disk: &str) -> Result<BlockStats> {
        let args = DomainPathArgs {
            dom: to_wire(dom),
            path: disk.to_string(),
        };
        let r: DomainBlockStatsRet = self.client().call(procs::DOMAIN_BLOCK_STATS, &args)?;
        Ok(BlockStats {
            rd_req: r.rd_req,
            rd_bytes: r.rd_bytes,
            wr_req: r.wr_req,
            wr_bytes: r.wr_bytes,
            errs: r.errs,
        })
    }

    fn interface_stats(&self, dom: &DomainRef, iface: &str) -> Result<InterfaceStats> {
        let args = DomainPathArgs {
            dom: to_wire(dom),
            path: iface.to_string(),
        };
        let r: DomainInterfaceStatsRet =
            self.client().call(procs::DOMAIN_INTERFACE_STATS, &args)?;
        Ok(InterfaceStats {
            rx_bytes: r.rx_bytes,
            rx_packets: r.rx_packets,
            rx_errs: r.rx_errs,
            rx_drop: r.rx_drop,
            tx_bytes: r.tx_bytes,
            tx_packets: r.tx_packets,
            tx_errs: r.tx_errs,
            tx_drop: r.tx_drop,
        })
    }

    fn vcpus(&self, dom: &DomainRef) -> Result<Vec<(VcpuInfo, CpuMap)>> {
        let maplen = maplen(self.host_cpus()?);
        let max: DomainRef = dom.clone();
        let n = self.vcpus_flags(&max, 0).unwrap_or(1).max(1);
        let args = DomainGetVcpusArgs {
            dom: to_wire(dom),
            maxinfo: i32::try_from(n).unwrap_or(i32::MAX),
            maplen,
        };
        let r: DomainGetVcpusRet = self.client().call(procs::DOMAIN_GET_VCPUS, &args)?;
        let step = usize::try_from(maplen).unwrap_or(0).max(1);
        Ok(r.info
            .into_iter()
            .zip(r.cpumaps.chunks(step).map(|c| CpuMap(c.to_vec())))
            .map(|(i, m)| {
                (
                    VcpuInfo {
                        number: i.number,
                        state: i.state,
                        cpu_time: i.cpu_time,
                        cpu: i.cpu,
                    },
                    m,
                )
            })
            .collect())
    }

    fn vcpu_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<CpuMap>> {
        let maplen = maplen(self.host_cpus()?);
        let n = self.vcpus_flags(dom, 4 | (flags & 3)).unwrap_or(1).max(1);
        let args = DomainGetVcpuPinInfoArgs {
            dom: to_wire(dom),
            ncpumaps: i32::try_from(n).unwrap_or(i32::MAX),
            maplen,
            flags,
        };
        let r: DomainGetVcpuPinInfoRet =
            self.client().call(procs::DOMAIN_GET_VCPU_PIN_INFO, &args)?;
        let step = usize::try_from(maplen).unwrap_or(0).max(1);
        Ok(r.cpumaps
            .chunks(step)
            .take(usize::try_from(r.num).unwrap_or(0))
            .map(|c| CpuMap(c.to_vec()))
            .collect())
    }

    fn emulator_pin_info(&self, dom: &DomainRef, flags: u32) -> Result<CpuMap> {
        let args = DomainGetEmulatorPinInfoArgs {
            dom: to_wire(dom),
            maplen: maplen(self.host_cpus()?),
            flags,
        };
        let r: DomainGetEmulatorPinInfoRet = self
            .client()
            .call(procs::DOMAIN_GET_EMULATOR_PIN_INFO, &args)?;
        Ok(CpuMap(r.cpumaps))
    }

    fn memory_peek(&self, dom: &DomainRef, start: u64, size: u32, flags: u32) -> Result<Vec<u8>> {
        let args = rvirt_rpc::monitoring::DomainMemoryPeekArgs {
            dom: to_wire(dom),
            offset: start,
            size,
            flags,
        };
        let r: rvirt_rpc::monitoring::DomainMemoryPeekRet =
            self.client().call(procs::DOMAIN_MEMORY_PEEK, &args)?;
        if r.buffer.len() != size as usize {
            return Err(rvirt_core::Error::internal(
                rvirt_core::ErrorDomain::Rpc,
                "returned buffer is not same size as requested",
            ));
        }
        Ok(r.buffer)
    }

    fn launch_security_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<TypedParam>> {
        let args = rvirt_rpc::monitoring::DomainGetLaunchSecurityInfoArgs {
            dom: to_wire(dom),
            flags,
        };
        let r: rvirt_rpc::monitoring::DomainGetLaunchSecurityInfoRet = self
            .client()
            .call(procs::DOMAIN_GET_LAUNCH_SECURITY_INFO, &args)?;
        Ok(r.params.into_iter().map(Into::into).collect())
    }

    fn iothread_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<IoThreadInfo>> {
        let r: DomainGetIothreadInfoRet = self.client().call(
            procs::DOMAIN_GET_IOTHREAD_INFO,
            &Self::dom_flags(dom, flags),
        )?;
        Ok(r.info
            .into_iter()
            .map(|t| IoThreadInfo {
                id: t.iothread_id,
                cpumap: CpuMap(t.cpumap),
            })
            .collect())
    }

    fn cpu_stats(
        &self,
        dom: &DomainRef,
        start_cpu: i32,
        ncpus: u32,
        flags: u32,
    ) -> Result<Vec<Vec<TypedParam>>> {
        let call = |nparams: u32, start_cpu: i32, ncpus: u32| -> Result<DomainGetCpuStatsRet> {
            let args = DomainGetCpuStatsArgs {
                dom: to_wire(dom),
                nparams,
                start_cpu,
                ncpus,
                flags,
            };
            self.client().call(procs::DOMAIN_GET_CPU_STATS, &args)
        };
        let (start, ncpus) = if start_cpu == -1 {
            (-1, 1)
        } else {
            let host = u32::try_from(call(0, 0, 0)?.nparams).unwrap_or(0);
            let start_u = u32::try_from(start_cpu).unwrap_or(u32::MAX);
            (
                start_cpu,
                ncpus
                    .min(host.saturating_sub(start_u))
                    .min(CPU_STATS_NCPUS_MAX),
            )
        };
        if ncpus == 0 {
            return Ok(Vec::new());
        }
        let per = u32::try_from(call(0, start, ncpus.min(1))?.nparams).unwrap_or(0);
        if per == 0 {
            return Ok(vec![Vec::new(); ncpus as usize]);
        }
        let r = call(per, start, ncpus)?;
        let stride = usize::try_from(r.nparams).unwrap_or(0).max(1);
        Ok(r.params
            .chunks(stride)
            .map(|row| {
                row.iter()
                    .filter(|p| !p.field.is_empty())
                    .cloned()
                    .map(Into::into)
                    .collect()
            })
            .collect())
    }

    fn guest_hostname(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        let r: DomainGetHostnameRet = self
            .client()
            .call(procs::DOMAIN_GET_HOSTNAME, &Self::dom_flags(dom, flags))?;
        Ok(r.hostname)
    }

    fn interface_addresses(
        &self,
        dom: &DomainRef,
        source: u32,
        flags: u32,
    ) -> Result<Vec<DomainInterface>> {
        let args = DomainInterfaceAddressesArgs {
            dom: to_wire(dom),
            source,
            flags,
        };
        let r: DomainInterfaceAddressesRet = self
            .client()
            .call(procs::DOMAIN_INTERFACE_ADDRESSES, &args)?;
        Ok(r.ifaces
            .into_iter()
            .map(|i| DomainInterface {
                name: i.name,
                hwaddr: i.hwaddr,
                addrs: i
                    .addrs
                    .into_iter()
                    .map(|a| IpAddress {
                        kind: a.type_,
                        addr: a.addr,
                        prefix: a.prefix,
                    })
                    .collect(),
            })
            .collect())
    }

    fn fs_info(&self, dom: &DomainRef, flags: u32) -> Result<Vec<FsInfo>> {
        let r: DomainGetFsinfoRet = self
            .client()
            .call(procs::DOMAIN_GET_FSINFO, &Self::dom_flags(dom, flags))?;
        Ok(r.info
            .into_iter()
            .map(|f| FsInfo {
                mountpoint: f.mountpoint,
                name: f.name,
                fstype: f.fstype,
                dev_aliases: f.dev_aliases,
            })
            .collect())
    }

    fn guest_time(&self, dom: &DomainRef, flags: u32) -> Result<(i64, u32)> {
        let r: DomainGetTimeRet = self
            .client()
            .call(procs::DOMAIN_GET_TIME, &Self::dom_flags(dom, flags))?;
        Ok((r.seconds, r.nseconds))
    }

    fn disk_errors(&self, dom: &DomainRef, flags: u32) -> Result<Vec<(String, i32)>> {
        let args = DomainGetDiskErrorsArgs {
            dom: to_wire(dom),
            maxerrors: DISK_ERRORS_MAX,
            flags,
        };
        let r: DomainGetDiskErrorsRet = self.client().call(procs::DOMAIN_GET_DISK_ERRORS, &args)?;
        Ok(r.errors.into_iter().map(|e| (e.disk, e.error)).collect())
    }

    fn scheduler_type(&self, dom: &DomainRef) -> Result<(String, i32)> {
        let r: DomainGetSchedulerTypeRet = self
            .client()
            .call(procs::DOMAIN_GET_SCHEDULER_TYPE, &Self::dom(dom))?;
        Ok((r.type_, r.nparams))
    }

    fn scheduler_parameters(&self, dom: &DomainRef, flags: u32) -> Result<Vec<TypedParam>> {
        // As libvirt's clients do: the count first, then that many.
        let (_, nparams) = self.scheduler_type(dom)?;
        let args = rvirt_rpc::tuning::DomainGetSchedulerParametersFlagsArgs {
            dom: to_wire(dom),
            nparams: nparams.clamp(1, rvirt_rpc::tuning::SCHEDULER_PARAMETERS_MAX as i32),
            flags,
        };
        let r: rvirt_rpc::tuning::DomainGetSchedulerParametersRet = self
            .client()
            .call(procs::DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS, &args)?;
        Ok(r.params.into_iter().map(Into::into).collect())
    }

    fn tuning_parameters(
        &self,
        dom: &DomainRef,
        what: &rvirt_core::api::Tunable,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        self.get_tuning(dom, what, flags)
    }

    fn vcpus_flags(&self, dom: &DomainRef, flags: u32) -> Result<u32> {
        let r: NumRet = self
            .client()
            .call(procs::DOMAIN_GET_VCPUS_FLAGS, &Self::dom_flags(dom, flags))?;
        Ok(u32::try_from(r.num).unwrap_or(0))
    }

    fn max_vcpus(&self, dom: &DomainRef) -> Result<u32> {
        let r: NumRet = self
            .client()
            .call(procs::DOMAIN_GET_MAX_VCPUS, &Self::dom(dom))?;
        Ok(u32::try_from(r.num).unwrap_or(0))
    }

    fn max_memory(&self, dom: &DomainRef) -> Result<u64> {
        let r: DomainGetMaxMemoryRet = self
            .client()
            .call(procs::DOMAIN_GET_MAX_MEMORY, &Self::dom(dom))?;
        Ok(r.memory)
    }

    fn os_type(&self, dom: &DomainRef) -> Result<String> {
        let r: DomainGetOsTypeRet = self
            .client()
            .call(procs::DOMAIN_GET_OS_TYPE, &Self::dom(dom))?;
        Ok(r.type_)
    }

    fn security_label(&self, dom: &DomainRef) -> Result<SecurityLabel> {
        let r: DomainGetSecurityLabelRet = self
            .client()
            .call(procs::DOMAIN_GET_SECURITY_LABEL, &Self::dom(dom))?;
        Ok(SecurityLabel {
            label: c_string(r.label),
            enforcing: r.enforcing != 0,
        })
    }

    fn security_label_list(&self, dom: &DomainRef) -> Result<Vec<SecurityLabel>> {
        let r: rvirt_rpc::monitoring::DomainGetSecurityLabelListRet = self
            .client()
            .call(procs::DOMAIN_GET_SECURITY_LABEL_LIST, &Self::dom(dom))?;
        Ok(r.labels
            .into_iter()
            .map(|l| SecurityLabel {
                label: c_string(l.label),
                enforcing: l.enforcing != 0,
            })
            .collect())
    }

    fn job_stats(&self, dom: &DomainRef, flags: u32) -> Result<(i32, Vec<TypedParam>)> {
        let r: rvirt_rpc::monitoring::DomainGetJobStatsRet = self
            .client()
            .call(procs::DOMAIN_GET_JOB_STATS, &Self::dom_flags(dom, flags))?;
        Ok((r.type_, r.params.into_iter().map(Into::into).collect()))
    }

    fn migrate_max_speed(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        let r: rvirt_rpc::monitoring::DomainMigrateGetMaxSpeedRet = self.client().call(
            procs::DOMAIN_MIGRATE_GET_MAX_SPEED,
            &Self::dom_flags(dom, flags),
        )?;
        Ok(r.bandwidth)
    }

    fn migrate_set_max_speed(&self, dom: &DomainRef, bandwidth: u64, flags: u32) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_MIGRATE_SET_MAX_SPEED,
            &rvirt_rpc::monitoring::DomainMigrateSetMaxSpeedArgs {
                dom: to_wire(dom),
                bandwidth,
                flags,
            },
        )
    }

    fn migrate_compression_cache(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        let r: rvirt_rpc::monitoring::DomainMigrateGetCompressionCacheRet = self.client().call(
            procs::DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
            &Self::dom_flags(dom, flags),
        )?;
        Ok(r.cache_size)
    }

    fn migrate_set_compression_cache(&self, dom: &DomainRef, size: u64, flags: u32) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_MIGRATE_SET_COMPRESSION_CACHE,
            &rvirt_rpc::monitoring::DomainMigrateSetCompressionCacheArgs {
                dom: to_wire(dom),
                cache_size: size,
                flags,
            },
        )
    }

    fn set_block_threshold(
        &self,
        dom: &DomainRef,
        dev: &str,
        threshold: u64,
        flags: u32,
    ) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_SET_BLOCK_THRESHOLD,
            &rvirt_rpc::monitoring::DomainSetBlockThresholdArgs {
                dom: to_wire(dom),
                dev: dev.to_string(),
                threshold,
                flags,
            },
        )
    }

    fn migrate_max_downtime(&self, dom: &DomainRef, flags: u32) -> Result<u64> {
        let r: rvirt_rpc::monitoring::DomainMigrateGetMaxDowntimeRet = self.client().call(
            procs::DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
            &Self::dom_flags(dom, flags),
        )?;
        Ok(r.downtime)
    }

    fn migrate_set_max_downtime(&self, dom: &DomainRef, downtime: u64, flags: u32) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
            &rvirt_rpc::monitoring::DomainMigrateSetMaxDowntimeArgs {
                dom: to_wire(dom),
                downtime,
                flags,
            },
        )
    }

    fn block_commit(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        top: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_BLOCK_COMMIT,
            &rvirt_rpc::monitoring::DomainBlockCommitArgs {
                dom: to_wire(dom),
                disk: disk.to_string(),
                base: base.map(str::to_string),
                top: top.map(str::to_string),
                bandwidth,
                flags,
            },
        )
    }

    fn block_pull(&self, dom: &DomainRef, disk: &str, bandwidth: u64, flags: u32) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_BLOCK_PULL,
            &rvirt_rpc::monitoring::DomainBlockPullArgs {
                dom: to_wire(dom),
                path: disk.to_string(),
                bandwidth,
                flags,
            },
        )
    }

    fn block_rebase(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_BLOCK_REBASE,
            &rvirt_rpc::monitoring::DomainBlockRebaseArgs {
                dom: to_wire(dom),
                path: disk.to_string(),
                base: base.map(str::to_string),
                bandwidth,
                flags,
            },
        )
    }

    fn block_copy(
        &self,
        dom: &DomainRef,
        disk: &str,
        destxml: &str,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_BLOCK_COPY,
            &rvirt_rpc::monitoring::DomainBlockCopyArgs {
                dom: to_wire(dom),
                path: disk.to_string(),
                destxml: destxml.to_string(),
                params: params.iter().cloned().map(Into::into).collect(),
                flags,
            },
        )
    }

    fn block_job_abort(&self, dom: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_BLOCK_JOB_ABORT,
            &rvirt_rpc::monitoring::DomainBlockJobAbortArgs {
                dom: to_wire(dom),
                path: disk.to_string(),
                flags,
            },
        )
    }

    fn block_job_set_speed(
        &self,
        dom: &DomainRef,
        disk: &str,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.client().call::<_, ()>(
            procs::DOMAIN_BLOCK_JOB_SET_SPEED,
            &rvirt_rpc::monitoring::DomainBlockJobSetSpeedArgs {
                dom: to_wire(dom),
                path: disk.to_string(),
                bandwidth,
                flags,
            },
        )
    }

    fn node_memory_parameters(&self, flags: u32) -> Result<Vec<TypedParam>> {
        use rvirt_rpc::monitoring::{NodeGetMemoryParametersArgs, NodeParamsRet};
        // libvirt's two steps: the count, then that many.
        let count: NodeParamsRet = self.client().call(
            procs::NODE_GET_MEMORY_PARAMETERS,
            &NodeGetMemoryParametersArgs { nparams: 0, flags },
        )?;
        if count.nparams == 0 {
            return Ok(Vec::new());
        }
        let r: NodeParamsRet = self.client().call(
            procs::NODE_GET_MEMORY_PARAMETERS,
            &NodeGetMemoryParametersArgs {
                nparams: count.nparams,
                flags,
            },
        )?;
        Ok(r.params.into_iter().map(Into::into).collect())
    }

    fn free_pages(&self, pages: &[u32], start: i32, count: u32, flags: u32) -> Result<Vec<u64>> {
        let args = rvirt_rpc::monitoring::NodeGetFreePagesArgs {
            pages: pages.to_vec(),
            start_cell: start,
            cell_count: count,
            flags,
        };
        let r: rvirt_rpc::monitoring::NodeGetFreePagesRet =
            self.client().call(procs::NODE_GET_FREE_PAGES, &args)?;
        Ok(r.counts)
    }

    fn block_stats_flags(
        &self,
        dom: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<Vec<TypedParam>> {
        use rvirt_rpc::monitoring::{DomainBlockStatsFlagsArgs, NodeParamsRet};
        let ask = |nparams| DomainBlockStatsFlagsArgs {
            dom: to_wire(dom),
            path: disk.to_string(),
            nparams,
            flags,
        };
        // libvirt's two steps: the count, then that many.
        let count: NodeParamsRet = self
            .client()
            .call(procs::DOMAIN_BLOCK_STATS_FLAGS, &ask(0))?;
        if count.nparams == 0 {
            return Ok(Vec::new());
        }
        let r: NodeParamsRet = self
            .client()
            .call(procs::DOMAIN_BLOCK_STATS_FLAGS, &ask(count.nparams))?;
        Ok(r.params.into_iter().map(Into::into).collect())
    }

    fn block_job_info(
        &self,
        dom: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<Option<rvirt_core::api::BlockJobInfo>> {
        let args = rvirt_rpc::monitoring::DomainGetBlockJobInfoArgs {
            dom: to_wire(dom),
            path: disk.to_string(),
            flags,
        };
        let r: rvirt_rpc::monitoring::DomainGetBlockJobInfoRet = self
            .client()
            .call(procs::DOMAIN_GET_BLOCK_JOB_INFO, &args)?;
        Ok((r.found != 0).then_some(rvirt_core::api::BlockJobInfo {
            job_type: r.type_,
            bandwidth: r.bandwidth,
            cur: r.cur,
            end: r.end,
        }))
    }

    fn block_peek(
        &self,
        dom: &DomainRef,
        disk: &str,
        offset: u64,
        size: u32,
        flags: u32,
    ) -> Result<Vec<u8>> {
        let args = rvirt_rpc::monitoring::DomainBlockPeekArgs {
            dom: to_wire(dom),
            path: disk.to_string(),
            offset,
            size,
            flags,
        };
        let r: rvirt_rpc::monitoring::DomainBlockPeekRet =
            self.client().call(procs::DOMAIN_BLOCK_PEEK, &args)?;
        Ok(r.buffer)
    }

    fn start_dirty_rate_calc(&self, dom: &DomainRef, seconds: i32, flags: u32) -> Result<()> {
        let args = rvirt_rpc::monitoring::DomainStartDirtyRateCalcArgs {
            dom: to_wire(dom),
            seconds,
            flags,
        };
        self.client()
            .call(procs::DOMAIN_START_DIRTY_RATE_CALC, &args)
    }

    fn sev_info(&self, flags: u32) -> Result<Vec<TypedParam>> {
        let r: rvirt_rpc::monitoring::NodeParamsRet = self.client().call(
            procs::NODE_GET_SEV_INFO,
            &rvirt_rpc::monitoring::NodeGetSevInfoArgs { nparams: 0, flags },
        )?;
        Ok(r.params.into_iter().map(Into::into).collect())
    }

    fn metadata(
        &self,
        dom: &DomainRef,
        kind: MetadataType,
        uri: Option<&str>,
        flags: u32,
    ) -> Result<String> {
        let args = DomainGetMetadataArgs {
            dom: to_wire(dom),
            type_: kind.as_raw(),
            uri: uri.map(str::to_string),
            flags,
        };
        let r: DomainGetMetadataRet = self.client().call(procs::DOMAIN_GET_METADATA, &args)?;
        Ok(r.metadata)
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
        let args = DomainSetMetadataArgs {
            dom: to_wire(dom),
            type_: kind.as_raw(),
            metadata: metadata.map(str::to_string),
            key: key.map(str::to_string),
            uri: uri.map(str::to_string),
            flags,
        };
        self.client().call(procs::DOMAIN_SET_METADATA, &args)
    }

    fn node_free_memory(&self) -> Result<u64> {
        let r: NodeGetFreeMemoryRet = self.client().call(procs::NODE_GET_FREE_MEMORY, &())?;
        Ok(r.free_mem)
    }

    fn cells_free_memory(&self, start: i32, max: i32) -> Result<Vec<u64>> {
        let args = NodeGetCellsFreeMemoryArgs {
            start_cell: start,
            maxcells: max.min(NODE_MAX_CELLS),
        };
        let r: NodeGetCellsFreeMemoryRet = self
            .client()
            .call(procs::NODE_GET_CELLS_FREE_MEMORY, &args)?;
        Ok(r.cells)
    }

    fn node_cpu_map(&self, flags: u32) -> Result<NodeCpuMap> {
        let args = NodeGetCpuMapArgs {
            need_map: 1,
            need_online: 1,
            flags,
        };
        let r: NodeGetCpuMapRet = self.client().call(procs::NODE_GET_CPU_MAP, &args)?;
        Ok(NodeCpuMap {
            cpus: u32::try_from(r.ret).unwrap_or(0),
            online: CpuMap(r.cpumap),
        })
    }

    fn security_model(&self) -> Result<SecurityModel> {
        let r: NodeGetSecurityModelRet = self.client().call(procs::NODE_GET_SECURITY_MODEL, &())?;
        Ok(SecurityModel {
            model: c_string(r.model),
            doi: c_string(r.doi),
        })
    }
}

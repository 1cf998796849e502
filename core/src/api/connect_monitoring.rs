//! [`Connect`]'s monitoring calls: statistics of many domains at once and node facts.

use super::{Connect, Domain, DomainStatsRecord, NodeCpuMap, NodeStat, SecurityModel, StatsGroups};
use crate::driver::Monitoring;
use crate::{Error, ErrorDomain, Result};

impl Connect {
    /// The driver's monitoring operations, or `VIR_ERR_NO_SUPPORT` naming `api`.
    pub(crate) fn monitoring(&self, api: &str) -> Result<&dyn Monitoring> {
        self.driver()?
            .monitoring()
            .ok_or_else(|| Error::no_support(ErrorDomain::Domain, api.to_string()))
    }

    /// Statistics in `groups` (an empty set: every group the driver has) of every domain
    /// `flags` selects (`virConnectGetAllDomainStats`).
    pub fn all_domain_stats(
        &self,
        groups: StatsGroups,
        flags: u32,
    ) -> Result<Vec<DomainStatsRecord<Domain>>> {
        let recs = self
            .monitoring("virConnectGetAllDomainStats")?
            .all_domain_stats(None, groups, flags)?;
        Ok(self.wrap_records(recs))
    }

    /// Statistics of those of `doms` the filter bits of `flags` accept
    /// (`virDomainListGetStats`).
    pub fn domain_list_stats(
        &self,
        doms: &[Domain],
        groups: StatsGroups,
        flags: u32,
    ) -> Result<Vec<DomainStatsRecord<Domain>>> {
        let refs: Vec<_> = doms.iter().map(|d| d.domain_ref().clone()).collect();
        let recs = self.monitoring("virDomainListGetStats")?.all_domain_stats(
            Some(&refs),
            groups,
            flags,
        )?;
        Ok(self.wrap_records(recs))
    }

    fn wrap_records(
        &self,
        recs: Vec<DomainStatsRecord<crate::driver::DomainRef>>,
    ) -> Vec<DomainStatsRecord<Domain>> {
        recs.into_iter()
            .map(|r| DomainStatsRecord {
                domain: Domain::from_ref(self.clone(), r.domain),
                params: r.params,
            })
            .collect()
    }

    /// Free memory of the node, bytes (`virNodeGetFreeMemory`).
    pub fn node_free_memory(&self) -> Result<u64> {
        self.monitoring("virNodeGetFreeMemory")?.node_free_memory()
    }

    /// Free memory of NUMA cells `start..start+max`, bytes (`virNodeGetCellsFreeMemory`).
    pub fn cells_free_memory(&self, start: i32, max: i32) -> Result<Vec<u64>> {
        self.monitoring("virNodeGetCellsFreeMemory")?
            .cells_free_memory(start, max)
    }

    /// The node's CPU time counters, ns, of `cpu` or all CPUs with -1
    /// (`virNodeGetCPUStats`).
    pub fn node_cpu_stats(&self, cpu: i32, flags: u32) -> Result<Vec<NodeStat>> {
        self.monitoring("virNodeGetCPUStats")?
            .node_cpu_stats(cpu, flags)
    }

    /// The host's memory tunables (`virNodeGetMemoryParameters`): KSM's
    /// `shm_pages_to_scan`, `shm_sleep_millisecs`, … as typed parameters.
    pub fn node_memory_parameters(&self, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        self.monitoring("virNodeGetMemoryParameters")?
            .node_memory_parameters(flags)
    }

    /// Free pages of each size in `pages` (KiB) on `count` NUMA cells from `start`,
    /// cell after cell (`virNodeGetFreePages`).
    pub fn free_pages(
        &self,
        pages: &[u32],
        start: i32,
        count: u32,
        flags: u32,
    ) -> Result<Vec<u64>> {
        self.monitoring("virNodeGetFreePages")?
            .free_pages(pages, start, count, flags)
    }

    /// `xml` as the hypervisor's own configuration in `format` (`qemu-argv`)
    /// (`virConnectDomainXMLToNative`). A read-write connection only.
    pub fn domain_xml_to_native(&self, format: &str, xml: &str, flags: u32) -> Result<String> {
        self.check_writable("virConnectDomainXMLToNative")?;
        self.driver()?.domain_xml_to_native(format, xml, flags)
    }

    /// The host's AMD SEV facts (`virNodeGetSEVInfo`). A read-write connection only.
    pub fn sev_info(&self, flags: u32) -> Result<Vec<crate::api::TypedParam>> {
        self.check_writable("virNodeGetSEVInfo")?;
        self.monitoring("virNodeGetSEVInfo")?.sev_info(flags)
    }

    /// The node's memory counters, KiB, of NUMA `cell` or all cells with -1
    /// (`virNodeGetMemoryStats`).
    pub fn node_memory_stats(&self, cell: i32, flags: u32) -> Result<Vec<NodeStat>> {
        self.monitoring("virNodeGetMemoryStats")?
            .node_memory_stats(cell, flags)
    }

    /// The node's CPUs and which are online (`virNodeGetCPUMap`).
    pub fn node_cpu_map(&self, flags: u32) -> Result<NodeCpuMap> {
        self.monitoring("virNodeGetCPUMap")?.node_cpu_map(flags)
    }

    /// The node's security model (`virNodeGetSecurityModel`).
    pub fn security_model(&self) -> Result<SecurityModel> {
        self.monitoring("virNodeGetSecurityModel")?.security_model()
    }
}

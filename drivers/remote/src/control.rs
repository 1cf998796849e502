//! Acting on a running guest and reading the node's counters over the wire (the
//! inverse of rvirtd's control handlers): reset, NMI, keys, block resize, jobs, node
//! CPU and memory counters (asked for their count first, as libvirt's client does).

use rvirt_core::Result;
use rvirt_core::api::{JobInfo, NodeStat};
use rvirt_core::driver::DomainRef;
use rvirt_rpc::control::*;
use rvirt_rpc::procs;

use crate::connection::RemoteConnection;
use crate::wire::to_wire;

fn node_stats(ret: NodeStatsRet) -> Vec<NodeStat> {
    ret.params
        .into_iter()
        .map(|s| NodeStat {
            field: s.field,
            value: s.value,
        })
        .collect()
}

impl RemoteConnection {
    pub(crate) fn remote_send_key(
        &self,
        dom: &DomainRef,
        codeset: u32,
        holdtime: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        let args = DomainSendKeyArgs {
            dom: to_wire(dom),
            codeset,
            holdtime,
            keycodes: keycodes.to_vec(),
            flags,
        };
        self.client().call(procs::DOMAIN_SEND_KEY, &args)
    }

    pub(crate) fn remote_set_time(
        &self,
        dom: &DomainRef,
        seconds: i64,
        nseconds: u32,
        flags: u32,
    ) -> Result<()> {
        let args = DomainSetTimeArgs {
            dom: to_wire(dom),
            seconds,
            nseconds,
            flags,
        };
        self.client().call(procs::DOMAIN_SET_TIME, &args)
    }

    /// DOMAIN_FSFREEZE or DOMAIN_FSTHAW (`proc_`).
    pub(crate) fn remote_fs_freeze_thaw(
        &self,
        proc_: i32,
        dom: &DomainRef,
        mountpoints: &[String],
        flags: u32,
    ) -> Result<u32> {
        let args = DomainFsfreezeArgs {
            dom: to_wire(dom),
            mountpoints: mountpoints.to_vec(),
            flags,
        };
        let r: DomainFsfreezeRet = self.client().call(proc_, &args)?;
        Ok(u32::try_from(r.filesystems).unwrap_or(0))
    }

    pub(crate) fn remote_guest_info(
        &self,
        dom: &DomainRef,
        types: u32,
        flags: u32,
    ) -> Result<Vec<rvirt_core::api::TypedParam>> {
        let args = DomainGetGuestInfoArgs {
            dom: to_wire(dom),
            types,
            flags,
        };
        let r: DomainGetGuestInfoRet = self.client().call(procs::DOMAIN_GET_GUEST_INFO, &args)?;
        Ok(r.params.into_iter().map(Into::into).collect())
    }

    pub(crate) fn remote_set_user_password(
        &self,
        dom: &DomainRef,
        user: &str,
        password: &str,
        flags: u32,
    ) -> Result<()> {
        let args = DomainSetUserPasswordArgs {
            dom: to_wire(dom),
            user: Some(user.to_owned()),
            password: Some(password.to_owned()),
            flags,
        };
        self.client().call(procs::DOMAIN_SET_USER_PASSWORD, &args)
    }

    pub(crate) fn remote_pm_suspend_for_duration(
        &self,
        dom: &DomainRef,
        target: u32,
        duration: u64,
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::control::DomainPmSuspendForDurationArgs {
            dom: to_wire(dom),
            target,
            duration,
            flags,
        };
        self.client()
            .call(procs::DOMAIN_PM_SUSPEND_FOR_DURATION, &args)
    }

    pub(crate) fn remote_authorized_ssh_keys(
        &self,
        dom: &DomainRef,
        user: &str,
        flags: u32,
    ) -> Result<Vec<String>> {
        let args = rvirt_rpc::control::DomainAuthorizedSshKeysGetArgs {
            dom: to_wire(dom),
            user: user.to_owned(),
            flags,
        };
        let ret: rvirt_rpc::control::DomainAuthorizedSshKeysGetRet = self
            .client()
            .call(procs::DOMAIN_AUTHORIZED_SSH_KEYS_GET, &args)?;
        Ok(ret.keys)
    }

    pub(crate) fn remote_set_authorized_ssh_keys(
        &self,
        dom: &DomainRef,
        user: &str,
        keys: &[String],
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::control::DomainAuthorizedSshKeysSetArgs {
            dom: to_wire(dom),
            user: user.to_owned(),
            keys: keys.to_vec(),
            flags,
        };
        self.client()
            .call(procs::DOMAIN_AUTHORIZED_SSH_KEYS_SET, &args)
    }

    pub(crate) fn remote_guest_vcpus(
        &self,
        dom: &DomainRef,
        flags: u32,
    ) -> Result<Vec<rvirt_core::api::TypedParam>> {
        let args = rvirt_rpc::types::DomainFlagsArgs {
            dom: to_wire(dom),
            flags,
        };
        let ret: rvirt_rpc::control::DomainGetGuestVcpusRet =
            self.client().call(procs::DOMAIN_GET_GUEST_VCPUS, &args)?;
        Ok(ret.params.into_iter().map(Into::into).collect())
    }

    pub(crate) fn remote_set_guest_vcpus(
        &self,
        dom: &DomainRef,
        cpumap: &str,
        online: bool,
        flags: u32,
    ) -> Result<()> {
        let args = rvirt_rpc::control::DomainSetGuestVcpusArgs {
            dom: to_wire(dom),
            cpumap: cpumap.to_owned(),
            state: online as i32,
            flags,
        };
        self.client().call(procs::DOMAIN_SET_GUEST_VCPUS, &args)
    }

    pub(crate) fn remote_agent_set_response_timeout(
        &self,
        dom: &DomainRef,
        timeout: i32,
        flags: u32,
    ) -> Result<()> {
        let args = DomainAgentSetResponseTimeoutArgs {
            dom: to_wire(dom),
            timeout,
            flags,
        };
        let _: DomainAgentSetResponseTimeoutRet = self
            .client()
            .call(procs::DOMAIN_AGENT_SET_RESPONSE_TIMEOUT, &args)?;
        Ok(())
    }

    pub(crate) fn remote_block_resize(
        &self,
        dom: &DomainRef,
        disk: &str,
        size: u64,
        flags: u32,
    ) -> Result<()> {
        let args = DomainBlockResizeArgs {
            dom: to_wire(dom),
            disk: disk.to_owned(),
            size,
            flags,
        };
        self.client().call(procs::DOMAIN_BLOCK_RESIZE, &args)
    }

    pub(crate) fn remote_qemu_monitor_command(
        &self,
        dom: &DomainRef,
        cmd: &str,
        flags: u32,
    ) -> Result<String> {
        use rvirt_rpc::qemu::*;
        let args = DomainMonitorCommandArgs {
            dom: to_wire(dom),
            cmd: cmd.to_owned(),
            flags,
        };
        let r: DomainMonitorCommandRet = self.client().call_program(
            (QEMU_PROGRAM, QEMU_PROTOCOL_VERSION),
            DOMAIN_MONITOR_COMMAND,
            &args,
            None,
        )?;
        Ok(r.result)
    }

    pub(crate) fn remote_qemu_agent_command(
        &self,
        dom: &DomainRef,
        cmd: &str,
        timeout: i32,
        flags: u32,
    ) -> Result<String> {
        use rvirt_rpc::qemu::*;
        let args = DomainAgentCommandArgs {
            dom: to_wire(dom),
            cmd: cmd.to_owned(),
            timeout,
            flags,
        };
        let r: DomainAgentCommandRet = self.client().call_program(
            (QEMU_PROGRAM, QEMU_PROTOCOL_VERSION),
            DOMAIN_AGENT_COMMAND,
            &args,
            None,
        )?;
        Ok(r.result.unwrap_or_default())
    }

    pub(crate) fn remote_job_info(&self, dom: &DomainRef) -> Result<JobInfo> {
        let r: DomainGetJobInfoRet = self.client().call(
            procs::DOMAIN_GET_JOB_INFO,
            &rvirt_rpc::types::DomainArgs { dom: to_wire(dom) },
        )?;
        Ok(JobInfo {
            job_type: r.job_type,
            time_elapsed: r.time_elapsed,
            time_remaining: r.time_remaining,
            data: [r.data_total, r.data_processed, r.data_remaining],
            mem: [r.mem_total, r.mem_processed, r.mem_remaining],
            file: [r.file_total, r.file_processed, r.file_remaining],
        })
    }

    pub(crate) fn remote_node_cpu_stats(&self, cpu: i32, flags: u32) -> Result<Vec<NodeStat>> {
        let ask = |nparams| NodeGetCpuStatsArgs {
            cpu_num: cpu,
            nparams,
            flags,
        };
        let count: NodeStatsRet = self.client().call(procs::NODE_GET_CPU_STATS, &ask(0))?;
        let r: NodeStatsRet = self
            .client()
            .call(procs::NODE_GET_CPU_STATS, &ask(count.nparams))?;
        Ok(node_stats(r))
    }

    pub(crate) fn remote_node_memory_stats(&self, cell: i32, flags: u32) -> Result<Vec<NodeStat>> {
        let ask = |nparams| NodeGetMemoryStatsArgs {
            nparams,
            cell_num: cell,
            flags,
        };
        let count: NodeStatsRet = self.client().call(procs::NODE_GET_MEMORY_STATS, &ask(0))?;
        let r: NodeStatsRet = self
            .client()
            .call(procs::NODE_GET_MEMORY_STATS, &ask(count.nparams))?;
        Ok(node_stats(r))
    }
}

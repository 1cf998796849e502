//! Block pull (`virsh blockpull DOM DISK [--base IMAGE] [--bandwidth N] [--wait]`): QEMU's
//! `block-stream` copies the data of the images beneath a running disk's active layer (all
//! of them, or those above `base`) into it, and the active layer then reads only what is
//! left beneath. The disk keeps reading the same top image, so its definitions do not
//! change; the job ends by itself (BLOCK_JOB_COMPLETED, with libvirt's events). The images
//! pulled from stay in QEMU as unused nodes until the domain stops. A rebase with `COPY`
//! is a block copy ([`super::copy`]).

use rvirt_core::driver::DomainRef;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::chain::chain_of;
use super::{JobKind, bandwidth_bytes, invalid, job_id};
use crate::driver::connection::check_flags;
use crate::driver::instance::Shared;
use crate::driver::start::MONITOR_TIMEOUT;

/// `VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES` (and `VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES`).
const PULL_BANDWIDTH_BYTES: u32 = 64;
/// `virDomainBlockRebaseFlags` a pull accepts: `RELATIVE` (the backing name written into
/// the image stays QEMU's choice) and `BANDWIDTH_BYTES`.
const REBASE_RELATIVE: u32 = 16;
/// `VIR_DOMAIN_BLOCK_REBASE_COPY` and the flags that only go with it.
const REBASE_COPY: u32 = 8;
const REBASE_COPY_ONLY: u32 = 1 | 2 | 4 | 32;

impl Shared {
    /// `virDomainBlockPull`: everything beneath the active layer into it.
    pub(crate) fn block_pull(
        &self,
        dom: &DomainRef,
        disk: &str,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, PULL_BANDWIDTH_BYTES, "qemuDomainBlockPull")?;
        self.pull(
            dom,
            disk,
            None,
            bandwidth,
            flags & PULL_BANDWIDTH_BYTES != 0,
        )
    }

    /// `virDomainBlockRebase` without `COPY`: a pull of the images above `base`.
    pub(crate) fn block_rebase(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            REBASE_COPY | REBASE_COPY_ONLY | REBASE_RELATIVE | PULL_BANDWIDTH_BYTES,
            "qemuDomainBlockRebase",
        )?;
        if flags & REBASE_COPY != 0 {
            return self.block_rebase_copy(dom, disk, base, bandwidth, flags);
        }
        if flags & REBASE_COPY_ONLY != 0 {
            return Err(invalid(
                "flags other than relative and bandwidth in bytes require copy".into(),
            ));
        }
        self.pull(
            dom,
            disk,
            base,
            bandwidth,
            flags & PULL_BANDWIDTH_BYTES != 0,
        )
    }

    /// Starts QEMU's stream job into `disk`'s active layer from beneath it down to `base`
    /// (a file of the chain; `None`: the whole chain).
    fn pull(
        &self,
        dom: &DomainRef,
        disk: &str,
        base: Option<&str>,
        bandwidth: u64,
        bytes: bool,
    ) -> Result<()> {
        let speed = bandwidth_bytes(bandwidth, bytes)?;
        let entry = self.domains.list.get(dom)?;
        let _job = entry.begin_job("virDomainBlockPull")?;
        let d = self.running_disk(dom, disk)?;
        if d.job()?.is_some() {
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Qemu,
                format!("disk '{}' already in active block job", d.target),
            ));
        }
        let mut args = json!({
            "job-id": job_id(JobKind::Pull, &d.alias),
            "device": d.node,
            "auto-finalize": true,
            "auto-dismiss": true,
        });
        if let Some(b) = base {
            let nodes = d
                .mon
                .call("query-named-block-nodes", None, MONITOR_TIMEOUT)?;
            let chain = chain_of(&nodes, &d.node);
            let link = chain.iter().skip(1).find(|l| l.file == b).ok_or_else(|| {
                invalid(format!(
                    "could not find image '{b}' beneath '{}' in chain for '{}'",
                    chain.first().map_or(disk, |l| l.file.as_str()),
                    d.target
                ))
            })?;
            args["base-node"] = json!(link.node);
        }
        if speed > 0 {
            args["speed"] = json!(speed);
        }
        d.mon.call("block-stream", Some(args), MONITOR_TIMEOUT)?;
        Ok(())
    }
}

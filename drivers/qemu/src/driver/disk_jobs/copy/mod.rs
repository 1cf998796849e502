//! Block copy (`virsh blockcopy DOM DISK DEST [--shallow] [--reuse-external] [--format F]
//! [--blockdev] [--transient-job] [--bandwidth N] [--granularity N] [--buf-size N]
//! [--synchronous-writes] [--wait [--pivot|--finish]]`): a running disk's data is copied
//! to a new image (all of its chain, or with `--shallow` its top, the new image then
//! backed by the same image as the top), the guest's writes are mirrored into it, and the
//! job stays ready until it is pivoted (the disk then reads the copy) or cancelled (the
//! disk keeps its image; the copy stays on the host, consistent if the job was ready).
//! `virDomainBlockCopy` and `virDomainBlockRebase` with `COPY` both start it.
//!
//! As in libvirt 9.0, the domain must be transient, or the caller must accept a job that
//! does not survive a restart of the domain (`--transient-job`): QEMU cannot start a domain
//! with a copy under way. The destination is created (with the source's format and
//! virtual size) unless it is to be reused; an existing destination that is no block
//! device is refused, as libvirt refuses it. While the job runs, the live XML shows the
//! destination as the disk's `<mirror>`, `ready='yes'` once QEMU says the job is ready;
//! the `<mirror>` is what a pivot switches to, so a pivot after a daemon restart finds
//! its destination in the domain's status XML. At a pivot the definitions follow the
//! disk (the persistent one too when it named the same image, as libvirt rewrites it) and
//! the images the disk no longer reads leave QEMU.

use std::path::Path;

use rvirt_core::api::TypedParam;
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::DomainRef;
use rvirt_core::objects::Job;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::chain::{Link, chain_of, storage_node_of};
use super::{JobKind, RunningDisk, bandwidth_bytes, invalid, job_id};
use crate::driver::configuration::touch_status;
use crate::driver::connection::check_flags;
use crate::driver::instance::{Shared, not_running};
use crate::driver::monitor::Monitor;
use crate::driver::running::Running;
use crate::driver::snapshot::external::{free_pair, node_names};
use crate::driver::snapshot::live::live_disks;
use crate::driver::snapshot::qemu_img;
use crate::driver::start::MONITOR_TIMEOUT;
use destination::{Destination, copy_params, parse_destination, probe_format};
use mirror::{mirror_element, mirror_of, point_at_copy, set_mirror};

mod destination;
mod mirror;

pub(crate) use mirror::{drop_mirrors, mark_ready};

/// `virDomainBlockCopyFlags`.
const COPY_SHALLOW: u32 = 1;
const COPY_REUSE_EXT: u32 = 2;
const COPY_TRANSIENT_JOB: u32 = 4;
const COPY_SYNCHRONOUS_WRITES: u32 = 8;
/// `virDomainBlockRebaseFlags` of a copy (`SHALLOW` and `REUSE_EXT` are the copy's).
const REBASE_COPY_RAW: u32 = 4;
const REBASE_RELATIVE: u32 = 16;
const REBASE_COPY_DEV: u32 = 32;
const REBASE_BANDWIDTH_BYTES: u32 = 64;
/// What a copy was asked for.
struct Request {
    dest: Destination,
    shallow: bool,
    reuse: bool,
    /// The caller accepts a job that does not survive the domain's restart.
    transient_job: bool,
    sync_writes: bool,
    /// Bytes/s; 0: no cap.
    speed: u64,
    granularity: Option<u32>,
    buf_size: Option<u64>,
    api: &'static str,
}

/// Removes `nodes` in their order (a node before those it reads), ignoring failures.
fn drop_nodes(mon: &Monitor, nodes: &[String]) {
    for node in nodes {
        let _ = mon.call(
            "blockdev-del",
            Some(json!({ "node-name": node })),
            MONITOR_TIMEOUT,
        );
    }
}

/// The format node reading `path` (and its storage node), if QEMU has one.
fn nodes_of(nodes: &Value, path: &str) -> Vec<String> {
    let format = nodes.as_array().into_iter().flatten().find_map(|n| {
        let drv = n.get("drv")?.as_str()?;
        (n.get("file")?.as_str()? == path && !["file", "host_device"].contains(&drv))
            .then(|| n.get("node-name")?.as_str().map(str::to_owned))
            .flatten()
    });
    format
        .into_iter()
        .flat_map(|f| {
            let storage = storage_node_of(&f);
            std::iter::once(f).chain(storage)
        })
        .collect()
}

impl Shared {
    /// `virDomainBlockCopy`: starts copying `disk` to the `<disk>` of `destxml`.
    pub(crate) fn block_copy(
        &self,
        dom: &DomainRef,
        disk: &str,
        destxml: &str,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            COPY_SHALLOW | COPY_REUSE_EXT | COPY_TRANSIENT_JOB | COPY_SYNCHRONOUS_WRITES,
            "qemuDomainBlockCopy",
        )?;
        let (speed, granularity, buf_size) = copy_params(params)?;
        let dest = parse_destination(destxml)?;
        self.copy(
            dom,
            disk,
            Request {
                dest,
                shallow: flags & COPY_SHALLOW != 0,
                reuse: flags & COPY_REUSE_EXT != 0,
                transient_job: flags & COPY_TRANSIENT_JOB != 0,
                sync_writes: flags & COPY_SYNCHRONOUS_WRITES != 0,
                speed,
                granularity,
                buf_size,
                api: "virDomainBlockCopy",
            },
        )
    }

    /// `virDomainBlockRebase` with `COPY`: a copy of `disk` to the file (or with
    /// `COPY_DEV` block device) `dest`, raw with `COPY_RAW`.
    pub(crate) fn block_rebase_copy(
        &self,
        dom: &DomainRef,
        disk: &str,
        dest: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        if flags & REBASE_RELATIVE != 0 {
            return Err(Error::new(
                ErrorCode::ArgumentUnsupported,
                ErrorDomain::Qemu,
                "Relative backing during copy not supported yet",
            ));
        }
        let speed = bandwidth_bytes(bandwidth, flags & REBASE_BANDWIDTH_BYTES != 0)?;
        let path = dest
            .filter(|p| !p.is_empty())
            .ok_or_else(|| invalid("missing destination of the copy".into()))?;
        if !path.starts_with('/') {
            return Err(invalid(format!(
                "destination '{path}' must be an absolute path"
            )));
        }
        self.copy(
            dom,
            disk,
            Request {
                dest: Destination {
                    path: path.to_string(),
                    format: (flags & REBASE_COPY_RAW != 0).then(|| "raw".to_string()),
                    block: flags & REBASE_COPY_DEV != 0,
                },
                shallow: flags & COPY_SHALLOW != 0,
                reuse: flags & COPY_REUSE_EXT != 0,
                transient_job: false,
                sync_writes: false,
                speed,
                granularity: None,
                buf_size: None,
                api: "virDomainBlockRebase",
            },
        )
    }

    /// Starts QEMU's mirror job from `disk` to the request's destination.
    fn copy(&self, dom: &DomainRef, disk: &str, req: Request) -> Result<()> {
        let entry = self.domains.list.get(dom)?;
        let job = entry.begin_job(req.api)?;
        let d = self.running_disk(dom, disk)?;
        if job.lock().persistent && !req.transient_job {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "domain is not transient",
            ));
        }
        if d.job()?.is_some() {
            return Err(Error::new(
                ErrorCode::BlockCopyActive,
                ErrorDomain::Qemu,
                format!("disk '{}' already in active block job", d.target),
            ));
        }
        let (def, status) = {
            let vm = job.lock();
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            (vm.def.clone(), run.status.clone())
        };
        let nodes = d
            .mon
            .call("query-named-block-nodes", None, MONITOR_TIMEOUT)?;
        let chain = chain_of(&nodes, &d.node);
        let top = chain
            .first()
            .ok_or_else(|| invalid(format!("disk '{}' has no source", d.target)))?;
        let path = Path::new(&req.dest.path);
        // Never into the daemon's own files, whatever the client named.
        rvirt_core::driver::save_file::check_client_path(&req.dest.path).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!(
                    "cannot use '{}' as a copy destination: {}",
                    req.dest.path,
                    rvirt_core::driver::save_file::strerror(&e)
                ),
            )
        })?;
        let existing = std::fs::metadata(path);
        let format = match (&req.dest.format, req.reuse) {
            (Some(f), _) => f.clone(),
            (None, true) => probe_format(path),
            (None, false) => top.format.clone(),
        };
        let mut created = false;
        if req.reuse {
            if let Err(e) = existing {
                return Err(Error::new(
                    ErrorCode::SystemError,
                    ErrorDomain::Qemu,
                    format!(
                        "missing destination file for disk {}: {}: {}",
                        d.target,
                        req.dest.path,
                        rvirt_core::driver::save_file::strerror(&e)
                    ),
                ));
            }
        } else if let Ok(meta) = existing {
            use std::os::unix::fs::FileTypeExt;
            if !meta.file_type().is_block_device() {
                return Err(Error::new(
                    ErrorCode::ConfigUnsupported,
                    ErrorDomain::Qemu,
                    format!(
                        "external destination file for disk {} already exists and is not a block device: {}",
                        d.target, req.dest.path
                    ),
                ));
            }
        } else {
            let size = live_disks(&d.mon, &def)?
                .into_iter()
                .find(|l| l.target == d.target)
                .map(|l| l.size)
                .ok_or_else(|| {
                    Error::internal(
                        ErrorDomain::Qemu,
                        format!("QEMU does not show disk '{}' with media", d.target),
                    )
                })?;
            let backing = chain
                .get(1)
                .filter(|_| req.shallow)
                .map(|b| (Path::new(&b.file), b.format.as_str()));
            qemu_img::create_image(path, &format, Some(size), backing)?;
            created = true;
        }
        if let Err(e) = self.start_mirror(&d, &req, &format, &chain, &def, &status) {
            if created {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
        let mut vm = job.lock();
        set_mirror(
            &mut vm.def,
            &d.target,
            Some(mirror_element(&req.dest, &format)),
        );
        touch_status(&mut vm);
        Ok(())
    }

    /// Gives the destination to QEMU and starts the mirror job (the nodes it added go
    /// again if it fails).
    fn start_mirror(
        &self,
        d: &RunningDisk,
        req: &Request,
        format: &str,
        chain: &[Link],
        def: &DomainDef,
        status: &Path,
    ) -> Result<()> {
        self.give_to_qemu(def, Path::new(&req.dest.path), status)?;
        let used = node_names(&d.mon)?;
        let (storage, fmt) = free_pair(&used, &mut Vec::new());
        let mut added = Vec::new();
        let step = (|| -> Result<()> {
            let driver = if req.dest.block {
                "host_device"
            } else {
                "file"
            };
            d.mon.call(
                "blockdev-add",
                Some(json!({"driver": driver, "filename": req.dest.path, "node-name": storage})),
                MONITOR_TIMEOUT,
            )?;
            added.push(storage.clone());
            let mut node = json!({"driver": format, "node-name": fmt, "file": storage});
            if format != "raw" {
                node["backing"] = match chain.get(1).filter(|_| req.shallow) {
                    Some(b) => json!(b.node),
                    None => Value::Null,
                };
            }
            d.mon.call("blockdev-add", Some(node), MONITOR_TIMEOUT)?;
            added.push(fmt.clone());
            let mut args = json!({
                "job-id": job_id(JobKind::Copy, &d.alias),
                "device": d.node,
                "target": fmt,
                "sync": if req.shallow { "top" } else { "full" },
                "auto-finalize": true,
                "auto-dismiss": true,
            });
            if req.speed > 0 {
                args["speed"] = json!(req.speed);
            }
            if let Some(g) = req.granularity {
                args["granularity"] = json!(g);
            }
            if let Some(b) = req.buf_size {
                args["buf-size"] = json!(b);
            }
            if req.sync_writes {
                args["copy-mode"] = json!("write-blocking");
            }
            d.mon.call("blockdev-mirror", Some(args), MONITOR_TIMEOUT)?;
            Ok(())
        })();
        if step.is_err() {
            added.reverse();
            drop_nodes(&d.mon, &added);
        }
        step
    }

    /// Completes the ready copy `id` of `d`: the disk reads the copy, and the definitions
    /// follow it.
    pub(super) fn pivot_copy(
        &self,
        job: &Job<'_, Running>,
        d: &RunningDisk,
        id: &str,
    ) -> Result<()> {
        let (dest, format) = mirror_of(&job.lock().def, &d.target).ok_or_else(|| {
            Error::internal(
                ErrorDomain::Qemu,
                format!("disk '{}' has no copy destination recorded", d.target),
            )
        })?;
        let old_chain = d.chain()?;
        d.complete(id)?;
        let def = job.lock().def.clone();
        let top = d.current_top(&def)?;
        let new_chain = d.chain_under(&top)?;
        self.follow_pivot(job, d, &top, &dest.path, |def| {
            point_at_copy(def, &d.target, &dest, &format)
        })?;
        // The images the disk no longer reads leave QEMU (a shallow copy shares the rest).
        let gone: Vec<String> = old_chain
            .iter()
            .filter(|l| new_chain.iter().all(|n| n.node != l.node))
            .flat_map(|l| std::iter::once(l.node.clone()).chain(storage_node_of(&l.node)))
            .collect();
        drop_nodes(&d.mon, &gone);
        Ok(())
    }

    /// After a cancelled copy of `d`: the `<mirror>` goes, and so do the destination's
    /// nodes (the file stays on the host, as libvirt leaves it).
    pub(super) fn forget_copy(&self, job: &Job<'_, Running>, d: &RunningDisk) {
        let mut vm = job.lock();
        let dest = mirror_of(&vm.def, &d.target);
        set_mirror(&mut vm.def, &d.target, None);
        touch_status(&mut vm);
        drop(vm);
        if let Some((dest, _)) = dest
            && let Ok(nodes) = d.mon.call("query-named-block-nodes", None, MONITOR_TIMEOUT)
        {
            drop_nodes(&d.mon, &nodes_of(&nodes, &dest.path));
        }
    }
}

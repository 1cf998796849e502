//! The source's steps: begin (the domain XML and cookie for the destination), perform
//! (QEMU's `migrate` to the destination's URI, waited for under the domain's job, which
//! `domjobinfo` and `domjobabort` reach), confirm (QEMU stopped, STOPPED/MIGRATED, the
//! definition undefined on request; or, cancelled, the guest resumed).

use std::time::Duration;

use rvirt_core::api::{
    PausedReason, ResumedDetail, RunningReason, ShutoffReason, StateReason, StoppedDetail,
    SuspendedDetail, TypedParam, XmlFlags,
};
use rvirt_core::driver::{Begun, DomainRef, MigrateParams, migrate_flags as f};
use rvirt_core::objects::Events;
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result};
use serde_json::{Value, json};

use super::super::connection::{QemuConnection, runnable_def};
use super::super::instance::{Entry, Shared, not_running};
use super::super::migration_wait::{Bound, Stop, wait_migration};
use super::super::monitor::Monitor;
use super::super::ops::running;
use super::super::running::save_status;
use super::super::start::MONITOR_TIMEOUT;
use super::PERFORM_JOB;
use super::cookie::Cookie;

/// How often a perform asks QEMU how far it got.
const POLL: Duration = Duration::from_millis(50);
/// A perform whose QEMU reports no progress for this long fails.
const STALLED: Duration = Duration::from_secs(300);

/// This driver's cookie for the domain `name`/`uuid`.
pub(super) fn own_cookie(shared: &Shared, name: &str, uuid: &str) -> Cookie {
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "localhost".into());
    let root = std::fs::canonicalize(&shared.root_path)
        .unwrap_or_else(|_| shared.root_path.clone())
        .display()
        .to_string();
    Cookie {
        name: name.to_string(),
        uuid: uuid.to_string(),
        hostname,
        root,
        nbd_port: None,
    }
}

fn failed(message: String) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

/// Begin: the domain must run (or, offline, be persistent); its migratable XML, or
/// the client's (checked to describe the same guest), goes to the destination.
pub(super) fn begin(
    conn: &QemuConnection,
    dom: &DomainRef,
    params: &[TypedParam],
    flags: u32,
) -> Result<Begun> {
    let p = MigrateParams::parse(params)?;
    let shared = &conn.shared;
    let entry = shared.domains.list.get(dom)?;
    let vm = entry.lock();
    let offline = flags & f::OFFLINE != 0;
    if offline {
        if flags & f::PERSIST_DEST == 0 {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "offline migration requires the --persistent flag",
            ));
        }
        if !vm.persistent {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "cannot migrate a transient domain offline",
            ));
        }
    } else if !vm.is_active() {
        return Err(not_running());
    }
    if !offline
        && vm
            .def
            .devices()
            .iter()
            .any(|d| matches!(d, rvirt_core::conf::Device::Disk(disk) if disk.mirror.is_some()))
    {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "domain has active block job",
        ));
    }
    let copied = match flags & super::NON_SHARED {
        0 => Vec::new(),
        _ => super::storage::disks_to_copy(&vm.def, &p.migrate_disks)?,
    };
    if flags & (f::UNSAFE | f::OFFLINE) == 0 {
        super::safety::check_disks(&vm.def, &copied)?;
    }
    let mut xml_flags = XmlFlags::SECURE | XmlFlags::MIGRATABLE;
    if offline {
        xml_flags |= XmlFlags::INACTIVE;
    }
    let xml = match &p.dest_xml {
        Some(given) => {
            let def = runnable_def(given)?;
            rvirt_core::driver::check_abi_stability(&vm.def, &def)?;
            rvirt_core::driver::format_domain_xml(&def, None, None, xml_flags)?
        }
        None => vm.xml(xml_flags)?,
    };
    let cookie = own_cookie(shared, vm.name(), &vm.uuid().hyphenated().to_string());
    Ok(Begun {
        xml,
        cookie: cookie.encode(),
    })
}

/// Waits for the outgoing migration behind `mon` to complete (or to switch to
/// post-copy: the guest then runs on the destination); QEMU's last report.
fn wait_sent(mon: &Monitor) -> Result<Value> {
    wait_migration(
        || mon.call("query-migrate", None, MONITOR_TIMEOUT),
        &["completed", "postcopy-active"],
        Bound::Stall(STALLED),
        POLL,
    )
    .map_err(|stop| match stop {
        Stop::Query(e) => e,
        Stop::Cancelled => Error::new(
            ErrorCode::OperationAborted,
            ErrorDomain::Qemu,
            "job 'migration out' canceled by client",
        ),
        Stop::Failed(why) => failed(format!(
            "job 'migration out' failed: {}",
            why.as_deref().unwrap_or("unexpectedly failed")
        )),
        Stop::TimedOut => failed("job 'migration out' failed: no progress for 300 s".into()),
    })
}

/// The `(target, top format node)` of each disk a storage migration copies.
fn disk_nodes(
    shared: &Shared,
    dom: &DomainRef,
    p: &MigrateParams,
) -> Result<Vec<(String, String)>> {
    let def = shared.domains.read(dom, |vm| Ok(vm.def.clone()))?;
    super::storage::disks_to_copy(&def, &p.migrate_disks)?
        .into_iter()
        .map(|t| Ok((t.clone(), shared.running_disk(dom, &t)?.node)))
        .collect()
}

/// Sets QEMU's migration capabilities and parameters as `flags` and `p` ask.
fn configure(
    shared: &Shared,
    dom: &DomainRef,
    mon: &Monitor,
    p: &MigrateParams,
    flags: u32,
) -> Result<()> {
    // `events`: QEMU's MIGRATION_PASS becomes libvirt's migration-iteration event
    // (virsh's --postcopy-after-precopy waits for it).
    let caps = json!({ "capabilities": [
        { "capability": "events", "state": true },
        { "capability": "auto-converge", "state": flags & f::AUTO_CONVERGE != 0 },
        { "capability": "xbzrle", "state": flags & f::COMPRESSED != 0 },
        { "capability": "postcopy-ram", "state": flags & f::POSTCOPY != 0 },
    ]});
    mon.call("migrate-set-capabilities", Some(caps), MONITOR_TIMEOUT)?;
    let mib = match p.bandwidth {
        Some(b) => b,
        None => shared.migrate_max_speed(dom, 0)?,
    };
    let mut params = serde_json::Map::new();
    params.insert(
        "max-bandwidth".into(),
        json!(super::super::disk_jobs::bandwidth_bytes(mib, false)?),
    );
    if let Some(v) = p.auto_converge_initial {
        params.insert("cpu-throttle-initial".into(), json!(v));
    }
    if let Some(v) = p.auto_converge_increment {
        params.insert("cpu-throttle-increment".into(), json!(v));
    }
    mon.call(
        "migrate-set-parameters",
        Some(Value::Object(params)),
        MONITOR_TIMEOUT,
    )?;
    Ok(())
}

/// Perform: sends the guest to `migrate_uri`; returns once QEMU completed, the guest
/// paused here (SUSPENDED/MIGRATED). A failure (or `domjobabort`) cancels QEMU's
/// migration and resumes a guest that ran.
pub(super) fn perform(
    conn: &QemuConnection,
    dom: &DomainRef,
    params: &[TypedParam],
    cookie: &[u8],
    flags: u32,
) -> Result<Vec<u8>> {
    let p = MigrateParams::parse(params)?;
    let shared = &conn.shared;
    let uri = p
        .uri
        .as_deref()
        .ok_or_else(|| Error::invalid_arg(ErrorDomain::Qemu, "migration URI is not given"))?;
    let target = super::uri::qemu_target(uri)?;
    let entry = shared.domains.list.get(dom)?;
    let job = entry.begin_job(PERFORM_JOB)?;
    let (mon, was_running, uuid, name) = {
        let mut vm = job.lock();
        let was_running = matches!(vm.state, StateReason::Running(_));
        let run = running(&mut vm)?;
        run.ctx.pause_reason = Some(PausedReason::Migration);
        (
            run.mon.clone(),
            was_running,
            vm.uuid(),
            vm.name().to_string(),
        )
    };
    let copies = match flags & super::NON_SHARED {
        0 => Vec::new(),
        _ => disk_nodes(shared, dom, &p)?,
    };
    let sent = (|| -> Result<Value> {
        if !copies.is_empty() {
            let nbd_port = Cookie::decode(cookie)?.nbd_port.ok_or_else(|| {
                failed("the destination offers no NBD server for the disks".into())
            })?;
            let (host, _) = super::uri::host_and_port(uri)?;
            let speed = match p.bandwidth {
                Some(b) => super::super::disk_jobs::bandwidth_bytes(b, false)?,
                None => 0,
            };
            let top = flags & f::NON_SHARED_INC != 0;
            super::storage::mirror(&mon, &host, nbd_port, &copies, top, speed)?;
        }
        configure(shared, dom, &mon, &p, flags)?;
        if flags & f::LIVE == 0 && was_running {
            mon.call("stop", None, MONITOR_TIMEOUT)?;
        }
        mon.call("migrate", Some(json!({ "uri": target })), MONITOR_TIMEOUT)?;
        shared
            .migrations
            .set_postcopy(uuid, flags & f::POSTCOPY != 0);
        let sent = wait_sent(&mon);
        shared.migrations.set_postcopy(uuid, false);
        sent
    })();
    // QEMU's replies come through the domain's lock: it is taken only after them.
    let report = match sent {
        Ok(report) => {
            // The guest is paused: the copies are complete once the mirrors end.
            super::storage::end_mirrors(&mon, &copies, false);
            report
        }
        Err(e) => {
            let _ = mon.call("migrate_cancel", None, MONITOR_TIMEOUT);
            super::storage::end_mirrors(&mon, &copies, true);
            resume_after_cancel(shared, &entry, &mon, was_running);
            return Err(e);
        }
    };
    let postcopy = report.get("status").and_then(Value::as_str) == Some("postcopy-active");
    let (reason, detail) = match postcopy {
        true => (PausedReason::Postcopy, SuspendedDetail::Postcopy),
        false => (PausedReason::Migration, SuspendedDetail::Migrated),
    };
    let mut vm = job.lock();
    let mut ev = Events::new();
    // A pause or resume during the migration cleared it: QEMU's STOP is the migration's.
    match vm.run.as_mut() {
        Some(run) => run.ctx.pause_reason = Some(reason),
        None => return Err(not_running()),
    }
    if matches!(vm.state, StateReason::Running(_)) {
        vm.state = StateReason::Paused(reason);
        ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Suspended(detail))));
    }
    let stats = super::super::jobs::completed_migration(&report);
    if !postcopy {
        ev.push(vm.event(DomainEvent::JobCompleted {
            params: stats.clone(),
        }));
    }
    save_status(&mut vm);
    shared.domains.fanout.queue(ev);
    drop(vm);
    drop(job);
    shared.domains.fanout.flush();
    shared.migrations.set_outgoing(uuid, was_running);
    shared.migrations.set_completed(uuid, stats);
    Ok(own_cookie(shared, &name, &uuid.hyphenated().to_string()).encode())
}

/// `virDomainMigrateStartPostCopy`: the running migration of `dom`, started with
/// `VIR_MIGRATE_POSTCOPY`, switches to post-copy (`migrate-start-postcopy`).
pub(super) fn start_post_copy(conn: &QemuConnection, dom: &DomainRef) -> Result<()> {
    let shared = &conn.shared;
    let entry = shared.domains.list.get(dom)?;
    let mon = {
        let vm = entry.lock();
        if vm.job() != Some(PERFORM_JOB) {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "post-copy can be started only during migration",
            ));
        }
        vm.run.as_ref().ok_or_else(not_running)?.mon.clone()
    };
    if !shared.migrations.postcopy_allowed(&entry.uuid()) {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            "switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag",
        ));
    }
    mon.call("migrate-start-postcopy", None, MONITOR_TIMEOUT)?;
    Ok(())
}

/// After a failed or cancelled perform: the guest runs again if it ran before
/// (RESUMED/MIGRATED, reason "migration canceled"), its pause reason forgotten.
fn resume_after_cancel(shared: &Shared, entry: &Entry, mon: &Monitor, was_running: bool) {
    {
        let mut vm = entry.lock();
        if let Some(run) = vm.run.as_mut() {
            run.ctx.pause_reason = None;
            if was_running {
                run.ctx.resume_reason = Some(RunningReason::MigrationCanceled);
            }
        }
    }
    if !was_running {
        return;
    }
    let resumed = mon.call("cont", None, MONITOR_TIMEOUT);
    let mut vm = entry.lock();
    let mut ev = Events::new();
    if let Some(run) = vm.run.as_mut() {
        run.ctx.resume_reason = None;
    }
    if resumed.is_ok() && matches!(vm.state, StateReason::Paused(_)) {
        vm.state = StateReason::Running(RunningReason::MigrationCanceled);
        ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Resumed(
            ResumedDetail::Migrated,
        ))));
    }
    save_status(&mut vm);
    shared.domains.fanout.queue(ev);
    drop(vm);
    shared.domains.fanout.flush();
}

/// Confirm: the guest runs on the destination, so QEMU here stops (STOPPED/MIGRATED)
/// and, with `VIR_MIGRATE_UNDEFINE_SOURCE`, the persistent definition goes; cancelled,
/// the guest resumes here.
pub(super) fn confirm(
    conn: &QemuConnection,
    dom: &DomainRef,
    _params: &[TypedParam],
    _cookie: &[u8],
    flags: u32,
    cancelled: bool,
) -> Result<()> {
    let shared = &conn.shared;
    let entry = shared.domains.list.get(dom)?;
    let was_running = shared.migrations.take_outgoing(&entry.uuid());
    if flags & f::OFFLINE != 0 {
        if !cancelled && flags & f::UNDEFINE_SOURCE != 0 {
            shared.domains.undefine_migrated(dom)?;
        }
        return Ok(());
    }
    if cancelled {
        let mon = entry.lock().run.as_ref().map(|r| r.mon.clone());
        match mon {
            Some(mon) => resume_after_cancel(shared, &entry, &mon, was_running.unwrap_or(false)),
            None => return Err(not_running()),
        }
        return Ok(());
    }
    if was_running.is_none() {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            format!("domain '{}' is not being migrated", dom.name),
        ));
    }
    // In post-copy the source serves the last pages until QEMU says it is done (or
    // gives up: the guest is the destination's either way).
    let mon = entry.lock().run.as_ref().map(|r| r.mon.clone());
    if let Some(mon) = mon
        && flags & f::POSTCOPY != 0
    {
        let _ = wait_migration(
            || mon.call("query-migrate", None, MONITOR_TIMEOUT),
            &["completed"],
            Bound::Total(STALLED),
            POLL,
        );
    }
    let persistent = entry.lock().persistent;
    let job = entry.begin_job("virDomainMigrateConfirm3Params")?;
    let stopped = (ShutoffReason::Migrated, StoppedDetail::Migrated);
    shared.terminate(&entry, job, stopped, |_| {})?;
    if persistent && flags & f::UNDEFINE_SOURCE != 0 {
        shared.domains.undefine_migrated(dom)?;
    }
    Ok(())
}

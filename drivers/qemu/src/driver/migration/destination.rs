//! The destination's steps: prepare (QEMU started paused with `-incoming defer`,
//! listening on a TCP port; STARTED/MIGRATED) and finish (once QEMU has the whole guest:
//! `cont`, RESUMED/MIGRATED, the definition kept with `VIR_MIGRATE_PERSIST_DEST`; or,
//! cancelled or failed, QEMU stopped and the domain forgotten). Offline, prepare only
//! checks the definition and finish defines it.

use std::net::TcpListener;
use std::time::Duration;

use rvirt_core::api::{
    PausedReason, ResumedDetail, RunningReason, ShutoffReason, StateReason, StoppedDetail,
    SuspendedDetail, TypedParam, XmlFlags,
};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::{DomainRef, MigrateParams, Prepared, migrate_flags as f};
use rvirt_core::objects::Events;
use rvirt_core::{DomainEvent, Error, ErrorCode, ErrorDomain, Lifecycle, Result};
use serde_json::Value;

use super::super::connection::{QemuConnection, runnable_def};
use super::super::instance::{Entry, Shared, not_running};
use super::super::migration_wait::{Bound, Stop, wait_migration};
use super::super::monitor::Monitor;
use super::super::running::save_status;
use super::super::start::{MONITOR_TIMEOUT, Origin, StartFlags};
use super::cookie::Cookie;
use super::source::own_cookie;
use super::uri::{host_and_port, with_brackets};

/// libvirt's default migration ports (`migration_port_min`/`_max` of qemu.conf).
const PORTS: std::ops::RangeInclusive<u16> = 49152..=49215;
/// Where QEMU listens unless the client says (`migration_address` of qemu.conf).
const DEFAULT_LISTEN: &str = "0.0.0.0";
/// How long a finish waits for QEMU to have loaded what the source sent.
const LOAD_WAIT: Duration = Duration::from_secs(60);

/// The first of libvirt's migration ports free on `listen`.
fn free_port(listen: &str) -> Result<u16> {
    let host = listen.trim_start_matches('[').trim_end_matches(']');
    PORTS
        .clone()
        .find(|p| TcpListener::bind((host, *p)).is_ok())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                format!(
                    "Unable to find an unused port in range 'migration' ({}-{})",
                    PORTS.start(),
                    PORTS.end()
                ),
            )
        })
}

/// A definition for this side: `xml` parsed, under the client's `destination_name`.
fn renamed(p: &MigrateParams, xml: &str) -> Result<DomainDef> {
    let mut def = runnable_def(xml)?;
    if let Some(name) = &p.dest_name {
        def.name = name.clone();
    }
    Ok(def)
}

/// The definition the destination runs: the source's XML under its new name.
fn incoming_def(p: &MigrateParams) -> Result<DomainDef> {
    let xml = p
        .dest_xml
        .as_deref()
        .ok_or_else(|| Error::invalid_arg(ErrorDomain::Qemu, "no domain XML passed"))?;
    renamed(p, xml)
}

/// Prepare: checks the source is another driver, then (unless offline) starts the
/// guest's QEMU paused, listening for the stream, and says where.
pub(super) fn prepare(
    conn: &QemuConnection,
    params: &[TypedParam],
    cookie: &[u8],
    flags: u32,
) -> Result<Prepared> {
    let p = MigrateParams::parse(params)?;
    let def = incoming_def(&p)?;
    let uuid = def.uuid.unwrap_or_default().hyphenated().to_string();
    let shared = &conn.shared;
    let me = own_cookie(shared, &def.name, &uuid);
    if !cookie.is_empty() {
        let source = Cookie::decode(cookie)?;
        if me.same_driver(&source) {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                format!("Attempt to migrate guest to the same host {}", me.hostname),
            ));
        }
    }
    if flags & f::OFFLINE != 0 {
        shared.migrations.set_offline(def);
        // Nothing listens: the client only needs a URI to pass on to the finish.
        let uri = p
            .uri
            .clone()
            .unwrap_or_else(|| format!("tcp:{}", with_brackets(&me.hostname)));
        return Ok(Prepared {
            cookie: me.encode(),
            uri: Some(uri),
        });
    }
    let listen = p.listen_address.as_deref().unwrap_or(DEFAULT_LISTEN);
    let bare = listen.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_err() {
        return Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("invalid listen address '{listen}': an IP address is required"),
        ));
    }
    let (host, port) = match p.uri.as_deref() {
        Some(uri) => host_and_port(uri)?,
        None if me.hostname.starts_with("localhost") => {
            return Err(Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                "hostname on destination resolved to localhost, but migration requires an FQDN",
            ));
        }
        None => (me.hostname.clone(), None),
    };
    let port = match port {
        Some(port) => port,
        None => free_port(listen)?,
    };
    let copies = match flags & super::NON_SHARED {
        0 => Vec::new(),
        _ => super::storage::disks_to_copy(&def, &p.migrate_disks)?,
    };
    check_images_exist(&def, &copies)?;
    let incoming = format!("tcp:{}:{port}", with_brackets(listen));
    let dom = shared.domains.create_xml(def, |entry| {
        let job = entry.begin_job("virDomainMigratePrepare3Params")?;
        shared.start_origin(
            entry,
            &job,
            StartFlags::paused(true),
            Origin::Incoming {
                uri: incoming,
                postcopy: flags & f::POSTCOPY != 0,
            },
        )
    })?;
    // A client that goes away before the finish takes the waiting guest with it.
    conn.autodestroy.add(dom.uuid, dom.id);
    let mut me = me;
    if !copies.is_empty() {
        let entry = shared.domains.list.get(&dom)?;
        match serve_disks(shared, &dom, &copies, listen, p.disks_port) {
            Ok(nbd_port) => me.nbd_port = Some(nbd_port),
            Err(e) => {
                drop_incoming(shared, &entry);
                return Err(e);
            }
        }
    }
    Ok(Prepared {
        cookie: me.encode(),
        uri: Some(format!("tcp:{}:{port}", with_brackets(&host))),
    })
}

/// A storage migration writes into the destination's images: each must exist.
fn check_images_exist(def: &DomainDef, copies: &[String]) -> Result<()> {
    for d in def.devices() {
        let rvirt_core::conf::Device::Disk(disk) = d else {
            continue;
        };
        if !copies.contains(&disk.target.dev) {
            continue;
        }
        if let Some(path) = disk.source_path()
            && !std::path::Path::new(path).exists()
        {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                format!(
                    "cannot migrate disk '{}': its image '{path}' does not exist on the destination",
                    disk.target.dev
                ),
            ));
        }
    }
    Ok(())
}

/// Exports the images of `copies` of the waiting guest `dom` on an NBD server on
/// `listen` (port `asked`, or a free one of the migration ports); its port.
fn serve_disks(
    shared: &Shared,
    dom: &DomainRef,
    copies: &[String],
    listen: &str,
    asked: Option<i32>,
) -> Result<u16> {
    let port = match asked {
        Some(n) => u16::try_from(n).ok().filter(|p| *p > 0).ok_or_else(|| {
            Error::invalid_arg(ErrorDomain::Qemu, format!("invalid disks_port {n}"))
        })?,
        None => free_port(listen)?,
    };
    let mut exports = Vec::new();
    let mut mon = None;
    for t in copies {
        let d = shared.running_disk(dom, t)?;
        exports.push((t.clone(), d.node));
        mon = Some(d.mon);
    }
    if let Some(mon) = mon {
        super::storage::serve(&mon, listen, port, &exports)?;
    }
    Ok(port)
}

/// Waits until QEMU behind `mon` has loaded the whole incoming stream, or with
/// `postcopy` until it may run (the rest of its memory coming on demand); whether it
/// is in post-copy.
fn wait_loaded(mon: &Monitor, postcopy: bool) -> Result<bool> {
    let done: &[&str] = match postcopy {
        true => &["completed", "postcopy-active"],
        false => &["completed"],
    };
    let failed = |why: Option<String>| {
        Error::new(
            ErrorCode::OperationFailed,
            ErrorDomain::Qemu,
            format!(
                "job 'migration in' failed: {}",
                why.as_deref().unwrap_or("unexpectedly failed")
            ),
        )
    };
    let v = wait_migration(
        || mon.call("query-migrate", None, MONITOR_TIMEOUT),
        done,
        Bound::Total(LOAD_WAIT),
        Duration::from_millis(20),
    )
    .map_err(|stop| match stop {
        Stop::Query(e) => e,
        Stop::Cancelled => failed(None),
        Stop::Failed(why) => failed(why),
        Stop::TimedOut => failed(Some("the stream did not arrive".into())),
    })?;
    Ok(v.get("status").and_then(Value::as_str) == Some("postcopy-active"))
}

/// Stops a guest whose migration here failed (STOPPED/FAILED); a transient one is
/// forgotten.
fn drop_incoming(shared: &std::sync::Arc<Shared>, entry: &Entry) {
    if let Ok(job) = entry.begin_job("virDomainMigrateFinish3Params") {
        let stopped = (ShutoffReason::Failed, StoppedDetail::Failed);
        let _ = shared.terminate(entry, job, stopped, |_| {});
    }
}

/// libvirt's answer of a finish that, as asked, started nothing.
fn finished_without_domain() -> Error {
    Error::new(
        ErrorCode::MigrateFinishOk,
        ErrorDomain::Qemu,
        "migration successfully aborted",
    )
}

/// The persistent definition `VIR_MIGRATE_PERSIST_DEST` keeps: the client's
/// `persistent_xml`, else the running one's.
fn persistent_def(p: &MigrateParams, running: &str) -> Result<DomainDef> {
    renamed(p, p.persist_xml.as_deref().unwrap_or(running))
}

/// Finish: runs the guest QEMU received (unless `VIR_MIGRATE_PAUSED`) and keeps its
/// definition on request; cancelled or failed, stops it.
pub(super) fn finish(
    conn: &QemuConnection,
    params: &[TypedParam],
    _cookie: &[u8],
    flags: u32,
    cancelled: bool,
) -> Result<(DomainRef, Vec<u8>)> {
    let p = MigrateParams::parse(params)?;
    let shared = &conn.shared;
    let name = p
        .dest_name
        .clone()
        .ok_or_else(|| Error::invalid_arg(ErrorDomain::Qemu, "missing destination name"))?;
    if flags & f::OFFLINE != 0 {
        let prepared = shared.migrations.take_offline(&name);
        if cancelled {
            return Err(finished_without_domain());
        }
        let def = match (&p.persist_xml, prepared) {
            (None, Some(def)) => def,
            (_, prepared) => {
                let fallback = p.dest_xml.clone().unwrap_or_default();
                if prepared.is_none() && p.persist_xml.is_none() && fallback.is_empty() {
                    return Err(Error::invalid_arg(
                        ErrorDomain::Qemu,
                        "no domain XML passed",
                    ));
                }
                persistent_def(&p, &fallback)?
            }
        };
        let dom = shared.domains.define(def)?;
        let me = own_cookie(shared, &name, &dom.uuid.hyphenated().to_string());
        return Ok((dom, me.encode()));
    }
    let dom = shared.domains.lookup_by_name(&name)?;
    let entry = shared.domains.list.get(&dom)?;
    let incoming = {
        let vm = entry.lock();
        match (&vm.run, vm.state) {
            (Some(run), StateReason::Paused(PausedReason::Migration)) => Some(run.mon.clone()),
            _ => None,
        }
    };
    let Some(mon) = incoming else {
        return Err(Error::operation_invalid(
            ErrorDomain::Qemu,
            format!("domain '{name}' is not being migrated here"),
        ));
    };
    conn.autodestroy.remove(&dom.uuid);
    if cancelled {
        drop_incoming(shared, &entry);
        return Err(finished_without_domain());
    }
    let postcopy = match wait_loaded(&mon, flags & f::POSTCOPY != 0) {
        Ok(p) => p,
        Err(e) => {
            drop_incoming(shared, &entry);
            return Err(e);
        }
    };
    if flags & super::NON_SHARED != 0 {
        super::storage::stop_serving(&mon);
    }
    // Kept before it runs, as libvirt: STARTED, DEFINED, then RESUMED.
    if flags & f::PERSIST_DEST != 0 {
        let live = entry.lock().xml(XmlFlags::SECURE | XmlFlags::MIGRATABLE)?;
        if let Err(e) = persistent_def(&p, &live).and_then(|d| shared.domains.define(d)) {
            drop_incoming(shared, &entry);
            return Err(e);
        }
    }
    // In post-copy the guest must run here to fetch the rest of its memory.
    let run_it = flags & f::PAUSED == 0 || postcopy;
    if run_it {
        if let Some(run) = entry.lock().run.as_mut() {
            run.ctx.resume_reason = Some(match postcopy {
                true => RunningReason::Postcopy,
                false => RunningReason::Migrated,
            });
        }
        let ran = mon.call("cont", None, MONITOR_TIMEOUT).map(|_| ());
        if let Err(e) = ran.and_then(|()| match postcopy {
            true => wait_loaded(&mon, false).map(|_| ()),
            false => Ok(()),
        }) {
            drop_incoming(shared, &entry);
            return Err(e);
        }
    }
    {
        let mut vm = entry.lock();
        let mut ev = Events::new();
        let Some(run) = vm.run.as_mut() else {
            return Err(not_running());
        };
        run.ctx.resume_reason = None;
        if run_it {
            if matches!(vm.state, StateReason::Paused(_)) {
                ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Resumed(
                    ResumedDetail::Migrated,
                ))));
            }
            // All of its memory is here now.
            vm.state = StateReason::Running(RunningReason::Migrated);
        } else {
            vm.state = StateReason::Paused(PausedReason::User);
            ev.push(vm.event(DomainEvent::Lifecycle(Lifecycle::Suspended(
                SuspendedDetail::Paused,
            ))));
        }
        save_status(&mut vm);
        shared.domains.fanout.queue(ev);
    }
    shared.domains.fanout.flush();
    let dom = shared.domains.lookup_by_name(&name)?;
    let me = own_cookie(shared, &name, &dom.uuid.hyphenated().to_string());
    Ok((dom, me.encode()))
}

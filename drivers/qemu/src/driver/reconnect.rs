//! Reconnecting a new driver instance to the QEMUs an earlier instance left running
//! (the embedding process closed its connection, exited, or was killed with SIGKILL).
//!
//! Every `run/qemu/NAME.xml` status file names a pid and a monitor socket. A QEMU that
//! is still alive (and is the one the file describes: its command line carries the
//! domain's UUID, and so does its monitor's `query-uuid`) gets its monitor
//! reconnected, `query-status` resyncs the state, and the monitor is watched again. A
//! QEMU that is gone, or whose monitor cannot be reached, is cleaned up: files removed
//! (QEMU killed), state shut off (reason `crashed`), transient domains forgotten
//! (libvirt's `qemuProcessReconnect` does the same).
//!
//! Nothing in a status file is trusted to name a path: the private directory must lie
//! in the root's `lib/qemu` ([`DomainStatus::load`]), and only files of the root are
//! removed. A status file that cannot be read does not make a guest forgotten: every
//! live QEMU of the root is found by its command line (its `-pidfile` is in
//! `run/qemu`), and one that no status file accounts for is re-adopted through its
//! monitor socket, checked by `query-uuid` — with its persistent definition, or, for a
//! transient guest, a definition rebuilt from its command line. Each file skipped,
//! repaired or removed is logged with its path and the reason.

use std::collections::HashSet;
use std::ffi::OsString;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rvirt_core::api::{PausedReason, RunningReason, ShutdownReason, ShutoffReason, StateReason};
use rvirt_core::conf::{Defaults, DomainDef};
use rvirt_core::driver::files::{remove_tree_in, xml_escape, xml_files};
use rvirt_core::event::{Interest, SharedLoop};
use rvirt_core::log;
use rvirt_core::objects::Events;
use rvirt_core::{Error, ErrorDomain, Result, Uuid};

use super::instance::{Entry, Shared};
use super::monitor::Monitor;
use super::running::{Running, apply_messages, save_status, signal};
use super::start::MONITOR_TIMEOUT;
use super::status::{DomainStatus, MONITOR_SOCKET};
use crate::event_map::{Devices, MapContext};
use crate::process::scan::{QemuCommandLine, qemus_of_root};
use crate::process::{QemuProcess, process_alive};
use crate::qmp::{Message, QmpStream};

/// A QEMU to adopt, and where its files are.
struct Found {
    pid: u32,
    /// The live definition (its runtime id taken out into `id`).
    live: DomainDef,
    id: Option<u32>,
    /// The state the status file recorded.
    saved: StateReason,
    /// The private directory's name in `lib/qemu`.
    lib_name: OsString,
    status_path: PathBuf,
    /// The run's guest-agent response timeout.
    agent_timeout: i32,
}

impl Shared {
    /// Reconnects to every QEMU of the root: those with a status file under
    /// `run/qemu`, then those whose status file is missing or unreadable; removes the
    /// files of guests that are gone.
    pub(super) fn reconnect_all(self: &Arc<Self>) {
        let dirs = self.dirs();
        let (state_dir, lib_dir) = (dirs.run, dirs.lib);
        let paths = xml_files(&state_dir);
        // QEMUs a status file accounted for (adopted or killed).
        let mut handled: HashSet<u32> = HashSet::new();
        let mut used_dirs: HashSet<OsString> = HashSet::new();
        let mut unreadable = Vec::new();
        for path in paths {
            match self.read_status(&path, &lib_dir) {
                Ok(found) => {
                    let (pid, lib_name) = (found.pid, found.lib_name.clone());
                    handled.insert(pid);
                    if self.reconnect_one(found) {
                        used_dirs.insert(lib_name);
                    }
                }
                Err(reason) => {
                    log::warning(
                        ErrorDomain::Qemu,
                        format_args!(
                            "cannot use status file '{}': {reason}; looking for its QEMU by command line",
                            path.display()
                        ),
                    );
                    unreadable.push(path);
                }
            }
        }
        for qemu in qemus_of_root(&state_dir) {
            if handled.contains(&qemu.pid) {
                continue;
            }
            if let Some(lib_name) = self.recover(&qemu, &lib_dir, &used_dirs) {
                used_dirs.insert(lib_name);
            }
        }
        for path in unreadable {
            // Recovered guests rewrote theirs; what is left has no live QEMU.
            if DomainStatus::load(&path, &lib_dir).is_err() {
                remove_logged(&path, "it cannot be read and no QEMU of the domain runs");
            }
        }
        self.remove_stale_private_dirs(&lib_dir, &used_dirs);
        self.domains.fanout.flush();
    }

    /// Reads and checks one status file.
    fn read_status(&self, path: &Path, lib_dir: &Path) -> std::result::Result<Found, String> {
        let status = DomainStatus::load(path, lib_dir)?;
        let mut live = DomainDef::from_stored_xml(&status.domain_xml)
            .map_err(|e| format!("its domain definition is invalid: {e}"))?;
        let stem = path.file_stem().unwrap_or_default();
        if stem != live.name.as_str() {
            return Err(format!(
                "it describes domain '{}', not '{}'",
                live.name,
                stem.to_string_lossy()
            ));
        }
        live.fill_defaults();
        let id = live.id.take();
        Ok(Found {
            pid: status.pid,
            live,
            id,
            saved: status.state,
            lib_name: status.lib_dir.file_name().unwrap_or_default().to_owned(),
            status_path: path.to_path_buf(),
            agent_timeout: status.agent_timeout,
        })
    }

    /// Reconnects the domain of one status file; true if it runs on.
    fn reconnect_one(self: &Arc<Self>, found: Found) -> bool {
        let uuid = found.live.uuid.unwrap_or_default();
        let ours = process_alive(found.pid) && runs_domain(found.pid, &uuid);
        let monitor = self.dirs().lib.join(&found.lib_name).join(MONITOR_SOCKET);
        let attached = if ours {
            attach(&monitor, &uuid, &self.event_loop)
        } else {
            Err(Error::internal(ErrorDomain::Qemu, "QEMU is gone"))
        };
        match attached {
            Ok(attached) => self.adopt(found, attached),
            Err(e) => {
                if ours {
                    log::warning(
                        ErrorDomain::Qemu,
                        format_args!(
                            "cannot reconnect to QEMU {} of domain '{}': {e}; killing it",
                            found.pid, found.live.name
                        ),
                    );
                    signal(found.pid, libc::SIGKILL);
                }
                self.forget_stopped(found);
                false
            }
        }
    }

    /// Adopts a live QEMU whose status file is missing or unreadable: finds its
    /// monitor among the private directories named after its guest (checked with
    /// `query-uuid`). One whose monitor cannot be found is killed (its guest could not
    /// be managed), as libvirt kills a QEMU it cannot reconnect to.
    fn recover(
        self: &Arc<Self>,
        qemu: &QemuCommandLine,
        lib_dir: &Path,
        used: &HashSet<OsString>,
    ) -> Option<OsString> {
        let (Some(name), Some(uuid)) = (qemu.name.as_deref(), qemu.uuid) else {
            return None;
        };
        let short: String = name.chars().take(20).collect();
        let mut candidates: Vec<(u32, OsString)> = std::fs::read_dir(lib_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| !used.contains(&e.file_name()))
            .filter_map(|e| {
                let file = e.file_name();
                let id = file
                    .to_str()?
                    .strip_prefix("domain-")?
                    .strip_suffix(&format!("-{short}"))?
                    .parse()
                    .ok()?;
                Some((id, file))
            })
            .collect();
        candidates.sort();
        for (id, lib_name) in candidates {
            let monitor = lib_dir.join(&lib_name).join(MONITOR_SOCKET);
            let Ok(attached) = attach(&monitor, &uuid, &self.event_loop) else {
                continue;
            };
            let live = match self.persistent_def(&uuid, name) {
                Some(def) => def,
                None => match rebuilt_def(qemu, name, &uuid) {
                    Ok(def) => def,
                    Err(e) => {
                        log::warning(
                            ErrorDomain::Qemu,
                            format_args!(
                                "cannot rebuild a definition for QEMU {} of domain '{name}': {e}",
                                qemu.pid
                            ),
                        );
                        return None;
                    }
                },
            };
            log::warning(
                ErrorDomain::Qemu,
                format_args!(
                    "recovered domain '{name}' (QEMU {}, id {id}) through its monitor; its status file is rewritten",
                    qemu.pid
                ),
            );
            let found = Found {
                pid: qemu.pid,
                live,
                id: Some(id),
                saved: StateReason::Running(RunningReason::Unknown),
                lib_name: lib_name.clone(),
                status_path: self.dirs().run.join(format!("{name}.xml")),
                // The status file that recorded it is lost: libvirt's default.
                agent_timeout: super::status::AGENT_TIMEOUT_BLOCK,
            };
            return self.adopt(found, attached).then_some(lib_name);
        }
        log::warning(
            ErrorDomain::Qemu,
            format_args!(
                "QEMU {} of domain '{name}' has no status file and no reachable monitor; killing it",
                qemu.pid
            ),
        );
        signal(qemu.pid, libc::SIGKILL);
        let pidfile = self.dirs().run.join(format!("{name}.pid"));
        if qemu.pidfile.as_deref() == Some(pidfile.as_path()) {
            let _ = std::fs::remove_file(&pidfile);
        }
        None
    }

    /// The persistent definition of `uuid`, if it is the domain called `name`.
    fn persistent_def(&self, uuid: &Uuid, name: &str) -> Option<DomainDef> {
        let e = self
            .domains
            .list
            .find_by_uuid(uuid)
            .filter(|e| e.name() == name)?;
        let vm = e.lock();
        vm.persistent.then(|| vm.def.clone())
    }

    /// Makes a reachable QEMU a running domain of this instance and watches its
    /// monitor; true if it runs on.
    fn adopt(self: &Arc<Self>, found: Found, attached: Attached) -> bool {
        let dirs = self.dirs();
        let Some(entry) = self.entry_for(&found.live) else {
            return false;
        };
        let mut vm = entry.lock();
        if vm.persistent {
            // The persistent definition applies once the live one stops.
            let config = std::mem::replace(&mut vm.def, found.live);
            if config != vm.def {
                vm.next_def = Some(config);
            }
        }
        vm.state = resync_state(found.saved, &attached.qemu_status);
        if matches!(vm.state, StateReason::Shutdown(_)) {
            // The guest powered off while nobody watched: finish the shutdown
            // (SIGTERM; the monitor EOF that follows stops the domain).
            signal(found.pid, libc::SIGTERM);
        }
        match found.id {
            Some(id) => self.domains.list.set_id(&mut vm, Some(id)),
            None => {
                self.domains.list.assign_id(&mut vm);
            }
        }
        let priv_dir = dirs.lib.join(&found.lib_name);
        let mon = attached.mon;
        if found.agent_timeout != super::status::AGENT_TIMEOUT_BLOCK {
            self.agent_timeouts
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(vm.def.uuid.unwrap_or_default(), found.agent_timeout);
        }
        vm.run = Some(Running {
            proc: QemuProcess::adopt(found.pid),
            pid: found.pid,
            mon: mon.clone(),
            ctx: MapContext::default(),
            devices: Devices::of(&vm.def),
            monitor_path: priv_dir.join(MONITOR_SOCKET),
            priv_dir,
            pidfile: dirs.run.join(format!("{}.pid", vm.name())),
            status: found.status_path,
            saved: None,
            reboot_pending: false,
            reboot_cmds: None,
            vcpu_tids: None,
            agent: None,
            agent_open: false,
            dirty_rate: None,
            agent_timeout: found.agent_timeout,
            perf: super::perf_events::reopen(&vm.def, found.pid),
        });
        if self.watch_monitor(&entry, &mon).is_err() {
            // No loop to follow it on: leave it running for a later instance.
            if let Some(run) = vm.run.take() {
                run.mon.close();
                run.proc.detach();
            }
            self.domains.list.release_id(&mut vm);
            vm.state = StateReason::Shutoff(ShutoffReason::Unknown);
            return false;
        }
        super::netplug::reconnect_interfaces(&vm.def, self.is_system());
        super::guest_agent::reattach(&mut vm, &self.event_loop, &attached.open_chardevs);
        // Events the handshake read (nobody else will see them).
        let mut ev = Events::new();
        apply_messages(&mut vm, attached.early, &mut ev);
        save_status(&mut vm);
        self.domains.fanout.queue(ev);
        true
    }

    /// The guest of a status file is gone: remove its files (only inside the root); a
    /// persistent domain is shut off (crashed), a transient one is simply not added.
    fn forget_stopped(&self, found: Found) {
        let dirs = self.dirs();
        let _ = std::fs::remove_file(&found.status_path);
        let _ = std::fs::remove_file(dirs.run.join(format!("{}.pid", found.live.name)));
        crate::security::prepare::release(&found.status_path);
        // Its network ports go with it (only `qemu:///system`'s guests have any).
        if self.is_system() {
            super::netplug::release_ports(&found.live);
        }
        // Its macvtaps outlived it (taps went with its QEMU).
        super::netplug::remove_stale_macvtaps(&found.live, &dirs.run);
        if let Err(e) = remove_tree_in(&dirs.lib, &found.lib_name) {
            log::warning(
                ErrorDomain::Qemu,
                format_args!(
                    "cannot remove '{}': {e}",
                    dirs.lib.join(&found.lib_name).display()
                ),
            );
        }
        let uuid = found.live.uuid.unwrap_or_default();
        if let Some(entry) = self.domains.list.find_by_uuid(&uuid) {
            let mut vm = entry.lock();
            self.domains.list.release_id(&mut vm);
            vm.apply_stop(StateReason::Shutoff(ShutoffReason::Crashed));
        }
    }

    /// Removes the private directories (`domain-*`) of `lib/qemu` no running domain uses (left
    /// by guests that stopped while no instance watched).
    fn remove_stale_private_dirs(&self, lib_dir: &Path, used: &HashSet<OsString>) {
        for e in std::fs::read_dir(lib_dir).into_iter().flatten().flatten() {
            let name = e.file_name();
            // Only runs' private directories (`domain-ID-NAME`): `snapshot/` and
            // `save/` beside them hold state that outlives every run.
            if used.contains(&name) || !name.as_encoded_bytes().starts_with(b"domain-") {
                continue;
            }
            match remove_tree_in(lib_dir, &name) {
                Ok(()) => log::warning(
                    ErrorDomain::Qemu,
                    format_args!(
                        "removed '{}': no running domain uses it",
                        e.path().display()
                    ),
                ),
                Err(err) => log::warning(
                    ErrorDomain::Qemu,
                    format_args!("cannot remove '{}': {err}", e.path().display()),
                ),
            }
        }
    }

    /// The entry of a reconnected domain: its persistent definition's, or a new
    /// transient one (`None`, logged, if its name or UUID clashes with another domain).
    fn entry_for(&self, live: &DomainDef) -> Option<Entry> {
        self.domains
            .list
            .find_or_insert_transient(live)
            .map_err(|e| {
                log::warning(
                    ErrorDomain::Qemu,
                    format_args!("cannot reconnect domain '{}': {e}", live.name),
                )
            })
            .ok()
    }
}

fn remove_logged(path: &Path, why: &str) {
    match std::fs::remove_file(path) {
        Ok(()) => log::warning(
            ErrorDomain::Qemu,
            format_args!("removed '{}': {why}", path.display()),
        ),
        Err(e) => log::warning(
            ErrorDomain::Qemu,
            format_args!("cannot remove '{}': {e}", path.display()),
        ),
    }
}

/// A stand-in definition for a transient guest whose status file was lost: what its
/// command line tells (name, uuid, memory, vcpus).
fn rebuilt_def(qemu: &QemuCommandLine, name: &str, uuid: &Uuid) -> Result<DomainDef> {
    let xml = format!(
        "<domain type='qemu'><name>{}</name><uuid>{}</uuid>\
         <memory unit='KiB'>{}</memory><vcpu>{}</vcpu>\
         <os><type arch='x86_64'>hvm</type></os></domain>",
        xml_escape(name),
        uuid.hyphenated(),
        qemu.memory_kib.unwrap_or(1024),
        qemu.vcpus.unwrap_or(1),
    );
    let mut def = DomainDef::from_xml(&xml)?;
    def.post_parse(&Defaults::qemu())?;
    Ok(def)
}

/// A monitor reached again, checked to be the domain's.
struct Attached {
    mon: Monitor,
    /// QEMU's run status (`query-status`).
    qemu_status: String,
    /// Messages read meanwhile, for the domain to apply.
    early: Vec<Message>,
    /// The chardevs whose guest side is open (`query-chardev`'s `frontend-open`): the
    /// guest agent's port among them means the agent is to be connected again.
    open_chardevs: Vec<String>,
}

/// Connects to the monitor, completes the QMP handshake, checks that it is the QEMU
/// of `uuid` (`query-uuid`) and asks `query-status`.
fn attach(monitor: &Path, uuid: &Uuid, event_loop: &SharedLoop) -> Result<Attached> {
    let stream = UnixStream::connect(monitor)?;
    let mut qmp = QmpStream::new(stream, MONITOR_TIMEOUT);
    qmp.handshake()?;
    let reply = qmp.execute("query-uuid", None)?;
    let got = reply.get("UUID").and_then(|u| u.as_str()).unwrap_or("");
    if Uuid::parse_str(got).ok().as_ref() != Some(uuid) {
        return Err(Error::internal(
            ErrorDomain::Qemu,
            format!(
                "the monitor '{}' belongs to the guest with uuid '{got}', not '{}'",
                monitor.display(),
                uuid.hyphenated()
            ),
        ));
    }
    let reply = qmp.execute("query-status", None)?;
    let qemu_status = reply
        .get("status")
        .and_then(|s| s.as_str())
        .unwrap_or("unknown")
        .to_owned();
    let open_chardevs = qmp
        .execute("query-chardev", None)?
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|c| c.get("frontend-open").and_then(|o| o.as_bool()) == Some(true))
        .filter_map(|c| Some(c.get("label")?.as_str()?.to_owned()))
        .collect();
    let (stream, codec, queued) = qmp.into_parts();
    let mon = Monitor::new(stream, codec, event_loop.clone())?;
    let mut early: Vec<Message> = queued.into_iter().collect();
    early.extend(mon.pump(Interest::NONE).messages);
    Ok(Attached {
        mon,
        qemu_status,
        early,
        open_chardevs,
    })
}

/// The state after reconnecting: QEMU's run status decides; the saved reason is kept
/// when the state itself did not change.
fn resync_state(saved: StateReason, qemu_status: &str) -> StateReason {
    match qemu_status {
        "running" => match saved {
            StateReason::Running(_) => saved,
            _ => StateReason::Running(RunningReason::Unpaused),
        },
        "shutdown" => StateReason::Shutdown(ShutdownReason::Unknown),
        "guest-panicked" => StateReason::Paused(PausedReason::Crashed),
        _ => match saved {
            StateReason::Paused(_) => saved,
            _ => StateReason::Paused(PausedReason::Unknown),
        },
    }
}

/// True if `pid`'s command line carries `-uuid UUID` (guards against a recycled pid).
fn runs_domain(pid: u32, uuid: &Uuid) -> bool {
    QemuCommandLine::read(pid).is_some_and(|c| c.uuid.as_ref() == Some(uuid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_status_decides_the_state_and_keeps_a_matching_reason() {
        let booted = StateReason::Running(RunningReason::Booted);
        let user = StateReason::Paused(PausedReason::User);
        assert_eq!(resync_state(booted, "running"), booted);
        assert_eq!(
            resync_state(user, "running"),
            StateReason::Running(RunningReason::Unpaused)
        );
        assert_eq!(resync_state(user, "paused"), user);
        assert_eq!(
            resync_state(booted, "paused"),
            StateReason::Paused(PausedReason::Unknown)
        );
        assert_eq!(
            resync_state(booted, "shutdown"),
            StateReason::Shutdown(ShutdownReason::Unknown)
        );
    }

    #[test]
    fn a_recycled_pid_is_not_taken_for_the_domain() {
        // This test process does not run any domain.
        let uuid = Uuid::from_bytes([1; 16]);
        assert!(!runs_domain(std::process::id(), &uuid));
        assert!(!runs_domain(u32::MAX, &uuid));
    }
}

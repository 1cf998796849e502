//! Reconnecting a new driver instance to the QEMUs an earlier instance left running
//! (the embedding process closed its connection, exited, or was killed with SIGKILL).
//!
//! Every `run/qemu/NAME.xml` status file names a pid and a monitor socket. A QEMU that
//! is still alive (and is the one the file describes: its command line carries the
//! domain's UUID) gets its monitor reconnected, `query-status` resyncs the state, and
//! the monitor is watched again. A QEMU that is gone, or whose monitor cannot be
//! reached, is cleaned up: files removed, state shut off (reason `crashed`), transient
//! domains forgotten (libvirt's `qemuProcessReconnect` does the same).

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rvirt_core::api::{PausedReason, RunningReason, ShutdownReason, ShutoffReason, StateReason};
use rvirt_core::conf::DomainDef;
use rvirt_core::{Error, ErrorDomain, Result};

use super::{Entry, MONITOR_TIMEOUT, Running, Shared, Vm, conf_error, lock, signal};
use crate::driver::monitor::Monitor;
use crate::driver::status::DomainStatus;
use crate::event_map::MapContext;
use crate::process::{QemuProcess, process_alive};
use crate::qmp::QmpStream;

impl Shared {
    /// Reconnects to every domain with a status file under `run/qemu`.
    pub(super) fn reconnect_all(self: &Arc<Self>) {
        let (_, state_dir, ..) = self.root_dirs();
        let Ok(dir) = std::fs::read_dir(&state_dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        paths.sort();
        let mut max_id = 0;
        for path in paths {
            if let Some(id) = self.reconnect_one(&path, &state_dir) {
                max_id = max_id.max(id);
            }
        }
        self.next_id
            .fetch_max(max_id + 1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Reconnects the domain of one status file; returns its id if it runs on.
    fn reconnect_one(self: &Arc<Self>, path: &Path, state_dir: &Path) -> Option<u32> {
        let Some(status) = DomainStatus::load(path) else {
            // Unreadable or half-written by a crashed writer: nothing to reconnect to.
            let _ = std::fs::remove_file(path);
            return None;
        };
        let Ok(mut live) = DomainDef::from_xml(&status.domain_xml).map_err(|e| conf_error(&e))
        else {
            let _ = std::fs::remove_file(path);
            return None;
        };
        live.fill_defaults();
        let id = live.id.take();
        let uuid = live.uuid.unwrap_or_default();
        let entry = self.entry_for(&live);
        let mut vm = lock(&entry.vm);
        if vm.persistent {
            // The persistent definition applies once the live one stops.
            let config = std::mem::replace(&mut vm.def, live);
            if config != vm.def {
                vm.next_def = Some(config);
            }
        }
        let pidfile = state_dir.join(format!("{}.pid", vm.def.name));
        let ours = process_alive(status.pid) && runs_domain(status.pid, &uuid.hyphenated());
        let attached = if ours {
            attach(&status)
        } else {
            Err(Error::internal(ErrorDomain::Qemu, "QEMU is gone"))
        };
        match attached {
            Ok((mon, qemu_status)) => {
                vm.state = resync_state(status.state, &qemu_status);
                if matches!(vm.state, StateReason::Shutdown(_)) {
                    // The guest powered off while nobody watched: finish the shutdown
                    // (SIGTERM; the monitor EOF that follows stops the domain).
                    signal(status.pid, libc::SIGTERM);
                }
                vm.id = id;
                let fd = mon.fd();
                vm.run = Some(Running {
                    proc: QemuProcess::adopt(status.pid),
                    pid: status.pid,
                    mon,
                    watch: None,
                    ctx: MapContext::default(),
                    priv_dir: status.lib_dir.clone(),
                    monitor_path: status.monitor.clone(),
                    pidfile,
                    status: path.to_path_buf(),
                    saved: None,
                    reboot_pending: false,
                });
                match self.watch_monitor(&entry, fd) {
                    Ok(w) => {
                        if let Some(run) = vm.run.as_mut() {
                            run.watch = Some(w);
                        }
                        vm.save_status();
                        id
                    }
                    Err(_) => {
                        // No loop to follow it on: leave it running for a later instance.
                        if let Some(run) = vm.run.take() {
                            run.proc.detach();
                        }
                        vm.state = StateReason::Shutoff(ShutoffReason::Unknown);
                        vm.id = None;
                        None
                    }
                }
            }
            Err(_) => {
                if ours {
                    signal(status.pid, libc::SIGKILL);
                }
                let _ = std::fs::remove_file(path);
                let _ = std::fs::remove_file(&pidfile);
                let _ = std::fs::remove_dir_all(&status.lib_dir);
                vm.state = StateReason::Shutoff(ShutoffReason::Crashed);
                vm.id = None;
                if let Some(next) = vm.next_def.take() {
                    vm.def = next;
                }
                let persistent = vm.persistent;
                drop(vm);
                if !persistent {
                    self.forget_if_transient(uuid);
                }
                None
            }
        }
    }

    /// The entry of a reconnected domain: its persistent definition's, or a new
    /// transient one.
    fn entry_for(&self, live: &DomainDef) -> Entry {
        let uuid = live.uuid.unwrap_or_default();
        let mut doms = lock(&self.doms);
        if let Some(e) = doms.iter().find(|e| e.uuid == uuid) {
            return e.clone();
        }
        let entry = Entry {
            name: live.name.clone(),
            uuid,
            vm: Arc::new(Mutex::new(Vm {
                def: live.clone(),
                next_def: None,
                uuid,
                persistent: false,
                state: StateReason::Shutoff(ShutoffReason::Unknown),
                id: None,
                run: None,
            })),
        };
        doms.push(entry.clone());
        entry
    }
}

/// Connects to the monitor, completes the QMP handshake and asks `query-status`.
fn attach(status: &DomainStatus) -> Result<(Monitor, String)> {
    let stream = UnixStream::connect(&status.monitor)?;
    let mut qmp = QmpStream::new(stream, MONITOR_TIMEOUT);
    qmp.handshake()?;
    let reply = qmp.execute("query-status", None)?;
    let qemu_status = reply
        .get("status")
        .and_then(|s| s.as_str())
        .unwrap_or("unknown")
        .to_owned();
    let (stream, codec, queued) = qmp.into_parts();
    Ok((Monitor::new(stream, codec, queued)?, qemu_status))
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
fn runs_domain(pid: u32, uuid: &impl std::fmt::Display) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let want = uuid.to_string();
    let mut args = cmdline.split(|&b| b == 0);
    while let Some(a) = args.next() {
        if a == b"-uuid" {
            return args.next().is_some_and(|u| u == want.as_bytes());
        }
    }
    false
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
        assert!(!runs_domain(std::process::id(), &"0000"));
        assert!(!runs_domain(u32::MAX, &"0000"));
    }
}

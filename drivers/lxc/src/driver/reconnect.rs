//! Reconnecting a new driver instance to the controllers an earlier instance left
//! running (its connections closed, or its process exited or was killed).
//!
//! Every `run/lxc/NAME.xml` status file names a controller pid and socket. A
//! controller that still runs (and is the one for NAME: checked on its command line)
//! is reconnected and watched again; it greets the new connection with INIT. Anything
//! else is cleaned up and the domain is shut off.

use std::path::Path;
use std::sync::Arc;

use rvirt_core::ErrorDomain;
use rvirt_core::api::{RunningReason, ShutoffReason, StateReason};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::files::xml_files;
use rvirt_core::log;

use super::instance::{Entry, Running, Shared, save_status};
use super::monitor::Monitor;
use crate::process::{alive, in_child_pid_ns, is_controller_of, signal};
use crate::state::Status;

impl Shared {
    /// Reconnects to every container with a status file.
    pub(crate) fn reconnect_all(self: &Arc<Self>) {
        for path in xml_files(&self.layout.state_dir()) {
            self.reconnect_one(&path);
        }
    }

    fn reconnect_one(self: &Arc<Self>, path: &Path) {
        let (status, mut live) = match self.read_status(path) {
            Ok(found) => found,
            Err(reason) => {
                log::warning(
                    ErrorDomain::Lxc,
                    format_args!("cannot use status file '{}': {reason}", path.display()),
                );
                self.recover(path);
                return;
            }
        };
        live.fill_defaults();
        live.id = None;
        let Some(entry) = self.entry_for(&live) else {
            return;
        };
        let mut vm = entry.lock();
        if vm.persistent {
            let config = std::mem::replace(&mut vm.def, live);
            if config != vm.def {
                vm.next_def = Some(config);
            }
        }
        let name = vm.name().to_string();
        let ours = alive(status.pid) && is_controller_of(status.pid, &name);
        let mon = if ours {
            Monitor::connect(&status.socket).ok()
        } else {
            None
        };
        if let Some(mon) = mon {
            let fd = mon.fd();
            vm.run = Some(Running {
                pid: status.pid,
                init_pid: status.init_pid,
                mon,
                watch: None,
            });
            self.domains.list.set_id(&mut vm, Some(status.pid));
            vm.state = StateReason::Running(RunningReason::Booted);
            match self.watch_monitor(&entry, fd) {
                Ok(w) => {
                    if let Some(run) = vm.run.as_mut() {
                        run.watch = Some(w);
                    }
                    save_status(&vm, &self.layout);
                    return;
                }
                Err(_) => {
                    // No loop to follow it on: leave it for a later instance.
                    vm.run = None;
                    self.domains.list.release_id(&mut vm);
                    vm.state = StateReason::Shutoff(ShutoffReason::Unknown);
                    return;
                }
            }
        }
        if ours {
            signal(status.pid, libc::SIGKILL);
        }
        // A controller killed before its init: init's parent-death signal normally
        // took care of it; kill a survivor, but only one that lives in another PID
        // namespace than ours (a recycled pid would not).
        if let Some(init) = status.init_pid
            && !ours
            && alive(init)
            && in_child_pid_ns(init)
        {
            signal(init, libc::SIGKILL);
        }
        let l = &self.layout;
        for f in [path.to_path_buf(), l.pid_file(&name), l.socket(&name)] {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_dir(l.staging_dir(&name));
        vm.apply_stop(StateReason::Shutoff(ShutoffReason::Unknown));
        drop(vm);
        self.domains.list.remove_if_transient(&entry.uuid());
    }

    /// Reads one status file. Paths in it are not trusted: its domain must be the one
    /// the file is named after, and its socket the root's socket for that name.
    fn read_status(&self, path: &Path) -> Result<(Status, DomainDef), String> {
        let status = Status::load(path)?;
        let live = DomainDef::from_stored_xml(&status.domain_xml)
            .map_err(|e| format!("its domain definition is invalid: {e}"))?;
        if path.file_stem().is_none_or(|s| s != live.name.as_str()) {
            return Err(format!("it describes domain '{}'", live.name));
        }
        if status.socket != self.layout.socket(&live.name) {
            return Err(format!(
                "its socket '{}' is not the root's socket for '{}'",
                status.socket.display(),
                live.name
            ));
        }
        Ok((status, live))
    }

    /// The status file `path` cannot be read: a controller that still runs for its
    /// name (found by its pid file and command line) is reconnected when the domain
    /// has a persistent definition, and killed otherwise (nothing is left to manage it
    /// with); the file is rewritten or removed.
    fn recover(self: &Arc<Self>, path: &Path) {
        let Some(name) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            return;
        };
        let l = self.layout.clone();
        let pid = std::fs::read_to_string(l.pid_file(&name))
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
            .filter(|&p| p > 0 && alive(p) && is_controller_of(p, &name));
        let entry = self.domains.list.find_by_name(&name);
        if let (Some(pid), Some(entry)) = (pid, entry) {
            let mut vm = entry.lock();
            if let Ok(mon) = Monitor::connect(&l.socket(&name)) {
                let fd = mon.fd();
                vm.run = Some(Running {
                    pid,
                    init_pid: None,
                    mon,
                    watch: None,
                });
                self.domains.list.set_id(&mut vm, Some(pid));
                vm.state = StateReason::Running(RunningReason::Unknown);
                if let Ok(w) = self.watch_monitor(&entry, fd) {
                    if let Some(run) = vm.run.as_mut() {
                        run.watch = Some(w);
                    }
                    save_status(&vm, &l);
                    log::warning(
                        ErrorDomain::Lxc,
                        format_args!(
                            "recovered container '{name}' (controller {pid}); its status file is rewritten"
                        ),
                    );
                    return;
                }
                vm.run = None;
                self.domains.list.release_id(&mut vm);
                vm.state = StateReason::Shutoff(ShutoffReason::Unknown);
            }
        }
        if let Some(pid) = pid {
            log::warning(
                ErrorDomain::Lxc,
                format_args!(
                    "controller {pid} of container '{name}' cannot be reconnected without its status; killing it"
                ),
            );
            signal(pid, libc::SIGKILL);
        }
        for f in [path.to_path_buf(), l.pid_file(&name), l.socket(&name)] {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_dir(l.staging_dir(&name));
    }

    /// The entry of a reconnected domain: its persistent definition's, or a new
    /// transient one (`None`, logged, if its name or UUID clashes with another domain).
    fn entry_for(&self, live: &DomainDef) -> Option<Entry> {
        self.domains
            .list
            .find_or_insert_transient(live)
            .map_err(|e| {
                log::warning(
                    ErrorDomain::Lxc,
                    format_args!("cannot reconnect container '{}': {e}", live.name),
                )
            })
            .ok()
    }
}

//! Save, restore and managed save for QEMU, as libvirt's QEMU driver does them: the
//! guest is paused, QEMU migrates its state into a socket the daemon listens on in the
//! run's private directory, the daemon copies the stream into the image after a
//! libvirt-style header ([`super::save_image`]), and QEMU is stopped (shut off, reason
//! saved; STOPPED/SAVED). Restore starts QEMU with `-incoming defer`, feeds it the
//! stream through `migrate-incoming` on another private socket and resumes it
//! (running, reason restored; STARTED/RESTORED). QEMU never opens the client's path:
//! the daemon does, through [`save_file`]. Managed save images live in `LIB/save`.

use std::fs::File;
use std::io::ErrorKind;
use std::net::Shutdown;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rvirt_core::api::{ShutoffReason, StateReason, StoppedDetail, XmlFlags};
use rvirt_core::conf::DomainDef;
use rvirt_core::driver::files::{PRIVATE_DIR_MODE, create_private};
use rvirt_core::driver::save_file::{self, strerror};
use rvirt_core::driver::{DomainRef, SaveRestore};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::connection::{QemuConnection, check_flags, runnable_def};
use super::instance::{Entry, Shared, not_running};
use super::save_image;
use super::start::{MONITOR_TIMEOUT, StartFlags};
use crate::qmp::QmpStream;

/// Bound for a whole migration to or from a file.
const MIGRATION_TIMEOUT: Duration = Duration::from_secs(120);

/// `virDomainSaveRestoreFlags`: `BYPASS_CACHE` (a hint; the image is written through the
/// page cache), `RUNNING` and `PAUSED` (the state the guest is restored in).
pub(super) const SAVE_BYPASS_CACHE: u32 = 1;
pub(super) const SAVE_RUNNING: u32 = 2;
pub(super) const SAVE_PAUSED: u32 = 4;

/// The state `flags` ask the guest to be restored in: running (`Some(true)`), paused
/// (`Some(false)`) or as it was saved (`None`).
pub(super) fn restored_state(flags: u32) -> Result<Option<bool>> {
    match (flags & SAVE_RUNNING != 0, flags & SAVE_PAUSED != 0) {
        (true, true) => Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive",
        )),
        (true, false) => Ok(Some(true)),
        (false, true) => Ok(Some(false)),
        (false, false) => Ok(None),
    }
}

/// How a save is written beyond the guest's state.
#[derive(Default)]
struct SaveAs {
    /// The domain XML to store instead of the live one (checked to describe the same
    /// guest).
    def: Option<DomainDef>,
    /// The state to restore the guest in; `None`: as it is now.
    running: Option<bool>,
}

fn failed(message: String) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

fn system(message: String) -> Error {
    Error::verbatim(ErrorCode::SystemError, ErrorDomain::Qemu, message)
}

/// Polls `query-migrate` until the migration completed, failed or timed out.
fn wait_migration(query: impl FnMut() -> Result<Value>) -> Result<()> {
    use super::migration_wait::{Bound, Stop};
    let every = Duration::from_millis(50);
    match super::migration_wait::wait_migration(
        query,
        &["completed"],
        Bound::Total(MIGRATION_TIMEOUT),
        every,
    ) {
        Ok(_) => Ok(()),
        Err(Stop::Query(e)) => Err(e),
        Err(Stop::Cancelled) => Err(Error::new(
            ErrorCode::OperationAborted,
            ErrorDomain::Qemu,
            "job 'domain save' canceled by client",
        )),
        Err(Stop::Failed(why)) => Err(failed(format!(
            "migration failed: {}",
            why.as_deref().unwrap_or("unknown error")
        ))),
        Err(Stop::TimedOut) => Err(failed("migration timed out".into())),
    }
}

/// QEMU's migration stream of the (stopped) guest behind `mon` appended to `file`,
/// through a socket in the private directory `priv_dir` (QEMU's user can reach it).
pub(crate) fn migrate_to_file(
    mon: &super::monitor::Monitor,
    priv_dir: &Path,
    file: File,
) -> Result<()> {
    let sock = priv_dir.join("save.sock");
    let _ = std::fs::remove_file(&sock);
    let listener = UnixListener::bind(&sock).map_err(|e| {
        system(format!(
            "cannot bind '{}': {}",
            sock.display(),
            strerror(&e)
        ))
    })?;
    // QEMU may run as its own user (DAC): it must be able to connect. The socket
    // lies in the 0700 private directory only the daemon and QEMU's user enter.
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o666));
    }
    let sink = spawn_sink(listener, file);
    let uri = format!("unix:{}", sock.display());
    let migrated = mon
        .call("migrate", Some(json!({ "uri": uri })), MONITOR_TIMEOUT)
        .and_then(|_| wait_migration(|| mon.call("query-migrate", None, MONITOR_TIMEOUT)));
    if let Err(e) = migrated {
        let _ = mon.call("migrate_cancel", None, MONITOR_TIMEOUT);
        let _ = std::fs::remove_file(&sock);
        return Err(e);
    }
    let written = sink
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("copy thread panicked")));
    let _ = std::fs::remove_file(&sock);
    written.map_err(|e| system(format!("failed to write save image: {}", strerror(&e))))
}

/// Accepts QEMU's one connection on `listener` and copies its stream into `file`.
fn spawn_sink(listener: UnixListener, mut file: File) -> JoinHandle<std::io::Result<()>> {
    std::thread::spawn(move || {
        listener.set_nonblocking(true)?;
        let deadline = Instant::now() + MIGRATION_TIMEOUT;
        let mut s = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        };
        s.set_nonblocking(false)?;
        s.set_read_timeout(Some(MIGRATION_TIMEOUT))?;
        std::io::copy(&mut s, &mut file)?;
        file.sync_all()
    })
}

/// During a restore's start-up, before `cont`: QEMU (started with `-incoming defer`)
/// loads the migration stream of `file` through a socket in `priv_dir`.
pub(crate) fn receive(qmp: &mut QmpStream, priv_dir: &Path, mut file: File) -> Result<()> {
    let sock = priv_dir.join("restore.sock");
    let uri = format!("unix:{}", sock.display());
    qmp.execute("migrate-incoming", Some(json!({ "uri": uri })))?;
    let mut s = UnixStream::connect(&sock).map_err(|e| {
        system(format!(
            "cannot connect to '{}': {}",
            sock.display(),
            strerror(&e)
        ))
    })?;
    let feeder = std::thread::spawn(move || {
        let r = std::io::copy(&mut file, &mut s);
        let _ = s.shutdown(Shutdown::Write);
        r
    });
    let r = wait_migration(|| qmp.execute("query-migrate", None));
    let _ = std::fs::remove_file(&sock);
    let _ = feeder.join();
    r
}

impl Shared {
    /// The managed save image of domain `name`.
    pub(super) fn managed_image(&self, name: &str) -> PathBuf {
        self.dirs().lib.join("save").join(format!("{name}.save"))
    }

    /// Saves the running domain of `entry` into `file` and stops it; `managed` marks
    /// the domain as having a managed save image.
    fn save_to(
        self: &Arc<Self>,
        entry: &Entry,
        mut file: File,
        managed: bool,
        save_as: SaveAs,
    ) -> Result<()> {
        let job = entry.begin_job("virDomainSave")?;
        let (mon, xml, was_running, priv_dir) = {
            let vm = job.lock();
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            if managed && !vm.persistent {
                return Err(Error::operation_invalid(
                    ErrorDomain::Qemu,
                    "cannot do managed save for transient domain",
                ));
            }
            let xml = match &save_as.def {
                Some(def) => {
                    rvirt_core::driver::check_abi_stability(&vm.def, def)?;
                    rvirt_core::driver::format_domain_xml(def, None, None, XmlFlags::SECURE)?
                }
                None => vm.xml(XmlFlags::SECURE)?,
            };
            let was_running = matches!(vm.state, StateReason::Running(_));
            (run.mon.clone(), xml, was_running, run.priv_dir.clone())
        };
        if was_running {
            mon.call("stop", None, MONITOR_TIMEOUT)?;
        }
        let resume = |e: Error| {
            if was_running {
                let _ = mon.call("cont", None, MONITOR_TIMEOUT);
            }
            e
        };
        let restore_running = save_as.running.unwrap_or(was_running);
        save_image::write_header(&mut file, &xml, restore_running).map_err(resume)?;
        migrate_to_file(&mon, &priv_dir, file).map_err(resume)?;
        let stopped = (ShutoffReason::Saved, StoppedDetail::Saved);
        self.terminate(entry, job, stopped, |vm| {
            vm.managed_save = managed;
        })
    }

    /// Starts `def` from the migration stream `file` is positioned at.
    fn restore_def(self: &Arc<Self>, def: DomainDef, file: File, paused: bool) -> Result<()> {
        self.domains.create_xml(def, |entry| {
            let job = entry.begin_job("virDomainRestore")?;
            self.start_from(entry, &job, StartFlags::paused(paused), Some(file))
        })?;
        Ok(())
    }

    /// `virDomainCreate` of a domain with a managed save image: restores it, then
    /// removes the image. `None` if the domain has none. The guest runs under the
    /// image's XML (`virDomainManagedSaveDefineXML` may have changed it), the persistent
    /// definition waiting for its stop.
    pub(crate) fn start_managed(
        self: &Arc<Self>,
        entry: &Entry,
        how: StartFlags,
    ) -> Option<Result<()>> {
        let image = self.managed_image(entry.lock().name());
        let mut file = File::open(&image).ok()?;
        Some((|| {
            let path = image.display().to_string();
            let (xml, was_running) = save_image::read_header(&mut file, &path)?;
            let saved = runnable_def(&xml)?;
            let job = entry.begin_job("virDomainCreate")?;
            let how = StartFlags {
                paused: how.paused || !was_running,
                ..how
            };
            let swapped = {
                let mut vm = job.lock();
                if vm.def.name != saved.name || vm.def.uuid != saved.uuid {
                    return Err(failed(format!(
                        "cannot restore domain '{}' uuid {} from a file which belongs to domain '{}' uuid {}",
                        vm.def.name,
                        vm.uuid().hyphenated(),
                        saved.name,
                        saved
                            .uuid
                            .map(|u| u.hyphenated().to_string())
                            .unwrap_or_default()
                    )));
                }
                let swap = vm.def != saved && vm.next_def.is_none();
                if swap {
                    let persistent = std::mem::replace(&mut vm.def, saved);
                    vm.next_def = Some(persistent);
                }
                swap
            };
            let started = self.start_from(entry, &job, how, Some(file));
            if started.is_err() && swapped {
                let mut vm = job.lock();
                if let Some(persistent) = vm.next_def.take() {
                    vm.def = persistent;
                }
            }
            started?;
            let _ = std::fs::remove_file(&image);
            Ok(())
        })())
    }
}

impl QemuConnection {
    fn entry(&self, dom: &DomainRef) -> Result<Entry> {
        self.shared.domains.list.get(dom)
    }

    /// `virDomainManagedSave`, or `virDomainSaveParams` without a file: with `dxml`
    /// (checked to describe the same guest) stored instead of the live XML.
    fn managed_save_as(&self, dom: &DomainRef, dxml: Option<&str>, flags: u32) -> Result<()> {
        // VIR_DOMAIN_SAVE_BYPASS_CACHE | _RUNNING | _PAUSED.
        check_flags(
            flags,
            SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED,
            "qemuDomainManagedSave",
        )?;
        let save_as = SaveAs {
            running: restored_state(flags)?,
            def: dxml.map(runnable_def).transpose()?,
        };
        let entry = self.entry(dom)?;
        let name = {
            let vm = entry.lock();
            if !vm.is_active() {
                return Err(not_running());
            }
            vm.name().to_string()
        };
        let image = self.shared.managed_image(&name);
        if let Some(dir) = image.parent() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(PRIVATE_DIR_MODE)
                .create(dir)
                .map_err(|e| {
                    system(format!(
                        "cannot create '{}': {}",
                        dir.display(),
                        strerror(&e)
                    ))
                })?;
        }
        let file = create_private(&image).map_err(|e| {
            system(format!(
                "failed to create '{}': {}",
                image.display(),
                strerror(&e)
            ))
        })?;
        let r = self.shared.save_to(&entry, file, true, save_as);
        if r.is_err() {
            let _ = std::fs::remove_file(&image);
        }
        r
    }
}

impl SaveRestore for QemuConnection {
    fn save_flags(
        &self,
        dom: &DomainRef,
        path: &str,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED,
            "qemuDomainSaveFlags",
        )?;
        let save_as = SaveAs {
            running: restored_state(flags)?,
            def: dxml.map(runnable_def).transpose()?,
        };
        let entry = self.entry(dom)?;
        if !entry.lock().is_active() {
            return Err(not_running());
        }
        let file = save_file::create_save_file(path)
            .map_err(|e| system(format!("failed to create '{path}': {}", strerror(&e))))?;
        let r = self.shared.save_to(&entry, file, false, save_as);
        if r.is_err() {
            let _ = std::fs::remove_file(path);
        }
        r
    }

    fn restore_flags(&self, path: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        check_flags(
            flags,
            SAVE_BYPASS_CACHE | SAVE_RUNNING | SAVE_PAUSED,
            "qemuDomainRestoreFlags",
        )?;
        let running = restored_state(flags)?;
        let mut file = save_file::open_save_file(path)
            .map_err(|e| system(format!("cannot open '{path}': {}", strerror(&e))))?;
        let (xml, was_running) = save_image::read_header(&mut file, path)?;
        let mut def = runnable_def(&xml)?;
        if let Some(dxml) = dxml {
            let given = runnable_def(dxml)?;
            rvirt_core::driver::check_abi_stability(&def, &given)?;
            def = given;
        }
        self.shared
            .restore_def(def, file, !running.unwrap_or(was_running))
    }

    fn save_image_xml_desc(&self, path: &str, flags: u32) -> Result<String> {
        check_flags(flags, 1, "qemuDomainSaveImageGetXMLDesc")?;
        let mut file = save_file::open_save_file(path)
            .map_err(|e| system(format!("cannot open '{path}': {}", strerror(&e))))?;
        Ok(save_image::read_header(&mut file, path)?.0)
    }

    fn managed_save(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        self.managed_save_as(dom, None, flags)
    }

    fn save_params(
        &self,
        dom: &DomainRef,
        file: Option<&str>,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        match file {
            Some(file) => self.save_flags(dom, file, dxml, flags),
            None => self.managed_save_as(dom, dxml, flags),
        }
    }

    fn has_managed_save_image(&self, dom: &DomainRef, flags: u32) -> Result<bool> {
        check_flags(flags, 0, "qemuDomainHasManagedSaveImage")?;
        let entry = self.entry(dom)?;
        let name = entry.lock().name().to_string();
        Ok(self.shared.managed_image(&name).exists())
    }

    fn core_dump(&self, dom: &DomainRef, path: &str, format: u32, flags: u32) -> Result<()> {
        let entry = self.entry(dom)?;
        self.shared.core_dump(&entry, path, format, flags)
    }

    fn managed_save_xml_desc(&self, dom: &DomainRef, flags: u32) -> Result<String> {
        // VIR_DOMAIN_SAVE_IMAGE_XML_SECURE.
        check_flags(flags, 1, "qemuDomainManagedSaveGetXMLDesc")?;
        let entry = self.entry(dom)?;
        let image = self.shared.managed_image(entry.lock().name());
        if !image.exists() {
            return Err(Error::operation_invalid(
                ErrorDomain::Qemu,
                "domain does not have managed save image",
            ));
        }
        // The driver's own file (not a client's path): opened directly.
        let path = image.display().to_string();
        let mut file = File::open(&image)
            .map_err(|e| system(format!("cannot open '{path}': {}", strerror(&e))))?;
        Ok(save_image::read_header(&mut file, &path)?.0)
    }

    fn save_image_define_xml(&self, path: &str, dxml: &str, flags: u32) -> Result<()> {
        self.shared.define_image_xml(path, dxml, flags)
    }

    fn managed_save_define_xml(
        &self,
        dom: &DomainRef,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        let entry = self.entry(dom)?;
        let image = self.shared.managed_image(entry.lock().name());
        self.shared.define_managed_xml(&image, dxml, flags)
    }

    fn managed_save_remove(&self, dom: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, 0, "qemuDomainManagedSaveRemove")?;
        let entry = self.entry(dom)?;
        let mut vm = entry.lock();
        let image = self.shared.managed_image(vm.name());
        match std::fs::remove_file(&image) {
            Err(e) if e.kind() != ErrorKind::NotFound => {
                return Err(system(format!(
                    "failed to remove managed save file '{}': {}",
                    image.display(),
                    strerror(&e)
                )));
            }
            _ => {}
        }
        vm.managed_save = false;
        Ok(())
    }
}

//! `virDomainOpenConsole` and `virDomainScreenshot` of a running domain: the pty of a
//! `pty` serial/console (from the live definition, where start put what QEMU's
//! `query-chardev` reported), opened raw and non-blocking with the domain's console
//! lease; and QEMU's `screendump` into a file of the root's run directory, read back
//! as a PPM image.

use std::ffi::CString;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicU64, Ordering};

use rvirt_core::conf::{CharDeviceType, Device, DomainDef};
use rvirt_core::driver::{CONSOLE_FORCE, CONSOLE_SAFE, Console, DomainRef, Screenshot};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::connection::check_flags;
use super::instance::{Shared, not_running};
use super::start::MONITOR_TIMEOUT;

/// What QEMU's screendump writes.
const PPM: &str = "image/x-portable-pixmap";

fn internal(message: String) -> Error {
    Error::new(ErrorCode::InternalError, ErrorDomain::Qemu, message)
}

/// The console devices by libvirt's aliases (`consoleN`, `serialN`), consoles first:
/// `(alias, type, pty path)`.
fn char_devices(def: &DomainDef) -> Vec<(String, CharDeviceType, Option<String>)> {
    let mut consoles = Vec::new();
    let mut serials = Vec::new();
    for dev in def.devices() {
        let (list, prefix, chr) = match dev {
            Device::Console(c) => (&mut consoles, "console", c),
            Device::Serial(s) => (&mut serials, "serial", s),
            _ => continue,
        };
        let path = chr.sources.first().and_then(|s| s.path.clone());
        list.push((format!("{prefix}{}", list.len()), chr.char_type, path));
    }
    consoles.extend(serials);
    consoles
}

/// Opens the pty `path` read-write, non-blocking, not as a controlling terminal, in
/// raw mode (libvirt's `virFDStreamOpenPTY`).
fn open_pty(path: &str) -> Result<OwnedFd> {
    let cpath = CString::new(std::path::Path::new(path).as_os_str().as_bytes())
        .map_err(|_| internal(format!("bad pty path {path}")))?;
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_NONBLOCK | libc::O_CLOEXEC;
    // SAFETY: a valid C string; the fd returned is owned below.
    let fd = unsafe { libc::open(cpath.as_ptr(), flags) };
    if fd < 0 {
        let e = std::io::Error::last_os_error();
        return Err(Error::new(
            ErrorCode::SystemError,
            ErrorDomain::Qemu,
            format!("Unable to open tty {path}: {e}"),
        ));
    }
    // SAFETY: fd was just opened and is ours.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: termios is plain data; tcgetattr fills it.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(std::os::fd::AsRawFd::as_raw_fd(&fd), &mut t) == 0 {
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(std::os::fd::AsRawFd::as_raw_fd(&fd), libc::TCSADRAIN, &t);
        }
    }
    Ok(fd)
}

impl Shared {
    /// `virDomainOpenConsole`: the pty of console `dev_name` (the first console, else
    /// the first serial, when `None`) with its session lease.
    pub(crate) fn open_console(
        &self,
        dom: &DomainRef,
        dev_name: Option<&str>,
        flags: u32,
    ) -> Result<Console> {
        check_flags(flags, CONSOLE_FORCE | CONSOLE_SAFE, "qemuDomainOpenConsole")?;
        let (alias, path) = self.domains.read(dom, |vm| {
            if vm.run.is_none() {
                return Err(not_running());
            }
            let devices = char_devices(&vm.def);
            let found = match dev_name {
                None => devices.into_iter().next(),
                Some(name) => devices.into_iter().find(|(a, _, _)| a == name),
            };
            let Some((alias, kind, path)) = found else {
                return Err(internal(format!(
                    "cannot find character device {}",
                    dev_name.unwrap_or("<null>")
                )));
            };
            match (kind, path) {
                (CharDeviceType::Pty, Some(path)) => Ok((alias, path)),
                _ => Err(internal(format!(
                    "character device {alias} is not using a PTY"
                ))),
            }
        })?;
        // A serial console and its serial share one pty, hence one session.
        let _ = alias;
        let lease = self.consoles.acquire(
            &format!("{}/{path}", dom.uuid),
            flags & CONSOLE_FORCE != 0,
            ErrorDomain::Qemu,
        )?;
        let fd = open_pty(&path)?;
        Ok(Console { fd, lease })
    }

    /// `virDomainScreenshot`: QEMU's `screendump` of the primary screen into a file of
    /// the run directory, read and removed.
    pub(crate) fn screenshot(
        &self,
        dom: &DomainRef,
        screen: u32,
        flags: u32,
    ) -> Result<Screenshot> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        check_flags(flags, 0, "qemuDomainScreenshot")?;
        let entry = self.domains.list.get(dom)?;
        let job = entry.begin_job("virDomainScreenshot")?;
        let (mon, priv_dir) = {
            let vm = job.lock();
            let run = vm.run.as_ref().ok_or_else(not_running)?;
            let screens = vm
                .def
                .devices()
                .iter()
                .filter(|d| matches!(d, Device::Video(_) | Device::Graphics(_)))
                .count();
            if screens == 0 {
                return Err(Error::new(
                    ErrorCode::OperationInvalid,
                    ErrorDomain::Qemu,
                    "no screens to take screenshot from",
                ));
            }
            if screen != 0 {
                return Err(Error::invalid_arg(
                    ErrorDomain::Qemu,
                    format!("no screen with index {screen}"),
                ));
            }
            (run.mon.clone(), run.priv_dir.clone())
        };
        // In the domain's private directory: QEMU writes it, and under
        // qemu:///system QEMU's user owns only that directory (libvirt labels its
        // screendump file the same way).
        let file = priv_dir.join(format!(
            "screendump.{}.{}.ppm",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let result = mon.call(
            "screendump",
            Some(json!({ "filename": file.to_string_lossy() })),
            MONITOR_TIMEOUT,
        );
        drop(job);
        let read = result.and_then(|_| {
            std::fs::read(&file)
                .map_err(|e| internal(format!("cannot read screenshot {}: {e}", file.display())))
        });
        let _ = std::fs::remove_file(&file);
        Ok(Screenshot {
            mime: PPM.to_string(),
            data: read?,
        })
    }
}

//! macvtap devices for `<interface type='direct'>` (libvirt's
//! `virNetDevMacVLanCreateWithVPortProfile`): a `macvtapN` on the source device, in the
//! NIC's mode and with the guest's MAC, brought up; its character device
//! `/dev/tapIFINDEX` is opened once per queue and the fds go to QEMU. Unlike a tap, a
//! macvtap outlives its fds: [`delete`] removes it when the guest stops.
//!
//! In `passthrough` mode the macvtap takes the source device's own address, so (as
//! libvirt does) the source device is given the guest's MAC first, its own address kept
//! in a state file and put back by [`delete`].

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::tap::{TapFlags, ip, set_iff};

/// The names libvirt generates (`macvtap0`, `macvtap1`, …).
pub const MACVTAP_PREFIX: &str = "macvtap";

/// The most `macvtapN` names tried before giving up (libvirt's `MACVTAP_MAX_ID`-ish
/// bound, well above what one host runs).
const MAX_ID: u32 = 8192;

const IFF_TAP: libc::c_short = 0x0002;
const IFF_NO_PI: libc::c_short = 0x1000;

/// One creation at a time: choosing a free name and taking it are one step.
static CREATE: Mutex<()> = Mutex::new(());

/// `ip`'s word for a `<source mode=…>` of libvirt's; `None` for a mode libvirt does not
/// know.
pub fn ip_mode(mode: &str) -> Option<&'static str> {
    Some(match mode {
        "vepa" => "vepa",
        "private" => "private",
        "bridge" => "bridge",
        "passthrough" => "passthru",
        _ => return None,
    })
}

/// An open macvtap: its name and the fds of `/dev/tapIFINDEX`, one per queue.
#[derive(Debug)]
pub struct Macvtap {
    files: Vec<File>,
    name: String,
}

fn net_error(message: String) -> Error {
    Error::new(ErrorCode::SystemError, ErrorDomain::Net, message)
}

/// The interface index of `name` in this thread's network namespace (0: none).
fn ifindex(name: &str) -> u32 {
    let Ok(c) = std::ffi::CString::new(name) else {
        return 0;
    };
    // SAFETY: if_nametoindex reads a NUL-terminated string we own.
    unsafe { libc::if_nametoindex(c.as_ptr()) }
}

/// True for a name the kernel accepts for an interface: 1–15 bytes, no `/`, `:` or
/// white space, not `.` or `..`.
pub fn valid_ifname(name: &str) -> bool {
    !name.is_empty()
        && name.len() < libc::IFNAMSIZ
        && name != "."
        && name != ".."
        && !name
            .bytes()
            .any(|b| b == b'/' || b == b':' || b.is_ascii_whitespace() || b == 0)
}

/// Where the passthrough source device `link`'s own MAC is kept while a guest holds it.
fn saved_mac_path(state_dir: &Path, link: &str) -> PathBuf {
    state_dir.join(format!("{link}.netdev-mac"))
}

/// The MAC of interface `name` (`ip -o link show`).
fn link_mac(name: &str) -> Result<String> {
    let out = std::process::Command::new("ip")
        .args(["-o", "link", "show", "dev", name])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| net_error(format!("cannot run ip: {e}")))?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .map(str::to_owned)
        .ok_or_else(|| net_error(format!("cannot get the MAC address of '{name}'")))
}

/// Writes `text` to `path` atomically (temp file, fsync, rename).
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let done = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    done.map_err(|e| net_error(format!("cannot write '{}': {e}", path.display())))
}

impl Macvtap {
    /// Creates a macvtap on `link` in `mode` (libvirt's word) with the guest's `mac`,
    /// named `wanted` if the NIC names one that is not generated, else the first free
    /// `macvtapN`; brings it up and opens it once per queue of `flags`. `state_dir`
    /// keeps a passthrough source device's own MAC.
    pub fn create(
        link: &str,
        mode: &str,
        mac: &str,
        wanted: Option<&str>,
        flags: TapFlags,
        state_dir: &Path,
    ) -> Result<Macvtap> {
        let ip_mode = ip_mode(mode).ok_or_else(|| {
            Error::new(
                ErrorCode::XmlError,
                ErrorDomain::Domain,
                format!("Unknown mode '{mode}' in interface <source> element"),
            )
        })?;
        let _guard = CREATE.lock().unwrap_or_else(|p| p.into_inner());
        let fixed = wanted.filter(|w| !w.starts_with(MACVTAP_PREFIX));
        if let Some(w) = fixed
            && !valid_ifname(w)
        {
            return Err(net_error(format!("invalid interface name '{w}'")));
        }
        let shown = fixed.unwrap_or("macvtap%d");
        if !valid_ifname(link) || ifindex(link) == 0 {
            return Err(net_error(format!(
                "error creating macvtap interface {shown}@{link} ({mac}): No such device"
            )));
        }
        if mode == "passthrough" {
            let path = saved_mac_path(state_dir, link);
            if !path.exists() {
                write_atomic(&path, &link_mac(link)?)?;
            }
            ip(&["link", "set", "dev", link, "address", mac])?;
        }
        let name = match Self::add_link(link, ip_mode, mac, fixed) {
            Ok(n) => n,
            Err(e) => {
                if mode == "passthrough" {
                    restore_link_mac(link, state_dir);
                }
                return Err(e);
            }
        };
        match Self::open(&name, flags) {
            Ok(files) => Ok(Macvtap { files, name }),
            Err(e) => {
                delete(&name, link, mode, state_dir);
                Err(e)
            }
        }
    }

    /// `ip link add link LINK name NAME address MAC type macvtap mode MODE`, with the
    /// first free `macvtapN` unless `fixed` names the device; brings it up.
    fn add_link(link: &str, mode: &str, mac: &str, fixed: Option<&str>) -> Result<String> {
        let mut n = 0;
        loop {
            let name = match fixed {
                Some(f) => f.to_owned(),
                None => format!("{MACVTAP_PREFIX}{n}"),
            };
            n += 1;
            if fixed.is_none() && ifindex(&name) != 0 {
                if n >= MAX_ID {
                    return Err(net_error("no free macvtap device name is left".to_string()));
                }
                continue;
            }
            let args = [
                "link", "add", "link", link, "name", &name, "address", mac, "type", "macvtap",
                "mode", mode,
            ];
            match ip(&args) {
                Ok(()) => {}
                Err(e) if fixed.is_none() && e.message().contains("File exists") => continue,
                Err(e) => {
                    return Err(net_error(format!(
                        "error creating macvtap interface {name}@{link} ({mac}): {}",
                        e.message()
                    )));
                }
            }
            if let Err(e) = ip(&["link", "set", "dev", &name, "up"]) {
                let _ = ip(&["link", "delete", "dev", &name]);
                return Err(e);
            }
            return Ok(name);
        }
    }

    /// Opens `/dev/tapIFINDEX` of `name` once per queue, with `IFF_VNET_HDR` and
    /// `IFF_MULTI_QUEUE` as `flags` asks. The device node may appear a moment after
    /// the link: a few tries, as libvirt's.
    fn open(name: &str, flags: TapFlags) -> Result<Vec<File>> {
        let index = ifindex(name);
        let path = format!("/dev/tap{index}");
        let queues = flags.queues.clamp(1, super::tap::MAX_QUEUES);
        let mut files = Vec::with_capacity(queues as usize);
        for _ in 0..queues {
            let mut tries = 0;
            let file = loop {
                match OpenOptions::new()
                    .read(true)
                    .write(true)
                    .custom_flags(libc::O_CLOEXEC)
                    .open(&path)
                {
                    Ok(f) => break f,
                    Err(e) if e.kind() == ErrorKind::NotFound && tries < 50 => {
                        tries += 1;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    Err(e) => {
                        return Err(net_error(format!(
                            "cannot open macvtap tap device {path}: {e}"
                        )));
                    }
                }
            };
            set_iff(&file, "", IFF_TAP | IFF_NO_PI | flags.bits()).map_err(|e| {
                net_error(format!(
                    "unable to set vnet or multiqueue flags on macvtap: {}",
                    e.message()
                ))
            })?;
            files.push(file);
        }
        Ok(files)
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fds, one per queue (close-on-exec; the spawner clears that for QEMU).
    pub fn fds(&self) -> Vec<RawFd> {
        self.files.iter().map(AsRawFd::as_raw_fd).collect()
    }
}

/// Gives the passthrough source device `link` back the MAC kept for it.
fn restore_link_mac(link: &str, state_dir: &Path) {
    let path = saved_mac_path(state_dir, link);
    let Ok(mac) = std::fs::read_to_string(&path) else {
        return;
    };
    let mac = mac.trim();
    if super::tap::host_side_mac(mac).is_some() && valid_ifname(link) {
        let _ = ip(&["link", "set", "dev", link, "address", mac]);
    }
    let _ = std::fs::remove_file(&path);
}

/// Removes the macvtap `name` on `link` (best effort) and, in `passthrough` mode, gives
/// `link` its own MAC back (libvirt's `virNetDevMacVLanDeleteWithVPortProfile`).
pub fn delete(name: &str, link: &str, mode: &str, state_dir: &Path) {
    if valid_ifname(name) {
        let _ = ip(&["link", "delete", "dev", name]);
    }
    if mode == "passthrough" {
        restore_link_mac(link, state_dir);
    }
}

/// True if a macvtap named `name` exists with the MAC `mac` (a guest's device that no
/// other guest took meanwhile).
pub fn exists_with_mac(name: &str, mac: &str) -> bool {
    valid_ifname(name) && link_mac(name).is_ok_and(|m| m.eq_ignore_ascii_case(mac))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_libvirts() {
        assert_eq!(ip_mode("passthrough"), Some("passthru"));
        assert_eq!(ip_mode("vepa"), Some("vepa"));
        assert_eq!(ip_mode("passthru"), None);
    }

    #[test]
    fn interface_names_are_checked() {
        assert!(valid_ifname("eth0"));
        assert!(!valid_ifname("../x"));
        assert!(!valid_ifname(".."));
        assert!(!valid_ifname("a b"));
        assert!(!valid_ifname("0123456789abcdef"));
    }
}

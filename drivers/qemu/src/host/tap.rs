//! Tap devices for guest NICs on a bridge (libvirt's `virNetDevTapCreateInBridgePort`):
//! `TUNSETIFF` on `/dev/net/tun` names the device (the kernel picks `vnetN`), `ip`
//! enslaves it to the bridge and brings it up. The tap is not persistent: it goes away
//! with the last open fd (QEMU's), and [`delete`] removes it at once at stop.

use std::fs::{File, OpenOptions};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Command, Stdio};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// The name template the kernel numbers (`vnet0`, `vnet1`, …), as libvirt's.
pub const TAP_TEMPLATE: &str = "vnet%d";

const TUN_DEVICE: &str = "/dev/net/tun";
const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
const IFF_TAP: libc::c_short = 0x0002;
const IFF_NO_PI: libc::c_short = 0x1000;
const IFF_VNET_HDR: libc::c_short = 0x4000;
const IFF_MULTI_QUEUE: libc::c_short = 0x0100;

/// The most queues one NIC may ask for (the kernel's `MAX_TAP_QUEUES`).
pub const MAX_QUEUES: u32 = 256;

/// `struct ifreq` as `TUNSETIFF` reads and writes it: the name and the flags.
#[repr(C)]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _pad: [u8; 22],
}

/// An open tap device: the fds QEMU inherits (one per queue) and the name the
/// kernel gave it.
#[derive(Debug)]
pub struct Tap {
    files: Vec<File>,
    name: String,
}

/// How a tap is opened: its queues (`IFF_MULTI_QUEUE` when more than one) and whether
/// frames carry a virtio-net header (`IFF_VNET_HDR`, for virtio NICs, as libvirt's
/// `VIR_NETDEV_TAP_CREATE_VNET_HDR`).
#[derive(Clone, Copy, Debug)]
pub struct TapFlags {
    /// Queues: fds opened on the device (at least one).
    pub queues: u32,
    /// `IFF_VNET_HDR`.
    pub vnet_hdr: bool,
}

impl Default for TapFlags {
    fn default() -> Self {
        TapFlags {
            queues: 1,
            vnet_hdr: false,
        }
    }
}

impl TapFlags {
    /// The `TUNSETIFF` flags beyond `IFF_TAP | IFF_NO_PI`.
    pub(crate) fn bits(self) -> libc::c_short {
        let mut f = 0;
        if self.vnet_hdr {
            f |= IFF_VNET_HDR;
        }
        if self.queues > 1 {
            f |= IFF_MULTI_QUEUE;
        }
        f
    }
}

pub(crate) fn sys_error(message: String) -> Error {
    Error::new(ErrorCode::SystemError, ErrorDomain::Qemu, message)
}

impl Tap {
    /// Creates a tap named after `template` (`vnet%d`, or a fixed name) with one fd
    /// per queue of `flags`.
    pub fn create(template: &str, flags: TapFlags) -> Result<Tap> {
        if template.is_empty() || template.len() >= libc::IFNAMSIZ {
            return Err(sys_error(format!("invalid tap device name '{template}'")));
        }
        let queues = flags.queues.clamp(1, MAX_QUEUES);
        let mut files = Vec::with_capacity(queues as usize);
        let mut name = template.to_owned();
        for _ in 0..queues {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_CLOEXEC)
                .open(TUN_DEVICE)
                .map_err(|e| sys_error(format!("unable to open {TUN_DEVICE}: {e}")))?;
            // The first queue names the device; the others attach to that name.
            name = set_iff(&file, &name, IFF_TAP | IFF_NO_PI | flags.bits())?;
            files.push(file);
        }
        Ok(Tap { files, name })
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fds, one per queue (close-on-exec; the spawner clears that for QEMU).
    pub fn fds(&self) -> Vec<RawFd> {
        self.files.iter().map(AsRawFd::as_raw_fd).collect()
    }

    /// Gives the tap the guest MAC with its first byte `0xfe` (so the bridge never
    /// takes the guest's address as its own, as libvirt does), enslaves it to
    /// `bridge` and brings it up.
    pub fn plug(&self, bridge: &str, guest_mac: Option<&str>) -> Result<()> {
        if let Some(mac) = guest_mac.and_then(host_side_mac) {
            ip(&["link", "set", "dev", &self.name, "address", &mac])?;
        }
        ip(&["link", "set", "dev", &self.name, "master", bridge, "up"])
    }
}

/// `TUNSETIFF` on `file` with `name` and `flags`; returns the name the kernel gave.
pub(crate) fn set_iff(file: &File, name: &str, flags: libc::c_short) -> Result<String> {
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        flags,
        _pad: [0; 22],
    };
    req.name[..name.len()].copy_from_slice(name.as_bytes());
    // SAFETY: TUNSETIFF reads and writes a `struct ifreq`, which `req` is laid out as
    // (name, flags, padding to its full size), on a tun fd we own.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), TUNSETIFF, &mut req as *mut IfReq) };
    if rc < 0 {
        return Err(sys_error(format!(
            "unable to create tap device {name}: {}",
            std::io::Error::last_os_error()
        )));
    }
    let len = req
        .name
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(req.name.len());
    Ok(String::from_utf8_lossy(&req.name[..len]).into_owned())
}

/// Enslaves the existing tap `name` to `bridge` and brings it up (a running guest's
/// tap after its network's bridge was made again).
pub fn attach(name: &str, bridge: &str) -> Result<()> {
    ip(&["link", "set", "dev", name, "master", bridge, "up"])
}

/// `fe` followed by the last five bytes of `mac`; `None` if it is not a MAC address.
pub fn host_side_mac(mac: &str) -> Option<String> {
    let parts: Vec<&str> = mac.split(':').collect();
    let valid = parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    valid.then(|| format!("fe:{}", parts[1..].join(":")).to_ascii_lowercase())
}

/// Runs `ip ARGS`, its error output in the error.
pub(crate) fn ip(args: &[&str]) -> Result<()> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| sys_error(format!("cannot run ip: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::InternalError,
        ErrorDomain::Qemu,
        format!(
            "ip {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    ))
}

/// Removes the tap `name` if it still exists (best effort: QEMU's exit removes it too).
/// Asks `ip`, not `/sys/class/net`, which shows the namespace sysfs was mounted in.
pub fn delete(name: &str) {
    let _ = ip(&["link", "delete", "dev", name]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_side_mac_replaces_the_first_byte() {
        assert_eq!(
            host_side_mac("52:54:00:AB:cd:01").as_deref(),
            Some("fe:54:00:ab:cd:01")
        );
        assert_eq!(host_side_mac("52:54:00"), None);
        assert_eq!(host_side_mac("zz:54:00:ab:cd:01"), None);
    }

    #[test]
    fn ifreq_has_the_kernel_size() {
        assert_eq!(std::mem::size_of::<IfReq>(), 40);
    }
}

//! `/dev/vhost-vsock` for a guest's `<vsock>`: opened by the driver, its guest CID set
//! (the first free one from 3 for `<cid auto='yes'/>`, as libvirt's
//! `virVsockAcquireGuestCid`), and the fd handed to QEMU (`vhostfd`).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// The vhost-vsock device.
pub const VHOST_VSOCK: &str = "/dev/vhost-vsock";

/// `VHOST_VSOCK_SET_GUEST_CID`: `_IOW(VHOST_VIRTIO, 0x60, __u64)`.
const SET_GUEST_CID: libc::c_ulong = 0x4008_AF60;

/// The first CID a guest may have (0–2 are the hypervisor's and the host's).
pub const FIRST_GUEST_CID: u32 = 3;

/// How many CIDs an automatic choice tries.
pub const MAX_TRIES: u32 = 4096;

fn sys(message: &str, e: std::io::Error) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Qemu,
        format!("{message}: {e}"),
    )
}

fn set_cid(fd: &OwnedFd, cid: u32) -> std::io::Result<()> {
    let v: u64 = cid.into();
    // SAFETY: the ioctl reads one u64 from a valid pointer on an fd we own.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), SET_GUEST_CID as _, &v as *const u64) };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Opens `device` and claims `wanted`, or with `None` the first free CID from
/// [`FIRST_GUEST_CID`]. The claim lasts while the fd is open.
///
/// Errors: libvirt's `VIR_ERR_SYSTEM_ERROR` "unable to open vhost-vsock device: …",
/// "failed to set guest cid: …", and `VIR_ERR_INTERNAL_ERROR` "Could not find an
/// unused guest CID" when every tried CID is taken.
pub fn acquire(device: &Path, wanted: Option<u32>) -> Result<(OwnedFd, u32)> {
    let c = std::ffi::CString::new(device.as_os_str().as_encoded_bytes())
        .map_err(|_| Error::internal(ErrorDomain::Qemu, "invalid vhost-vsock path"))?;
    // SAFETY: open(2) on a NUL-terminated path.
    let raw = unsafe { libc::open(c.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
    if raw < 0 {
        return Err(sys(
            "unable to open vhost-vsock device",
            std::io::Error::last_os_error(),
        ));
    }
    // SAFETY: `raw` is a new fd this function owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    if let Some(cid) = wanted {
        set_cid(&fd, cid).map_err(|e| sys("failed to set guest cid", e))?;
        return Ok((fd, cid));
    }
    for cid in FIRST_GUEST_CID..FIRST_GUEST_CID + MAX_TRIES {
        match set_cid(&fd, cid) {
            Ok(()) => return Ok((fd, cid)),
            Err(e) if e.raw_os_error() == Some(libc::EADDRINUSE) => continue,
            Err(e) => return Err(sys("failed to set guest cid", e)),
        }
    }
    Err(Error::internal(
        ErrorDomain::Qemu,
        "Could not find an unused guest CID",
    ))
}

//! The kernel-verified identity of a unix socket peer (`SO_PEERCRED`), libvirt's
//! `virNetSocketGetUNIXIdentity`: what polkit-style authentication, owner-only sockets
//! and the admin procedures' client information rely on.

use std::io;
use std::os::fd::RawFd;

/// The identity of the process at the other end of a unix socket, as the kernel
/// recorded it at `connect(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerCred {
    /// Process id.
    pub pid: i32,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
}

/// Reads `SO_PEERCRED` of the connected unix socket `fd`.
pub fn peer_cred(fd: RawFd) -> io::Result<PeerCred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` is a valid, writable `ucred` and `len` holds its exact size, which
    // is what SO_PEERCRED writes; a bad fd only makes the call fail.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(PeerCred {
        pid: cred.pid,
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// The effective uid of this process.
pub fn own_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn peer_credentials_are_our_own() {
        let (a, _b) = UnixStream::pair().unwrap();
        let c = peer_cred(a.as_raw_fd()).unwrap();
        // SAFETY: no preconditions.
        let gid = unsafe { libc::getegid() };
        assert_eq!(
            (c.pid, c.uid, c.gid),
            (std::process::id() as i32, own_uid(), gid)
        );
        assert!(peer_cred(-1).is_err());
    }
}

//! Client authentication on the unix sockets: the modes (libvirt's `auth_unix_rw` and
//! `auth_unix_ro`: `none` or `polkit`), the kernel-verified identity of a unix socket
//! peer (`SO_PEERCRED`), and rvirtd's stand-in for a polkit daemon.
//!
//! rvirtd does not talk to polkit. Its policy is explicit instead: a client passes
//! AUTH_POLKIT when the uid the kernel reports for its end of the socket is on the
//! daemon's allow-list (`--auth-allow-uid`, by default the daemon's own uid). As in
//! libvirtd, a root client skips the check altogether: AUTH_LIST answers it `[NONE]`
//! and it is authenticated at once.

use std::io;
use std::os::fd::RawFd;

/// How a server authenticates its clients before it runs any procedure other than
/// AUTH_LIST and AUTH_POLKIT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// Every client is authenticated from the start (AUTH_LIST answers `[NONE]`).
    #[default]
    None,
    /// AUTH_LIST answers `[POLKIT]`; the client must pass AUTH_POLKIT first.
    Polkit,
}

impl AuthMode {
    /// Parses a flag value: `none` or `polkit`.
    pub fn parse(flag: &str, value: &str) -> Result<AuthMode, String> {
        match value {
            "none" => Ok(AuthMode::None),
            "polkit" => Ok(AuthMode::Polkit),
            "sasl" => Err(format!(
                "{flag} sasl: rvirtd has no SASL support (use none or polkit)"
            )),
            _ => Err(format!("{flag} {value}: expected none or polkit")),
        }
    }

    /// The name used in flags and logs.
    pub fn name(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Polkit => "polkit",
        }
    }
}

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

/// rvirtd's polkit stand-in: which uids AUTH_POLKIT accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    allowed_uids: Vec<u32>,
}

impl Policy {
    /// A policy accepting `uids`; an empty list means the daemon's own effective uid.
    pub fn new(uids: &[u32]) -> Policy {
        let allowed_uids = if uids.is_empty() {
            // SAFETY: geteuid has no preconditions and cannot fail.
            vec![unsafe { libc::geteuid() }]
        } else {
            uids.to_vec()
        };
        Policy { allowed_uids }
    }

    /// True if a peer running as `uid` may use the server.
    pub fn allows(&self, uid: u32) -> bool {
        self.allowed_uids.contains(&uid)
    }

    /// The accepted uids.
    pub fn uids(&self) -> &[u32] {
        &self.allowed_uids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn modes_parse() {
        assert_eq!(AuthMode::parse("--a", "none").unwrap(), AuthMode::None);
        assert_eq!(AuthMode::parse("--a", "polkit").unwrap(), AuthMode::Polkit);
        assert!(AuthMode::parse("--a", "sasl").unwrap_err().contains("SASL"));
        assert!(AuthMode::parse("--a", "x").is_err());
    }

    #[test]
    fn peer_credentials_are_our_own() {
        let (a, _b) = UnixStream::pair().unwrap();
        let c = peer_cred(a.as_raw_fd()).unwrap();
        // SAFETY: no preconditions.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        assert_eq!((c.pid, c.uid, c.gid), (std::process::id() as i32, uid, gid));
        assert!(peer_cred(-1).is_err());
    }

    #[test]
    fn default_policy_is_the_daemon_uid() {
        // SAFETY: no preconditions.
        let me = unsafe { libc::geteuid() };
        assert!(Policy::new(&[]).allows(me));
        let p = Policy::new(&[4242]);
        assert!(p.allows(4242));
        assert!(!p.allows(me) || me == 4242);
        assert_eq!(p.uids(), &[4242]);
    }
}

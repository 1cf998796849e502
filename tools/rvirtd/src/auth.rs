//! Client authentication on the unix sockets: the modes (libvirt's `auth_unix_rw` and
//! `auth_unix_ro`: `none` or `polkit`) and rvirtd's stand-in for a polkit daemon, which
//! judges the kernel-verified identity of a unix socket peer (`SO_PEERCRED`).
//!
//! rvirtd does not talk to polkit. Its policy is explicit instead: a client passes
//! AUTH_POLKIT when the uid the kernel reports for its end of the socket is on the
//! daemon's allow-list (`--auth-allow-uid`, by default the daemon's own uid). As in
//! libvirtd, a root client skips the check altogether: AUTH_LIST answers it `[NONE]`
//! and it is authenticated at once.

use rvirt_rpc_server::peer::own_uid;

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

    /// The scheme's number (`remote_auth_type`), as the server library knows it.
    pub fn number(self) -> i32 {
        match self {
            AuthMode::None => rvirt_rpc::types::auth_type::NONE,
            AuthMode::Polkit => rvirt_rpc::types::auth_type::POLKIT,
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

/// rvirtd's polkit stand-in: which uids AUTH_POLKIT accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    allowed_uids: Vec<u32>,
}

impl Policy {
    /// A policy accepting `uids`; an empty list means the daemon's own effective uid.
    pub fn new(uids: &[u32]) -> Policy {
        let allowed_uids = if uids.is_empty() {
            vec![own_uid()]
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

    #[test]
    fn modes_parse() {
        assert_eq!(AuthMode::parse("--a", "none").unwrap(), AuthMode::None);
        assert_eq!(AuthMode::parse("--a", "polkit").unwrap(), AuthMode::Polkit);
        assert!(AuthMode::parse("--a", "sasl").unwrap_err().contains("SASL"));
        assert!(AuthMode::parse("--a", "x").is_err());
    }

    #[test]
    fn default_policy_is_the_daemon_uid() {
        let me = own_uid();
        assert!(Policy::new(&[]).allows(me));
        let p = Policy::new(&[4242]);
        assert!(p.allows(4242));
        assert!(!p.allows(me) || me == 4242);
        assert_eq!(p.uids(), &[4242]);
    }
}

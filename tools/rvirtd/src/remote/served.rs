//! Which URIs the daemon opens for its clients: only what it serves.
//!
//! A remote client is hostile until proven otherwise, and whatever a URI names the
//! daemon opens with its own (root) privileges. So CONNECT_OPEN goes through this list
//! before any driver sees the URI:
//!
//! * `test:///default`, and `test:///FILE` only for files the operator allowed with
//!   `--allow-test-file FILE` (libvirtd would read any file a client names);
//! * `qemu:///system` — the daemon's own root (`--qemu-root`); `qemu:///embed` is
//!   refused as libvirt refuses it on a driver not started in embedded mode, and so is
//!   `qemu:///session`, which would be the daemon user's private root;
//! * `lxc:///system`;
//! * no query parameters (`?root=…` and the like are never passed on).
//!
//! Anything else gets libvirt's answer for a URI no driver takes.

use rvirt_core::uri::Uri;

use rvirt_rpc_server::error::{CallError, err};

/// `VIR_ERR_NO_CONNECT`, `VIR_ERR_INTERNAL_ERROR`, `VIR_FROM_NONE`.
const NO_CONNECT: i32 = 5;
const INTERNAL: i32 = 1;
const FROM_NONE: i32 = 0;

/// The URIs a daemon opens for remote clients.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ServedUris {
    /// Node files `test:///FILE` may name (absolute paths, as given to
    /// `--allow-test-file`).
    pub(crate) test_files: Vec<String>,
}

impl ServedUris {
    /// Accepts `uri` if the daemon serves it; otherwise the error CONNECT_OPEN returns.
    pub(crate) fn check(&self, uri: &str) -> Result<(), CallError> {
        let parsed = Uri::parse(uri)?;
        if parsed.is_remote() {
            return Err(no_driver(uri));
        }
        if !parsed.query().is_empty() {
            return Err(err(
                NO_CONNECT,
                FROM_NONE,
                format!(
                    "no connection driver available for {uri}: rvirtd opens no URI with query parameters for remote clients"
                ),
            ));
        }
        let path = parsed.path();
        match parsed.driver() {
            "test" if path == "/default" => Ok(()),
            "test" if self.test_files.iter().any(|f| f == path) => Ok(()),
            "test" => Err(err(
                NO_CONNECT,
                FROM_NONE,
                format!(
                    "no connection driver available for {uri}: the daemon serves test:///default and the node files its operator allowed (--allow-test-file)"
                ),
            )),
            "qemu" | "lxc" if path == "/system" => Ok(()),
            driver @ ("qemu" | "lxc") => Err(err(
                INTERNAL,
                FROM_NONE,
                format!(
                    "internal error: unexpected {driver} URI path '{path}', try {driver}:///system"
                ),
            )),
            _ => Err(no_driver(uri)),
        }
    }
}

fn no_driver(uri: &str) -> CallError {
    err(
        NO_CONNECT,
        FROM_NONE,
        format!("no connection driver available for {uri}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &ServedUris, uri: &str) -> (i32, String) {
        let e = s.check(uri).unwrap_err();
        (e.0.code, e.0.message.clone().unwrap_or_default())
    }

    #[test]
    fn only_what_the_daemon_serves_is_opened() {
        let s = ServedUris {
            test_files: vec!["/etc/rvirt/node.xml".into()],
        };
        for ok in [
            "test:///default",
            "test:///etc/rvirt/node.xml",
            "qemu:///system",
            "lxc:///system",
        ] {
            assert!(s.check(ok).is_ok(), "{ok}");
        }
        let (code, msg) = refused(&s, "qemu:///embed?root=/tmp/x");
        assert_eq!(code, NO_CONNECT, "{msg}");
        let (code, msg) = refused(&s, "qemu:///embed");
        assert_eq!(
            (code, msg.as_str()),
            (
                INTERNAL,
                "internal error: unexpected qemu URI path '/embed', try qemu:///system"
            )
        );
        for bad in [
            "qemu:///session",
            "lxc:///embed?root=/",
            "test:///dev/zero",
            "test:///etc/shadow",
            "test:///etc/rvirt/../shadow",
            "test:///default?file=/etc/shadow",
            "qemu:///system?root=/tmp",
            "qemu+unix:///system",
            "remote:///system",
            "xen:///system",
        ] {
            assert!(s.check(bad).is_err(), "{bad}");
        }
    }
}

//! The stream's URI as clients give it (`tcp:HOST[:PORT]`, `tcp://HOST[:PORT]`) and as
//! QEMU takes it. Other schemes are refused: QEMU's `exec:` would run a client's
//! command, `unix:`/`fd:` would reach the daemon's own sockets.

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// The host and optional port of a client's `tcp:HOST[:PORT]` or `tcp://HOST[:PORT]`.
pub(super) fn host_and_port(uri: &str) -> Result<(String, Option<u16>)> {
    let rest = uri
        .strip_prefix("tcp://")
        .or_else(|| uri.strip_prefix("tcp:"))
        .ok_or_else(|| {
            let scheme = uri.split(':').next().unwrap_or(uri);
            Error::new(
                ErrorCode::ArgumentUnsupported,
                ErrorDomain::Qemu,
                format!("unsupported scheme {scheme} in migration URI {uri}"),
            )
        })?
        .trim_end_matches('/');
    let bracketed = rest.starts_with('[');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !bracketed || h.ends_with(']') => {
            let port = p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                Error::invalid_arg(
                    ErrorDomain::Qemu,
                    format!("invalid port in migration URI {uri}"),
                )
            })?;
            (h.to_string(), Some(port))
        }
        _ => (rest.to_string(), None),
    };
    if host.is_empty() || host.contains(['/', ',', ' ']) {
        return Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("invalid host in migration URI {uri}"),
        ));
    }
    Ok((host, port))
}

/// The destination's URI as QEMU's `migrate` takes it: `tcp:HOST:PORT`.
pub(super) fn qemu_target(uri: &str) -> Result<String> {
    match host_and_port(uri)? {
        (host, Some(port)) => Ok(format!("tcp:{host}:{port}")),
        (_, None) => Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("migration URI {uri} names no port"),
        )),
    }
}

/// `address` as it goes before `:PORT` (an IPv6 address in brackets).
pub(super) fn with_brackets(address: &str) -> String {
    if address.contains(':') && !address.starts_with('[') {
        format!("[{address}]")
    } else {
        address.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_uris_give_host_and_maybe_port() {
        assert_eq!(
            host_and_port("tcp:127.0.0.1").unwrap(),
            ("127.0.0.1".into(), None)
        );
        assert_eq!(
            host_and_port("tcp://dst:49153").unwrap(),
            ("dst".into(), Some(49153))
        );
        assert_eq!(
            host_and_port("tcp:[::1]:5000").unwrap(),
            ("[::1]".into(), Some(5000))
        );
        assert_eq!(host_and_port("tcp:[::1]").unwrap(), ("[::1]".into(), None));
        assert_eq!(with_brackets("::"), "[::]");
        assert_eq!(with_brackets("0.0.0.0"), "0.0.0.0");
    }

    #[test]
    fn targets_are_tcp_with_a_port() {
        assert_eq!(
            qemu_target("tcp:127.0.0.1:49152").unwrap(),
            "tcp:127.0.0.1:49152"
        );
        assert_eq!(qemu_target("tcp://host:1234").unwrap(), "tcp:host:1234");
        assert_eq!(qemu_target("tcp:[::1]:1234").unwrap(), "tcp:[::1]:1234");
        for bad in ["exec:rm -rf /", "unix:/run/x.sock", "fd:3"] {
            let e = qemu_target(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::ArgumentUnsupported, "{bad}");
        }
        for bad in [
            "tcp:host",
            "tcp:host:0",
            "tcp:host:99999",
            "tcp::1234",
            "tcp:a,b:1",
        ] {
            assert_eq!(
                qemu_target(bad).unwrap_err().code(),
                ErrorCode::InvalidArg,
                "{bad}"
            );
        }
    }
}

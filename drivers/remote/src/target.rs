//! Where a remote URI points (sans-io): the socket to connect and the URI the daemon sees.

use std::path::{Path, PathBuf};

use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// libvirtd's plain TCP port (`LIBVIRTD_TCP_PORT`).
pub const DEFAULT_TCP_PORT: u16 = 16509;
/// libvirtd's TLS port (`LIBVIRTD_TLS_PORT`).
pub const DEFAULT_TLS_PORT: u16 = 16514;

/// Query parameters the client consumes itself; they are never sent to the daemon.
const CLIENT_PARAMS: [&str; 15] = [
    "name",
    "command",
    "socket",
    "netcat",
    "keyfile",
    "sshauth",
    "no_verify",
    "no_tty",
    "pkipath",
    "known_hosts",
    "known_hosts_verify",
    "tls_priority",
    "mode",
    "proxy",
    "tls",
];

/// How to reach the daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A UNIX stream socket at this path.
    Unix(PathBuf),
    /// A plain TCP connection.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// TLS over TCP, with libvirt's check byte after the handshake.
    Tls {
        /// Host name or address; the server certificate must name it.
        host: String,
        /// Port.
        port: u16,
        /// `pkipath=`: the directory of `cacert.pem`, `clientcert.pem` and
        /// `clientkey.pem` (else `$HOME/.pki/libvirt` for non-root users, then
        /// `/etc/pki`).
        pkipath: Option<PathBuf>,
        /// `no_verify=1`: accept any server certificate.
        no_verify: bool,
    },
}

/// The result of resolving a remote URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Where to connect.
    pub endpoint: Endpoint,
    /// The URI sent in CONNECT_OPEN (transport, host and client parameters stripped).
    pub remote_name: String,
}

/// Resolves `uri`. `exists` tells whether a path exists (injected for tests); `runtime_dir`
/// is `$XDG_RUNTIME_DIR` for session URIs.
pub fn resolve(
    uri: &Uri,
    read_only: bool,
    exists: &dyn Fn(&Path) -> bool,
    runtime_dir: Option<&Path>,
) -> Result<Target> {
    let transport = match (uri.transport(), uri.host()) {
        (Some(t), _) => t,
        // libvirt's default for a host without transport is TLS.
        (None, Some(_)) => "tls",
        (None, None) => "unix",
    };
    let socket = uri.query_param("socket");
    let endpoint = match transport {
        "unix" => Endpoint::Unix(match socket {
            Some(path) => PathBuf::from(path),
            None => default_socket(uri, read_only, exists, runtime_dir)?,
        }),
        "tcp" | "tls" if socket.is_some() => {
            return Err(Error::invalid_arg(
                ErrorDomain::Remote,
                "the 'socket' parameter is only valid with the unix transport",
            ));
        }
        "tcp" => Endpoint::Tcp {
            host: host(uri),
            port: uri.port().unwrap_or(DEFAULT_TCP_PORT),
        },
        "tls" => Endpoint::Tls {
            host: host(uri),
            port: uri.port().unwrap_or(DEFAULT_TLS_PORT),
            pkipath: uri.query_param("pkipath").map(PathBuf::from),
            no_verify: flag(uri, "no_verify")?,
        },
        other => {
            return Err(Error::new(
                ErrorCode::NoSupport,
                ErrorDomain::Remote,
                format!(
                    "transport '{other}' of URI '{uri}' is not supported by rvirt's remote driver (use +unix, +tcp or +tls)"
                ),
            ));
        }
    };
    Ok(Target {
        endpoint,
        remote_name: remote_name(uri),
    })
}

/// The host to connect to (`localhost` when the URI names none).
fn host(uri: &Uri) -> String {
    uri.host().unwrap_or("localhost").to_string()
}

/// An integer URI parameter read as a boolean (libvirt's `no_verify=1`).
fn flag(uri: &Uri, name: &str) -> Result<bool> {
    match uri.query_param(name) {
        None => Ok(false),
        Some(v) => v.trim().parse::<i64>().map(|n| n != 0).map_err(|_| {
            Error::invalid_arg(
                ErrorDomain::Remote,
                format!("Failed to parse value of URI component {name}: '{v}'"),
            )
        }),
    }
}

/// The URI the daemon receives: `name=` if given, else the driver scheme with the path
/// and the parameters the client does not consume.
pub fn remote_name(uri: &Uri) -> String {
    if let Some(name) = uri.query_param("name") {
        return name.to_string();
    }
    let mut out = format!("{}://{}", uri.driver(), escape(uri.path(), b"/"));
    let params: Vec<String> = uri
        .query()
        .iter()
        .filter(|(n, _)| !CLIENT_PARAMS.iter().any(|c| c.eq_ignore_ascii_case(n)))
        .map(|(n, v)| format!("{}={}", escape(n, b""), escape(v, b"/:")))
        .collect();
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

fn escape(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The daemon socket libvirt's client picks: the driver's modular daemon socket
/// (`virtqemud-sock`) if it exists, else the monolithic `libvirt-sock`.
fn default_socket(
    uri: &Uri,
    read_only: bool,
    exists: &dyn Fn(&Path) -> bool,
    runtime_dir: Option<&Path>,
) -> Result<PathBuf> {
    let dir = if uri.path() == "/session" {
        match runtime_dir {
            Some(d) => d.join("libvirt"),
            None => {
                return Err(Error::new(
                    ErrorCode::NoConnect,
                    ErrorDomain::Remote,
                    "cannot find the session daemon socket: XDG_RUNTIME_DIR is not set",
                ));
            }
        }
    } else {
        PathBuf::from("/run/libvirt")
    };
    let suffix = if read_only { "-sock-ro" } else { "-sock" };
    let modular = dir.join(format!("virt{}d{suffix}", uri.driver()));
    if exists(&modular) {
        return Ok(modular);
    }
    Ok(dir.join(format!("libvirt{suffix}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(s: &str) -> Result<Target> {
        resolve(&Uri::parse(s).unwrap(), false, &|_| false, None)
    }

    #[test]
    fn unix_with_socket_parameter() {
        let t = res("test+unix:///default?socket=/tmp/x/libvirt-sock").unwrap();
        assert_eq!(t.endpoint, Endpoint::Unix("/tmp/x/libvirt-sock".into()));
        assert_eq!(t.remote_name, "test:///default");
    }

    #[test]
    fn unix_default_sockets() {
        let t = res("qemu+unix:///system").unwrap();
        assert_eq!(
            t.endpoint,
            Endpoint::Unix("/run/libvirt/libvirt-sock".into())
        );
        assert_eq!(t.remote_name, "qemu:///system");
        let uri = Uri::parse("qemu+unix:///system").unwrap();
        let modular = |p: &Path| p.ends_with("virtqemud-sock-ro");
        let t = resolve(&uri, true, &modular, None).unwrap();
        assert_eq!(
            t.endpoint,
            Endpoint::Unix("/run/libvirt/virtqemud-sock-ro".into())
        );
        let uri = Uri::parse("qemu+unix:///session").unwrap();
        let t = resolve(&uri, false, &|_| false, Some(Path::new("/run/user/7"))).unwrap();
        assert_eq!(
            t.endpoint,
            Endpoint::Unix("/run/user/7/libvirt/libvirt-sock".into())
        );
        let e = resolve(&uri, false, &|_| false, None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NoConnect);
    }

    #[test]
    fn tcp_host_and_port() {
        let t = res("test+tcp://example.org:1234/default").unwrap();
        assert_eq!(
            t.endpoint,
            Endpoint::Tcp {
                host: "example.org".into(),
                port: 1234
            }
        );
        assert_eq!(t.remote_name, "test:///default");
        let t = res("qemu+tcp://h/system").unwrap();
        assert_eq!(
            t.endpoint,
            Endpoint::Tcp {
                host: "h".into(),
                port: DEFAULT_TCP_PORT
            }
        );
        assert_eq!(
            res("test+tcp://h/default?socket=/x").unwrap_err().code(),
            ErrorCode::InvalidArg
        );
    }

    #[test]
    fn tls_endpoints() {
        let t = res("test+tls://localhost:1234/default?pkipath=/p&no_verify=1").unwrap();
        assert_eq!(
            t.endpoint,
            Endpoint::Tls {
                host: "localhost".into(),
                port: 1234,
                pkipath: Some("/p".into()),
                no_verify: true
            }
        );
        assert_eq!(t.remote_name, "test:///default");
        // A host without a transport means TLS, on libvirt's TLS port.
        let t = res("qemu://[::1]/system").unwrap();
        assert_eq!(
            t.endpoint,
            Endpoint::Tls {
                host: "::1".into(),
                port: DEFAULT_TLS_PORT,
                pkipath: None,
                no_verify: false
            }
        );
        assert_eq!(
            res("test+tls://h/default?no_verify=yes")
                .unwrap_err()
                .code(),
            ErrorCode::InvalidArg
        );
        assert_eq!(
            res("test+tls://h/default?socket=/x").unwrap_err().code(),
            ErrorCode::InvalidArg
        );
    }

    #[test]
    fn ssh_and_ext_are_unsupported() {
        for uri in [
            "qemu+ssh://root@host/system",
            "test+ext:///default?command=/bin/x",
        ] {
            let e = res(uri).unwrap_err();
            assert_eq!(e.code(), ErrorCode::NoSupport, "{uri}");
            assert_eq!(e.domain(), ErrorDomain::Remote, "{uri}");
            assert!(e.to_string().contains("not supported"), "{e}");
        }
    }

    #[test]
    fn remote_name_keeps_driver_parameters_only() {
        let uri = Uri::parse("qemu+unix:///embed?root=/var/a%20b&socket=/s&mode=direct").unwrap();
        assert_eq!(remote_name(&uri), "qemu:///embed?root=/var/a%20b");
        let uri = Uri::parse("qemu+unix:///system?name=qemu:///session").unwrap();
        assert_eq!(remote_name(&uri), "qemu:///session");
        let uri = Uri::parse("test+unix:///").unwrap();
        assert_eq!(remote_name(&uri), "test:///");
    }
}

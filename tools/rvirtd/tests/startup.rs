//! The daemon refuses to start rather than serve insecurely or half-configured:
//! unauthenticated plain TCP it was not explicitly told to accept (`--auth-tcp none`;
//! libvirt's default `auth_tcp` is SASL, which rvirtd lacks), SASL, or a TLS listener
//! whose files cannot be read. It exits without leaving sockets behind.

mod common;

use std::process::Command;

use common::{TempDir, free_port, run, text};

/// Runs rvirtd with `args` in a fresh socket dir; it must exit on its own.
fn refuses(tag: &str, args: &[&str]) -> (Option<i32>, String, TempDir) {
    let dir = TempDir::new(tag);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvirtd"));
    cmd.arg("--socket-dir").arg(&dir.0).args(args);
    let o = run(cmd, 10);
    (o.status.code(), text(&o).1, dir)
}

#[test]
fn unsafe_or_broken_listeners_refuse_to_start() {
    let addr = format!("127.0.0.1:{}", free_port());
    let (code, err, dir) = refuses("tls-tcp-refused", &["--listen-tcp", &addr]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--listen-tcp needs --auth-tcp none"), "{err}");
    assert!(std::net::TcpStream::connect(&addr).is_err());
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 0, "no sockets");

    let (code, err, dir) = refuses("tls-sasl-refused", &["--auth-tcp", "sasl"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no SASL"), "{err}");
    drop(dir);

    // TLS files are read before any socket exists.
    let pki = "/nonexistent/rvirt-pki";
    let (code, err, dir) = refuses("tls-files", &["--listen-tls", &addr, "--pki-dir", pki]);
    assert_eq!(code, Some(1), "{err}");
    #[cfg(feature = "tls")]
    assert!(
        err.contains("Cannot read CA certificate '/nonexistent/rvirt-pki/cacert.pem'"),
        "{err}"
    );
    #[cfg(not(feature = "tls"))]
    assert!(err.contains("without the `tls` feature"), "{err}");
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 0, "no sockets");
}

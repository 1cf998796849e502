//! rvirtd's TLS listener with real clients: Debian's virsh (GnuTLS) and rvirt's remote
//! driver (rustls), certificates made in the test.
#![cfg(feature = "tls")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::pki::{Identity, TestCa, write_dir, write_dir_with_cas};
use common::{
    DEMO_XML, Daemon, TempDir, admin_field, client_rows, free_port, have_virsh, have_virt_admin,
    text, virsh, virsh_background, virsh_ok, virt_admin_ok,
};
use rvirt_core::api::{Lifecycle, ListFlags};
use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, DomainEvent, DomainEventId, ErrorCode, ErrorDomain};

/// A CA and a `pkipath` directory with the server's and a client's files.
struct Pki {
    dir: TempDir,
    ca: TestCa,
}

impl Pki {
    fn new(tag: &str, server: impl FnOnce(&TestCa) -> Identity) -> Pki {
        let dir = TempDir::new(tag);
        let ca = TestCa::new("rvirt test CA");
        write_dir(&dir.0, &ca, Some(&server(&ca)), Some(&ca.client("client1")));
        Pki { dir, ca }
    }

    fn path(&self) -> &Path {
        &self.dir.0
    }

    /// Another `pkipath` directory inside this one.
    fn sub(&self, name: &str) -> PathBuf {
        self.dir.0.join(name)
    }
}

/// rvirtd with a TLS listener on a free loopback port, using `pki`.
fn tls_daemon(tag: &str, pki: &Path, extra: &[&str]) -> (Daemon, u16) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let pki = pki.to_str().unwrap();
    let mut args = vec!["--listen-tls", &addr, "--pki-dir", pki];
    args.extend_from_slice(extra);
    let d = Daemon::start_with(tag, &args);
    d.wait_tcp(&addr);
    (d, port)
}

fn tls_uri(host: &str, port: u16, pki: &Path) -> String {
    format!("test+tls://{host}:{port}/default?pkipath={}", pki.display())
}

#[test]
fn virsh_over_tls() {
    if !have_virsh() {
        return;
    }
    let pki = Pki::new("tls-virsh", TestCa::server);
    let (d, port) = tls_daemon("tls-virsh-d", pki.path(), &[]);
    for host in ["localhost", "127.0.0.1"] {
        let out = virsh_ok(&tls_uri(host, port, pki.path()), &["list", "--all"]);
        assert!(out.contains(" 1    test   running"), "{out}");
    }
    let uri = tls_uri("localhost", port, pki.path());
    let xml = pki.sub("demo.xml");
    std::fs::write(&xml, DEMO_XML).unwrap();
    let out = virsh_ok(&uri, &["define", xml.to_str().unwrap()]);
    assert!(out.contains("Domain 'demo' defined"), "{out}");
    virsh_ok(&uri, &["start", "demo"]);
    let out = virsh_ok(&uri, &["list", "--all"]);
    assert!(out.contains("demo   running"), "{out}");
    virsh_ok(&uri, &["destroy", "demo"]);
    let out = virsh_ok(&uri, &["domstate", "demo"]);
    assert_eq!(out.trim(), "shut off");
    virsh_ok(&uri, &["undefine", "demo"]);
    let out = virsh_ok(&uri, &["list", "--all"]);
    assert!(!out.contains("demo"), "{out}");
    // libvirt's client treats a TLS connection as secure, so it needs no SASL either.
    let log = d.log();
    assert!(log.contains("(libvirtd-tls, auth none)"), "{log}");
}

#[test]
fn refused_clients_leave_the_daemon_serving() {
    if !have_virsh() {
        return;
    }
    let pki = Pki::new("tls-refuse", TestCa::server);
    let other = TestCa::new("another CA");
    // No client certificate at all.
    let no_cert = pki.sub("no-cert");
    write_dir(&no_cert, &pki.ca, None, None);
    // A certificate from another CA. virsh checks its own certificate against its
    // cacert.pem before connecting, so that file lists both CAs.
    let foreign = pki.sub("foreign");
    write_dir_with_cas(
        &foreign,
        &[pki.ca.pem(), other.pem()],
        None,
        Some(&other.client("client1")),
    );
    // A good certificate whose Distinguished Name is not on the allow-list.
    let outsider = pki.sub("outsider");
    write_dir(&outsider, &pki.ca, None, Some(&pki.ca.client("outsider")));
    let (mut d, port) = tls_daemon(
        "tls-refuse-d",
        pki.path(),
        &["--tls-allowed-dn", "C=GB,O=rvirt tests,CN=client*"],
    );
    let good = tls_uri("localhost", port, pki.path());
    // The handshake completes, then the daemon judges the certificate and closes the
    // connection instead of sending the check byte: virsh says what it says to libvirtd.
    for dir in [&no_cert, &foreign, &outsider] {
        let o = virsh(&tls_uri("localhost", port, dir), &["list", "--all"]);
        let (out, err) = text(&o);
        assert!(!o.status.success(), "{dir:?} was let in: {out}");
        assert!(
            err.contains("error: Unable to read TLS confirmation: Input/output error"),
            "{dir:?}: {err}"
        );
        // The daemon serves the next client.
        let out = virsh_ok(&good, &["list", "--all"]);
        assert!(out.contains(" 1    test   running"), "{out}");
    }
    // rvirt's remote driver is refused the same way. (GnuTLS keeps a certificate the
    // daemon's CA list does not name to itself; rustls sends it, and the CA rejects it.)
    rvirt_driver_remote::register().unwrap();
    let rogue = pki.sub("rogue");
    write_dir(&rogue, &pki.ca, None, Some(&other.client("client1")));
    for dir in [&no_cert, &rogue] {
        let e = Connect::open(&tls_uri("localhost", port, dir)).unwrap_err();
        assert_eq!(
            (e.code(), e.domain()),
            (ErrorCode::SystemError, ErrorDomain::Rpc)
        );
        assert!(
            e.to_string().contains("Unable to read TLS confirmation"),
            "{e}"
        );
    }
    assert!(d.alive());
    let log = d.log();
    assert_eq!(log.matches("TLS client rejected").count(), 5, "{log}");
    assert!(log.contains("it sent no certificate"), "{log}");
    assert!(log.contains("UnknownIssuer"), "{log}");
    assert!(
        log.contains("'C=GB,O=rvirt tests,CN=outsider' is not on the list of allowed clients"),
        "{log}"
    );
    assert_eq!(log.matches("opened test:///default").count(), 3, "{log}");
}

#[test]
fn remote_driver_over_tls_with_events() {
    // A server certificate for `localhost` only: 127.0.0.1 is not its name.
    let pki = Pki::new("tls-remote", |ca| ca.server_for(&["localhost"]));
    let (_d, port) = tls_daemon("tls-remote-d", pki.path(), &[]);
    rvirt_driver_remote::register().unwrap();
    let uri = tls_uri("localhost", port, pki.path());

    // Events arrive through the socket watch on the loop, decrypted there.
    let ev = DefaultLoop::new().unwrap();
    let runner = ev.clone();
    let thread = std::thread::spawn(move || runner.run().unwrap());
    let watcher = Connect::open_with_loop(&uri, ev.shared()).unwrap();
    let (tx, rx) = mpsc::channel();
    watcher
        .domain_event_register_any(None, DomainEventId::Lifecycle, move |d, e| {
            if let DomainEvent::Lifecycle(l) = e {
                let _ = tx.send((d.name().to_string(), *l));
            }
        })
        .unwrap();
    let next = || {
        rx.recv_timeout(Duration::from_secs(10))
            .expect("an event within 10 s")
    };

    let conn = Connect::open(&uri).unwrap();
    let names: Vec<String> = conn
        .list_all_domains(ListFlags::default())
        .unwrap()
        .iter()
        .map(|d| d.name().to_string())
        .collect();
    assert_eq!(names, ["test"]);
    let mut dom = conn.define_xml(DEMO_XML).unwrap();
    assert!(matches!(next(), (n, Lifecycle::Defined(_)) if n == "demo"));
    dom.create().unwrap();
    assert!(matches!(next().1, Lifecycle::Started(_)));
    dom.destroy().unwrap();
    assert!(matches!(next().1, Lifecycle::Stopped(_)));
    dom.undefine().unwrap();
    assert!(matches!(next().1, Lifecycle::Undefined(_)));

    // The server certificate must name the host in the URI, unless told otherwise.
    let by_ip = tls_uri("127.0.0.1", port, pki.path());
    let e = Connect::open(&by_ip).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::AuthFailed, ErrorDomain::Rpc),
        "{e}"
    );
    assert!(e.to_string().contains("TLS handshake failed"), "{e}");
    let unverified = Connect::open(&format!("{by_ip}&no_verify=1")).unwrap();
    assert_eq!(
        unverified
            .list_all_domains(ListFlags::default())
            .unwrap()
            .len(),
        1
    );

    unverified.close().unwrap();
    conn.close().unwrap();
    watcher.close().unwrap();
    ev.quit();
    thread.join().unwrap();
}

/// virt-admin sees a TLS client as transport "tls", with its address and the
/// Distinguished Name of its certificate.
#[test]
fn virt_admin_sees_tls_clients() {
    if !have_virsh() || !have_virt_admin() {
        return;
    }
    let pki = Pki::new("tls-admin", TestCa::server);
    let (d, port) = tls_daemon("tls-admin-d", pki.path(), &[]);
    let uri = tls_uri("localhost", port, pki.path());
    let _virsh = virsh_background(&uri, &["event", "--all", "--loop", "--timeout", "60"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let id = loop {
        let rows = client_rows(&virt_admin_ok(&d.admin_uri(), &["client-list", "libvirtd"]));
        if let Some((id, _)) = rows.iter().find(|(_, t)| t == "tls") {
            break *id;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no TLS client listed: {rows:?}\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let info = virt_admin_ok(
        &d.admin_uri(),
        &["client-info", "libvirtd", &id.to_string()],
    );
    assert_eq!(admin_field(&info, "transport"), Some("tls"), "{info}");
    assert_eq!(admin_field(&info, "readonly"), Some("no"), "{info}");
    assert!(
        admin_field(&info, "sock_addr").is_some_and(|a| a.starts_with("127.0.0.1:")),
        "{info}"
    );
    assert!(
        admin_field(&info, "tls_x509_dname").is_some_and(|dn| dn.contains("CN=client1")),
        "{info}"
    );
    assert!(admin_field(&info, "unix_user_id").is_none(), "{info}");
}

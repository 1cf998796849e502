//! The remote driver's `+tls` transport against a real libvirtd (test driver) listening
//! with TLS in a private mount namespace: the handshake, libvirt's check byte, the
//! credentials in a `pkipath` directory, and the failures libvirtd and the client
//! produce for bad certificates. Skipped with a notice when libvirtd cannot run here, a
//! failure when `CI` is set.

use std::path::Path;

use rvirt_core::api::ListFlags;
use rvirt_core::{Connect, ErrorCode, ErrorDomain};
use rvirt_testkit::libvirtd::{Libvirtd, Options};
use rvirt_testkit::pki::{TestCa, write_dir};
use rvirt_testkit::{RVIRT_DEMO_XML, TempDir};

fn uri(host: &str, port: u16, pki: &Path, extra: &str) -> String {
    format!(
        "test+tls://{host}:{port}/default?pkipath={}{extra}",
        pki.display()
    )
}

fn names(conn: &Connect) -> Vec<String> {
    conn.list_all_domains(ListFlags::default())
        .unwrap()
        .iter()
        .map(|d| d.name().to_string())
        .collect()
}

#[test]
fn tls_against_libvirtd() {
    let dir = TempDir::new("remote-tls");
    let ca = TestCa::new("rvirt test CA");
    // One pkipath directory holds both sides' files, as libvirt allows.
    let good = dir.join("good");
    write_dir(&good, &ca, Some(&ca.server()), Some(&ca.client("client1")));
    let Some(daemon) = Libvirtd::start_with(Options {
        tls: Some(good.clone()),
        ..Options::default()
    }) else {
        return;
    };
    let port = daemon.tls_port.unwrap();
    rvirt_driver_remote::register().unwrap();

    // The handshake, the check byte, then ordinary calls, by name and by address.
    for host in ["localhost", "127.0.0.1"] {
        let conn = Connect::open(&uri(host, port, &good, "")).unwrap();
        assert_eq!(conn.driver_name(), "remote");
        assert_eq!(names(&conn), ["test"]);
        conn.close().unwrap();
    }
    let conn = Connect::open(&uri("localhost", port, &good, "")).unwrap();
    let mut dom = conn.define_xml(RVIRT_DEMO_XML).unwrap();
    dom.create().unwrap();
    assert!(
        conn.lookup_domain_by_name("rvirt-demo")
            .unwrap()
            .id()
            .is_some()
    );
    dom.destroy().unwrap();
    dom.undefine().unwrap();
    assert_eq!(names(&conn), ["test"]);

    // libvirtd refuses a client without a certificate, or with one from another CA,
    // after the handshake: the check byte never comes.
    let other = TestCa::new("another CA");
    let no_cert = dir.join("no-cert");
    write_dir(&no_cert, &ca, None, None);
    let foreign = dir.join("foreign");
    write_dir(&foreign, &ca, None, Some(&other.client("client1")));
    for pki in [&no_cert, &foreign] {
        let e = Connect::open(&uri("localhost", port, pki, "")).unwrap_err();
        assert_eq!(
            (e.code(), e.domain()),
            (ErrorCode::SystemError, ErrorDomain::Rpc),
            "{e}"
        );
        assert!(
            e.to_string().contains("Unable to read TLS confirmation"),
            "{e}"
        );
    }

    // The client refuses a server whose certificate another CA signed, unless told
    // not to verify it.
    let distrust = dir.join("distrust");
    write_dir(&distrust, &other, None, Some(&ca.client("client1")));
    let e = Connect::open(&uri("localhost", port, &distrust, "")).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::AuthFailed, ErrorDomain::Rpc),
        "{e}"
    );
    assert!(e.to_string().contains("TLS handshake failed"), "{e}");
    let conn2 = Connect::open(&uri("localhost", port, &distrust, "&no_verify=1")).unwrap();
    assert_eq!(names(&conn2), ["test"]);

    // Missing credentials are reported before any connection.
    let e = Connect::open(&uri("localhost", port, &dir.join("nowhere"), "")).unwrap_err();
    assert_eq!(
        (e.code(), e.domain()),
        (ErrorCode::SystemError, ErrorDomain::Rpc)
    );
    assert!(e.to_string().contains("nowhere/cacert.pem"), "{e}");

    // The daemon kept serving through all of that.
    assert_eq!(names(&conn), ["test"]);
    conn.close().unwrap();
    conn2.close().unwrap();
}

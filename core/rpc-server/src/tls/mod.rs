//! libvirt's TLS transport on the server side (`--listen-tls`), with rustls and its
//! `ring` provider.
//!
//! As libvirtd does by default (`tls_no_verify_certificate = 0`), every client must
//! present a certificate that chains to the CA ([`crate::pki::TlsFiles`]) and is not
//! revoked by the CRL when one exists; `--tls-allowed-dn` narrows the accepted
//! certificates by their Distinguished Name ([`dn`]). Like libvirtd, the server asks for
//! the certificate in the handshake and judges it right after ([`verify`]): an accepted
//! client receives libvirt's check byte ([`session`]), any other is disconnected before
//! it can send a call. A client accepted this way is authenticated (libvirt's default
//! `auth_tls = "none"`: the certificate is the credential).

pub mod dn;
pub mod session;
pub mod verify;

use std::path::Path;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

use crate::pki::TlsFiles;
pub use session::{Gate, ServerSession};
use verify::Deferred;

/// The TLS server configuration shared by every TLS client.
#[derive(Debug)]
pub struct Acceptor {
    config: Arc<ServerConfig>,
    gate: Arc<Gate>,
}

/// rustls's `ring` crypto provider. rustls 0.23.48 deprecates it only because ring has
/// no post-quantum key exchange; the GnuTLS of libvirt 9.0's clients offers none
/// either, and ring keeps the build light (aws-lc-rs is deliberately not used).
#[allow(deprecated)]
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certificates(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("Cannot read {what} '{}': {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "Cannot read {what} '{}': no certificate in it",
            path.display()
        ));
    }
    Ok(certs)
}

impl Acceptor {
    /// Loads the CA, optional CRL, certificate and key, and accepts clients whose
    /// certificate DN matches one of `allowed_dn` (any, if empty).
    pub fn load(files: &TlsFiles, allowed_dn: &[String]) -> Result<Acceptor, String> {
        let provider = provider();
        let mut roots = RootCertStore::empty();
        for ca in certificates(&files.ca, "CA certificate")? {
            roots
                .add(ca)
                .map_err(|e| format!("CA certificate '{}': {e}", files.ca.display()))?;
        }
        let crls = if files.crl.exists() {
            CertificateRevocationListDer::pem_file_iter(&files.crl)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    format!(
                        "Cannot read CA revocation list '{}': {e}",
                        files.crl.display()
                    )
                })?
        } else {
            Vec::new()
        };
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .with_crls(crls)
                .build()
                .map_err(|e| format!("TLS client verification: {e}"))?;
        let chain = certificates(&files.cert, "server certificate")?;
        let key = PrivateKeyDer::from_pem_file(&files.key)
            .map_err(|e| format!("Cannot read private key '{}': {e}", files.key.display()))?;
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_client_cert_verifier(Arc::new(Deferred::new(verifier.clone())))
            .with_single_cert(chain, key)
            .map_err(|e| {
                format!(
                    "server certificate '{}' and key '{}': {e}",
                    files.cert.display(),
                    files.key.display()
                )
            })?;
        // libvirt's clients never resume sessions.
        config.send_tls13_tickets = 0;
        Ok(Acceptor {
            config: Arc::new(config),
            gate: Arc::new(Gate {
                verifier,
                allowed_dn: allowed_dn.to_vec(),
            }),
        })
    }

    /// A session for a newly accepted connection.
    pub fn session(&self) -> Result<ServerSession, String> {
        ServerSession::new(self.config.clone(), self.gate.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::TlsFiles;
    use rustls::pki_types::ServerName;
    use rustls::{ClientConfig, ClientConnection};
    use rvirt_testkit::TempDir;
    use rvirt_testkit::pki::{Identity, TestCa, write_dir};
    use std::io::{Read, Write};

    struct Setup {
        dir: TempDir,
        ca: TestCa,
    }

    impl Setup {
        fn new(tag: &str) -> Setup {
            let dir = TempDir::new(&format!("rpc-server-tls-{tag}"));
            let ca = TestCa::new("rvirt test CA");
            write_dir(&dir, &ca, Some(&ca.server()), None);
            Setup { dir, ca }
        }

        fn acceptor(&self, allowed: &[&str]) -> Acceptor {
            let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
            Acceptor::load(&TlsFiles::in_dir(&self.dir), &allowed).unwrap()
        }
    }

    fn client(ca: &TestCa, id: Option<&Identity>) -> ClientConnection {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(ca.pem().as_bytes()).unwrap())
            .unwrap();
        let b = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let cfg = match id {
            Some(id) => b
                .with_client_auth_cert(
                    vec![CertificateDer::from_pem_slice(id.cert.as_bytes()).unwrap()],
                    PrivateKeyDer::from_pem_slice(id.key.as_bytes()).unwrap(),
                )
                .unwrap(),
            None => b.with_no_client_auth(),
        };
        ClientConnection::new(Arc::new(cfg), ServerName::try_from("localhost").unwrap()).unwrap()
    }

    /// Shuttles records both ways until neither side has anything to say; returns
    /// the plaintext the server received, or its error.
    fn pump(c: &mut ClientConnection, s: &mut ServerSession) -> Result<Vec<u8>, String> {
        let mut got = Vec::new();
        for _ in 0..20 {
            let mut wire = Vec::new();
            while c.wants_write() {
                c.write_tls(&mut wire).unwrap();
            }
            if !wire.is_empty() {
                s.receive(&wire, &mut |p| {
                    got.extend_from_slice(p);
                    Ok(())
                })?;
            }
            let mut back = Vec::new();
            while s.wants_write() {
                s.write_tls(&mut back).unwrap();
            }
            if wire.is_empty() && back.is_empty() {
                break;
            }
            if !back.is_empty() {
                let _ = c.read_tls(&mut back.as_slice());
                if c.process_new_packets().is_err() {
                    break;
                }
            }
        }
        Ok(got)
    }

    #[test]
    fn accepted_client_gets_the_check_byte_then_data_flows() {
        let s = Setup::new("ok");
        let acceptor = s.acceptor(&["C=GB,O=rvirt tests,CN=client*"]);
        let mut server = acceptor.session().unwrap();
        let mut c = client(&s.ca, Some(&s.ca.client("client1")));
        pump(&mut c, &mut server).unwrap();
        assert!(server.is_confirmed());
        assert_eq!(server.peer_dn(), Some("C=GB,O=rvirt tests,CN=client1"));
        let mut byte = [0u8; 1];
        c.reader().read_exact(&mut byte).unwrap();
        assert_eq!(byte, [session::CHECK_BYTE]);
        c.writer().write_all(b"call").unwrap();
        assert_eq!(pump(&mut c, &mut server).unwrap(), b"call");
        assert_eq!(server.encrypt(b"reply"), 5);
        pump(&mut c, &mut server).unwrap();
        let mut reply = [0u8; 5];
        c.reader().read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"reply");
    }

    #[test]
    fn clients_without_a_good_certificate_are_refused() {
        let s = Setup::new("refused");
        let acceptor = s.acceptor(&[]);
        let other = TestCa::new("another CA");
        let cases = [
            ("no certificate", client(&s.ca, None)),
            ("other CA", client(&s.ca, Some(&other.client("client1")))),
        ];
        let mut refusals = Vec::new();
        for (what, mut c) in cases {
            let mut server = acceptor.session().unwrap();
            // The handshake completes; the verdict follows, with no check byte.
            let e = pump(&mut c, &mut server).unwrap_err();
            assert!(!c.is_handshaking(), "{what}");
            assert!(!server.is_confirmed(), "{what}");
            server.close_notify();
            assert!(!server.wants_write(), "{what}: just disconnected");
            let mut byte = [0u8; 1];
            assert!(c.reader().read(&mut byte).is_err(), "{what}");
            refusals.push(e);
        }
        assert_eq!(refusals[0], "TLS client rejected: it sent no certificate");
        assert!(refusals[1].contains("UnknownIssuer"), "{}", refusals[1]);
        // The DN allow-list: a good certificate with the wrong name gets no check byte.
        let acceptor = s.acceptor(&["C=GB,O=rvirt tests,CN=admin"]);
        let mut server = acceptor.session().unwrap();
        let mut c = client(&s.ca, Some(&s.ca.client("client1")));
        let e = pump(&mut c, &mut server).unwrap_err();
        assert!(
            e.contains("'C=GB,O=rvirt tests,CN=client1' is not on the list"),
            "{e}"
        );
        assert!(!server.is_confirmed());
    }

    #[test]
    fn missing_files_are_named() {
        let dir = std::path::Path::new("/nonexistent/rvirt-pki");
        let e = Acceptor::load(&TlsFiles::in_dir(dir), &[]).unwrap_err();
        assert!(e.contains("/nonexistent/rvirt-pki/cacert.pem"), "{e}");
    }
}

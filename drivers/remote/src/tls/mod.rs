//! The `+tls` transport (rustls with the `ring` provider): credentials ([`pki`]), the
//! rustls client configuration, and the TLS stream ([`stream`]) with libvirt's check
//! byte.
//!
//! Like libvirt's client, the server certificate must chain to the CA and name the
//! host of the URI (a DNS name or an IP address), unless `no_verify=1`; the client
//! certificate is presented when one exists.

pub mod pki;
pub mod stream;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, ServerName, UnixTime,
};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

pub use stream::TlsStream;

/// What the URI says about TLS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `pkipath=`.
    pub pkipath: Option<PathBuf>,
    /// `no_verify=1`.
    pub no_verify: bool,
}

/// rustls's `ring` crypto provider. rustls 0.23.48 deprecates it only because ring has
/// no post-quantum key exchange; libvirt 9.0's GnuTLS offers none either, and ring keeps
/// the build light (aws-lc-rs is deliberately not used).
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn cannot_read(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Rpc,
        format!("Cannot read {what} '{}': {e}", path.display()),
    )
}

fn certificates(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| cannot_read(what, path, e))?;
    if certs.is_empty() {
        return Err(cannot_read(what, path, "no certificate in it"));
    }
    Ok(certs)
}

/// The rustls configuration for `settings`, reading the credentials.
pub fn client_config(settings: &Settings) -> Result<Arc<ClientConfig>> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let files = pki::locate(
        settings.pkipath.as_deref(),
        if root { None } else { home.as_deref() },
        &|p| p.exists(),
    );
    let provider = provider();
    let mut roots = RootCertStore::empty();
    for ca in certificates(&files.ca, "CA certificate")? {
        roots
            .add(ca)
            .map_err(|e| cannot_read("CA certificate", &files.ca, e))?;
    }
    let crls = if files.crl.exists() {
        CertificateRevocationListDer::pem_file_iter(&files.crl)
            .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| cannot_read("CA revocation list", &files.crl, e))?
    } else {
        Vec::new()
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(tls_setup_error)?;
    let builder = if settings.no_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
    } else {
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .with_crls(crls)
            .build()
            .map_err(tls_setup_error)?;
        builder.with_webpki_verifier(verifier)
    };
    let config = if files.cert.exists() {
        let chain = certificates(&files.cert, "certificate")?;
        let key = PrivateKeyDer::from_pem_file(&files.key)
            .map_err(|e| cannot_read("private key", &files.key, e))?;
        builder
            .with_client_auth_cert(chain, key)
            .map_err(tls_setup_error)?
    } else {
        builder.with_no_client_auth()
    };
    Ok(Arc::new(config))
}

fn tls_setup_error(e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::SystemError,
        ErrorDomain::Rpc,
        format!("Unable to set up TLS credentials: {e}"),
    )
}

/// The name the server certificate must carry: the URI's host.
pub fn server_name(host: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(host.to_string()).map_err(|e| {
        Error::invalid_arg(
            ErrorDomain::Remote,
            format!("invalid TLS server name '{host}': {e}"),
        )
    })
}

/// `no_verify=1`: any server certificate is accepted (the handshake signatures are
/// still checked, so the session is encrypted, just not authenticated).
#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ca_is_a_system_error_naming_the_file() {
        let s = Settings {
            pkipath: Some("/nonexistent/rvirt-pki".into()),
            no_verify: false,
        };
        let e = client_config(&s).unwrap_err();
        assert_eq!(
            (e.code(), e.domain()),
            (ErrorCode::SystemError, ErrorDomain::Rpc)
        );
        assert!(
            e.to_string().contains("/nonexistent/rvirt-pki/cacert.pem"),
            "{e}"
        );
    }

    #[test]
    fn server_names() {
        assert!(matches!(
            server_name("localhost").unwrap(),
            ServerName::DnsName(_)
        ));
        assert!(matches!(
            server_name("127.0.0.1").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            server_name("::1").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(server_name("bad name!").is_err());
    }
}

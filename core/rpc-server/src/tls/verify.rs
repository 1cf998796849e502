//! The client certificate check, deferred to the end of the handshake as libvirtd
//! does it.
//!
//! libvirtd only *requests* a client certificate during the TLS handshake
//! (`GNUTLS_CERT_REQUEST`) and verifies it once the handshake is over
//! (`virNetTLSContextCheckCertificate`); a client that fails is closed instead of
//! receiving the check byte. Refusing inside the handshake instead (TLS 1.2) kills a
//! GnuTLS client with SIGPIPE while it is still sending its flight. So during the
//! handshake [`Deferred`] accepts any certificate, or none, while still checking the
//! handshake signatures (the client proves it holds the key of the certificate it
//! sent); [`ServerSession`](super::ServerSession) then runs the real verification
//! (chain to the CA, validity, CRL, client-auth purpose) with [`Deferred::inner`].

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// Requests a client certificate and checks handshake signatures; verification of the
/// certificate itself happens after the handshake, with [`Deferred::inner`].
#[derive(Debug)]
pub struct Deferred {
    inner: Arc<dyn ClientCertVerifier>,
}

impl Deferred {
    /// Wraps the verifier that will judge the certificate after the handshake.
    pub fn new(inner: Arc<dyn ClientCertVerifier>) -> Deferred {
        Deferred { inner }
    }

    /// The real verifier.
    pub fn inner(&self) -> &Arc<dyn ClientCertVerifier> {
        &self.inner
    }
}

impl ClientCertVerifier for Deferred {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

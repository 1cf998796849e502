//! A throw-away PKI for TLS tests (rcgen): a CA, server and client certificates that
//! pass GnuTLS's and libvirt's checks (CA basic constraints and certificate-signing
//! usage; digitalSignature + keyEncipherment and the serverAuth/clientAuth purpose on
//! the leaves, since libvirt insists on both usages when the extension is critical),
//! written in libvirt's `pkipath` layout. Shared by the TLS tests of the remote driver,
//! rvirtd and rvirt-rpc-server.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// A certificate and its private key, PEM.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The certificate.
    pub cert: String,
    /// The private key (PKCS#8).
    pub key: String,
}

/// A certificate authority.
#[derive(Debug)]
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

fn name(pairs: &[(DnType, &str)]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (t, v) in pairs {
        dn.push(t.clone(), *v);
    }
    dn
}

impl TestCa {
    /// A new self-signed CA named `cn`.
    pub fn new(cn: &str) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name = name(&[
            (DnType::OrganizationName, "rvirt tests"),
            (DnType::CommonName, cn),
        ]);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = p.self_signed(&key).unwrap();
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(p, key),
        }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    fn leaf(
        &self,
        sans: &[&str],
        dn: DistinguishedName,
        purpose: ExtendedKeyUsagePurpose,
    ) -> Identity {
        let key = KeyPair::generate().unwrap();
        let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut p = CertificateParams::new(sans).unwrap();
        p.distinguished_name = dn;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        p.extended_key_usages = vec![purpose];
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        Identity {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    /// A server certificate for `localhost` and `127.0.0.1`.
    pub fn server(&self) -> Identity {
        self.server_for(&["localhost", "127.0.0.1"])
    }

    /// A server certificate for these DNS names and IP addresses.
    pub fn server_for(&self, names: &[&str]) -> Identity {
        self.leaf(
            names,
            name(&[
                (DnType::OrganizationName, "rvirt tests"),
                (DnType::CommonName, names[0]),
            ]),
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate with Distinguished Name `C=GB,O=rvirt tests,CN={cn}`.
    pub fn client(&self, cn: &str) -> Identity {
        self.leaf(
            &[],
            name(&[
                (DnType::CountryName, "GB"),
                (DnType::OrganizationName, "rvirt tests"),
                (DnType::CommonName, cn),
            ]),
            ExtendedKeyUsagePurpose::ClientAuth,
        )
    }
}

/// Writes libvirt's `pkipath` layout into `dir`: `cacert.pem` (the CA), and
/// `servercert.pem`/`serverkey.pem`, `clientcert.pem`/`clientkey.pem` when given.
pub fn write_dir(dir: &Path, ca: &TestCa, server: Option<&Identity>, client: Option<&Identity>) {
    write_dir_with_cas(dir, &[ca.pem()], server, client);
}

/// Like [`write_dir`] with several CA certificates concatenated in `cacert.pem`.
pub fn write_dir_with_cas(
    dir: &Path,
    cas: &[&str],
    server: Option<&Identity>,
    client: Option<&Identity>,
) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("cacert.pem"), cas.concat()).unwrap();
    for (id, cert, key) in [
        (server, "servercert.pem", "serverkey.pem"),
        (client, "clientcert.pem", "clientkey.pem"),
    ] {
        if let Some(id) = id {
            std::fs::write(dir.join(cert), &id.cert).unwrap();
            std::fs::write(dir.join(key), &id.key).unwrap();
        }
    }
}

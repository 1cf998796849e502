//! Where the TLS server finds its credentials, in libvirt's two layouts.
//!
//! Without `--pki-dir`, libvirtd's system locations: `/etc/pki/CA/cacert.pem` (and the
//! optional `cacrl.pem` beside it), `/etc/pki/libvirt/servercert.pem` and
//! `/etc/pki/libvirt/private/serverkey.pem`. With `--pki-dir DIR`, libvirt's custom
//! `pkipath` layout: every file directly in `DIR` (`cacert.pem`, `cacrl.pem`,
//! `servercert.pem`, `serverkey.pem`), so one directory can also hold the client's
//! `clientcert.pem` and `clientkey.pem`. `--tls-ca-file`, `--tls-crl-file`,
//! `--tls-cert-file` and `--tls-key-file` override single files, like libvirtd.conf's
//! `ca_file`, `crl_file`, `cert_file` and `key_file`.

use std::path::{Path, PathBuf};

/// The CA certificate file name (both layouts).
pub const CA_CERT: &str = "cacert.pem";
/// The optional certificate revocation list (both layouts).
pub const CA_CRL: &str = "cacrl.pem";
/// The server certificate file name.
pub const SERVER_CERT: &str = "servercert.pem";
/// The server private key file name.
pub const SERVER_KEY: &str = "serverkey.pem";

/// The TLS server's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// CA certificate(s) that sign client certificates (PEM, one or more).
    pub ca: PathBuf,
    /// Certificate revocation list (PEM); used only if the file exists.
    pub crl: PathBuf,
    /// The server's certificate (PEM; a chain may follow it).
    pub cert: PathBuf,
    /// The server's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

impl TlsFiles {
    /// libvirtd's system locations.
    pub fn system() -> TlsFiles {
        let ca = Path::new("/etc/pki/CA");
        let libvirt = Path::new("/etc/pki/libvirt");
        TlsFiles {
            ca: ca.join(CA_CERT),
            crl: ca.join(CA_CRL),
            cert: libvirt.join(SERVER_CERT),
            key: libvirt.join("private").join(SERVER_KEY),
        }
    }

    /// libvirt's `pkipath` layout: every file in `dir`.
    pub fn in_dir(dir: &Path) -> TlsFiles {
        TlsFiles {
            ca: dir.join(CA_CERT),
            crl: dir.join(CA_CRL),
            cert: dir.join(SERVER_CERT),
            key: dir.join(SERVER_KEY),
        }
    }
}

/// The PKI flags as given on the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PkiFlags {
    /// `--pki-dir`.
    pub dir: Option<PathBuf>,
    /// `--tls-ca-file`.
    pub ca: Option<PathBuf>,
    /// `--tls-crl-file`.
    pub crl: Option<PathBuf>,
    /// `--tls-cert-file`.
    pub cert: Option<PathBuf>,
    /// `--tls-key-file`.
    pub key: Option<PathBuf>,
}

impl PkiFlags {
    /// The files these flags select.
    pub fn resolve(&self) -> TlsFiles {
        let base = match &self.dir {
            Some(d) => TlsFiles::in_dir(d),
            None => TlsFiles::system(),
        };
        let pick = |o: &Option<PathBuf>, d: PathBuf| o.clone().unwrap_or(d);
        TlsFiles {
            ca: pick(&self.ca, base.ca),
            crl: pick(&self.crl, base.crl),
            cert: pick(&self.cert, base.cert),
            key: pick(&self.key, base.key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_and_overrides() {
        let sys = PkiFlags::default().resolve();
        assert_eq!(sys.ca, Path::new("/etc/pki/CA/cacert.pem"));
        assert_eq!(sys.crl, Path::new("/etc/pki/CA/cacrl.pem"));
        assert_eq!(sys.cert, Path::new("/etc/pki/libvirt/servercert.pem"));
        assert_eq!(sys.key, Path::new("/etc/pki/libvirt/private/serverkey.pem"));
        let f = PkiFlags {
            dir: Some("/p".into()),
            key: Some("/k.pem".into()),
            ..PkiFlags::default()
        }
        .resolve();
        assert_eq!(f.ca, Path::new("/p/cacert.pem"));
        assert_eq!(f.crl, Path::new("/p/cacrl.pem"));
        assert_eq!(f.cert, Path::new("/p/servercert.pem"));
        assert_eq!(f.key, Path::new("/k.pem"));
    }
}

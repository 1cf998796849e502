//! Where a TLS server finds its credentials, in libvirt's two layouts.
//!
//! libvirtd's system locations: `/etc/pki/CA/cacert.pem` (and the optional
//! `cacrl.pem` beside it), `/etc/pki/libvirt/servercert.pem` and
//! `/etc/pki/libvirt/private/serverkey.pem` ([`TlsFiles::system`]); or libvirt's
//! custom `pkipath` layout, every file directly in one directory (`cacert.pem`,
//! `cacrl.pem`, `servercert.pem`, `serverkey.pem`), so that directory can also hold a
//! client's `clientcert.pem` and `clientkey.pem` ([`TlsFiles::in_dir`]).

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let sys = TlsFiles::system();
        assert_eq!(sys.ca, Path::new("/etc/pki/CA/cacert.pem"));
        assert_eq!(sys.crl, Path::new("/etc/pki/CA/cacrl.pem"));
        assert_eq!(sys.cert, Path::new("/etc/pki/libvirt/servercert.pem"));
        assert_eq!(sys.key, Path::new("/etc/pki/libvirt/private/serverkey.pem"));
        let d = TlsFiles::in_dir(Path::new("/p"));
        assert_eq!(d.key, Path::new("/p/serverkey.pem"));
    }
}

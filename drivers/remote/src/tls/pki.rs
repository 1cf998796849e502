//! Where the TLS client finds its credentials (sans-io), as libvirt 9.0's client does
//! (`virNetTLSContextLocateCredentials` in `src/rpc/virnettlscontext.c`):
//!
//! * `pkipath=DIR`: `DIR/cacert.pem`, `DIR/cacrl.pem`, `DIR/clientcert.pem`,
//!   `DIR/clientkey.pem`, whether they exist or not;
//! * otherwise, for a non-root user, `$HOME/.pki/libvirt/` with the same names, each
//!   CA file falling back to the system one when missing, and the certificate and key
//!   falling back together unless both exist;
//! * the system files: `/etc/pki/CA/cacert.pem`, `/etc/pki/CA/cacrl.pem`,
//!   `/etc/pki/libvirt/clientcert.pem`, `/etc/pki/libvirt/private/clientkey.pem`.
//!
//! The CA certificate is required; the CRL is used when it exists; a client without
//! `clientcert.pem` connects without a certificate (and a server requiring one, as
//! libvirtd and rvirtd do, refuses it).

use std::path::{Path, PathBuf};

/// The client's TLS files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientFiles {
    /// CA certificate(s) the server certificate must chain to.
    pub ca: PathBuf,
    /// Certificate revocation list (optional).
    pub crl: PathBuf,
    /// The client certificate (optional).
    pub cert: PathBuf,
    /// Its private key.
    pub key: PathBuf,
}

impl ClientFiles {
    fn in_dir(dir: &Path) -> ClientFiles {
        ClientFiles {
            ca: dir.join("cacert.pem"),
            crl: dir.join("cacrl.pem"),
            cert: dir.join("clientcert.pem"),
            key: dir.join("clientkey.pem"),
        }
    }

    fn system() -> ClientFiles {
        ClientFiles {
            ca: PathBuf::from("/etc/pki/CA/cacert.pem"),
            crl: PathBuf::from("/etc/pki/CA/cacrl.pem"),
            cert: PathBuf::from("/etc/pki/libvirt/clientcert.pem"),
            key: PathBuf::from("/etc/pki/libvirt/private/clientkey.pem"),
        }
    }
}

/// Picks the files. `user_home` is the home directory of a non-root user (`None` for
/// root); `exists` tells whether a file exists.
pub fn locate(
    pkipath: Option<&Path>,
    user_home: Option<&Path>,
    exists: &dyn Fn(&Path) -> bool,
) -> ClientFiles {
    if let Some(dir) = pkipath {
        return ClientFiles::in_dir(dir);
    }
    let system = ClientFiles::system();
    let Some(home) = user_home else {
        return system;
    };
    let user = ClientFiles::in_dir(&home.join(".pki/libvirt"));
    let pick = |u: PathBuf, s: PathBuf| if exists(&u) { u } else { s };
    let (cert, key) = if exists(&user.cert) && exists(&user.key) {
        (user.cert, user.key)
    } else {
        (system.cert, system.key)
    };
    ClientFiles {
        ca: pick(user.ca, system.ca),
        crl: pick(user.crl, system.crl),
        cert,
        key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkipath_wins_regardless_of_existence() {
        let f = locate(Some(Path::new("/p")), Some(Path::new("/home/u")), &|_| {
            false
        });
        assert_eq!(f, ClientFiles::in_dir(Path::new("/p")));
        assert_eq!(f.key, Path::new("/p/clientkey.pem"));
    }

    #[test]
    fn root_uses_the_system_files() {
        let f = locate(None, None, &|_| true);
        assert_eq!(f.ca, Path::new("/etc/pki/CA/cacert.pem"));
        assert_eq!(f.key, Path::new("/etc/pki/libvirt/private/clientkey.pem"));
    }

    #[test]
    fn user_files_fall_back_one_by_one() {
        let home = Path::new("/home/u");
        // Only the user's CA and key exist: the CA is the user's, the pair is the system's.
        let f = locate(None, Some(home), &|p| {
            p.ends_with(".pki/libvirt/cacert.pem") || p.ends_with(".pki/libvirt/clientkey.pem")
        });
        assert_eq!(f.ca, Path::new("/home/u/.pki/libvirt/cacert.pem"));
        assert_eq!(f.crl, Path::new("/etc/pki/CA/cacrl.pem"));
        assert_eq!(f.cert, Path::new("/etc/pki/libvirt/clientcert.pem"));
        assert_eq!(f.key, Path::new("/etc/pki/libvirt/private/clientkey.pem"));
        let f = locate(None, Some(home), &|p| p.starts_with("/home"));
        assert_eq!(f, ClientFiles::in_dir(&home.join(".pki/libvirt")));
    }
}

//! The PKI flags: libvirt's two layouts of the TLS server's files
//! ([`TlsFiles`]), picked by `--pki-dir`, and single files overridden by
//! `--tls-ca-file`, `--tls-crl-file`, `--tls-cert-file` and `--tls-key-file`, like
//! libvirtd.conf's `ca_file`, `crl_file`, `cert_file` and `key_file`.

use std::path::PathBuf;

use rvirt_rpc_server::pki::TlsFiles;

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
    use std::path::Path;

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

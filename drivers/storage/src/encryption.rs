//! Encrypted volumes: `<encryption format='luks'><secret type='passphrase'
//! uuid|usage=…/></encryption>` in a volume's target. The passphrase is read from the
//! host's secret driver (through rvirt-core's shared secondary drivers, as libvirt's
//! storage driver asks its secret connection) and handed to `qemu-img` as a secret
//! object reading a 0600 temp file in the driver's private run directory, removed as
//! soon as `qemu-img` is done: never an argument.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rvirt_core::driver::files::{create_private, system_error};
use rvirt_core::driver::{SECRET_USAGE_VOLUME, SecretLookup, secret_value, shared_secret_driver};
use rvirt_core::objconf::{Element, VolDef};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, Uuid};

const D: ErrorDomain = ErrorDomain::Storage;

/// The passphrase of a volume being created, for `qemu-img`: a private file removed
/// when this is dropped.
#[derive(Debug)]
pub(crate) struct VolSecret {
    /// The secret object's id (fixed: a volume name need not be a valid QOM id).
    pub id: &'static str,
    /// The 0600 file holding the passphrase (raw bytes).
    pub file: PathBuf,
}

impl Drop for VolSecret {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

/// Tells apart the secret files of concurrent creations.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Writes `value` into a new 0600 file in `dir` (the driver's private `run/storage`).
fn write_secret(dir: &Path, value: &[u8]) -> Result<VolSecret> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let file = dir.join(format!("secret-{}-{n}.tmp", std::process::id()));
    let fail = |e: std::io::Error| {
        system_error(
            D,
            format!("cannot write secret file '{}'", file.display()),
            &e,
        )
    };
    let mut f = create_private(&file).map_err(fail)?;
    // Dropped (and the file removed) on any failure from here on.
    let secret = VolSecret {
        id: "sec0",
        file: file.clone(),
    };
    f.write_all(value).map_err(fail)?;
    Ok(secret)
}

fn xml_error(message: &str) -> Error {
    Error::new(ErrorCode::XmlError, D, message)
}

/// Which secret the `<encryption>` of `vol` names, if it has one; checked as
/// libvirt checks a volume to create: LUKS only, one passphrase secret.
pub(crate) fn lookup(vol: &VolDef) -> Result<Option<SecretLookup>> {
    let Some(el) = vol.encryption.as_ref() else {
        return Ok(None);
    };
    match el.get("format") {
        Some("luks") => {}
        Some(f @ ("default" | "qcow" | "luks2" | "luks-any")) => {
            return Err(Error::new(
                ErrorCode::ConfigUnsupported,
                D,
                format!("unsupported volume encryption format '{f}'"),
            ));
        }
        other => {
            return Err(xml_error(&format!(
                "unknown volume encryption format type {}",
                other.unwrap_or("(null)")
            )));
        }
    }
    let secrets: Vec<&Element> = el.all("secret").collect();
    let [secret] = secrets[..] else {
        return Err(xml_error(
            "A single <secret type='passphrase'...> element is expected in encryption description",
        ));
    };
    if secret.get("type") != Some("passphrase") {
        return Err(xml_error(&format!(
            "unknown volume encryption secret type {}",
            secret.get("type").unwrap_or("(null)")
        )));
    }
    match (secret.get("uuid"), secret.get("usage")) {
        (Some(u), None) => Uuid::parse_str(u)
            .map(|u| Some(SecretLookup::Uuid(u)))
            .map_err(|_| xml_error(&format!("invalid secret uuid '{u}'"))),
        (None, Some(u)) => Ok(Some(SecretLookup::Usage(u.to_string()))),
        (Some(_), Some(_)) => Err(xml_error("either secret uuid or usage expected")),
        (None, None) => Err(xml_error("missing secret uuid or usage attribute")),
    }
}

/// The passphrase of `vol`, if it is to be encrypted, in a private file in `dir`.
/// A secret that is missing (or has no value) fails with the secret driver's
/// `VIR_ERR_NO_SECRET`, as libvirt's volume creation does.
pub(crate) fn secret(vol: &VolDef, dir: &Path) -> Result<Option<VolSecret>> {
    let Some(lookup) = lookup(vol)? else {
        return Ok(None);
    };
    let secrets = shared_secret_driver(&Uri::parse("qemu:///system")?)?;
    let mut value = secret_value(secrets.as_ref(), &lookup, SECRET_USAGE_VOLUME)?;
    let written = write_secret(dir, &value);
    value.fill(0);
    written.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(enc: &str) -> VolDef {
        VolDef::from_xml(&format!(
            "<volume><name>v.img</name><capacity>1048576</capacity>\
             <target><format type='raw'/>{enc}</target></volume>"
        ))
        .unwrap()
    }

    #[test]
    fn luks_names_one_secret() {
        let u = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";
        let v = vol(&format!(
            "<encryption format='luks'><secret type='passphrase' uuid='{u}'/></encryption>"
        ));
        assert_eq!(
            lookup(&v).unwrap(),
            Some(SecretLookup::Uuid(Uuid::parse_str(u).unwrap()))
        );
        let v =
            vol("<encryption format='luks'><secret type='passphrase' usage='/p'/></encryption>");
        assert_eq!(lookup(&v).unwrap(), Some(SecretLookup::Usage("/p".into())));
        assert_eq!(lookup(&vol("")).unwrap(), None);
        for (xml, code) in [
            ("<encryption format='qcow'/>", ErrorCode::ConfigUnsupported),
            ("<encryption format='luks'/>", ErrorCode::XmlError),
            (
                "<encryption format='luks'><secret type='passphrase'/></encryption>",
                ErrorCode::XmlError,
            ),
        ] {
            assert_eq!(lookup(&vol(xml)).unwrap_err().code(), code, "{xml}");
        }
    }

    #[test]
    fn the_secret_file_is_private_and_removed_when_dropped() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = rvirt_testkit::TempDir::new("vol-secret");
        let s = write_secret(&tmp.0, b"pass").unwrap();
        let mode = std::fs::metadata(&s.file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read(&s.file).unwrap(), b"pass");
        let file = s.file.clone();
        drop(s);
        assert!(!file.exists());
    }
}

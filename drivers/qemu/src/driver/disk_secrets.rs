//! The passphrases of a guest's encrypted disks, read from the host's secret driver
//! (through rvirt-core's shared secondary drivers, as libvirt's QEMU driver asks its
//! secret driver). At start each is written base64-encoded into a 0600 file in the
//! domain's private directory (owned by QEMU's user under DAC), which QEMU's secret
//! object reads; the files go once QEMU holds the values, and with the directory at
//! stop at the latest. Only `qemu:///system` has the host's secrets.

use std::io::Write;
use std::path::{Path, PathBuf};

use rvirt_core::conf::{Device, Disk, DomainDef};
use rvirt_core::driver::files::{create_private, system_error};
use rvirt_core::driver::{SECRET_USAGE_VOLUME, secret_value, shared_secret_driver};
use rvirt_core::uri::Uri;
use rvirt_core::{Error, ErrorDomain, Result};

use crate::command_line::{DiskSecret, disk_encryption, secret_id};
use crate::security::RunAs;

/// The passphrase of `disk`, if it is encrypted and has a source. A missing secret
/// (or one without a value) is the secret driver's `VIR_ERR_NO_SECRET`.
pub(crate) fn passphrase(disk: &Disk, system: bool) -> Result<Option<Vec<u8>>> {
    let Some(enc) = disk_encryption(disk)? else {
        return Ok(None);
    };
    if disk.source_path().is_none() {
        return Ok(None);
    }
    if !system {
        return Err(Error::no_support(
            ErrorDomain::Secret,
            "virSecretLookupByUUID",
        ));
    }
    let secrets = shared_secret_driver(&Uri::parse("qemu:///system")?)?;
    secret_value(secrets.as_ref(), &enc.secret, SECRET_USAGE_VOLUME).map(Some)
}

/// The secrets of a start: per disk how QEMU gets its passphrase, and the files
/// holding them.
#[derive(Debug, Default)]
pub(crate) struct StartSecrets {
    /// By position among the disks.
    pub per_disk: Vec<Option<DiskSecret>>,
    files: Vec<PathBuf>,
}

impl StartSecrets {
    /// How many disks are encrypted.
    pub(crate) fn count(&self) -> usize {
        self.files.len()
    }

    /// Removes the files (QEMU read them when it created its secret objects).
    pub(crate) fn remove_files(&self) {
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// Writes `value` base64-encoded into the new private file `path`, owned by `owner`
/// (QEMU's user) when given.
fn write_file(path: &Path, value: &[u8], owner: Option<&RunAs>) -> Result<()> {
    let fail = |e: std::io::Error| {
        system_error(
            ErrorDomain::Qemu,
            format!("cannot write secret file '{}'", path.display()),
            &e,
        )
    };
    let mut f = create_private(path).map_err(fail)?;
    let mut encoded = crate::driver::base64(value).into_bytes();
    let written = f.write_all(&encoded);
    encoded.fill(0);
    written.map_err(fail)?;
    if let Some(ids) = owner {
        std::os::unix::fs::fchown(&f, Some(ids.uid), Some(ids.gid)).map_err(fail)?;
    }
    Ok(())
}

/// Reads the passphrase of every encrypted disk of `def` (a missing secret fails
/// the start with the secret driver's `VIR_ERR_NO_SECRET`) into a file each in
/// `priv_dir`, owned by `owner` when QEMU runs as another user. On failure the
/// files written so far are removed.
pub(crate) fn prepare(
    def: &DomainDef,
    system: bool,
    priv_dir: &Path,
    owner: Option<&RunAs>,
) -> Result<StartSecrets> {
    let mut out = StartSecrets::default();
    let disks = def.devices().iter().filter_map(|d| match d {
        Device::Disk(d) => Some(d),
        _ => None,
    });
    for (i, disk) in disks.enumerate() {
        let value = match passphrase(disk, system) {
            Ok(v) => v,
            Err(e) => {
                out.remove_files();
                return Err(e);
            }
        };
        let secret = match value {
            Some(mut value) => {
                let id = secret_id(&format!("libvirt-{}-format", i + 1));
                let path = priv_dir.join(format!("{id}.secret"));
                let written = write_file(&path, &value, owner);
                value.fill(0);
                out.files.push(path.clone());
                if let Err(e) = written {
                    out.remove_files();
                    return Err(e);
                }
                Some(DiskSecret::File(path))
            }
            None => None,
        };
        out.per_disk.push(secret);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_file_is_private_and_base64() {
        let tmp = rvirt_testkit::TempDir::new("disk-secret");
        let path = tmp.0.join("s.secret");
        write_file(&path, b"hunter2", None).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "aHVudGVyMg==");
    }

    #[test]
    fn plain_disks_need_no_secret() {
        let def = DomainDef::from_xml(
            "<domain type='qemu'><name>d</name><memory>65536</memory><os><type>hvm</type></os>\
             <devices><disk type='file'><source file='/i.img'/><target dev='vda'/></disk>\
             </devices></domain>",
        )
        .unwrap();
        let tmp = rvirt_testkit::TempDir::new("disk-secret-none");
        let s = prepare(&def, false, &tmp.0, None).unwrap();
        assert_eq!(s.per_disk, vec![None]);
        assert_eq!(s.count(), 0);
    }
}

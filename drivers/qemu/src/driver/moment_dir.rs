//! The on-disk layout snapshot and checkpoint metadata share, as libvirt's: below a
//! root directory (`lib/qemu/snapshot`, `lib/qemu/checkpoint`), one private directory
//! per domain holding `NAME.xml` per moment (0600, written temp + fsync + rename, only
//! when its content changed). Domain names reach paths, so they are checked first.

use std::path::PathBuf;

use rvirt_core::driver::files::{
    Durability, ensure_private_dir, remove_tree_in, write_replace, xml_files,
};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, log};

use crate::driver::snapshot::store::check_name;

/// One kind of moment's metadata root.
#[derive(Debug, Clone)]
pub(crate) struct MomentDir {
    /// The root (`ROOT/lib/qemu/KIND`).
    pub(crate) dir: PathBuf,
    /// The kind, for messages (`snapshot`, `checkpoint`).
    pub(crate) kind: &'static str,
}

impl MomentDir {
    /// The directory of `domain`'s moments (its name checked like a moment's).
    pub(crate) fn domain_dir(&self, domain: &str) -> Result<PathBuf> {
        check_name(domain)?;
        Ok(self.dir.join(domain))
    }

    /// Makes `domain`'s directory hold exactly `files` (`(name, document)`): changed
    /// documents rewritten, files of other names removed; no files: the directory goes.
    pub(crate) fn sync(&self, domain: &str, files: &[(String, String)]) -> Result<()> {
        let dir = self.domain_dir(domain)?;
        if files.is_empty() {
            return self.remove_all(domain);
        }
        ensure_private_dir(&self.dir, ErrorDomain::Qemu)?;
        ensure_private_dir(&dir, ErrorDomain::Qemu)?;
        for (name, xml) in files {
            let path = dir.join(format!("{name}.xml"));
            if std::fs::read(&path).is_ok_and(|old| old == xml.as_bytes()) {
                continue;
            }
            write_replace(&path, xml.as_bytes(), Durability::Synced, ErrorDomain::Qemu)?;
        }
        for path in xml_files(&dir) {
            let keep = path
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|stem| files.iter().any(|(n, _)| n == stem));
            if !keep {
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(())
    }

    /// Forgets every file of `domain`.
    pub(crate) fn remove_all(&self, domain: &str) -> Result<()> {
        check_name(domain)?;
        remove_tree_in(&self.dir, std::ffi::OsStr::new(domain)).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!(
                    "cannot remove {} metadata of '{domain}' in '{}': {e}",
                    self.kind,
                    self.dir.display()
                ),
            )
        })
    }

    /// Removes the metadata of every domain not in `keep`.
    pub(crate) fn remove_others(&self, keep: &[String]) {
        for e in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            if keep.iter().any(|k| k == name) {
                continue;
            }
            match self.remove_all(name) {
                Ok(()) => log::info(
                    ErrorDomain::Qemu,
                    format_args!("removed the {} metadata of gone domain '{name}'", self.kind),
                ),
                Err(e) => log::warning(ErrorDomain::Qemu, format_args!("{e}")),
            }
        }
    }
}

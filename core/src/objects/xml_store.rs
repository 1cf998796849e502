//! [`XmlStore`]: a secondary driver's persistent definitions (`DIR/NAME.xml`) and
//! autostart marks (`DIR/autostart/NAME.xml` → `../NAME.xml`), the layout libvirt uses
//! for networks, pools, secrets and filters; and its run-time status files.

use std::path::{Path, PathBuf};

use crate::driver::files::{
    Durability, ensure_private_dir, is_plain_component, read_bounded, remove_leftovers,
    set_autostart_link, system_error, write_replace, xml_files,
};
use crate::{Error, ErrorDomain, Result, log};

/// Largest definition read back.
const MAX_XML_BYTES: u64 = 16 << 20;

/// One directory of XML documents named by object.
#[derive(Clone, Debug)]
pub struct XmlStore {
    dir: PathBuf,
    domain: ErrorDomain,
}

impl XmlStore {
    /// The documents in `dir`, created private if missing; errors are in `domain`.
    pub fn open(dir: impl Into<PathBuf>, domain: ErrorDomain) -> Result<XmlStore> {
        let dir = dir.into();
        ensure_private_dir(&dir, domain)?;
        Ok(XmlStore { dir, domain })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn checked(&self, name: &str) -> Result<String> {
        let file = format!("{name}.xml");
        if name.is_empty() || !is_plain_component(std::ffi::OsStr::new(&file)) {
            return Err(Error::invalid_arg(
                self.domain,
                format!("name '{name}' cannot be used as a file name"),
            ));
        }
        Ok(file)
    }

    /// `DIR/NAME.xml`.
    pub fn path(&self, name: &str) -> Result<PathBuf> {
        Ok(self.dir.join(self.checked(name)?))
    }

    /// Writes `xml` as `NAME.xml` atomically (private, synced when `durable`).
    pub fn save(&self, name: &str, xml: &str, durable: bool) -> Result<()> {
        let durability = if durable {
            Durability::Synced
        } else {
            Durability::RenameOnly
        };
        write_replace(&self.path(name)?, xml.as_bytes(), durability, self.domain)
    }

    /// Removes `NAME.xml` and its autostart mark; missing files are no error.
    pub fn delete(&self, name: &str) -> Result<()> {
        self.set_autostart(name, false)?;
        let path = self.path(name)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(system_error(
                self.domain,
                format_args!("cannot remove '{}'", path.display()),
                &e,
            )),
            _ => Ok(()),
        }
    }

    /// Sets or clears the autostart mark of `name`.
    pub fn set_autostart(&self, name: &str, on: bool) -> Result<()> {
        let file = self.checked(name)?;
        set_autostart_link(&self.dir, &file, on, self.domain)
    }

    /// True if `name` has an autostart mark.
    pub fn autostart(&self, name: &str) -> bool {
        self.checked(name)
            .is_ok_and(|f| std::fs::symlink_metadata(self.dir.join("autostart").join(f)).is_ok())
    }

    /// Every `NAME.xml` as `(NAME, text)`, after removing leftovers of interrupted
    /// writes; unreadable files are skipped with a log line.
    pub fn load_all(&self) -> Vec<(String, String)> {
        remove_leftovers(&self.dir, self.domain);
        let mut out = Vec::new();
        for path in xml_files(&self.dir).into_iter().filter(|p| p.is_file()) {
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            match read_bounded(&path, MAX_XML_BYTES) {
                Ok(text) => out.push((name.to_string(), text)),
                Err(e) => log::warning(
                    self.domain,
                    format_args!("skipping '{}': {e}", path.display()),
                ),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_marks_loads_and_refuses_paths() {
        let dir = std::env::temp_dir().join(format!("rvirt-xmlstore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let s = XmlStore::open(&dir, ErrorDomain::Network).unwrap();
        s.save("a", "<network/>", true).unwrap();
        s.set_autostart("a", true).unwrap();
        s.set_autostart("a", true).unwrap();
        assert!(s.autostart("a"));
        assert_eq!(
            s.load_all(),
            vec![("a".to_string(), "<network/>".to_string())]
        );
        assert!(s.save("../x", "", true).is_err());
        assert!(s.save("", "", true).is_err());
        s.delete("a").unwrap();
        s.delete("a").unwrap();
        assert!(!s.autostart("a") && s.load_all().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

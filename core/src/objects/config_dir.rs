//! [`ConfigDir`]: a driver's persistent definitions on disk (`ROOT/etc/DRIVER/NAME.xml`)
//! and autostart marks (`…/autostart/NAME.xml`), as libvirt keeps them.

use std::path::{Path, PathBuf};

use crate::conf::DomainDef;
use crate::driver::files::{
    Durability, read_bounded, remove_leftovers, set_autostart_link, system_error, write_replace,
    xml_files,
};
use crate::{ErrorDomain, Result, log};

/// Largest definition read back.
const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// One driver root's directory of persistent domain definitions.
#[derive(Clone, Debug)]
pub struct ConfigDir {
    dir: PathBuf,
    domain: ErrorDomain,
}

impl ConfigDir {
    /// The definitions in `dir` (which the driver created private); errors are in
    /// `domain`.
    pub fn new(dir: impl Into<PathBuf>, domain: ErrorDomain) -> ConfigDir {
        ConfigDir {
            dir: dir.into(),
            domain,
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `DIR/NAME.xml`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.xml"))
    }

    fn autostart_path(&self, name: &str) -> PathBuf {
        self.dir.join("autostart").join(format!("{name}.xml"))
    }

    /// Writes `def` atomically and durably (temp file, fsync, rename; mode 0600).
    pub fn save(&self, def: &DomainDef) -> Result<()> {
        let text = def.to_xml()?;
        write_replace(
            &self.path(&def.name),
            text.as_bytes(),
            Durability::Synced,
            self.domain,
        )
    }

    /// Removes `NAME.xml` and its autostart mark; a missing file is not an error.
    pub fn delete(&self, name: &str) -> Result<()> {
        self.set_autostart(name, false)?;
        let path = self.path(name);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(system_error(
                self.domain,
                format_args!("cannot remove '{}'", path.display()),
                &e,
            )),
            _ => Ok(()),
        }
    }

    /// Marks `name` to start with the driver's state (a symlink `autostart/NAME.xml` →
    /// `../NAME.xml`, as libvirt does), or removes the mark.
    pub fn set_autostart(&self, name: &str, on: bool) -> Result<()> {
        set_autostart_link(&self.dir, &format!("{name}.xml"), on, self.domain)
    }

    /// True if `name` has an autostart mark.
    pub fn autostart(&self, name: &str) -> bool {
        std::fs::symlink_metadata(self.autostart_path(name)).is_ok()
    }

    /// Reads every `*.xml` with `parse` (which also checks the definition is usable by
    /// the driver), after removing leftovers of writes that did not finish. A file that
    /// cannot be read or parsed, or whose name is not its domain's, is skipped with a
    /// log line naming it and the reason; nothing is deleted.
    pub fn load_all(&self, parse: impl Fn(&str) -> Result<DomainDef>) -> Vec<DomainDef> {
        remove_leftovers(&self.dir, self.domain);
        let mut defs = Vec::new();
        for path in xml_files(&self.dir).into_iter().filter(|p| p.is_file()) {
            let loaded = read_bounded(&path, MAX_CONFIG_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|text| parse(&text).map_err(|e| e.to_string()))
                .and_then(|def| {
                    if path.file_stem().is_some_and(|s| s == def.name.as_str()) {
                        Ok(def)
                    } else {
                        Err(format!(
                            "its file name does not match the domain name '{}'",
                            def.name
                        ))
                    }
                });
            match loaded {
                Ok(def) => defs.push(def),
                Err(why) => log::warning(
                    self.domain,
                    format_args!("skipping domain config '{}': {why}", path.display()),
                ),
            }
        }
        defs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::files::ensure_private_dir;

    fn parse(text: &str) -> Result<DomainDef> {
        let mut d = DomainDef::from_xml(text)?;
        d.fill_defaults();
        Ok(d)
    }

    #[test]
    fn saves_loads_marks_and_deletes() {
        let dir = std::env::temp_dir().join(format!("rvirt-configdir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        ensure_private_dir(&dir, ErrorDomain::Qemu).unwrap();
        let cd = ConfigDir::new(&dir, ErrorDomain::Qemu);
        let def = parse(
            "<domain type='qemu'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        cd.save(&def).unwrap();
        std::fs::write(dir.join("b.xml"), "<domain").unwrap();
        std::fs::write(dir.join("c.xml.new"), "half").unwrap();
        cd.set_autostart("a", true).unwrap();
        cd.set_autostart("a", true).unwrap();
        assert!(cd.autostart("a"));
        let loaded = cd.load_all(parse);
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].uuid, def.uuid);
        assert!(!dir.join("c.xml.new").exists());
        assert!(dir.join("b.xml").exists());
        cd.delete("a").unwrap();
        cd.delete("a").unwrap();
        assert!(!cd.autostart("a") && !cd.path("a").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Checkpoint metadata on disk, in libvirt's layout: one `<domaincheckpoint>` document
//! per checkpoint (with the domain definition, secrets included) in
//! `ROOT/lib/qemu/checkpoint/DOMAIN/NAME.xml`, 0600, written temp + fsync + rename.
//!
//! As in libvirt the files carry no mark of the current checkpoint: a new driver
//! instance reading them back ([`Store::load`]) makes the only leaf of the tree current
//! (none when the tree has several leaves), as libvirt's `virDomainCheckpointUpdateRelations`
//! does. Files read back are bounded ([`FILE_MAX`]), must carry the name their file is
//! named after, and that name must be one the schema allows.

use std::path::{Path, PathBuf};

use rvirt_core::conf::{DomainCheckpointDef, valid_checkpoint_name};
use rvirt_core::driver::files::{
    Durability, TEMP_SUFFIX, ensure_private_dir, remove_leftovers, remove_tree_in, write_replace,
    xml_files,
};
use rvirt_core::objects::{CheckpointTree, checkpoint_list_flags};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, log};

use crate::driver::snapshot::store::check_name;

/// Largest metadata file read back.
pub(crate) const FILE_MAX: u64 = 4 << 20;
/// Most checkpoints read back for one domain.
pub(crate) const MAX_CHECKPOINTS: usize = 1024;

/// The metadata files of one root: `ROOT/lib/qemu/checkpoint`.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store below the root's `lib/qemu` directory.
    pub(crate) fn new(lib_dir: &Path) -> Store {
        Store {
            dir: lib_dir.join("checkpoint"),
        }
    }

    /// The directory of `domain`'s checkpoints.
    fn domain_dir(&self, domain: &str) -> Result<PathBuf> {
        check_name(domain)?;
        Ok(self.dir.join(domain))
    }

    /// Writes every checkpoint of `tree` whose file says something else and removes the
    /// files of checkpoints it no longer has.
    pub(crate) fn sync(&self, domain: &str, tree: &CheckpointTree) -> Result<()> {
        let dir = self.domain_dir(domain)?;
        let names = tree.list(checkpoint_list_flags::TOPOLOGICAL);
        if names.is_empty() {
            return self.remove_all(domain);
        }
        ensure_private_dir(&self.dir, ErrorDomain::Qemu)?;
        ensure_private_dir(&dir, ErrorDomain::Qemu)?;
        for name in &names {
            let def = tree.get(name).expect("listed");
            let path = dir.join(format!("{name}.xml"));
            let xml = def.to_xml(false);
            if std::fs::read(&path).is_ok_and(|old| old == xml.as_bytes()) {
                continue;
            }
            write_replace(&path, xml.as_bytes(), Durability::Synced, ErrorDomain::Qemu)?;
        }
        for path in xml_files(&dir) {
            let keep = path
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|stem| names.iter().any(|n| n == stem));
            if !keep {
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(())
    }

    /// Forgets every checkpoint file of `domain`.
    pub(crate) fn remove_all(&self, domain: &str) -> Result<()> {
        check_name(domain)?;
        remove_tree_in(&self.dir, domain.as_ref()).map_err(|e| {
            Error::new(
                ErrorCode::SystemError,
                ErrorDomain::Qemu,
                format!(
                    "cannot remove checkpoint metadata of '{domain}' in '{}': {e}",
                    self.dir.display()
                ),
            )
        })
    }

    /// Removes the checkpoint metadata of every domain not in `keep`.
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
                    format_args!("removed the checkpoint metadata of gone domain '{name}'"),
                ),
                Err(e) => log::warning(ErrorDomain::Qemu, format_args!("{e}")),
            }
        }
    }

    /// Reads back the checkpoints of `domain`: files that do not parse, are too large
    /// or do not carry their file's name are skipped (and logged); a missing parent or
    /// a cycle makes a root; the only leaf becomes current.
    pub(crate) fn load(&self, domain: &str) -> CheckpointTree {
        let Ok(dir) = self.domain_dir(domain) else {
            return CheckpointTree::default();
        };
        remove_leftovers(&dir, ErrorDomain::Qemu);
        let mut loaded = Vec::new();
        for path in xml_files(&dir) {
            match read_file(&path) {
                Ok(def) => loaded.push(def),
                Err(why) => log::warning(
                    ErrorDomain::Qemu,
                    format_args!("skipping checkpoint metadata '{}': {why}", path.display()),
                ),
            }
        }
        if loaded.len() > MAX_CHECKPOINTS {
            loaded.sort_by_key(|c| c.creation_time.unwrap_or(0));
            log::warning(
                ErrorDomain::Qemu,
                format_args!(
                    "domain '{domain}' has {} checkpoint files: only the oldest \
                     {MAX_CHECKPOINTS} are loaded",
                    loaded.len()
                ),
            );
            loaded.truncate(MAX_CHECKPOINTS);
        }
        let tree = CheckpointTree::from_stored(loaded, None);
        let leaves = tree.list(checkpoint_list_flags::LEAVES);
        let current = match leaves.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        };
        let mut tree = tree;
        tree.set_current(current);
        tree
    }
}

/// One stored checkpoint.
fn read_file(path: &Path) -> std::result::Result<DomainCheckpointDef, String> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("file name is not UTF-8")?;
    if path.to_string_lossy().ends_with(TEMP_SUFFIX) {
        return Err("temp file".into());
    }
    let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > FILE_MAX {
        return Err(format!("larger than {FILE_MAX} bytes"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let def = DomainCheckpointDef::from_xml(&text).map_err(|e| e.to_string())?;
    let name = def.name.as_deref().unwrap_or_default();
    if !valid_checkpoint_name(name) {
        return Err(format!("invalid checkpoint name '{name}'"));
    }
    if name != stem {
        return Err(format!("it describes checkpoint '{name}'"));
    }
    Ok(def)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn cp(name: &str, parent: Option<&str>, t: i64) -> DomainCheckpointDef {
        DomainCheckpointDef {
            name: Some(name.into()),
            parent: parent.map(Into::into),
            creation_time: Some(t),
            ..DomainCheckpointDef::default()
        }
    }

    fn temp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rvirt-ckptstore-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_tree_survives_a_round_trip_and_its_leaf_is_current() {
        let lib = temp();
        let store = Store::new(&lib);
        let mut tree = CheckpointTree::default();
        tree.insert_new(cp("a", None, 1));
        tree.insert_new(cp("b", Some("a"), 2));
        store.sync("dom", &tree).unwrap();
        let file = lib.join("checkpoint/dom/b.xml");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let back = store.load("dom");
        assert_eq!(back.list(checkpoint_list_flags::TOPOLOGICAL), ["a", "b"]);
        assert_eq!(back.get("b").unwrap().parent.as_deref(), Some("a"));
        assert_eq!(back.current(), Some("b"));

        // Two leaves: none is current, as libvirt finds none.
        tree.redefine(cp("c", Some("a"), 3));
        store.sync("dom", &tree).unwrap();
        assert_eq!(store.load("dom").current(), None);

        // Deleting removes the file; an empty tree removes the directory.
        tree.delete("c", 0);
        store.sync("dom", &tree).unwrap();
        assert!(!lib.join("checkpoint/dom/c.xml").exists());
        store.sync("dom", &CheckpointTree::default()).unwrap();
        assert!(!lib.join("checkpoint/dom").exists());
        let _ = std::fs::remove_dir_all(&lib);
    }

    #[test]
    fn foreign_or_broken_files_are_skipped() {
        let lib = temp();
        let store = Store::new(&lib);
        let dir = lib.join("checkpoint/dom");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("x.xml"), cp("y", None, 1).to_xml(true)).unwrap();
        std::fs::write(dir.join("bad.xml"), "<domaincheckpoint>").unwrap();
        std::fs::write(dir.join("kid.xml"), cp("kid", Some("gone"), 2).to_xml(true)).unwrap();
        let back = store.load("dom");
        assert_eq!(back.list(0), ["kid"]);
        assert_eq!(back.get("kid").unwrap().parent, None);
        assert!(store.sync("../escape", &back).is_err());
        store.remove_others(&["dom".to_string()]);
        assert!(dir.exists());
        store.remove_others(&[]);
        assert!(!dir.exists());
        let _ = std::fs::remove_dir_all(&lib);
    }
}

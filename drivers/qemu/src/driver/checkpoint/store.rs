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

use crate::driver::moment_dir::MomentDir;

use rvirt_core::conf::{DomainCheckpointDef, valid_checkpoint_name};
use rvirt_core::driver::files::{TEMP_SUFFIX, remove_leftovers, xml_files};
use rvirt_core::objects::{CheckpointTree, checkpoint_list_flags};
use rvirt_core::{ErrorDomain, Result, log};

/// Largest metadata file read back.
pub(crate) const FILE_MAX: u64 = 4 << 20;
/// Most checkpoints read back for one domain.
pub(crate) const MAX_CHECKPOINTS: usize = 1024;

/// The metadata files of one root: `ROOT/lib/qemu/checkpoint`.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    dir: MomentDir,
}

impl Store {
    /// The store below the root's `lib/qemu` directory.
    pub(crate) fn new(lib_dir: &Path) -> Store {
        Store {
            dir: MomentDir {
                dir: lib_dir.join("checkpoint"),
                kind: "checkpoint",
            },
        }
    }

    /// The directory of `domain`'s checkpoints.
    fn domain_dir(&self, domain: &str) -> Result<PathBuf> {
        self.dir.domain_dir(domain)
    }

    /// Writes every checkpoint of `tree` whose file says something else and removes the
    /// files of checkpoints it no longer has.
    pub(crate) fn sync(&self, domain: &str, tree: &CheckpointTree) -> Result<()> {
        let files: Vec<(String, String)> = tree
            .list(checkpoint_list_flags::TOPOLOGICAL)
            .into_iter()
            .map(|name| {
                let xml = tree.get(&name).expect("listed").to_xml(false);
                (name, xml)
            })
            .collect();
        self.dir.sync(domain, &files)
    }

    /// Forgets every checkpoint file of `domain`.
    pub(crate) fn remove_all(&self, domain: &str) -> Result<()> {
        self.dir.remove_all(domain)
    }

    /// Removes the checkpoint metadata of every domain not in `keep`.
    pub(crate) fn remove_others(&self, keep: &[String]) {
        self.dir.remove_others(keep);
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

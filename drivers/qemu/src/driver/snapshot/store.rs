//! Snapshot metadata on disk, in libvirt's layout: one `<domainsnapshot>` document per
//! snapshot in `ROOT/lib/qemu/snapshot/DOMAIN/NAME.xml` (0600, written temp + fsync +
//! rename), the current one marked `<active>1</active>` as libvirt marks it. A new
//! driver instance reads them back ([`load`]); the tree's parent links come from the
//! documents themselves.
//!
//! Names reach file names, so [`check_name`] refuses what libvirt refuses (`/`, a
//! leading `.`) and, beyond libvirt, empty names, control characters and names longer
//! than [`NAME_MAX`] bytes. Files read back are bounded ([`FILE_MAX`]) and must carry
//! the name their file is named after.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::driver::moment_dir::MomentDir;

use rvirt_core::conf::DomainSnapshotDef;
use rvirt_core::driver::files::{TEMP_SUFFIX, remove_leftovers, xml_files};
use rvirt_core::objects::SnapshotTree;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result, log};

/// Longest snapshot name, in bytes (a file name is at most 255 bytes with `.xml`).
pub(crate) const NAME_MAX: usize = 200;
/// Largest metadata file read back.
pub(crate) const FILE_MAX: u64 = 4 << 20;
/// The mark of the current snapshot in its file.
const ACTIVE: &str = "  <active>1</active>\n";

/// libvirt's checks of a snapshot name that names a file (`VIR_ERR_XML_DETAIL`),
/// and rvirt's bounds.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::new(
            ErrorCode::XmlDetail,
            ErrorDomain::Qemu,
            format!("invalid snapshot name '{name}': {why}"),
        ))
    };
    if name.contains('/') {
        return bad("name can't contain '/'");
    }
    if name.starts_with('.') {
        return bad("name can't start with '.'");
    }
    if name.is_empty() {
        return bad("name can't be empty");
    }
    if name.len() > NAME_MAX {
        return bad(&format!("name can't be longer than {NAME_MAX} bytes"));
    }
    if name.chars().any(char::is_control) {
        return bad("name can't contain control characters");
    }
    Ok(())
}

/// The metadata files of one root: `ROOT/lib/qemu/snapshot`.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    dir: MomentDir,
}

impl Store {
    /// The store below the root's `lib/qemu` directory.
    pub(crate) fn new(lib_dir: &Path) -> Store {
        Store {
            dir: MomentDir {
                dir: lib_dir.join("snapshot"),
                kind: "snapshot",
            },
        }
    }

    /// The directory of `domain`'s snapshots.
    fn domain_dir(&self, domain: &str) -> Result<PathBuf> {
        self.dir.domain_dir(domain)
    }

    /// Writes every snapshot of `tree` whose file says something else and removes the
    /// files of snapshots it no longer has: after it, the files say what the tree says.
    pub(crate) fn sync(&self, domain: &str, tree: &SnapshotTree) -> Result<()> {
        let files: Vec<(String, String)> = tree
            .list(0)
            .into_iter()
            .map(|name| {
                let xml = format_file(
                    tree.get(&name).expect("listed"),
                    tree.current() == Some(name.as_str()),
                );
                (name, xml)
            })
            .collect();
        self.dir.sync(domain, &files)
    }

    /// Forgets every snapshot file of `domain`.
    pub(crate) fn remove_all(&self, domain: &str) -> Result<()> {
        self.dir.remove_all(domain)
    }

    /// Removes the snapshot metadata of every domain not in `keep`.
    pub(crate) fn remove_others(&self, keep: &[String]) {
        self.dir.remove_others(keep);
    }

    /// Reads back the snapshots of `domain`: files that do not parse, are too large or
    /// do not carry their file's name are skipped (and logged); a parent that is gone
    /// makes its child a root.
    pub(crate) fn load(&self, domain: &str) -> SnapshotTree {
        let mut tree = SnapshotTree::default();
        let Ok(dir) = self.domain_dir(domain) else {
            return tree;
        };
        remove_leftovers(&dir, ErrorDomain::Qemu);
        let mut loaded = Vec::new();
        for path in xml_files(&dir) {
            match read_file(&path) {
                Ok(found) => loaded.push(found),
                Err(why) => log::warning(
                    ErrorDomain::Qemu,
                    format_args!("skipping snapshot metadata '{}': {why}", path.display()),
                ),
            }
        }
        loaded.sort_by_key(|(s, _)| s.creation_time.unwrap_or(0));
        if loaded.len() > super::create::MAX_SNAPSHOTS {
            log::warning(
                ErrorDomain::Qemu,
                format_args!(
                    "domain '{domain}' has {} snapshot files: only the oldest {} are loaded",
                    loaded.len(),
                    super::create::MAX_SNAPSHOTS
                ),
            );
            loaded.truncate(super::create::MAX_SNAPSHOTS);
        }
        let parents: HashMap<String, Option<String>> = loaded
            .iter()
            .filter_map(|(s, _)| Some((s.name.clone()?, s.parent.clone())))
            .collect();
        for (mut snap, current) in loaded {
            let name = snap.name.clone().unwrap_or_default();
            if !parent_chain_ends(&parents, &name) {
                snap.parent = None;
            }
            tree.insert(snap, current);
        }
        tree
    }
}

/// True if walking up from `name` through `parents` reaches a root: no missing
/// parent, no cycle (files edited by hand, or written by something else).
fn parent_chain_ends(parents: &HashMap<String, Option<String>>, name: &str) -> bool {
    let mut at = name;
    for _ in 0..=parents.len() {
        match parents.get(at) {
            Some(Some(p)) if p == name => return false,
            Some(Some(p)) => at = p,
            Some(None) => return true,
            None => return false,
        }
    }
    false
}

/// The document of one snapshot as stored: libvirt's `<active>` mark on the current one.
fn format_file(snap: &DomainSnapshotDef, current: bool) -> String {
    let xml = snap.to_xml();
    match (current, xml.split_once('\n')) {
        (true, Some((head, rest))) => format!("{head}\n{ACTIVE}{rest}"),
        _ => xml,
    }
}

/// One stored snapshot and whether it is the current one.
fn read_file(path: &Path) -> std::result::Result<(DomainSnapshotDef, bool), String> {
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
    let snap = DomainSnapshotDef::from_xml(&text).map_err(|e| e.to_string())?;
    let name = snap.name.as_deref().unwrap_or_default();
    check_name(name).map_err(|e| e.to_string())?;
    if name != stem {
        return Err(format!("it describes snapshot '{name}'"));
    }
    // The mark sits before the embedded domain, at the document's top level.
    let head = text.split("<domain ").next().unwrap_or_default();
    Ok((snap, head.contains("<active>1</active>")))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn snap(name: &str, parent: Option<&str>, t: i64) -> DomainSnapshotDef {
        DomainSnapshotDef {
            name: Some(name.into()),
            parent: parent.map(Into::into),
            state: Some("running".into()),
            creation_time: Some(t),
            memory: Some("internal".into()),
            ..DomainSnapshotDef::default()
        }
    }

    fn temp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rvirt-snapstore-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn hostile_names_are_refused_like_libvirt() {
        for bad in [
            "a/b",
            "../x",
            ".hidden",
            "",
            "x\ny",
            &"n".repeat(NAME_MAX + 1),
        ] {
            let e = check_name(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::XmlDetail, "{bad:?}");
        }
        assert!(
            check_name("a/b")
                .unwrap_err()
                .message()
                .contains("invalid snapshot name 'a/b': name can't contain '/'")
        );
        for good in ["s1", "before upgrade", "a.b", "ünï"] {
            check_name(good).unwrap();
        }
    }

    #[test]
    fn the_tree_survives_a_round_trip_with_its_current_snapshot() {
        let lib = temp();
        let store = Store::new(&lib);
        let mut tree = SnapshotTree::default();
        tree.insert(snap("a", None, 1), true);
        tree.insert(snap("b", Some("a"), 2), true);
        tree.insert(snap("c", Some("a"), 3), false);
        store.sync("dom", &tree).unwrap();
        let file = lib.join("snapshot/dom/b.xml");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .contains("<active>1</active>")
        );
        assert!(
            !std::fs::read_to_string(lib.join("snapshot/dom/a.xml"))
                .unwrap()
                .contains("<active>")
        );
        let back = store.load("dom");
        assert_eq!(back.list(0), ["a", "b", "c"]);
        assert_eq!(back.current(), Some("b"));
        assert_eq!(back.children("a", 0), ["b", "c"]);

        // Moving the current mark rewrites both files.
        tree.set_current(Some("a".into()));
        store.sync("dom", &tree).unwrap();
        assert_eq!(store.load("dom").current(), Some("a"));
        assert!(!std::fs::read_to_string(&file).unwrap().contains("<active>"));

        // Removing one removes its file; an empty tree removes the directory.
        tree.remove("c", false, false);
        store.sync("dom", &tree).unwrap();
        assert!(!lib.join("snapshot/dom/c.xml").exists());
        store.sync("dom", &SnapshotTree::default()).unwrap();
        assert!(!lib.join("snapshot/dom").exists());
        let _ = std::fs::remove_dir_all(&lib);
    }

    #[test]
    fn foreign_or_broken_files_are_skipped() {
        let lib = temp();
        let store = Store::new(&lib);
        let dir = lib.join("snapshot/dom");
        std::fs::create_dir_all(&dir).unwrap();
        // Named after another snapshot, unparsable, too large, orphaned child.
        std::fs::write(dir.join("x.xml"), snap("y", None, 1).to_xml()).unwrap();
        std::fs::write(dir.join("bad.xml"), "<domainsnapshot>").unwrap();
        let big = format!(
            "<domainsnapshot><name>big</name><description>{}</description></domainsnapshot>",
            "x".repeat(FILE_MAX as usize)
        );
        std::fs::write(dir.join("big.xml"), big).unwrap();
        std::fs::write(dir.join("kid.xml"), snap("kid", Some("gone"), 2).to_xml()).unwrap();
        // A cycle written by hand: each gets no parent rather than a loop.
        std::fs::write(dir.join("p.xml"), snap("p", Some("q"), 3).to_xml()).unwrap();
        std::fs::write(dir.join("q.xml"), snap("q", Some("p"), 4).to_xml()).unwrap();
        let back = store.load("dom");
        assert_eq!(back.list(0), ["kid", "p", "q"]);
        assert_eq!(back.get("kid").unwrap().parent, None);
        assert_eq!(back.get("p").unwrap().parent, None);
        assert!(store.sync("../escape", &back).is_err());
        store.remove_others(&["dom".to_string()]);
        assert!(dir.exists());
        store.remove_others(&[]);
        assert!(!dir.exists());
        let _ = std::fs::remove_dir_all(&lib);
    }
}

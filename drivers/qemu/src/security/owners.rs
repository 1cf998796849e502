//! libvirt's remember-owner semantics for the DAC driver: files QEMU needs are
//! chowned to its user at start, their original owners recorded in the domain's
//! private directory (`dac-owners`), and restored from that record at stop — also by
//! a later driver instance, since the record lives on disk with the run.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::ids::RunAs;

/// The record's file name in the private directory.
pub const RECORD: &str = "dac-owners";

fn system(message: String) -> Error {
    Error::new(ErrorCode::SystemError, ErrorDomain::Qemu, message)
}

fn chown(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
}

/// libvirt's check before relabelling a disk: every directory above `path` must be
/// searchable by `ids` (chown makes only the file itself reachable).
///
/// Errors: "Cannot access storage file 'PATH' (as uid:U, gid:G): Permission denied".
pub fn check_reachable(path: &Path, ids: &RunAs) -> Result<()> {
    let denied = || {
        system(format!(
            "Cannot access storage file '{}' (as uid:{}, gid:{}): Permission denied",
            path.display(),
            ids.uid,
            ids.gid
        ))
    };
    for dir in path.ancestors().skip(1) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        match std::fs::metadata(dir) {
            Ok(meta) if ids.may(&meta, 1) => {}
            Ok(_) => return Err(denied()),
            Err(_) => break,
        }
    }
    Ok(())
}

/// Chowns files for one run and records their original owners in `priv_dir`.
#[derive(Debug)]
pub struct Relabel<'a> {
    ids: &'a RunAs,
    record: PathBuf,
    done: Vec<(u32, u32, PathBuf)>,
}

impl<'a> Relabel<'a> {
    /// A relabelling for `ids` whose record goes to `priv_dir`.
    pub fn new(ids: &'a RunAs, priv_dir: &Path) -> Relabel<'a> {
        Relabel {
            ids,
            record: priv_dir.join(RECORD),
            done: Vec::new(),
        }
    }

    /// Gives `path` to QEMU's user and group, remembering its owner. A missing file
    /// is created empty (0600) when `create` (chardev output QEMU appends to).
    pub fn set(&mut self, path: &Path, create: bool) -> Result<()> {
        if create && !path.exists() {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| system(format!("cannot create '{}': {e}", path.display())))?;
        }
        let Ok(real) = std::fs::canonicalize(path) else {
            // QEMU reports a missing image itself.
            return Ok(());
        };
        if self.done.iter().any(|(_, _, p)| *p == real) {
            return Ok(());
        }
        let meta = std::fs::metadata(&real)
            .map_err(|e| system(format!("cannot stat '{}': {e}", real.display())))?;
        if (meta.uid(), meta.gid()) == (self.ids.uid, self.ids.gid) {
            return Ok(());
        }
        let line = real
            .to_str()
            .filter(|s| !s.contains('\n'))
            .ok_or_else(|| system(format!("cannot record the owner of '{}'", real.display())))?;
        // Recorded before the chown: a crash in between still restores it.
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.record)
            .map_err(|e| system(format!("cannot write '{}': {e}", self.record.display())))?;
        writeln!(f, "{} {} {line}", meta.uid(), meta.gid())
            .map_err(|e| system(format!("cannot write '{}': {e}", self.record.display())))?;
        chown(&real, self.ids.uid, self.ids.gid).map_err(|e| {
            system(format!(
                "unable to set user and group to '{}:{}' on '{}': {e}",
                self.ids.uid,
                self.ids.gid,
                real.display()
            ))
        })?;
        self.done.push((meta.uid(), meta.gid(), real));
        Ok(())
    }
}

/// Gives every file recorded in `priv_dir` back to its original owner and removes the
/// record. Files gone since are skipped.
pub fn restore(priv_dir: &Path) {
    let record = priv_dir.join(RECORD);
    let Ok(text) = std::fs::read_to_string(&record) else {
        return;
    };
    for line in text.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(uid), Some(gid), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let (Ok(uid), Ok(gid)) = (uid.parse(), gid.parse()) {
            let _ = chown(Path::new(path), uid, gid);
        }
    }
    let _ = std::fs::remove_file(&record);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rvirt-owners-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn set_records_and_restore_gives_back() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: chown needs root");
            return;
        }
        let d = tmp("set");
        let file = d.join("disk img");
        std::fs::write(&file, b"x").unwrap();
        chown(&file, 12, 34).unwrap();
        let ids = RunAs {
            uid: 4321,
            gid: 8765,
            groups: vec![8765],
        };
        let mut r = Relabel::new(&ids, &d);
        r.set(&file, false).unwrap();
        r.set(&file, false).unwrap();
        let chr = d.join("serial.log");
        r.set(&chr, true).unwrap();
        let m = std::fs::metadata(&file).unwrap();
        assert_eq!((m.uid(), m.gid()), (4321, 8765));
        let rec = std::fs::read_to_string(d.join(RECORD)).unwrap();
        assert_eq!(rec.lines().count(), 2, "{rec}");
        restore(&d);
        let m = std::fs::metadata(&file).unwrap();
        assert_eq!((m.uid(), m.gid()), (12, 34));
        assert_eq!(std::fs::metadata(&chr).unwrap().uid(), 0);
        assert!(!d.join(RECORD).exists());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn unreachable_directory_reads_as_libvirt() {
        let d = tmp("reach");
        let inner = d.join("closed");
        std::fs::create_dir(&inner).unwrap();
        std::fs::set_permissions(&inner, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        let ids = RunAs {
            uid: 4321,
            gid: 8765,
            groups: vec![8765],
        };
        let e = check_reachable(&inner.join("a.img"), &ids).unwrap_err();
        assert_eq!(
            e.message(),
            format!(
                "Cannot access storage file '{}' (as uid:4321, gid:8765): Permission denied",
                inner.join("a.img").display()
            )
        );
        assert!(check_reachable(&d.join("a.img"), &ids).is_ok());
        std::fs::remove_dir_all(&d).unwrap();
    }
}

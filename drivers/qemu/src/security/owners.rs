//! libvirt's remember-owner semantics for the DAC driver: files QEMU needs are
//! chowned to its user at start, their original owners recorded next to the domain's
//! status file (`run/qemu/NAME.owners`: root's directory, which QEMU's user cannot
//! write — a record in the private directory QEMU owns could be rewritten to make
//! the stop chown any host file), and restored from that record at stop — also by a
//! later driver instance, since the record lives on disk with the run.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::ids::RunAs;

/// The record of the run whose status file is `status` (`NAME.xml` → `NAME.owners`).
pub fn record_of(status: &Path) -> PathBuf {
    status.with_extension("owners")
}

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

/// Chowns files for one run and records their original owners in `record`.
#[derive(Debug)]
pub struct Relabel<'a> {
    ids: &'a RunAs,
    record: PathBuf,
    done: Vec<(u32, u32, PathBuf)>,
}

impl<'a> Relabel<'a> {
    /// A relabelling for `ids` appending to `record` (see [`record_of`]).
    pub fn new(ids: &'a RunAs, record: &Path) -> Relabel<'a> {
        Relabel {
            ids,
            record: record.to_path_buf(),
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

/// Gives every file recorded in `record` back to its original owner and removes the
/// record. Files gone since are skipped.
pub fn restore(record: &Path) {
    let Ok(text) = std::fs::read_to_string(record) else {
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
    let _ = std::fs::remove_file(record);
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
        let record = record_of(&d.join("guest.xml"));
        let mut r = Relabel::new(&ids, &record);
        r.set(&file, false).unwrap();
        r.set(&file, false).unwrap();
        let chr = d.join("serial.log");
        r.set(&chr, true).unwrap();
        let m = std::fs::metadata(&file).unwrap();
        assert_eq!((m.uid(), m.gid()), (4321, 8765));
        let rec = std::fs::read_to_string(&record).unwrap();
        assert_eq!(rec.lines().count(), 2, "{rec}");
        restore(&record);
        let m = std::fs::metadata(&file).unwrap();
        assert_eq!((m.uid(), m.gid()), (12, 34));
        assert_eq!(std::fs::metadata(&chr).unwrap().uid(), 0);
        assert!(!record.exists());
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

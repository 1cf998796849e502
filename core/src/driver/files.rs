//! File helpers every stateful driver needs (libvirt keeps the equivalents in its shared
//! util code): the per-root instance lock, atomic replacement of config and state files,
//! and the attribute syntax of the small status files drivers write.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Error, ErrorCode, ErrorDomain, Result};

/// A `VIR_ERR_SYSTEM_ERROR` in `domain`: "`what`: `e`".
pub fn system_error(
    domain: ErrorDomain,
    what: impl std::fmt::Display,
    e: &std::io::Error,
) -> Error {
    Error::new(ErrorCode::SystemError, domain, format!("{what}: {e}"))
}

/// How [`write_replace`] makes a file's new content durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// fsync the file before the rename and the directory after it: persistent
    /// configuration, which must survive a host crash.
    Synced,
    /// Rename only: run-time state (status, pid files), meaningless after a host crash;
    /// readers still never see half a file.
    RenameOnly,
}

/// Replaces `path` with `data` atomically: a temp file (`PATH.new`) in the same
/// directory, then `rename(2)`. On failure the old content is untouched and the temp
/// file removed; the error is a `VIR_ERR_SYSTEM_ERROR` in `domain`.
pub fn write_replace(
    path: &Path,
    data: &[u8],
    durability: Durability,
    domain: ErrorDomain,
) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = PathBuf::from(tmp);
    let synced = durability == Durability::Synced;
    let res = (|| -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(data)?;
        if synced {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        if synced && let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    res.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        system_error(
            domain,
            format_args!("cannot write '{}'", path.display()),
            &e,
        )
    })
}

/// An exclusive `flock(2)` on a driver root's pid file (libvirt's `driver.pid`): one
/// process per root. Released when dropped (or when the process dies).
#[derive(Debug)]
pub struct RootLock {
    file: File,
    path: PathBuf,
}

impl RootLock {
    /// Locks `path` (created if missing) and writes this process's pid into it,
    /// waiting up to `wait` while another holder has it.
    ///
    /// The wait absorbs a lock that only looks taken: a `flock` belongs to the open
    /// file, and a child forked by any thread of this process holds a copy of the
    /// descriptor until its `exec` closes it, so a lock just released here can stay
    /// held for a moment.
    ///
    /// Errors: `VIR_ERR_OPERATION_FAILED` naming the holder's pid when the lock stays
    /// taken, `VIR_ERR_SYSTEM_ERROR` for I/O failures; both in `domain`.
    pub fn acquire(path: &Path, wait: Duration, domain: ErrorDomain) -> Result<RootLock> {
        let deadline = Instant::now() + wait;
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| {
                system_error(domain, format_args!("cannot open '{}'", path.display()), &e)
            })?;
        loop {
            // SAFETY: flock(2) on a descriptor we own; no memory is involved.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc == 0 {
                break;
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(system_error(
                    domain,
                    format_args!("cannot lock '{}'", path.display()),
                    &e,
                ));
            }
            if Instant::now() >= deadline {
                let holder = std::fs::read_to_string(path).unwrap_or_default();
                return Err(Error::new(
                    ErrorCode::OperationFailed,
                    domain,
                    format!("'{}' is locked by pid {}", path.display(), holder.trim()),
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        file.set_len(0)
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .map_err(|e| {
                system_error(
                    domain,
                    format_args!("cannot write '{}'", path.display()),
                    &e,
                )
            })?;
        Ok(RootLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The locked file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Releases the lock now (dropping does the same).
    pub fn release(self) {
        drop(self.file);
    }
}

/// The value of `name='…'` in the text of one start tag, unescaped (see [`xml_escape`]).
pub fn xml_attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}='");
    let start = tag.find(&key)? + key.len();
    let len = tag.get(start..)?.find('\'')?;
    Some(xml_unescape(tag.get(start..start + len)?))
}

/// Escapes `s` for a single-quoted attribute value.
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&apos;")
        .replace('<', "&lt;")
}

/// Reverses [`xml_escape`].
pub fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rvirt-files-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn replace_leaves_new_content_and_no_temp_file() {
        let dir = scratch("w");
        let f = dir.join("a.xml");
        write_replace(&f, b"one", Durability::Synced, ErrorDomain::Qemu).unwrap();
        write_replace(&f, b"two", Durability::RenameOnly, ErrorDomain::Qemu).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let err = write_replace(
            &dir.join("no/such/x"),
            b"",
            Durability::Synced,
            ErrorDomain::Lxc,
        )
        .unwrap_err();
        assert_eq!(
            (err.code(), err.domain()),
            (ErrorCode::SystemError, ErrorDomain::Lxc)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_root_lock_is_exclusive_until_released() {
        let dir = scratch("l");
        let path = dir.join("driver.pid");
        let held = RootLock::acquire(&path, Duration::ZERO, ErrorDomain::Qemu).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap().trim(),
            std::process::id().to_string()
        );
        let err =
            RootLock::acquire(&path, Duration::from_millis(30), ErrorDomain::Qemu).unwrap_err();
        assert_eq!(err.code(), ErrorCode::OperationFailed);
        assert!(err.message().contains("locked by pid"), "{err}");
        held.release();
        RootLock::acquire(&path, Duration::ZERO, ErrorDomain::Qemu).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn attributes_round_trip_through_escaping() {
        let v = "a'b<c&d";
        let tag = format!("<x k='{}' other='1'", xml_escape(v));
        assert_eq!(xml_attr(&tag, "k").as_deref(), Some(v));
        assert_eq!(xml_attr(&tag, "other").as_deref(), Some("1"));
        assert_eq!(xml_attr(&tag, "missing"), None);
    }
}

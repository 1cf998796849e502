//! File helpers every stateful driver needs (libvirt keeps the equivalents in its shared
//! util code): the per-root instance lock, atomic replacement of config and state files,
//! and the attribute syntax of the small status files drivers write.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
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

/// Mode of every file a driver writes (configuration, status, pid and log files may
/// hold secrets such as graphics passwords): owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of the directories holding them.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Suffix of the temp file [`write_replace`] renames into place; a file with it that is
/// still there at start-up was left by a writer that died ([`remove_leftovers`]).
pub const TEMP_SUFFIX: &str = ".new";

/// Opens `path` for writing as a new private file: `O_CREAT|O_EXCL|O_NOFOLLOW`, mode
/// [`PRIVATE_FILE_MODE`]. Whatever already sits at `path` (a leftover, or a symlink
/// planted to redirect the write) is unlinked first — never followed.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let open = || {
        File::options()
            .write(true)
            .create_new(true)
            .mode(PRIVATE_FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
    };
    match open() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            open()
        }
        r => r,
    }
}

/// Opens (creating if missing) a private log file for appending, never through a
/// symlink. An existing file keeps its content and is made private.
pub fn open_private_log(path: &Path) -> std::io::Result<File> {
    let f = File::options()
        .append(true)
        .create(true)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.file_type().is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    f.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    Ok(f)
}

/// Replaces `path` with `data` atomically: a temp file (`PATH.new`, created private
/// and never through a symlink, see [`create_private`]) in the same directory, then
/// `rename(2)`. On failure the old content is untouched and the temp file removed; the
/// error is a `VIR_ERR_SYSTEM_ERROR` in `domain`.
pub fn write_replace(
    path: &Path,
    data: &[u8],
    durability: Durability,
    domain: ErrorDomain,
) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(TEMP_SUFFIX);
    let tmp = PathBuf::from(tmp);
    let synced = durability == Durability::Synced;
    let res = (|| -> std::io::Result<()> {
        let mut f = create_private(&tmp)?;
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

/// Sets (`on`) or clears the autostart mark of `file` in `dir`: the symlink
/// `dir/autostart/FILE` → `../FILE`, libvirt's layout for domains, networks and pools.
/// An existing mark when setting, or a missing one when clearing, is not an error.
///
/// Errors (`VIR_ERR_SYSTEM_ERROR` in `domain`): the link or its directory cannot be
/// created, or the link cannot be removed.
pub fn set_autostart_link(dir: &Path, file: &str, on: bool, domain: ErrorDomain) -> Result<()> {
    let link = dir.join("autostart").join(file);
    let fail = |what: &str, e: &std::io::Error| {
        system_error(
            domain,
            format_args!("cannot {what} '{}'", link.display()),
            e,
        )
    };
    if on {
        ensure_private_dir(&dir.join("autostart"), domain)?;
        match std::os::unix::fs::symlink(format!("../{file}"), &link) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                Err(fail("create autostart link", &e))
            }
            _ => Ok(()),
        }
    } else {
        match std::fs::remove_file(&link) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(fail("remove autostart link", &e))
            }
            _ => Ok(()),
        }
    }
}

/// Creates `dir` (and missing parents) and makes `dir` itself a private directory:
/// mode [`PRIVATE_DIR_MODE`], owned by this process's user, not a symlink.
///
/// Errors (`VIR_ERR_SYSTEM_ERROR` in `domain`): `dir` cannot be created, is a symlink
/// or not a directory, or belongs to another user.
pub fn ensure_private_dir(dir: &Path, domain: ErrorDomain) -> Result<()> {
    let fail = |what: &str, e: &std::io::Error| {
        system_error(domain, format_args!("cannot {what} '{}'", dir.display()), e)
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR_MODE)
        .create(dir)
        .map_err(|e| fail("create", &e))?;
    let f = File::options()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(dir)
        .map_err(|e| fail("open directory", &e))?;
    let meta = f.metadata().map_err(|e| fail("stat", &e))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(Error::new(
            ErrorCode::SystemError,
            domain,
            format!(
                "directory '{}' belongs to uid {}, not to this process (uid {me})",
                dir.display(),
                meta.uid()
            ),
        ));
    }
    if meta.mode() & 0o7777 != PRIVATE_DIR_MODE {
        f.set_permissions(std::fs::Permissions::from_mode(PRIVATE_DIR_MODE))
            .map_err(|e| fail("chmod", &e))?;
    }
    Ok(())
}

/// The `*.xml` files directly in `dir`, sorted (none if it cannot be read).
pub fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    paths.sort();
    paths
}

/// Removes the temp files ([`TEMP_SUFFIX`]) writers that died left in `dir`, logging
/// each; returns what was removed.
pub fn remove_leftovers(dir: &Path, domain: ErrorDomain) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for ent in entries.flatten() {
        if !ent.file_name().as_bytes().ends_with(TEMP_SUFFIX.as_bytes()) {
            continue;
        }
        let path = ent.path();
        match std::fs::remove_file(&path) {
            Ok(()) => {
                crate::log::warning(
                    domain,
                    format_args!(
                        "removed '{}', left by a write that did not finish",
                        path.display()
                    ),
                );
                removed.push(path);
            }
            Err(e) => crate::log::warning(
                domain,
                format_args!("cannot remove leftover '{}': {e}", path.display()),
            ),
        }
    }
    removed
}

/// Removes `parent/name` and everything below it, where `name` must be one plain path
/// component ([`is_plain_component`]): a name read from a state file can reach nothing
/// outside `parent`. Symlinks are removed, never followed. A missing entry is not an
/// error.
pub fn remove_tree_in(parent: &Path, name: &std::ffi::OsStr) -> std::io::Result<()> {
    if !is_plain_component(name) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("'{}' is not a plain file name", name.to_string_lossy()),
        ));
    }
    let path = parent.join(name);
    let res = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path),
        Ok(_) => std::fs::remove_file(&path),
        Err(e) => Err(e),
    };
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// True if `name` is one path component: not empty, not `.` or `..`, no `/` or NUL.
pub fn is_plain_component(name: &std::ffi::OsStr) -> bool {
    let b = name.as_bytes();
    !b.is_empty() && b != b"." && b != b".." && !b.contains(&b'/') && !b.contains(&0)
}

/// Why [`read_bounded`] refused a file.
#[derive(Debug)]
pub enum ReadError {
    /// open, stat or read failed.
    Io(std::io::Error),
    /// Not a regular file (a FIFO, device, directory, socket).
    NotRegular,
    /// Larger than the limit.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Not UTF-8 text.
    NotText,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge { limit } => write!(f, "larger than {limit} bytes"),
            ReadError::NotText => f.write_str("not UTF-8 text"),
        }
    }
}

/// Reads a regular file of at most `limit` bytes as text. The open never blocks (a
/// FIFO is opened non-blocking and then refused), and a file that grows while it is
/// read is cut at `limit + 1` bytes and refused.
pub fn read_bounded(path: &Path, limit: u64) -> std::result::Result<String, ReadError> {
    let f = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(path)
        .map_err(ReadError::Io)?;
    let meta = f.metadata().map_err(ReadError::Io)?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    String::from_utf8(buf).map_err(|_| ReadError::NotText)
}

/// An exclusive `flock(2)` on a driver root's pid file (libvirt's `driver.pid`): one
/// process per root. Released when dropped (or when the process dies).
#[derive(Debug)]
pub struct RootLock {
    file: File,
    path: PathBuf,
}

impl RootLock {
    /// Locks `path` (created private if missing) and writes this process's pid into
    /// it, waiting up to `wait` while another holder has it. The file is opened with
    /// `O_NOFOLLOW` and must be a regular file with a single link: a symlink or hard
    /// link planted there never makes the lock truncate another file.
    ///
    /// The wait absorbs a lock that only looks taken: a `flock` belongs to the open
    /// file, and a child forked by any thread of this process holds a copy of the
    /// descriptor until its `exec` closes it, so a lock just released here can stay
    /// held for a moment.
    ///
    /// Errors: `VIR_ERR_OPERATION_FAILED` naming the holder's pid when the lock stays
    /// taken, `VIR_ERR_SYSTEM_ERROR` for I/O failures and for a file that is not a
    /// plain regular file; both in `domain`.
    pub fn acquire(path: &Path, wait: Duration, domain: ErrorDomain) -> Result<RootLock> {
        let deadline = Instant::now() + wait;
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(PRIVATE_FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| {
                system_error(domain, format_args!("cannot open '{}'", path.display()), &e)
            })?;
        let meta = file.metadata().map_err(|e| {
            system_error(domain, format_args!("cannot stat '{}'", path.display()), &e)
        })?;
        if !meta.file_type().is_file() || meta.nlink() != 1 {
            return Err(Error::new(
                ErrorCode::SystemError,
                domain,
                format!(
                    "cannot lock '{}': not a regular file with a single link",
                    path.display()
                ),
            ));
        }
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
                let mut holder = String::new();
                let _ = (&file).read_to_string(&mut holder);
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

    /// Sets up a driver root: creates `ROOT/SUB` private for every `subdirs` entry and
    /// takes the root's lock `ROOT/lock` (waiting up to `wait`). A root another process
    /// holds is `VIR_ERR_OPERATION_FAILED` "the WHAT root 'ROOT' is already in use
    /// (…)"; I/O failures are `VIR_ERR_SYSTEM_ERROR`; both in `domain`.
    pub fn acquire_root(
        root: &Path,
        subdirs: &[&str],
        lock: &str,
        wait: Duration,
        domain: ErrorDomain,
        what: &str,
    ) -> Result<RootLock> {
        for sub in subdirs {
            ensure_private_dir(&root.join(sub), domain)?;
        }
        RootLock::acquire(&root.join(lock), wait, domain).map_err(|e| {
            if e.code() == ErrorCode::OperationFailed {
                Error::new(
                    ErrorCode::OperationFailed,
                    domain,
                    format!(
                        "the {what} root '{}' is already in use ({})",
                        root.display(),
                        e.message()
                    ),
                )
            } else {
                e
            }
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

    #[test]
    fn a_planted_symlink_is_replaced_not_followed() {
        let dir = scratch("sym");
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let f = dir.join("a.xml");
        // The temp file, the lock file and a log file as symlinks to the victim.
        std::os::unix::fs::symlink(&victim, dir.join("a.xml.new")).unwrap();
        write_replace(&f, b"new", Durability::Synced, ErrorDomain::Qemu).unwrap();
        let lock = dir.join("driver.pid");
        std::os::unix::fs::symlink(&victim, &lock).unwrap();
        let err = RootLock::acquire(&lock, Duration::ZERO, ErrorDomain::Qemu).unwrap_err();
        assert_eq!(err.code(), ErrorCode::SystemError, "{err}");
        let hard = dir.join("hard.pid");
        std::fs::hard_link(&victim, &hard).unwrap();
        let err = RootLock::acquire(&hard, Duration::ZERO, ErrorDomain::Qemu).unwrap_err();
        assert!(err.message().contains("single link"), "{err}");
        let log = dir.join("a.log");
        std::os::unix::fs::symlink(&victim, &log).unwrap();
        assert!(open_private_log(&log).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&f).unwrap(), b"new");
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, PRIVATE_FILE_MODE);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn private_dirs_are_0700_and_leftovers_are_removed() {
        let dir = scratch("priv");
        let sub = dir.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        ensure_private_dir(&sub, ErrorDomain::Qemu).unwrap();
        let mode = std::fs::metadata(&sub).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, PRIVATE_DIR_MODE);
        let link = dir.join("link");
        std::os::unix::fs::symlink(&sub, &link).unwrap();
        assert!(ensure_private_dir(&link, ErrorDomain::Qemu).is_err());
        std::fs::write(sub.join("x.xml.new"), b"half").unwrap();
        std::fs::write(sub.join("x.xml"), b"whole").unwrap();
        let removed = remove_leftovers(&sub, ErrorDomain::Qemu);
        assert_eq!(removed, vec![sub.join("x.xml.new")]);
        assert!(sub.join("x.xml").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tree_removal_stays_inside_its_parent() {
        let dir = scratch("tree");
        let outside = dir.join("outside");
        std::fs::create_dir_all(outside.join("keep")).unwrap();
        let parent = dir.join("lib");
        std::fs::create_dir_all(parent.join("domain-1-a/sub")).unwrap();
        std::os::unix::fs::symlink(&outside, parent.join("domain-1-a/sub/out")).unwrap();
        std::os::unix::fs::symlink(&outside, parent.join("domain-2-b")).unwrap();
        for bad in ["..", ".", "", "../outside", "a/b"] {
            assert!(
                remove_tree_in(&parent, std::ffi::OsStr::new(bad)).is_err(),
                "{bad}"
            );
        }
        remove_tree_in(&parent, std::ffi::OsStr::new("domain-1-a")).unwrap();
        remove_tree_in(&parent, std::ffi::OsStr::new("domain-2-b")).unwrap();
        remove_tree_in(&parent, std::ffi::OsStr::new("gone")).unwrap();
        assert!(outside.join("keep").is_dir());
        assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bounded_reads_refuse_fifos_devices_and_big_files() {
        let dir = scratch("read");
        let f = dir.join("n.xml");
        std::fs::write(&f, b"<node/>").unwrap();
        assert_eq!(read_bounded(&f, 100).unwrap(), "<node/>");
        assert!(matches!(
            read_bounded(&f, 3),
            Err(ReadError::TooLarge { limit: 3 })
        ));
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular)
        ));
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: mkfifo(3) with a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let t = Instant::now();
        assert!(matches!(
            read_bounded(&fifo, 100),
            Err(ReadError::NotRegular)
        ));
        assert!(t.elapsed() < Duration::from_secs(1));
        assert!(matches!(
            read_bounded(&dir, 100),
            Err(ReadError::NotRegular)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

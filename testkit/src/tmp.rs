//! Directories a test owns, removed when it ends.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty directory removed (with its contents) on drop; it derefs to its
/// [`Path`].
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new directory `$TMPDIR/rvt-TAG-PID-N`, unique in this process.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        TempDir::at(std::env::temp_dir().join(format!(
            "rvt-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        )))
    }

    /// A short directory `/tmp/PREFIX-TAG-PID` (see [`short_dir`]), removed on drop.
    pub fn short(prefix: &str, tag: &str) -> TempDir {
        TempDir(short_dir(prefix, tag))
    }

    /// `path`, emptied (whatever a crashed run left there is removed) and created.
    pub fn at(path: PathBuf) -> TempDir {
        TempDir(fresh_dir(path))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty directory `/tmp/PREFIX-TAG-PID`, not removed on drop (its owner, e.g.
/// a driver root's clean-up, removes it). Short whatever `$TMPDIR` says: unix socket
/// paths below it (QEMU monitors, container consoles) must stay under 108 bytes.
pub fn short_dir(prefix: &str, tag: &str) -> PathBuf {
    fresh_dir(PathBuf::from(format!(
        "/tmp/{prefix}-{tag}-{}",
        std::process::id()
    )))
}

fn fresh_dir(path: PathBuf) -> PathBuf {
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

//! Opening the save image files a client names. The names are hostile: a daemon
//! writes and reads regular files only, never follows a symlink at the final
//! component (`O_NOFOLLOW`), never blocks on a FIFO (`O_NONBLOCK`), and refuses paths
//! under directories it registered as its own ([`protect_dir`]: state, runtime and
//! configuration directories).

use std::fs::File;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::files::PRIVATE_FILE_MODE;

static PROTECTED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers `dir` as the daemon's own: save files may not be written or read under it.
pub fn protect_dir(dir: &Path) {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut v = PROTECTED.lock().unwrap_or_else(PoisonError::into_inner);
    if !v.contains(&dir) {
        v.push(dir);
    }
}

/// Why a client's path was refused before any open.
fn refused(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::PermissionDenied, why.to_string())
}

/// `path`, checked: absolute, without `..`, and (with its parent resolved) not under a
/// protected directory.
fn checked(path: &str) -> std::io::Result<PathBuf> {
    let p = Path::new(path);
    if !p.is_absolute() || p.components().any(|c| c == Component::ParentDir) {
        return Err(refused("save image path must be absolute, without '..'"));
    }
    let parent = p.parent().unwrap_or(Path::new("/"));
    let real_parent = std::fs::canonicalize(parent)?;
    let name = p
        .file_name()
        .ok_or_else(|| refused("save image path names no file"))?;
    let real = real_parent.join(name);
    let protected = PROTECTED.lock().unwrap_or_else(PoisonError::into_inner);
    if protected.iter().any(|d| real.starts_with(d)) {
        return Err(refused(
            "save image path is inside the daemon's own directories",
        ));
    }
    Ok(real)
}

/// Checks a path a client names for a file the daemon or its guest will write (a block
/// copy's destination, say): absolute, without `..`, and neither it nor (for an existing
/// path) what it resolves to under a protected directory.
pub fn check_client_path(path: &str) -> std::io::Result<()> {
    checked(path)?;
    if let Ok(real) = std::fs::canonicalize(path) {
        let protected = PROTECTED.lock().unwrap_or_else(PoisonError::into_inner);
        if protected.iter().any(|d| real.starts_with(d)) {
            return Err(refused("path resolves inside the daemon's own directories"));
        }
    }
    Ok(())
}

fn regular(f: File) -> std::io::Result<File> {
    let t = f.metadata()?.file_type();
    if !t.is_file() || t.is_fifo() {
        return Err(refused("save image is not a regular file"));
    }
    Ok(f)
}

/// Opens `path` to write a save image: created with the private mode if absent, an
/// existing regular file is truncated; symlinks, FIFOs and devices are refused.
pub fn create_save_file(path: &str) -> std::io::Result<File> {
    let real = checked(path)?;
    let f = File::options()
        .write(true)
        .create(true)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(real)?;
    let f = regular(f)?;
    f.set_len(0)?;
    Ok(f)
}

/// Opens `path` to read a save image: a regular file, not through a final symlink.
pub fn open_save_file(path: &str) -> std::io::Result<File> {
    let real = checked(path)?;
    let f = File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(real)?;
    regular(f)
}

/// Opens `path` to update a save image in place (its header): a regular file, not
/// through a final symlink, neither created nor truncated.
pub fn update_save_file(path: &str) -> std::io::Result<File> {
    let real = checked(path)?;
    let f = File::options()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(real)?;
    regular(f)
}

/// The message of `e` as libvirt prints `strerror` ("No such file or directory"),
/// without Rust's " (os error N)".
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_symlinks_fifos_relative_and_protected_paths() {
        let dir = std::env::temp_dir().join(format!("rvirt-save-file-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("own")).unwrap();
        let s = |p: &Path| p.to_str().unwrap().to_string();
        let target = dir.join("victim");
        std::fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, dir.join("link")).unwrap();
        assert!(create_save_file(&s(&dir.join("link"))).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(open_save_file(&s(&dir.join("link"))).is_err());
        assert!(create_save_file("relative.img").is_err());
        assert!(create_save_file(&format!("{}/own/../x", s(&dir))).is_err());
        protect_dir(&dir.join("own"));
        assert!(create_save_file(&s(&dir.join("own/x.img"))).is_err());
        assert!(create_save_file(&s(&dir.join("ok.img"))).is_ok());
        assert!(open_save_file(&s(&dir.join("ok.img"))).is_ok());
        let fifo = std::ffi::CString::new(s(&dir.join("fifo"))).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(open_save_file(&s(&dir.join("fifo"))).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

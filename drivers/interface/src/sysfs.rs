//! Reading `/sys/class/net` as libvirt's udev backend sees it: bounded reads of
//! attributes, names checked before they become paths, and the listed interfaces.

use std::io::Read;
use std::path::{Path, PathBuf};

/// At most this much of one sysfs or procfs file is read (libvirt reads `BUFSIZ`).
const MAX_ATTR: u64 = 8192;

/// Whether `name` can be a network interface's name (the kernel's rule: 1 to 15
/// bytes, not `.` nor `..`, no `/`, `:` nor white space); anything else is never
/// joined to a path.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == ':' || c == '\0' || c.is_whitespace())
}

/// The sysfs directory of the interface `name`, if `name` is valid and exists.
pub(crate) fn net_dir(sysfs: &Path, name: &str) -> Option<PathBuf> {
    if !valid_name(name) {
        return None;
    }
    let p = sysfs.join("class/net").join(name);
    p.symlink_metadata().ok().map(|_| p)
}

/// A whole small file, at most [`MAX_ATTR`] bytes.
pub(crate) fn read_file(path: &Path) -> Option<String> {
    let mut s = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_ATTR)
        .read_to_string(&mut s)
        .ok()?;
    Some(s)
}

/// An attribute as udev gives it: the file's text without its trailing new line.
pub(crate) fn attr(dir: &Path, name: &str) -> Option<String> {
    let s = read_file(&dir.join(name))?;
    Some(s.strip_suffix('\n').unwrap_or(&s).to_string())
}

/// The `DEVTYPE` of the device's `uevent`.
pub(crate) fn devtype(dir: &Path) -> Option<String> {
    read_file(&dir.join("uevent"))?
        .lines()
        .find_map(|l| l.strip_prefix("DEVTYPE=").map(str::to_string))
}

/// The names of the entries of `dir`, in byte order (`alphasort` in the C locale).
pub(crate) fn entry_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    v
}

/// The interfaces libvirt's udev backend lists, in udev's order (by device path):
/// every `/sys/class/net` entry but bridge ports and tun/tap devices.
pub(crate) fn listed(sysfs: &Path) -> Vec<(String, PathBuf)> {
    let class = sysfs.join("class/net");
    let mut v: Vec<(PathBuf, String, PathBuf)> = entry_names(&class)
        .into_iter()
        .filter(|n| valid_name(n))
        .map(|n| {
            let link = class.join(&n);
            let real = std::fs::canonicalize(&link).unwrap_or_else(|_| link.clone());
            (real, n, link)
        })
        .filter(|(_, _, dir)| !dir.join("brport/state").exists() && !dir.join("tun_flags").exists())
        .collect();
    v.sort();
    v.into_iter().map(|(_, n, dir)| (n, dir)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../../etc",
            "a/b",
            "eth0:1",
            "a b",
            "sixteen-chars-xx",
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
        for good in ["eth0", "br0", "vb.10", "enp0s3", "fifteen-chars-x"] {
            assert!(valid_name(good), "{good:?}");
        }
        assert_eq!(net_dir(Path::new("/nonexistent"), "../x"), None);
    }
}

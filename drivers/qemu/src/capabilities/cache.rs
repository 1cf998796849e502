//! The on-disk capabilities cache.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::Value;

use super::QemuCaps;
use super::probe::{mtime_of, probe};

/// Version of the cache file layout; bump to invalidate old files.
pub const CACHE_FORMAT: u32 = 3;

/// 64-bit FNV-1a, stable across Rust releases (unlike `DefaultHasher`).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The cache file name for `binary`: the FNV-1a hash of its path, hex, plus `.json`.
pub fn cache_file_name(binary: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    format!("{:016x}.json", fnv1a64(binary.as_os_str().as_bytes()))
}

/// A directory of cached probe results, counting the probes it had to run.
#[derive(Debug)]
pub struct CapsCache {
    dir: PathBuf,
    probes: AtomicUsize,
}

impl CapsCache {
    /// A cache in `dir` (created on first store).
    pub fn new(dir: impl Into<PathBuf>) -> CapsCache {
        CapsCache {
            dir: dir.into(),
            probes: AtomicUsize::new(0),
        }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many times this cache spawned QEMU to probe.
    pub fn probe_count(&self) -> usize {
        self.probes.load(Ordering::Relaxed)
    }

    /// The capabilities of `binary`: from the cache if the entry is valid (same path,
    /// same mtime, same cache format and rvirt version), else probed and stored.
    pub fn get(&self, binary: &Path) -> Result<QemuCaps> {
        if let Some(caps) = self.lookup(binary)? {
            return Ok(caps);
        }
        self.probes.fetch_add(1, Ordering::Relaxed);
        let caps = probe(binary)?;
        self.store(&caps)?;
        Ok(caps)
    }

    /// The cached entry for `binary` if present and still valid; never spawns QEMU.
    pub fn lookup(&self, binary: &Path) -> Result<Option<QemuCaps>> {
        let path = self.dir.join(cache_file_name(binary));
        let Ok(text) = std::fs::read(&path) else {
            return Ok(None);
        };
        let Some(caps) = serde_json::from_slice::<Value>(&text)
            .ok()
            .and_then(|v| QemuCaps::from_json(&v))
        else {
            return Ok(None);
        };
        if caps.binary != binary || caps.binary_mtime != mtime_of(binary)? {
            return Ok(None);
        }
        Ok(Some(caps))
    }

    /// Writes `caps` atomically: temporary file, fsync, rename, fsync of the directory.
    pub fn store(&self, caps: &QemuCaps) -> Result<()> {
        let fail = |what: &str, e: std::io::Error| {
            Error::new(
                ErrorCode::WriteFailed,
                ErrorDomain::Qemu,
                format!(
                    "cannot {what} capabilities cache in '{}': {e}",
                    self.dir.display()
                ),
            )
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| fail("create", e))?;
        let name = cache_file_name(&caps.binary);
        let tmp = self.dir.join(format!(".{name}.tmp.{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = rvirt_core::driver::files::create_private(&tmp)?;
            let mut text = serde_json::to_vec_pretty(&caps.to_json())?;
            text.push(b'\n');
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, self.dir.join(&name))?;
            std::fs::File::open(&self.dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail("write", e)
        })
    }
}

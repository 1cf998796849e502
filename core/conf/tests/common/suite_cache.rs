//! Where `tools/fetch-libvirt-test-xml.sh` puts libvirt's own XML test inputs, for the
//! libvirt_suite tests of rvirt-conf and rvirt-objconf (the latter includes this file).

use std::path::PathBuf;

/// `$RVIRT_CACHE_DIR`, else `$XDG_CACHE_HOME/rvirt`, else `~/.cache/rvirt`, then
/// `libvirt-test-xml`.
pub fn suite_dir() -> PathBuf {
    let cache = std::env::var_os("RVIRT_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("rvirt")))
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/rvirt")
        });
    cache.join("libvirt-test-xml")
}

/// The suite's directory when `part` of it (`VERSION`, `pool`, …) was fetched; `None`
/// (the test skips, saying so) when it was not, which fails when `CI` is set.
pub fn fetched(part: &str) -> Option<PathBuf> {
    let dir = suite_dir();
    if dir.join(part).exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but libvirt's test XML is missing (tools/fetch-libvirt-test-xml.sh)"
    );
    eprintln!(
        "skipping: {} missing (tools/fetch-libvirt-test-xml.sh)",
        dir.join(part).display()
    );
    None
}

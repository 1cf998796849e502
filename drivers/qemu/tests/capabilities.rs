//! Capabilities probe against the real qemu-system-x86_64, and the cache.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rvirt_driver_qemu::capabilities::{CapsCache, cache_file_name};
use rvirt_testkit::{QEMU, TempDir};

#[test]
fn probe_real_qemu_then_hit_cache() {
    let dir = TempDir::new("caps-real");
    let cache = CapsCache::new(dir.join("cache"));
    let t = std::time::Instant::now();
    let caps = cache.get(Path::new(QEMU)).expect("probe");
    eprintln!(
        "probe took {:?}: QEMU {} default machine {:?}",
        t.elapsed(),
        caps.version,
        caps.default_machine()
    );
    assert_eq!(cache.probe_count(), 1);
    assert!(caps.version.major >= 7, "{:?}", caps.version);
    let default = caps.default_machine().expect("a default machine");
    assert!(default.starts_with("pc-i440fx-"), "{default}");
    assert_eq!(caps.canonical_machine("pc"), Some(default));
    assert!(caps.canonical_machine("q35").is_some());
    assert!(
        dir.join("cache")
            .join(cache_file_name(Path::new(QEMU)))
            .exists()
    );

    // Second call: served from the cache, no spawn.
    let again = cache.get(Path::new(QEMU)).unwrap();
    assert_eq!(again, caps);
    assert_eq!(cache.probe_count(), 1);
    // A fresh cache object over the same directory also hits.
    let cache2 = CapsCache::new(dir.join("cache"));
    assert_eq!(cache2.get(Path::new(QEMU)).unwrap(), caps);
    assert_eq!(cache2.probe_count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn valid_cache_never_runs_the_binary_and_mtime_invalidates() {
    let dir = TempDir::new("caps-script");
    let marker = dir.join("ran");
    let script = dir.join("fake-qemu");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

    let cache = CapsCache::new(dir.join("cache"));
    // Probing the script fails (it is not QEMU) and runs it once.
    let err = cache.get(&script).unwrap_err();
    assert_eq!(err.domain(), rvirt_core::ErrorDomain::Qemu);
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();

    // Prime the cache for the script with plausible data, as a probe would.
    let real = CapsCache::new(dir.join("real-cache"))
        .get(Path::new(QEMU))
        .unwrap();
    let md = std::fs::metadata(&script).unwrap();
    let mut caps = real.clone();
    caps.binary = script.clone();
    caps.binary_mtime = {
        use std::os::unix::fs::MetadataExt;
        (md.mtime(), md.mtime_nsec() as u32)
    };
    cache.store(&caps).unwrap();
    let before = cache.probe_count();
    assert_eq!(cache.get(&script).unwrap(), caps);
    assert_eq!(cache.probe_count(), before);
    assert!(
        !marker.exists(),
        "a valid cache entry must not run the binary"
    );

    // Touching the binary invalidates the entry: the probe runs (and fails) again.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&script)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert!(cache.get(&script).is_err());
    assert_eq!(cache.probe_count(), before + 1);
    assert!(marker.exists());

    // Garbage in the cache file is a miss, not an error.
    std::fs::write(
        dir.join("cache").join(cache_file_name(&script)),
        b"{not json",
    )
    .unwrap();
    assert!(cache.lookup(&script).unwrap().is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

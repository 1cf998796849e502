//! Persistent state under storage faults: a full disk and a read-only root. The root is a
//! tiny tmpfs mounted by the test (needs root; skipped with a message elsewhere, a
//! failure in CI).

use std::ffi::CString;
use std::io::Write;
use std::path::{Path, PathBuf};

use rvirt_core::event::DefaultLoop;
use rvirt_core::{Connect, ErrorCode};

/// A tmpfs mounted at a fresh directory; unmounted (lazily) and removed on drop.
struct SmallFs {
    dir: PathBuf,
}

impl SmallFs {
    fn mount(tag: &str, size: &str) -> Option<SmallFs> {
        let dir = rvirt_testkit::short_dir("rvq", tag);
        let c = |s: &str| CString::new(s).unwrap();
        let (src, target, fstype) = (c("tmpfs"), c(dir.to_str().unwrap()), c("tmpfs"));
        let opts = c(&format!("size={size},mode=0755"));
        // SAFETY: all pointers are valid NUL-terminated strings that outlive the call.
        let rc = unsafe {
            libc::mount(
                src.as_ptr(),
                target.as_ptr(),
                fstype.as_ptr(),
                0,
                opts.as_ptr().cast(),
            )
        };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            let _ = std::fs::remove_dir(&dir);
            assert!(
                std::env::var_os("CI").is_none(),
                "cannot mount a tmpfs in CI: {e}"
            );
            eprintln!("skipped: cannot mount a tmpfs here ({e}); needs root");
            return None;
        }
        Some(SmallFs { dir })
    }

    /// Makes `sub` (a directory inside the mount) read-only: a read-only bind mount
    /// of it onto itself (the whole tmpfs cannot go read-only while the driver holds
    /// its lock file open for writing).
    fn make_read_only(&self, sub: &str) {
        let target = CString::new(self.dir.join(sub).to_str().unwrap()).unwrap();
        for flags in [
            libc::MS_BIND,
            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY,
        ] {
            // SAFETY: valid NUL-terminated paths; bind mounts take no fs type or data.
            let rc = unsafe {
                libc::mount(
                    target.as_ptr(),
                    target.as_ptr(),
                    std::ptr::null(),
                    flags,
                    std::ptr::null(),
                )
            };
            assert_eq!(rc, 0, "bind mount: {}", std::io::Error::last_os_error());
        }
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let target = CString::new(self.dir.to_str().unwrap()).unwrap();
        // SAFETY: valid NUL-terminated path.
        unsafe {
            libc::umount2(target.as_ptr(), libc::MNT_DETACH);
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}

fn fill(dir: &Path) {
    let mut f = std::fs::File::create(dir.join("filler")).unwrap();
    let chunk = [0u8; 4096];
    while f.write_all(&chunk).is_ok() {}
}

fn domain_xml(name: &str, metadata_bytes: usize) -> String {
    format!(
        "<domain type='qemu'>
           <name>{name}</name>
           <uuid>6c6b1e2a-8f0e-4a57-9d7e-{:012x}</uuid>
           <metadata><blob xmlns='urn:rvirt:test'>{}</blob></metadata>
           <memory unit='MiB'>64</memory>
           <vcpu>1</vcpu>
           <os><type arch='x86_64' machine='pc'>hvm</type></os>
         </domain>",
        name.len(),
        "x".repeat(metadata_bytes)
    )
}

#[test]
fn a_full_disk_or_read_only_root_fails_cleanly_and_keeps_the_old_config() {
    rvirt_driver_qemu::register().unwrap();
    let Some(fs) = SmallFs::mount("full", "512k") else {
        return;
    };
    let l = DefaultLoop::new().unwrap();
    let conn = Connect::open_with_loop(
        &format!("qemu:///embed?root={}", fs.dir.display()),
        l.shared(),
    )
    .unwrap();
    let config = fs.dir.join("etc/qemu/full.xml");
    conn.define_xml(&domain_xml("full", 10)).unwrap();
    let old = std::fs::read_to_string(&config).unwrap();
    fill(&fs.dir);

    // Redefining with a config that no longer fits: ENOSPC, typed, old file intact.
    let err = conn.define_xml(&domain_xml("full", 64 * 1024)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SystemError, "{err}");
    assert!(err.to_string().contains("No space left"), "{err}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), old);
    assert!(!fs.dir.join("etc/qemu/full.xml.new").exists());
    // ... and the driver's view did not change either.
    let dom = conn.lookup_domain_by_name("full").unwrap();
    assert!(!dom.xml_desc(2).unwrap().contains(&"x".repeat(64 * 1024)));
    // A new domain that cannot be saved is not defined at all.
    let err = conn
        .define_xml(&domain_xml("other", 64 * 1024))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SystemError, "{err}");
    assert_eq!(
        conn.lookup_domain_by_name("other").unwrap_err().code(),
        ErrorCode::NoDomain
    );

    // Read-only config dir: undefine cannot remove the file, so the domain stays defined.
    fs.make_read_only("etc/qemu");
    let err = dom.undefine().unwrap_err();
    assert_eq!(err.code(), ErrorCode::SystemError, "{err}");
    assert!(err.to_string().contains("Read-only"), "{err}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), old);
    assert!(
        conn.lookup_domain_by_name("full")
            .unwrap()
            .is_persistent()
            .unwrap()
    );
    conn.close().unwrap();
}

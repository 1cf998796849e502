//! What the block-job tests share: a running QEMU guest whose raw disk `hda` holds some
//! data, the disk's source as `virsh domblklist` shows it, and `virsh blockjob --info`.

use std::path::{Path, PathBuf};

use crate::{HALT, text, virsh, virsh_ok, write_guest};

/// The source of disk `hda` of `dom` in `virsh domblklist`.
pub fn hda_source(uri: &str, dom: &str) -> PathBuf {
    let out = virsh_ok(uri, &["domblklist", dom]);
    out.lines()
        .find_map(|l| l.trim().strip_prefix("hda"))
        .map(|s| PathBuf::from(s.trim()))
        .unwrap_or_else(|| panic!("{out}"))
}

/// `virsh blockjob DOM hda --info`: its progress line (which virsh writes to stderr),
/// then the rest.
pub fn hda_job_info(uri: &str, dom: &str) -> String {
    let o = virsh(uri, &["blockjob", dom, "hda", "--info"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    format!("{err}{out}")
}

/// Guest `dom` (a halting boot sector on raw disk `hda`, its image grown to `size` bytes
/// of data past the boot sector) written to `root`, defined and started on `uri`;
/// returns its image.
pub fn running_hda_guest(uri: &str, root: &Path, dom: &str, size: usize) -> PathBuf {
    let xml = write_guest(root, dom, HALT);
    let image = root.join(format!("{dom}.img"));
    let mut disk = std::fs::read(&image).unwrap();
    disk.resize(size.max(disk.len()), 0x5a);
    std::fs::write(&image, disk).unwrap();
    virsh_ok(uri, &["define", xml.to_str().unwrap()]);
    let base = hda_source(uri, dom);
    virsh_ok(uri, &["start", dom]);
    base
}

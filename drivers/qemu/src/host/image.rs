//! Sizes of an inactive domain's disk image, read from the file itself (what libvirt
//! reports when no QEMU has the image open): the size the guest sees (a qcow2 image's
//! header, else the file's size), host storage in use, and the file's size.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use rvirt_core::api::BlockInfo;

/// A qcow2 header's magic, `QFI\xfb`.
const QCOW2_MAGIC: [u8; 4] = *b"QFI\xfb";

/// The virtual size a qcow2 header (its first 32 bytes) declares, bytes.
pub fn qcow2_virtual_size(header: &[u8]) -> Option<u64> {
    if header.get(..4)? != QCOW2_MAGIC {
        return None;
    }
    Some(u64::from_be_bytes(header.get(24..32)?.try_into().ok()?))
}

/// The size of the file or block device at `path`, bytes (a device's from its end).
fn end_offset(path: &Path) -> Option<u64> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::End(0)).ok()
}

/// Capacity, allocation and physical size of the image at `path` in `format`
/// (`raw`, `qcow2`), `None` if it cannot be read.
pub fn image_sizes(path: &Path, format: &str) -> Option<BlockInfo> {
    let meta = std::fs::metadata(path).ok()?;
    let physical = if meta.file_type().is_file() {
        meta.len()
    } else {
        end_offset(path)?
    };
    let capacity = if format == "qcow2" {
        let mut header = [0u8; 32];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut header))
            .ok()?;
        qcow2_virtual_size(&header)?
    } else {
        physical
    };
    let allocation = if meta.file_type().is_file() {
        meta.blocks().saturating_mul(512)
    } else {
        physical
    };
    Some(BlockInfo {
        capacity,
        allocation,
        physical,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_qcow2_sizes() {
        let dir = std::env::temp_dir().join(format!("rvq-image-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let raw = dir.join("a.img");
        std::fs::write(&raw, [0u8; 512]).unwrap();
        let info = image_sizes(&raw, "raw").unwrap();
        assert_eq!((info.capacity, info.physical), (512, 512));
        assert_eq!(info.allocation % 512, 0);

        let mut header = vec![0u8; 512];
        header[..4].copy_from_slice(&QCOW2_MAGIC);
        header[24..32].copy_from_slice(&(1u64 << 30).to_be_bytes());
        let qcow = dir.join("b.qcow2");
        std::fs::write(&qcow, &header).unwrap();
        let info = image_sizes(&qcow, "qcow2").unwrap();
        assert_eq!((info.capacity, info.physical), (1 << 30, 512));
        assert_eq!(image_sizes(&raw, "qcow2"), None, "not a qcow2 header");
        assert_eq!(image_sizes(&dir.join("missing"), "raw"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

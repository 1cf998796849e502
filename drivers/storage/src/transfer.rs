//! Volume upload and download (`virStorageVolUpload`, `virStorageVolDownload`): the
//! volume's file opened in place at an offset, as libvirt's fd streams open it.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

fn system(what: String, e: &std::io::Error) -> Error {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text).to_string();
    Error::verbatim(
        ErrorCode::SystemError,
        ErrorDomain::Storage,
        format!("{what}: {text}"),
    )
}

/// Opens the volume's file `path` for writing (upload, never truncated nor created) or
/// reading, positioned at `offset`. A symlink put in the volume's place is refused
/// (`O_NOFOLLOW`), and so is anything but a regular file or a block device.
pub(crate) fn open(path: &Path, offset: u64, write: bool) -> Result<File> {
    let opened = OpenOptions::new()
        .read(!write)
        .write(write)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(path);
    let failed =
        |e: &std::io::Error| system(format!("Unable to open stream for '{}'", path.display()), e);
    let mut file = opened.map_err(|e| failed(&e))?;
    let kind = file.metadata().map_err(|e| failed(&e))?.file_type();
    if !kind.is_file() && !kind.is_block_device() {
        return Err(Error::new(
            ErrorCode::OperationInvalid,
            ErrorDomain::Storage,
            format!(
                "operation is not valid: '{}' is not a regular file or block device",
                path.display()
            ),
        ));
    }
    if offset != 0 {
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| system(format!("Unable to seek {} to {offset}", path.display()), &e))?;
    }
    Ok(file)
}

/// The bytes a transfer may move: `length`, or with 0 everything to the end.
pub(crate) fn span(length: u64) -> u64 {
    if length == 0 { u64::MAX } else { length }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn opens_in_place_at_offset_and_refuses_symlinks() {
        let dir = std::env::temp_dir().join(format!("rvirt-transfer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let vol = dir.join("v.img");
        std::fs::write(&vol, b"0123456789").unwrap();
        let mut f = open(&vol, 4, false).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "456789");
        let link = dir.join("link.img");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&vol, &link).unwrap();
        let e = open(&link, 0, true).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SystemError);
        assert!(e.to_string().contains("Unable to open stream for"), "{e}");
        assert!(open(&dir, 0, false).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

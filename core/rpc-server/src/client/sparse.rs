//! Sparse files for sparse streams: where the next hole or data is (`SEEK_DATA`,
//! `SEEK_HOLE`), and a hole received written as one (punched, or zeroes where the file
//! system cannot punch).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;

/// What lies at a file's position.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Extent {
    /// Data, this many bytes before the next hole (or the end).
    Data(u64),
    /// A hole, this many bytes before the next data (or the end).
    Hole(u64),
    /// The end of the file.
    End,
}

fn lseek(file: &File, pos: u64, whence: libc::c_int) -> io::Result<Option<u64>> {
    let off = libc::off_t::try_from(pos).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: lseek on an fd we own.
    let r = unsafe { libc::lseek(file.as_raw_fd(), off, whence) };
    if r >= 0 {
        return Ok(Some(r as u64));
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::ENXIO) {
        Ok(None)
    } else {
        Err(e)
    }
}

/// The extent at the file's current position (which it keeps).
pub(super) fn extent(file: &mut File) -> io::Result<Extent> {
    let pos = file.stream_position()?;
    let len = file.metadata()?.len();
    if pos >= len {
        return Ok(Extent::End);
    }
    let ext = match lseek(file, pos, libc::SEEK_DATA)? {
        // Only a hole up to the end.
        None => Extent::Hole(len - pos),
        Some(data) if data > pos => Extent::Hole(data - pos),
        Some(_) => {
            let hole = lseek(file, pos, libc::SEEK_HOLE)?.unwrap_or(len);
            Extent::Data(hole.saturating_sub(pos).max(1))
        }
    };
    file.seek(SeekFrom::Start(pos))?;
    Ok(ext)
}

/// Makes `len` bytes from the file's position zero and moves past them: punched out
/// inside the file, the file extended (sparse) past its end.
pub(super) fn write_hole(file: &mut File, len: u64) -> io::Result<()> {
    let pos = file.stream_position()?;
    let end = pos
        .checked_add(len)
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    let size = file.metadata()?.len();
    let inside = end.min(size).saturating_sub(pos);
    if inside > 0 {
        let (Ok(off), Ok(n)) = (libc::off_t::try_from(pos), libc::off_t::try_from(inside)) else {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        };
        // SAFETY: fallocate on an fd we own.
        let r = unsafe {
            libc::fallocate(
                file.as_raw_fd(),
                libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
                off,
                n,
            )
        };
        if r != 0 {
            // No punching here (a block device, an old file system): zeroes.
            let zeros = vec![0u8; 64 * 1024];
            let mut left = inside;
            while left > 0 {
                let k = left.min(zeros.len() as u64) as usize;
                file.write_all(&zeros[..k])?;
                left -= k as u64;
            }
        }
    }
    if end > size {
        file.set_len(end)?;
    }
    file.seek(SeekFrom::Start(end))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn holes_found_and_written() {
        let path = std::env::temp_dir().join(format!("rvirt-sparse-{}", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        f.write_all(&[7u8; 8192]).unwrap();
        f.set_len(8 << 20).unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        let Extent::Data(n) = extent(&mut f).unwrap() else {
            panic!("data first")
        };
        assert!(n >= 8192, "{n}");
        f.seek(SeekFrom::Start(4 << 20)).unwrap();
        // Whether the tail is reported as a hole depends on the file system; it is
        // never data that was not written.
        match extent(&mut f).unwrap() {
            Extent::Hole(h) => assert_eq!(h, 4 << 20),
            Extent::Data(_) => {}
            Extent::End => panic!("not at the end"),
        }
        assert_eq!(f.stream_position().unwrap(), 4 << 20);
        // A hole over written data reads back as zeroes; past the end it extends.
        f.seek(SeekFrom::Start(4096)).unwrap();
        write_hole(&mut f, 8192).unwrap();
        assert_eq!(f.stream_position().unwrap(), 4096 + 8192);
        let mut back = vec![0u8; 8192];
        f.seek(SeekFrom::Start(0)).unwrap();
        f.read_exact(&mut back).unwrap();
        assert!(back[..4096].iter().all(|&b| b == 7));
        assert!(back[4096..].iter().all(|&b| b == 0));
        f.seek(SeekFrom::Start(8 << 20)).unwrap();
        write_hole(&mut f, 100).unwrap();
        assert_eq!(f.metadata().unwrap().len(), (8 << 20) + 100);
        f.seek(SeekFrom::Start((8 << 20) + 100)).unwrap();
        assert_eq!(extent(&mut f).unwrap(), Extent::End);
        std::fs::remove_file(&path).unwrap();
    }
}

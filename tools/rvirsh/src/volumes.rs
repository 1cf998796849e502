//! `vol-upload` and `vol-download`: a local file into or out of a storage volume over
//! a stream, as virsh does it (the volume by `--pool` and name, else by key or path;
//! `--sparse`: holes travel as holes both ways).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::Path;

use rvirt_core::api::StorageVol;
use rvirt_core::driver::Received;
use rvirt_core::{Connect, Stream};

use crate::commands::{Failure, Outcome, fail};

/// `VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM` = `VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM`.
const SPARSE: u32 = 1;

/// Where a transfer goes: offset, length and whether holes travel as holes.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    /// Volume offset.
    pub offset: u64,
    /// Bytes (0: to the end).
    pub length: u64,
    /// `--sparse`.
    pub sparse: bool,
}

/// A volume as virsh finds it: in `pool` by name, else by key, else by path; the
/// last lookup's error is the one reported.
pub fn volume(conn: &Connect, vol: &str, pool: Option<&str>) -> Result<StorageVol, Failure> {
    let in_pool = match pool {
        Some(p) => Some(crate::pools::lookup(conn, p)?.lookup_volume_by_name(vol)),
        None => None,
    };
    let found = match in_pool {
        Some(Ok(v)) => Ok(v),
        _ => conn
            .lookup_storage_vol_by_key(vol)
            .or_else(|_| conn.lookup_storage_vol_by_path(vol)),
    };
    found.map_err(|e| fail(format!("failed to get vol '{vol}'"), &e))
}

fn io_error(e: std::io::Error) -> rvirt_core::Error {
    rvirt_core::Error::verbatim(
        rvirt_core::ErrorCode::SystemError,
        rvirt_core::ErrorDomain::Streams,
        e.to_string(),
    )
}

/// `vol-upload VOL FILE [--pool P] [--offset N] [--length N] [--sparse]`.
pub fn upload(conn: &Connect, vol: &str, file: &Path, pool: Option<&str>, span: Span) -> Outcome {
    let v = volume(conn, vol, pool)?;
    let input =
        File::open(file).map_err(|e| vec![format!("cannot read {}: {e}", file.display())])?;
    let failed = |e: &rvirt_core::Error| fail(format!("cannot upload to volume {vol}"), e);
    let flags = if span.sparse { SPARSE } else { 0 };
    let stream = v
        .upload(span.offset, span.length, flags)
        .map_err(|e| failed(&e))?;
    let sent = if span.sparse {
        send_sparse(&stream, input)
    } else {
        stream.send_all(input).map(drop)
    };
    sent.and_then(|()| stream.finish()).map_err(|e| failed(&e))
}

/// Sends `file`'s data as data and its holes as holes (`virStreamSparseSendAll`).
fn send_sparse(stream: &Stream, mut file: File) -> rvirt_core::Result<()> {
    let len = file.metadata().map_err(io_error)?.len();
    let mut pos = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    while pos < len {
        let data = seek(&file, pos, libc::SEEK_DATA).unwrap_or(len);
        if data > pos {
            stream.send_hole(data - pos)?;
            pos = data;
            continue;
        }
        let hole = seek(&file, pos, libc::SEEK_HOLE)
            .unwrap_or(len)
            .max(pos + 1);
        file.seek(SeekFrom::Start(pos)).map_err(io_error)?;
        let mut left = hole - pos;
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = file.read(&mut buf[..want]).map_err(io_error)?;
            if n == 0 {
                return Ok(());
            }
            let mut chunk = &buf[..n];
            while !chunk.is_empty() {
                let k = stream.send(chunk)?;
                chunk = &chunk[k..];
            }
            left -= n as u64;
        }
        pos = hole;
    }
    Ok(())
}

/// `lseek(fd, pos, whence)`: `None` past the last data (ENXIO) or on failure.
fn seek(file: &File, pos: u64, whence: libc::c_int) -> Option<u64> {
    let off = libc::off_t::try_from(pos).ok()?;
    // SAFETY: lseek on an fd we own.
    let r = unsafe { libc::lseek(file.as_raw_fd(), off, whence) };
    u64::try_from(r).ok()
}

/// `vol-download VOL FILE [--pool P] [--offset N] [--length N] [--sparse]`.
pub fn download(conn: &Connect, vol: &str, file: &Path, pool: Option<&str>, span: Span) -> Outcome {
    let v = volume(conn, vol, pool)?;
    let failed = |e: &rvirt_core::Error| fail(format!("cannot download from volume {vol}"), e);
    let flags = if span.sparse { SPARSE } else { 0 };
    let stream = v
        .download(span.offset, span.length, flags)
        .map_err(|e| failed(&e))?;
    let created = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(file);
    let output = match created {
        Ok(f) => f,
        Err(e) => {
            let _ = stream.abort();
            return Err(vec![format!("cannot create {}: {e}", file.display())]);
        }
    };
    let received = if span.sparse {
        recv_sparse(&stream, output)
    } else {
        stream.recv_all(&output).map(drop)
    }
    .and_then(|()| stream.finish());
    if let Err(e) = received {
        let _ = std::fs::remove_file(file);
        return Err(failed(&e));
    }
    Ok(())
}

/// Writes the stream's data and leaves its holes as holes (`virStreamSparseRecvAll`).
fn recv_sparse(stream: &Stream, mut file: File) -> rvirt_core::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.recv_sparse(&mut buf)? {
            Received::Data(n) => file.write_all(&buf[..n]).map_err(io_error)?,
            Received::Hole(len) => {
                let len = i64::try_from(len)
                    .map_err(|_| io_error(std::io::ErrorKind::InvalidData.into()))?;
                file.seek(SeekFrom::Current(len)).map_err(io_error)?;
            }
            Received::End => {
                // A trailing hole still counts: the file ends where the stream did.
                let end = file.stream_position().map_err(io_error)?;
                return file.set_len(end).map_err(io_error);
            }
        }
    }
}

//! `vol-upload` and `vol-download`: a local file into or out of a storage volume over
//! a stream, as virsh does it (the volume by `--pool` and name, else by key or path).

use std::fs::{File, OpenOptions};
use std::path::Path;

use rvirt_core::Connect;
use rvirt_core::api::StorageVol;

use crate::commands::{Failure, Outcome, fail};

/// A volume as virsh finds it: in `pool` by name, else by key, else by path.
fn volume(conn: &Connect, vol: &str, pool: Option<&str>) -> Result<StorageVol, Failure> {
    let found = match pool {
        Some(p) => conn
            .lookup_storage_pool_by_name(p)
            .map_err(|e| fail(format!("failed to get pool '{p}'"), &e))?
            .lookup_volume_by_name(vol)
            .ok(),
        None => conn
            .lookup_storage_vol_by_key(vol)
            .or_else(|_| conn.lookup_storage_vol_by_path(vol))
            .ok(),
    };
    found.ok_or_else(|| vec![format!("failed to get vol '{vol}'")])
}

/// `vol-upload VOL FILE [--pool P] [--offset N] [--length N]`.
pub fn upload(
    conn: &Connect,
    vol: &str,
    file: &Path,
    pool: Option<&str>,
    offset: u64,
    length: u64,
) -> Outcome {
    let v = volume(conn, vol, pool)?;
    let input =
        File::open(file).map_err(|e| vec![format!("cannot read {}: {e}", file.display())])?;
    let failed = |e: &rvirt_core::Error| fail(format!("cannot upload to volume {vol}"), e);
    let stream = v.upload(offset, length, 0).map_err(|e| failed(&e))?;
    stream
        .send_all(input)
        .and_then(|_| stream.finish())
        .map_err(|e| failed(&e))
}

/// `vol-download VOL FILE [--pool P] [--offset N] [--length N]`.
pub fn download(
    conn: &Connect,
    vol: &str,
    file: &Path,
    pool: Option<&str>,
    offset: u64,
    length: u64,
) -> Outcome {
    let v = volume(conn, vol, pool)?;
    let failed = |e: &rvirt_core::Error| fail(format!("cannot download from volume {vol}"), e);
    let stream = v.download(offset, length, 0).map_err(|e| failed(&e))?;
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
    let received = stream.recv_all(&output).and_then(|_| stream.finish());
    if let Err(e) = received {
        let _ = std::fs::remove_file(file);
        return Err(failed(&e));
    }
    Ok(())
}

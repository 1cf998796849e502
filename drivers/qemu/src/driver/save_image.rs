//! The QEMU save image's header, laid out as libvirt's `virQEMUSaveHeader` (so that
//! `virsh save-image-dumpxml` reads what rvirt writes): the magic `LibvirtQemudSave`,
//! then little-endian `u32` version (2), data length (the XML with its NUL), whether the
//! guest ran, compression (0, raw), cookie offset (0) and 15 unused words; then the
//! domain XML; then QEMU's migration stream.

use std::io::{Read, Write};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// libvirt's `QEMU_SAVE_MAGIC`, without a NUL.
const MAGIC: &[u8; 16] = b"LibvirtQemudSave";
/// libvirt's `QEMU_SAVE_VERSION`.
const VERSION: u32 = 2;
/// The most XML read back (libvirt refuses absurd lengths too).
const MAX_XML: u32 = 10 * 1024 * 1024;

fn failed(message: String) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

/// Writes the header and `xml` to `out`.
pub(crate) fn write_header(out: &mut impl Write, xml: &str, was_running: bool) -> Result<()> {
    let data_len =
        u32::try_from(xml.len() + 1).map_err(|_| failed("domain XML too long".into()))?;
    let mut h = Vec::with_capacity(96 + xml.len() + 1);
    h.extend_from_slice(MAGIC);
    for word in [VERSION, data_len, was_running as u32, 0, 0] {
        h.extend_from_slice(&word.to_le_bytes());
    }
    h.extend_from_slice(&[0u8; 15 * 4]);
    h.extend_from_slice(xml.as_bytes());
    h.push(0);
    out.write_all(&h)
        .map_err(|e| failed(format!("failed to write save image header: {e}")))
}

/// Reads the header from `input`: the domain XML and whether the guest ran. `input` is
/// left at the migration stream.
pub(crate) fn read_header(input: &mut impl Read, path: &str) -> Result<(String, bool)> {
    let mut h = [0u8; 96];
    input
        .read_exact(&mut h)
        .map_err(|e| failed(format!("failed to read qemu header of '{path}': {e}")))?;
    if &h[..16] != MAGIC {
        return Err(failed(format!("image magic is incorrect in '{path}'")));
    }
    let word = |i: usize| u32::from_le_bytes(h[16 + 4 * i..20 + 4 * i].try_into().expect("4"));
    if word(0) != VERSION && word(0) != 1 {
        return Err(failed(format!(
            "image version is not supported ({} > {VERSION})",
            word(0)
        )));
    }
    let (len, was_running, compressed) = (word(1), word(2) != 0, word(3));
    if compressed != 0 {
        return Err(failed("compressed save images are not supported".into()));
    }
    if len == 0 || len > MAX_XML {
        return Err(failed(format!("invalid domain XML length in '{path}'")));
    }
    let mut xml = vec![0u8; len as usize];
    input
        .read_exact(&mut xml)
        .map_err(|e| failed(format!("failed to read domain XML of '{path}': {e}")))?;
    let end = xml.iter().position(|&b| b == 0).unwrap_or(xml.len());
    let xml = String::from_utf8(xml[..end].to_vec())
        .map_err(|_| failed(format!("domain XML of '{path}' is not UTF-8")))?;
    Ok((xml, was_running))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let mut buf = Vec::new();
        write_header(&mut buf, "<domain/>", true).unwrap();
        assert_eq!(buf.len(), 96 + 10);
        buf.extend_from_slice(b"STREAM");
        let mut r = &buf[..];
        assert_eq!(
            read_header(&mut r, "x").unwrap(),
            ("<domain/>".into(), true)
        );
        assert_eq!(r, b"STREAM");
        assert!(read_header(&mut &b"NotLibvirtQemudSave"[..], "x").is_err());
    }
}

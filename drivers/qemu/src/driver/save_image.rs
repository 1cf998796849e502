//! The QEMU save image's header, laid out as libvirt's `virQEMUSaveHeader` (so that
//! `virsh save-image-dumpxml` reads what rvirt writes): the magic `LibvirtQemudSave`,
//! then little-endian `u32` version (2), data length (the XML with its NUL), whether the
//! guest ran, compression (0, raw), cookie offset (0) and 15 unused words; then the
//! domain XML, followed (as libvirt writes it) by room for a longer one; then QEMU's
//! migration stream. [`rewrite_header`] replaces the XML and the "guest ran" word in
//! place (`virDomainSaveImageDefineXML`), keeping a libvirt image's migration cookie.

use std::io::{Read, Seek, SeekFrom, Write};

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// libvirt's `QEMU_SAVE_MAGIC`, without a NUL.
const MAGIC: &[u8; 16] = b"LibvirtQemudSave";
/// libvirt's `QEMU_SAVE_VERSION`.
const VERSION: u32 = 2;
/// The most XML read back (libvirt refuses absurd lengths too).
const MAX_XML: u32 = 10 * 1024 * 1024;
/// Room left after the XML for a longer one defined later, as libvirt leaves it.
const XML_ROOM: usize = 64 * 1024;
/// The header's length before the XML.
const HEADER_LEN: usize = 96;

fn failed(message: String) -> Error {
    Error::new(ErrorCode::OperationFailed, ErrorDomain::Qemu, message)
}

/// Writes the header and `xml` (with room for a longer one) to `out`.
pub(crate) fn write_header(out: &mut impl Write, xml: &str, was_running: bool) -> Result<()> {
    let len = xml.len() + 1 + XML_ROOM;
    let data_len = u32::try_from(len)
        .ok()
        .filter(|&n| n <= MAX_XML)
        .ok_or_else(|| failed("domain XML too long".into()))?;
    let mut h = Vec::with_capacity(HEADER_LEN + len);
    h.extend_from_slice(MAGIC);
    for word in [VERSION, data_len, was_running as u32, 0, 0] {
        h.extend_from_slice(&word.to_le_bytes());
    }
    h.extend_from_slice(&[0u8; 15 * 4]);
    h.extend_from_slice(xml.as_bytes());
    h.resize(HEADER_LEN + len, 0);
    out.write_all(&h)
        .map_err(|e| failed(format!("failed to write save image header: {e}")))
}

/// Replaces, in the image `file` (at `path`), the domain XML with `xml` and the "guest
/// ran" word with `was_running`; a libvirt image's migration cookie moves behind the new
/// XML. Refused, as libvirt refuses it, when both do not fit where the old ones were.
pub(crate) fn rewrite_header(
    file: &mut (impl Read + Write + Seek),
    path: &str,
    xml: &str,
    was_running: bool,
) -> Result<()> {
    let io = |e: std::io::Error| failed(format!("failed to update '{path}': {e}"));
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut h = [0u8; HEADER_LEN];
    file.read_exact(&mut h).map_err(io)?;
    let fields = check(&h, path)?;
    let mut data = vec![0u8; fields.data_len as usize];
    file.read_exact(&mut data).map_err(io)?;
    let cookie = (fields.cookie_offset > 0)
        .then(|| data.get(fields.cookie_offset as usize..))
        .flatten()
        .map(|c| &c[..c.iter().position(|&b| b == 0).unwrap_or(c.len())])
        .unwrap_or_default()
        .to_vec();
    let mut new = xml.as_bytes().to_vec();
    new.push(0);
    let cookie_offset = if cookie.is_empty() {
        0
    } else {
        let at = new.len();
        new.extend_from_slice(&cookie);
        new.push(0);
        at as u32
    };
    if new.len() > data.len() {
        return Err(failed("new xml too large to fit in file".into()));
    }
    new.resize(data.len(), 0);
    h[24..28].copy_from_slice(&(was_running as u32).to_le_bytes());
    h[32..36].copy_from_slice(&cookie_offset.to_le_bytes());
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(&h).map_err(io)?;
    file.write_all(&new).map_err(io)?;
    file.flush().map_err(io)
}

/// The fields of a header that [`read_header`] and [`rewrite_header`] use.
struct Fields {
    data_len: u32,
    was_running: bool,
    cookie_offset: u32,
}

/// Checks header `h` of the image at `path`: magic, version, no compression, a sane XML
/// length.
fn check(h: &[u8; HEADER_LEN], path: &str) -> Result<Fields> {
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
    if word(3) != 0 {
        return Err(failed("compressed save images are not supported".into()));
    }
    let len = word(1);
    if len == 0 || len > MAX_XML {
        return Err(failed(format!("invalid domain XML length in '{path}'")));
    }
    Ok(Fields {
        data_len: len,
        was_running: word(2) != 0,
        cookie_offset: word(4),
    })
}

/// Reads the header from `input`: the domain XML and whether the guest ran. `input` is
/// left at the migration stream.
pub(crate) fn read_header(input: &mut impl Read, path: &str) -> Result<(String, bool)> {
    let mut h = [0u8; HEADER_LEN];
    input
        .read_exact(&mut h)
        .map_err(|e| failed(format!("failed to read qemu header of '{path}': {e}")))?;
    let Fields {
        data_len: len,
        was_running,
        ..
    } = check(&h, path)?;
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
        assert_eq!(buf.len(), 96 + 10 + XML_ROOM);
        buf.extend_from_slice(b"STREAM");
        let mut r = &buf[..];
        assert_eq!(
            read_header(&mut r, "x").unwrap(),
            ("<domain/>".into(), true)
        );
        assert_eq!(r, b"STREAM");
        assert!(read_header(&mut &b"NotLibvirtQemudSave"[..], "x").is_err());
    }

    #[test]
    fn a_rewrite_keeps_the_stream_and_a_libvirt_cookie() {
        let mut buf = Vec::new();
        write_header(&mut buf, "<domain/>", false).unwrap();
        // A cookie behind the XML, as libvirt writes one.
        buf[32..36].copy_from_slice(&16u32.to_le_bytes());
        buf[96 + 16..96 + 16 + 8].copy_from_slice(b"<cookie>");
        buf.extend_from_slice(b"STREAM");
        let mut f = std::io::Cursor::new(buf);
        let longer = format!("<domain>{}</domain>", "x".repeat(1000));
        rewrite_header(&mut f, "x", &longer, true).unwrap();
        let buf = f.into_inner();
        let mut r = &buf[..];
        assert_eq!(read_header(&mut r, "x").unwrap(), (longer.clone(), true));
        assert_eq!(r, b"STREAM");
        let at = u32::from_le_bytes(buf[32..36].try_into().unwrap()) as usize;
        assert_eq!(at, longer.len() + 1);
        assert_eq!(&buf[96 + at..96 + at + 9], b"<cookie>\0");
        let mut f = std::io::Cursor::new(buf.clone());
        let e = rewrite_header(&mut f, "x", &"y".repeat(XML_ROOM + 100), true).unwrap_err();
        assert_eq!(e.message(), "new xml too large to fit in file");
        assert_eq!(
            f.into_inner(),
            buf,
            "a refused rewrite leaves the image alone"
        );
    }
}

//! The test driver's save image, byte for byte libvirt 9.0's (`testDomainSaveImageWrite`
//! / `testDomainSaveImageOpen`): the magic `TestGuestMagic\0`, the XML's length as a
//! native-endian `int`, the domain XML. Errors carry libvirt's wording. The client's
//! path is opened through [`save_file`], which refuses symlinks, non-regular files and
//! the daemon's own directories.

use std::io::{Read, Write};

use rvirt_core::conf::DomainDef;
use rvirt_core::driver::save_file::{self, strerror};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use crate::errors;

/// The header's magic, with its NUL.
const MAGIC: &[u8; 15] = b"TestGuestMagic\0";
/// The longest XML libvirt's test driver reads back.
const MAX_XML: i32 = 8192;

/// `virReportSystemError`: the message as is, without a prefix.
fn system(message: String) -> Error {
    Error::verbatim(ErrorCode::SystemError, ErrorDomain::Test, message)
}

/// Writes the image of domain `name` with definition `xml` to `path`.
pub(crate) fn write(path: &str, name: &str, xml: &str) -> Result<()> {
    let mut f = save_file::create_save_file(path).map_err(|e| {
        system(format!(
            "saving domain '{name}' to '{path}': open failed: {}",
            strerror(&e)
        ))
    })?;
    let len = i32::try_from(xml.len()).unwrap_or(i32::MAX);
    let written = f
        .write_all(MAGIC)
        .and_then(|()| f.write_all(&len.to_ne_bytes()))
        .and_then(|()| f.write_all(xml.as_bytes()));
    if let Err(e) = written {
        drop(f);
        let _ = std::fs::remove_file(path);
        return Err(system(format!(
            "saving domain '{name}' to '{path}': write failed: {}",
            strerror(&e)
        )));
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes; a short read is libvirt's `saferead` with errno 0.
fn read_all(f: &mut std::fs::File, buf: &mut [u8], what: &str, path: &str) -> Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..]) {
            Ok(0) => return Err(system(format!("{what} in '{path}': Success"))),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(system(format!("{what} in '{path}': {}", strerror(&e)))),
        }
    }
    Ok(())
}

/// The domain XML stored in the image at `path`.
pub(crate) fn read(path: &str) -> Result<String> {
    let mut f = save_file::open_save_file(path).map_err(|e| {
        system(format!(
            "cannot read domain image '{path}': {}",
            strerror(&e)
        ))
    })?;
    let mut magic = [0u8; 15];
    read_all(&mut f, &mut magic, "incomplete save header", path)?;
    if &magic != MAGIC {
        return Err(errors::internal("mismatched header magic"));
    }
    let mut len = [0u8; 4];
    read_all(&mut f, &mut len, "failed to read metadata length", path)?;
    let len = i32::from_ne_bytes(len);
    if !(1..=MAX_XML).contains(&len) {
        return Err(errors::internal("length of metadata out of range"));
    }
    let mut xml = vec![0u8; len as usize];
    read_all(&mut f, &mut xml, "incomplete metadata", path)?;
    // libvirt reads a C string: it ends at the first NUL.
    let end = xml.iter().position(|&b| b == 0).unwrap_or(xml.len());
    Ok(String::from_utf8_lossy(&xml[..end]).into_owned())
}

/// The definition of the image at `path`, parsed as `virDomainDefineXML` parses.
pub(crate) fn read_def(path: &str, parse: impl Fn(&str) -> Result<DomainDef>) -> Result<DomainDef> {
    parse(&read(path)?)
}

//! What a block copy is asked for: the destination `<disk>` of `virDomainBlockCopy` (a
//! file or a block device, its format), the format of a destination reused with none
//! given, and the copy's typed parameters, checked as libvirt 9.0 checks them.

use std::path::Path;

use rvirt_core::api::{TypedParam, TypedValue, validate_params};
use rvirt_core::conf::xml::Element;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

use super::super::{bandwidth_bytes, invalid};

/// The typed parameters of `virDomainBlockCopy`.
const PARAMS: [(&str, &str); 3] = [
    ("bandwidth", "ullong"),
    ("granularity", "uint"),
    ("buf-size", "ullong"),
];
/// The magic a qcow2 image starts with (anything else reused is taken as raw).
const QCOW2_MAGIC: &[u8; 4] = b"QFI\xfb";

/// Where a copy goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Destination {
    /// The file or block device.
    pub path: String,
    /// Its format; `None`: the source's (or, reused, what the image holds).
    pub format: Option<String>,
    /// A block device (`<disk type='block'>`, `--blockdev`).
    pub block: bool,
}

/// The destination `<disk>` of `virDomainBlockCopy`: its type (file or block), source
/// and driver format.
pub(crate) fn parse_destination(xml: &str) -> Result<Destination> {
    let bad = |m: &str| {
        Error::new(
            ErrorCode::XmlError,
            ErrorDomain::Domain,
            format!("destination disk: {m}"),
        )
    };
    let el = Element::parse(xml).map_err(|e| bad(&e.to_string()))?;
    if el.name != "disk" {
        return Err(bad("expected a <disk> element"));
    }
    let block = match el.attr("type").unwrap_or("file") {
        "file" => false,
        "block" => true,
        other => {
            return Err(Error::new(
                ErrorCode::OperationUnsupported,
                ErrorDomain::Qemu,
                format!("copy to a disk of type '{other}' is not supported"),
            ));
        }
    };
    let source = el.child("source").ok_or_else(|| bad("missing <source>"))?;
    let path = source
        .attr(if block { "dev" } else { "file" })
        .filter(|p| !p.is_empty())
        .ok_or_else(|| bad("missing source path"))?;
    if !path.starts_with('/') {
        return Err(invalid(format!(
            "destination '{path}' must be an absolute path"
        )));
    }
    let format = el
        .child("driver")
        .and_then(|d| d.attr("type"))
        .map(str::to_owned);
    Ok(Destination {
        path: path.to_string(),
        format,
        block,
    })
}

/// The format of an image to be reused with none given: qcow2 by its magic, else raw.
pub(super) fn probe_format(path: &Path) -> String {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let qcow2 = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == QCOW2_MAGIC;
    if qcow2 { "qcow2" } else { "raw" }.to_string()
}

/// The copy parameters of `virDomainBlockCopy`: bandwidth (bytes/s), granularity (a
/// power of two) and buffer size.
pub(super) fn copy_params(params: &[TypedParam]) -> Result<(u64, Option<u32>, Option<u64>)> {
    validate_params(params, &PARAMS, ErrorDomain::Qemu)?;
    let (mut speed, mut granularity, mut buf_size) = (0, None, None);
    for p in params {
        match (p.field.as_str(), &p.value) {
            ("bandwidth", TypedValue::ULLong(v)) => speed = bandwidth_bytes(*v, true)?,
            ("granularity", TypedValue::UInt(v)) => {
                if !v.is_power_of_two() {
                    return Err(invalid("granularity must be power of 2".into()));
                }
                granularity = Some(*v);
            }
            ("buf-size", TypedValue::ULLong(v)) => buf_size = Some(*v),
            _ => {}
        }
    }
    Ok((speed, granularity, buf_size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_of_file_and_block_disks() {
        let d = parse_destination(
            "<disk type='file'><source file='/i/copy.qcow2'/><driver type='qcow2'/></disk>",
        )
        .unwrap();
        assert_eq!(
            d,
            Destination {
                path: "/i/copy.qcow2".into(),
                format: Some("qcow2".into()),
                block: false
            }
        );
        let d = parse_destination("<disk type='block'><source dev='/dev/sdz'/></disk>").unwrap();
        assert!(d.block && d.format.is_none() && d.path == "/dev/sdz");
        let e = parse_destination("<disk type='network'><source name='x'/></disk>").unwrap_err();
        assert_eq!(e.code(), ErrorCode::OperationUnsupported);
        let e = parse_destination("<disk type='file'><source file='rel.img'/></disk>").unwrap_err();
        assert!(e.message().contains("absolute"), "{e}");
        assert!(parse_destination("<disk type='file'/>").is_err());
        assert!(parse_destination("<disk").is_err());
    }

    #[test]
    fn params_are_checked_as_libvirt_checks_them() {
        let p = |f: &str, v| TypedParam::new(f, v);
        let (speed, g, b) = copy_params(&[
            p("bandwidth", TypedValue::ULLong(4096)),
            p("granularity", TypedValue::UInt(65536)),
            p("buf-size", TypedValue::ULLong(1 << 20)),
        ])
        .unwrap();
        assert_eq!((speed, g, b), (4096, Some(65536), Some(1 << 20)));
        let e = copy_params(&[p("granularity", TypedValue::UInt(1000))]).unwrap_err();
        assert_eq!(e.message(), "granularity must be power of 2");
        let e = copy_params(&[p("bandwidth", TypedValue::UInt(1))]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArg);
        let e = copy_params(&[p("speed", TypedValue::ULLong(1))]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
    }

    #[test]
    fn a_reused_image_is_qcow2_by_its_magic_else_raw() {
        let dir = std::env::temp_dir().join(format!("rvirt-copy-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let q = dir.join("q");
        std::fs::write(&q, b"QFI\xfb\0\0\0\x03").unwrap();
        let r = dir.join("r");
        std::fs::write(&r, [0u8; 512]).unwrap();
        assert_eq!(probe_format(&q), "qcow2");
        assert_eq!(probe_format(&r), "raw");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

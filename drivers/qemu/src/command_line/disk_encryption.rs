//! `<encryption format='luks'>` of a disk (in `<source>`, or the legacy place under
//! `<disk>`): which secret holds the passphrase, and the QEMU secret object that hands
//! it over. The passphrase never appears in an argument: at start QEMU reads it
//! (base64) from a 0600 file in the domain's private directory; on hotplug it travels
//! in `object-add` over the private monitor socket.

use std::fmt;
use std::path::PathBuf;

use rvirt_core::Uuid;
use rvirt_core::conf::Disk;
use rvirt_core::conf::xml::Element;
use rvirt_core::driver::SecretLookup;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::{Value, json};

use super::unsupported;

/// A disk's LUKS encryption: the secret named for its passphrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskEncryption {
    /// The `<secret type='passphrase' uuid|usage=…/>`.
    pub secret: SecretLookup,
}

/// How QEMU receives one disk's passphrase.
#[derive(Clone, PartialEq, Eq)]
pub enum DiskSecret {
    /// A private file holding the passphrase in base64.
    File(PathBuf),
    /// The passphrase itself, for `object-add` on the monitor.
    Data(Vec<u8>),
}

impl fmt::Debug for DiskSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiskSecret::File(p) => write!(f, "File({})", p.display()),
            DiskSecret::Data(_) => f.write_str("Data(<hidden>)"),
        }
    }
}

fn xml_error(message: String) -> Error {
    Error::new(ErrorCode::XmlError, ErrorDomain::Qemu, message)
}

/// The `<encryption>` of `disk`, checked as libvirt checks it for QEMU: format
/// `luks`, engine `qemu` (or none), one passphrase secret named by UUID or usage.
pub fn disk_encryption(disk: &Disk) -> Result<Option<DiskEncryption>> {
    let el: Option<&Element> = disk
        .source
        .as_ref()
        .and_then(|s| s.encryption.as_ref())
        .or(disk.encryption.as_ref());
    let Some(el) = el else {
        return Ok(None);
    };
    let target = &disk.target.dev;
    match el.attr("format") {
        Some("luks") => {}
        Some(f @ ("qcow" | "default" | "luks2" | "luks-any")) => {
            return Err(unsupported(format!(
                "encryption format '{f}' of disk '{target}' is not supported"
            )));
        }
        Some(f) => {
            return Err(xml_error(format!(
                "unknown volume encryption format type {f}"
            )));
        }
        None => {
            return Err(xml_error(
                "unknown volume encryption format type (null)".into(),
            ));
        }
    }
    if let Some(engine) = el
        .attr("engine")
        .filter(|e| *e != "qemu" && *e != "default")
    {
        return Err(unsupported(format!(
            "encryption engine '{engine}' of disk '{target}' is not supported"
        )));
    }
    let secrets: Vec<&Element> = el.elements().filter(|c| c.name == "secret").collect();
    let [secret] = secrets[..] else {
        return Err(unsupported(format!(
            "disk '{target}': a luks encryption needs exactly one passphrase secret"
        )));
    };
    match secret.attr("type") {
        Some("passphrase") => {}
        other => {
            return Err(xml_error(format!(
                "unknown volume encryption secret type {}",
                other.unwrap_or("(null)")
            )));
        }
    }
    let lookup = match (secret.attr("uuid"), secret.attr("usage")) {
        (Some(u), None) => SecretLookup::Uuid(
            Uuid::parse_str(u).map_err(|_| xml_error(format!("invalid secret uuid '{u}'")))?,
        ),
        (None, Some(u)) => SecretLookup::Usage(u.to_string()),
        (Some(_), Some(_)) => {
            return Err(xml_error(
                "either secret uuid or usage expected".to_string(),
            ));
        }
        (None, None) => {
            return Err(xml_error(
                "missing secret uuid or usage attribute".to_string(),
            ));
        }
    };
    Ok(Some(DiskEncryption { secret: lookup }))
}

/// libvirt's id of the secret object of format node `format_node`.
pub fn secret_id(format_node: &str) -> String {
    format!("{format_node}-encryption-secret0")
}

/// The `-object` (or `object-add` argument) for the secret of `format_node`;
/// `None` for the secret only checks the definition (define time).
pub fn secret_object(format_node: &str, secret: Option<&DiskSecret>) -> Value {
    let id = secret_id(format_node);
    match secret {
        Some(DiskSecret::File(path)) => json!({"qom-type": "secret", "id": id,
            "format": "base64", "file": path}),
        Some(DiskSecret::Data(data)) => json!({"qom-type": "secret", "id": id,
            "format": "base64", "data": crate::driver::base64(data)}),
        None => json!({"qom-type": "secret", "id": id, "format": "raw",
            "file": "/dev/null"}),
    }
}

/// Makes `format_node` (a `raw` or `qcow2` node) open its image with the secret:
/// a raw image is a `luks` node, a qcow2 one has `encrypt.format=luks`.
pub fn apply(format_node: &mut Value, format: &str) {
    let node_name = format_node["node-name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let id = secret_id(&node_name);
    if format == "qcow2" {
        format_node["encrypt"] = json!({"format": "luks", "key-secret": id});
    } else {
        format_node["driver"] = "luks".into();
        format_node["key-secret"] = id.into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rvirt_core::conf::DomainDef;

    fn disk(enc: &str, legacy: bool) -> Disk {
        let (inner, outer) = if legacy { ("", enc) } else { (enc, "") };
        let xml = format!(
            "<domain type='qemu'><name>d</name><memory>65536</memory><os><type>hvm</type></os>\
             <devices><disk type='file'><source file='/i.img'>{inner}</source>\
             <target dev='vda'/>{outer}</disk></devices></domain>"
        );
        let def = DomainDef::from_xml(&xml).unwrap();
        match &def.devices()[0] {
            rvirt_core::conf::Device::Disk(d) => d.clone(),
            _ => unreachable!(),
        }
    }

    const U: &str = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";

    #[test]
    fn luks_with_a_uuid_or_a_usage() {
        let by_uuid = format!(
            "<encryption format='luks'><secret type='passphrase' uuid='{U}'/></encryption>"
        );
        for legacy in [false, true] {
            let e = disk_encryption(&disk(&by_uuid, legacy)).unwrap().unwrap();
            assert_eq!(e.secret, SecretLookup::Uuid(Uuid::parse_str(U).unwrap()));
        }
        let by_usage =
            "<encryption format='luks'><secret type='passphrase' usage='/i.img'/></encryption>";
        let e = disk_encryption(&disk(by_usage, false)).unwrap().unwrap();
        assert_eq!(e.secret, SecretLookup::Usage("/i.img".into()));
        assert_eq!(disk_encryption(&disk("", false)).unwrap(), None);
    }

    #[test]
    fn what_libvirt_refuses() {
        let cases = [
            (
                "<encryption format='qcow'><secret type='passphrase' usage='x'/></encryption>",
                ErrorCode::ConfigUnsupported,
            ),
            ("<encryption format='bogus'/>", ErrorCode::XmlError),
            ("<encryption format='luks'/>", ErrorCode::ConfigUnsupported),
            (
                "<encryption format='luks' engine='librbd'><secret type='passphrase' usage='x'/></encryption>",
                ErrorCode::ConfigUnsupported,
            ),
            (
                "<encryption format='luks'><secret type='ceph' usage='x'/></encryption>",
                ErrorCode::XmlError,
            ),
            (
                "<encryption format='luks'><secret type='passphrase'/></encryption>",
                ErrorCode::XmlError,
            ),
        ];
        for (xml, code) in cases {
            let e = disk_encryption(&disk(xml, false)).unwrap_err();
            assert_eq!(e.code(), code, "{xml}: {e}");
        }
    }

    #[test]
    fn the_secret_never_shows_in_the_object_or_debug() {
        let file = DiskSecret::File("/p/s.secret".into());
        assert_eq!(
            secret_object("libvirt-1-format", Some(&file)).to_string(),
            r#"{"file":"/p/s.secret","format":"base64","id":"libvirt-1-format-encryption-secret0","qom-type":"secret"}"#
        );
        let data = DiskSecret::Data(b"hunter2".to_vec());
        assert_eq!(format!("{data:?}"), "Data(<hidden>)");
        let v = secret_object("libvirt-2-format", Some(&data));
        assert_eq!(v["data"], "aHVudGVyMg==");
        let mut raw = json!({"node-name": "libvirt-1-format", "driver": "raw"});
        apply(&mut raw, "raw");
        assert_eq!(raw["driver"], "luks");
        assert_eq!(raw["key-secret"], "libvirt-1-format-encryption-secret0");
        let mut q = json!({"node-name": "libvirt-1-format", "driver": "qcow2"});
        apply(&mut q, "qcow2");
        assert_eq!(q["driver"], "qcow2");
        assert_eq!(q["encrypt"]["format"], "luks");
    }
}

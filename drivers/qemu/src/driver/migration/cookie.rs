//! The migration cookie the two QEMU drivers pass each other through the client, in
//! the shape of libvirt's (`<qemu-migration>` with the domain's name and UUID and the
//! sender's host), NUL-terminated as libvirt sends it. rvirt's drivers add the
//! sender's root: two daemons on one host (two roots) may migrate between them, a
//! driver never to itself.

use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// What one side says of itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cookie {
    /// The domain's name.
    pub name: String,
    /// The domain's UUID.
    pub uuid: String,
    /// The sender's host name.
    pub hostname: String,
    /// The sender's driver root (canonical path).
    pub root: String,
    /// A destination's NBD server for a storage migration (libvirt's `<nbd port=…/>`).
    pub nbd_port: Option<u16>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text of element `tag` in `xml`.
fn element(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&close)?;
    Some(unescape(&xml[start..end]))
}

impl Cookie {
    /// The bytes sent.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let nbd = self
            .nbd_port
            .map(|p| format!("  <nbd port='{p}'/>\n"))
            .unwrap_or_default();
        let mut xml = format!(
            "<qemu-migration>\n  <name>{}</name>\n  <uuid>{}</uuid>\n  <hostname>{}</hostname>\n{nbd}  <rvirt:root xmlns:rvirt='https://rvirt.dev/migration'>{}</rvirt:root>\n</qemu-migration>\n",
            escape(&self.name),
            escape(&self.uuid),
            escape(&self.hostname),
            escape(&self.root)
        )
        .into_bytes();
        xml.push(0);
        xml
    }

    /// Reads a cookie another rvirt QEMU driver sent.
    ///
    /// Errors: `VIR_ERR_INTERNAL_ERROR` for bytes that are not one.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Cookie> {
        let bad = || {
            Error::new(
                ErrorCode::InternalError,
                ErrorDomain::Qemu,
                "missing or malformed migration cookie",
            )
        };
        let text =
            std::str::from_utf8(bytes.strip_suffix(&[0]).unwrap_or(bytes)).map_err(|_| bad())?;
        if !text.trim_start().starts_with("<qemu-migration>") {
            return Err(bad());
        }
        let root_tag = "rvirt:root xmlns:rvirt='https://rvirt.dev/migration'";
        let root = text
            .find(&format!("<{root_tag}>"))
            .and_then(|i| {
                let start = i + root_tag.len() + 2;
                let end = start + text[start..].find("</rvirt:root>")?;
                Some(unescape(&text[start..end]))
            })
            .unwrap_or_default();
        let nbd_port = text.find("<nbd port='").and_then(|i| {
            let start = i + "<nbd port='".len();
            let end = start + text[start..].find('\'')?;
            text[start..end].parse().ok()
        });
        Ok(Cookie {
            nbd_port,
            name: element(text, "name").ok_or_else(bad)?,
            uuid: element(text, "uuid").ok_or_else(bad)?,
            hostname: element(text, "hostname").ok_or_else(bad)?,
            root,
        })
    }

    /// Whether `other` was sent by this same driver instance.
    pub(crate) fn same_driver(&self, other: &Cookie) -> bool {
        self.hostname == other.hostname && self.root == other.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_reads_back_what_was_written() {
        let c = Cookie {
            name: "a<b>&c".into(),
            uuid: "c7a5fdbd-edaf-9455-926a-d65c16db1809".into(),
            hostname: "vm".into(),
            root: "/var/lib/rvirt".into(),
            nbd_port: Some(49153),
        };
        let bytes = c.encode();
        assert_eq!(bytes.last(), Some(&0));
        assert_eq!(Cookie::decode(&bytes).unwrap(), c);
        assert!(c.same_driver(&Cookie::decode(&bytes).unwrap()));
    }

    #[test]
    fn garbage_is_refused() {
        for bytes in [
            &b""[..],
            b"\xff\xfe",
            b"<other/>",
            b"<qemu-migration></qemu-migration>",
        ] {
            let e = Cookie::decode(bytes).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InternalError);
        }
    }
}

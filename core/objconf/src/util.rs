//! Small parsing helpers shared by the object models.

use std::net::IpAddr;

use uuid::Uuid;

use crate::error::{Result, XmlError};
use crate::tree::Element;

/// The `<uuid>` child: parsed when present (libvirt's "malformed uuid element",
/// `VIR_ERR_INTERNAL_ERROR`, when it does not parse), random when absent.
pub fn uuid_of(e: &Element, domain: i32) -> Result<Uuid> {
    match e.child_text("uuid") {
        Some(t) => {
            parse_uuid(&t).ok_or_else(|| XmlError::internal(domain, "malformed uuid element"))
        }
        None => Ok(Uuid::new_v4()),
    }
}

/// A UUID in libvirt's accepted forms (hyphenated or plain hex, any case).
pub fn parse_uuid(text: &str) -> Option<Uuid> {
    let hex: String = text.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if hex.len() != 32 {
        return None;
    }
    Uuid::parse_str(&hex).ok()
}

/// An unsigned number attribute, if present; `what` names it in the error.
pub fn num_attr<T: std::str::FromStr>(e: &Element, key: &str, domain: i32) -> Result<Option<T>> {
    match e.get(key) {
        None => Ok(None),
        Some(v) => v.trim().parse().map(Some).map_err(|_| {
            XmlError::xml(
                domain,
                format!(
                    "Invalid value for attribute '{key}' in element '{}': '{v}'.",
                    e.name
                ),
            )
        }),
    }
}

/// An IP address attribute, if present.
pub fn ip_attr(e: &Element, key: &str, domain: i32, net: &str) -> Result<Option<IpAddr>> {
    match e.get(key) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            XmlError::xml(domain, format!("Invalid address '{v}' in network '{net}'"))
        }),
    }
}

/// A MAC address in libvirt's canonical form (lower-case, colon-separated).
pub fn parse_mac(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut out = Vec::with_capacity(6);
    for p in parts {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        out.push(u8::from_str_radix(p, 16).ok()?);
    }
    Some(
        out.iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

/// A size with a unit (libvirt's `virScaleInteger`): `b`/`bytes`, `k`/`KiB` … powers of
/// 1024, `KB`, `MB` … powers of 1000; the default unit is bytes.
pub fn scaled(value: &str, unit: Option<&str>) -> Option<u64> {
    let n: u64 = value.trim().parse().ok()?;
    let unit = unit.unwrap_or("bytes");
    let lower = unit.to_ascii_lowercase();
    let (base, letter) = if lower == "b" || lower == "bytes" {
        return Some(n);
    } else if lower.len() == 1 || (lower.len() == 3 && lower.ends_with("ib")) {
        (1024u64, lower.chars().next()?)
    } else if lower.len() == 2 && lower.ends_with('b') {
        (1000, lower.chars().next()?)
    } else {
        return None;
    };
    let exp = "kmgtpe".find(letter)? as u32 + 1;
    n.checked_mul(base.checked_pow(exp)?)
}

/// A `<capacity unit='…'>N</capacity>`-style child in bytes.
pub fn scaled_child(e: &Element, name: &str, domain: i32) -> Result<Option<u64>> {
    let Some(c) = e.find(name) else {
        return Ok(None);
    };
    scaled(c.trimmed(), c.get("unit"))
        .map(Some)
        .ok_or_else(|| XmlError::xml(domain, format!("malformed {name} element")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_macs() {
        assert_eq!(scaled("10", Some("M")), Some(10 << 20));
        assert_eq!(scaled("10", Some("MB")), Some(10_000_000));
        assert_eq!(scaled("10", Some("GiB")), Some(10 << 30));
        assert_eq!(scaled("10", None), Some(10));
        assert_eq!(scaled("x", None), None);
        assert_eq!(scaled("1", Some("Q")), None);
        assert_eq!(
            parse_mac("52:54:00:AB:0:1").as_deref(),
            Some("52:54:00:ab:00:01")
        );
        assert_eq!(parse_mac("52:54:00:ab:00"), None);
        assert!(parse_uuid("dd8fe8846c02601e7551cca97df1c5df").is_some());
        assert!(parse_uuid("zz").is_none());
    }
}

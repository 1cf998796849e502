//! `<secret>`: libvirt's secret XML ([`SecretDef`]).

use uuid::Uuid;

use crate::error::{Result, XmlError, domain::SECRET};
use crate::tree::{Element, parse_root};
use crate::util::parse_uuid;

/// Usage types by number (`virSecretUsageType`) with the element naming the usage.
pub const USAGE_TYPES: &[(&str, &str)] = &[
    ("none", ""),
    ("volume", "volume"),
    ("ceph", "name"),
    ("iscsi", "target"),
    ("tls", "name"),
    ("vtpm", "name"),
];

/// A secret definition (the value is kept apart).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretDef {
    /// Value never written to disk.
    pub ephemeral: bool,
    /// Value never returned to clients.
    pub private: bool,
    /// Unique UUID.
    pub uuid: Uuid,
    /// `<description>`.
    pub description: Option<String>,
    /// `virSecretUsageType` number (0 = none).
    pub usage_type: i32,
    /// The usage id (volume path, ceph/tls/vtpm name, iSCSI target).
    pub usage_id: String,
}

/// libvirt's words for a usage without its element.
fn missing_usage(t: &str) -> String {
    match t {
        "volume" => "volume usage specified, but volume path is missing".into(),
        "ceph" => "Ceph usage specified, but name is missing".into(),
        "iscsi" => "iSCSI usage specified, but target is missing".into(),
        "tls" => "TLS usage specified, but name is missing".into(),
        "vtpm" => "vTPM usage specified, but name is missing".into(),
        _ => format!("{t} usage specified, but its id is missing"),
    }
}

fn yes_no(root: &Element, key: &str) -> Result<bool> {
    match root.get(key) {
        None | Some("no") => Ok(false),
        Some("yes") => Ok(true),
        Some(_) => Err(XmlError::xml(SECRET, format!("invalid value of '{key}'"))),
    }
}

impl SecretDef {
    /// Parses a `<secret>` document.
    pub fn from_xml(xml: &str) -> Result<SecretDef> {
        let root = parse_root(xml, "secret", "definition_of_secret", SECRET)?;
        let uuid = match root.child_text("uuid") {
            Some(t) => parse_uuid(&t)
                .ok_or_else(|| XmlError::internal(SECRET, "malformed uuid element"))?,
            None => Uuid::new_v4(),
        };
        let (usage_type, usage_id) = match root.find("usage") {
            None => (0, String::new()),
            Some(u) => {
                let t = u
                    .get("type")
                    .ok_or_else(|| XmlError::xml(SECRET, "unknown secret usage type"))?;
                let i = USAGE_TYPES
                    .iter()
                    .position(|(n, _)| *n == t)
                    .ok_or_else(|| {
                        XmlError::unsupported(SECRET, format!("unknown secret usage type {t}"))
                    })?;
                let child = USAGE_TYPES[i].1;
                let id = if child.is_empty() {
                    String::new()
                } else {
                    u.child_text(child)
                        .ok_or_else(|| XmlError::internal(SECRET, missing_usage(t)))?
                };
                (i as i32, id)
            }
        };
        Ok(SecretDef {
            ephemeral: yes_no(&root, "ephemeral")?,
            private: yes_no(&root, "private")?,
            uuid,
            description: root.child_text("description"),
            usage_type,
            usage_id,
        })
    }

    /// The XML, as libvirt's `virSecretDefFormat` writes it.
    pub fn to_xml(&self) -> String {
        let yn = |b: bool| if b { "yes" } else { "no" };
        let usage = USAGE_TYPES
            .get(self.usage_type as usize)
            .filter(|_| self.usage_type > 0)
            .map(|(name, child)| {
                Element::new("usage")
                    .attr("type", name)
                    .child(Element::leaf(child, &self.usage_id))
            });
        Element::new("secret")
            .attr("ephemeral", yn(self.ephemeral))
            .attr("private", yn(self.private))
            .child(Element::leaf("uuid", self.uuid.hyphenated().to_string()))
            .opt_child(
                self.description
                    .as_ref()
                    .map(|d| Element::leaf("description", d)),
            )
            .opt_child(usage)
            .to_xml()
    }
}

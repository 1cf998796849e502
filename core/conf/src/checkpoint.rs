//! `<domaincheckpoint>`: the definition of a domain checkpoint, as
//! `virDomainCheckpointCreateXML` takes it and `virDomainCheckpointGetXMLDesc` returns it
//! (with the domain definition of the moment embedded), and the disk alignment libvirt
//! applies before a checkpoint is taken (every disk of the domain listed, in the domain's
//! order, with a bitmap named after the checkpoint unless told otherwise).
//!
//! ```
//! use rvirt_conf::DomainCheckpointDef;
//!
//! let c = DomainCheckpointDef::from_xml(
//!     "<domaincheckpoint><name>nightly</name><disks><disk name='vda' checkpoint='bitmap' \
//!      bitmap='nightly'/></disks></domaincheckpoint>",
//! ).unwrap();
//! assert_eq!(c.name.as_deref(), Some("nightly"));
//! assert!(c.to_xml(true).contains("<disk name='vda' checkpoint='bitmap' bitmap='nightly'/>"));
//! ```

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::error::{codes, domains};
use crate::{ConfError, Device, DomainDef};

/// One disk's entry (`<disks><disk name= checkpoint= bitmap= size=/>`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CheckpointDisk {
    /// Disk target (or, as written by a client, its source path).
    pub name: String,
    /// `bitmap` or `no`; `None` until aligned when the client left it out.
    pub checkpoint: Option<String>,
    /// The bitmap's name (`bitmap` checkpoints).
    pub bitmap: Option<String>,
    /// `size`: bytes changed since the checkpoint (only reported on request).
    pub size: Option<u64>,
}

impl CheckpointDisk {
    /// True for a disk whose changes the checkpoint tracks in a bitmap.
    pub fn is_bitmap(&self) -> bool {
        self.checkpoint.as_deref() != Some("no")
    }
}

/// A parsed `<domaincheckpoint>`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DomainCheckpointDef {
    /// `<name>`; the driver names unnamed checkpoints after their creation time.
    pub name: Option<String>,
    /// `<description>`.
    pub description: Option<String>,
    /// `<parent><name>`.
    pub parent: Option<String>,
    /// `<creationTime>`, seconds since the epoch.
    pub creation_time: Option<i64>,
    /// `<disks>`.
    pub disks: Vec<CheckpointDisk>,
    /// `<domain>`: the definition at the time.
    pub domain: Option<DomainDef>,
}

fn xml_err(message: impl Into<String>) -> ConfError {
    ConfError::Xml {
        message: message.into(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

fn unsupported(message: String) -> ConfError {
    ConfError::Invalid {
        code: codes::CONFIG_UNSUPPORTED,
        domain: domains::DOMAIN_CHECKPOINT,
        message,
    }
}

/// True when `name` matches the schema's `checkpointName` (`[a-zA-Z0-9_-][a-zA-Z0-9_.-]*`):
/// no leading dot, no slash, no newline — names become file names.
pub fn valid_checkpoint_name(name: &str) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphanumeric() || c == '_' || c == '-' || (!first && c == '.')
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

/// The schema refusal libvirt reports for a document its RNG rejects
/// (`VIR_ERR_XML_INVALID_SCHEMA` in `VIR_FROM_XML`).
fn schema_error() -> ConfError {
    ConfError::Invalid {
        code: codes::XML_INVALID_SCHEMA,
        domain: domains::XML,
        message: "Unable to validate doc against /usr/share/libvirt/schemas/domaincheckpoint.rng\n\
                  Extra element name in interleave\n\
                  Element domaincheckpoint failed to validate content\n"
            .into(),
    }
}

impl DomainCheckpointDef {
    /// Parses a `<domaincheckpoint>` document (names checked against the schema's pattern).
    pub fn from_xml(xml: &str) -> Result<DomainCheckpointDef, ConfError> {
        let mut r = Reader::from_str(xml);
        let mut def = DomainCheckpointDef::default();
        let mut path: Vec<String> = Vec::new();
        let mut root_seen = false;
        let mut text = String::new();
        loop {
            let start = r.buffer_position();
            let ev = r.read_event().map_err(|e| ConfError::Malformed {
                line: 1,
                message: e.to_string(),
            })?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    let name = e.name().as_ref().to_owned();
                    let attr = |k: &str| {
                        e.attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == k)
                            .and_then(|a| {
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()
                            })
                            .map(|v| v.into_owned())
                    };
                    if !root_seen {
                        if name != "domaincheckpoint" {
                            return Err(ConfError::WrongRoot { found: name });
                        }
                        root_seen = true;
                        if empty {
                            break;
                        }
                        continue;
                    }
                    match (path.as_slice(), name.as_str()) {
                        ([], "domain") => {
                            let raw = if empty {
                                xml[start as usize..r.buffer_position() as usize].to_string()
                            } else {
                                r.read_to_end(e.name())
                                    .map_err(|e| xml_err(format!("in <domain>: {e}")))?;
                                xml[start as usize..r.buffer_position() as usize].to_string()
                            };
                            def.domain = Some(DomainDef::from_stored_xml(&raw)?);
                            continue;
                        }
                        ([d], "disk") if d == "disks" => {
                            let checkpoint = attr("checkpoint");
                            if let Some(c) = checkpoint.as_deref()
                                && c != "bitmap"
                                && c != "no"
                            {
                                return Err(xml_err(format!("unknown checkpoint type '{c}'")));
                            }
                            let size = match attr("size") {
                                Some(s) => Some(
                                    s.parse()
                                        .map_err(|_| xml_err(format!("invalid size '{s}'")))?,
                                ),
                                None => None,
                            };
                            def.disks.push(CheckpointDisk {
                                name: attr("name").unwrap_or_default(),
                                checkpoint,
                                bitmap: attr("bitmap"),
                                size,
                            });
                        }
                        _ => {}
                    }
                    if !empty {
                        path.push(name);
                        text.clear();
                    }
                }
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(g) => {
                    let name: &str = &g;
                    let escaped = format!("&{name};");
                    let value = quick_xml::escape::unescape(&escaped)
                        .map_err(|_| xml_err(format!("Entity '{name}' not defined")))?;
                    text.push_str(&value);
                }
                Event::End(_) => {
                    let text = std::mem::take(&mut text);
                    let trimmed = text.trim();
                    match path
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .as_slice()
                    {
                        ["name"] => def.name = Some(trimmed.to_string()),
                        ["description"] => def.description = Some(text.clone()),
                        ["parent", "name"] => def.parent = Some(trimmed.to_string()),
                        ["creationTime"] => {
                            def.creation_time = Some(trimmed.parse().map_err(|_| {
                                xml_err(format!("invalid creationTime '{trimmed}'"))
                            })?);
                        }
                        _ => {}
                    }
                    path.pop();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !root_seen {
            return Err(xml_err("missing root element"));
        }
        for n in [&def.name, &def.parent].into_iter().flatten() {
            if !valid_checkpoint_name(n) {
                return Err(schema_error());
            }
        }
        Ok(def)
    }

    /// libvirt's `virDomainCheckpointAlignDisks` against `dom`: every disk named in the
    /// checkpoint must be one of the domain's (by target or source path), once, and able
    /// to hold a bitmap (not empty, not read-only); the result lists every disk of the
    /// domain in its order, unnamed ones defaulting to a bitmap named after the
    /// checkpoint (or `no` for empty and read-only disks).
    pub fn align_disks(&mut self, dom: &DomainDef) -> Result<(), ConfError> {
        let disks: Vec<_> = dom
            .devices()
            .iter()
            .filter_map(|d| match d {
                Device::Disk(d) => Some(d),
                _ => None,
            })
            .collect();
        if disks.is_empty() {
            return Err(unsupported(
                "domain must have at least one disk to perform checkpoints".into(),
            ));
        }
        if self.disks.len() > disks.len() {
            return Err(unsupported(
                "too many disk checkpoint requests for domain".into(),
            ));
        }
        let name = self.name.clone().unwrap_or_default();
        let mut aligned: Vec<Option<CheckpointDisk>> = vec![None; disks.len()];
        for mut c in std::mem::take(&mut self.disks) {
            let idx = disks
                .iter()
                .position(|d| d.target.dev == c.name)
                .or_else(|| {
                    disks
                        .iter()
                        .position(|d| d.source_path() == Some(c.name.as_str()))
                })
                .ok_or_else(|| unsupported(format!("no disk named '{}'", c.name)))?;
            let d = disks[idx];
            if aligned[idx].is_some() {
                return Err(unsupported(format!("disk '{}' specified twice", c.name)));
            }
            c.name = d.target.dev.clone();
            if c.is_bitmap() {
                if d.readonly || d.source_path().is_none() {
                    return Err(unsupported(format!(
                        "disk '{}' is empty or readonly",
                        c.name
                    )));
                }
                c.checkpoint = Some("bitmap".into());
                c.bitmap.get_or_insert_with(|| name.clone());
            }
            aligned[idx] = Some(c);
        }
        self.disks = aligned
            .into_iter()
            .zip(&disks)
            .map(|(c, d)| {
                c.unwrap_or_else(|| {
                    let usable = !d.readonly && d.source_path().is_some();
                    CheckpointDisk {
                        name: d.target.dev.clone(),
                        checkpoint: Some(if usable { "bitmap" } else { "no" }.into()),
                        bitmap: usable.then(|| name.clone()),
                        size: None,
                    }
                })
            })
            .collect();
        Ok(())
    }

    /// Writes the document as libvirt formats it (two-space indentation); the domain
    /// definition is left out with `no_domain` (`VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN`).
    pub fn to_xml(&self, no_domain: bool) -> String {
        let mut out = String::from("<domaincheckpoint>\n");
        let line = |out: &mut String, tag: &str, v: &str| {
            out.push_str(&format!("  <{tag}>{}</{tag}>\n", escape(v)));
        };
        if let Some(n) = &self.name {
            line(&mut out, "name", n);
        }
        if let Some(d) = &self.description {
            line(&mut out, "description", d);
        }
        if let Some(p) = &self.parent {
            out.push_str(&format!(
                "  <parent>\n    <name>{}</name>\n  </parent>\n",
                escape(p)
            ));
        }
        if let Some(t) = self.creation_time {
            line(&mut out, "creationTime", &t.to_string());
        }
        if !self.disks.is_empty() {
            out.push_str("  <disks>\n");
            for d in &self.disks {
                out.push_str(&format!("    <disk name='{}'", escape(&d.name)));
                if let Some(c) = &d.checkpoint {
                    out.push_str(&format!(" checkpoint='{}'", escape(c)));
                }
                if d.is_bitmap() {
                    if let Some(b) = &d.bitmap {
                        out.push_str(&format!(" bitmap='{}'", escape(b)));
                    }
                    if let Some(s) = d.size {
                        out.push_str(&format!(" size='{s}'"));
                    }
                }
                out.push_str("/>\n");
            }
            out.push_str("  </disks>\n");
        }
        if !no_domain
            && let Some(dom) = &self.domain
            && let Ok(xml) = dom.to_xml()
        {
            for l in xml.lines() {
                out.push_str("  ");
                out.push_str(l);
                out.push('\n');
            }
        }
        out.push_str("</domaincheckpoint>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOM: &str = "<domain type='test'><name>d</name><memory>1024</memory>\
        <os><type>hvm</type></os><devices>\
        <disk type='file' device='disk'><source file='/i/a.qcow2'/><target dev='vda' bus='virtio'/></disk>\
        <disk type='file' device='disk'><source file='/i/b.img'/><target dev='vdb' bus='virtio'/><readonly/></disk>\
        <disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk></devices></domain>";

    #[test]
    fn a_checkpoint_round_trips_with_its_domain() {
        let c = DomainCheckpointDef::from_xml(&format!(
            "<domaincheckpoint><name>c1</name><description>a &amp; b</description>\
             <parent><name>c0</name></parent><creationTime>42</creationTime>\
             <disks><disk name='vda' checkpoint='bitmap' bitmap='c1' size='4096'/>\
             <disk name='vdb' checkpoint='no'/></disks>{DOM}</domaincheckpoint>"
        ))
        .unwrap();
        assert_eq!(c.description.as_deref(), Some("a & b"));
        assert_eq!(c.parent.as_deref(), Some("c0"));
        assert_eq!(c.disks[0].size, Some(4096));
        assert!(!c.disks[1].is_bitmap());
        let again = DomainCheckpointDef::from_xml(&c.to_xml(false)).unwrap();
        assert_eq!(again, c);
        let bare = c.to_xml(true);
        assert!(!bare.contains("<domain "), "{bare}");
        assert!(bare.contains("<disk name='vdb' checkpoint='no'/>"));
    }

    #[test]
    fn disks_are_aligned_as_libvirt_aligns_them() {
        let dom = DomainDef::from_xml(DOM).unwrap();
        let mut c = DomainCheckpointDef::from_xml(
            "<domaincheckpoint><name>n</name><disks><disk name='/i/a.qcow2' bitmap='x'/>\
             </disks></domaincheckpoint>",
        )
        .unwrap();
        c.align_disks(&dom).unwrap();
        let got: Vec<_> = c
            .disks
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.checkpoint.as_deref(),
                    d.bitmap.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("vda", Some("bitmap"), Some("x")),
                ("vdb", Some("no"), None),
                ("sda", Some("no"), None)
            ]
        );
        for (xml, want) in [
            ("<disk name='vdz'/>", "no disk named 'vdz'"),
            ("<disk name='vdb'/>", "disk 'vdb' is empty or readonly"),
            (
                "<disk name='vda'/><disk name='/i/a.qcow2'/>",
                "disk '/i/a.qcow2' specified twice",
            ),
        ] {
            let mut c = DomainCheckpointDef::from_xml(&format!(
                "<domaincheckpoint><name>n</name><disks>{xml}</disks></domaincheckpoint>"
            ))
            .unwrap();
            assert_eq!(c.align_disks(&dom).unwrap_err().detail(), want);
        }
    }

    #[test]
    fn names_roots_and_numbers_are_checked() {
        assert!(valid_checkpoint_name("a-b_c.1"));
        for bad in ["", ".a", "a/b", "a\nb", "../x"] {
            assert!(!valid_checkpoint_name(bad), "{bad:?}");
        }
        assert_eq!(
            DomainCheckpointDef::from_xml("<domaincheckpoint><name>a/b</name></domaincheckpoint>")
                .unwrap_err()
                .libvirt_code(),
            codes::XML_INVALID_SCHEMA
        );
        assert!(matches!(
            DomainCheckpointDef::from_xml("<domainsnapshot/>"),
            Err(ConfError::WrongRoot { .. })
        ));
        assert!(
            DomainCheckpointDef::from_xml(
                "<domaincheckpoint><creationTime>x</creationTime></domaincheckpoint>"
            )
            .is_err()
        );
    }
}

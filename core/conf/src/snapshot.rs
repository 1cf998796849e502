//! `<domainsnapshot>`: the definition of a domain snapshot, as `virDomainSnapshotCreateXML`
//! takes it and `virDomainSnapshotGetXMLDesc` returns it (with the domain definition of
//! the moment embedded).
//!
//! ```
//! use rvirt_conf::DomainSnapshotDef;
//!
//! let s = DomainSnapshotDef::from_xml(
//!     "<domainsnapshot><name>before-upgrade</name><description>db</description></domainsnapshot>",
//! ).unwrap();
//! assert_eq!(s.name.as_deref(), Some("before-upgrade"));
//! assert!(s.to_xml().contains("<description>db</description>"));
//! ```

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::{ConfError, DomainDef};

/// One disk's entry (`<disks><disk name= snapshot=/>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotDisk {
    /// Disk target (or source path).
    pub name: String,
    /// `no`, `internal`, `external` or `manual`.
    pub snapshot: String,
    /// `<source file=…/>`: an external snapshot's new image.
    pub source: Option<String>,
}

/// A parsed `<domainsnapshot>`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DomainSnapshotDef {
    /// `<name>`; the driver names unnamed snapshots after their creation time.
    pub name: Option<String>,
    /// `<description>`.
    pub description: Option<String>,
    /// `<state>`: the domain's state when taken (`running`, `shutoff`, `paused`,
    /// `disk-snapshot`).
    pub state: Option<String>,
    /// `<parent><name>`.
    pub parent: Option<String>,
    /// `<creationTime>`, seconds since the epoch.
    pub creation_time: Option<i64>,
    /// `<memory snapshot=>`: `no`, `internal` or `external`.
    pub memory: Option<String>,
    /// `<disks>`.
    pub disks: Vec<SnapshotDisk>,
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

impl DomainSnapshotDef {
    /// Parses a `<domainsnapshot>` document.
    pub fn from_xml(xml: &str) -> Result<DomainSnapshotDef, ConfError> {
        let mut r = Reader::from_str(xml);
        let mut def = DomainSnapshotDef::default();
        // Path of open elements below the root.
        let mut path: Vec<String> = Vec::new();
        let mut root_seen = false;
        // Text of the element being read (entities arrive as separate events).
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
                        if name != "domainsnapshot" {
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
                                let span = r
                                    .read_to_end(e.name())
                                    .map_err(|e| xml_err(format!("in <domain>: {e}")))?;
                                let end = r.buffer_position() as usize;
                                let _ = span;
                                xml[start as usize..end].to_string()
                            };
                            def.domain = Some(DomainDef::from_stored_xml(&raw)?);
                            continue;
                        }
                        ([], "memory") => def.memory = attr("snapshot"),
                        ([d], "disk") if d == "disks" => def.disks.push(SnapshotDisk {
                            name: attr("name").unwrap_or_default(),
                            snapshot: attr("snapshot").unwrap_or_else(|| "internal".into()),
                            source: None,
                        }),
                        ([d, k], "source") if d == "disks" && k == "disk" => {
                            if let Some(last) = def.disks.last_mut() {
                                last.source = attr("file");
                            }
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
                    let text = text.trim();
                    match path
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .as_slice()
                    {
                        ["name"] => def.name = Some(text.to_string()),
                        ["description"] => def.description = Some(text.to_string()),
                        ["state"] => def.state = Some(text.to_string()),
                        ["parent", "name"] => def.parent = Some(text.to_string()),
                        ["creationTime"] => {
                            def.creation_time =
                                Some(text.parse().map_err(|_| {
                                    xml_err(format!("invalid creationTime '{text}'"))
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
        if def.name.as_deref() == Some("") {
            def.name = None;
        }
        Ok(def)
    }

    /// Writes the document as libvirt formats it (two-space indentation, the domain
    /// definition nested).
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<domainsnapshot>\n");
        let line = |out: &mut String, tag: &str, v: &str| {
            out.push_str(&format!("  <{tag}>{}</{tag}>\n", escape(v)));
        };
        if let Some(n) = &self.name {
            line(&mut out, "name", n);
        }
        if let Some(d) = &self.description {
            line(&mut out, "description", d);
        }
        if let Some(s) = &self.state {
            line(&mut out, "state", s);
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
        if let Some(m) = &self.memory {
            out.push_str(&format!("  <memory snapshot='{}'/>\n", escape(m)));
        }
        if !self.disks.is_empty() {
            out.push_str("  <disks>\n");
            for d in &self.disks {
                let head = format!(
                    "    <disk name='{}' snapshot='{}'",
                    escape(&d.name),
                    escape(&d.snapshot)
                );
                match &d.source {
                    Some(file) => out.push_str(&format!(
                        "{head} type='file'>\n      <source file='{}'/>\n    </disk>\n",
                        escape(file)
                    )),
                    None => out.push_str(&format!("{head}/>\n")),
                }
            }
            out.push_str("  </disks>\n");
        }
        if let Some(dom) = &self.domain
            && let Ok(xml) = dom.to_xml()
        {
            for l in xml.lines() {
                out.push_str("  ");
                out.push_str(l);
                out.push('\n');
            }
        }
        out.push_str("</domainsnapshot>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_round_trips_with_its_domain() {
        let mut s = DomainSnapshotDef::from_xml(
            "<domainsnapshot><name>a &amp; b</name><parent><name>p</name></parent>\
             <creationTime>42</creationTime><state>running</state>\
             <memory snapshot='internal'/><disks><disk name='vda' snapshot='internal'/>\
             <disk name='vdb' snapshot='external'><source file='/i/b.s1'/></disk></disks>\
             <domain type='test'><name>d</name><memory>1024</memory><os><type>hvm</type></os>\
             </domain></domainsnapshot>",
        )
        .unwrap();
        assert_eq!(s.name.as_deref(), Some("a & b"));
        assert_eq!(s.parent.as_deref(), Some("p"));
        assert_eq!(s.creation_time, Some(42));
        assert_eq!(s.disks[0].name, "vda");
        assert_eq!(s.disks[1].source.as_deref(), Some("/i/b.s1"));
        assert_eq!(s.disks[0].source, None);
        assert_eq!(s.domain.as_ref().unwrap().name, "d");
        let again = DomainSnapshotDef::from_xml(&s.to_xml()).unwrap();
        s.domain = None;
        let mut again2 = again.clone();
        again2.domain = None;
        assert_eq!(again2, s);
        assert!(again.domain.is_some());
    }

    #[test]
    fn wrong_root_and_bad_time_are_refused() {
        assert!(matches!(
            DomainSnapshotDef::from_xml("<notsnap/>"),
            Err(ConfError::WrongRoot { .. })
        ));
        assert!(
            DomainSnapshotDef::from_xml(
                "<domainsnapshot><creationTime>x</creationTime></domainsnapshot>"
            )
            .is_err()
        );
        assert_eq!(
            DomainSnapshotDef::from_xml("<domainsnapshot/>").unwrap(),
            DomainSnapshotDef::default()
        );
    }
}

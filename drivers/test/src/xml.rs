//! A small element tree over quick-xml for node files, and the filter that removes the
//! test driver's own XML namespace from a domain before `rvirt-conf` parses it.

use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};

/// Namespace of the test driver's per-domain extension elements.
pub const TEST_NS: &str = "http://libvirt.org/schemas/domain/test/1.0";

/// One element: name, attributes, children, text, and its byte span in the source.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Element {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// `VIR_ERR_XML_DETAIL` (35) for a document that is not well formed, as libvirt words it:
/// `SOURCE:LINE: message`.
fn malformed(src: &str, source_name: &str, pos: u64, msg: impl std::fmt::Display) -> Error {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(src.len());
    let line = src.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    Error::new(
        ErrorCode::XmlDetail,
        ErrorDomain::Test,
        format!("{source_name}:{line}: {msg}"),
    )
}

fn attrs_of(e: &BytesStart<'_>, src: &str, name: &str, pos: u64) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| malformed(src, name, pos, err))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| malformed(src, name, pos, err))?;
        out.push((a.key.as_ref().to_string(), v.into_owned()));
    }
    Ok(out)
}

/// Parses `src` into its root element; `source_name` names it in error messages.
pub(crate) fn parse_tree(src: &str, source_name: &str) -> Result<Element> {
    let mut reader = Reader::from_str(src);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| malformed(src, source_name, reader.error_position(), e))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(malformed(
                        src,
                        source_name,
                        before,
                        "Extra content at the end of the document",
                    ));
                }
                let el = Element {
                    name: e.name().as_ref().to_string(),
                    attrs: attrs_of(e, src, source_name, before)?,
                    start: before as usize,
                    end: reader.buffer_position() as usize,
                    ..Element::default()
                };
                if matches!(ev, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => root = Some(el),
                    }
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let mut el = stack
                    .pop()
                    .ok_or_else(|| malformed(src, source_name, before, "unexpected end tag"))?;
                el.end = reader.buffer_position() as usize;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let raw = format!("&{name};");
                let value = quick_xml::escape::unescape(&raw)
                    .map_err(|e| malformed(src, source_name, before, e))?
                    .into_owned();
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            src,
            source_name,
            src.len() as u64,
            "Premature end of data",
        ));
    }
    root.ok_or_else(|| malformed(src, source_name, 0, "Document is empty"))
}

/// The test-namespace elements found in one domain.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TestExtensions {
    /// `<test:runstate>` text.
    pub runstate: Option<String>,
    /// `<test:transient/>` present.
    pub transient: bool,
    /// `<test:hasmanagedsave/>` present.
    pub has_managed_save: bool,
}

/// Removes test-namespace elements (and their `xmlns:` declarations) from a domain
/// document, returning the cleaned XML and what was removed. `inherited` lists prefixes
/// bound to [`TEST_NS`] by enclosing elements (the `<node>` root).
pub(crate) fn strip_test_namespace(
    src: &str,
    source_name: &str,
    inherited: &[String],
) -> Result<(String, TestExtensions)> {
    let mut reader = Reader::from_str(src);
    let mut writer = Writer::new(Vec::with_capacity(src.len()));
    let mut prefixes: Vec<String> = inherited.to_vec();
    let mut ext = TestExtensions::default();
    let mut depth = 0usize;
    // Depth at which a skipped test element started, and its local name.
    let mut skipping: Option<(usize, String)> = None;
    let write_err = |e: std::io::Error| Error::internal(ErrorDomain::Test, e.to_string());
    loop {
        let before = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| malformed(src, source_name, reader.error_position(), e))?;
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(ev, Event::Start(_));
                if depth == 0 {
                    for (k, v) in attrs_of(e, src, source_name, before)? {
                        if let Some(p) = k.strip_prefix("xmlns:")
                            && v == TEST_NS
                        {
                            prefixes.push(p.to_string());
                        }
                    }
                }
                let qname = e.name().as_ref().to_string();
                if skipping.is_none()
                    && let Some((prefix, local)) = qname.split_once(':')
                    && prefixes.iter().any(|p| p == prefix)
                {
                    match local {
                        "transient" => ext.transient = true,
                        "hasmanagedsave" => ext.has_managed_save = true,
                        "runstate" => ext.runstate = Some(String::new()),
                        _ => {}
                    }
                    if is_start {
                        skipping = Some((depth, local.to_string()));
                        depth += 1;
                    }
                    continue;
                }
                if is_start {
                    depth += 1;
                }
                if skipping.is_some() {
                    continue;
                }
                let out = if depth <= 1 {
                    // The root: drop xmlns declarations of the test namespace.
                    let mut root = BytesStart::new(qname.clone());
                    for a in e.attributes().flatten() {
                        let key = a.key.as_ref().to_string();
                        let is_test_decl = key.starts_with("xmlns:")
                            && a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .is_ok_and(|v| v == TEST_NS);
                        if !is_test_decl {
                            root.push_attribute(a);
                        }
                    }
                    root
                } else {
                    e.clone()
                };
                let out_ev = if is_start {
                    Event::Start(out)
                } else {
                    Event::Empty(out)
                };
                writer.write_event(out_ev).map_err(write_err)?;
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if let Some((d, _)) = &skipping {
                    if *d == depth {
                        skipping = None;
                    }
                    continue;
                }
                writer.write_event(Event::End(e)).map_err(write_err)?;
            }
            Event::Text(t) => {
                if let Some((d, local)) = &skipping {
                    if local == "runstate" && *d + 1 == depth {
                        ext.runstate
                            .get_or_insert_with(String::new)
                            .push_str(&t.xml10_content());
                    }
                    continue;
                }
                writer.write_event(Event::Text(t)).map_err(write_err)?;
            }
            other => {
                if skipping.is_none() {
                    writer.write_event(other).map_err(write_err)?;
                }
            }
        }
    }
    let xml = String::from_utf8(writer.into_inner())
        .map_err(|e| Error::internal(ErrorDomain::Test, e.to_string()))?;
    Ok((xml, ext))
}

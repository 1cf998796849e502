//! A minimal element tree built with quick-xml's pull reader.
//!
//! Serde cannot tell us what it skipped, so the crate parses every document a second
//! time into this tree: to check well-formedness, to pre-validate values with libvirt's
//! error codes, to capture `<metadata>` verbatim and to find input nodes that the typed
//! model does not represent (by comparing the input tree with the tree of the
//! re-serialised model).

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::ConfError;
use crate::error::UnsupportedKind;

/// One element: qualified name, attributes (qualified name, unescaped value), children
/// and concatenated text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub text: String,
    /// For `<metadata>` directly under the root: the raw inner XML (children not parsed).
    pub raw: Option<String>,
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn line_of(input: &str, pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(input.len());
    input.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn malformed(input: &str, pos: u64, message: impl Into<String>) -> ConfError {
    ConfError::Malformed {
        line: line_of(input, pos),
        message: message.into(),
    }
}

fn resolve_ref(name: &str) -> Option<String> {
    let escaped = format!("&{name};");
    quick_xml::escape::unescape(&escaped)
        .ok()
        .map(|c| c.into_owned())
}

/// How deep elements may nest: libxml2's default limit (without `XML_PARSE_HUGE`), which
/// is what libvirt accepts. It also bounds the recursion of everything that walks the
/// tree (including dropping it) on a 2 MiB thread stack.
pub(crate) const MAX_DEPTH: usize = 256;

/// Parses a whole document into its root element.
///
/// `raw_metadata`: when true, a `<metadata>` child of the root is not parsed into
/// children; its inner XML is stored verbatim in [`Node::raw`] instead (after checking
/// that it is well formed).
pub(crate) fn parse(input: &str, raw_metadata: bool) -> Result<Node, ConfError> {
    let mut reader = Reader::from_str(input);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| malformed(input, reader.error_position(), e.to_string()))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed(
                    input,
                    before,
                    "Extra content at the end of the document",
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(
                        input,
                        before,
                        format!(
                            "Excessive depth in document: {MAX_DEPTH} use XML_PARSE_HUGE option"
                        ),
                    ));
                }
                let name = e.name().as_ref().to_owned();
                let mut node = Node {
                    name,
                    ..Node::default()
                };
                let mut seen = std::collections::HashSet::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| malformed(input, before, err.to_string()))?;
                    let key = attr.key.as_ref().to_owned();
                    if !seen.insert(key.clone()) {
                        return Err(malformed(
                            input,
                            before,
                            format!("duplicate attribute {key}"),
                        ));
                    }
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| malformed(input, before, err.to_string()))?
                        .into_owned();
                    node.attrs.push((key, value));
                }
                if raw_metadata && stack.len() == 1 && node.name == "metadata" {
                    let raw = if is_empty {
                        String::new()
                    } else {
                        let span = reader.read_to_end(e.name()).map_err(|err| {
                            malformed(input, reader.error_position(), err.to_string())
                        })?;
                        let (s, t) = (span.start as usize, span.end as usize);
                        let raw = input[s..t].to_owned();
                        // The skipped content must itself be well formed.
                        parse(&format!("<metadata>{raw}</metadata>"), false).map_err(|err| {
                            malformed(
                                input,
                                span.start,
                                format!("in <metadata>: {}", err.detail()),
                            )
                        })?;
                        raw
                    };
                    node.raw = Some(raw);
                    stack
                        .last_mut()
                        .expect("stack has the root")
                        .children
                        .push(node);
                    continue;
                }
                if is_empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| malformed(input, before, "unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => {
                        return Err(malformed(input, before, "text outside of the root element"));
                    }
                }
            }
            Event::CData(t) => {
                let text = t.xml10_content();
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&text),
                    None => {
                        return Err(malformed(
                            input,
                            before,
                            "CDATA outside of the root element",
                        ));
                    }
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let value = resolve_ref(name).ok_or_else(|| {
                    malformed(input, before, format!("Entity '{name}' not defined"))
                })?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&value),
                    None => {
                        return Err(malformed(
                            input,
                            before,
                            "reference outside of the root element",
                        ));
                    }
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(malformed(
                        input,
                        reader.buffer_position(),
                        format!("Premature end of data in tag {}", open.name),
                    ));
                }
                return root.ok_or_else(|| malformed(input, 0, "Document is empty"));
            }
        }
    }
}

/// Display path for a child: `parent/name` or `parent/name[k]` when `name` repeats.
fn child_path(parent: &str, name: &str, index: usize, count: usize) -> String {
    if count > 1 {
        format!("{parent}/{name}[{index}]")
    } else {
        format!("{parent}/{name}")
    }
}

/// Reports the first node of `input` that has no counterpart in `output`.
///
/// Elements are matched by name and occurrence index among same-named siblings, so a
/// model that reorders differently-named siblings still matches. Attributes are matched
/// by name; text only by presence (non-blank text in the input needs non-blank text in
/// the output). Nodes with [`Node::raw`] set are compared as opaque.
pub(crate) fn find_unrepresented(input: &Node, output: &Node, path: &str) -> Result<(), ConfError> {
    let out_attrs: std::collections::HashSet<&str> =
        output.attrs.iter().map(|(n, _)| n.as_str()).collect();
    for (name, _) in &input.attrs {
        if !out_attrs.contains(name.as_str()) {
            return Err(ConfError::Unsupported {
                path: path.to_owned(),
                kind: UnsupportedKind::Attribute(name.clone()),
            });
        }
    }
    if input.raw.is_some() {
        return Ok(());
    }
    if !input.text.trim().is_empty() && output.text.trim().is_empty() {
        return Err(ConfError::Unsupported {
            path: path.to_owned(),
            kind: UnsupportedKind::Text,
        });
    }
    // Same-named siblings by name, in order: one pass over each side, not one per child.
    let mut in_counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in &input.children {
        *in_counts.entry(c.name.as_str()).or_default() += 1;
    }
    let mut out_by_name: std::collections::HashMap<&str, Vec<&Node>> =
        std::collections::HashMap::new();
    for c in &output.children {
        out_by_name.entry(c.name.as_str()).or_default().push(c);
    }
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for child in &input.children {
        let index = {
            let n = seen.entry(child.name.as_str()).or_default();
            *n += 1;
            *n - 1
        };
        let count = in_counts[child.name.as_str()];
        let cpath = child_path(path, &child.name, index + 1, count);
        let counterpart = out_by_name
            .get(child.name.as_str())
            .and_then(|v| v.get(index).copied());
        match counterpart {
            Some(out) => find_unrepresented(child, out, &cpath)?,
            None => {
                return Err(ConfError::Unsupported {
                    path: cpath,
                    kind: UnsupportedKind::Element,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes_text_and_entities() {
        let n = parse("<a x='1&amp;2'><b>t&lt;u</b><![CDATA[<c>]]></a>", false).unwrap();
        assert_eq!(n.name, "a");
        assert_eq!(n.attr("x"), Some("1&2"));
        assert_eq!(n.child("b").unwrap().text, "t<u");
        assert_eq!(n.text, "<c>");
    }

    #[test]
    fn metadata_kept_raw_only_under_root() {
        let n = parse(
            "<d><metadata> <x:a xmlns:x='u'>&amp;</x:a></metadata></d>",
            true,
        )
        .unwrap();
        let m = n.child("metadata").unwrap();
        assert_eq!(m.raw.as_deref(), Some(" <x:a xmlns:x='u'>&amp;</x:a>"));
        assert!(m.children.is_empty());
        let n = parse("<d><e><metadata><x/></metadata></e></d>", true).unwrap();
        let inner = n.child("e").unwrap().child("metadata").unwrap();
        assert!(inner.raw.is_none());
        assert_eq!(inner.children.len(), 1);
    }

    #[test]
    fn malformed_inputs() {
        for (xml, line) in [
            ("<a>", 1),
            ("<a>\n</b>", 2),
            ("<a/><b/>", 1),
            ("text", 1),
            ("", 1),
            ("<a>\n\n&nope;</a>", 3),
        ] {
            match parse(xml, true) {
                Err(ConfError::Malformed { line: l, .. }) => assert_eq!(l, line, "{xml:?}"),
                other => panic!("{xml:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unrepresented_paths() {
        let input = parse("<d><x/><y a='1'/><x><z/></x></d>", false).unwrap();
        let same = input.clone();
        find_unrepresented(&input, &same, "d").unwrap();

        let out = parse("<d><y a='1'/><x/><x/></d>", false).unwrap();
        let err = find_unrepresented(&input, &out, "d").unwrap_err();
        assert_eq!(
            err,
            ConfError::Unsupported {
                path: "d/x[2]/z".into(),
                kind: UnsupportedKind::Element
            }
        );

        let out = parse("<d><x/><y/><x><z/></x></d>", false).unwrap();
        let err = find_unrepresented(&input, &out, "d").unwrap_err();
        assert_eq!(
            err,
            ConfError::Unsupported {
                path: "d/y".into(),
                kind: UnsupportedKind::Attribute("a".into())
            }
        );
        // Extra output (defaults) is fine.
        let out = parse("<d b='2'><x/><y a='1'/><x><z/></x><w/></d>", false).unwrap();
        find_unrepresented(&input, &out, "d").unwrap();
    }
}

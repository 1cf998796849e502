//! Parsing a document into an [`Element`] tree with quick-xml's pull reader.
//!
//! Linear in the input; nesting is limited to libxml2's default depth. Comments,
//! processing instructions and the prolog are dropped (libvirt drops them too);
//! whitespace-only text between child elements is dropped; the text of elements
//! without child elements is kept exactly.

use std::collections::HashSet;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::{Element, Node};
use crate::ConfError;

/// How deep elements may nest: libxml2's default limit (without `XML_PARSE_HUGE`), which
/// is what libvirt accepts. It also bounds the recursion of everything that walks the
/// tree (including dropping it) on a 2 MiB thread stack.
pub(crate) const MAX_DEPTH: usize = 256;

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

/// Drops whitespace-only text nodes of an element that has child elements, and merges
/// adjacent text nodes.
fn tidy(el: &mut Element) {
    let has_elements = el.children.iter().any(|n| matches!(n, Node::Element(_)));
    if has_elements {
        el.children
            .retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
    }
    let mut merged: Vec<Node> = Vec::with_capacity(el.children.len());
    for n in std::mem::take(&mut el.children) {
        match (merged.last_mut(), n) {
            (Some(Node::Text(prev)), Node::Text(t)) => prev.push_str(&t),
            (_, n) => merged.push(n),
        }
    }
    el.children = merged;
}

fn add_text(stack: &mut [Element], text: &str, input: &str, pos: u64) -> Result<(), ConfError> {
    match stack.last_mut() {
        Some(node) => {
            match node.children.last_mut() {
                Some(Node::Text(prev)) => prev.push_str(text),
                _ => node.children.push(Node::Text(text.to_owned())),
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(malformed(input, pos, "text outside of the root element")),
    }
}

/// The first character XML 1.0 does not allow in a document (`Char` production:
/// tab, newline, carriage return, U+0020–U+D7FF, U+E000–U+FFFD, U+10000 and up).
fn forbidden_char(s: &str) -> Option<(usize, char)> {
    s.char_indices().find(|&(_, c)| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    })
}

/// A resolved value (attribute or reference) holding a character XML 1.0 forbids, as
/// libxml2 refuses its character reference.
fn check_resolved(value: &str, input: &str, pos: u64) -> Result<(), ConfError> {
    match forbidden_char(value) {
        Some((_, c)) => Err(malformed(
            input,
            pos,
            format!("xmlParseCharRef: invalid xmlChar value {}", c as u32),
        )),
        None => Ok(()),
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(input: &str) -> Result<Element, ConfError> {
    if let Some((at, c)) = forbidden_char(input) {
        return Err(malformed(
            input,
            at as u64,
            format!("Char 0x{:X} out of allowed range", c as u32),
        ));
    }
    let mut reader = Reader::from_str(input);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
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
                let mut node = Element::new(name);
                let mut seen = HashSet::new();
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
                    check_resolved(&value, input, before)?;
                    node.attrs.push((key, value));
                }
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(node)),
                        None => root = Some(node),
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let mut node = stack
                    .pop()
                    .ok_or_else(|| malformed(input, before, "unexpected end tag"))?;
                tidy(&mut node);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(node)),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => add_text(&mut stack, &t.xml10_content(), input, before)?,
            Event::CData(t) => {
                if stack.is_empty() {
                    return Err(malformed(
                        input,
                        before,
                        "CDATA outside of the root element",
                    ));
                }
                add_text(&mut stack, &t.xml10_content(), input, before)?;
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let value = resolve_ref(name).ok_or_else(|| {
                    malformed(input, before, format!("Entity '{name}' not defined"))
                })?;
                check_resolved(&value, input, before)?;
                if stack.is_empty() {
                    return Err(malformed(
                        input,
                        before,
                        "reference outside of the root element",
                    ));
                }
                add_text(&mut stack, &value, input, before)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes_text_and_entities_in_order() {
        let n = parse("<a x='1&amp;2' y='z'><b>t&lt;u</b> <c/><![CDATA[<c>]]></a>").unwrap();
        assert_eq!(n.name, "a");
        assert_eq!(
            n.attrs,
            [("x".into(), "1&2".into()), ("y".into(), "z".into())]
        );
        assert_eq!(n.child("b").unwrap().text(), "t<u");
        assert_eq!(n.text(), "<c>");
        let names: Vec<&str> = n.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
    }

    #[test]
    fn whitespace_between_elements_is_dropped_leaf_text_kept() {
        let n = parse("<a>\n  <b> x </b>\n  <c>\n</c>\n</a>").unwrap();
        assert_eq!(n.children.len(), 2);
        assert_eq!(n.child("b").unwrap().text(), " x ");
        assert_eq!(n.child("c").unwrap().text(), "\n");
    }

    #[test]
    fn characters_xml_forbids_are_refused() {
        for xml in [
            "<a b='x\u{0}y'/>",
            "<a>\u{1}</a>",
            "<a b='&#0;'/>",
            "<a>&#x1F;</a>",
            "<a>\u{FFFF}</a>",
        ] {
            assert!(
                matches!(parse(xml), Err(ConfError::Malformed { .. })),
                "{xml:?}"
            );
        }
        assert!(parse("<a b='\t'>&#10;\r</a>").is_ok());
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
            ("<a x='1' x='2'/>", 1),
        ] {
            match parse(xml) {
                Err(ConfError::Malformed { line: l, .. }) => assert_eq!(l, line, "{xml:?}"),
                other => panic!("{xml:?}: {other:?}"),
            }
        }
    }
}

//! [`Element`]: a plain element tree, read with quick-xml's pull reader and written the
//! way libvirt's formatters write (two-space indent, single-quoted attributes, `<x/>` for
//! empty elements).

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::error::{Result, XmlError, code, domain as dom};

/// How deep elements may nest (libxml2's default limit, which libvirt inherits). It
/// also bounds the recursion of everything walking a tree.
pub const MAX_DEPTH: usize = 256;

/// One element: name, attributes in document order, child elements and text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// Qualified name.
    pub name: String,
    /// Attributes (qualified name, unescaped value), in order.
    pub attrs: Vec<(String, String)>,
    /// Child elements, in order.
    pub children: Vec<Element>,
    /// Concatenated character data (untrimmed).
    pub text: String,
    /// Written as `<x>` and `</x>` on two lines even when it has no content (libvirt
    /// does so for some containers, e.g. a pool's empty `<source>`).
    pub open_close: bool,
    /// Attributes written in double quotes, as libxml2 serializes the XML libvirt keeps
    /// opaque (what applications put in `<metadata>`).
    pub double_quoted: bool,
}

impl Element {
    /// An empty element.
    pub fn new(name: impl Into<String>) -> Element {
        Element {
            name: name.into(),
            ..Element::default()
        }
    }

    /// Adds an attribute.
    #[must_use]
    pub fn attr(mut self, key: &str, value: impl ToString) -> Element {
        self.attrs.push((key.to_string(), value.to_string()));
        self
    }

    /// Adds an attribute when `value` is present.
    #[must_use]
    pub fn opt_attr<V: ToString>(self, key: &str, value: Option<V>) -> Element {
        match value {
            Some(v) => self.attr(key, v),
            None => self,
        }
    }

    /// Adds a child.
    #[must_use]
    pub fn child(mut self, child: Element) -> Element {
        self.children.push(child);
        self
    }

    /// Adds a child when present.
    #[must_use]
    pub fn opt_child(mut self, child: Option<Element>) -> Element {
        self.children.extend(child);
        self
    }

    /// Adds children.
    #[must_use]
    pub fn children(mut self, children: impl IntoIterator<Item = Element>) -> Element {
        self.children.extend(children);
        self
    }

    /// Sets the text.
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Element {
        self.text = text.into();
        self
    }

    /// `<name>text</name>`.
    pub fn leaf(name: &str, text: impl Into<String>) -> Element {
        Element::new(name).text(text)
    }

    /// Marks the element to be written open and closed even when empty.
    #[must_use]
    pub fn open_close(mut self) -> Element {
        self.open_close = true;
        self
    }

    /// The value of attribute `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first child named `name`.
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`, if it has any.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.find(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// Follows a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.find(n))
    }

    /// This element with everything inside it written with double-quoted attributes.
    pub fn double_quoted(mut self) -> Element {
        fn mark(e: &mut Element) {
            e.double_quoted = true;
            e.children.iter_mut().for_each(mark);
        }
        self.children.iter_mut().for_each(mark);
        self
    }

    /// The trimmed text.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }

    /// The document, as libvirt writes it (ends with a newline).
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    /// Writes the element at `indent` spaces.
    pub fn write(&self, out: &mut String, indent: usize) {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push('<');
        out.push_str(&self.name);
        let quote = if self.double_quoted { '"' } else { '\'' };
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push('=');
            out.push(quote);
            escape_into(out, v);
            out.push(quote);
        }
        let text = self.text.trim();
        if self.children.is_empty() && text.is_empty() && !self.open_close {
            out.push_str("/>\n");
            return;
        }
        out.push('>');
        if self.children.is_empty() && !text.is_empty() {
            escape_into(out, text);
        } else {
            out.push('\n');
            for c in &self.children {
                c.write(out, indent + 2);
            }
            out.extend(std::iter::repeat_n(' ', indent));
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push_str(">\n");
    }
}

/// libvirt's escaping of attribute values and text.
pub fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn line_of(input: &str, pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(input.len());
    1 + input.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// libxml2's context of a parse error: the line it is on (at most 80 characters)
/// and a caret under the position.
fn context(input: &str, pos: u64) -> String {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(input.len());
    let start = input[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = input[pos..].find('\n').map_or(input.len(), |i| pos + i);
    let line: String = input[start..end].chars().take(80).collect();
    let col = input[start..pos].chars().count().min(80);
    format!("{line}\n{}^", "-".repeat(col))
}

/// Parses `input`, whose root must be `root`. A malformed document is
/// `VIR_ERR_XML_DETAIL` in `domain`, worded like libvirt's "(DOC):LINE: MESSAGE";
/// another root element is `VIR_ERR_XML_ERROR` in `VIR_FROM_XML`.
pub fn parse_root(input: &str, root: &str, doc: &str, domain: i32) -> Result<Element> {
    let e = parse(input, doc, domain)?;
    if e.name != root {
        return Err(XmlError::xml(
            dom::XML,
            format!("expecting root element of '{root}', not '{}'", e.name),
        ));
    }
    Ok(e)
}

/// Parses a whole document into its root element (see [`parse_root`]).
pub fn parse(input: &str, doc: &str, domain: i32) -> Result<Element> {
    let bad = |pos: u64, msg: &str| {
        XmlError::new(
            code::XML_DETAIL,
            domain,
            format!(
                "({doc}):{}: {msg}\n{}",
                line_of(input, pos),
                context(input, pos)
            ),
        )
    };
    let mut reader = Reader::from_str(input);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| bad(reader.error_position(), &e.to_string()))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(bad(pos, "Extra content at the end of the document"));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(bad(pos, "Excessive depth in document"));
                }
                let mut el = Element::new(e.name().as_ref());
                for a in e.attributes() {
                    let a = a.map_err(|err| bad(pos, &err.to_string()))?;
                    let key = a.key.as_ref().to_string();
                    if el.get(&key).is_some() {
                        return Err(bad(pos, &format!("Attribute {key} redefined")));
                    }
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| bad(pos, &err.to_string()))?
                        .into_owned();
                    el.attrs.push((key, v));
                }
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(p) => p.children.push(el),
                        None => root = Some(el),
                    }
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| bad(pos, "unexpected end tag"))?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(bad(pos, "Start tag expected, '<' not found")),
                }
            }
            Event::CData(t) => {
                let text = t.xml10_content();
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let value = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(|c| c.to_string())
                } else {
                    let name: &str = &r;
                    quick_xml::escape::resolve_predefined_entity(name).map(str::to_string)
                };
                let value = value.ok_or_else(|| bad(pos, "Entity not defined"))?;
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&value);
                }
            }
            Event::Eof => {
                if !stack.is_empty() {
                    let open = stack.last().map(|e| e.name.clone()).unwrap_or_default();
                    return Err(bad(
                        pos,
                        &format!("Premature end of data in tag {open} line 1"),
                    ));
                }
                return root.ok_or_else(|| bad(pos, "Document is empty"));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_libvirt() {
        let e = Element::new("pool")
            .attr("type", "dir")
            .child(Element::leaf("name", "a&b"))
            .child(Element::new("source").open_close())
            .child(Element::new("target").child(Element::leaf("path", "/p")))
            .child(Element::new("x").attr("v", "it's"));
        assert_eq!(
            e.to_xml(),
            "<pool type='dir'>\n  <name>a&amp;b</name>\n  <source>\n  </source>\n  <target>\n    <path>/p</path>\n  </target>\n  <x v='it&apos;s'/>\n</pool>\n"
        );
    }

    #[test]
    fn parses_and_refuses() {
        let e = parse_root(
            "<?xml version='1.0'?><!-- c --><network a=\"1\"><name> n &amp; m </name><x/></network>",
            "network",
            "network_definition",
            19,
        )
        .unwrap();
        assert_eq!(e.get("a"), Some("1"));
        assert_eq!(e.child_text("name").as_deref(), Some("n & m"));
        assert!(e.find("x").is_some());
        let err = parse_root("<network>", "network", "network_definition", 19).unwrap_err();
        assert_eq!((err.code, err.domain), (code::XML_DETAIL, 19));
        assert!(err.message.starts_with("(network_definition):1: "), "{err}");
        let err = parse_root("<pool/>", "network", "network_definition", 19).unwrap_err();
        assert_eq!(
            (err.code, err.domain, err.message.as_str()),
            (27, 5, "expecting root element of 'network', not 'pool'")
        );
        assert!(parse("<a/><b/>", "d", 19).is_err());
        assert!(parse("", "d", 19).is_err());
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep, "d", 19).is_err());
    }
}

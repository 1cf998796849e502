//! Printing an [`Element`] tree as libvirt prints domain XML.
//!
//! libvirt's own formatter: attributes in single quotes, two spaces of indentation per
//! level, `<x/>` for an element without content, `<x>text</x>` for text content, and
//! `<`, `>`, `&`, `"`, `'` escaped as entities while other control characters than
//! tab, newline and carriage return are dropped. Two departures keep what is kept
//! readable back exactly: tabs, newlines and carriage returns in attribute values are
//! written as character references (libvirt writes them raw, and XML readers turn
//! them into spaces), and an element holding text mixed with elements (only kept,
//! foreign content has that) is written on one line.
//!
//! `<metadata>` is printed by libxml2 in libvirt, so its subtree follows libxml2's
//! serialiser instead: double-quoted attributes (with tab, newline and carriage return
//! as character references), and no indentation inside an element that holds text.

use super::{Element, Node};

/// Appends attribute value `s` escaped as libvirt escapes it, except that newlines,
/// carriage returns and tabs become character references (libvirt prints them raw,
/// and an XML reader turns them into spaces, so they would not survive a round trip).
fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => escape_libvirt(out, c.encode_utf8(&mut [0; 4])),
        }
    }
}

/// Appends `s` escaped as libvirt's `virBufferEscapeString` escapes it.
pub(crate) fn escape_libvirt(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
}

fn escape_libxml2_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

fn escape_libxml2_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Which elements libvirt prints as an open and a close tag even when they are empty
/// (by their parent's name and their own).
fn always_open(parent: &str, name: &str) -> bool {
    matches!(
        (parent, name),
        ("domain", "devices")
            | ("devices", "redirdev" | "nvram" | "shmem" | "memory")
            | ("features", "hyperv" | "kvm" | "xen")
    )
}

/// Appends `el` (a child of `parent`) at indentation `level`, libvirt style, followed
/// by a newline.
pub(crate) fn write_element(out: &mut String, parent: &str, el: &Element, level: usize) {
    indent(out, level);
    out.push('<');
    out.push_str(&el.name);
    write_attrs(out, el);
    let has_elements = el.children.iter().any(|n| matches!(n, Node::Element(_)));
    if el.children.is_empty() && !always_open(parent, &el.name) {
        out.push_str("/>\n");
        return;
    }
    let has_text = el
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(t) if !t.trim().is_empty()));
    if has_text || (!has_elements && !el.children.is_empty()) {
        // Text, or text mixed with elements (kept content only): inline, so that the
        // text reads back exactly.
        out.push('>');
        write_inline_children(out, el);
        out.push_str("</");
        out.push_str(&el.name);
        out.push_str(">\n");
        return;
    }
    out.push_str(">\n");
    for child in &el.children {
        match child {
            Node::Element(e) if e.name == "metadata" && level == 0 => {
                write_libxml2(out, e, level + 1);
                out.push('\n');
            }
            Node::Element(e) => write_element(out, &el.name, e, level + 1),
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(t) => {
                indent(out, level + 1);
                escape_libvirt(out, t);
                out.push('\n');
            }
        }
    }
    indent(out, level);
    out.push_str("</");
    out.push_str(&el.name);
    out.push_str(">\n");
}

fn write_attrs(out: &mut String, el: &Element) {
    for (n, v) in &el.attrs {
        out.push(' ');
        out.push_str(n);
        out.push_str("='");
        escape_attr(out, v);
        out.push('\'');
    }
}

/// The children of `el` on one line, without indentation.
fn write_inline_children(out: &mut String, el: &Element) {
    for child in &el.children {
        match child {
            Node::Text(t) => escape_libvirt(out, t),
            Node::Element(e) => {
                out.push('<');
                out.push_str(&e.name);
                write_attrs(out, e);
                if e.children.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    write_inline_children(out, e);
                    out.push_str("</");
                    out.push_str(&e.name);
                    out.push('>');
                }
            }
        }
    }
}

/// Appends `el` the way libxml2's `xmlNodeDump` does with formatting on, starting at
/// indentation `level` (no trailing newline).
pub(crate) fn write_libxml2(out: &mut String, el: &Element, level: usize) {
    indent(out, level);
    write_libxml2_inner(out, el, level, true);
}

fn write_libxml2_inner(out: &mut String, el: &Element, level: usize, format: bool) {
    out.push('<');
    out.push_str(&el.name);
    for (n, v) in &el.attrs {
        out.push(' ');
        out.push_str(n);
        out.push_str("=\"");
        escape_libxml2_attr(out, v);
        out.push('"');
    }
    if el.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    // libxml2 stops indenting inside an element that holds text.
    let format = format && el.children.iter().all(|n| matches!(n, Node::Element(_)));
    for child in &el.children {
        if format {
            out.push('\n');
            indent(out, level + 1);
        }
        match child {
            Node::Element(e) => write_libxml2_inner(out, e, level + 1, format),
            Node::Text(t) => escape_libxml2_text(out, t),
        }
    }
    if format {
        out.push('\n');
        indent(out, level);
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push('>');
}

/// The whole document: `root` printed libvirt style.
pub(crate) fn document(root: &Element) -> String {
    let mut out = String::new();
    write_element(&mut out, "", root, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse::parse;

    #[test]
    fn libvirt_style() {
        let el = parse(
            "<domain type=\"test\"><name>a'&lt;b</name><devices/>\
             <x a='&quot;&#9;'><y/></x></domain>",
        )
        .unwrap();
        assert_eq!(
            document(&el),
            "<domain type='test'>\n  <name>a&apos;&lt;b</name>\n  <devices>\n  </devices>\n  \
             <x a='&quot;&#9;'>\n    <y/>\n  </x>\n</domain>\n"
        );
    }

    #[test]
    fn metadata_like_libxml2() {
        let el = parse(
            "<domain><metadata><a:x xmlns:a='urn:a' q=\"1&quot;'&#10;\">\
             <a:y>t&amp;<a:z/>u</a:y></a:x><b:x xmlns:b='urn:b'> <b:y/> </b:x></metadata></domain>",
        )
        .unwrap();
        assert_eq!(
            document(&el),
            "<domain>\n  <metadata>\n    <a:x xmlns:a=\"urn:a\" q=\"1&quot;'&#10;\">\n      \
             <a:y>t&amp;<a:z/>u</a:y>\n    </a:x>\n    <b:x xmlns:b=\"urn:b\">\n      <b:y/>\n    \
             </b:x>\n  </metadata>\n</domain>\n"
        );
    }
}

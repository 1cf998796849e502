//! Applications' elements inside `<metadata>` (`virDomainGetMetadata`,
//! `virDomainSetMetadata` with `VIR_DOMAIN_METADATA_ELEMENT`): each application owns
//! the top-level elements of its namespace URI; libvirt stores them under the prefix the
//! application chose and hands them back without it.
//!
//! ```
//! use rvirt_conf::DomainDef;
//!
//! let mut def = DomainDef::from_xml(
//!     "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>").unwrap();
//! def.set_metadata_element("app", "http://example.org/app/", Some("<foo a='1'><bar/></foo>"))
//!     .unwrap();
//! assert_eq!(def.metadata.as_deref(), Some(concat!(
//!     "\n    <app:foo xmlns:app=\"http://example.org/app/\" a=\"1\">",
//!     "\n      <app:bar/>\n    </app:foo>\n  ")));
//! assert_eq!(def.metadata_element("http://example.org/app/").as_deref(),
//!     Some("<foo a=\"1\">\n  <bar/>\n</foo>"));
//! ```

use crate::ConfError;
use crate::DomainDef;
use crate::dom::{Node, parse};

/// The namespace URI `node` declares for its own name, if any.
fn namespace_of(node: &Node) -> Option<&str> {
    match node.name.split_once(':') {
        Some((prefix, _)) => node.attr(&format!("xmlns:{prefix}")),
        None => node.attr("xmlns"),
    }
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes `node`; `indent` = Some(level) pretty-prints with two spaces per level.
fn render(node: &Node, indent: Option<usize>, out: &mut String) {
    let pad = |out: &mut String, level: usize| out.push_str(&"  ".repeat(level));
    out.push('<');
    out.push_str(&node.name);
    for (k, v) in &node.attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape(v, true)));
    }
    let text = node.text.trim();
    if node.children.is_empty() && text.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if !text.is_empty() {
        out.push_str(&escape(&node.text, false));
    }
    for child in &node.children {
        if let Some(level) = indent {
            out.push('\n');
            pad(out, level + 1);
        }
        render(child, indent.map(|l| l + 1), out);
    }
    if let Some(level) = indent
        && !node.children.is_empty()
    {
        out.push('\n');
        pad(out, level);
    }
    out.push_str(&format!("</{}>", node.name));
}

/// Renames every unprefixed element of `node`'s tree to `key:NAME`.
fn add_prefix(node: &mut Node, key: &str) {
    if !node.name.contains(':') {
        node.name = format!("{key}:{}", node.name);
    }
    for c in &mut node.children {
        add_prefix(c, key);
    }
}

/// Drops the `prefix:` of elements in `prefix`'s namespace and its declaration.
fn strip_prefix(node: &mut Node, prefix: &str) {
    if let Some(local) = node.name.strip_prefix(&format!("{prefix}:")) {
        node.name = local.to_string();
    }
    let decl = format!("xmlns:{prefix}");
    node.attrs.retain(|(k, _)| *k != decl);
    for c in &mut node.children {
        strip_prefix(c, prefix);
    }
}

impl DomainDef {
    /// The top-level `<metadata>` children, parsed.
    fn metadata_nodes(&self) -> Vec<Node> {
        let raw = self.metadata.as_deref().unwrap_or_default();
        parse(&format!("<metadata>{raw}</metadata>"), false)
            .map(|n| n.children)
            .unwrap_or_default()
    }

    /// The element of namespace `uri`, without its prefix, pretty-printed as libvirt
    /// returns it; `None` if the domain has none.
    pub fn metadata_element(&self, uri: &str) -> Option<String> {
        let mut node = self
            .metadata_nodes()
            .into_iter()
            .find(|n| namespace_of(n) == Some(uri))?;
        if let Some((prefix, _)) = node.name.clone().split_once(':') {
            strip_prefix(&mut node, prefix);
        }
        let mut out = String::new();
        render(&node, Some(0), &mut out);
        Some(out)
    }

    /// Replaces the element of namespace `uri` by `xml` (a single element, stored under
    /// prefix `key`), or removes it when `xml` is `None`.
    pub fn set_metadata_element(
        &mut self,
        key: &str,
        uri: &str,
        xml: Option<&str>,
    ) -> Result<(), ConfError> {
        let mut nodes: Vec<Node> = self
            .metadata_nodes()
            .into_iter()
            .filter(|n| namespace_of(n) != Some(uri))
            .collect();
        if let Some(xml) = xml {
            let mut node = parse(xml, false)?;
            add_prefix(&mut node, key);
            node.attrs
                .retain(|(k, _)| k != "xmlns" && *k != format!("xmlns:{key}"));
            node.attrs
                .insert(0, (format!("xmlns:{key}"), uri.to_string()));
            nodes.push(node);
        }
        // Laid out as libvirt formats `<metadata>` inside `<domain>`.
        let mut raw = String::new();
        for n in &nodes {
            raw.push_str("\n    ");
            render(n, Some(2), &mut raw);
        }
        if !raw.is_empty() {
            raw.push_str("\n  ");
        }
        self.metadata = (!raw.is_empty()).then_some(raw);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> DomainDef {
        DomainDef::from_xml(
            "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os>\
             <metadata><x:keep xmlns:x='urn:x'>1</x:keep></metadata></domain>",
        )
        .unwrap()
    }

    #[test]
    fn elements_are_replaced_per_namespace_and_removed() {
        let mut d = def();
        d.set_metadata_element("app", "urn:app", Some("<foo>t &amp; u</foo>"))
            .unwrap();
        d.set_metadata_element("app", "urn:app", Some("<bar n='&lt;'/>"))
            .unwrap();
        assert_eq!(
            d.metadata_element("urn:app").as_deref(),
            Some("<bar n=\"&lt;\"/>")
        );
        assert_eq!(
            d.metadata_element("urn:x").as_deref(),
            Some("<keep>1</keep>")
        );
        d.set_metadata_element("app", "urn:app", None).unwrap();
        assert_eq!(d.metadata_element("urn:app"), None);
        assert!(d.metadata.as_deref().unwrap().contains("urn:x"));
        d.set_metadata_element("x", "urn:x", None).unwrap();
        assert_eq!(d.metadata, None);
        // The stored XML survives a round trip through the domain XML.
        let mut d = def();
        d.set_metadata_element("app", "urn:app", Some("<foo><b>x</b></foo>"))
            .unwrap();
        let again = DomainDef::from_xml(&d.to_xml().unwrap()).unwrap();
        assert_eq!(
            again.metadata_element("urn:app").as_deref(),
            Some("<foo>\n  <b>x</b>\n</foo>")
        );
    }

    #[test]
    fn malformed_elements_are_refused() {
        let mut d = def();
        assert!(
            d.set_metadata_element("app", "urn:app", Some("<foo>"))
                .is_err()
        );
        assert!(
            d.set_metadata_element("app", "urn:app", Some("<a/><b/>"))
                .is_err()
        );
        assert_eq!(d.metadata_element("urn:app"), None);
    }
}

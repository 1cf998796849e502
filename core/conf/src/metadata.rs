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
//! assert!(def.to_xml().unwrap().contains(concat!(
//!     "\n    <app:foo xmlns:app=\"http://example.org/app/\" a=\"1\">",
//!     "\n      <app:bar/>\n    </app:foo>\n  </metadata>")));
//! assert_eq!(def.metadata_element("http://example.org/app/").as_deref(),
//!     Some("<foo a=\"1\">\n  <bar/>\n</foo>"));
//! ```

use crate::ConfError;
use crate::DomainDef;
use crate::xml::{Element, Node};

/// The namespace URI `el` declares for its own name, if any.
fn namespace_of(el: &Element) -> Option<&str> {
    match el.name.split_once(':') {
        Some((prefix, _)) => el.attr(&format!("xmlns:{prefix}")),
        None => el.attr("xmlns"),
    }
}

/// Renames every unprefixed element of `el`'s tree to `key:NAME`.
fn add_prefix(el: &mut Element, key: &str) {
    if !el.name.contains(':') {
        el.name = format!("{key}:{}", el.name);
    }
    for c in el.elements_mut() {
        add_prefix(c, key);
    }
}

/// Drops the `prefix:` of elements in `prefix`'s namespace and its declaration.
fn strip_prefix(el: &mut Element, prefix: &str) {
    if let Some(local) = el.name.strip_prefix(&format!("{prefix}:")) {
        el.name = local.to_string();
    }
    let decl = format!("xmlns:{prefix}");
    el.attrs.retain(|(k, _)| *k != decl);
    for c in el.elements_mut() {
        strip_prefix(c, prefix);
    }
}

impl DomainDef {
    /// The element of namespace `uri`, without its prefix, pretty-printed as libvirt
    /// returns it; `None` if the domain has none.
    pub fn metadata_element(&self, uri: &str) -> Option<String> {
        let mut el = self
            .metadata
            .as_ref()?
            .elements()
            .find(|e| namespace_of(e) == Some(uri))?
            .clone();
        if let Some((prefix, _)) = el.name.clone().split_once(':') {
            strip_prefix(&mut el, prefix);
        }
        let mut out = String::new();
        crate::xml::write::write_libxml2(&mut out, &el, 0);
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
        let added = match xml {
            Some(xml) => {
                let mut el = Element::parse(xml)?;
                add_prefix(&mut el, key);
                el.attrs
                    .retain(|(k, _)| k != "xmlns" && *k != format!("xmlns:{key}"));
                el.attrs
                    .insert(0, (format!("xmlns:{key}"), uri.to_string()));
                Some(el)
            }
            None => None,
        };
        let mut metadata = self
            .metadata
            .take()
            .unwrap_or_else(|| Element::new("metadata"));
        metadata
            .children
            .retain(|n| !matches!(n, Node::Element(e) if namespace_of(e) == Some(uri)));
        if let Some(el) = added {
            metadata.push(el);
        }
        if !metadata.children.is_empty() {
            self.metadata = Some(metadata);
        }
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
        assert!(d.to_xml().unwrap().contains("urn:x"));
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

//! The order-preserving element tree every document is parsed into, and the writer
//! that prints it the way libvirt prints domain XML.
//!
//! The typed model ([`crate::DomainDef`] and the types it holds) is built from this
//! tree: each typed element takes the attributes and children it models and keeps the
//! rest in its [`Extra`], so nothing the input held is lost. Writing goes the other way:
//! typed fields and kept content become one tree again, [`order`] puts attributes and
//! children in libvirt's order, and [`write`] prints it.

pub(crate) mod order;
pub(crate) mod parse;
pub(crate) mod write;

/// An XML element: qualified name, attributes in order (qualified name, unescaped
/// value) and child nodes in order.
///
/// ```
/// use rvirt_conf::xml::Element;
/// let mut el = Element::new("disk");
/// el.set_attr("type", "file");
/// el.push(Element::new("readonly"));
/// assert_eq!(el.attr("type"), Some("file"));
/// assert!(el.child("readonly").is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Qualified name, e.g. `disk` or `qemu:commandline`.
    pub name: String,
    /// Attributes in document order: qualified name and unescaped value.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
}

/// A child node: an element or a run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Character data (entities resolved, CDATA included).
    Text(String),
}

impl Element {
    /// Parses a whole XML document into its root element (comments and blank text
    /// between elements dropped; errors as [`crate::ConfError::Malformed`]).
    ///
    /// ```
    /// use rvirt_conf::xml::Element;
    /// let el = Element::parse("<a x='1'><b>t</b></a>")?;
    /// assert_eq!(el.child("b").unwrap().text(), "t");
    /// # Ok::<(), rvirt_conf::ConfError>(())
    /// ```
    pub fn parse(xml: &str) -> Result<Element, crate::ConfError> {
        parse::parse(xml)
    }

    /// Puts this `<domain>` element and everything below it in libvirt's order of
    /// attributes and children (what [`crate::DomainDef::to_xml`] prints in).
    pub fn sort_like_libvirt(&mut self) {
        order::canonicalize(self);
    }

    /// The element printed as libvirt prints XML (see [`crate::DomainDef::to_xml`]),
    /// without reordering anything.
    pub fn to_xml_string(&self) -> String {
        write::document(self)
    }

    /// An element with no attributes and no children.
    pub fn new(name: impl Into<String>) -> Element {
        Element {
            name: name.into(),
            ..Element::default()
        }
    }

    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets attribute `name` (replacing its value, or appending it).
    pub fn set_attr(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.attrs.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((name, value)),
        }
    }

    /// Removes attribute `name` and returns its value.
    pub fn take_attr(&mut self, name: &str) -> Option<String> {
        let i = self.attrs.iter().position(|(n, _)| n == name)?;
        Some(self.attrs.remove(i).1)
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The child elements, in order, mutably.
    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The first child element named `name`, mutably.
    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.name == name)
    }

    /// Appends a child element.
    pub fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    /// Appends a run of text.
    pub fn push_text(&mut self, text: impl Into<String>) {
        self.children.push(Node::Text(text.into()));
    }

    /// The concatenated text of this element's own text nodes.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                out.push_str(t);
            }
        }
        out
    }

    /// True if the element has attributes or child elements (not just text).
    pub fn has_structure(&self) -> bool {
        !self.attrs.is_empty() || self.elements().next().is_some()
    }

    /// Removes and returns the first child element named `name`.
    pub fn take_child(&mut self, name: &str) -> Option<Element> {
        let i = self
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name == name))?;
        match self.children.remove(i) {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        }
    }

    /// Removes and returns every child element named `name`, in order (one pass).
    pub fn take_children(&mut self, name: &str) -> Vec<Element> {
        let mut taken = Vec::new();
        let mut kept = Vec::with_capacity(self.children.len());
        for n in std::mem::take(&mut self.children) {
            match n {
                Node::Element(e) if e.name == name => taken.push(e),
                other => kept.push(other),
            }
        }
        self.children = kept;
        taken
    }

    /// Removes the text nodes and returns their concatenation (`None` if there were
    /// none).
    pub fn take_text(&mut self) -> Option<String> {
        if !self.children.iter().any(|n| matches!(n, Node::Text(_))) {
            return None;
        }
        let mut out = String::new();
        self.children.retain(|n| match n {
            Node::Text(t) => {
                out.push_str(t);
                false
            }
            Node::Element(_) => true,
        });
        Some(out)
    }
}

/// What a typed element does not model: its other attributes and children, kept in
/// document order and written back after the typed ones (then put in libvirt's order).
///
/// ```
/// use rvirt_conf::DomainDef;
/// let def = DomainDef::from_xml(
///     "<domain type='kvm'><name>g</name><memory>1024</memory>
///        <os><type>hvm</type></os>
///        <devices><disk type='file' frobnicate='yes'><source file='/a'/><target dev='vda'/></disk></devices>
///      </domain>",
/// )?;
/// let disk = def.disks().next().unwrap();
/// assert_eq!(disk.extra.attr("frobnicate"), Some("yes"));
/// assert!(def.to_xml()?.contains("frobnicate='yes'"));
/// # Ok::<(), rvirt_conf::ConfError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extra {
    /// Attributes not modelled, in document order.
    pub attrs: Vec<(String, String)>,
    /// Child nodes not modelled, in document order.
    pub children: Vec<Node>,
}

impl Extra {
    /// What remains of `el` once its modelled parts were taken out.
    pub(crate) fn rest(mut el: Element) -> Extra {
        // Blank text between or instead of children means nothing once the typed
        // parts (which took their text) are out.
        el.children
            .retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
        Extra {
            attrs: el.attrs,
            children: el.children,
        }
    }

    /// True if nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty() && self.children.is_empty()
    }

    /// The kept attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first kept child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    /// Paths (relative, `name` or `@attr`) of what is kept, for error messages.
    pub fn first_item(&self) -> Option<String> {
        if let Some((n, _)) = self.attrs.first() {
            return Some(format!("@{n}"));
        }
        self.children.iter().find_map(|n| match n {
            Node::Element(e) => Some(e.name.clone()),
            Node::Text(t) if !t.trim().is_empty() => Some("text()".into()),
            Node::Text(_) => None,
        })
    }

    /// Appends the kept attributes and children to `el`.
    pub(crate) fn write_into(&self, el: &mut Element) {
        // Typed fields win over a kept attribute of the same name.
        let typed: std::collections::HashSet<String> =
            el.attrs.iter().map(|(n, _)| n.clone()).collect();
        for (n, v) in &self.attrs {
            if !typed.contains(n) {
                el.attrs.push((n.clone(), v.clone()));
            }
        }
        el.children.extend(self.children.iter().cloned());
    }
}

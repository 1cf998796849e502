//! How typed elements are read from and written to the [`Element`] tree: the value
//! conversions ([`XmlValue`]), the element conversion ([`XmlElement`]) and the helpers
//! the [`xml_struct!`](crate::macros) declarations expand to.
//!
//! Reading *takes* what a type models out of its element (attributes, children, text);
//! what is left becomes the type's [`Extra`], so a round trip loses nothing.

use uuid::Uuid;

use crate::ConfError;
use crate::xml::{Element, Extra, Node};

/// Why a value did not parse; decides libvirt's message.
#[derive(Debug)]
pub(crate) enum Expect {
    /// One of a fixed set of words: no hint after the message.
    Enum,
    /// A signed integer.
    Int,
    /// A non-negative integer.
    Uint,
    /// A UUID.
    Uuid,
    /// A complete error of its own.
    Custom(ConfError),
}

impl Expect {
    fn hint(&self) -> &'static str {
        match self {
            Expect::Enum | Expect::Custom(_) => "",
            Expect::Int => " Expected integer value",
            Expect::Uint => " Expected non-negative integer value",
            Expect::Uuid => " Expected UUID",
        }
    }

    /// The error for `value` in attribute `attr` of `element`.
    pub(crate) fn attr_error(self, attr: &str, element: &str, value: &str) -> ConfError {
        let expected = self.hint();
        match self {
            Expect::Custom(e) => e,
            _ => ConfError::InvalidAttr {
                attr: attr.into(),
                element: element.into(),
                value: value.into(),
                expected,
            },
        }
    }

    /// The error for `value` as the text of `element`.
    pub(crate) fn text_error(self, element: &str, value: &str) -> ConfError {
        match self {
            Expect::Custom(e) => e,
            _ => ConfError::InvalidValue {
                xpath: format!("./{element}[1]"),
                value: value.into(),
            },
        }
    }
}

/// A value held in an attribute or as text.
pub(crate) trait XmlValue: Sized {
    /// Parses the XML spelling.
    fn parse_value(s: &str) -> Result<Self, Expect>;
    /// The XML spelling.
    fn format_value(&self) -> String;
}

impl XmlValue for String {
    fn parse_value(s: &str) -> Result<Self, Expect> {
        Ok(s.to_owned())
    }
    fn format_value(&self) -> String {
        self.clone()
    }
}

macro_rules! int_value {
    ($($t:ty => $e:ident),*) => {$(
        impl XmlValue for $t {
            fn parse_value(s: &str) -> Result<Self, Expect> {
                parse_int(s).ok_or(Expect::$e)
            }
            fn format_value(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
int_value!(u8 => Uint, u16 => Uint, u32 => Uint, u64 => Uint, i32 => Int, i64 => Int);

/// Parses a decimal integer the way libvirt's `virStrToLong_*` do for base 10:
/// leading blanks and a sign allowed, nothing after the digits.
pub(crate) fn parse_int<T: std::str::FromStr>(s: &str) -> Option<T> {
    let t = s.trim_start();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || t.starts_with('+') {
        return None;
    }
    t.parse().ok()
}

/// Parses an unsigned integer with C's base-0 rules (`0x` hex, leading `0` octal),
/// as libvirt does for addresses and similar values.
pub(crate) fn parse_auto_u64(s: &str) -> Option<u64> {
    let t = s.trim_start();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        u64::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}

impl XmlValue for Uuid {
    fn parse_value(s: &str) -> Result<Self, Expect> {
        Uuid::parse_str(s.trim()).map_err(|_| Expect::Uuid)
    }
    fn format_value(&self) -> String {
        self.hyphenated().to_string()
    }
}

/// A type read from and written to one element.
pub(crate) trait XmlElement: Sized {
    /// Reads the type from `el`, keeping what it does not model.
    fn from_element(el: Element) -> Result<Self, ConfError>;
    /// Writes the type as an element named `name`.
    fn to_element(&self, name: &str) -> Element;
}

impl XmlElement for Element {
    fn from_element(el: Element) -> Result<Self, ConfError> {
        Ok(el)
    }
    fn to_element(&self, name: &str) -> Element {
        let mut el = self.clone();
        el.name = name.to_owned();
        el
    }
}

/// Attributes libvirt reads as signed numbers although they are never negative
/// (their error message says "integer", not "non-negative integer").
const SIGNED: &[(&str, &str)] = &[("controller", "index")];

/// Attribute `name` of `el`, taken out and parsed.
pub(crate) fn attr<T: XmlValue>(el: &mut Element, name: &str) -> Result<Option<T>, ConfError> {
    match el.take_attr(name) {
        None => Ok(None),
        Some(v) => T::parse_value(&v).map(Some).map_err(|e| {
            let e = match e {
                Expect::Uint if SIGNED.contains(&(el.name.as_str(), name)) => Expect::Int,
                e => e,
            };
            e.attr_error(name, &el.name, &v)
        }),
    }
}

/// Required attribute `name` of `el`, taken out and parsed.
pub(crate) fn attr_req<T: XmlValue>(el: &mut Element, name: &str) -> Result<T, ConfError> {
    attr(el, name)?.ok_or_else(|| ConfError::MissingAttr {
        attr: name.into(),
        element: el.name.clone(),
    })
}

/// The first child element `name` of `el`, taken out and read.
pub(crate) fn child<T: XmlElement>(el: &mut Element, name: &str) -> Result<Option<T>, ConfError> {
    el.take_child(name).map(T::from_element).transpose()
}

/// The required first child element `name` of `el`, taken out and read.
pub(crate) fn child_req<T: XmlElement>(el: &mut Element, name: &str) -> Result<T, ConfError> {
    child(el, name)?.ok_or_else(|| ConfError::Xml {
        message: format!("missing <{name}> element in <{}>", el.name),
    })
}

/// Every child element `name` of `el`, taken out and read, in order.
pub(crate) fn children<T: XmlElement>(el: &mut Element, name: &str) -> Result<Vec<T>, ConfError> {
    el.take_children(name)
        .into_iter()
        .map(T::from_element)
        .collect()
}

/// The text of `el`, taken out and parsed (`None` if it has no text).
pub(crate) fn text<T: XmlValue>(el: &mut Element) -> Result<Option<T>, ConfError> {
    match el.take_text() {
        None => Ok(None),
        Some(t) => T::parse_value(&t)
            .map(Some)
            .map_err(|e| e.text_error(&el.name, &t)),
    }
}

/// The text of `el`, taken out and parsed; an absent text parses as empty.
pub(crate) fn text_req<T: XmlValue>(el: &mut Element) -> Result<T, ConfError> {
    let t = el.take_text().unwrap_or_default();
    T::parse_value(&t).map_err(|e| e.text_error(&el.name, &t))
}

/// Index of the first child element `name` that holds nothing but text.
fn plain_child(el: &Element, name: &str) -> Option<usize> {
    el.children
        .iter()
        .position(|n| matches!(n, Node::Element(c) if c.name == name && !c.has_structure()))
}

/// The text of the first child element `name` (one without attributes or children),
/// taken out and parsed.
pub(crate) fn text_child<T: XmlValue>(
    el: &mut Element,
    name: &str,
) -> Result<Option<T>, ConfError> {
    let Some(i) = plain_child(el, name) else {
        return Ok(None);
    };
    let Node::Element(c) = el.children.remove(i) else {
        unreachable!("plain_child returns elements")
    };
    let t = c.text();
    T::parse_value(&t)
        .map(Some)
        .map_err(|e| e.text_error(name, &t))
}

/// The texts of every child element `name` (without attributes or children), in order.
pub(crate) fn text_children<T: XmlValue>(
    el: &mut Element,
    name: &str,
) -> Result<Vec<T>, ConfError> {
    let mut out = Vec::new();
    let mut kept = Vec::with_capacity(el.children.len());
    for n in std::mem::take(&mut el.children) {
        match n {
            Node::Element(c) if c.name == name && !c.has_structure() => {
                let t = c.text();
                out.push(T::parse_value(&t).map_err(|e| e.text_error(name, &t))?);
            }
            other => kept.push(other),
        }
    }
    el.children = kept;
    Ok(out)
}

/// Whether `el` has an empty child element `name` (no attributes, children or text);
/// taken out.
pub(crate) fn flag(el: &mut Element, name: &str) -> Result<bool, ConfError> {
    let empty = el.children.iter().position(|n| {
        matches!(n, Node::Element(c) if c.name == name && !c.has_structure()
            && c.text().trim().is_empty())
    });
    match empty {
        Some(i) => {
            el.children.remove(i);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Writes attribute `name` if `v` is set.
pub(crate) fn put_attr<T: XmlValue>(el: &mut Element, name: &str, v: Option<&T>) {
    if let Some(v) = v {
        el.attrs.push((name.to_owned(), v.format_value()));
    }
}

/// Writes child element `name` if `v` is set.
pub(crate) fn put_child<T: XmlElement>(el: &mut Element, name: &str, v: Option<&T>) {
    if let Some(v) = v {
        el.push(v.to_element(name));
    }
}

/// Writes `v` as the text of `el`.
pub(crate) fn put_text<T: XmlValue>(el: &mut Element, v: Option<&T>) {
    if let Some(v) = v {
        let t = v.format_value();
        if !t.is_empty() {
            el.push_text(t);
        }
    }
}

/// Writes a child element `name` holding `v` as text.
pub(crate) fn put_text_child<T: XmlValue>(el: &mut Element, name: &str, v: Option<&T>) {
    if let Some(v) = v {
        let mut c = Element::new(name);
        let t = v.format_value();
        if !t.is_empty() {
            c.push_text(t);
        }
        el.push(c);
    }
}

/// Writes an empty child element `name` if `on`.
pub(crate) fn put_flag(el: &mut Element, name: &str, on: bool) {
    if on {
        el.push(Element::new(name));
    }
}

/// Finishes reading: what is left of `el`.
pub(crate) fn rest(el: Element) -> Extra {
    Extra::rest(el)
}

//! libvirt's order of attributes and child elements, applied to a whole tree before it
//! is printed.
//!
//! The table (`order.txt`, one line per element) was written from libvirt 9.0's
//! output: `KEY: ATTRIBUTES | CHILDREN`, where KEY is `parent/name`,
//! `parent/name[TYPE]` where the order depends on the element's `type` attribute, or,
//! for elements printed the same way everywhere (`address`), just `name`. Attributes and children
//! are stably sorted by their position in the line; names missing from the line go
//! last in their input order, so content libvirt's schema does not know stays after
//! what it knows. Elements without a line, `<metadata>` and everything in a foreign
//! namespace keep their input order.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Element, Node};

/// The order of one element's attributes and children.
#[derive(Debug, Default)]
struct Order {
    attrs: Vec<&'static str>,
    children: Vec<&'static str>,
}

fn table() -> &'static HashMap<&'static str, Order> {
    static TABLE: OnceLock<HashMap<&'static str, Order>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for line in include_str!("order.txt").lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, rest)) = line.split_once(':') else {
                continue;
            };
            let (attrs, children) = rest.split_once('|').unwrap_or((rest, ""));
            map.insert(
                key.trim(),
                Order {
                    attrs: attrs.split_whitespace().collect(),
                    children: children.split_whitespace().collect(),
                },
            );
        }
        map
    })
}

fn lookup(parent: &str, el: &Element) -> Option<&'static Order> {
    let t = table();
    let name = el.name.as_str();
    if parent.is_empty() {
        return t.get(name);
    }
    el.attr("type")
        .and_then(|ty| t.get(format!("{parent}/{name}[{ty}]").as_str()))
        .or_else(|| t.get(format!("{parent}/{name}").as_str()))
        .or_else(|| t.get(name))
}

fn rank(list: &[&str], name: &str) -> usize {
    list.iter().position(|n| *n == name).unwrap_or(usize::MAX)
}

/// Puts `root` (a `<domain>`) and everything below it in libvirt's order.
/// Where a child named `name` goes among the children of `key` (a line of
/// `order.txt`, e.g. `domain/devices`) in libvirt's order; unknown names go last.
pub(crate) fn child_rank(key: &str, name: &str) -> usize {
    table()
        .get(key)
        .map_or(usize::MAX, |order| rank(&order.children, name))
}

pub(crate) fn canonicalize(root: &mut Element) {
    sort(root, "");
}

fn sort(el: &mut Element, parent: &str) {
    if el.name == "metadata" && parent == "domain" {
        return;
    }
    if let Some(order) = lookup(parent, el) {
        el.attrs.sort_by_key(|(n, _)| rank(&order.attrs, n));
        if !order.children.is_empty() {
            el.children.sort_by_key(|c| match c {
                Node::Element(e) => rank(&order.children, &e.name),
                Node::Text(_) => 0,
            });
        }
    }
    if el.name.contains(':') {
        return;
    }
    let name = el.name.clone();
    for c in el.elements_mut() {
        sort(c, &name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse::parse;

    #[test]
    fn sorts_known_and_keeps_unknown_last() {
        let mut el = parse(
            "<domain id='1' type='kvm'><devices/><zz/><os><boot dev='hd'/><type>hvm</type></os>\
             <name>n</name><memory unit='KiB'>1</memory></domain>",
        )
        .unwrap();
        canonicalize(&mut el);
        let names: Vec<&str> = el.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["name", "memory", "os", "devices", "zz"]);
        assert_eq!(el.attrs[0].0, "type");
        let os: Vec<&str> = el
            .child("os")
            .unwrap()
            .elements()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(os, ["type", "boot"]);
    }
}

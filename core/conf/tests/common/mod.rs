//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod corpus;
pub mod regex_gen;
pub mod rng_gen;
pub mod suite_cache;

use std::path::PathBuf;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// A parsed element: name, sorted attributes, children, trimmed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Tree>,
    pub text: String,
}

/// Parses XML into a [`Tree`], dropping comments and whitespace-only text and sorting
/// children by name (stably: same-named siblings keep their order), so that two
/// documents compare equal when they hold the same things, whatever order their
/// differently-named elements come in (libvirt groups devices by kind).
pub fn tree(xml: &str) -> Tree {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Tree> = Vec::new();
    loop {
        let ev = reader.read_event().expect("well-formed XML");
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut attrs: Vec<(String, String)> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            a.key.as_ref().to_owned(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                attrs.sort();
                let node = Tree {
                    name: e.name().as_ref().to_owned(),
                    attrs,
                    children: vec![],
                    text: String::new(),
                };
                if matches!(ev, Event::Empty(_)) {
                    if let Some(p) = stack.last_mut() {
                        p.children.push(node);
                    } else {
                        return node;
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let mut node = stack.pop().unwrap();
                node.text = node.text.trim().to_owned();
                node.children.sort_by(|a, b| a.name.cmp(&b.name));
                match stack.last_mut() {
                    Some(p) => p.children.push(node),
                    None => return node,
                }
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let s = quick_xml::escape::unescape(&format!("&{};", &*r))
                    .unwrap()
                    .into_owned();
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&s);
                }
            }
            Event::Eof => panic!("premature end of document"),
            _ => {}
        }
    }
}

/// Path of a file under `tests/data`.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(name)
}

/// Contents of a file under `tests/data`.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(data_path(name)).expect("fixture readable")
}

/// All fixtures that must parse and round-trip.
pub const FIXTURES: &[&str] = &[
    "test-default.xml",
    "qemu-headless.xml",
    "lxc-container.xml",
    "qemu-full.xml",
    "define-input.xml",
    "define-output-libvirt.xml",
];
